"""Contract of the agenda repositories (R4.1–R4.4) on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as _dt
import uuid

import pendulum
import pytest
import sqlalchemy as sa

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_adapters.sql.engine import create_engine
from xs_adapters.sql.pipeline import pipelined_reads
from xs_core.access.features import Feature
from xs_core.access.model import Role, Scope, User
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
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.uow import UnitOfWork

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

    def test_r4_3_planning_facts_are_what_the_repositories_answer(
        self, uow_factory: UowFactory
    ) -> None:
        """R4.3: ``planning.lock_and_read`` (one round trip on PostgreSQL) answers exactly what
        the repositories answer one by one; unknown users and locations are ``None``."""
        planner_role = Role.create("Planner", [Feature.PLAN_AVAILABILITIES])
        doctor_role = Role.create("Arts", [Feature.HOLD_AVAILABILITIES, Feature.VIEW_ORGANISATION])
        bare_role = Role.create("Leeg", [])
        planner = User.create(
            "Planner",
            "planner@example.nl",
            [planner_role.id, bare_role.id],
            Scope.of([UnitRef(UnitKind.EMPLOYER, uuid.uuid4())]),
        )
        doctor = User.create("Arts", "arts@example.nl", [doctor_role.id])
        location = AppointmentLocation.create("Locatie A", 2)
        other = AppointmentLocation.create("Locatie B")
        here = Availability.plan(uuid.uuid4(), location.id, TimeSpan(at(9), at(10)))
        mine = Availability.plan(doctor.id, other.id, TimeSpan(at(10), at(11)))
        with uow_factory() as uow:
            for role in (planner_role, doctor_role, bare_role):
                uow.roles.add(role)
            uow.users.add(planner)
            uow.users.add(doctor)
            uow.locations.add(location)
            uow.locations.add(other)
            uow.availabilities.add_all([here, mine])
            uow.commit()
        window = TimeSpan(at(9), at(12))
        with uow_factory() as uow:
            facts = uow.planning.lock_and_read(planner.id, doctor.id, location.id, window)
            assert facts.actor == uow.users.get(planner.id)
            assert facts.professional == uow.users.get(doctor.id)
            assert facts.roles == {r.id: r for r in (planner_role, doctor_role, bare_role)}
            assert facts.location == location
            assert (sorted(facts.here), facts.mine) == (
                [(here.id, here.span)],
                [(mine.id, mine.span)],
            )
            assert facts.here[0][1].start.utcoffset() is not None
        with uow_factory() as uow:
            unknown = uuid.uuid4()
            facts = uow.planning.lock_and_read(unknown, unknown, unknown, window)
            assert (facts.actor, facts.professional, facts.location) == (None, None, None)
            assert (facts.roles, facts.here, facts.mine) == ({}, [], [])
        with uow_factory() as uow:
            # the actor plans for themselves: one user, no roles beyond theirs
            facts = uow.planning.lock_and_read(doctor.id, doctor.id, location.id, window)
            assert facts.actor == facts.professional == uow.users.get(doctor.id)
            assert facts.roles == {doctor_role.id: doctor_role}

    def test_r4_3_planned_in_one_batch_with_the_commit(self, uow_factory: UowFactory) -> None:
        """R4.3: the writes of ``batched_writes`` and its ``commit()`` are saved together; the
        next unit of work is a transaction again (nothing of it is saved without commit)."""
        location = AppointmentLocation.create("Locatie A", 2)
        with uow_factory() as uow:
            uow.locations.add(location)
            uow.commit()
        first = Availability.plan(uuid.uuid4(), location.id, TimeSpan(at(9), at(10)))
        with uow_factory() as uow:
            uow.planning.lock_and_read(uuid.uuid4(), uuid.uuid4(), location.id, first.span)
            with uow.batched_writes():
                uow.availabilities.add_all([first])
                uow.commit()
        second = Availability.plan(uuid.uuid4(), location.id, TimeSpan(at(9), at(10)))
        with uow_factory() as uow:
            uow.planning.lock_and_read(uuid.uuid4(), uuid.uuid4(), location.id, first.span)
            uow.availabilities.add_all([second])  # and no commit: rolled back
        with uow_factory() as uow:
            uow.availabilities.add_all([second])  # a plain unit of work, left without commit
        with uow_factory() as uow:
            assert uow.availabilities.get(first.id) == first
            with pytest.raises(NotFound):
                uow.availabilities.get(second.id)
            names = [m.name for m in uow.outbox.pending(100, "default")]
            assert names.count("AvailabilityPlanned") == 1

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
    def test_r4_3_a_connection_is_never_pooled_in_autocommit_mode(self, postgres_url: str) -> None:
        """The pipeline's own BEGIN switches the driver's connection to autocommit mode; the
        pool's checkin switches it back even when no unit of work did (the safety net)."""
        engine = create_engine(postgres_url, pool_size=1, max_overflow=0)
        try:
            with engine.connect() as connection:
                connection.begin()
                assert pipelined_reads(connection, [("SELECT 1 AS one", {})]) == [[(1,)]]
                raw = connection.connection.driver_connection
                assert raw is not None and raw.autocommit is True
            with engine.connect() as connection:
                assert connection.connection.driver_connection is raw
                assert raw.autocommit is False
        finally:
            engine.dispose()

    def test_r4_3_a_batch_refuses_reads_and_a_failed_write_commits_nothing(
        self, uow_factory: UowFactory
    ) -> None:
        """PostgreSQL's pipeline cannot hand SQLAlchemy the rows of a read: a read inside
        ``batched_writes`` is refused. A write that fails in the batch fails the block, and
        neither it nor the writes before it are saved. After either, the driver's connection
        is out of autocommit mode again (``lock_and_read`` sends its own BEGIN)."""
        location = AppointmentLocation.create("Locatie A", 2)
        planned = Availability.plan(uuid.uuid4(), location.id, TimeSpan(at(9), at(10)))
        with uow_factory() as uow:
            uow.locations.add(location)
            uow.availabilities.add_all([planned])
            uow.commit()
        again = Availability.plan(uuid.uuid4(), location.id, TimeSpan(at(11), at(12)))

        def read_in_a_batch(uow: UnitOfWork) -> None:
            with uow.batched_writes():
                uow.availabilities.add_all([again])
                uow.availabilities.get(planned.id)

        def the_same_key_again(uow: UnitOfWork) -> None:
            with uow.batched_writes():
                uow.availabilities.add_all([again])
                uow.availabilities.add_all([planned])
                uow.commit()

        for batch, error in (
            (read_in_a_batch, RuntimeError),
            (the_same_key_again, sa.exc.IntegrityError),
        ):
            with uow_factory() as uow:
                uow.planning.lock_and_read(uuid.uuid4(), uuid.uuid4(), location.id, planned.span)
                with pytest.raises(error):
                    batch(uow)
        with uow_factory() as uow:
            raw = uow.connection.connection.driver_connection  # type: ignore[attr-defined]
            assert raw.autocommit is False
            with pytest.raises(NotFound):
                uow.availabilities.get(again.id)
