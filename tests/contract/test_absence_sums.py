"""Contract of R3.1's set-based sums on memory, SQLite and PostgreSQL: for random small worlds
(employments at three employers with departments and a sub-department, version changes of
department and hours, part-timers, employees employed twice, sickness reports with partial
recovery steps, full recoveries, closed and open trajectories, relapses), the rows computed from
the storage's sums per (employer, department) equal the reference — the per-employee tally over
the same world in the memory store — for a folder, an employer and a department."""

from __future__ import annotations

import uuid
from decimal import Decimal

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_adapters.clock import FixedClock
from xs_adapters.memory import MemoryStore, MemoryUnitOfWork
from xs_adapters.sql import absence_sums
from xs_core.dates import DateRange
from xs_core.organisation.model import Department, Employee, Employer, Employment, Folder
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.protocols.model import Protocol, ProtocolKind, Trajectory
from xs_core.reports import DEFAULT_DURATION_CATEGORIES, DurationCategories, UnitTree
from xs_core.reports.absence import absence_per_unit
from xs_core.reports.sums import absence_from_sums
from xs_core.uow import UnitOfWork

D = pendulum.Date
TODAY = D(2026, 11, 29)
DAY0 = D(2025, 12, 1)
PERIOD = DateRange(D(2026, 1, 1), D(2026, 3, 1))


@attrs.frozen
class Job:
    employer: int  # 0, 1 in the report; 2 outside it
    start: int
    length: int | None
    department: int | None  # 0, 1 (below 0) at employer 0; 2 at employer 1
    hours: Decimal
    change: tuple[int, int | None, Decimal] | None  # days after start, department, hours


@attrs.frozen
class Sickness:
    gap: int
    steps: tuple[tuple[int, int], ...]  # days after the previous step, recovered %
    closed_after: int | None


@attrs.frozen
class Person:
    jobs: tuple[Job, ...]
    sickness: tuple[Sickness, ...]


_DEPARTMENTS_AT = {0: [0, 1], 1: [2], 2: []}


@st.composite
def jobs(draw: st.DrawFn) -> Job:
    employer = draw(st.integers(0, 2))
    own = _DEPARTMENTS_AT[employer]
    departments = st.sampled_from([None, *own])
    hours = st.integers(100, 6000).map(lambda n: Decimal(n) / 100)
    length = draw(st.one_of(st.none(), st.integers(1, 90)))
    change = None
    if draw(st.booleans()) and (length is None or length > 1):
        after = draw(st.integers(1, 60 if length is None else length - 1))
        change = (after, draw(departments), draw(hours))
    return Job(employer, draw(st.integers(0, 90)), length, draw(departments), draw(hours), change)


sicknesses = st.builds(
    Sickness,
    gap=st.integers(0, 30),
    steps=st.lists(st.tuples(st.integers(1, 30), st.integers(1, 100)), max_size=3).map(
        lambda steps: tuple(s for i, s in enumerate(steps) if s[1] < 100 or i == len(steps) - 1)
    ),
    closed_after=st.one_of(st.none(), st.integers(0, 80)),
)
people = st.builds(
    Person,
    jobs=st.lists(jobs(), min_size=1, max_size=3).map(tuple),
    sickness=st.lists(sicknesses, max_size=3).map(tuple),
)


@attrs.frozen
class World:
    folder: uuid.UUID
    employers: tuple[uuid.UUID, ...]
    departments: tuple[uuid.UUID, ...]


def _day(offset: int) -> pendulum.Date:
    return DAY0.add(days=offset)


def _store(uow: UnitOfWork, persons: list[Person], protocols: list[Protocol]) -> World:
    """The world in one unit of work (fresh units, so examples never meet)."""
    folder = Folder.create(f"Map {uuid.uuid4().hex[:6]}")
    employers = [
        Employer.create(f"W{n}", f"W{uuid.uuid4().hex[:10]}", folder.id if n < 2 else None)
        for n in range(3)
    ]
    top = Department.create(employers[0].id, "Verkoop", "VK")
    below = Department.create(employers[0].id, "Binnendienst", "BD", parent_id=top.id)
    other = Department.create(employers[1].id, "Productie", "PR")
    departments = [top, below, other]
    uow.folders.add(folder)
    for employer in employers:
        uow.employers.add(employer)
    for department in departments:
        uow.departments.add(department)
    for person in persons:
        employee = Employee.register("Anna", "Jansen")
        for job in person.jobs:
            start = _day(job.start)
            end = None if job.length is None else _day(job.start + job.length)
            employment = Employment.create(
                id=uuid.uuid4(),
                employer_id=employers[job.employer].id,
                period=DateRange(start, end),
                department_id=None if job.department is None else departments[job.department].id,
                hours_per_week=job.hours,
            )
            if job.change is not None:
                after, department, hours = job.change
                employment.change(
                    start.add(days=after),
                    department_id=None if department is None else departments[department].id,
                    hours_per_week=hours,
                )
            employee.add_employment(employment)
        uow.employees.add(employee)
        day = 0
        for number, sickness in enumerate(person.sickness):
            day += sickness.gap
            first = _day(day)
            trajectory = Trajectory.start_sickness(
                protocols[number], employee.id, first, TODAY, None, None
            )
            step = day
            for after, percentage in sickness.steps:
                step += after
                trajectory.report_recovery(_day(step), percentage, TODAY)
            if sickness.closed_after is not None:
                trajectory.close(first.add(days=sickness.closed_after), TODAY, protocols[number])
            uow.trajectories.add(trajectory)
            absence = trajectory.absence_period()
            if absence.end is None:
                break  # still absent: no later report
            day = (absence.end - DAY0).days
    return World(folder.id, tuple(e.id for e in employers), tuple(d.id for d in departments))


def _tree(world: World, unit: str) -> tuple[UnitTree, list[uuid.UUID]]:
    """The folder (both employers, their departments), one employer, or one department."""
    tree = UnitTree()
    f = UnitRef(UnitKind.FOLDER, world.folder)
    e0, e1 = (UnitRef(UnitKind.EMPLOYER, e) for e in world.employers[:2])
    v0, v1, v2 = (UnitRef(UnitKind.DEPARTMENT, d) for d in world.departments)
    if unit == "folder":
        tree.add(f, "Map", None)
        tree.add(e0, "W0", "W0", (f,))
        tree.add(v0, "Verkoop", "VK", (f, e0), e0.id)
        tree.add(v1, "Binnendienst", "BD", (f, e0, v0), e0.id)
        tree.add(e1, "W1", "W1", (f,))
        tree.add(v2, "Productie", "PR", (f, e1), e1.id)
    elif unit == "employer":
        tree.add(e0, "W0", "W0")
        tree.add(v0, "Verkoop", "VK", (e0,), e0.id)
        tree.add(v1, "Binnendienst", "BD", (e0, v0), e0.id)
    else:
        tree.add(v0, "Verkoop", "VK", (), e0.id)
        tree.add(v1, "Binnendienst", "BD", (v0,), e0.id)
    return tree, sorted(tree.employer_ids)


class AbsenceSumsContract:
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
            HealthCheck.too_slow,
        ],
    )
    @example(  # on the boundaries: sick on the period's first day, recovered on a change day
        persons=[
            Person(
                (Job(0, 0, None, 0, Decimal(20), (47, 1, Decimal("32.5"))),),
                (Sickness(31, ((16, 100),), None),),
            )
        ],
        unit="folder",
        categories=DEFAULT_DURATION_CATEGORIES,
    )
    @example(  # employed twice at W0 on the sick days; a relapse; closed before recovery
        persons=[
            Person(
                (
                    Job(0, 10, None, 0, Decimal(40), None),
                    Job(0, 20, 60, 1, Decimal(16), None),
                    Job(1, 0, None, None, Decimal(24), None),
                ),
                (
                    Sickness(40, ((5, 50), (5, 100)), None),
                    Sickness(3, ((2, 100),), None),
                    Sickness(0, ((10, 30),), 20),
                ),
            ),
            Person((Job(1, 5, None, 2, Decimal(36), None),), (Sickness(25, ((10, 30),), 20),)),
        ],
        unit="folder",
        categories=DurationCategories((3, 20)),
    )
    @given(
        persons=st.lists(people, max_size=6),
        unit=st.sampled_from(["folder", "employer", "department"]),
        categories=st.sampled_from([DEFAULT_DURATION_CATEGORIES, DurationCategories((3, 20))]),
    )
    def test_r3_1_sums_give_the_rows_of_the_reference_tally(
        self,
        uow_factory: UowFactory,
        persons: list[Person],
        unit: str,
        categories: DurationCategories,
    ) -> None:
        protocols = [Protocol.create(f"Verzuim {n}", ProtocolKind.SICKNESS) for n in range(3)]
        with uow_factory() as uow:
            for protocol in protocols:
                uow.protocols.add(protocol)
            world = _store(uow, persons, protocols)
            uow.commit()
        tree, employers = _tree(world, unit)
        with uow_factory(write=False) as uow:
            sums = uow.absence_facts.absence_sums(employers, PERIOD, categories)
            stored_facts = list(uow.absence_facts.absence_facts(employers, PERIOD))
        got = absence_from_sums(PERIOD, tree, sums, categories)
        # the reference: the same world in the memory store, tallied per employee
        assert [row.cells() for row in got] == _reference(persons, protocols, unit, categories)
        assert got == absence_per_unit(PERIOD, tree, stored_facts, categories)


def _reference(
    persons: list[Person], protocols: list[Protocol], unit: str, categories: DurationCategories
) -> list[tuple[object, ...]]:
    """The rows of the same world stored in a memory store, tallied per employee (its own ids,
    so the rows are compared by their cells: code, name, kind and figures)."""
    store = MemoryStore()
    with MemoryUnitOfWork(store, FixedClock.on(TODAY), True) as uow:
        for protocol in protocols:
            uow.protocols.add(protocol)
        mine = _store(uow, persons, protocols)
        uow.commit()
    tree, employers = _tree(mine, unit)
    with MemoryUnitOfWork(store, FixedClock.on(TODAY), False) as uow:
        facts = list(uow.absence_facts.absence_facts(employers, PERIOD))
    return [row.cells() for row in absence_per_unit(PERIOD, tree, facts, categories)]


class TestMemoryAbsenceSums(MemoryBackend, AbsenceSumsContract):
    pass


class TestSqliteAbsenceSums(SqliteBackend, AbsenceSumsContract):
    pass


class TestPostgresAbsenceSums(PostgresBackend, AbsenceSumsContract):
    pass


class _EveryEmployer:
    """R3.1 on SQL with :data:`~xs_adapters.sql.absence_sums.EMPLOYERS_NAMED` at 0: the branch of
    reports over more employers than the queries name (every segment summed, the versions read
    first on SQLite, employers outside the report counting nowhere), forced on small worlds where
    the third employer, outside the report, has employees and sickness reports of its own."""

    @pytest.fixture(autouse=True)
    def _every_employer(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(absence_sums, "EMPLOYERS_NAMED", 0)


class TestSqliteAbsenceSumsEveryEmployer(_EveryEmployer, SqliteBackend, AbsenceSumsContract):
    pass


class TestPostgresAbsenceSumsEveryEmployer(_EveryEmployer, PostgresBackend, AbsenceSumsContract):
    pass
