"""Use cases of protocols and trajectories (R2.1, R2.2, R2.4, R2.5)."""

from __future__ import annotations

import datetime as _dt
import uuid
from operator import attrgetter

import attrs

from xs_app.services.base import (
    VIEW_ORGANISATION,
    Service,
    collector_paused,
    department,
    employee,
    employer,
    employment_in_scope,
    hidden,
)
from xs_app.services.command import Command, accepts_legacy
from xs_core.access.features import Feature
from xs_core.dates import DateRange
from xs_core.errors import Conflict, DomainError
from xs_core.organisation.model import Employment
from xs_core.organisation.units import UnitRef, new_ids
from xs_core.progress import Progress, silent
from xs_core.protocols.bulk import (
    BulkStartPlan,
    BulkStartRequest,
    BulkStartResult,
    BulkUnit,
    Candidate,
    TrajectoriesStartedInBulk,
    check_request,
    decide,
    decide_compensation,
)
from xs_core.protocols.model import (
    Protocol,
    ProtocolCharacteristics,
    ProtocolKind,
    TaskTemplate,
    Trajectory,
)
from xs_core.protocols.sickness import check_no_overlapping_absence
from xs_core.uow import UnitOfWork

# -- commands -------------------------------------------------------------------------------------


_INT = attrgetter("int")


@attrs.frozen(kw_only=True)
class CreateProtocol(Command):
    actor: uuid.UUID
    name: str
    kind: ProtocolKind
    task_templates: tuple[TaskTemplate, ...] = ()
    characteristics: ProtocolCharacteristics = attrs.field(factory=ProtocolCharacteristics)


@attrs.frozen(kw_only=True)
class ChangeProtocolCharacteristics(Command):
    """R2.1: the protocol's settings, changed together."""

    actor: uuid.UUID
    protocol_id: uuid.UUID
    characteristics: ProtocolCharacteristics


@attrs.frozen(kw_only=True)
class StartTrajectory(Command):
    actor: uuid.UUID
    protocol_id: uuid.UUID
    employee_id: uuid.UUID
    start: _dt.date
    end_date: _dt.date | None = None


@attrs.frozen(kw_only=True)
class ReportSickness(Command):
    """Start a sickness trajectory on the first day of sickness (R2.5 decides the task)."""

    actor: uuid.UUID
    protocol_id: uuid.UUID
    employee_id: uuid.UUID
    first_sick_day: _dt.date
    employment_id: uuid.UUID | None = None


@attrs.frozen(kw_only=True)
class ReportRecovery(Command):
    actor: uuid.UUID
    trajectory_id: uuid.UUID
    date: _dt.date
    recovered_percentage: int = 100


@attrs.frozen(kw_only=True)
class CloseTrajectory(Command):
    """R2.4: close on ``end_date``, the trajectory's last day."""

    actor: uuid.UUID
    trajectory_id: uuid.UUID
    end_date: _dt.date


@attrs.frozen(kw_only=True)
class ProposeBulkStart(Command):
    actor: uuid.UUID
    protocol_id: uuid.UUID
    unit: BulkUnit
    start: _dt.date


@attrs.frozen(kw_only=True)
class BulkStart(Command):
    """R2.2: start a protocol for many employees; see :class:`BulkStartRequest`."""

    actor: uuid.UUID
    request: BulkStartRequest


@attrs.frozen(kw_only=True)
class GetProtocol(Command):
    actor: uuid.UUID
    protocol_id: uuid.UUID


@attrs.frozen(kw_only=True)
class ListProtocols(Command):
    actor: uuid.UUID


@attrs.frozen(kw_only=True)
class GetTrajectory(Command):
    actor: uuid.UUID
    trajectory_id: uuid.UUID


@attrs.frozen(kw_only=True)
class TrajectoriesOf(Command):
    actor: uuid.UUID
    employee_id: uuid.UUID


#: Who may read protocols: whoever manages them or starts or closes trajectories.
_PROTOCOL_READERS = (
    Feature.MANAGE_PROTOCOLS,
    Feature.START_TRAJECTORIES,
    Feature.START_TRAJECTORIES_IN_BULK,
    Feature.CLOSE_TRAJECTORIES,
)


def _refuse_overlap(uow: UnitOfWork, trajectory: Trajectory) -> None:
    """One trajectory of a protocol at a time per employee (R2.2). The caller holds the
    protocol's lock, so no other start (or closing) of this protocol can slip in between;
    PostgreSQL also has the exclusion constraint (migration 0010)."""
    for other in uow.trajectories.for_employee(trajectory.employee_id):
        if (
            other.id != trajectory.id
            and other.protocol_id == trajectory.protocol_id
            and other.period.overlaps(trajectory.period)
        ):
            raise Conflict(
                "trajectory.overlaps",
                {
                    "rule": "R2.2",
                    "trajectory_id": str(other.id),
                    "period": str(other.period),
                },
            )


def _units(unit: BulkUnit) -> list[UnitRef]:
    """The organisation units a bulk start names: each must lie in the actor's scope (R0.6), so
    that a user scoped to employer A never reaches the employment at B of someone who also works
    at A, and a unit outside the scope is answered like one that does not exist."""
    if unit.department_id is not None:
        return [department(unit.department_id)]
    return [employer(e) for e in sorted(unit.employer_ids, key=str)]


class ProtocolService(Service):
    """Protocols and their characteristics (R2.1)."""

    def create_protocol(self, cmd: CreateProtocol) -> uuid.UUID:
        """A protocol with its task templates and characteristics (R2.1)."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_PROTOCOLS)
            created = Protocol.create(cmd.name, cmd.kind, cmd.task_templates, cmd.characteristics)
            uow.protocols.add(created)
            uow.commit()
            return created.id

    def change_characteristics(self, cmd: ChangeProtocolCharacteristics) -> None:
        """R2.1: replace the protocol's characteristics, all together."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_PROTOCOLS)
            found = uow.protocols.lock(cmd.protocol_id)
            found.change_characteristics(cmd.characteristics)
            uow.protocols.save(found)
            uow.commit()

    @accepts_legacy(GetProtocol, "actor", "protocol_id")
    def protocol(self, cmd: GetProtocol) -> Protocol:
        """A protocol, for those who manage protocols or start or close trajectories (R2.1)."""
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, _PROTOCOL_READERS)
            return uow.protocols.get(cmd.protocol_id)

    @accepts_legacy(ListProtocols, "actor")
    def protocols(self, cmd: ListProtocols) -> list[Protocol]:
        """Every protocol, for those who manage protocols or start or close trajectories (R2.1)."""
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, _PROTOCOL_READERS)
            return uow.protocols.list()


class TrajectoryService(Service):
    """Starting, closing and reporting on trajectories (R2.2, R2.4, R2.5)."""

    def start_trajectory(self, cmd: StartTrajectory) -> uuid.UUID:
        """Start a trajectory; a planned end date lies after the start (R2.2, the same rule as a
        bulk start), and the employee has no other trajectory of the protocol then."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, Feature.START_TRAJECTORIES, employee(cmd.employee_id))
            protocol = uow.protocols.lock(cmd.protocol_id)
            found = uow.employees.get(cmd.employee_id)
            if protocol.kind is ProtocolKind.SICKNESS:
                raise DomainError("trajectory.use_report_sickness", {"rule": "R2.5"})
            employment = found.leading_employment_on(cmd.start)
            trajectory = Trajectory.start(
                protocol,
                found.id,
                cmd.start,
                self._clock.today(),
                cmd.end_date,
                None if employment is None else employment.id,
            )
            _refuse_overlap(uow, trajectory)
            uow.trajectories.add(trajectory)
            uow.commit()
            return trajectory.id

    def report_sickness(self, cmd: ReportSickness) -> Trajectory:
        """Start a sickness trajectory; R2.5 adds the compensation task and records why. The
        absence may not overlap another sickness report of the employee, under any protocol
        (R3.1, ``sickness.overlapping_absence``): the employee's row is locked while checking."""
        with self._uow() as uow:
            auth, principal = self._authorise(
                uow, cmd.actor, Feature.START_TRAJECTORIES, employee(cmd.employee_id)
            )
            protocol = uow.protocols.lock(cmd.protocol_id)
            found = uow.employees.lock(cmd.employee_id)
            employment: Employment | None
            if cmd.employment_id is not None:
                employment = employment_in_scope(auth, principal, found, cmd.employment_id)
            else:
                employment = found.leading_employment_on(cmd.first_sick_day)
            trajectory = Trajectory.start_sickness(
                protocol,
                found.id,
                cmd.first_sick_day,
                self._clock.today(),
                birth_date=found.birth_date,
                employment_start=None if employment is None else employment.period.start,
                employment_id=None if employment is None else employment.id,
            )
            _refuse_overlap(uow, trajectory)
            check_no_overlapping_absence(
                DateRange(trajectory.period.start, None),
                [
                    other.absence_period()
                    for other in uow.trajectories.for_employee(found.id)
                    if other.kind is ProtocolKind.SICKNESS
                ],
            )
            uow.trajectories.add(trajectory)
            uow.commit()
            return trajectory

    def _trajectory(
        self, uow: UnitOfWork, actor: uuid.UUID, feature: Feature, trajectory_id: uuid.UUID
    ) -> Trajectory:
        """The trajectory, locked, if the actor holds ``feature`` and sees its employee."""
        auth, principal = self._authorise(uow, actor, feature)
        trajectory = uow.trajectories.lock(trajectory_id)
        auth.require_visible(
            principal, employee(trajectory.employee_id), hidden("trajectory", trajectory_id)
        )
        return trajectory

    def report_recovery(self, cmd: ReportRecovery) -> None:
        """R2.5: partial (1–99 %) or full (100 %) recovery from ``date`` on (sickness only)."""
        with self._uow() as uow:
            trajectory = self._trajectory(
                uow, cmd.actor, Feature.START_TRAJECTORIES, cmd.trajectory_id
            )
            trajectory.report_recovery(cmd.date, cmd.recovered_percentage, self._clock.today())
            uow.trajectories.save(trajectory)
            uow.commit()

    def close_trajectory(self, cmd: CloseTrajectory) -> None:
        """R2.4: end date on or after the start; after today only if the protocol allows it.
        A closing may move a planned end later, so it also takes the protocol's lock, like a
        start, and refuses to overlap another trajectory of the protocol (R2.2) or, for a
        sickness trajectory, another sickness report's absence (R3.1)."""
        with self._uow() as uow:
            trajectory = self._trajectory(
                uow, cmd.actor, Feature.CLOSE_TRAJECTORIES, cmd.trajectory_id
            )
            protocol = uow.protocols.lock(trajectory.protocol_id)
            trajectory.close(cmd.end_date, self._clock.today(), protocol)
            _refuse_overlap(uow, trajectory)
            if trajectory.kind is ProtocolKind.SICKNESS:
                # a later closing lengthens an absence without full recovery: it may not reach
                # another sickness report's (R3.1); the employee's row lock, as in reporting
                uow.employees.lock(trajectory.employee_id)
                check_no_overlapping_absence(
                    trajectory.absence_period(),
                    [
                        other.absence_period()
                        for other in uow.trajectories.for_employee(trajectory.employee_id)
                        if other.kind is ProtocolKind.SICKNESS and other.id != trajectory.id
                    ],
                )
            uow.trajectories.save(trajectory)
            uow.commit()

    @accepts_legacy(GetTrajectory, "actor", "trajectory_id")
    def trajectory(self, cmd: GetTrajectory) -> Trajectory:
        """A trajectory of an employee in the actor's scope (R2.2, R0.6)."""
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, VIEW_ORGANISATION)
            trajectory = uow.trajectories.get(cmd.trajectory_id)
            auth.require_visible(
                principal,
                employee(trajectory.employee_id),
                hidden("trajectory", cmd.trajectory_id),
            )
            return trajectory

    @accepts_legacy(TrajectoriesOf, "actor", "employee_id")
    def trajectories_of(self, cmd: TrajectoriesOf) -> list[Trajectory]:
        """The trajectories of an employee in the actor's scope (R2.2, R0.6)."""
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, VIEW_ORGANISATION, employee(cmd.employee_id))
            return uow.trajectories.for_employee(cmd.employee_id)


class BulkStartService(Service):
    """R2.2, reached through the action link ``BulkStartWorkflow``."""

    def propose(self, cmd: ProposeBulkStart) -> list[Candidate]:
        """The employees with an employment in the unit on the start date, in the user's scope."""
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(
                uow, cmd.actor, Feature.START_TRAJECTORIES_IN_BULK, *_units(cmd.unit)
            )
            protocol = uow.protocols.get(cmd.protocol_id)
            if not protocol.characteristics.may_start_in_bulk:
                check_request(protocol, cmd.start, None)
            return uow.bulk_starts.proposal(cmd.unit, cmd.start, auth.resolved_scope(principal))

    def start(self, cmd: BulkStart, progress: Progress | None = None) -> BulkStartResult:
        """Start in one transaction; a repeated request id starts nothing and returns the first
        result (R2.2); the same id with other parameters is refused. The protocol is locked for
        the transaction, so that two requests for the same employees never both start them. A
        sickness protocol's trajectories get R2.5's decision and task, as a single report does
        (with the start of the employment that places the employee in the unit)."""
        request = cmd.request
        say = progress or silent
        # the request makes an id and an outcome per employee: the collector's full passes
        # over them were a fifth to a third of a first run at 100,000 (docs/benchmarks.md)
        with collector_paused(), self._uow() as uow:
            auth, principal = self._authorise(
                uow, cmd.actor, Feature.START_TRAJECTORIES_IN_BULK, *_units(request.unit)
            )
            protocol = uow.protocols.lock(request.protocol_id)
            check_request(protocol, request.start, request.end_date)
            earlier = uow.bulk_starts.claim(
                request.request_id, request.fingerprint(), cmd.actor, protocol.id
            )
            if earlier is not None:
                if earlier.fingerprint != request.fingerprint():
                    raise Conflict(
                        "bulk_start.request_id_reused",
                        {"rule": "R2.2", "request_id": str(request.request_id)},
                    )
                return BulkStartResult(
                    request_id=request.request_id, outcomes=earlier.outcomes, repeated=True
                )
            scope = auth.resolved_scope(principal)
            say("proposal", 0, None)
            if request.employee_ids is None:
                # two lists, no object per employee: at 100,000 employees each object made
                # adds to the full collections of the garbage collector during the request
                proposed, placed = uow.bulk_starts.proposed_ids(request.unit, request.start, scope)
                deselected = request.deselected  # usually none: no hash per employee then
                requested = [e for e in proposed if e not in deselected] if deselected else proposed
                employments = dict(zip(proposed, placed, strict=True))
                in_scope = frozenset(requested)
            else:
                requested = sorted(request.employee_ids - request.deselected, key=str)
                in_scope = uow.bulk_starts.in_scope(requested, scope)
                employments = uow.bulk_starts.employments_in_unit(
                    requested, request.unit, request.start
                )
            say("proposal", len(requested), len(requested))
            blocked = uow.bulk_starts.open_trajectories(protocol.id, request.period)
            absent: frozenset[uuid.UUID] = frozenset()
            if protocol.kind is ProtocolKind.SICKNESS:
                # R3.1 one absence at a time, under any protocol: locks the employees' rows
                absent = uow.bulk_starts.absent_from(
                    (
                        e
                        for e in requested
                        if e in in_scope and e in employments and e not in blocked
                    ),
                    request.start,
                )
            # at most one per employee requested; handed out in ascending order, so that the
            # trajectories (written in employee order) and their tasks reach the id indexes in
            # key order — appended, not spread over the whole B-tree (R2.2 at 100,000)
            fresh_ids = sorted(new_ids(len(requested)), key=_INT)
            outcomes = decide(requested, in_scope, employments, blocked, fresh_ids, absent)
            say("checks", len(outcomes), len(outcomes))
            compensation = {}
            if protocol.kind is ProtocolKind.SICKNESS:
                # R2.5 for every sickness trajectory, however it starts: set-based facts
                facts = uow.bulk_starts.sickness_facts(
                    {o.employee_id: employments[o.employee_id] for o in outcomes if o.started}
                )
                compensation = decide_compensation(protocol, outcomes, facts, request.start)
            plan = BulkStartPlan(
                request=request,
                protocol=protocol,
                requested_by=cmd.actor,
                today=self._clock.today(),
                tasks=protocol.tasks_to_add,
                outcomes=tuple(outcomes),
                employments=employments,
                compensation=compensation,
            )
            uow.bulk_starts.start_all(plan)
            result = BulkStartResult(request_id=request.request_id, outcomes=plan.outcomes)
            started = result.started  # counted once (a pass over every outcome)
            say("writing", started, started)
            uow.publish(
                TrajectoriesStartedInBulk(
                    request_id=request.request_id,
                    protocol_id=protocol.id,
                    started=started,
                    skipped=len(plan.outcomes) - started,
                )
            )
            uow.commit()
            say("done", started, started)
            return result


__all__ = [
    "BulkStart",
    "BulkStartService",
    "ChangeProtocolCharacteristics",
    "CloseTrajectory",
    "CreateProtocol",
    "GetProtocol",
    "GetTrajectory",
    "ListProtocols",
    "ProposeBulkStart",
    "ProtocolService",
    "ReportRecovery",
    "ReportSickness",
    "StartTrajectory",
    "TrajectoriesOf",
    "TrajectoryService",
]
