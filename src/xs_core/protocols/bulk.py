"""Bulk start (R2.2): one protocol started for many employees at once.

The core decides *what*: whether the request is allowed at all, and per employee whether a
trajectory starts or is skipped with a reason. The storage adapter answers the set-based
questions (who is proposed, who is in scope, who is employed on the start date, who already has
an open trajectory) and writes every trajectory of the request in one transaction.
"""

from __future__ import annotations

import datetime as _dt
import enum
import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from operator import attrgetter
from typing import ClassVar, runtime_checkable
from typing import Protocol as _Protocol

import attrs

from xs_core.dates import DateRange, as_date
from xs_core.errors import Conflict, DomainError, InvalidInput, register_messages
from xs_core.events import DomainEvent
from xs_core.protocols.compensation import CompensationDecision, compensation_task_decision
from xs_core.protocols.model import (
    COMPENSATION_TASK,
    Protocol,
    ProtocolKind,
    TaskTemplate,
    check_planned_end,
)

register_messages(
    {
        "bulk_start.not_allowed": (
            "Protocol '{protocol}' mag niet in bulk gestart worden.",
            "Protocol '{protocol}' may not be started in bulk.",
        ),
        "bulk_start.end_date_required": (
            "Een einddatum is verplicht: protocol '{protocol}' staat een lege einddatum niet toe.",
            "An end date is required: protocol '{protocol}' does not allow an empty end date.",
        ),
        "bulk_start.invalid_unit": (
            "Kies één of meer werkgevers, of één afdeling.",
            "Choose one or more employers, or one department.",
        ),
    },
    kind=InvalidInput,
)

register_messages(
    {
        "bulk_start.request_id_reused": (
            "Verzoek {request_id} is al gebruikt voor een ander bulkverzoek.",
            "Request {request_id} was already used for another bulk request.",
        ),
    },
    kind=Conflict,
)


_INT = attrgetter("int")


class SkipReason(enum.Enum):
    """Why an employee of a bulk request got no trajectory (R2.2)."""

    ALREADY_OPEN = "already_open_trajectory"
    NO_EMPLOYMENT = "no_employment_on_start_date"
    OUT_OF_SCOPE = "out_of_scope"
    #: a sickness protocol: another sickness report's absence reaches the start (R3.1)
    OVERLAPPING_ABSENCE = "overlapping_absence"


@attrs.frozen
class BulkUnit:
    """The organisation unit of a bulk start: one or more employers, or one department (with
    its sub-departments)."""

    employer_ids: frozenset[uuid.UUID] = frozenset()
    department_id: uuid.UUID | None = None

    def __attrs_post_init__(self) -> None:
        if bool(self.employer_ids) == (self.department_id is not None):
            raise DomainError("bulk_start.invalid_unit", {"rule": "R2.2"})


def _optional_day(value: _dt.date | None) -> _dt.date | None:
    """The bulk end date is a last day (inclusive, R2.4), so a day of the window (R0.1)."""
    return None if value is None else as_date(value)


@attrs.frozen(kw_only=True)
class BulkStartRequest:
    """A bulk start as the user submits it (R2.2).

    ``employee_ids=None`` starts the whole proposal minus ``deselected``; an explicit set starts
    exactly those employees (each is checked: scope, employment, open trajectory).
    ``end_date`` is the last day of the trajectories (as when closing one, R2.4).
    """

    request_id: uuid.UUID
    protocol_id: uuid.UUID
    unit: BulkUnit
    start: _dt.date = attrs.field(converter=as_date)
    end_date: _dt.date | None = attrs.field(default=None, converter=_optional_day)
    employee_ids: frozenset[uuid.UUID] | None = None
    deselected: frozenset[uuid.UUID] = frozenset()

    @property
    def period(self) -> DateRange:
        return DateRange.from_inclusive(self.start, self.end_date)

    def fingerprint(self) -> str:
        """What makes two submissions the same request (for idempotency)."""
        parts = [
            str(self.protocol_id),
            ",".join(sorted(map(str, self.unit.employer_ids))),
            str(self.unit.department_id),
            as_date(self.start).isoformat(),
            "" if self.end_date is None else as_date(self.end_date).isoformat(),
            "*" if self.employee_ids is None else ",".join(sorted(map(str, self.employee_ids))),
            ",".join(sorted(map(str, self.deselected))),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


def check_request(protocol: Protocol, start: _dt.date, end_date: _dt.date | None) -> None:
    """R2.2: refuse the whole request when the protocol does not allow bulk start, or when the
    end date is missing without permission or not after the start."""
    characteristics = protocol.characteristics
    if not characteristics.may_start_in_bulk:
        raise DomainError("bulk_start.not_allowed", {"rule": "R2.2", "protocol": protocol.name})
    if end_date is None and not characteristics.bulk_end_date_may_be_empty:
        raise DomainError(
            "bulk_start.end_date_required", {"rule": "R2.2", "protocol": protocol.name}
        )
    check_planned_end(start, end_date)


@attrs.frozen
class Candidate:
    """An employee proposed for a bulk start, with the employment that places them in the unit."""

    employee_id: uuid.UUID
    employment_id: uuid.UUID
    name: str = ""


@attrs.frozen
class BulkOutcome:
    employee_id: uuid.UUID
    trajectory_id: uuid.UUID | None
    reason: SkipReason | None

    @property
    def started(self) -> bool:
        return self.trajectory_id is not None


def decide(
    requested: Iterable[uuid.UUID],
    in_scope: frozenset[uuid.UUID],
    employments: Mapping[uuid.UUID, uuid.UUID],
    blocked: frozenset[uuid.UUID],
    new_id: Iterable[uuid.UUID],
    absent: frozenset[uuid.UUID] = frozenset(),
) -> list[BulkOutcome]:
    """Per employee: ``started`` with a new trajectory id, or ``skipped`` with the first reason
    that applies — out of scope, no employment on the start date, already a trajectory of the
    protocol running in the period (``blocked``), for a sickness protocol the absence of
    another sickness report running on or after the start (``absent``, R3.1)."""
    ids = iter(new_id)
    wanted = set(requested)
    ordered = sorted(wanted, key=_INT)
    # the skipped, by set operations on the hashes the sets already hold (a UUID's hash is
    # computed in Python): usually none, and then every employee starts
    out_of_scope = wanted - in_scope
    unemployed = (wanted - out_of_scope).difference(employments)
    possible = wanted - out_of_scope - unemployed
    already_open = possible & blocked
    overlapping = (possible - already_open) & absent
    if not (out_of_scope or unemployed or already_open or overlapping):
        return [BulkOutcome(employee_id, next(ids), None) for employee_id in ordered]
    outcomes: list[BulkOutcome] = []
    for employee_id in ordered:
        if employee_id in out_of_scope:
            outcomes.append(BulkOutcome(employee_id, None, SkipReason.OUT_OF_SCOPE))
        elif employee_id in unemployed:
            outcomes.append(BulkOutcome(employee_id, None, SkipReason.NO_EMPLOYMENT))
        elif employee_id in already_open:
            outcomes.append(BulkOutcome(employee_id, None, SkipReason.ALREADY_OPEN))
        elif employee_id in overlapping:
            outcomes.append(BulkOutcome(employee_id, None, SkipReason.OVERLAPPING_ABSENCE))
        else:
            outcomes.append(BulkOutcome(employee_id, next(ids), None))
    return outcomes


@attrs.frozen
class SicknessFacts:
    """What R2.5 needs to know of an employee started on a sickness protocol: their birth date
    and the start of the employment the trajectory is for (``None`` when unknown)."""

    birth_date: _dt.date | None
    employment_start: _dt.date | None


def decide_compensation(
    protocol: Protocol,
    outcomes: Iterable[BulkOutcome],
    facts: Mapping[uuid.UUID, SicknessFacts],
    first_sick_day: _dt.date,
) -> dict[uuid.UUID, CompensationDecision]:
    """R2.5 for every employee a bulk start starts on a sickness protocol — the very decision
    :meth:`Trajectory.start_sickness <xs_core.protocols.model.Trajectory.start_sickness>` takes
    for a single report, with the start of the trajectory's employment; nothing for other
    protocols. An employee the adapter knows nothing of counts as both facts unknown."""
    if protocol.kind is not ProtocolKind.SICKNESS:
        return {}
    unknown = SicknessFacts(None, None)
    decisions: dict[uuid.UUID, CompensationDecision] = {}
    for outcome in outcomes:
        if outcome.started:
            known = facts.get(outcome.employee_id, unknown)
            decisions[outcome.employee_id] = compensation_task_decision(
                known.birth_date, known.employment_start, first_sick_day
            )
    return decisions


@attrs.frozen(kw_only=True)
class BulkStartPlan:
    """What the adapter writes in one transaction: the trajectories and their tasks, and for a
    sickness protocol each trajectory's R2.5 decision (``compensation``): recorded on the
    trajectory and, when the task is added, :data:`COMPENSATION_TASK` after ``tasks`` with the
    decision's reason."""

    request: BulkStartRequest
    protocol: Protocol
    requested_by: uuid.UUID
    today: _dt.date
    tasks: tuple[TaskTemplate, ...]
    outcomes: tuple[BulkOutcome, ...]
    employments: Mapping[uuid.UUID, uuid.UUID]
    compensation: Mapping[uuid.UUID, CompensationDecision] = attrs.field(factory=dict)

    def tasks_for(self, employee_id: uuid.UUID) -> list[tuple[TaskTemplate, str | None]]:
        """The tasks of the employee's new trajectory, in order, each with its reason."""
        return tasks_after(self.tasks, self.compensation.get(employee_id))


def tasks_after(
    tasks: tuple[TaskTemplate, ...], decision: CompensationDecision | None
) -> list[tuple[TaskTemplate, str | None]]:
    """``tasks`` (no reason), then the compensation task when R2.5 added it, with its reason —
    the order :meth:`Trajectory.start_sickness` gives them."""
    listed: list[tuple[TaskTemplate, str | None]] = [(t, None) for t in tasks]
    if decision is not None and decision.added:
        listed.append((COMPENSATION_TASK, decision.reason.value))
    return listed


@runtime_checkable
class CountedOutcomes(_Protocol):
    """Outcomes of a bulk request (R2.2) that count themselves without being read one by one:
    a storage adapter may answer a repeated request with such a sequence, whose outcome objects
    are made only as they are read (a repeat of 100,000 employees would otherwise make 300,000
    objects at once)."""

    def started_count(self) -> int:
        """How many outcomes started a trajectory."""
        ...

    def skipped_by_reason(self) -> dict[SkipReason, int]:
        """How many were skipped, per reason."""
        ...


@attrs.frozen(kw_only=True)
class BulkStartResult:
    """Every employee's outcome of a bulk request (R2.2), in employee id order. ``outcomes`` is
    a tuple for a request handled now; for a repeated one it may be a sequence read from the
    stored summary as it is iterated (:class:`CountedOutcomes`), equal to the first tuple."""

    request_id: uuid.UUID
    outcomes: Sequence[BulkOutcome]
    #: true when this request id was handled before: nothing was started now
    repeated: bool = False

    @property
    def started(self) -> int:
        if isinstance(self.outcomes, CountedOutcomes):
            return self.outcomes.started_count()
        return sum(1 for o in self.outcomes if o.started)

    @property
    def skipped(self) -> int:
        return len(self.outcomes) - self.started

    def skipped_by_reason(self) -> dict[SkipReason, int]:
        if isinstance(self.outcomes, CountedOutcomes):
            return self.outcomes.skipped_by_reason()
        counts: dict[SkipReason, int] = {}
        for outcome in self.outcomes:
            if outcome.reason is not None:
                counts[outcome.reason] = counts.get(outcome.reason, 0) + 1
        return counts


@attrs.frozen(kw_only=True)
class TrajectoriesStartedInBulk(DomainEvent):
    """R2.2: a bulk start of one protocol created ``started`` trajectories and skipped
    ``skipped`` employees in one transaction; one event per request (no ``TrajectoryStarted``
    per trajectory), whose trajectories carry the request id."""

    name: ClassVar[str] = "TrajectoriesStartedInBulk"
    request_id: uuid.UUID
    protocol_id: uuid.UUID
    started: int
    skipped: int
