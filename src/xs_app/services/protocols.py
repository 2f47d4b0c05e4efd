"""Use cases of protocols and trajectories (R2.1, R2.2, R2.4, R2.5)."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable

import attrs

from xs_app.services.base import Service
from xs_core.access.features import Feature
from xs_core.errors import DomainError
from xs_core.organisation.units import UnitKind, UnitRef, new_id
from xs_core.protocols.bulk import (
    BulkStartPlan,
    BulkStartRequest,
    BulkStartResult,
    BulkUnit,
    Candidate,
    TrajectoriesStartedInBulk,
    check_request,
    decide,
)
from xs_core.protocols.model import (
    Protocol,
    ProtocolCharacteristics,
    ProtocolKind,
    TaskTemplate,
    Trajectory,
)
from xs_core.uow import UnitOfWork

# -- commands -------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CreateProtocol:
    actor: uuid.UUID
    name: str
    kind: ProtocolKind
    task_templates: tuple[TaskTemplate, ...] = ()
    characteristics: ProtocolCharacteristics = attrs.field(factory=ProtocolCharacteristics)


@attrs.frozen(kw_only=True)
class ChangeProtocolCharacteristics:
    """R2.1: the protocol's settings, changed together."""

    actor: uuid.UUID
    protocol_id: uuid.UUID
    characteristics: ProtocolCharacteristics


@attrs.frozen(kw_only=True)
class StartTrajectory:
    actor: uuid.UUID
    protocol_id: uuid.UUID
    employee_id: uuid.UUID
    start: _dt.date
    end_date: _dt.date | None = None


@attrs.frozen(kw_only=True)
class ReportSickness:
    """Start a sickness trajectory on the first day of sickness (R2.5 decides the task)."""

    actor: uuid.UUID
    protocol_id: uuid.UUID
    employee_id: uuid.UUID
    first_sick_day: _dt.date
    employment_id: uuid.UUID | None = None


@attrs.frozen(kw_only=True)
class ReportRecovery:
    actor: uuid.UUID
    trajectory_id: uuid.UUID
    date: _dt.date
    recovered_percentage: int = 100


@attrs.frozen(kw_only=True)
class CloseTrajectory:
    """R2.4: close on ``end_date``, the trajectory's last day."""

    actor: uuid.UUID
    trajectory_id: uuid.UUID
    end_date: _dt.date


@attrs.frozen(kw_only=True)
class ProposeBulkStart:
    actor: uuid.UUID
    protocol_id: uuid.UUID
    unit: BulkUnit
    start: _dt.date


@attrs.frozen(kw_only=True)
class BulkStart:
    """R2.2: start a protocol for many employees; see :class:`BulkStartRequest`."""

    actor: uuid.UUID
    request: BulkStartRequest


class ProtocolService(Service):
    """Protocols and their characteristics (R2.1)."""

    def create_protocol(self, cmd: CreateProtocol) -> uuid.UUID:
        with self._uow() as uow:
            auth = self.authoriser(uow)
            auth.require(auth.principal(cmd.actor), Feature.MANAGE_PROTOCOLS)
            protocol = Protocol.create(cmd.name, cmd.kind, cmd.task_templates, cmd.characteristics)
            uow.protocols.add(protocol)
            uow.commit()
            return protocol.id

    def change_characteristics(self, cmd: ChangeProtocolCharacteristics) -> None:
        with self._uow() as uow:
            auth = self.authoriser(uow)
            auth.require(auth.principal(cmd.actor), Feature.MANAGE_PROTOCOLS)
            protocol = uow.protocols.get(cmd.protocol_id)
            protocol.change_characteristics(cmd.characteristics)
            uow.protocols.save(protocol)
            uow.commit()

    def protocol(self, protocol_id: uuid.UUID) -> Protocol:
        with self._uow(write=False) as uow:
            return uow.protocols.get(protocol_id)

    def protocols(self) -> list[Protocol]:
        with self._uow(write=False) as uow:
            return uow.protocols.list()


class TrajectoryService(Service):
    """Starting, closing and reporting on trajectories (R2.4, R2.5)."""

    def _employee_check(
        self, uow: UnitOfWork, actor: uuid.UUID, feature: Feature, employee_id: uuid.UUID
    ) -> None:
        self.authorise(uow, actor, feature, UnitRef(UnitKind.EMPLOYEE, employee_id))

    def start_trajectory(self, cmd: StartTrajectory) -> uuid.UUID:
        with self._uow() as uow:
            self._employee_check(uow, cmd.actor, Feature.START_TRAJECTORIES, cmd.employee_id)
            protocol = uow.protocols.get(cmd.protocol_id)
            employee = uow.employees.get(cmd.employee_id)
            if protocol.kind is ProtocolKind.SICKNESS:
                raise DomainError("trajectory.use_report_sickness", {"rule": "R2.5"})
            employment = employee.leading_employment_on(cmd.start)
            trajectory = Trajectory.start(
                protocol,
                employee.id,
                cmd.start,
                self._clock.today(),
                cmd.end_date,
                None if employment is None else employment.id,
            )
            uow.trajectories.add(trajectory)
            uow.commit()
            return trajectory.id

    def report_sickness(self, cmd: ReportSickness) -> Trajectory:
        """Start a sickness trajectory; R2.5 adds the compensation task and records why."""
        with self._uow() as uow:
            self._employee_check(uow, cmd.actor, Feature.START_TRAJECTORIES, cmd.employee_id)
            protocol = uow.protocols.get(cmd.protocol_id)
            employee = uow.employees.get(cmd.employee_id)
            employment = (
                employee.employment(cmd.employment_id)
                if cmd.employment_id is not None
                else employee.leading_employment_on(cmd.first_sick_day)
            )
            trajectory = Trajectory.start_sickness(
                protocol,
                employee.id,
                cmd.first_sick_day,
                self._clock.today(),
                birth_date=employee.birth_date,
                employment_start=None if employment is None else employment.period.start,
                employment_id=None if employment is None else employment.id,
            )
            uow.trajectories.add(trajectory)
            uow.commit()
            return trajectory

    def report_recovery(self, cmd: ReportRecovery) -> None:
        with self._uow() as uow:
            trajectory = uow.trajectories.get(cmd.trajectory_id)
            self._employee_check(uow, cmd.actor, Feature.START_TRAJECTORIES, trajectory.employee_id)
            trajectory.report_recovery(cmd.date, cmd.recovered_percentage, self._clock.today())
            uow.trajectories.save(trajectory)
            uow.commit()

    def close_trajectory(self, cmd: CloseTrajectory) -> None:
        """R2.4: end date on or after the start; after today only if the protocol allows it."""
        with self._uow() as uow:
            trajectory = uow.trajectories.get(cmd.trajectory_id)
            self._employee_check(uow, cmd.actor, Feature.CLOSE_TRAJECTORIES, trajectory.employee_id)
            protocol = uow.protocols.get(trajectory.protocol_id)
            trajectory.close(cmd.end_date, self._clock.today(), protocol)
            uow.trajectories.save(trajectory)
            uow.commit()

    def trajectory(self, actor: uuid.UUID, trajectory_id: uuid.UUID) -> Trajectory:
        with self._uow(write=False) as uow:
            trajectory = uow.trajectories.get(trajectory_id)
            auth = self.authoriser(uow)
            auth.require_in_scope(
                auth.principal(actor), UnitRef(UnitKind.EMPLOYEE, trajectory.employee_id)
            )
            return trajectory

    def trajectories_of(self, actor: uuid.UUID, employee_id: uuid.UUID) -> list[Trajectory]:
        with self._uow(write=False) as uow:
            auth = self.authoriser(uow)
            auth.require_in_scope(auth.principal(actor), UnitRef(UnitKind.EMPLOYEE, employee_id))
            return uow.trajectories.for_employee(employee_id)


class BulkStartService(Service):
    """R2.2, reached through the action link ``BulkStartWorkflow``."""

    def propose(self, cmd: ProposeBulkStart) -> list[Candidate]:
        """The employees with an employment in the unit on the start date, in the user's scope."""
        with self._uow(write=False) as uow:
            auth = self.authoriser(uow)
            principal = auth.principal(cmd.actor)
            auth.require(principal, Feature.START_TRAJECTORIES_IN_BULK)
            protocol = uow.protocols.get(cmd.protocol_id)
            if not protocol.characteristics.may_start_in_bulk:
                check_request(protocol, cmd.start, None)
            return uow.bulk_starts.proposal(cmd.unit, cmd.start, auth.resolved_scope(principal))

    def start(
        self, cmd: BulkStart, progress: Callable[[str], None] | None = None
    ) -> BulkStartResult:
        """Start in one transaction; a repeated request id starts nothing and returns the first
        result (R2.2); the same id with other parameters is refused."""
        request = cmd.request
        say = progress or (lambda _stage: None)
        with self._uow() as uow:
            auth = self.authoriser(uow)
            principal = auth.principal(cmd.actor)
            auth.require(principal, Feature.START_TRAJECTORIES_IN_BULK)
            protocol = uow.protocols.get(request.protocol_id)
            check_request(protocol, request.start, request.end_date)
            earlier = uow.bulk_starts.claim(
                request.request_id, request.fingerprint(), cmd.actor, protocol.id
            )
            if earlier is not None:
                if earlier.fingerprint != request.fingerprint():
                    raise DomainError(
                        "bulk_start.request_id_reused",
                        {"rule": "R2.2", "request_id": str(request.request_id)},
                    )
                return BulkStartResult(
                    request_id=request.request_id, outcomes=earlier.outcomes, repeated=True
                )
            scope = auth.resolved_scope(principal)
            say("proposal")
            if request.employee_ids is None:
                proposal = uow.bulk_starts.proposal(
                    request.unit, request.start, scope, with_names=False
                )
                requested = [
                    c.employee_id for c in proposal if c.employee_id not in request.deselected
                ]
                employments = {c.employee_id: c.employment_id for c in proposal}
                in_scope = frozenset(requested)
            else:
                requested = sorted(request.employee_ids - request.deselected, key=str)
                in_scope = uow.bulk_starts.in_scope(requested, scope)
                employments = uow.bulk_starts.employments_in_unit(
                    requested, request.unit, request.start
                )
            say("checks")
            blocked = uow.bulk_starts.open_trajectories(protocol.id, request.period)
            fresh_ids = iter(new_id, None)  # new_id never returns None: an endless supply
            outcomes = decide(requested, in_scope, employments, blocked, fresh_ids)
            say("writing")
            plan = BulkStartPlan(
                request=request,
                protocol=protocol,
                requested_by=cmd.actor,
                today=self._clock.today(),
                tasks=protocol.tasks_to_add,
                outcomes=tuple(outcomes),
                employments=employments,
            )
            uow.bulk_starts.start_all(plan)
            result = BulkStartResult(request_id=request.request_id, outcomes=tuple(outcomes))
            uow.publish(
                TrajectoriesStartedInBulk(
                    request_id=request.request_id,
                    protocol_id=protocol.id,
                    started=result.started,
                    skipped=result.skipped,
                )
            )
            uow.commit()
            say("done")
            return result
