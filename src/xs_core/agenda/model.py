"""The agenda: appointment requests, locations, availabilities, appointments and activities
(R4.1–R4.4)."""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from typing import ClassVar

import attrs
import pendulum

from xs_core import limits
from xs_core.agenda.spans import Occupancy, TimeSpan, local_instant, occupancy, to_local
from xs_core.dates import DateRange, as_date, as_end_date
from xs_core.errors import Conflict, DomainError, InvalidInput, NotAllowed, register_messages
from xs_core.events import Aggregate, DomainEvent
from xs_core.organisation.units import new_id
from xs_core.organisation.validation import required_text

register_messages(
    {
        "agenda.formal_date_not_allowed": (
            "U mag de formele aanvraagdatum niet wijzigen (feature autorisatie 'Mag formele "
            "aanvraagdatum op oproepverzoek wijzigen').",
            "You may not change the formal request date (feature authorisation 'May change the "
            "formal request date of an appointment request').",
        ),
    },
    kind=NotAllowed,
)

register_messages(
    {
        "agenda.formal_date_in_future": (
            "De formele aanvraagdatum {date} ligt na vandaag ({today}).",
            "The formal request date {date} lies after today ({today}).",
        ),
        "agenda.invalid_maximum": (
            "Het maximum aantal parallelle beschikbaarheden moet tussen {minimum} en {maximum} "
            "liggen (of leeg): {value}.",
            "The maximum number of parallel availabilities must lie between {minimum} and "
            "{maximum} (or be empty): {value}.",
        ),
        "agenda.availability_too_long": (
            "Een beschikbaarheid duurt hoogstens {hours} uur.",
            "An availability lasts at most {hours} hours.",
        ),
        "agenda.series_invalid": (
            "Een reeks loopt wekelijks tot een datum na de eerste beschikbaarheid.",
            "A series runs weekly until a date after the first availability.",
        ),
        "agenda.series_too_long": (
            "Een reeks heeft hoogstens {maximum} wekelijkse beschikbaarheden; tot {until} zouden "
            "het er {occurrences} zijn.",
            "A series has at most {maximum} weekly availabilities; until {until} it would have "
            "{occurrences}.",
        ),
        "agenda.appointment_outside_availability": (
            "De afspraak valt niet binnen de beschikbaarheid.",
            "The appointment does not lie within the availability.",
        ),
        "agenda.appointment_of_other_employee": (
            "De afspraak {appointment_id} hoort niet bij deze werknemer.",
            "Appointment {appointment_id} does not belong to this employee.",
        ),
    },
    kind=InvalidInput,
)

register_messages(
    {
        "agenda.capacity_exceeded": (
            "Op locatie {location} mogen maximaal {maximum} beschikbaarheden tegelijk gepland "
            "worden; overschreden op: {moments}.",
            "At most {maximum} availabilities may run at the same time at location {location}; "
            "exceeded at: {moments}.",
        ),
        "agenda.appointment_not_planned": (
            "De afspraak is al {status}.",
            "The appointment is already {status}.",
        ),
        "agenda.professional_double_booked": (
            "De professional heeft al een beschikbaarheid in {span}: {availabilities}.",
            "The professional already has an availability in {span}: {availabilities}.",
        ),
        "agenda.appointments_overlap": (
            "De afspraak overlapt met een andere afspraak in deze beschikbaarheid ({span}).",
            "The appointment overlaps another appointment in this availability ({span}).",
        ),
        "agenda.appointments_outside": (
            "De beschikbaarheid bevat afspraken die buiten de nieuwe tijd zouden vallen: "
            "{appointments}.",
            "The availability holds appointments that would fall outside the new time: "
            "{appointments}.",
        ),
        "agenda.availability_has_appointments": (
            "De beschikbaarheid heeft nog afspraken: {appointments}.",
            "The availability still holds appointments: {appointments}.",
        ),
        "agenda.activity_not_draft": (
            "Alleen tijdelijk opgeslagen verrichtingen kunnen worden vrijgegeven.",
            "Only draft activities can be released.",
        ),
    },
    kind=Conflict,
)

#: Decision: an availability lasts at most one day (24 hours in real time, also over a
#: daylight-saving change), so that overlap look-ups stay a bounded index range (R4.3).
MAX_AVAILABILITY = _dt.timedelta(hours=24)

#: The notice shown when an activity on an incomplete appointment is saved (R4.4).
DRAFT_NOTICE = (
    "De verrichting is tijdelijk opgeslagen: de afspraak is nog niet voltooid. Zodra de afspraak "
    "voltooid is, wordt de verrichting automatisch vrijgegeven.",
    "The activity was saved as a draft: the appointment is not completed yet. It is released "
    "automatically as soon as the appointment is completed.",
)


# -- R4.1, R4.2 appointment requests --------------------------------------------------------------


def formal_request_date(
    requested: _dt.date | None, today: _dt.date, may_change: bool
) -> pendulum.Date:
    """R4.1: today by default; another date only with the feature authorisation; never after
    today."""
    if requested is None or requested == today:
        return as_date(today)
    if not may_change:
        raise DomainError(
            "agenda.formal_date_not_allowed",
            {"rule": "R4.1", "feature": "agenda.change_formal_request_date"},
        )
    if requested > today:
        raise DomainError(
            "agenda.formal_date_in_future",
            {"rule": "R4.1", "date": requested.isoformat(), "today": today.isoformat()},
        )
    return as_date(requested)


@attrs.frozen(kw_only=True)
class AppointmentRequested(DomainEvent):
    """R4.1, R4.2: an appointment request (oproepverzoek) was made for an employee, with its
    formal request date and its desired period (``desired_end`` exclusive)."""

    name: ClassVar[str] = "AppointmentRequested"
    request_id: uuid.UUID
    employee_id: uuid.UUID
    formal_request_date: _dt.date
    desired_start: _dt.date
    desired_end: _dt.date | None


@attrs.define(kw_only=True)
class AppointmentRequest(Aggregate):
    """An appointment request (oproepverzoek) for an employee."""

    id: uuid.UUID
    employee_id: uuid.UUID
    purpose: str
    #: R4.2: half-open; "20-07 until 21-07" is 20 July only
    desired_period: DateRange
    formal_request_date: pendulum.Date

    @classmethod
    def create(
        cls,
        employee_id: uuid.UUID,
        purpose: str,
        desired_period: DateRange,
        formal_date: pendulum.Date,
    ) -> AppointmentRequest:
        request = cls(
            id=new_id(),
            employee_id=employee_id,
            purpose=required_text(purpose, "purpose", limits.PURPOSE),
            desired_period=desired_period,
            formal_request_date=formal_date,
        )
        request.record(
            AppointmentRequested(
                request_id=request.id,
                employee_id=employee_id,
                formal_request_date=formal_date,
                desired_start=desired_period.start,
                desired_end=desired_period.end,
            )
        )
        return request


# -- R4.3 locations and availabilities ------------------------------------------------------------


def _maximum(value: int | None) -> int | None:
    """R4.3: a whole number from 1 up to what the ``INTEGER`` column stores, or ``None``."""
    if value is None:
        return None
    return limits.bounded_int(
        value, "max_parallel", 1, limits.INTEGER_MAX, "agenda.invalid_maximum", "R4.3"
    )


@attrs.frozen(kw_only=True)
class LocationCreated(DomainEvent):
    """R4.3: an appointment location was created, with its maximum number of parallel
    availabilities (null: unlimited)."""

    name: ClassVar[str] = "LocationCreated"
    location_id: uuid.UUID
    location_name: str
    max_parallel: int | None


@attrs.frozen(kw_only=True)
class LocationMaximumChanged(DomainEvent):
    """R4.3: a location's maximum of parallel availabilities changed (null: unlimited);
    existing availabilities stay."""

    name: ClassVar[str] = "LocationMaximumChanged"
    location_id: uuid.UUID
    max_parallel: int | None


@attrs.define(kw_only=True)
class AppointmentLocation(Aggregate):
    """An appointment location (oproeplocatie), with an optional limit on parallel
    availabilities (``None`` = unlimited)."""

    id: uuid.UUID
    name: str
    max_parallel: int | None = attrs.field(default=None, converter=_maximum)

    @classmethod
    def create(cls, name: str, max_parallel: int | None = None) -> AppointmentLocation:
        location = cls(
            id=new_id(), name=required_text(name, "name", limits.NAME), max_parallel=max_parallel
        )
        location.record(
            LocationCreated(
                location_id=location.id,
                location_name=location.name,
                max_parallel=location.max_parallel,
            )
        )
        return location

    def change_maximum(self, max_parallel: int | None) -> None:
        """R4.3: the limit can change at any time; existing availabilities stay."""
        self.max_parallel = _maximum(max_parallel)
        self.record(LocationMaximumChanged(location_id=self.id, max_parallel=self.max_parallel))


@attrs.frozen
class CapacityConflict:
    """A moment (sub-span) where planning would exceed the limit, and who runs then."""

    span: TimeSpan
    count: int
    availability_ids: tuple[uuid.UUID, ...]


def capacity_conflicts(
    existing: list[tuple[uuid.UUID, TimeSpan]],
    new_id_: uuid.UUID,
    new_span: TimeSpan,
    maximum: int | None,
) -> list[CapacityConflict]:
    """R4.3: the sub-spans of ``new_span`` where the availabilities at the location, the new
    one included, would exceed ``maximum``. Partial overlap counts, touching does not."""
    if maximum is None:
        return []
    parts: list[Occupancy] = occupancy([*existing, (new_id_, new_span)], window=new_span)
    return [
        CapacityConflict(p.span, p.count, tuple(i for i in p.ids if i != new_id_))
        for p in parts
        if p.count > maximum
    ]


def refuse_conflicts(
    location: AppointmentLocation, conflicts: list[CapacityConflict], occurrence: str = ""
) -> None:
    if conflicts:
        raise DomainError(
            "agenda.capacity_exceeded",
            {
                "rule": "R4.3",
                "location": location.name,
                "maximum": location.max_parallel,
                "moments": [c.span.display_nl() for c in conflicts],
                "conflicts": [
                    {
                        "span": str(c.span),
                        "count": c.count,
                        "availabilities": [str(i) for i in c.availability_ids],
                        **({"occurrence": occurrence} if occurrence else {}),
                    }
                    for c in conflicts
                ],
            },
        )


def check_length(span: TimeSpan) -> None:
    """R4.3: an availability lasts at most :data:`MAX_AVAILABILITY`, measured in real time."""
    if span.duration > MAX_AVAILABILITY:
        raise DomainError(
            "agenda.availability_too_long",
            {"rule": "R4.3", "hours": int(MAX_AVAILABILITY.total_seconds() // 3600)},
        )


def weekly(first: TimeSpan, until: _dt.date) -> list[TimeSpan]:
    """The occurrences of a weekly series from ``first`` while they start before ``until`` (a
    half-open end date), R4.3.

    Each occurrence starts at the first one's Europe/Amsterdam wall time (09:00 stays 09:00
    across daylight saving) and lasts the first one's real duration. An occurrence whose start
    does not exist locally (the spring-forward gap) refuses the whole series
    (``time.nonexistent_local_time``); one in the repeated autumn hour keeps the first
    occurrence's ``fold``. At most :data:`~xs_core.limits.MAX_SERIES_OCCURRENCES` occurrences
    (``agenda.series_too_long``), refused before any is built.
    """
    end = as_end_date(until)
    local = to_local(first.start)
    wall = local.replace(tzinfo=None)
    first_day = wall.date()
    if end <= first_day:
        raise DomainError("agenda.series_invalid", {"rule": "R4.3"})
    count = -(-(end.toordinal() - first_day.toordinal()) // 7)
    if count > limits.MAX_SERIES_OCCURRENCES:
        raise DomainError(
            "agenda.series_too_long",
            {
                "rule": "R4.3",
                "maximum": limits.MAX_SERIES_OCCURRENCES,
                "occurrences": count,
                "until": end.isoformat(),
            },
        )
    duration = first.duration
    occurrences: list[TimeSpan] = []
    for week in range(count):
        start = local_instant(wall + _dt.timedelta(weeks=week), fold=local.fold)
        occurrences.append(TimeSpan(start, start + duration))
    return occurrences


@attrs.frozen(kw_only=True)
class AvailabilityPlanned(DomainEvent):
    """R4.3: a professional's availability was planned at a location, from ``start`` until
    ``end`` (instants with their Amsterdam offset; ``series_id`` when planned as part of a
    weekly series)."""

    name: ClassVar[str] = "AvailabilityPlanned"
    availability_id: uuid.UUID
    location_id: uuid.UUID
    professional_id: uuid.UUID
    start: _dt.datetime
    end: _dt.datetime
    series_id: uuid.UUID | None


@attrs.frozen(kw_only=True)
class AvailabilityMoved(DomainEvent):
    """R4.3: an availability moved to another time or location (with its appointments)."""

    name: ClassVar[str] = "AvailabilityMoved"
    availability_id: uuid.UUID
    professional_id: uuid.UUID
    location_id: uuid.UUID
    start: _dt.datetime
    end: _dt.datetime


@attrs.define(kw_only=True)
class Availability(Aggregate):
    """A professional's availability (beschikbaarheid) at a location."""

    id: uuid.UUID
    professional_id: uuid.UUID
    location_id: uuid.UUID
    span: TimeSpan
    series_id: uuid.UUID | None = None

    @classmethod
    def plan(
        cls,
        professional_id: uuid.UUID,
        location_id: uuid.UUID,
        span: TimeSpan,
        series_id: uuid.UUID | None = None,
    ) -> Availability:
        check_length(span)
        availability = cls(
            id=new_id(),
            professional_id=professional_id,
            location_id=location_id,
            span=span,
            series_id=series_id,
        )
        availability.record(
            AvailabilityPlanned(
                availability_id=availability.id,
                location_id=location_id,
                professional_id=professional_id,
                start=span.start,
                end=span.end,
                series_id=series_id,
            )
        )
        return availability

    def move(self, location_id: uuid.UUID, span: TimeSpan) -> None:
        check_length(span)
        self.location_id = location_id
        self.span = span
        self.record(
            AvailabilityMoved(
                availability_id=self.id,
                professional_id=self.professional_id,
                location_id=location_id,
                start=span.start,
                end=span.end,
            )
        )


@attrs.frozen(kw_only=True)
class AvailabilityRemoved(DomainEvent):
    """R4.3: an availability was removed (it held no planned or completed appointments)."""

    name: ClassVar[str] = "AvailabilityRemoved"
    availability_id: uuid.UUID
    location_id: uuid.UUID


# -- R4.4 appointments and activities -------------------------------------------------------------


class AppointmentStatus(enum.Enum):
    PLANNED = "planned"
    COMPLETED = "completed"  # voltooid
    REMOVED = "removed"


class ActivityStatus(enum.Enum):
    DRAFT = "draft"  # tijdelijk opgeslagen
    RELEASED = "released"  # vrijgegeven
    OFFERED = "offered"  # aangeboden (billing, R5)


@attrs.frozen(kw_only=True)
class AppointmentPlanned(DomainEvent):
    """R4.4: an appointment with an employee was planned inside an availability."""

    name: ClassVar[str] = "AppointmentPlanned"
    appointment_id: uuid.UUID
    availability_id: uuid.UUID
    employee_id: uuid.UUID
    start: _dt.datetime
    end: _dt.datetime


@attrs.frozen(kw_only=True)
class AppointmentCompleted(DomainEvent):
    """R4.4: an appointment was completed (voltooid); its draft activities were released
    (``released_activities``) in the same transaction."""

    name: ClassVar[str] = "AppointmentCompleted"
    appointment_id: uuid.UUID
    availability_id: uuid.UUID
    employee_id: uuid.UUID
    released_activities: tuple[uuid.UUID, ...]


@attrs.frozen(kw_only=True)
class AppointmentRemoved(DomainEvent):
    """R4.4: an appointment was removed; its draft activities went with it
    (``removed_activities``)."""

    name: ClassVar[str] = "AppointmentRemoved"
    appointment_id: uuid.UUID
    availability_id: uuid.UUID
    employee_id: uuid.UUID
    removed_activities: tuple[uuid.UUID, ...]


@attrs.define(kw_only=True)
class Appointment(Aggregate):
    id: uuid.UUID
    availability_id: uuid.UUID
    employee_id: uuid.UUID
    span: TimeSpan
    status: AppointmentStatus = AppointmentStatus.PLANNED

    @classmethod
    def plan(
        cls, availability: Availability, employee_id: uuid.UUID, span: TimeSpan
    ) -> Appointment:
        if not (availability.span.start <= span.start and span.end <= availability.span.end):
            raise DomainError("agenda.appointment_outside_availability", {"rule": "R4.4"})
        appointment = cls(
            id=new_id(), availability_id=availability.id, employee_id=employee_id, span=span
        )
        appointment.record(
            AppointmentPlanned(
                appointment_id=appointment.id,
                availability_id=availability.id,
                employee_id=employee_id,
                start=span.start,
                end=span.end,
            )
        )
        return appointment

    def _require_planned(self) -> None:
        if self.status is not AppointmentStatus.PLANNED:
            raise DomainError("agenda.appointment_not_planned", {"status": self.status.value})

    def complete(self, activities: list[Activity]) -> None:
        """R4.4: completing releases the appointment's draft activities (same transaction)."""
        self._require_planned()
        self.status = AppointmentStatus.COMPLETED
        released = []
        for activity in activities:
            if activity.status is ActivityStatus.DRAFT:
                activity.status = ActivityStatus.RELEASED
                released.append(activity.id)
        self.record(
            AppointmentCompleted(
                appointment_id=self.id,
                availability_id=self.availability_id,
                employee_id=self.employee_id,
                released_activities=tuple(released),
            )
        )

    def remove(self, activities: list[Activity]) -> list[uuid.UUID]:
        """R4.4: removing takes the appointment's draft activities with it."""
        self._require_planned()
        self.status = AppointmentStatus.REMOVED
        removed = [a.id for a in activities if a.status is ActivityStatus.DRAFT]
        self.record(
            AppointmentRemoved(
                appointment_id=self.id,
                availability_id=self.availability_id,
                employee_id=self.employee_id,
                removed_activities=tuple(removed),
            )
        )
        return removed


@attrs.frozen(kw_only=True)
class ActivityRegistered(DomainEvent):
    """R4.4: a professional registered an activity (verrichting) for an employee, on an
    appointment or not; ``status`` is ``draft`` on an appointment not yet completed, else
    ``released``."""

    name: ClassVar[str] = "ActivityRegistered"
    activity_id: uuid.UUID
    professional_id: uuid.UUID
    employee_id: uuid.UUID
    appointment_id: uuid.UUID | None
    activity_type: str
    performed_on: _dt.date
    status: ActivityStatus


@attrs.define(kw_only=True)
class Activity(Aggregate):
    """An activity (verrichting) of a professional, possibly on an appointment (R4.4)."""

    id: uuid.UUID
    professional_id: uuid.UUID
    employee_id: uuid.UUID
    activity_type: str
    performed_on: pendulum.Date
    appointment_id: uuid.UUID | None = None
    status: ActivityStatus = ActivityStatus.DRAFT

    @classmethod
    def register(
        cls,
        professional_id: uuid.UUID,
        employee_id: uuid.UUID,
        activity_type: str,
        performed_on: _dt.date,
        appointment: Appointment | None = None,
    ) -> Activity:
        """Draft on an incomplete appointment; released otherwise (R4.4)."""
        status = (
            ActivityStatus.DRAFT
            if appointment is not None and appointment.status is not AppointmentStatus.COMPLETED
            else ActivityStatus.RELEASED
        )
        if appointment is not None and appointment.status is AppointmentStatus.REMOVED:
            raise DomainError("agenda.appointment_not_planned", {"status": "removed"})
        activity = cls(
            id=new_id(),
            professional_id=professional_id,
            employee_id=employee_id,
            activity_type=required_text(activity_type, "activity_type", limits.ACTIVITY_TYPE),
            performed_on=as_date(performed_on),
            appointment_id=None if appointment is None else appointment.id,
            status=status,
        )
        activity.record(
            ActivityRegistered(
                activity_id=activity.id,
                professional_id=professional_id,
                employee_id=employee_id,
                appointment_id=activity.appointment_id,
                activity_type=activity.activity_type,
                performed_on=activity.performed_on,
                status=status,
            )
        )
        return activity

    @property
    def notice(self) -> tuple[str, str] | None:
        """The notice shown for a draft (Dutch, English)."""
        return DRAFT_NOTICE if self.status is ActivityStatus.DRAFT else None
