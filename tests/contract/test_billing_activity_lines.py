"""Contract of a billing run's activity lines (R4.4, R5.1, R2.3) on memory, SQLite and
PostgreSQL: for random small worlds — employees with up to three employments at different
customers, any of them leading, starting and ending around the window; customers whose agreement
changes inside the window to another contract model pricing other types (and an insurer-paid
price beside); released and draft activities on days in and around the window; a first run over
part of the window before the whole — every run adds the lines, leaves the count unbilled and
finishes with the bases that the memory store gives for the same world (the reference: it
ranks each activity's running employments one by one)."""

from __future__ import annotations

import datetime as _dt
import uuid

import attrs
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_adapters.clock import FixedClock
from xs_adapters.memory import MemoryStore, MemoryUnitOfWork
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
JANUARY = DateRange(DAY0, D(2026, 2, 1))
FIRST_HALF = DateRange(DAY0, D(2026, 1, 16))
TYPES = ("Spreekuur", "Huisbezoek", "Workshop", "Onbekend")


def _day(offset: int) -> _dt.date:
    return DAY0 + _dt.timedelta(days=offset)


@attrs.frozen
class Job:
    employer: int  # 0, 1 billed in the runs; 2 not
    start: int  # days from 1 January
    length: int | None


@attrs.frozen
class Person:
    jobs: tuple[Job, ...]  # at different employers
    leading: int | None  # the job flagged leading (None: the first added)
    activities: tuple[tuple[int, int, bool], ...]  # day, type, released


@attrs.frozen
class Customer:
    change: int | None  # the day a second agreement, on the other model, takes over
    first: tuple[int | None, ...]  # cents per type priced by the first model (None: no price)
    second: tuple[int | None, ...]


@st.composite
def people(draw: st.DrawFn) -> Person:
    employers = draw(st.permutations([0, 1, 2]))[: draw(st.integers(1, 3))]
    jobs = tuple(
        Job(
            employer,
            draw(st.integers(-40, 35)),
            draw(st.one_of(st.none(), st.integers(1, 60))),
        )
        for employer in employers
    )
    leading = draw(st.one_of(st.none(), st.integers(0, len(jobs) - 1)))
    activities = draw(
        st.lists(
            st.tuples(st.integers(-3, 33), st.integers(0, len(TYPES) - 1), st.booleans()),
            max_size=4,
        )
    )
    return Person(jobs, leading, tuple(activities))


prices = st.tuples(*(st.one_of(st.none(), st.integers(0, 20_000)) for _ in TYPES[:3]))
customers = st.builds(
    Customer, change=st.one_of(st.none(), st.integers(-5, 35)), first=prices, second=prices
)


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
        for kind, price in zip(TYPES, cents, strict=False)
        if price is not None
    ]
    # the insurer pays another price for the consultation: never on the customer's basis
    categories.append(
        PriceCategory(activity_type=TYPES[0], price=Money("1.00"), payer=Payer.INSURER)
    )
    return ContractModel.create(
        f"Model {uuid.uuid4().hex[:6]}",
        ContractKind.SALES,
        BillingFrequency.MONTHLY,
        DateRange(D(2020, 1, 1)),
        categories,
    )


def _world(persons: list[Person], terms: list[Customer]) -> World:
    """The world's entities, made once and stored in every store compared (fresh ids)."""
    employers = tuple(Employer.create(f"Klant {n}", f"K{uuid.uuid4().hex[:10]}") for n in range(3))
    models: list[ContractModel] = []
    agreements: list[ServiceAgreement] = []
    for employer, customer in zip(employers, terms, strict=True):
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
        for number, job in enumerate(person.jobs):
            start = _day(job.start)
            employee.add_employment(
                Employment.create(
                    id=uuid.uuid4(),
                    employer_id=employers[job.employer].id,
                    period=DateRange(
                        start, None if job.length is None else start + _dt.timedelta(job.length)
                    ),
                    is_leading=number == person.leading,
                )
            )
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


def _runs(uow_factory: UowFactory, world: World, runs: tuple[uuid.UUID, ...]) -> list[object]:
    """Two runs over the customers 0 and 1: the first half of January, then all of it. What
    each run added, left unbilled, finished and put on its bases."""
    outcomes: list[object] = []
    for window, run in zip((FIRST_HALF, JANUARY), runs, strict=True):
        with uow_factory() as uow:
            store = uow.invoicing
            store.add_bases(
                [
                    InvoiceBasis(
                        id=uuid.uuid5(run, str(employer.id)),
                        employer_id=employer.id,
                        period=window,
                        run_id=run,
                        created_on=D(2026, 2, 1),
                    )
                    for employer in world.employers[:2]
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
        max_examples=60,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
            HealthCheck.too_slow,
        ],
    )
    @example(  # two running employments, the later one flagged leading; an agreement change
        persons=[
            Person(
                (Job(0, -30, None), Job(1, -10, 20)),
                1,
                ((2, 0, True), (12, 0, True), (20, 1, True), (25, 0, False)),
            )
        ],
        terms=[
            Customer(15, (9550, None, 1000), (8000, 500, None)),
            Customer(None, (4000, 4100, 4200), (0, 0, 0)),
            Customer(None, (1, 1, 1), (1, 1, 1)),
        ],
    )
    @given(
        persons=st.lists(people(), max_size=6),
        terms=st.lists(customers, min_size=3, max_size=3),
    )
    def test_r4_4_runs_bill_what_the_reference_bills(
        self, uow_factory: UowFactory, persons: list[Person], terms: list[Customer]
    ) -> None:
        world = _world(persons, terms)
        with uow_factory() as uow:
            _store(uow, world)
            uow.commit()
        reference = MemoryStore()
        clock = FixedClock.on(D(2026, 2, 1))
        with MemoryUnitOfWork(reference, clock, True) as uow:
            _store(uow, world)
            uow.commit()
        runs = (uuid.uuid4(), uuid.uuid4())
        expected = _runs(lambda write=True: MemoryUnitOfWork(reference, clock, write), world, runs)
        assert _runs(uow_factory, world, runs) == expected


class TestMemoryActivityLines(MemoryBackend, ActivityLinesContract):
    pass


class TestSqliteActivityLines(SqliteBackend, ActivityLinesContract):
    pass


class TestPostgresActivityLines(PostgresBackend, ActivityLinesContract):
    pass
