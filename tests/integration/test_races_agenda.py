"""The agenda under real concurrent connections (R4.3, R4.4), on SQLite and PostgreSQL; see
docs/concurrency.md. (Racing planners against a location's limit: test_agenda_services.py.)
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterator
from functools import partial

import attrs
import pendulum
import pytest
import sqlalchemy as sa

from tests.races import ENGINES, codes, events, race, sql_app
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.services.access import CreateRole, CreateUser
from xs_app.services.agenda import (
    CompleteAppointment,
    CreateLocation,
    MoveAvailability,
    PlanAppointment,
    PlanAvailability,
    PlanSeries,
    RegisterActivity,
    RemoveAppointment,
    RemoveAvailability,
)
from xs_app.services.organisation import CreateEmployer, EmploymentTerms, RegisterEmployee
from xs_core.access.features import Feature
from xs_core.agenda.model import ActivityStatus, AppointmentStatus, capacity_conflicts
from xs_core.agenda.spans import TimeSpan

D = _dt.date
RACERS = 4


def at(hour: int, minute: int = 0, day: int = 1) -> pendulum.DateTime:
    return pendulum.datetime(2026, 12, day, hour, minute, tz="Europe/Amsterdam")


@pytest.fixture(params=ENGINES)
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    yield from sql_app(request, clock)


@attrs.define
class Clinic:
    xs: Xs
    admin: uuid.UUID
    employee: uuid.UUID
    rooms: uuid.UUID  # two consultation rooms
    role: uuid.UUID  # holds availabilities
    made: int = 0

    def professional(self) -> uuid.UUID:
        """A new professional: each availability of these races has its own (R4.3)."""
        self.made += 1
        return self.xs.access.create_user(
            CreateUser(
                actor=self.admin,
                name=f"Arts {self.made}",
                email=f"arts{self.made}@example.nl",
                role_ids=frozenset({self.role}),
            )
        )


def clinic(xs: Xs) -> Clinic:
    admin = xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
    employer = xs.organisation.create_employer(CreateEmployer(actor=admin, name="Bakkerij"))
    employee = xs.organisation.register_employee(
        RegisterEmployee(
            actor=admin,
            first_name="Anna",
            last_name="Jansen",
            employment=EmploymentTerms(employer_id=employer, start=D(2020, 1, 1)),
        )
    )
    rooms = xs.agenda.create_location(CreateLocation(actor=admin, name="Locatie", max_parallel=2))
    role = xs.access.create_role(
        CreateRole(actor=admin, name="Arts", features=frozenset({Feature.HOLD_AVAILABILITIES}))
    )
    return Clinic(xs, admin, employee, rooms, role)


def availability(c: Clinic, day: int, location: uuid.UUID | None = None) -> uuid.UUID:
    return c.xs.agenda.plan_availability(
        PlanAvailability(
            actor=c.admin,
            professional_id=c.professional(),
            location_id=location or c.rooms,
            start=at(9, day=day),
            end=at(12, day=day),
        )
    )


def appointment(c: Clinic, within: uuid.UUID, day: int, hour: int = 9) -> uuid.UUID:
    return c.xs.agenda.plan_appointment(
        PlanAppointment(
            actor=c.admin,
            availability_id=within,
            employee_id=c.employee,
            start=at(hour, day=day),
            end=at(hour, 30, day=day),
        )
    )


def count(xs: Xs, sql: str) -> int:
    with xs.container.engine().connect() as connection:
        return int(connection.execute(sa.text(sql)).scalar_one())


def test_r4_3_series_single_availabilities_and_a_move_race_for_the_last_place(app: Xs) -> None:
    """One place left at 9–12 (two rooms, one taken), four days in turn: a weekly series from
    that day, two single availabilities and a move of an availability elsewhere to that time
    go at once. Each locks the location, so exactly one gets the place."""
    c = clinic(app)
    elsewhere = app.agenda.create_location(CreateLocation(actor=c.admin, name="Elders"))
    for day in range(1, 5):
        availability(c, day)
        other = availability(c, day, elsewhere)
        single, other_single = (
            partial(
                app.agenda.plan_availability,
                PlanAvailability(
                    actor=c.admin,
                    professional_id=c.professional(),
                    location_id=c.rooms,
                    start=at(10, day=day),
                    end=at(12, day=day),
                ),
            )
            for _ in range(2)
        )
        outcomes = race(
            partial(
                app.agenda.plan_series,
                PlanSeries(
                    actor=c.admin,
                    professional_id=c.professional(),
                    location_id=c.rooms,
                    start=at(9, day=day),
                    end=at(12, day=day),
                    until=D(2026, 12, 20),
                ),
            ),
            single,
            other_single,
            partial(
                app.agenda.move_availability,
                MoveAvailability(
                    actor=c.admin,
                    availability_id=other,
                    location_id=c.rooms,
                    start=at(9, day=day),
                    end=at(11, day=day),
                ),
            ),
        )
        assert codes(outcomes) == ["agenda.capacity_exceeded"] * 3 + ["ok"]
    with app.unit_of_work(write=False) as uow:
        for day in range(1, 5):
            span = TimeSpan(at(9, day=day), at(12, day=day))
            assert len(uow.availabilities.overlapping(c.rooms, span, None)) == 2


def test_r4_4_racing_appointments_in_one_slot_plan_one(app: Xs) -> None:
    """Four appointments for the same half hour of one availability at once (three slots in
    turn): one is planned per slot, the others ``agenda.appointments_overlap``."""
    c = clinic(app)
    within = availability(c, 1)
    for hour in (9, 10, 11):
        plan = partial(
            app.agenda.plan_appointment,
            PlanAppointment(
                actor=c.admin,
                availability_id=within,
                employee_id=c.employee,
                start=at(hour),
                end=at(hour, 30),
            ),
        )
        assert codes(race(*[plan] * RACERS)) == ["agenda.appointments_overlap"] * (RACERS - 1) + [
            "ok"
        ]
    assert count(app, "SELECT count(*) FROM appointments") == 3


def test_r4_3_removing_an_availability_while_an_appointment_is_planned_in_it(app: Xs) -> None:
    """Either the availability goes (and planning in it finds nothing) or the appointment is
    planned (and the availability stays, holding it) — never an appointment without its
    availability."""
    c = clinic(app)
    for day in range(1, 6):
        within = availability(c, day)
        remove, plan = race(
            partial(
                app.agenda.remove_availability,
                RemoveAvailability(actor=c.admin, availability_id=within),
            ),
            partial(
                app.agenda.plan_appointment,
                PlanAppointment(
                    actor=c.admin,
                    availability_id=within,
                    employee_id=c.employee,
                    start=at(9, day=day),
                    end=at(10, day=day),
                ),
            ),
        )
        if remove.ok:
            assert plan.code == "not_found"
        else:
            assert (remove.code, plan.code) == ("agenda.availability_has_appointments", "ok")
    assert (
        count(
            app,
            "SELECT count(*) FROM appointments p"
            " WHERE NOT EXISTS (SELECT 1 FROM availabilities a WHERE a.id = p.availability_id)",
        )
        == 0
    )


def test_r4_3_moving_an_availability_while_an_appointment_is_planned_in_it(app: Xs) -> None:
    """The availability 9–12 moves to 9–10 while an appointment is planned at 11: either the
    move comes first (the appointment no longer fits) or the appointment (the move is refused:
    it would leave the appointment outside)."""
    c = clinic(app)
    for day in range(1, 6):
        within = availability(c, day)
        move, plan = race(
            partial(
                app.agenda.move_availability,
                MoveAvailability(
                    actor=c.admin,
                    availability_id=within,
                    location_id=c.rooms,
                    start=at(9, day=day),
                    end=at(10, day=day),
                ),
            ),
            partial(
                app.agenda.plan_appointment,
                PlanAppointment(
                    actor=c.admin,
                    availability_id=within,
                    employee_id=c.employee,
                    start=at(11, day=day),
                    end=at(11, 30, day=day),
                ),
            ),
        )
        assert (move.code, plan.code) in (
            ("ok", "agenda.appointment_outside_availability"),
            ("agenda.appointments_outside", "ok"),
        )


def test_r4_4_completing_and_removing_one_appointment_at_once(app: Xs) -> None:
    """Exactly one of them happens; the other is told the appointment is no longer planned;
    one event per appointment (``AppointmentCompleted`` or ``AppointmentRemoved``)."""
    c = clinic(app)
    within = availability(c, 1)
    for hour in (9, 10, 11):
        booked = appointment(c, within, 1, hour)
        complete, remove = race(
            partial(
                app.agenda.complete_appointment,
                CompleteAppointment(actor=c.admin, appointment_id=booked),
            ),
            partial(
                app.agenda.remove_appointment,
                RemoveAppointment(actor=c.admin, appointment_id=booked),
            ),
        )
        assert codes([complete, remove]) == ["agenda.appointment_not_planned", "ok"]
        with app.unit_of_work(write=False) as uow:
            status = uow.appointments.get(booked).status
        assert status is (AppointmentStatus.COMPLETED if complete.ok else AppointmentStatus.REMOVED)
    assert len(events(app, "AppointmentCompleted")) + len(events(app, "AppointmentRemoved")) == 3


def register(c: Clinic, booked: uuid.UUID) -> partial[object]:
    return partial(
        c.xs.agenda.register_activity,
        RegisterActivity(
            actor=c.admin,
            employee_id=c.employee,
            activity_type="Spreekuur",
            performed_on=D(2026, 12, 1),
            appointment_id=booked,
        ),
    )


def test_r4_4_registering_an_activity_while_the_appointment_is_completed(app: Xs) -> None:
    """Whichever comes first, the activity ends released: registered first it is a draft that
    the completion releases; registered after, it is released at once. Never a draft left on
    a completed appointment."""
    c = clinic(app)
    within = availability(c, 1)
    for hour in (9, 10, 11):
        booked = appointment(c, within, 1, hour)
        activity, complete = race(
            register(c, booked),
            partial(
                app.agenda.complete_appointment,
                CompleteAppointment(actor=c.admin, appointment_id=booked),
            ),
        )
        assert (activity.code, complete.code) == ("ok", "ok")
        with app.unit_of_work(write=False) as uow:
            stored = uow.activities.for_appointment(booked)
        assert [a.status for a in stored] == [ActivityStatus.RELEASED]


def test_r4_4_registering_an_activity_while_the_appointment_is_removed(app: Xs) -> None:
    """Registered first, the draft goes with the removal; registered after, it is refused.
    Never an activity left on a removed appointment."""
    c = clinic(app)
    within = availability(c, 1)
    for hour in (9, 10, 11):
        booked = appointment(c, within, 1, hour)
        activity, remove = race(
            register(c, booked),
            partial(
                app.agenda.remove_appointment,
                RemoveAppointment(actor=c.admin, appointment_id=booked),
            ),
        )
        assert remove.ok, remove
        assert activity.code in ("ok", "agenda.appointment_not_planned")
        with app.unit_of_work(write=False) as uow:
            assert uow.activities.for_appointment(booked) == []


def test_r4_3_racing_partial_overlaps_never_exceed_the_limit_and_refuse_only_real_excess(
    app: Xs,
) -> None:
    """Eight planners at once on one location with two rooms, their spans staggered by half an
    hour (each overlaps the next three in part), five days in turn. Planning locks the
    professional and the location and reads after the locks in one round trip (PostgreSQL's
    pipeline, its own BEGIN): at no instant are more than two availabilities stored, and every
    refusal is real — with the availabilities finally stored, the refused span would still
    exceed the limit (what a planner read was never stale)."""
    c = clinic(app)
    for day in range(1, 6):
        first = TimeSpan(at(9, day=day), at(11, day=day))
        spans = [first.shifted(pendulum.duration(minutes=30 * n)) for n in range(8)]
        outcomes = race(
            *[
                partial(
                    app.agenda.plan_availability,
                    PlanAvailability(
                        actor=c.admin,
                        professional_id=c.professional(),
                        location_id=c.rooms,
                        start=span.start,
                        end=span.end,
                    ),
                )
                for span in spans
            ]
        )
        assert set(codes(outcomes)) <= {"ok", "agenda.capacity_exceeded"}, codes(outcomes)
        with app.unit_of_work() as uow:
            stored = uow.availabilities.overlapping(
                c.rooms, TimeSpan(at(0, day=day), at(23, day=day))
            )
        assert sorted(i for i, _ in stored) == sorted(o.value for o in outcomes if o.ok)
        for availability_id, span in stored:
            others = [(i, s) for i, s in stored if i != availability_id]
            assert capacity_conflicts(others, availability_id, span, 2) == []
        for outcome, span in zip(outcomes, spans, strict=True):
            if not outcome.ok:
                assert capacity_conflicts(stored, uuid.uuid4(), span, 2) != []
