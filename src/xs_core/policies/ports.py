"""Ports of policy registration (R6.1–R6.6).

Aggregates through repositories (insurers, products, policies), participant registrations through
a registration store, and for the nightly evaluation a set-based run store: the core decides what
(:mod:`xs_core.policies.participation`, :mod:`xs_core.policies.run`), the adapter reads facts and
writes registrations in few round trips, chunk by chunk.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Sequence
from typing import Protocol

import attrs

from xs_core.access.model import ResolvedScope
from xs_core.policies.model import InsuranceProduct, Insurer, Policy, Registration
from xs_core.policies.participation import EmployeeFacts


class InsurerRepository(Protocol):
    def add(self, insurer: Insurer) -> None:
        """Add an insurer; a code in use by another insurer (case-insensitively) is refused
        with ``policies.insurer_code_in_use`` (a unique index)."""
        ...

    def get(self, insurer_id: uuid.UUID) -> Insurer: ...

    def list(self) -> list[Insurer]:
        """Every insurer, by name."""
        ...


class InsuranceProductRepository(Protocol):
    def add(self, product: InsuranceProduct) -> None:
        """Add a product of an existing insurer (``not_found`` insurer otherwise); a code in use
        by another product of the insurer is refused with ``policies.product_code_in_use``."""
        ...

    def get(self, product_id: uuid.UUID) -> InsuranceProduct: ...

    def lock(self, product_id: uuid.UUID) -> InsuranceProduct:
        """Like ``get``, and locked until the transaction ends (read-check-write)."""
        ...

    def save(self, product: InsuranceProduct) -> None:
        """Store the product's conditions (R6.3)."""
        ...

    def list(self, insurer_id: uuid.UUID | None = None) -> list[InsuranceProduct]:
        """The products (of one insurer), by name."""
        ...


class PolicyRepository(Protocol):
    def add(self, policy: Policy) -> None:
        """Add a policy of an existing employer on an existing product (``not_found``
        otherwise); a number in use by another policy of the product is refused with
        ``policies.number_in_use``."""
        ...

    def get(self, policy_id: uuid.UUID) -> Policy: ...

    def lock(self, policy_id: uuid.UUID) -> Policy:
        """Like ``get``, and locked until the transaction ends (read-check-write)."""
        ...

    def save(self, policy: Policy) -> None:
        """Store the policy's overrides (R6.3)."""
        ...

    def list(
        self, employer_ids: frozenset[uuid.UUID] | None = None, product_id: uuid.UUID | None = None
    ) -> list[Policy]:
        """Policies of the given employers (all when ``None``), optionally of one product; by
        number."""
        ...


@attrs.frozen(kw_only=True)
class ParticipantRow:
    """A line of a policy's participant page: an employee and their registrations."""

    employee_id: uuid.UUID
    name: str
    registrations: tuple[Registration, ...]


class RegistrationStore(Protocol):
    """Participant registrations (R6.6): per (policy, employee) non-overlapping periods."""

    def get(self, registration_id: uuid.UUID) -> Registration:
        """The registration; ``not_found`` (kind ``registration``) when there is none."""
        ...

    def for_participant(self, policy_id: uuid.UUID, employee_id: uuid.UUID) -> list[Registration]:
        """The registrations of one employee in one policy, by start."""
        ...

    def add(self, registrations: Sequence[Registration]) -> None:
        """Add registrations; an overlap with a registration of the same employee and policy is
        refused (``policies.registrations_overlap``; a database constraint on PostgreSQL)."""
        ...

    def remove(self, registration_ids: Sequence[uuid.UUID]) -> None:
        """Remove the registrations with these ids (unknown ids are ignored)."""
        ...

    def page(
        self, policy_id: uuid.UUID, scope: ResolvedScope, page: int, page_size: int
    ) -> list[ParticipantRow]:
        """The participant page: the employees in ``scope`` that have a registration in the
        policy, by name (normalised as the search index does, then id), ``page_size`` per page
        (``page`` counts from 1), each with their registrations by start."""
        ...

    def count(self, policy_id: uuid.UUID, scope: ResolvedScope) -> int:
        """How many employees in ``scope`` have a registration in the policy."""
        ...


class PolicyRunStore(Protocol):
    """What the nightly evaluation (R6.6) needs, set-based and chunk by chunk."""

    def employee_ids(
        self, employer_id: uuid.UUID, after: uuid.UUID | None, limit: int
    ) -> list[uuid.UUID]:
        """The ids of employees with an employment at ``employer_id``, in id order, after
        ``after`` (a chunk of at most ``limit``)."""
        ...

    def facts(
        self, employer_id: uuid.UUID, employee_ids: Sequence[uuid.UUID]
    ) -> list[EmployeeFacts]:
        """Birth dates, employments at the employer with their versions, and sickness spells of
        the employees, in few queries."""
        ...

    def registrations(
        self, policy_id: uuid.UUID, employee_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[Registration]]:
        """The stored registrations (manual and automatic) of the employees in the policy."""
        ...

    def replace(self, remove: Sequence[uuid.UUID], add: Sequence[Registration]) -> None:
        """Remove registrations by id and add others, set-based, in the current transaction."""
        ...

    def finish_chunk(self, run_id: uuid.UUID, policy_id: uuid.UUID, last: uuid.UUID) -> bool:
        """Record that run ``run_id`` finished the chunk of ``policy_id`` ending at employee
        ``last`` — in the transaction of the chunk's writes; ``False`` (and nothing recorded)
        when it was finished before (a repeated chunk writes nothing)."""
        ...

    def finished_chunks(self, run_id: uuid.UUID) -> dict[uuid.UUID, uuid.UUID]:
        """Per policy, the last employee id of the chunks of ``run_id`` finished so far."""
        ...


@attrs.frozen(kw_only=True)
class RunRecord:
    """A nightly evaluation: its date, whether it is a dry run, when it started."""

    id: uuid.UUID
    on: _dt.date
    dry_run: bool
