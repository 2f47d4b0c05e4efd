"""In-memory agenda repositories, held to the SQL adapters' contract (R4.1–R4.4)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from xs_adapters.memory.store import MemoryStore, _copy, _missing, span_days
from xs_core.agenda.model import (
    Activity,
    ActivityStatus,
    Appointment,
    AppointmentLocation,
    AppointmentRequest,
    Availability,
)
from xs_core.agenda.spans import TimeSpan
from xs_core.dates import DateRange
from xs_core.events import Aggregate

Track = Callable[[Aggregate], None]


class MemoryLocationRepository:
    def __init__(self, store: MemoryStore, track: Track) -> None:
        self._s = store
        self._track = track

    def add(self, location: AppointmentLocation) -> None:
        self._s.locations.put(location.id, _copy(location))
        self._track(location)

    save = add

    def get(self, location_id: uuid.UUID) -> AppointmentLocation:
        if location_id not in self._s.locations:
            raise _missing("appointment_location", location_id)
        return _copy(self._s.locations[location_id])

    def lock(self, location_id: uuid.UUID) -> AppointmentLocation:
        return self.get(location_id)  # one unit of work at a time holds the store's lock


class MemoryAvailabilityRepository:
    def __init__(self, store: MemoryStore, track: Track) -> None:
        self._s = store
        self._track = track

    def add_all(self, availabilities: Sequence[Availability]) -> None:
        for availability in availabilities:
            self._s.availabilities.put(availability.id, _copy(availability))
            self._track(availability)

    def save(self, availability: Availability) -> None:
        self.add_all([availability])

    def get(self, availability_id: uuid.UUID) -> Availability:
        if availability_id not in self._s.availabilities:
            raise _missing("availability", availability_id)
        return _copy(self._s.availabilities[availability_id])

    lock = get  # one writer at a time: the store's lock is held

    def delete(self, availability_id: uuid.UUID) -> None:
        self._s.availabilities.delete(availability_id)

    def _overlapping(
        self, index: str, owner: uuid.UUID, span: TimeSpan, exclude: uuid.UUID | None
    ) -> list[tuple[uuid.UUID, TimeSpan]]:
        availabilities = self._s.availabilities
        candidates: set[uuid.UUID] = set()
        for key in span_days(owner, span, bounded=False):
            candidates |= availabilities.find_keys(index, key)
        found = (availabilities[i] for i in candidates)
        return [(a.id, a.span) for a in found if a.id != exclude and a.span.overlaps(span)]

    def overlapping(
        self, location_id: uuid.UUID, span: TimeSpan, exclude: uuid.UUID | None = None
    ) -> list[tuple[uuid.UUID, TimeSpan]]:
        return self._overlapping("location_day", location_id, span, exclude)

    def overlapping_for_professional(
        self, professional_id: uuid.UUID, span: TimeSpan, exclude: uuid.UUID | None = None
    ) -> list[tuple[uuid.UUID, TimeSpan]]:
        return self._overlapping("professional_day", professional_id, span, exclude)

    def overlapping_here_and_for(
        self,
        location_id: uuid.UUID,
        professional_id: uuid.UUID,
        span: TimeSpan,
        exclude: uuid.UUID | None = None,
    ) -> tuple[list[tuple[uuid.UUID, TimeSpan]], list[tuple[uuid.UUID, TimeSpan]]]:
        return (
            self.overlapping(location_id, span, exclude),
            self.overlapping_for_professional(professional_id, span, exclude),
        )


class MemoryAppointmentRequestRepository:
    def __init__(self, store: MemoryStore, track: Track) -> None:
        self._s = store
        self._track = track

    def add(self, request: AppointmentRequest) -> None:
        self._s.appointment_requests.put(request.id, _copy(request))
        self._track(request)

    def get(self, request_id: uuid.UUID) -> AppointmentRequest:
        if request_id not in self._s.appointment_requests:
            raise _missing("appointment_request", request_id)
        return _copy(self._s.appointment_requests[request_id])


class MemoryAppointmentRepository:
    def __init__(self, store: MemoryStore, track: Track) -> None:
        self._s = store
        self._track = track

    def add(self, appointment: Appointment) -> None:
        self._s.appointments.put(appointment.id, _copy(appointment))
        self._track(appointment)

    save = add

    def get(self, appointment_id: uuid.UUID) -> Appointment:
        if appointment_id not in self._s.appointments:
            raise _missing("appointment", appointment_id)
        return _copy(self._s.appointments[appointment_id])

    lock = get  # one writer at a time: the store's lock is held

    def for_availability(self, availability_id: uuid.UUID) -> list[Appointment]:
        found = self._s.appointments.find("availability", availability_id)
        return [_copy(a) for a in sorted(found, key=lambda a: (a.span.start, a.id))]

    def delete(self, appointment_ids: Sequence[uuid.UUID]) -> None:
        for ident in appointment_ids:
            self._s.appointments.delete(ident)


class MemoryActivityRepository:
    def __init__(self, store: MemoryStore, track: Track) -> None:
        self._s = store
        self._track = track

    def add(self, activity: Activity) -> None:
        self._s.activities.put(activity.id, _copy(activity))
        self._track(activity)

    def get(self, activity_id: uuid.UUID) -> Activity:
        if activity_id not in self._s.activities:
            raise _missing("activity", activity_id)
        return _copy(self._s.activities[activity_id])

    def for_appointment(self, appointment_id: uuid.UUID) -> list[Activity]:
        found = self._s.activities.find("appointment", appointment_id)
        return [_copy(a) for a in sorted(found, key=lambda a: a.id)]

    def save_all(self, activities: Sequence[Activity]) -> None:
        for activity in activities:
            self.add(activity)

    def delete(self, activity_ids: Sequence[uuid.UUID]) -> None:
        for ident in activity_ids:
            self._s.activities.delete(ident)

    def released(self, period: DateRange) -> list[Activity]:
        found = [
            a
            for a in self._s.activities.values()
            if a.status is ActivityStatus.RELEASED and a.performed_on in period
        ]
        return [_copy(a) for a in sorted(found, key=lambda a: (a.performed_on, a.id))]
