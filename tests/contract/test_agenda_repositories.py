"""Contract of the agenda repositories (R4.1–R4.4) on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as _dt
import uuid

import pendulum
import pytest

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
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
from xs_core.errors import NotFound
from xs_core.organisation.model import Employee

D = _dt.date


def at(hour: int, day: int = 1) -> pendulum.DateTime:
    return pendulum.datetime(2026, 12, day, hour, tz="Europe/Amsterdam")


class AgendaContract:
    def test_r4_3_overlapping_is_exact_at_the_edges(self, uow_factory: UowFactory) -> None:
        location = AppointmentLocation.create("Locatie A", 2)
        other = AppointmentLocation.create("Locatie B")
        spans = {
            "before": TimeSpan(at(7), at(9)),  # touches 09:00: not overlapping
            "inside": TimeSpan(at(9), at(10)),
            "across": TimeSpan(at(8), at(12)),
            # 23 h, starting the evening before: found by the bounded look-back
            "long": TimeSpan(pendulum.datetime(2026, 11, 30, 20, tz="Europe/Amsterdam"), at(19)),
            "after": TimeSpan(at(11), at(13)),  # starts at 11:00: touches
        }
        made = {
            name: Availability.plan(uuid.uuid4(), location.id, span) for name, span in spans.items()
        }
        elsewhere = Availability.plan(uuid.uuid4(), other.id, TimeSpan(at(9), at(10)))
        with uow_factory() as uow:
            uow.locations.add(location)
            uow.locations.add(other)
            uow.availabilities.add_all([*made.values(), elsewhere])
            uow.commit()
        with uow_factory() as uow:
            assert uow.locations.lock(location.id) == location
            found = uow.availabilities.overlapping(location.id, TimeSpan(at(9), at(11)))
            names = {n for n, a in made.items() if (a.id, a.span) in found}
            assert names == {"inside", "across", "long"}
            excluded = uow.availabilities.overlapping(
                location.id, TimeSpan(at(9), at(11)), exclude=made["inside"].id
            )
            assert {i for i, _ in excluded} == {made["across"].id, made["long"].id}
            # R4.3: both checks of planning in one read — the same answers as the two reads
            professional = made["across"].professional_id
            window = TimeSpan(at(9), at(11))
            for exclude in (None, made["inside"].id, made["across"].id):
                here, mine = uow.availabilities.overlapping_here_and_for(
                    location.id, professional, window, exclude
                )
                assert sorted(here) == sorted(
                    uow.availabilities.overlapping(location.id, window, exclude)
                )
                assert mine == uow.availabilities.overlapping_for_professional(
                    professional, window, exclude
                )
            assert uow.availabilities.overlapping_here_and_for(location.id, professional, window)[
                1
            ] == [(made["across"].id, spans["across"])]
            loaded = uow.availabilities.get(made["inside"].id)
            assert loaded.span == spans["inside"]
            assert loaded.span.start.utcoffset() is not None

    def test_r4_1_requests_and_r4_4_activities_round_trip(self, uow_factory: UowFactory) -> None:
        employee = Employee.register("Anna", "Jansen")
        location = AppointmentLocation.create("Locatie A")
        availability = Availability.plan(uuid.uuid4(), location.id, TimeSpan(at(9), at(12)))
        appointment = Appointment.plan(availability, employee.id, TimeSpan(at(9), at(10)))
        request = AppointmentRequest.create(
            employee.id,
            "Spreekuur",
            DateRange(D(2026, 12, 7), D(2026, 12, 8)),
            pendulum.Date(2026, 11, 20),
        )
        draft = Activity.register(
            uuid.uuid4(), employee.id, "Spreekuur", D(2026, 12, 1), appointment
        )
        released = Activity.register(uuid.uuid4(), employee.id, "Telefonisch", D(2026, 12, 2))
        with uow_factory() as uow:
            uow.employees.add(employee)
            uow.locations.add(location)
            uow.availabilities.add_all([availability])
            uow.appointments.add(appointment)
            uow.appointment_requests.add(request)
            uow.activities.add(draft)
            uow.activities.add(released)
            uow.commit()
        with uow_factory() as uow:
            assert uow.appointment_requests.get(request.id) == request
            assert uow.appointments.get(appointment.id) == appointment
            assert uow.activities.for_appointment(appointment.id) == [draft]
            december = DateRange(D(2026, 12, 1), D(2027, 1, 1))
            assert uow.activities.released(december) == [released]
            assert uow.activities.released(DateRange(D(2026, 12, 1), D(2026, 12, 2))) == []
            draft.status = ActivityStatus.RELEASED
            uow.activities.save_all([draft])
            uow.activities.delete([released.id])
            uow.commit()
        with uow_factory() as uow:
            assert uow.activities.released(DateRange(D(2026, 12, 1))) == [draft]
            with pytest.raises(NotFound):
                uow.activities.get(released.id)


class TestMemoryAgenda(MemoryBackend, AgendaContract):
    pass


class TestSqliteAgenda(SqliteBackend, AgendaContract):
    pass


class TestPostgresAgenda(PostgresBackend, AgendaContract):
    pass
