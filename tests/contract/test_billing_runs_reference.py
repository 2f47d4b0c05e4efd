"""Whole billing runs (R5.1, R4.4, R0.3) on SQLite and PostgreSQL against the memory
store: subscriptions starting on the 28th–31st and 1st around leap days, ending inside billing
periods (pro rata), amounts up to the maximum (R0.3: a basis total beyond it is refused, and
then the whole run); deviating frequencies changed between runs; windows of odd lengths that
overlap earlier runs; runs limited to some customers; bases discarded between runs. Every run
must end as the memory store's does: the same summary (or the same refusal) and the same lines
on the same customers' bases."""

from __future__ import annotations

import datetime as _dt
import uuid
from typing import cast

import attrs
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.backends import PostgresBackend, SqliteBackend, UowFactory
from xs_adapters.clock import FixedClock
from xs_adapters.memory import MemoryStore, MemoryUnitOfWork
from xs_core.agenda.model import Activity
from xs_core.billing import (
    BillingFrequency,
    ContractKind,
    ContractModel,
    PriceCategory,
    ServiceAgreement,
)
from xs_core.billing.contracts import Subscription
from xs_core.billing.run import run_billing
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.money import MAX_CENTS, Money
from xs_core.organisation.model import Employee, Employer, Employment
from xs_core.uow import UnitOfWork

D = _dt.date
FREQUENCIES = list(BillingFrequency)
SHORTER: dict[BillingFrequency, list[BillingFrequency | None]] = {
    BillingFrequency.YEARLY: [None, *FREQUENCIES[1:]],
    BillingFrequency.HALF_YEARLY: [None, BillingFrequency.QUARTERLY, BillingFrequency.MONTHLY],
    BillingFrequency.QUARTERLY: [None, BillingFrequency.MONTHLY],
    BillingFrequency.MONTHLY: [None],
}
#: days that month arithmetic gets wrong: month ends, leap days, the first
STARTS = [
    D(y, m, d)
    for y in (2024, 2025)
    for m in (1, 2, 3, 8, 11, 12)
    for d in (1, 28, 29, 30, 31)
    if d <= 28 or (D(y, m, 1) + _dt.timedelta(days=d - 1)).month == m
]
cents = st.one_of(
    st.sampled_from([0, 1, 99, 120_000, MAX_CENTS, MAX_CENTS - 1, MAX_CENTS // 2 + 1]),
    st.integers(0, MAX_CENTS),
)


@attrs.frozen
class Plan:
    frequency: int  # index into FREQUENCIES
    deviating: int  # index into SHORTER[frequency]
    subscriptions: tuple[tuple[_dt.date, int | None, int], ...]  # start, days, cents
    price: int  # of a consultation
    activities: tuple[int, ...]  # days from 1 January 2025


@attrs.frozen
class Run:
    start: int  # days from 1 January 2025
    days: int
    customers: frozenset[int] | None
    discard: bool  # discard the first basis of this run afterwards
    switch: int | None  # the customer whose deviating frequency changes after this run


plans = st.builds(
    Plan,
    frequency=st.integers(0, 3),
    deviating=st.integers(0, 3),
    subscriptions=st.lists(
        st.tuples(st.sampled_from(STARTS), st.one_of(st.none(), st.integers(1, 800)), cents),
        max_size=3,
    ).map(tuple),
    price=cents,
    activities=st.lists(st.integers(-30, 800), max_size=3).map(tuple),
)
runs = st.builds(
    Run,
    start=st.one_of(st.sampled_from([0, 59, 424, 425, 365]), st.integers(-60, 700)),
    days=st.one_of(st.sampled_from([1, 28, 29, 31, 90, 365, 366]), st.integers(1, 400)),
    customers=st.one_of(st.none(), st.frozensets(st.integers(0, 1))),
    discard=st.booleans(),
    switch=st.one_of(st.none(), st.integers(0, 1)),
)


def _deviating(plan: Plan) -> BillingFrequency | None:
    choices = SHORTER[FREQUENCIES[plan.frequency]]
    return choices[plan.deviating % len(choices)]


def _entities(plans: list[Plan]) -> list[object]:
    """The entities of the world, in an order every store accepts."""
    made: list[object] = []
    for n, plan in enumerate(plans):
        employer = Employer.create(f"Klant {n}", f"K{uuid.uuid4().hex[:10]}")
        model = ContractModel.create(
            f"Model {uuid.uuid4().hex[:6]}",
            ContractKind.SALES,
            FREQUENCIES[plan.frequency],
            DateRange(D(2020, 1, 1)),
            [PriceCategory(activity_type="Spreekuur", price=Money.from_cents(plan.price))],
        )
        agreement = ServiceAgreement.conclude(
            employer.id, model, DateRange(D(2024, 1, 1)), "variant", _deviating(plan)
        )
        made += [employer, model, agreement]
        for start, days, amount in plan.subscriptions:
            end = None if days is None else start + _dt.timedelta(days)
            made.append(
                Subscription.subscribe(
                    agreement, "Abonnement", Money.from_cents(amount), DateRange(start, end)
                )
            )
        employee = Employee.register("Anna", f"Klant{n}")
        employee.add_employment(
            Employment.create(id=uuid.uuid4(), employer_id=employer.id, period=DateRange(STARTS[0]))
        )
        made.append(employee)
        professional = uuid.uuid4()
        for day in plan.activities:
            made.append(
                Activity.register(
                    professional, employee.id, "Spreekuur", D(2025, 1, 1) + _dt.timedelta(day)
                )
            )
    return made


def _store(uow_factory: UowFactory, entities: list[object]) -> None:
    with uow_factory() as uow:
        for entity in entities:
            repository = {
                Employer: uow.employers,
                ContractModel: uow.contract_models,
                ServiceAgreement: uow.service_agreements,
                Subscription: uow.subscriptions,
                Employee: uow.employees,
                Activity: uow.activities,
            }[type(entity)]
            repository.add(entity)  # type: ignore[attr-defined]
        uow.commit()


def _runs(
    uow_factory: UowFactory, plans: list[Plan], entities: list[object], schedule: list[Run]
) -> list[object]:
    employers = [e.id for e in entities if isinstance(e, Employer)]
    agreements = [a.id for a in entities if isinstance(a, ServiceAgreement)]
    models = {m.id: m for m in entities if isinstance(m, ContractModel)}
    outcomes: list[object] = []
    for run in schedule:
        first = D(2025, 1, 1) + _dt.timedelta(run.start)
        window = DateRange(first, first + _dt.timedelta(run.days))
        # the database is shared by the examples: a run names this world's customers
        wanted = range(len(employers)) if run.customers is None else run.customers
        chosen = frozenset(employers[n] for n in wanted)
        try:
            with uow_factory() as uow:
                summary = run_billing(
                    uow.invoicing, window, D(2026, 12, 1), chosen, lambda event: None
                )
                by_basis = {b: uow.invoicing.get(b) for b in summary.invoice_bases}
                lines = sorted(
                    (
                        by_basis[b].employer_id,
                        by_basis[b].subscription_lines,
                        by_basis[b].activity_lines,
                        by_basis[b].total,
                        tuple(
                            (line.kind.value, str(line.period), line.amount)
                            for line in uow.invoicing.lines(b)
                        ),
                    )
                    for b in summary.invoice_bases
                )
                if run.discard and summary.invoice_bases:
                    uow.invoicing.delete(summary.invoice_bases[0])
                    discarded = by_basis[summary.invoice_bases[0]].employer_id
                else:
                    discarded = None
                uow.commit()
        except DomainError as refused:
            outcomes.append(("refused", refused.code))
            continue
        if run.switch is not None:
            with uow_factory() as uow:
                agreement = uow.service_agreements.get(agreements[run.switch])
                model = models[agreement.contract_model_id]
                choices = SHORTER[model.billing_frequency]
                now = choices.index(agreement.deviating_frequency)
                agreement.set_deviating_frequency(model, choices[(now + 1) % len(choices)])
                uow.service_agreements.save(agreement)
                uow.commit()
        outcomes.append(
            (
                summary.subscription_lines,
                summary.activity_lines,
                summary.unbilled_activities,
                summary.total,
                lines,
                discarded,
            )
        )
    return outcomes


class RunsContract:
    @settings(
        max_examples=50,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
            HealthCheck.too_slow,
        ],
    )
    @example(  # a start on 31 January 2024 billed monthly around the leap day, ending on a
        # 29th; a yearly maximum amount on the other customer; the window overlaps the first
        plans=[
            Plan(3, 0, ((D(2024, 1, 31), 395, 12_345),), 9_550, (58, 59)),
            Plan(0, 3, ((D(2024, 2, 29), None, MAX_CENTS),), MAX_CENTS, (0,)),
        ],
        schedule=[
            Run(0, 59, None, False, 1),
            Run(30, 366, frozenset({0}), True, None),
            Run(-60, 400, None, False, None),
        ],
    )
    @example(  # a basis whose activities add up to exactly the maximum total, and one a cent
        # beyond it (refused, R0.3): summed exactly on every engine
        plans=[
            Plan(3, 0, (), MAX_CENTS // 3, (10, 11, 12)),
            Plan(3, 0, (), MAX_CENTS // 3 + 1, (10, 11, 12)),
        ],
        schedule=[
            Run(0, 365, frozenset({0}), False, None),
            Run(0, 365, frozenset({1}), False, None),
            Run(0, 365, None, False, None),
        ],
    )
    @given(plans=st.lists(plans, min_size=2, max_size=2), schedule=st.lists(runs, max_size=4))
    def test_r5_1_runs_bill_what_the_reference_bills(
        self, uow_factory: UowFactory, plans: list[Plan], schedule: list[Run]
    ) -> None:
        """R5.1/R4.4/R0.3: every run — its lines, amounts, totals, or its refusal — is the memory
        store's, whatever the dates, amounts, frequency changes and earlier runs."""
        entities = _entities(plans)
        _store(uow_factory, entities)
        reference = MemoryStore()
        clock = FixedClock.on(D(2026, 12, 1))

        def memory(write: bool = True) -> UnitOfWork:
            return cast(UnitOfWork, MemoryUnitOfWork(reference, clock, write))

        _store(memory, entities)
        expected = _runs(memory, plans, entities, schedule)
        assert _runs(uow_factory, plans, entities, schedule) == expected


class TestSqliteRuns(SqliteBackend, RunsContract):
    pass


class TestPostgresRuns(PostgresBackend, RunsContract):
    pass
