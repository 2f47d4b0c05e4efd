"""SQL repositories of the agenda (R4.1–R4.4)."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xs_adapters.planning import RepositoryPlanning
from xs_adapters.sql import tables as t
from xs_adapters.sql.access import roles_from_rows, user_from_rows, user_with_links
from xs_adapters.sql.copy import insert_rows
from xs_adapters.sql.locking import lock_row
from xs_adapters.sql.pipeline import pipelined_reads, postgres_sql
from xs_adapters.sql.types import UtcDateTime
from xs_core.agenda.model import (
    MAX_AVAILABILITY,
    Activity,
    ActivityStatus,
    Appointment,
    AppointmentLocation,
    AppointmentRequest,
    AppointmentStatus,
    Availability,
)
from xs_core.agenda.ports import PlanningFacts
from xs_core.agenda.spans import TimeSpan
from xs_core.dates import DateRange
from xs_core.errors import NotFound
from xs_core.events import Aggregate

Track = Callable[[Aggregate], None]


def _missing(kind: str, ident: uuid.UUID) -> NotFound:
    return NotFound("not_found", {"kind": kind, "id": str(ident)})


# the statements of planning an availability (R4.3), built once: it is the hot path
_LOCATION = sa.select(t.appointment_locations).where(
    t.appointment_locations.c.id == sa.bindparam("location_id", type_=sa.Uuid)
)
# NO KEY UPDATE, as every row lock of a read-check-write (xs_adapters.sql.locking)
_LOCATION_FOR_UPDATE = _LOCATION.with_for_update(key_share=True)
_a = t.availabilities
# availabilities last at most MAX_AVAILABILITY: a bounded range of the (location_id, starts_at)
# index, never a scan of the location's history
_OVERLAPPING = sa.select(_a.c.id, _a.c.starts_at, _a.c.ends_at).where(
    _a.c.location_id == sa.bindparam("location_id", type_=sa.Uuid),
    _a.c.starts_at > sa.bindparam("earliest", type_=_a.c.starts_at.type),
    _a.c.starts_at < sa.bindparam("end", type_=_a.c.starts_at.type),
    _a.c.ends_at > sa.bindparam("start", type_=_a.c.starts_at.type),
)


_FOR_PROFESSIONAL = sa.select(_a.c.id, _a.c.starts_at, _a.c.ends_at).where(
    _a.c.professional_id == sa.bindparam("professional_id", type_=sa.Uuid),
    _a.c.starts_at > sa.bindparam("earliest", type_=_a.c.starts_at.type),
    _a.c.starts_at < sa.bindparam("end", type_=_a.c.starts_at.type),
    _a.c.ends_at > sa.bindparam("start", type_=_a.c.starts_at.type),
)


def _here_and_for(exclude: bool) -> Any:
    """R4.3: the location's and the professional's overlapping availabilities in one statement
    (each branch its own bounded index range), told apart by ``here``."""
    branches = []
    for here, query in ((True, _OVERLAPPING), (False, _FOR_PROFESSIONAL)):
        branch = query.add_columns(sa.literal(here, sa.Boolean).label("here"))
        if exclude:
            branch = branch.where(_a.c.id != sa.bindparam("exclude", type_=sa.Uuid))
        branches.append(branch)
    return sa.union_all(*branches)


# built once: planning an availability is a hot path (the benchmark's p99)
_HERE_AND_FOR = _here_and_for(exclude=False)
_HERE_AND_FOR_EXCLUDING = _here_and_for(exclude=True)


_u, _ur = t.users, t.user_roles
_BOTH = [sa.bindparam("actor_id", type_=sa.Uuid), sa.bindparam("professional_id", type_=sa.Uuid)]


@cache
def _planning_sql() -> list[tuple[str, dict[str, Any]]]:
    """Planning an availability on PostgreSQL (R4.3): the five statements of one round trip,
    compiled once, on first use (not at import)."""
    return [
        postgres_sql(statement)
        for statement in (
            # 1. the professional's row, locked; 2. the location's row, locked
            sa.select(_u.c.id).where(_u.c.id == _BOTH[1]).with_for_update(key_share=True),
            _LOCATION_FOR_UPDATE,
            # 3. the actor and the professional with roles and scope units, read after the locks
            user_with_links(_u.c.id.in_(_BOTH)),
            # 4. their roles with features
            sa.select(t.roles, t.role_features.c.feature)
            .outerjoin(t.role_features, t.role_features.c.role_id == t.roles.c.id)
            .where(t.roles.c.id.in_(sa.select(_ur.c.role_id).where(_ur.c.user_id.in_(_BOTH)))),
            # 5. the overlapping availabilities here and the professional's anywhere
            _HERE_AND_FOR,
        )
    ]


_INSTANT = UtcDateTime()


class SqlAvailabilityPlanning:
    """:class:`~xs_core.agenda.ports.AvailabilityPlanning` (R4.3). PostgreSQL: the two row locks
    and the three reads of planning in one pipeline — one round trip, and the server still runs
    them in this order, each read with a snapshot taken after both locks are held (READ
    COMMITTED), as five separate statements would. SQLite: through the repositories (the
    writing transaction holds the database's write lock already)."""

    def __init__(self, connection: Connection, repositories: RepositoryPlanning) -> None:
        self._c = connection
        self._repositories = repositories
        self._postgres = connection.dialect.name == "postgresql"

    def lock_and_read(
        self,
        actor_id: uuid.UUID,
        professional_id: uuid.UUID,
        location_id: uuid.UUID,
        span: TimeSpan,
    ) -> PlanningFacts:
        if not self._postgres:
            return self._repositories.lock_and_read(actor_id, professional_id, location_id, span)
        dialect = self._c.dialect
        values: dict[str, Any] = {
            "actor_id": actor_id,
            "professional_id": professional_id,
            "location_id": location_id,
            "earliest": _INSTANT.process_bind_param(
                _dt.datetime.__sub__(span.start, MAX_AVAILABILITY), dialect
            ),
            "end": _INSTANT.process_bind_param(span.end, dialect),
            "start": _INSTANT.process_bind_param(span.start, dialect),
        }
        locked, locations, user_rows, role_rows, overlapping = pipelined_reads(
            self._c, [(sql, {**literals, **values}) for sql, literals in _planning_sql()]
        )
        by_user: dict[uuid.UUID, list[Any]] = {}
        for row in user_rows:
            by_user.setdefault(row.id, []).append(row)
        users = {i: user_from_rows(rows) for i, rows in by_user.items()}
        location = None
        if locations:
            row = locations[0]
            location = AppointmentLocation(id=row.id, name=row.name, max_parallel=row.max_parallel)
        here: list[tuple[uuid.UUID, TimeSpan]] = []
        mine: list[tuple[uuid.UUID, TimeSpan]] = []
        instant = _INSTANT.process_result_value
        for row in overlapping:
            start, end = instant(row.starts_at, dialect), instant(row.ends_at, dialect)
            assert start is not None and end is not None  # NOT NULL columns
            (here if row.here else mine).append((row.id, TimeSpan(start, end)))
        return PlanningFacts(
            actor=users.get(actor_id),
            professional=users.get(professional_id) if locked else None,
            roles={role.id: role for role in roles_from_rows(role_rows)},
            location=location,
            here=here if location is not None else [],
            mine=mine if location is not None else [],
        )


class SqlLocationRepository:
    def __init__(self, connection: Connection, track: Track) -> None:
        self._c = connection
        self._track = track

    def add(self, location: AppointmentLocation) -> None:
        self._c.execute(
            t.appointment_locations.insert().values(
                id=location.id, name=location.name, max_parallel=location.max_parallel
            )
        )
        self._track(location)

    def save(self, location: AppointmentLocation) -> None:
        self._c.execute(
            t.appointment_locations.update()
            .where(t.appointment_locations.c.id == location.id)
            .values(name=location.name, max_parallel=location.max_parallel)
        )
        self._track(location)

    def _load(self, location_id: uuid.UUID, lock: bool) -> AppointmentLocation:
        # PostgreSQL: a row lock; SQLite: the writing transaction began IMMEDIATE already
        query = _LOCATION_FOR_UPDATE if lock else _LOCATION
        row = self._c.execute(query, {"location_id": location_id}).first()
        if row is None:
            raise _missing("appointment_location", location_id)
        return AppointmentLocation(id=row.id, name=row.name, max_parallel=row.max_parallel)

    def get(self, location_id: uuid.UUID) -> AppointmentLocation:
        return self._load(location_id, lock=False)

    def lock(self, location_id: uuid.UUID) -> AppointmentLocation:
        return self._load(location_id, lock=True)


def _availability(row: Any) -> Availability:
    return Availability(
        id=row.id,
        professional_id=row.professional_id,
        location_id=row.location_id,
        span=TimeSpan(row.starts_at, row.ends_at),
        series_id=row.series_id,
    )


class SqlAvailabilityRepository:
    def __init__(self, connection: Connection, track: Track) -> None:
        self._c = connection
        self._track = track

    def add_all(self, availabilities: Sequence[Availability]) -> None:
        insert_rows(
            self._c,
            t.availabilities,
            [
                {
                    "id": a.id,
                    "professional_id": a.professional_id,
                    "location_id": a.location_id,
                    "starts_at": a.span.start,
                    "ends_at": a.span.end,
                    "series_id": a.series_id,
                }
                for a in availabilities
            ],
        )
        for availability in availabilities:
            self._track(availability)

    def save(self, availability: Availability) -> None:
        self._c.execute(
            t.availabilities.update()
            .where(t.availabilities.c.id == availability.id)
            .values(
                location_id=availability.location_id,
                starts_at=availability.span.start,
                ends_at=availability.span.end,
            )
        )
        self._track(availability)

    def get(self, availability_id: uuid.UUID) -> Availability:
        row = self._c.execute(
            sa.select(t.availabilities).where(t.availabilities.c.id == availability_id)
        ).first()
        if row is None:
            raise _missing("availability", availability_id)
        return _availability(row)

    def lock(self, availability_id: uuid.UUID) -> Availability:
        """The Availability locked until the transaction ends (read-check-write)."""
        lock_row(self._c, t.availabilities, availability_id)
        return self.get(availability_id)

    def delete(self, availability_id: uuid.UUID) -> None:
        self._c.execute(t.availabilities.delete().where(t.availabilities.c.id == availability_id))

    def _overlapping(
        self, query: Any, key: dict[str, uuid.UUID], span: TimeSpan, exclude: uuid.UUID | None
    ) -> list[tuple[uuid.UUID, TimeSpan]]:
        if exclude is not None:
            query = query.where(_a.c.id != exclude)
        rows = self._c.execute(
            query,
            {
                **key,
                "earliest": _dt.datetime.__sub__(span.start, MAX_AVAILABILITY),
                "end": span.end,
                "start": span.start,
            },
        )
        return [(r.id, TimeSpan(r.starts_at, r.ends_at)) for r in rows]

    def overlapping(
        self, location_id: uuid.UUID, span: TimeSpan, exclude: uuid.UUID | None = None
    ) -> list[tuple[uuid.UUID, TimeSpan]]:
        return self._overlapping(_OVERLAPPING, {"location_id": location_id}, span, exclude)

    def overlapping_here_and_for(
        self,
        location_id: uuid.UUID,
        professional_id: uuid.UUID,
        span: TimeSpan,
        exclude: uuid.UUID | None = None,
    ) -> tuple[list[tuple[uuid.UUID, TimeSpan]], list[tuple[uuid.UUID, TimeSpan]]]:
        values: dict[str, Any] = {
            "location_id": location_id,
            "professional_id": professional_id,
            "earliest": _dt.datetime.__sub__(span.start, MAX_AVAILABILITY),
            "end": span.end,
            "start": span.start,
        }
        statement = _HERE_AND_FOR
        if exclude is not None:
            statement, values["exclude"] = _HERE_AND_FOR_EXCLUDING, exclude
        here: list[tuple[uuid.UUID, TimeSpan]] = []
        mine: list[tuple[uuid.UUID, TimeSpan]] = []
        for row in self._c.execute(statement, values):
            (here if row.here else mine).append((row.id, TimeSpan(row.starts_at, row.ends_at)))
        return here, mine

    def overlapping_for_professional(
        self, professional_id: uuid.UUID, span: TimeSpan, exclude: uuid.UUID | None = None
    ) -> list[tuple[uuid.UUID, TimeSpan]]:
        # availabilities last at most MAX_AVAILABILITY: a bounded range of the
        # (professional_id, starts_at) index
        return self._overlapping(
            _FOR_PROFESSIONAL, {"professional_id": professional_id}, span, exclude
        )


class SqlAppointmentRequestRepository:
    def __init__(self, connection: Connection, track: Track) -> None:
        self._c = connection
        self._track = track

    def add(self, request: AppointmentRequest) -> None:
        self._c.execute(
            t.appointment_requests.insert().values(
                id=request.id,
                employee_id=request.employee_id,
                purpose=request.purpose,
                desired_from=request.desired_period.start,
                desired_until=request.desired_period.end,
                formal_request_date=request.formal_request_date,
            )
        )
        self._track(request)

    def get(self, request_id: uuid.UUID) -> AppointmentRequest:
        row = self._c.execute(
            sa.select(t.appointment_requests).where(t.appointment_requests.c.id == request_id)
        ).first()
        if row is None:
            raise _missing("appointment_request", request_id)
        return AppointmentRequest(
            id=row.id,
            employee_id=row.employee_id,
            purpose=row.purpose,
            desired_period=DateRange(row.desired_from, row.desired_until),
            formal_request_date=row.formal_request_date,
        )


class SqlAppointmentRepository:
    def __init__(self, connection: Connection, track: Track) -> None:
        self._c = connection
        self._track = track

    def add(self, appointment: Appointment) -> None:
        self._c.execute(
            t.appointments.insert().values(
                id=appointment.id,
                availability_id=appointment.availability_id,
                employee_id=appointment.employee_id,
                starts_at=appointment.span.start,
                ends_at=appointment.span.end,
                status=appointment.status.value,
            )
        )
        self._track(appointment)

    def save(self, appointment: Appointment) -> None:
        self._c.execute(
            t.appointments.update()
            .where(t.appointments.c.id == appointment.id)
            .values(status=appointment.status.value)
        )
        self._track(appointment)

    def get(self, appointment_id: uuid.UUID) -> Appointment:
        row = self._c.execute(
            sa.select(t.appointments).where(t.appointments.c.id == appointment_id)
        ).first()
        if row is None:
            raise _missing("appointment", appointment_id)
        return _appointment(row)

    def lock(self, appointment_id: uuid.UUID) -> Appointment:
        """The Appointment locked until the transaction ends (read-check-write)."""
        lock_row(self._c, t.appointments, appointment_id)
        return self.get(appointment_id)

    def for_availability(self, availability_id: uuid.UUID) -> list[Appointment]:
        ap = t.appointments
        rows = self._c.execute(
            sa.select(ap)
            .where(ap.c.availability_id == availability_id)
            .order_by(ap.c.starts_at, ap.c.id)
        )
        return [_appointment(r) for r in rows]

    def delete(self, appointment_ids: Sequence[uuid.UUID]) -> None:
        if appointment_ids:
            self._c.execute(t.appointments.delete().where(t.appointments.c.id.in_(appointment_ids)))


def _appointment(row: Any) -> Appointment:
    return Appointment(
        id=row.id,
        availability_id=row.availability_id,
        employee_id=row.employee_id,
        span=TimeSpan(row.starts_at, row.ends_at),
        status=AppointmentStatus(row.status),
    )


def _activity(row: Any) -> Activity:
    return Activity(
        id=row.id,
        professional_id=row.professional_id,
        employee_id=row.employee_id,
        activity_type=row.activity_type,
        performed_on=row.performed_on,
        appointment_id=row.appointment_id,
        status=ActivityStatus(row.status),
    )


class SqlActivityRepository:
    def __init__(self, connection: Connection, track: Track) -> None:
        self._c = connection
        self._track = track

    def add(self, activity: Activity) -> None:
        self._c.execute(
            t.activities.insert().values(
                id=activity.id,
                professional_id=activity.professional_id,
                employee_id=activity.employee_id,
                activity_type=activity.activity_type,
                performed_on=activity.performed_on,
                appointment_id=activity.appointment_id,
                status=activity.status.value,
            )
        )
        self._track(activity)

    def get(self, activity_id: uuid.UUID) -> Activity:
        row = self._c.execute(
            sa.select(t.activities).where(t.activities.c.id == activity_id)
        ).first()
        if row is None:
            raise _missing("activity", activity_id)
        return _activity(row)

    def for_appointment(self, appointment_id: uuid.UUID) -> list[Activity]:
        rows = self._c.execute(
            sa.select(t.activities)
            .where(t.activities.c.appointment_id == appointment_id)
            .order_by(t.activities.c.id)
        )
        return [_activity(r) for r in rows]

    def save_all(self, activities: Sequence[Activity]) -> None:
        for status in ActivityStatus:
            ids = [a.id for a in activities if a.status is status]
            if ids:
                self._c.execute(
                    t.activities.update()
                    .where(t.activities.c.id.in_(ids))
                    .values(status=status.value)
                )
        for activity in activities:
            self._track(activity)

    def delete(self, activity_ids: Sequence[uuid.UUID]) -> None:
        if activity_ids:
            self._c.execute(t.activities.delete().where(t.activities.c.id.in_(activity_ids)))

    def released(self, period: DateRange) -> list[Activity]:
        a = t.activities
        query = sa.select(a).where(
            a.c.status == ActivityStatus.RELEASED.value, a.c.performed_on >= period.start
        )
        if period.end is not None:
            query = query.where(a.c.performed_on < period.end)
        return [_activity(r) for r in self._c.execute(query.order_by(a.c.performed_on, a.c.id))]
