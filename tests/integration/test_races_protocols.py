"""Protocols and trajectories under real concurrent connections (R2.1–R2.5), on SQLite and
PostgreSQL; see docs/concurrency.md.

Every start of a protocol — single, sickness report, bulk, and a closing that moves a planned
end — locks the protocol's row, so that "no two overlapping trajectories of one protocol for one
employee" (R2.2) is checked against committed state only. Before that lock, four bulk requests
with different request ids for the same 300 employees started 1,200 trajectories on PostgreSQL.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from functools import partial

import attrs
import pytest
import sqlalchemy as sa

from tests.races import ENGINES, codes, events, race, sql_app
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.services.employments import ChangeEmployment
from xs_app.services.organisation import (
    ChangeEmployee,
    CreateDepartment,
    CreateEmployer,
    EmploymentTerms,
    GetEmployee,
    RegisterEmployee,
)
from xs_app.services.protocols import (
    BulkStart,
    CloseTrajectory,
    CreateProtocol,
    ReportRecovery,
    ReportSickness,
    StartTrajectory,
    TrajectoriesOf,
)
from xs_core.protocols.bulk import BulkStartRequest, BulkUnit, SkipReason
from xs_core.protocols.model import ProtocolCharacteristics, ProtocolKind, TaskTemplate

D = _dt.date
RACERS = 4


@pytest.fixture(params=ENGINES)
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    yield from sql_app(request, clock)


@attrs.define
class Staff:
    xs: Xs
    admin: uuid.UUID
    employer: uuid.UUID
    department: uuid.UUID
    people: list[uuid.UUID]
    pmo: uuid.UUID
    sickness: uuid.UUID


def staff(xs: Xs, count: int) -> Staff:
    admin = xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
    employer = xs.organisation.create_employer(CreateEmployer(actor=admin, name="Bakkerij"))
    department = xs.organisation.create_department(
        CreateDepartment(actor=admin, employer_id=employer, name="Productie")
    )
    people = [
        xs.organisation.register_employee(
            RegisterEmployee(
                actor=admin,
                first_name=f"Mens{n}",
                last_name="Jansen",
                birth_date=D(1960, 1, 1),
                employment=EmploymentTerms(
                    employer_id=employer, department_id=department, start=D(2023, 1, 1)
                ),
            )
        )
        for n in range(count)
    ]
    pmo = xs.protocols.create_protocol(
        CreateProtocol(
            actor=admin,
            name="PMO",
            kind=ProtocolKind.PMO,
            task_templates=(TaskTemplate(code="VRAGENLIJST", title="Vragenlijst"),),
            characteristics=ProtocolCharacteristics(
                may_start_in_bulk=True, end_date_may_be_in_future=True
            ),
        )
    )
    sickness = xs.protocols.create_protocol(
        CreateProtocol(actor=admin, name="Verzuim", kind=ProtocolKind.SICKNESS)
    )
    return Staff(xs, admin, employer, department, people, pmo, sickness)


def trajectories(s: Staff, employee: uuid.UUID) -> list[tuple[object, ...]]:
    return [
        (x.protocol_id, x.period.start, x.period.end)
        for x in s.xs.trajectories.trajectories_of(
            TrajectoriesOf(actor=s.admin, employee_id=employee)
        )
    ]


def count(xs: Xs, sql: str) -> int:
    with xs.container.engine().connect() as connection:
        return int(connection.execute(sa.text(sql)).scalar_one())


def test_r2_2_racing_starts_give_one_trajectory(app: Xs) -> None:
    """Four starts of one protocol for one employee at once (three employees in turn): one
    trajectory each, the other starts refused with ``trajectory.overlaps``."""
    s = staff(app, 3)
    for person in s.people:
        start = partial(
            app.trajectories.start_trajectory,
            StartTrajectory(
                actor=s.admin, protocol_id=s.pmo, employee_id=person, start=D(2026, 11, 1)
            ),
        )
        assert codes(race(*[start] * RACERS)) == ["ok"] + ["trajectory.overlaps"] * (RACERS - 1)
        assert trajectories(s, person) == [(s.pmo, D(2026, 11, 1), None)]
    assert len(events(app, "TrajectoryStarted")) == 3


def test_r2_5_racing_sickness_reports_give_one_trajectory(app: Xs) -> None:
    s = staff(app, 3)
    for person in s.people:
        report = partial(
            app.trajectories.report_sickness,
            ReportSickness(
                actor=s.admin,
                protocol_id=s.sickness,
                employee_id=person,
                first_sick_day=D(2026, 11, 2),
            ),
        )
        assert codes(race(*[report] * RACERS)) == ["ok"] + ["trajectory.overlaps"] * (RACERS - 1)
        assert trajectories(s, person) == [(s.sickness, D(2026, 11, 2), None)]


def bulk(s: Staff, **changes: object) -> BulkStart:
    request = BulkStartRequest(
        request_id=uuid.uuid4(),
        protocol_id=s.pmo,
        unit=BulkUnit(department_id=s.department),
        start=D(2026, 12, 1),
        end_date=D(2027, 5, 31),
    )
    return BulkStart(actor=s.admin, request=attrs.evolve(request, **changes))  # type: ignore[arg-type]


def test_r2_2_racing_bulk_starts_with_other_request_ids_start_each_employee_once(
    app: Xs,
) -> None:
    """Four bulk requests with *different* request ids for the same protocol, unit and period
    at once: one starts all 40 employees; the other three start nobody, every employee skipped
    as ``already_open_trajectory`` (the old code started 4 × 40 on PostgreSQL)."""
    s = staff(app, 40)
    results = race(*[partial(app.bulk_start.start, bulk(s)) for _ in range(RACERS)])
    assert codes(results) == ["ok"] * RACERS
    started = sorted(r.value.started for r in results)  # type: ignore[attr-defined]
    assert started == [0] * (RACERS - 1) + [40]
    for result in results:
        if result.value.started == 0:  # type: ignore[attr-defined]
            reasons = result.value.skipped_by_reason()  # type: ignore[attr-defined]
            assert reasons == {SkipReason.ALREADY_OPEN: 40}
    assert count(app, "SELECT count(*) FROM trajectories") == 40
    assert count(app, "SELECT count(DISTINCT employee_id) FROM trajectories") == 40
    assert count(app, "SELECT count(*) FROM trajectory_tasks") == 40
    assert sorted(p["started"] for p in events(app, "TrajectoriesStartedInBulk")) == started


def test_r2_2_a_bulk_start_and_a_single_start_at_once(app: Xs) -> None:
    """A bulk start and a single start of the same protocol for one of its employees at once:
    the employee gets one trajectory, whichever came first."""
    s = staff(app, 5)
    for person in s.people[:3]:
        single = partial(
            app.trajectories.start_trajectory,
            StartTrajectory(
                actor=s.admin,
                protocol_id=s.pmo,
                employee_id=person,
                start=D(2026, 12, 1),
                end_date=D(2027, 5, 31),
            ),
        )
        request = bulk(s, employee_ids=frozenset({person}))
        one, many = race(single, partial(app.bulk_start.start, request))
        assert many.ok, many
        if one.ok:
            assert many.value.skipped_by_reason() == {SkipReason.ALREADY_OPEN: 1}  # type: ignore[attr-defined]
        else:
            assert one.code == "trajectory.overlaps"
            assert many.value.started == 1  # type: ignore[attr-defined]
        assert len(trajectories(s, person)) == 1


def test_r2_2_closing_later_and_starting_anew_at_once(app: Xs) -> None:
    """A trajectory planned until 31 May 2027 is closed on 31 July 2027 (the protocol allows a
    future end) while a new trajectory of the protocol is started on 1 June 2027: a closing
    takes the protocol's lock too, so exactly one of them succeeds and nothing overlaps."""
    s = staff(app, 3)
    for person in s.people:
        first = app.trajectories.start_trajectory(
            StartTrajectory(
                actor=s.admin,
                protocol_id=s.pmo,
                employee_id=person,
                start=D(2026, 12, 1),
                end_date=D(2027, 5, 31),
            )
        )
        close, start = race(
            partial(
                app.trajectories.close_trajectory,
                CloseTrajectory(actor=s.admin, trajectory_id=first, end_date=D(2027, 7, 31)),
            ),
            partial(
                app.trajectories.start_trajectory,
                StartTrajectory(
                    actor=s.admin, protocol_id=s.pmo, employee_id=person, start=D(2027, 6, 1)
                ),
            ),
        )
        assert sorted([close.ok, start.ok]) == [False, True], (close, start)
        assert (close.code if not close.ok else start.code) == "trajectory.overlaps"
        periods = trajectories(s, person)
        if close.ok:
            assert periods == [(s.pmo, D(2026, 12, 1), D(2027, 8, 1))]
        else:
            assert periods == [(s.pmo, D(2026, 12, 1), D(2027, 6, 1)), (s.pmo, D(2027, 6, 1), None)]


def test_r2_4_racing_closings_close_once(app: Xs) -> None:
    """Four closings of one open trajectory on past dates at once: one closes it, the others
    find it already closed."""
    s = staff(app, 1)
    trajectory = app.trajectories.start_trajectory(
        StartTrajectory(
            actor=s.admin, protocol_id=s.pmo, employee_id=s.people[0], start=D(2026, 1, 1)
        )
    )
    outcomes = race(
        *[
            partial(
                app.trajectories.close_trajectory,
                CloseTrajectory(actor=s.admin, trajectory_id=trajectory, end_date=D(2026, 10, day)),
            )
            for day in range(1, RACERS + 1)
        ]
    )
    assert codes(outcomes) == ["ok"] + ["trajectory.already_closed"] * (RACERS - 1)
    assert len(events(app, "TrajectoryClosed")) == 1


def test_r2_5_racing_full_recoveries_are_reported_once(app: Xs) -> None:
    """Four full recoveries of one sickness at once: one is recorded, the others are told the
    employee has already recovered (no lost or doubled report, no key violation)."""
    s = staff(app, 2)
    for person in s.people:
        sick = app.trajectories.report_sickness(
            ReportSickness(
                actor=s.admin,
                protocol_id=s.sickness,
                employee_id=person,
                first_sick_day=D(2026, 11, 2),
            )
        )
        outcomes = race(
            *[
                partial(
                    app.trajectories.report_recovery,
                    ReportRecovery(actor=s.admin, trajectory_id=sick.id, date=D(2026, 11, 20)),
                )
                for _ in range(RACERS)
            ]
        )
        assert codes(outcomes) == ["ok"] + ["sickness.already_recovered"] * (RACERS - 1)
    assert count(app, "SELECT count(*) FROM recovery_reports") == 2


def test_r2_3_starting_a_trajectory_while_the_employment_changes(app: Xs) -> None:
    """A trajectory started while the employee's employment changes keeps its employment: the
    employments are updated in place, never deleted and re-inserted (which set the trajectory's
    ``employment_id`` to NULL, and on PostgreSQL failed the start's foreign-key check)."""
    s = staff(app, 4)
    for n, person in enumerate(s.people):
        employment = app.organisation.employee(
            GetEmployee(actor=s.admin, employee_id=person)
        ).employments[0]
        start, change = race(
            partial(
                app.trajectories.start_trajectory,
                StartTrajectory(
                    actor=s.admin, protocol_id=s.pmo, employee_id=person, start=D(2026, 11, 1)
                ),
            ),
            partial(
                app.employments.change_employment,
                ChangeEmployment(
                    actor=s.admin,
                    employee_id=person,
                    employment_id=employment.id,
                    effective=D(2026, 6, 1),
                    job_title=f"Bakker {n}",
                ),
            ),
        )
        assert (start.code, change.code) == ("ok", "ok")
        (trajectory,) = app.trajectories.trajectories_of(
            TrajectoriesOf(actor=s.admin, employee_id=person)
        )
        assert trajectory.employment_id == employment.id


def test_r2_3_changing_an_employee_keeps_the_employment_of_their_trajectories(app: Xs) -> None:
    """Not a race: any change of an employee used to delete and re-insert their employments,
    which set ``employment_id`` of their trajectories to NULL."""
    s = staff(app, 1)
    (person,) = s.people
    app.trajectories.start_trajectory(
        StartTrajectory(actor=s.admin, protocol_id=s.pmo, employee_id=person, start=D(2026, 11, 1))
    )
    employment = app.organisation.employee(GetEmployee(actor=s.admin, employee_id=person))
    app.organisation.change_employee(
        ChangeEmployee(actor=s.admin, employee_id=person, first_name="Anne")
    )
    app.employments.change_employment(
        ChangeEmployment(
            actor=s.admin,
            employee_id=person,
            employment_id=employment.employments[0].id,
            effective=D(2026, 6, 1),
            hours_per_week=Decimal(32),
        )
    )
    (trajectory,) = app.trajectories.trajectories_of(
        TrajectoriesOf(actor=s.admin, employee_id=person)
    )
    assert trajectory.employment_id == employment.employments[0].id
    changed = app.organisation.employee(GetEmployee(actor=s.admin, employee_id=person))
    assert [v.conditions.hours_per_week for v in changed.employments[0].versions] == [
        Decimal(40),
        Decimal(32),
    ]


def test_r3_1_a_bulk_sickness_start_and_a_sickness_report_under_another_protocol_at_once(
    app: Xs,
) -> None:
    """A bulk start of one sickness protocol and a sickness report under another, for the same
    employee at once: one absence, never two (R3.1 one absence at a time) — the bulk start
    locks the employees' rows as the report locks its employee's."""
    s = staff(app, 3)
    in_bulk = app.protocols.create_protocol(
        CreateProtocol(
            actor=s.admin,
            name="Verzuim (bulk)",
            kind=ProtocolKind.SICKNESS,
            characteristics=ProtocolCharacteristics(
                may_start_in_bulk=True, bulk_end_date_may_be_empty=True
            ),
        )
    )
    for person in s.people:
        single = partial(
            app.trajectories.report_sickness,
            ReportSickness(
                actor=s.admin,
                protocol_id=s.sickness,
                employee_id=person,
                first_sick_day=D(2026, 11, 20),
            ),
        )
        request = bulk(
            s,
            protocol_id=in_bulk,
            start=D(2026, 11, 20),
            end_date=None,
            employee_ids=frozenset({person}),
        )
        one, many = race(single, partial(app.bulk_start.start, request))
        assert many.ok, many
        if one.ok:
            assert many.value.skipped_by_reason() == {SkipReason.OVERLAPPING_ABSENCE: 1}  # type: ignore[attr-defined]
        else:
            assert one.code == "sickness.overlapping_absence"
            assert many.value.started == 1  # type: ignore[attr-defined]
        assert len(trajectories(s, person)) == 1
