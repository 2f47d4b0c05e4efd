"""The agenda end to end (R4.1–R4.4) through ``bootstrap()``, and the R4.3 limit under real
concurrent connections on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as _dt
import itertools
import threading
import uuid
from collections.abc import Iterator

import attrs
import pendulum
import pytest
import sqlalchemy as sa

from tests.apps import make_app, user_with
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.services.access import CreateRole, CreateUser
from xs_app.services.agenda import (
    ChangeLocationMaximum,
    CompleteAppointment,
    CreateLocation,
    MoveAvailability,
    PlanAppointment,
    PlanAvailability,
    PlanSeries,
    RegisterActivity,
    ReleasedActivities,
    RemoveAppointment,
    RemoveAvailability,
    RequestAppointment,
)
from xs_app.services.organisation import CreateEmployer, EmploymentTerms, RegisterEmployee
from xs_core.access.features import Feature
from xs_core.agenda.model import ActivityStatus
from xs_core.dates import DateRange
from xs_core.errors import Conflict, DomainError, NotFound
from xs_core.organisation.units import UnitKind, UnitRef

D = _dt.date


def at(hour: int, minute: int = 0, day: int = 1) -> pendulum.DateTime:
    return pendulum.datetime(2026, 12, day, hour, minute, tz="Europe/Amsterdam")


@attrs.define
class Agenda:
    xs: Xs
    admin: uuid.UUID
    planner: uuid.UUID  # may plan, not change the formal request date
    employee: uuid.UUID
    rooms: uuid.UUID  # a location with two consultation rooms
    professionals: list[uuid.UUID]  # users who hold availabilities
    used: itertools.count[int] = attrs.field(factory=itertools.count)

    def professional(self) -> uuid.UUID:
        """A professional who has no availability yet (R4.3: one place at a time); safe to
        call from racing threads."""
        return self.professionals[next(self.used)]


def _make(xs: Xs) -> Agenda:
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
    planner = user_with(
        xs,
        admin,
        "planner@example.nl",
        frozenset(
            {
                Feature.PLAN_AVAILABILITIES,
                Feature.REGISTER_ACTIVITIES,
                Feature.REQUEST_APPOINTMENTS,
            }
        ),
        frozenset({UnitRef(UnitKind.EMPLOYER, employer)}),
        name="Planner",
    )
    rooms = xs.agenda.create_location(CreateLocation(actor=admin, name="Locatie A", max_parallel=2))
    role = xs.access.create_role(
        CreateRole(
            actor=admin, name="Professional", features=frozenset({Feature.HOLD_AVAILABILITIES})
        )
    )
    professionals = [
        xs.access.create_user(
            CreateUser(
                actor=admin,
                name=f"Arts {n}",
                email=f"arts{n}@example.nl",
                role_ids=frozenset({role}),
            )
        )
        for n in range(16)
    ]
    return Agenda(xs, admin, planner, employee, rooms, professionals)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def agenda(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Agenda]:
    xs = make_app(request, clock, request.param)
    yield _make(xs)
    xs.close()


@pytest.fixture(params=["sqlite", "postgres"])
def sql_agenda(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Agenda]:
    xs = make_app(request, clock, request.param)
    yield _make(xs)
    xs.close()


def plan(
    a: Agenda, start: pendulum.DateTime, end: pendulum.DateTime, location: uuid.UUID | None = None
) -> uuid.UUID:
    return a.xs.agenda.plan_availability(
        PlanAvailability(
            actor=a.planner,
            professional_id=a.professional(),
            location_id=location or a.rooms,
            start=start,
            end=end,
        )
    )


def test_r4_1_formal_request_date(agenda: Agenda) -> None:
    period = DateRange.from_inclusive(D(2026, 12, 7), D(2026, 12, 11))
    default = agenda.xs.agenda.request_appointment(
        RequestAppointment(
            actor=agenda.planner,
            employee_id=agenda.employee,
            purpose="Spreekuur",
            desired_period=period,
        )
    )
    assert default.formal_request_date == D(2026, 11, 29)  # today, from the clock
    with pytest.raises(DomainError) as refused:
        agenda.xs.agenda.request_appointment(
            RequestAppointment(
                actor=agenda.planner,
                employee_id=agenda.employee,
                purpose="Spreekuur",
                desired_period=period,
                formal_request_date=D(2026, 11, 1),
            )
        )
    assert refused.value.code == "agenda.formal_date_not_allowed"
    earlier = agenda.xs.agenda.request_appointment(
        RequestAppointment(
            actor=agenda.admin,
            employee_id=agenda.employee,
            purpose="Spreekuur",
            desired_period=period,
            formal_request_date=D(2026, 11, 1),
        )
    )
    assert earlier.formal_request_date == D(2026, 11, 1)
    names = [m.name for m in agenda.xs.outbox.pending(1000)]
    assert names.count("AppointmentRequested") == 2  # the refusal changed nothing


def test_r4_3_worked_example_and_the_refusal_names_the_moments(agenda: Agenda) -> None:
    nine_ten = plan(agenda, at(9), at(10))
    ten_eleven = plan(agenda, at(10), at(11))
    plan(agenda, at(9), at(11))  # fits: never more than two at once
    with pytest.raises(DomainError) as refused:
        plan(agenda, at(9, 30), at(10, 30))
    error = refused.value
    assert error.code == "agenda.capacity_exceeded"
    assert error.details["moments"] == ["01-12-2026 09:30–10:00", "01-12-2026 10:00–10:30"]
    involved = [set(c["availabilities"]) for c in error.details["conflicts"]]
    assert str(nine_ten) in involved[0] and str(ten_eleven) in involved[1]
    assert "09:30–10:00" in error.message("nl") and "exceeded" in error.message("en")
    # touching does not count; another location is unaffected
    plan(agenda, at(11), at(12))
    plan(agenda, at(11), at(12))


def test_r4_3_lowering_the_limit_keeps_existing_and_moving_is_checked(agenda: Agenda) -> None:
    first = plan(agenda, at(9), at(10))
    plan(agenda, at(9), at(10))
    agenda.xs.agenda.change_maximum(
        ChangeLocationMaximum(actor=agenda.admin, location_id=agenda.rooms, max_parallel=1)
    )
    other = plan(agenda, at(14), at(15))
    with pytest.raises(DomainError):
        agenda.xs.agenda.move_availability(
            MoveAvailability(
                actor=agenda.planner,
                availability_id=other,
                location_id=agenda.rooms,
                start=at(9, 30),
                end=at(10, 30),
            )
        )
    # moving within its own slot only counts the others
    agenda.xs.agenda.move_availability(
        MoveAvailability(
            actor=agenda.planner,
            availability_id=other,
            location_id=agenda.rooms,
            start=at(14, 30),
            end=at(15, 30),
        )
    )
    with pytest.raises(DomainError) as invalid:
        agenda.xs.agenda.change_maximum(
            ChangeLocationMaximum(actor=agenda.admin, location_id=agenda.rooms, max_parallel=0)
        )
    assert invalid.value.code == "agenda.invalid_maximum"
    assert first  # the two over-limit availabilities stay


def test_r4_3_series_all_or_nothing_listing_every_conflict(agenda: Agenda) -> None:
    plan(agenda, at(9, day=8), at(10, day=8))
    plan(agenda, at(9, day=8), at(10, day=8))
    plan(agenda, at(9, day=22), at(10, day=22))
    plan(agenda, at(9, day=22), at(10, day=22))
    with pytest.raises(DomainError) as refused:
        agenda.xs.agenda.plan_series(
            PlanSeries(
                actor=agenda.planner,
                professional_id=agenda.professional(),
                location_id=agenda.rooms,
                start=at(9, 30),
                end=at(10, 30),
                until=D(2026, 12, 29),
            )
        )
    occurrences = refused.value.details["occurrences"]
    assert [o["occurrence"] for o in occurrences] == [
        "08-12-2026 09:30–10:30",
        "22-12-2026 09:30–10:30",
    ]
    planned = agenda.xs.agenda.plan_series(
        PlanSeries(
            actor=agenda.planner,
            professional_id=agenda.professional(),
            location_id=agenda.rooms,
            start=at(13),
            end=at(14),
            until=D(2026, 12, 29),
        )
    )
    assert len(planned) == 4  # 1, 8, 15 and 22 December


def test_r4_4_activities_on_appointments(agenda: Agenda) -> None:
    slot = plan(agenda, at(9), at(12))
    appointment = agenda.xs.agenda.plan_appointment(
        PlanAppointment(
            actor=agenda.planner,
            availability_id=slot,
            employee_id=agenda.employee,
            start=at(9),
            end=at(9, 30),
        )
    )
    draft = agenda.xs.agenda.register_activity(
        RegisterActivity(
            actor=agenda.planner,
            employee_id=agenda.employee,
            activity_type="Spreekuur",
            performed_on=D(2026, 12, 1),
            appointment_id=appointment,
        )
    )
    loose = agenda.xs.agenda.register_activity(
        RegisterActivity(
            actor=agenda.planner,
            employee_id=agenda.employee,
            activity_type="Telefonisch",
            performed_on=D(2026, 12, 1),
        )
    )
    assert draft.status is ActivityStatus.DRAFT and draft.notice is not None
    december = DateRange(D(2026, 12, 1), D(2027, 1, 1))
    assert [
        a.id
        for a in agenda.xs.agenda.released_activities(
            ReleasedActivities(actor=agenda.admin, period=december)
        )
    ] == [loose.id]
    assert agenda.xs.agenda.complete_appointment(
        CompleteAppointment(actor=agenda.planner, appointment_id=appointment)
    ) == [draft.id]
    assert {
        a.id
        for a in agenda.xs.agenda.released_activities(
            ReleasedActivities(actor=agenda.admin, period=december)
        )
    } == {draft.id, loose.id}
    other = agenda.xs.agenda.plan_appointment(
        PlanAppointment(
            actor=agenda.planner,
            availability_id=slot,
            employee_id=agenda.employee,
            start=at(10),
            end=at(10, 30),
        )
    )
    gone = agenda.xs.agenda.register_activity(
        RegisterActivity(
            actor=agenda.planner,
            employee_id=agenda.employee,
            activity_type="Spreekuur",
            performed_on=D(2026, 12, 1),
            appointment_id=other,
        )
    )
    assert agenda.xs.agenda.remove_appointment(
        RemoveAppointment(actor=agenda.planner, appointment_id=other)
    ) == [gone.id]
    assert gone.id not in {
        a.id
        for a in agenda.xs.agenda.released_activities(
            ReleasedActivities(actor=agenda.admin, period=december)
        )
    }


def test_r4_3_racing_planners_never_exceed_the_limit(sql_agenda: Agenda) -> None:
    """Twelve planners on their own connections race for two places at the same moment."""
    racers = 12
    barrier = threading.Barrier(racers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def race() -> None:
        barrier.wait()
        try:
            plan(sql_agenda, at(9), at(10))
            outcome = "planned"
        except DomainError as error:
            outcome = error.code
        except Exception as error:
            outcome = repr(error)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=race) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["agenda.capacity_exceeded"] * (racers - 2) + ["planned"] * 2
    with sql_agenda.xs.container.engine().connect() as connection:
        stored = connection.execute(sa.text("SELECT count(*) FROM availabilities")).scalar_one()
    assert stored == 2


def test_r4_3_a_professional_is_a_user_who_holds_availabilities(agenda: Agenda) -> None:
    xs = agenda.xs
    unknown = uuid.uuid4()
    for professional in (unknown, agenda.planner):  # unknown, and a user who is no professional
        with pytest.raises(NotFound) as refused:
            xs.agenda.plan_availability(
                PlanAvailability(
                    actor=agenda.planner,
                    professional_id=professional,
                    location_id=agenda.rooms,
                    start=at(9),
                    end=at(10),
                )
            )
        assert refused.value.details == {"kind": "professional", "id": str(professional)}


def test_r4_3_a_professional_is_in_one_place_at_a_time(agenda: Agenda) -> None:
    xs = agenda.xs
    other = xs.agenda.create_location(CreateLocation(actor=agenda.admin, name="Locatie B"))
    doctor = agenda.professional()

    def plan_for(
        location: uuid.UUID, start: pendulum.DateTime, end: pendulum.DateTime
    ) -> uuid.UUID:
        return xs.agenda.plan_availability(
            PlanAvailability(
                actor=agenda.planner,
                professional_id=doctor,
                location_id=location,
                start=start,
                end=end,
            )
        )

    first = plan_for(agenda.rooms, at(9), at(10))
    with pytest.raises(Conflict) as clash:
        plan_for(other, at(9, 30), at(11))  # partial overlap, at another location
    assert clash.value.code == "agenda.professional_double_booked"
    assert clash.value.details["availabilities"] == [str(first)]
    plan_for(other, at(10), at(11))  # touching does not overlap (R0.2)
    # the same instant written in another zone is the same instant (R0.1)
    with pytest.raises(Conflict):
        plan_for(other, at(9).in_timezone("UTC"), at(9, 15).in_timezone("America/New_York"))
    with pytest.raises(Conflict):  # moving onto another of their availabilities
        xs.agenda.move_availability(
            MoveAvailability(
                actor=agenda.planner,
                availability_id=first,
                location_id=agenda.rooms,
                start=at(10, 30),
                end=at(11, 30),
            )
        )


def test_r4_4_appointments_of_an_availability_never_overlap(agenda: Agenda) -> None:
    xs = agenda.xs
    slot = plan(agenda, at(9), at(12))

    def appoint(start: pendulum.DateTime, end: pendulum.DateTime) -> uuid.UUID:
        return xs.agenda.plan_appointment(
            PlanAppointment(
                actor=agenda.planner,
                availability_id=slot,
                employee_id=agenda.employee,
                start=start,
                end=end,
            )
        )

    first = appoint(at(9), at(9, 30))
    with pytest.raises(Conflict) as clash:
        appoint(at(9, 15), at(9, 45))
    assert clash.value.code == "agenda.appointments_overlap"
    appoint(at(9, 30), at(10))  # touching
    with pytest.raises(DomainError) as outside:
        appoint(at(11, 30), at(12, 30))
    assert outside.value.code == "agenda.appointment_outside_availability"
    xs.agenda.remove_appointment(RemoveAppointment(actor=agenda.planner, appointment_id=first))
    appoint(at(9, 15), at(9, 30))  # a removed appointment frees its time


def test_r4_3_moving_or_removing_an_availability_keeps_its_appointments_inside(
    agenda: Agenda,
) -> None:
    xs = agenda.xs
    slot = plan(agenda, at(9), at(12))
    appointment = xs.agenda.plan_appointment(
        PlanAppointment(
            actor=agenda.planner,
            availability_id=slot,
            employee_id=agenda.employee,
            start=at(11),
            end=at(11, 30),
        )
    )
    before = len(xs.outbox.pending(1000))
    with pytest.raises(Conflict) as outside:
        xs.agenda.move_availability(
            MoveAvailability(
                actor=agenda.planner,
                availability_id=slot,
                location_id=agenda.rooms,
                start=at(8),
                end=at(11),
            )
        )
    assert outside.value.code == "agenda.appointments_outside"
    assert outside.value.details["appointments"] == [str(appointment)]
    with pytest.raises(Conflict) as held:
        xs.agenda.remove_availability(
            RemoveAvailability(actor=agenda.planner, availability_id=slot)
        )
    assert held.value.code == "agenda.availability_has_appointments"
    assert len(xs.outbox.pending(1000)) == before  # refusals changed nothing
    xs.agenda.move_availability(  # the appointment stays inside: allowed
        MoveAvailability(
            actor=agenda.planner,
            availability_id=slot,
            location_id=agenda.rooms,
            start=at(10),
            end=at(13),
        )
    )
    xs.agenda.remove_appointment(
        RemoveAppointment(actor=agenda.planner, appointment_id=appointment)
    )
    xs.agenda.remove_availability(RemoveAvailability(actor=agenda.planner, availability_id=slot))
    names = [m.name for m in xs.outbox.pending(1000)]
    assert names[-1] == "AvailabilityRemoved"
    plan(agenda, at(10), at(13))  # its place is free again
    plan(agenda, at(10), at(13))


def test_r4_3_racing_planners_never_double_book_a_professional(sql_agenda: Agenda) -> None:
    """Planners at different locations race to book one professional at the same time; five
    rounds, each at another hour."""
    xs, racers = sql_agenda.xs, 6
    doctor = sql_agenda.professional()
    locations = [
        xs.agenda.create_location(CreateLocation(actor=sql_agenda.admin, name=f"Kamer {n}"))
        for n in range(racers)
    ]
    for hour in range(9, 14):
        barrier = threading.Barrier(racers)
        outcomes: list[str] = []

        def race(
            location: uuid.UUID,
            hour: int = hour,
            outcomes: list[str] = outcomes,
            barrier: threading.Barrier = barrier,
        ) -> None:
            command = PlanAvailability(
                actor=sql_agenda.planner,
                professional_id=doctor,
                location_id=location,
                start=at(hour),
                end=at(hour + 1),
            )
            barrier.wait()
            try:
                xs.agenda.plan_availability(command)
                outcomes.append("planned")
            except DomainError as error:
                outcomes.append(error.code)
            except Exception as error:  # pragma: no cover - the failure this test exists for
                outcomes.append(repr(error))

        threads = [threading.Thread(target=race, args=(loc,)) for loc in locations]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["agenda.professional_double_booked"] * (racers - 1) + [
            "planned"
        ]
