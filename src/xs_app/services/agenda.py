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

import attrs

from xs_app.services.base import Service
from xs_core.access.features import Feature
from xs_core.agenda.model import (
    Activity,
    Appointment,
    AppointmentLocation,
    AppointmentRequest,
    Availability,
    CapacityConflict,
    capacity_conflicts,
    formal_request_date,
    refuse_conflicts,
    weekly,
)
from xs_core.agenda.spans import TimeSpan
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.organisation.units import UnitKind, UnitRef, new_id
from xs_core.uow import UnitOfWork


@attrs.frozen(kw_only=True)
class CreateLocation:
    actor: uuid.UUID
    name: str
    max_parallel: int | None = None


@attrs.frozen(kw_only=True)
class ChangeLocationMaximum:
    """R4.3: the limit can change at any time; existing availabilities stay."""

    actor: uuid.UUID
    location_id: uuid.UUID
    max_parallel: int | None


@attrs.frozen(kw_only=True)
class RequestAppointment:
    """R4.1 and R4.2: ``desired_period`` is half-open (use ``DateRange.from_inclusive`` for a
    "t/m" input); ``formal_request_date`` defaults to today."""

    actor: uuid.UUID
    employee_id: uuid.UUID
    purpose: str
    desired_period: DateRange
    formal_request_date: _dt.date | None = None


@attrs.frozen(kw_only=True)
class PlanAvailability:
    actor: uuid.UUID
    professional_id: uuid.UUID
    location_id: uuid.UUID
    start: _dt.datetime
    end: _dt.datetime


@attrs.frozen(kw_only=True)
class PlanSeries:
    """A weekly availability from ``start``–``end`` while occurrences start before ``until``."""

    actor: uuid.UUID
    professional_id: uuid.UUID
    location_id: uuid.UUID
    start: _dt.datetime
    end: _dt.datetime
    until: _dt.date


@attrs.frozen(kw_only=True)
class MoveAvailability:
    """R4.3 Decision: moving is planning anew, and is checked."""

    actor: uuid.UUID
    availability_id: uuid.UUID
    location_id: uuid.UUID
    start: _dt.datetime
    end: _dt.datetime


@attrs.frozen(kw_only=True)
class PlanAppointment:
    actor: uuid.UUID
    availability_id: uuid.UUID
    employee_id: uuid.UUID
    start: _dt.datetime
    end: _dt.datetime


@attrs.frozen(kw_only=True)
class RegisterActivity:
    actor: uuid.UUID
    employee_id: uuid.UUID
    activity_type: str
    performed_on: _dt.date
    appointment_id: uuid.UUID | None = None


class AgendaService(Service):
    def create_location(self, cmd: CreateLocation) -> uuid.UUID:
        with self._uow() as uow:
            self.authorise(uow, cmd.actor, Feature.MANAGE_APPOINTMENT_LOCATIONS)
            location = AppointmentLocation.create(cmd.name, cmd.max_parallel)
            uow.locations.add(location)
            uow.commit()
            return location.id

    def change_maximum(self, cmd: ChangeLocationMaximum) -> None:
        with self._uow() as uow:
            self.authorise(uow, cmd.actor, Feature.MANAGE_APPOINTMENT_LOCATIONS)
            location = uow.locations.lock(cmd.location_id)
            changed = attrs.evolve(location, max_parallel=cmd.max_parallel)
            uow.locations.save(changed)
            uow.commit()

    def request_appointment(self, cmd: RequestAppointment) -> AppointmentRequest:
        """R4.1: another formal request date needs the feature authorisation; never after
        today. An unauthorised attempt is refused and changes nothing."""
        with self._uow() as uow:
            auth = self.authoriser(uow)
            principal = auth.principal(cmd.actor)
            auth.require_in_scope(principal, UnitRef(UnitKind.EMPLOYEE, cmd.employee_id))
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

    def _conflicts(
        self,
        uow: UnitOfWork,
        location: AppointmentLocation,
        span: TimeSpan,
        exclude: uuid.UUID | None,
        extra: list[tuple[uuid.UUID, TimeSpan]] | None = None,
    ) -> list[CapacityConflict]:
        existing = uow.availabilities.overlapping(location.id, span, exclude)
        existing += [(i, s) for i, s in (extra or []) if s.overlaps(span)]
        return capacity_conflicts(existing, uuid.UUID(int=0), span, location.max_parallel)

    def plan_availability(self, cmd: PlanAvailability) -> uuid.UUID:
        """R4.3: refused, with the moments where the limit would be exceeded, or planned."""
        span = TimeSpan(cmd.start, cmd.end)
        with self._uow() as uow:
            self.authorise(uow, cmd.actor, Feature.PLAN_AVAILABILITIES)
            location = uow.locations.lock(cmd.location_id)
            availability = Availability.plan(cmd.professional_id, location.id, span)
            refuse_conflicts(location, self._conflicts(uow, location, span, None))
            uow.availabilities.add_all([availability])
            uow.commit()
            return availability.id

    def plan_series(self, cmd: PlanSeries) -> list[uuid.UUID]:
        """A weekly series, checked occurrence by occurrence, planned all or nothing; the
        refusal lists every conflicting occurrence."""
        first = TimeSpan(cmd.start, cmd.end)
        with self._uow() as uow:
            self.authorise(uow, cmd.actor, Feature.PLAN_AVAILABILITIES)
            location = uow.locations.lock(cmd.location_id)
            series_id = new_id()
            planned: list[Availability] = []
            conflicts: list[dict[str, object]] = []
            for occurrence in weekly(first, cmd.until):
                availability = Availability.plan(
                    cmd.professional_id, location.id, occurrence, series_id
                )
                found = self._conflicts(
                    uow, location, occurrence, None, [(a.id, a.span) for a in planned]
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
                raise DomainError(
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
        span = TimeSpan(cmd.start, cmd.end)
        with self._uow() as uow:
            self.authorise(uow, cmd.actor, Feature.PLAN_AVAILABILITIES)
            availability = uow.availabilities.get(cmd.availability_id)
            location = uow.locations.lock(cmd.location_id)
            availability.move(location.id, span)
            refuse_conflicts(location, self._conflicts(uow, location, span, availability.id))
            uow.availabilities.save(availability)
            uow.commit()

    def plan_appointment(self, cmd: PlanAppointment) -> uuid.UUID:
        with self._uow() as uow:
            self.authorise(
                uow,
                cmd.actor,
                Feature.PLAN_AVAILABILITIES,
                UnitRef(UnitKind.EMPLOYEE, cmd.employee_id),
            )
            availability = uow.availabilities.get(cmd.availability_id)
            appointment = Appointment.plan(
                availability, cmd.employee_id, TimeSpan(cmd.start, cmd.end)
            )
            uow.appointments.add(appointment)
            uow.commit()
            return appointment.id

    def complete_appointment(self, actor: uuid.UUID, appointment_id: uuid.UUID) -> list[uuid.UUID]:
        """R4.4: completing releases its draft activities in the same transaction."""
        with self._uow() as uow:
            self.authorise(uow, actor, Feature.REGISTER_ACTIVITIES)
            appointment = uow.appointments.get(appointment_id)
            activities = uow.activities.for_appointment(appointment_id)
            drafts = [a.id for a in activities if a.notice is not None]
            appointment.complete(activities)
            uow.appointments.save(appointment)
            uow.activities.save_all(activities)
            uow.commit()
            return drafts

    def remove_appointment(self, actor: uuid.UUID, appointment_id: uuid.UUID) -> list[uuid.UUID]:
        """R4.4: removing an appointment removes its draft activities."""
        with self._uow() as uow:
            self.authorise(uow, actor, Feature.PLAN_AVAILABILITIES)
            appointment = uow.appointments.get(appointment_id)
            removed = appointment.remove(uow.activities.for_appointment(appointment_id))
            uow.activities.delete(removed)
            uow.appointments.save(appointment)
            uow.commit()
            return removed

    def register_activity(self, cmd: RegisterActivity) -> Activity:
        """R4.4: a draft (with its notice) on an incomplete appointment, released otherwise."""
        with self._uow() as uow:
            self.authorise(
                uow,
                cmd.actor,
                Feature.REGISTER_ACTIVITIES,
                UnitRef(UnitKind.EMPLOYEE, cmd.employee_id),
            )
            appointment = (
                None if cmd.appointment_id is None else uow.appointments.get(cmd.appointment_id)
            )
            activity = Activity.register(
                cmd.actor, cmd.employee_id, cmd.activity_type, cmd.performed_on, appointment
            )
            uow.activities.add(activity)
            uow.commit()
            return activity

    def released_activities(self, period: DateRange) -> list[Activity]:
        """The query port billing uses: only released activities are offered (R4.4)."""
        with self._uow(write=False) as uow:
            return uow.activities.released(period)
