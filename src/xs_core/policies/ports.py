"""Ports of policy registration (R6.1–R6.6).

Aggregates through repositories (insurers, products, policies), participant registrations through
a registration store, and for the nightly evaluation a set-based run store: the core decides what
(:mod:`xs_core.policies.participation`, :mod:`xs_core.policies.run`), the adapter reads facts and
writes registrations in few round trips, chunk by chunk.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Protocol

import attrs
import pendulum

from xs_core.access.model import ResolvedScope
from xs_core.policies.model import InsuranceProduct, Insurer, Policy, Registration
from xs_core.policies.participation import EmployeeFacts
from xs_core.policies.run import ChunkPlan


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


@attrs.frozen(kw_only=True)
class RunRecord:
    """A nightly evaluation (R6.6): its date, the one policy it was limited to (``None``: every
    policy the starter may see), who started it, when, and when its last chunk finished."""

    id: uuid.UUID
    on: _dt.date
    policy_id: uuid.UUID | None
    started_by: uuid.UUID
    started_at: pendulum.DateTime
    chunk_size: int
    finished_at: pendulum.DateTime | None = None


@attrs.frozen(kw_only=True)
class ChunkState:
    """A chunk of a run and what it did: done or not, and how many employees it changed, and
    how many registrations it added and removed."""

    plan: ChunkPlan
    done: bool
    changed: int = 0
    added: int = 0
    removed: int = 0


class PolicyRunStore(Protocol):
    """What the nightly evaluation (R6.6) needs, set-based and chunk by chunk. A chunk's writes
    and its "done" mark commit in one transaction (ARCHITECTURE "Work that scales out")."""

    def employee_ids(self, employer_id: uuid.UUID) -> list[uuid.UUID]:
        """The ids of the employees with an employment at ``employer_id``, in id order."""
        ...

    def facts(
        self,
        employer_id: uuid.UUID,
        employee_ids: Sequence[uuid.UUID],
        inputs: Mapping[uuid.UUID, str] | None = None,
    ) -> list[EmployeeFacts]:
        """Birth date, employments at the employer with their versions, and sickness spells of
        the given employees that have an employment at the employer, in id order, in a few
        queries. ``inputs``: what :meth:`stale` returned for them in this unit of work — a
        store may take the facts from those texts instead of reading them again."""
        ...

    def registrations(
        self, policy_id: uuid.UUID, employee_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[Registration]]:
        """The stored registrations (manual and automatic) of the employees in the policy, per
        employee by start."""
        ...

    def stale(
        self,
        policy_id: uuid.UUID,
        employer_id: uuid.UUID,
        after: uuid.UUID | None,
        last: uuid.UUID | None,
        key: str,
        evaluated_from: _dt.date,
    ) -> dict[uuid.UUID, str]:
        """The employees of the employer with ``after < id <= last`` (``None``: unbounded) that
        need evaluating, in id order, each with their current inputs: never evaluated in the
        policy, or their inputs (birth date, employments at the employer with their versions,
        sickness, manual registrations in the policy, and ``key``: the conditions and parameter
        tables) differ from those :meth:`remember` stored, or their last evaluation wrote from a
        later day than ``evaluated_from``. Never fewer than those whose evaluation could
        change. The inputs are read *before* the facts: a change that commits in between makes
        the next run evaluate the employee again."""
        ...

    def remember(
        self, policy_id: uuid.UUID, inputs: Mapping[uuid.UUID, str], evaluated_from: _dt.date
    ) -> None:
        """Store the inputs :meth:`stale` answered for the employees evaluated, as evaluated
        from ``evaluated_from`` on, in the transaction of the evaluation's writes."""
        ...

    def forget(self, policy_id: uuid.UUID, employee_id: uuid.UUID) -> None:
        """Forget the employee's stored inputs in the policy: the next run evaluates them
        (after a manual registration cut or gave back automatic days, R6.4)."""
        ...

    def replace(self, remove: Sequence[uuid.UUID], add: Sequence[Registration]) -> None:
        """Remove registrations by id, then add others, set-based, in the current transaction
        (an overlap is refused as by :meth:`RegistrationStore.add`)."""
        ...

    def add_run(self, run: RunRecord, chunks: Sequence[ChunkPlan]) -> None:
        """Record a run and its planned chunks, none done."""
        ...

    def run(self, run_id: uuid.UUID) -> RunRecord:
        """The run; ``not_found`` (kind ``policy_run``) when there is none."""
        ...

    def unfinished(self) -> list[RunRecord]:
        """The runs not finished yet, oldest first."""
        ...

    def chunk(self, run_id: uuid.UUID, number: int) -> ChunkPlan | None:
        """The chunk's plan, read without a lock; ``None`` when the run has no such chunk."""
        ...

    def supersede(self, run_id: uuid.UUID, at: pendulum.DateTime) -> None:
        """Finish an unfinished run without working its open chunks: they are marked done
        (waiting for a chunk being worked to commit first), the run finished at ``at``."""
        ...

    def chunks(self, run_id: uuid.UUID) -> list[ChunkState]:
        """The chunks of the run, by number."""
        ...

    def claim_chunk(self, run_id: uuid.UUID, number: int) -> ChunkPlan | None:
        """Lock the chunk until the transaction ends and return it; ``None`` when it is done
        (a chunk taken twice, by two workers or after a crash, is worked once). Also takes a
        shared lock on the chunk's policy, so that a manual registration (which locks the
        policy) waits for the chunk or the chunk for it."""
        ...

    def finish_chunk(self, run_id: uuid.UUID, state: ChunkState) -> None:
        """Mark the claimed chunk done with its counts, in the transaction of its writes."""
        ...

    def finish_run(self, run_id: uuid.UUID, at: pendulum.DateTime) -> bool:
        """When every chunk of the run is done and the run is not finished yet: mark it
        finished at ``at`` and answer ``True`` (once, whatever runs concurrently: the run row
        is locked before the chunks are counted)."""
        ...
