"""Ports of the agenda (R4.1–R4.4)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Protocol

import attrs

from xs_core.access.model import Role, User
from xs_core.agenda.model import (
    Activity,
    Appointment,
    AppointmentLocation,
    AppointmentRequest,
    Availability,
)
from xs_core.agenda.spans import TimeSpan
from xs_core.dates import DateRange


class LocationRepository(Protocol):
    def add(self, location: AppointmentLocation) -> None: ...
    def get(self, location_id: uuid.UUID) -> AppointmentLocation: ...
    def save(self, location: AppointmentLocation) -> None: ...

    def lock(self, location_id: uuid.UUID) -> AppointmentLocation:
        """Load the location and lock its row until the transaction ends (R4.3: the check and
        the insert of a read-check-write happen under this lock)."""
        ...


class AvailabilityRepository(Protocol):
    def add_all(self, availabilities: Sequence[Availability]) -> None: ...
    def get(self, availability_id: uuid.UUID) -> Availability: ...
    def lock(self, availability_id: uuid.UUID) -> Availability:
        """Like ``get``, and locked until the transaction ends (read-check-write)."""
        ...

    def save(self, availability: Availability) -> None: ...
    def delete(self, availability_id: uuid.UUID) -> None: ...

    def overlapping(
        self, location_id: uuid.UUID, span: TimeSpan, exclude: uuid.UUID | None = None
    ) -> list[tuple[uuid.UUID, TimeSpan]]:
        """The availabilities at the location that overlap ``span`` (an indexed range)."""
        ...

    def overlapping_for_professional(
        self, professional_id: uuid.UUID, span: TimeSpan, exclude: uuid.UUID | None = None
    ) -> list[tuple[uuid.UUID, TimeSpan]]:
        """The professional's availabilities, at any location, that overlap ``span``."""
        ...

    def overlapping_here_and_for(
        self,
        location_id: uuid.UUID,
        professional_id: uuid.UUID,
        span: TimeSpan,
        exclude: uuid.UUID | None = None,
    ) -> tuple[list[tuple[uuid.UUID, TimeSpan]], list[tuple[uuid.UUID, TimeSpan]]]:
        """``overlapping(location_id, …)`` and ``overlapping_for_professional(professional_id,
        …)`` at once (R4.3: the two checks of planning, in one round trip on SQL)."""
        ...


@attrs.frozen(kw_only=True)
class PlanningFacts:
    """What planning an availability decides on (R4.3, R0.6), read after the locks: the acting
    user, the professional (their row locked), the roles of both, the location (its row locked;
    ``None`` when there is none) and the availabilities overlapping the span at the location
    (``here``) and the professional's own at any location (``mine``)."""

    actor: User | None
    professional: User | None
    roles: dict[uuid.UUID, Role]
    location: AppointmentLocation | None
    here: list[tuple[uuid.UUID, TimeSpan]]
    mine: list[tuple[uuid.UUID, TimeSpan]]


class AvailabilityPlanning(Protocol):
    def lock_and_read(
        self,
        actor_id: uuid.UUID,
        professional_id: uuid.UUID,
        location_id: uuid.UUID,
        span: TimeSpan,
    ) -> PlanningFacts:
        """R4.3: lock the professional's user row, then the location's row (this order, as
        every planner), and read the facts of :class:`PlanningFacts` after both locks are held,
        so that they include everything a previous holder committed. The core decides; nothing
        is written. SQL adapters do it in one round trip where the engine allows."""
        ...


class AppointmentRequestRepository(Protocol):
    def add(self, request: AppointmentRequest) -> None: ...
    def get(self, request_id: uuid.UUID) -> AppointmentRequest: ...


class AppointmentRepository(Protocol):
    def add(self, appointment: Appointment) -> None: ...
    def get(self, appointment_id: uuid.UUID) -> Appointment: ...
    def lock(self, appointment_id: uuid.UUID) -> Appointment:
        """Like ``get``, and locked until the transaction ends (read-check-write)."""
        ...

    def save(self, appointment: Appointment) -> None: ...

    def for_availability(self, availability_id: uuid.UUID) -> list[Appointment]:
        """The appointments in an availability, removed ones included, by start."""
        ...

    def delete(self, appointment_ids: Sequence[uuid.UUID]) -> None: ...


class ActivityRepository(Protocol):
    def add(self, activity: Activity) -> None: ...
    def get(self, activity_id: uuid.UUID) -> Activity: ...
    def for_appointment(self, appointment_id: uuid.UUID) -> list[Activity]: ...
    def save_all(self, activities: Sequence[Activity]) -> None: ...
    def delete(self, activity_ids: Sequence[uuid.UUID]) -> None: ...

    def released(self, period: DateRange) -> list[Activity]:
        """R4.4: the released activities performed in ``period`` — only these are offered to
        invoicing."""
        ...
