"""Ports of the protocols context (R2.1–R2.5)."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol as _Protocol

import attrs

from xs_core.access.model import ResolvedScope
from xs_core.dates import DateRange
from xs_core.protocols.bulk import (
    BulkOutcome,
    BulkStartPlan,
    BulkUnit,
    Candidate,
    SicknessFacts,
)
from xs_core.protocols.model import Protocol, Trajectory


class ProtocolRepository(_Protocol):
    def add(self, protocol: Protocol) -> None: ...
    def get(self, protocol_id: uuid.UUID) -> Protocol: ...
    def lock(self, protocol_id: uuid.UUID) -> Protocol:
        """Like ``get``, and locked until the transaction ends (read-check-write)."""
        ...

    def save(self, protocol: Protocol) -> None: ...
    def list(self) -> list[Protocol]: ...


class TrajectoryRepository(_Protocol):
    def add(self, trajectory: Trajectory) -> None: ...
    def get(self, trajectory_id: uuid.UUID) -> Trajectory: ...
    def lock(self, trajectory_id: uuid.UUID) -> Trajectory:
        """Like ``get``, and locked until the transaction ends (read-check-write)."""
        ...

    def save(self, trajectory: Trajectory) -> None: ...
    def for_employee(self, employee_id: uuid.UUID) -> list[Trajectory]: ...


@attrs.frozen
class StoredBulkRequest:
    """A handled bulk request, kept for idempotency (R2.2)."""

    request_id: uuid.UUID
    fingerprint: str
    #: in employee id order; a tuple, or a sequence read as it is iterated (R2.2)
    outcomes: Sequence[BulkOutcome]


class BulkStartStore(_Protocol):
    """Set-based reads and writes of a bulk start (R2.2): few statements, never one per row."""

    def proposal(
        self, unit: BulkUnit, start: _dt.date, scope: ResolvedScope, with_names: bool = True
    ) -> list[Candidate]:
        """Employees with an employment in ``unit`` on ``start``, inside ``scope``: by name
        (``with_names``), or in id order when only the set matters."""
        ...

    def proposed_ids(
        self, unit: BulkUnit, start: _dt.date, scope: ResolvedScope
    ) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
        """The proposal (R2.2) as two lists in employee id order: the employees' ids and the
        ids of the employments that place them in the unit — what a bulk start needs of it,
        without a :class:`Candidate` per employee."""
        ...

    def in_scope(
        self, employee_ids: Iterable[uuid.UUID], scope: ResolvedScope
    ) -> frozenset[uuid.UUID]: ...

    def employments_in_unit(
        self, employee_ids: Iterable[uuid.UUID], unit: BulkUnit, start: _dt.date
    ) -> dict[uuid.UUID, uuid.UUID]:
        """For each given employee employed in ``unit`` on ``start``: that employment's id."""
        ...

    def open_trajectories(self, protocol_id: uuid.UUID, period: DateRange) -> frozenset[uuid.UUID]:
        """Employees with a trajectory of the protocol running at some day of ``period``
        (open-ended, or ending after the period starts): R2.2's "already has an open
        trajectory of this protocol in that period"."""
        ...

    def absent_from(self, employee_ids: Iterable[uuid.UUID], day: _dt.date) -> frozenset[uuid.UUID]:
        """R3.1: of ``employee_ids``, those with a sickness report — under any sickness
        protocol — whose absence has a day on or after ``day`` (not fully recovered and not
        closed by then), so that a sickness report starting on ``day`` would overlap it. The
        employees' rows are locked until the transaction ends (as a single report locks its
        employee), so that none of them gets such a report meanwhile."""
        ...

    def sickness_facts(
        self, employments: Mapping[uuid.UUID, uuid.UUID]
    ) -> dict[uuid.UUID, SicknessFacts]:
        """For each employee → employment given: the employee's birth date and that
        employment's start (R2.5), in one query (per chunk)."""
        ...

    def claim(
        self,
        request_id: uuid.UUID,
        fingerprint: str,
        requested_by: uuid.UUID,
        protocol_id: uuid.UUID,
    ) -> StoredBulkRequest | None:
        """Register the request id; returns the earlier request when the id was used before."""
        ...

    def start_all(self, plan: BulkStartPlan) -> None:
        """Write every started trajectory with its tasks, and every outcome."""
        ...
