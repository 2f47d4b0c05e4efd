"""Use cases of the agenda (R4.1–R4.4).

Planning an availability is a read-check-write: the location row is locked (``SELECT … FOR
UPDATE`` on PostgreSQL; the writing transaction of SQLite begins ``IMMEDIATE``), the overlapping
availabilities are read through an index range, the peak is computed, and only then the new
availability is written — all in one transaction, so two planners can never together exceed the
limit (R4.3).
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Mapping

import attrs

from xs_app.services.base import Service, employee, hidden
from xs_app.services.command import Command, accepts_legacy
from xs_core.access.features import Feature
from xs_core.access.model import Principal, Role, User
from xs_core.agenda.model import (
    Activity,
    Appointment,
    AppointmentLocation,
    AppointmentRequest,
    AppointmentStatus,
    Availability,
    AvailabilityRemoved,
    CapacityConflict,
    capacity_conflicts,
    formal_request_date,
    refuse_conflicts,
    weekly,
)
from xs_core.agenda.spans import TimeSpan
from xs_core.dates import DateRange
from xs_core.errors import Conflict, DomainError, NotFound, not_found
from xs_core.organisation.units import new_id
from xs_core.uow import UnitOfWork


@attrs.frozen(kw_only=True)
class CreateLocation(Command):
    actor: uuid.UUID
    name: str
    max_parallel: int | None = None


@attrs.frozen(kw_only=True)
class ChangeLocationMaximum(Command):
    """R4.3: the limit can change at any time; existing availabilities stay."""

    actor: uuid.UUID
    location_id: uuid.UUID
    max_parallel: int | None


@attrs.frozen(kw_only=True)
class RequestAppointment(Command):
    """R4.1 and R4.2: ``desired_period`` is half-open (use ``DateRange.from_inclusive`` for a
    "t/m" input); ``formal_request_date`` defaults to today."""

    actor: uuid.UUID
    employee_id: uuid.UUID
    purpose: str
    desired_period: DateRange
    formal_request_date: _dt.date | None = None


@attrs.frozen(kw_only=True)
class PlanAvailability(Command):
    actor: uuid.UUID
    professional_id: uuid.UUID
    location_id: uuid.UUID
    start: _dt.datetime
    end: _dt.datetime


@attrs.frozen(kw_only=True)
class PlanSeries(Command):
    """A weekly availability from ``start``–``end`` while occurrences start before ``until``."""

    actor: uuid.UUID
    professional_id: uuid.UUID
    location_id: uuid.UUID
    start: _dt.datetime
    end: _dt.datetime
    until: _dt.date


@attrs.frozen(kw_only=True)
class MoveAvailability(Command):
    """R4.3 Decision: moving is planning anew, and is checked."""

    actor: uuid.UUID
    availability_id: uuid.UUID
    location_id: uuid.UUID
    start: _dt.datetime
    end: _dt.datetime


@attrs.frozen(kw_only=True)
class PlanAppointment(Command):
    actor: uuid.UUID
    availability_id: uuid.UUID
    employee_id: uuid.UUID
    start: _dt.datetime
    end: _dt.datetime


@attrs.frozen(kw_only=True)
class RegisterActivity(Command):
    actor: uuid.UUID
    employee_id: uuid.UUID
    activity_type: str
    performed_on: _dt.date
    appointment_id: uuid.UUID | None = None


@attrs.frozen(kw_only=True)
class RemoveAvailability(Command):
    """Remove an availability that holds no planned or completed appointment (R4.3)."""

    actor: uuid.UUID
    availability_id: uuid.UUID


@attrs.frozen(kw_only=True)
class CompleteAppointment(Command):
    """R4.4: completing releases the appointment's draft activities."""

    actor: uuid.UUID
    appointment_id: uuid.UUID


@attrs.frozen(kw_only=True)
class RemoveAppointment(Command):
    """R4.4: removing takes the appointment's draft activities with it."""

    actor: uuid.UUID
    appointment_id: uuid.UUID


@attrs.frozen(kw_only=True)
class ReleasedActivities(Command):
    """R4.4: the released activities performed in ``period``, of employees in the actor's
    scope — what billing offers."""

    actor: uuid.UUID
    period: DateRange


def _professional(uow: UnitOfWork, professional_id: uuid.UUID) -> None:
    """The professional exists and may hold availabilities; their user row is locked, so that
    their availabilities are checked and written one planner at a time (R4.3)."""
    try:
        user = uow.users.lock(professional_id)
    except NotFound:
        raise not_found("professional", professional_id) from None
    _may_hold(user, {r.id: r for r in uow.roles.get_many(user.role_ids)}, professional_id)


def _may_hold(
    user: User | None, roles: Mapping[uuid.UUID, Role], professional_id: uuid.UUID
) -> None:
    """R4.3: a professional is a user who holds availabilities; ``not_found`` otherwise."""
    held = [roles[i] for i in user.role_ids if i in roles] if user is not None else []
    if user is None or not Principal.of(user, held).holds(Feature.HOLD_AVAILABILITIES):
        raise not_found("professional", professional_id)


def _double_booked(span: TimeSpan, clashes: list[tuple[uuid.UUID, TimeSpan]]) -> None:
    """A professional is in one place at a time: their availabilities never overlap in real
    time, at any location (``clashes``: theirs that overlap ``span``)."""
    if clashes:
        raise Conflict(
            "agenda.professional_double_booked",
            {
                "rule": "R4.3",
                "span": str(span),
                "availabilities": sorted(str(i) for i, _ in clashes),
            },
        )


def _held(appointments: list[Appointment]) -> list[Appointment]:
    """The appointments an availability holds: planned and completed (removed ones are gone)."""
    return [a for a in appointments if a.status is not AppointmentStatus.REMOVED]


class AgendaService(Service):
    """The agenda: locations, availabilities, appointments and activities (R4.1–R4.4)."""

    def create_location(self, cmd: CreateLocation) -> uuid.UUID:
        """An appointment location with an optional maximum of parallel availabilities (R4.3)."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_APPOINTMENT_LOCATIONS)
            location = AppointmentLocation.create(cmd.name, cmd.max_parallel)
            uow.locations.add(location)
            uow.commit()
            return location.id

    def change_maximum(self, cmd: ChangeLocationMaximum) -> None:
        """R4.3: the limit can change at any time; existing availabilities stay."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_APPOINTMENT_LOCATIONS)
            location = uow.locations.lock(cmd.location_id)
            location.change_maximum(cmd.max_parallel)
            uow.locations.save(location)
            uow.commit()

    def request_appointment(self, cmd: RequestAppointment) -> AppointmentRequest:
        """R4.1: another formal request date needs the feature authorisation; never after
        today. An unauthorised attempt is refused and changes nothing."""
        with self._uow() as uow:
            _, principal = self._authorise(
                uow, cmd.actor, Feature.REQUEST_APPOINTMENTS, employee(cmd.employee_id)
            )
            formal = formal_request_date(
                cmd.formal_request_date,
                self._clock.today(),
                principal.holds(Feature.CHANGE_FORMAL_REQUEST_DATE),
            )
            request = AppointmentRequest.create(
                cmd.employee_id, cmd.purpose, cmd.desired_period, formal
            )
            uow.appointment_requests.add(request)
            uow.commit()
            return request

    @staticmethod
    def _conflicts(
        uow: UnitOfWork,
        location: AppointmentLocation,
        professional_id: uuid.UUID,
        span: TimeSpan,
        exclude: uuid.UUID | None,
        extra: list[tuple[uuid.UUID, TimeSpan]] | None = None,
    ) -> list[CapacityConflict]:
        """R4.3: refuses a double booking of the professional, then gives the moments where the
        location's limit would be exceeded — both from one read of the overlapping
        availabilities (taken after the professional's and the location's locks)."""
        existing, clashes = uow.availabilities.overlapping_here_and_for(
            location.id, professional_id, span, exclude
        )
        _double_booked(span, clashes)
        existing += [(i, s) for i, s in (extra or []) if s.overlaps(span)]
        return capacity_conflicts(existing, uuid.UUID(int=0), span, location.max_parallel)

    def plan_availability(self, cmd: PlanAvailability) -> uuid.UUID:
        """R4.3: refused, with the moments where the limit would be exceeded, or planned.

        The hot path (docs/benchmarks.md): the professional's and the location's rows are locked
        and every fact is read after the locks in one call (PostgreSQL: one round trip); the
        checks are the same, in the same order, as elsewhere — the actor (R0.6), the
        professional, the location, the double booking and the location's limit — and the
        availability, its event and the commit go together (PostgreSQL: one round trip)."""
        span = TimeSpan(cmd.start, cmd.end)
        with self._uow() as uow:
            facts = uow.planning.lock_and_read(
                cmd.actor, cmd.professional_id, cmd.location_id, span
            )
            auth = self._authoriser(uow)
            auth.require(auth.principal_of(facts.actor, facts.roles), Feature.PLAN_AVAILABILITIES)
            _may_hold(facts.professional, facts.roles, cmd.professional_id)
            location = facts.location
            if location is None:
                raise not_found("appointment_location", cmd.location_id)
            availability = Availability.plan(cmd.professional_id, location.id, span)
            _double_booked(span, facts.mine)
            refuse_conflicts(
                location,
                capacity_conflicts(facts.here, uuid.UUID(int=0), span, location.max_parallel),
            )
            with uow.batched_writes():
                uow.availabilities.add_all([availability])
                uow.commit()
            return availability.id

    def plan_series(self, cmd: PlanSeries) -> list[uuid.UUID]:
        """A weekly series, checked occurrence by occurrence, planned all or nothing; the
        refusal lists every conflicting occurrence."""
        first = TimeSpan(cmd.start, cmd.end)
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, Feature.PLAN_AVAILABILITIES)
            _professional(uow, cmd.professional_id)
            location = uow.locations.lock(cmd.location_id)
            series_id = new_id()
            planned: list[Availability] = []
            conflicts: list[dict[str, object]] = []
            for occurrence in weekly(first, cmd.until):
                availability = Availability.plan(
                    cmd.professional_id, location.id, occurrence, series_id
                )
                found = self._conflicts(
                    uow,
                    location,
                    cmd.professional_id,
                    occurrence,
                    None,
                    [(a.id, a.span) for a in planned],
                )
                if found:
                    conflicts.append(
                        {
                            "occurrence": occurrence.display_nl(),
                            "moments": [c.span.display_nl() for c in found],
                            "availabilities": sorted(
                                {str(i) for c in found for i in c.availability_ids}
                            ),
                        }
                    )
                planned.append(availability)
            if conflicts:
                raise Conflict(
                    "agenda.capacity_exceeded",
                    {
                        "rule": "R4.3",
                        "location": location.name,
                        "maximum": location.max_parallel,
                        "moments": [str(c["occurrence"]) for c in conflicts],
                        "occurrences": conflicts,
                    },
                )
            uow.availabilities.add_all(planned)
            uow.commit()
            return [a.id for a in planned]

    def move_availability(self, cmd: MoveAvailability) -> None:
        """R4.3 Decision: moving is planning anew, and is checked. Its planned and completed
        appointments move along and must lie inside the new time."""
        span = TimeSpan(cmd.start, cmd.end)
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, Feature.PLAN_AVAILABILITIES)
            availability = uow.availabilities.lock(cmd.availability_id)
            outside = [
                a
                for a in _held(uow.appointments.for_availability(availability.id))
                if not (span.start <= a.span.start and a.span.end <= span.end)
            ]
            if outside:
                raise Conflict(
                    "agenda.appointments_outside",
                    {"rule": "R4.3", "appointments": [str(a.id) for a in outside]},
                )
            _professional(uow, availability.professional_id)
            location = uow.locations.lock(cmd.location_id)
            availability.move(location.id, span)
            refuse_conflicts(
                location,
                self._conflicts(uow, location, availability.professional_id, span, availability.id),
            )
            uow.availabilities.save(availability)
            uow.commit()

    def remove_availability(self, cmd: RemoveAvailability) -> None:
        """Remove an availability. **Decision:** refused while it holds planned or completed
        appointments (remove or move those first); removed appointments go with it."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, Feature.PLAN_AVAILABILITIES)
            availability = uow.availabilities.lock(cmd.availability_id)
            appointments = uow.appointments.for_availability(availability.id)
            held = _held(appointments)
            if held:
                raise Conflict(
                    "agenda.availability_has_appointments",
                    {"rule": "R4.3", "appointments": [str(a.id) for a in held]},
                )
            uow.appointments.delete([a.id for a in appointments])
            uow.availabilities.delete(availability.id)
            uow.publish(
                AvailabilityRemoved(
                    availability_id=availability.id, location_id=availability.location_id
                )
            )
            uow.commit()

    def plan_appointment(self, cmd: PlanAppointment) -> uuid.UUID:
        """An appointment inside an availability, for an employee in scope; the appointments of
        one availability never overlap (the availability is locked while checking)."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, Feature.PLAN_AVAILABILITIES, employee(cmd.employee_id))
            availability = uow.availabilities.lock(cmd.availability_id)
            appointment = Appointment.plan(
                availability, cmd.employee_id, TimeSpan(cmd.start, cmd.end)
            )
            for other in _held(uow.appointments.for_availability(availability.id)):
                if other.span.overlaps(appointment.span):
                    raise Conflict(
                        "agenda.appointments_overlap", {"rule": "R4.4", "span": str(other.span)}
                    )
            uow.appointments.add(appointment)
            uow.commit()
            return appointment.id

    def _appointment(
        self, uow: UnitOfWork, actor: uuid.UUID, feature: Feature, appointment_id: uuid.UUID
    ) -> Appointment:
        """The appointment, locked, if the actor holds ``feature`` and sees its employee."""
        auth, principal = self._authorise(uow, actor, feature)
        appointment = uow.appointments.lock(appointment_id)
        auth.require_visible(
            principal, employee(appointment.employee_id), hidden("appointment", appointment_id)
        )
        return appointment

    @accepts_legacy(CompleteAppointment, "actor", "appointment_id")
    def complete_appointment(self, cmd: CompleteAppointment) -> list[uuid.UUID]:
        """R4.4: completing releases its draft activities in the same transaction."""
        with self._uow() as uow:
            appointment = self._appointment(
                uow, cmd.actor, Feature.REGISTER_ACTIVITIES, cmd.appointment_id
            )
            activities = uow.activities.for_appointment(appointment.id)
            drafts = [a.id for a in activities if a.notice is not None]
            appointment.complete(activities)
            uow.appointments.save(appointment)
            uow.activities.save_all(activities)
            uow.commit()
            return drafts

    @accepts_legacy(RemoveAppointment, "actor", "appointment_id")
    def remove_appointment(self, cmd: RemoveAppointment) -> list[uuid.UUID]:
        """R4.4: removing an appointment removes its draft activities."""
        with self._uow() as uow:
            appointment = self._appointment(
                uow, cmd.actor, Feature.PLAN_AVAILABILITIES, cmd.appointment_id
            )
            removed = appointment.remove(uow.activities.for_appointment(appointment.id))
            uow.activities.delete(removed)
            uow.appointments.save(appointment)
            uow.commit()
            return removed

    def register_activity(self, cmd: RegisterActivity) -> Activity:
        """R4.4: a draft (with its notice) on an incomplete appointment, released otherwise.
        The appointment, if any, is locked (its completion cannot slip in between) and must be
        an appointment of the same employee."""
        with self._uow() as uow:
            auth, principal = self._authorise(
                uow, cmd.actor, Feature.REGISTER_ACTIVITIES, employee(cmd.employee_id)
            )
            appointment = None
            if cmd.appointment_id is not None:
                appointment = uow.appointments.lock(cmd.appointment_id)
                auth.require_visible(
                    principal,
                    employee(appointment.employee_id),
                    hidden("appointment", cmd.appointment_id),
                )
                if appointment.employee_id != cmd.employee_id:
                    raise DomainError(
                        "agenda.appointment_of_other_employee",
                        {"rule": "R4.4", "appointment_id": str(cmd.appointment_id)},
                    )
            # R5.3: the professional's contract settings that day may forbid registering
            uow.contract_settings.get(cmd.actor).require_may_register(cmd.performed_on)
            activity = Activity.register(
                cmd.actor, cmd.employee_id, cmd.activity_type, cmd.performed_on, appointment
            )
            uow.activities.add(activity)
            uow.commit()
            return activity

    def released_activities(self, cmd: ReleasedActivities) -> list[Activity]:
        """The query billing uses: only released activities are offered (R4.4); only those of
        employees in the actor's scope."""
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.RUN_BILLING)
            activities = uow.activities.released(cmd.period)
            scope = auth.resolved_scope(principal)
            if scope.everything:
                return activities
            visible = uow.bulk_starts.in_scope(
                sorted({a.employee_id for a in activities}, key=str), scope
            )
            return [a for a in activities if a.employee_id in visible]


__all__ = [
    "AgendaService",
    "ChangeLocationMaximum",
    "CompleteAppointment",
    "CreateLocation",
    "MoveAvailability",
    "PlanAppointment",
    "PlanAvailability",
    "PlanSeries",
    "RegisterActivity",
    "ReleasedActivities",
    "RemoveAppointment",
    "RemoveAvailability",
    "RequestAppointment",
]
