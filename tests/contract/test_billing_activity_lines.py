"""Contract of a billing run's activity lines (R4.4, R2.3, R5.1) on SQLite and PostgreSQL
against the memory store (the reference: it ranks each activity's running employments one by
one).

Drawn: employees with no employment at all, with up to three employments — several at the
*same* customer —, employments that start or end exactly on a window's bounds or on the day of
an activity; the leading flag on an employment that does not run on the activity's day;
customers without any agreement (never a basis) and customers left out of a run (a run limited
to some employers); agreements that change on the day of an activity, insurer-paid prices;
released and draft activities; and three runs whose windows overlap without nesting, so that
later runs meet activities earlier runs billed."""

from __future__ import annotations

import datetime as _dt
import uuid
from typing import cast

import attrs
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.backends import PostgresBackend, SqliteBackend, UowFactory
from xs_adapters.clock import FixedClock
from xs_adapters.memory import MemoryStore, MemoryUnitOfWork
from xs_adapters.sql import billing_sqlite
from xs_core.agenda.model import Activity, ActivityStatus
from xs_core.billing import (
    BillingFrequency,
    ContractKind,
    ContractModel,
    Payer,
    PriceCategory,
    ServiceAgreement,
)
from xs_core.billing.invoicing import InvoiceBasis
from xs_core.dates import DateRange
from xs_core.money import Money
from xs_core.organisation.model import Employee, Employer, Employment
from xs_core.uow import UnitOfWork

D = _dt.date
DAY0 = D(2026, 1, 1)
TYPES = ("Spreekuur", "Huisbezoek", "Workshop")
#: three runs over windows that overlap without nesting (days from 1 January)
WINDOWS = ((0, 15), (10, 40), (-5, 31))
#: the days at the windows' bounds (and one either side): where off-by-one errors live
EDGES = sorted({d + s for w in WINDOWS for d in w for s in (-1, 0, 1)})
days = st.one_of(st.sampled_from(EDGES), st.integers(-45, 45))


def _day(offset: int) -> _dt.date:
    return DAY0 + _dt.timedelta(days=offset)


@attrs.frozen
class Job:
    employer: int  # 0..2 have agreements; 3 has none
    start: int
    end: int | None


@attrs.frozen
class Person:
    jobs: tuple[Job, ...]
    leading: int | None  # flagged after all were added (None: the first added stays leading)
    activities: tuple[tuple[int, int, bool], ...]  # day, type, released


@st.composite
def people(draw: st.DrawFn) -> Person:
    jobs = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(days)
        end = draw(st.one_of(st.none(), st.integers(start + 1, start + 80)))
        jobs.append(Job(draw(st.integers(0, 3)), start, end))
    leading = draw(st.one_of(st.none(), st.integers(0, max(0, len(jobs) - 1))))
    # activities often on a job's first or last day, or on its end
    bounds = [j.start for j in jobs] + [j.end for j in jobs if j.end is not None]
    when = st.one_of(days, st.sampled_from(bounds)) if bounds else days
    activities = draw(
        st.lists(st.tuples(when, st.integers(0, len(TYPES) - 1), st.booleans()), max_size=4)
    )
    return Person(tuple(jobs), leading if jobs else None, tuple(activities))


@attrs.frozen
class Customer:
    change: int | None  # the day a second agreement takes over
    first: tuple[int | None, ...]
    second: tuple[int | None, ...]


prices = st.tuples(*(st.one_of(st.none(), st.integers(0, 50_000)) for _ in TYPES))
customers = st.builds(Customer, change=st.one_of(st.none(), days), first=prices, second=prices)
#: which of the customers 0..2 get a basis in each run (a run limited to some employers)
billed = st.tuples(*(st.frozensets(st.integers(0, 2)) for _ in WINDOWS))


@attrs.frozen
class World:
    employers: tuple[Employer, ...]
    models: tuple[ContractModel, ...]
    agreements: tuple[ServiceAgreement, ...]
    employees: tuple[Employee, ...]
    activities: tuple[Activity, ...]


def _model(cents: tuple[int | None, ...]) -> ContractModel:
    categories = [
        PriceCategory(activity_type=kind, price=Money.from_cents(price))
        for kind, price in zip(TYPES, cents, strict=True)
        if price is not None
    ]
    # the insurer pays for every type: never on the customer's basis (only the employer's price)
    categories += [
        PriceCategory(activity_type=kind, price=Money("7.00"), payer=Payer.INSURER)
        for kind in TYPES
    ]
    return ContractModel.create(
        f"Model {uuid.uuid4().hex[:6]}",
        ContractKind.SALES,
        BillingFrequency.MONTHLY,
        DateRange(D(2020, 1, 1)),
        categories,
    )


def _world(persons: list[Person], terms: list[Customer]) -> World:
    employers = tuple(Employer.create(f"Klant {n}", f"K{uuid.uuid4().hex[:10]}") for n in range(4))
    models: list[ContractModel] = []
    agreements: list[ServiceAgreement] = []
    for employer, customer in zip(employers, terms, strict=False):  # the fourth: no agreement
        first = _model(customer.first)
        models.append(first)
        if customer.change is None:
            agreements.append(
                ServiceAgreement.conclude(employer.id, first, DateRange(D(2025, 1, 1)))
            )
            continue
        second = _model(customer.second)
        models.append(second)
        switch = _day(customer.change)
        agreements.append(
            ServiceAgreement.conclude(employer.id, first, DateRange(D(2025, 1, 1), switch))
        )
        agreements.append(ServiceAgreement.conclude(employer.id, second, DateRange(switch)))
    employees: list[Employee] = []
    activities: list[Activity] = []
    professional = uuid.uuid4()
    for person in persons:
        employee = Employee.register("Anna", "Jansen")
        added = [
            employee.add_employment(
                Employment.create(
                    id=uuid.uuid4(),
                    employer_id=employers[job.employer].id,
                    period=DateRange(_day(job.start), None if job.end is None else _day(job.end)),
                )
            )
            for job in person.jobs
        ]
        if person.leading is not None:
            employee.set_leading_employment(added[person.leading].id)
        employees.append(employee)
        for day, kind, released in person.activities:
            activity = Activity.register(professional, employee.id, TYPES[kind], _day(day))
            if not released:
                activity.status = ActivityStatus.DRAFT
            activities.append(activity)
    return World(employers, tuple(models), tuple(agreements), tuple(employees), tuple(activities))


def _store(uow: UnitOfWork, world: World) -> None:
    for employer in world.employers:
        uow.employers.add(employer)
    for model in world.models:
        uow.contract_models.add(model)
    for agreement in world.agreements:
        uow.service_agreements.add(agreement)
    for employee in world.employees:
        uow.employees.add(employee)
    for activity in world.activities:
        uow.activities.add(activity)


def _runs(
    uow_factory: UowFactory,
    world: World,
    runs: tuple[uuid.UUID, ...],
    bases: tuple[frozenset[int], ...],
) -> list[object]:
    outcomes: list[object] = []
    for (first, last), run, chosen in zip(WINDOWS, runs, bases, strict=True):
        window = DateRange(_day(first), _day(last))
        with uow_factory() as uow:
            store = uow.invoicing
            store.add_bases(
                [
                    InvoiceBasis(
                        id=uuid.uuid5(run, str(world.employers[n].id)),
                        employer_id=world.employers[n].id,
                        period=window,
                        run_id=run,
                        created_on=D(2026, 3, 1),
                    )
                    for n in sorted(chosen)
                ]
            )
            added = store.add_activity_lines(window, run)
            unbilled = store.unbilled_activities(window, run)
            finished = store.finish_run(run)
            lines = {
                basis.employer_id: sorted(
                    (line.reference_id, line.amount) for line in store.lines(basis.id)
                )
                for basis in finished
            }
            uow.commit()
        outcomes.append(
            (
                added,
                unbilled,
                [(b.employer_id, b.activity_lines, b.total) for b in finished],
                lines,
            )
        )
    return outcomes


class ActivityLinesContract:
    @settings(
        max_examples=70,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
            HealthCheck.too_slow,
        ],
    )
    @example(  # two employments at one customer, the later one leading and ended on day 10;
        # activities on its last day and on its end; the agreement changes on day 10
        persons=[
            Person(
                (Job(0, -30, None), Job(0, 0, 10), Job(1, 10, 31)),
                1,
                ((9, 0, True), (10, 0, True), (10, 1, True), (30, 2, True), (31, 0, True)),
            ),
            Person((), None, ((3, 0, True),)),  # no employment at all
            Person((Job(3, -10, None),), None, ((4, 0, True),)),  # a customer without agreement
        ],
        terms=[
            Customer(10, (100, 200, None), (300, None, 400)),
            Customer(None, (1, 2, 3), (0, 0, 0)),
            Customer(15, (5, 5, 5), (6, 6, 6)),
        ],
        bases=(frozenset({0}), frozenset({1, 2}), frozenset({0, 1, 2})),
    )
    @given(
        persons=st.lists(people(), max_size=6),
        terms=st.lists(customers, min_size=3, max_size=3),
        bases=billed,
    )
    def test_r2_3_runs_rank_the_edges_as_the_reference(
        self,
        uow_factory: UowFactory,
        persons: list[Person],
        terms: list[Customer],
        bases: tuple[frozenset[int], ...],
    ) -> None:
        """R4.4/R2.3: each released activity is billed once, to the customer of the employee's
        leading employment that day (the flagged one if it runs, else the earliest running),
        priced by the agreement of that day — as the memory store bills it, whatever the
        edges of the employments, agreements and windows, and the runs' customers."""
        world = _world(persons, terms)
        with uow_factory() as uow:
            _store(uow, world)
            uow.commit()
        reference = MemoryStore()
        clock = FixedClock.on(D(2026, 3, 1))

        def memory(write: bool = True) -> UnitOfWork:
            return cast(UnitOfWork, MemoryUnitOfWork(reference, clock, write))

        with memory() as uow:
            _store(uow, world)
            uow.commit()
        runs = tuple(uuid.uuid4() for _ in WINDOWS)
        expected = _runs(memory, world, runs, bases)
        assert _runs(uow_factory, world, runs, bases) == expected


class TestSqliteActivityLines(SqliteBackend, ActivityLinesContract):
    pass


class TestSqliteActivityLinesInSlices(SqliteBackend, ActivityLinesContract):
    """SQLite writes a window's candidates in slices of its days (``SLICE_ACTIVITIES`` at a
    time): with three, a window with more released activities is billed in several."""

    @pytest.fixture(autouse=True)
    def small_slices(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(billing_sqlite, "SLICE_ACTIVITIES", 3)


class TestPostgresActivityLines(PostgresBackend, ActivityLinesContract):
    pass
