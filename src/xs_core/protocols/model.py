"""Protocols, their characteristics, and trajectories (R2.1, R2.4).

A protocol's settings live together in its characteristics (protocol kenmerken), on the protocol
and never on a protocol variation (R2.1). A trajectory runs for one employee under one protocol
from a start date; closing it sets its end date, which R2.4 bounds.

**Decision (R2.4 and R0.2):** the end date a user gives when closing a trajectory is the last
day of the trajectory (it may equal the start, "on or after its start"); the trajectory's period
is stored half-open, ``DateRange.from_inclusive(start, end_date)``.
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from typing import ClassVar

import attrs
import pendulum

from xs_core import limits
from xs_core.dates import DateRange, as_date
from xs_core.errors import Conflict, DomainError, InvalidInput, register_messages
from xs_core.events import Aggregate, DomainEvent
from xs_core.organisation.units import new_id
from xs_core.organisation.validation import optional_text, required_text
from xs_core.protocols.compensation import CompensationDecision, compensation_task_decision
from xs_core.protocols.sickness import (
    AbsenceSpell,
    RecoveryReport,
    absence_period,
    absence_spells,
    add_recovery_report,
)

register_messages(
    {
        "trajectory.end_before_start": (
            "De einddatum {end_date} ligt vóór de begindatum {start}.",
            "The end date {end_date} lies before the start date {start}.",
        ),
        "trajectory.end_in_future": (
            "De einddatum {end_date} ligt na vandaag ({today}); dit protocol staat afsluiten in "
            "de toekomst niet toe.",
            "The end date {end_date} lies after today ({today}); this protocol does not allow "
            "closing in the future.",
        ),
        "trajectory.end_not_after_start": (
            "De einddatum {end_date} moet na de begindatum {start} liggen.",
            "The end date {end_date} must lie after the start date {start}.",
        ),
        "trajectory.use_report_sickness": (
            "Een ziektetraject start met een ziekmelding (eerste ziektedag).",
            "A sickness trajectory starts by reporting sickness (first day of sickness).",
        ),
    },
    kind=InvalidInput,
)

register_messages(
    {
        "trajectory.already_closed": (
            "Het traject is al afgesloten per {end_date}.",
            "The trajectory was already closed on {end_date}.",
        ),
        "trajectory.overlaps": (
            "De werknemer heeft al een traject van dit protocol in die periode ({period}).",
            "The employee already has a trajectory of this protocol in that period ({period}).",
        ),
    },
    kind=Conflict,
)


class ProtocolKind(enum.Enum):
    SICKNESS = "sickness"  # ziekteverzuim
    PMO = "pmo"  # preventief medisch onderzoek
    OTHER = "other"


@attrs.frozen(kw_only=True)
class ProtocolCharacteristics:
    """R2.1: every setting of a protocol, all off by default."""

    may_start_in_bulk: bool = False
    bulk_end_date_may_be_empty: bool = False
    end_date_may_be_in_future: bool = False


def _task_code(value: str) -> str:
    return required_text(value, "code", limits.TASK_CODE)


def _task_title(value: str) -> str:
    return required_text(value, "title", limits.TASK_TITLE)


def _task_reason(value: str | None) -> str | None:
    return optional_text(value, "reason", limits.TASK_REASON)


def _name(value: str) -> str:
    return required_text(value, "name", limits.NAME)


@attrs.frozen(kw_only=True)
class TaskTemplate:
    """A task a protocol adds to its trajectories."""

    code: str = attrs.field(converter=_task_code)
    title: str = attrs.field(converter=_task_title)


@attrs.frozen(kw_only=True)
class ProtocolVariation:
    """A variation of a protocol (name only: settings live on the protocol, R2.1)."""

    id: uuid.UUID
    name: str = attrs.field(converter=_name)


@attrs.frozen(kw_only=True)
class ProtocolCharacteristicsChanged(DomainEvent):
    """R2.1: a protocol's characteristics changed; the event carries all three as they now
    stand."""

    name: ClassVar[str] = "ProtocolCharacteristicsChanged"
    protocol_id: uuid.UUID
    may_start_in_bulk: bool
    bulk_end_date_may_be_empty: bool
    end_date_may_be_in_future: bool


@attrs.frozen(kw_only=True)
class ProtocolCreated(DomainEvent):
    """R2.1: a protocol was created, of a kind (sickness, PMO or other)."""

    name: ClassVar[str] = "ProtocolCreated"
    protocol_id: uuid.UUID
    protocol_name: str
    kind: ProtocolKind


@attrs.define(kw_only=True)
class Protocol(Aggregate):
    id: uuid.UUID
    name: str
    kind: ProtocolKind
    characteristics: ProtocolCharacteristics = attrs.field(factory=ProtocolCharacteristics)
    task_templates: tuple[TaskTemplate, ...] = ()
    variations: tuple[ProtocolVariation, ...] = ()

    @classmethod
    def create(
        cls,
        name: str,
        kind: ProtocolKind,
        task_templates: tuple[TaskTemplate, ...] = (),
        characteristics: ProtocolCharacteristics | None = None,
        protocol_id: uuid.UUID | None = None,
    ) -> Protocol:
        protocol = cls(
            id=protocol_id or new_id(),
            name=required_text(name, "name", limits.NAME),
            kind=kind,
            characteristics=characteristics or ProtocolCharacteristics(),
            task_templates=task_templates,
        )
        protocol.record(
            ProtocolCreated(protocol_id=protocol.id, protocol_name=protocol.name, kind=kind)
        )
        return protocol

    def change_characteristics(self, characteristics: ProtocolCharacteristics) -> None:
        """R2.1: change the settings together, on the protocol."""
        if characteristics == self.characteristics:
            return
        self.characteristics = characteristics
        self.record(
            ProtocolCharacteristicsChanged(
                protocol_id=self.id,
                may_start_in_bulk=characteristics.may_start_in_bulk,
                bulk_end_date_may_be_empty=characteristics.bulk_end_date_may_be_empty,
                end_date_may_be_in_future=characteristics.end_date_may_be_in_future,
            )
        )

    @property
    def tasks_to_add(self) -> tuple[TaskTemplate, ...]:
        """The task templates a new trajectory gets; never the old 55+ task (R2.5)."""
        return tuple(t for t in self.task_templates if t.code != OLD_COMPENSATION_TASK.code)

    def add_variation(self, name: str) -> ProtocolVariation:
        variation = ProtocolVariation(id=new_id(), name=name)
        self.variations = (*self.variations, variation)
        return variation


# -- trajectories ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Task:
    """A task on a trajectory, with why it was added."""

    id: uuid.UUID
    code: str = attrs.field(converter=_task_code)
    title: str = attrs.field(converter=_task_title)
    added_on: pendulum.Date = attrs.field(converter=as_date)
    reason: str | None = attrs.field(default=None, converter=_task_reason)


@attrs.frozen(kw_only=True)
class TrajectoryStarted(DomainEvent):
    """R2.2, R2.5: a trajectory of one employee under a protocol was started on ``start`` (for
    a sickness trajectory: the first day of sickness), of the protocol's ``kind``, with its
    planned ``end_date`` (the last day, inclusive; null: open). Version 2: ``kind`` and
    ``employment_id`` added, ``end`` renamed ``end_date`` (inclusive, like
    ``TrajectoryClosed``). Not written per trajectory by a bulk start (see
    ``TrajectoriesStartedInBulk``)."""

    name: ClassVar[str] = "TrajectoryStarted"
    version: ClassVar[int] = 2
    trajectory_id: uuid.UUID
    protocol_id: uuid.UUID
    kind: ProtocolKind
    employee_id: uuid.UUID
    employment_id: uuid.UUID | None
    start: _dt.date
    end_date: _dt.date | None


@attrs.frozen(kw_only=True)
class RecoveryReported(DomainEvent):
    """R3.1, R6.2: partial (1–99) or full (100) recovery of a sickness trajectory was reported
    from ``date`` on."""

    name: ClassVar[str] = "RecoveryReported"
    trajectory_id: uuid.UUID
    employee_id: uuid.UUID
    date: _dt.date
    recovered_percentage: int


@attrs.frozen(kw_only=True)
class TrajectoryClosed(DomainEvent):
    """R2.4: a trajectory was closed; ``end_date`` is its last day (inclusive), on or after
    its start and, unless the protocol allows it, not after today."""

    name: ClassVar[str] = "TrajectoryClosed"
    trajectory_id: uuid.UUID
    protocol_id: uuid.UUID
    employee_id: uuid.UUID
    end_date: _dt.date


def check_end_date(
    start: _dt.date,
    end_date: _dt.date,
    today: _dt.date,
    characteristics: ProtocolCharacteristics,
) -> None:
    """R2.4: the end date lies on or after the start; after today only when the protocol's
    ``end_date_may_be_in_future`` is on."""
    if end_date < start:
        raise DomainError(
            "trajectory.end_before_start",
            {"rule": "R2.4", "start": start.isoformat(), "end_date": end_date.isoformat()},
        )
    if end_date > today and not characteristics.end_date_may_be_in_future:
        raise DomainError(
            "trajectory.end_in_future",
            {"rule": "R2.4", "today": today.isoformat(), "end_date": end_date.isoformat()},
        )


def check_planned_end(start: _dt.date, end_date: _dt.date | None) -> None:
    """R2.2: a trajectory started with a planned end date (its last day) ends after its start.
    The same rule for a single start and a bulk start; a planned end is not bound by today —
    R2.4 bounds *closing* a trajectory, not planning its end."""
    start = as_date(start)
    if end_date is not None and as_date(end_date) <= start:
        raise DomainError(
            "trajectory.end_not_after_start",
            {"rule": "R2.2", "start": start.isoformat(), "end_date": end_date.isoformat()},
        )


@attrs.define(kw_only=True)
class Trajectory(Aggregate):
    """A trajectory (traject) of one employee under one protocol."""

    id: uuid.UUID
    protocol_id: uuid.UUID
    kind: ProtocolKind = ProtocolKind.OTHER
    employee_id: uuid.UUID
    employment_id: uuid.UUID | None = None
    period: DateRange
    tasks: list[Task] = attrs.field(factory=list)
    bulk_request_id: uuid.UUID | None = None
    #: sickness trajectories only: the recovery reports after the first day of sickness
    recovery_reports: tuple[RecoveryReport, ...] = ()
    #: sickness trajectories only: the R2.5 decision and its reason
    compensation: CompensationDecision | None = None

    @classmethod
    def start(
        cls,
        protocol: Protocol,
        employee_id: uuid.UUID,
        start: _dt.date,
        today: _dt.date,
        end_date: _dt.date | None = None,
        employment_id: uuid.UUID | None = None,
        trajectory_id: uuid.UUID | None = None,
    ) -> Trajectory:
        """Start with the protocol's tasks; a planned end date, if given, lies after the start
        (R2.2, :func:`check_planned_end`)."""
        check_planned_end(start, end_date)
        trajectory = cls(
            id=trajectory_id or new_id(),
            protocol_id=protocol.id,
            kind=protocol.kind,
            employee_id=employee_id,
            employment_id=employment_id,
            period=DateRange.from_inclusive(start, end_date),
        )
        for template in protocol.tasks_to_add:
            trajectory.add_task(template.code, template.title, today)
        trajectory.record(
            TrajectoryStarted(
                trajectory_id=trajectory.id,
                protocol_id=protocol.id,
                kind=protocol.kind,
                employee_id=employee_id,
                employment_id=employment_id,
                start=trajectory.period.start,
                end_date=trajectory.period.last_day,
            )
        )
        return trajectory

    @classmethod
    def start_sickness(
        cls,
        protocol: Protocol,
        employee_id: uuid.UUID,
        first_sick_day: _dt.date,
        today: _dt.date,
        birth_date: _dt.date | None,
        employment_start: _dt.date | None,
        employment_id: uuid.UUID | None = None,
        trajectory_id: uuid.UUID | None = None,
    ) -> Trajectory:
        """Start a sickness trajectory on the first day of sickness and decide R2.5."""
        if protocol.kind is not ProtocolKind.SICKNESS:
            raise DomainError("sickness.not_a_sickness_trajectory", {"rule": "R2.5"})
        trajectory = cls.start(
            protocol, employee_id, first_sick_day, today, None, employment_id, trajectory_id
        )
        decision = compensation_task_decision(birth_date, employment_start, first_sick_day)
        trajectory.compensation = decision
        if decision.added:
            trajectory.add_task(
                COMPENSATION_TASK.code, COMPENSATION_TASK.title, today, decision.reason.value
            )
        return trajectory

    @property
    def is_open(self) -> bool:
        return self.period.end is None

    @property
    def first_sick_day(self) -> pendulum.Date:
        self._require_sickness()
        return self.period.start

    def _require_sickness(self) -> None:
        if self.kind is not ProtocolKind.SICKNESS:
            raise DomainError("sickness.not_a_sickness_trajectory", {})

    def report_recovery(self, day: _dt.date, recovered_percentage: int, today: _dt.date) -> None:
        """Report partial (1–99 %) or full (100 %) recovery from ``day`` on."""
        self._require_sickness()
        self.recovery_reports = add_recovery_report(
            self.recovery_reports, self.period.start, day, recovered_percentage, today
        )
        self.record(
            RecoveryReported(
                trajectory_id=self.id,
                employee_id=self.employee_id,
                date=as_date(day),
                recovered_percentage=recovered_percentage,
            )
        )

    def absence_period(self) -> DateRange:
        """The days of absence of a sickness trajectory: from the first sick day up to the full
        recovery or the closing, whichever comes first (R3.1)."""
        self._require_sickness()
        return absence_period(self.period.start, self.recovery_reports, self.period.end)

    def absence(self) -> list[AbsenceSpell]:
        """The absence spells of a sickness trajectory (for reports and policy rules)."""
        self._require_sickness()
        return absence_spells(self.period.start, self.recovery_reports)

    @property
    def end_date(self) -> pendulum.Date | None:
        """The closing date as users see it: the last day (inclusive)."""
        return self.period.last_day

    def add_task(self, code: str, title: str, today: _dt.date, reason: str | None = None) -> Task:
        task = Task(id=new_id(), code=code, title=title, added_on=today, reason=reason)
        self.tasks.append(task)
        return task

    def is_running_on(self, day: _dt.date) -> bool:
        return day in self.period

    def close(self, end_date: _dt.date, today: _dt.date, protocol: Protocol) -> None:
        """R2.4: close on ``end_date`` (last day).

        **Decision:** a trajectory whose planned end lies after today (e.g. from a bulk start)
        can still be closed, on another date; one whose last day has passed cannot.
        """
        if self.end_date is not None and self.end_date < today:
            raise DomainError(
                "trajectory.already_closed",
                {"end_date": "" if self.end_date is None else self.end_date.isoformat()},
            )
        check_end_date(self.period.start, end_date, today, protocol.characteristics)
        self.period = DateRange.from_inclusive(self.period.start, end_date)
        self.record(
            TrajectoryClosed(
                trajectory_id=self.id,
                protocol_id=self.protocol_id,
                employee_id=self.employee_id,
                end_date=as_date(end_date),
            )
        )


#: R2.5: the task that replaces the old one, and the old one that is never added again.
COMPENSATION_TASK = TaskTemplate(
    code="COMPENSATIE_OUDERE_WERKNEMERS",
    title="Eventuele ziekteaangifte ivm compensatieregeling oudere werknemers",
)
OLD_COMPENSATION_TASK = TaskTemplate(
    code="ZIEKTEAANGIFTE_55PLUS", title="Ziekteaangifte ivm compensatieregeling 55+"
)
