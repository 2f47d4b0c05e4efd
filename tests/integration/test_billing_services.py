"""Contract management and billing end to end (R5.1, R4.4) through ``bootstrap()``, and billing
runs under real concurrent connections on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as _dt
import io
import threading
import uuid
from collections.abc import Iterator
from decimal import Decimal

import attrs
import pendulum
import pytest
import sqlalchemy as sa

from tests.apps import make_app, user_with
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.services.agenda import (
    CompleteAppointment,
    CreateLocation,
    PlanAppointment,
    PlanAvailability,
    RegisterActivity,
)
from xs_app.services.billing import (
    CSV_COLUMNS,
    ConcludeAgreement,
    CreateContractModel,
    DeviationChoices,
    DiscardInvoiceBasis,
    ExportInvoiceBasis,
    GetInvoiceBasis,
    InvoiceLines,
    ListInvoiceBases,
    MakeInvoiceBasisFinal,
    MarkInvoiceSent,
    RunBilling,
    SetDeviatingFrequency,
    Subscribe,
    SubscriptionSchedule,
)
from xs_app.services.organisation import CreateEmployer, EmploymentTerms, RegisterEmployee
from xs_core.access.features import Feature
from xs_core.agenda.model import ActivityStatus
from xs_core.billing import BillingFrequency, ContractKind, PriceCategory
from xs_core.billing.invoicing import InvoiceBasisStatus
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.money import Money
from xs_core.organisation.units import UnitKind, UnitRef

D = _dt.date
FIRST_HALF = DateRange(D(2026, 1, 1), D(2026, 7, 1))


@attrs.define
class Billing:
    xs: Xs
    admin: uuid.UUID
    bakery: uuid.UUID
    garage: uuid.UUID
    baker: uuid.UUID
    mechanic: uuid.UUID
    model: uuid.UUID
    bakery_agreement: uuid.UUID
    garage_agreement: uuid.UUID


def _make(xs: Xs) -> Billing:
    admin = xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
    employers = [
        xs.organisation.create_employer(CreateEmployer(actor=admin, name=name, code=code))
        for name, code in (("Bakkerij", "BAK"), ("Garage", "GAR"))
    ]
    employees = [
        xs.organisation.register_employee(
            RegisterEmployee(
                actor=admin,
                first_name="Anna",
                last_name=name,
                employment=EmploymentTerms(employer_id=employer, start=D(2020, 1, 1)),
            )
        )
        for name, employer in zip(("Jansen", "de Vries"), employers, strict=True)
    ]
    model = xs.billing.create_contract_model(
        CreateContractModel(
            actor=admin,
            name="Verkoopcontract jaar",
            kind=ContractKind.SALES,
            billing_frequency=BillingFrequency.YEARLY,
            active=DateRange(D(2025, 1, 1)),
            price_categories=(
                PriceCategory(activity_type="Spreekuur", price=Money("95.50")),
                PriceCategory(activity_type="Telefonisch consult", price=Money("35.00")),
            ),
        )
    )
    agreements = [
        xs.billing.conclude_agreement(
            ConcludeAgreement(
                actor=admin,
                employer_id=employer,
                contract_model_id=model,
                period=DateRange(D(2026, 1, 1)),
                service_variation="Plus",
                deviating_frequency=BillingFrequency.HALF_YEARLY,
            )
        )
        for employer in employers
    ]
    return Billing(xs, admin, *employers, *employees, model, *agreements)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def billing(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Billing]:
    xs = make_app(request, clock, request.param)
    yield _make(xs)
    xs.close()


@pytest.fixture(params=["sqlite", "postgres"])
def sql_billing(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Billing]:
    xs = make_app(request, clock, request.param)
    yield _make(xs)
    xs.close()


def _subscribe(b: Billing, agreement: uuid.UUID, amount: str = "1000.00") -> uuid.UUID:
    return b.xs.billing.subscribe(
        Subscribe(
            actor=b.admin,
            agreement_id=agreement,
            description="Abonnement verzuimbegeleiding",
            amount=Money(amount),
            period=DateRange(D(2026, 1, 1)),
        )
    )


def _activity(b: Billing, employee: uuid.UUID, kind: str, day: _dt.date) -> uuid.UUID:
    return b.xs.agenda.register_activity(
        RegisterActivity(actor=b.admin, employee_id=employee, activity_type=kind, performed_on=day)
    ).id


def test_r5_1_invoice_basis_from_schedule_and_released_activities(billing: Billing) -> None:
    """The release-note example end to end: a yearly amount billed half-yearly gives two
    invoices of half the amount; released activities are priced and offered once sent."""
    b, xs = billing, billing.xs
    subscription = _subscribe(b, b.bakery_agreement)
    schedule = xs.billing.schedule(
        SubscriptionSchedule(
            actor=b.admin,
            subscription_id=subscription,
            window=DateRange(D(2026, 1, 1), D(2027, 1, 1)),
        )
    )
    assert [(str(p.period), p.amount) for p in schedule] == [
        ("[2026-01-01,2026-07-01)", Money("500.00")),
        ("[2026-07-01,2027-01-01)", Money("500.00")),
    ]
    consult = _activity(b, b.baker, "Spreekuur", D(2026, 3, 2))
    phone = _activity(b, b.baker, "Telefonisch consult", D(2026, 6, 30))
    later = _activity(b, b.baker, "Spreekuur", D(2026, 7, 1))  # outside the period
    unpriced = _activity(b, b.baker, "Workshop", D(2026, 3, 3))  # no price category

    summary = xs.billing.run(RunBilling(actor=b.admin, period=FIRST_HALF))
    assert (summary.subscription_lines, summary.activity_lines) == (1, 2)
    assert summary.unbilled_activities == 1  # the workshop: no price category
    assert summary.total == Money("630.50")  # 500.00 + 95.50 + 35.00
    bases = xs.billing.invoice_bases(ListInvoiceBases(actor=b.admin, period=FIRST_HALF))
    assert [(x.employer_id, x.total, x.status) for x in bases] == [
        (b.bakery, Money("630.50"), InvoiceBasisStatus.DRAFT)
    ]
    basis = bases[0]

    out = io.StringIO()
    assert xs.billing.export_csv(ExportInvoiceBasis(actor=b.admin, basis_id=basis.id), out) == 3
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(r["line"], r["reference"], r["period_from"], r["period_until"]) for r in rows] == [
        ("subscription", str(subscription), "2026-01-01", "2026-07-01"),
        ("activity", str(consult), "2026-03-02", "2026-03-03"),
        ("activity", str(phone), "2026-06-30", "2026-07-01"),
    ]
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal("630.50")
    assert {r["customer"] for r in rows} == {"BAK"}

    # a second run bills nothing twice
    again = xs.billing.run(RunBilling(actor=b.admin, period=FIRST_HALF))
    assert (again.invoice_bases, again.subscription_lines, again.activity_lines) == ((), 0, 0)

    with pytest.raises(DomainError) as early:
        xs.billing.mark_sent(MarkInvoiceSent(actor=b.admin, basis_id=basis.id))
    assert early.value.code == "billing.invalid_transition"
    with xs.unit_of_work(write=False) as uow:  # the refused send offered nothing
        assert uow.activities.get(consult).status is ActivityStatus.RELEASED
    xs.billing.make_final(MakeInvoiceBasisFinal(actor=b.admin, basis_id=basis.id))
    with pytest.raises(DomainError):
        xs.billing.discard(
            DiscardInvoiceBasis(actor=b.admin, basis_id=basis.id)
        )  # only drafts can be discarded
    assert xs.billing.mark_sent(MarkInvoiceSent(actor=b.admin, basis_id=basis.id)) == 2
    sent = xs.billing.invoice_basis(GetInvoiceBasis(actor=b.admin, basis_id=basis.id))
    assert (sent.status, sent.sent_on) == (InvoiceBasisStatus.SENT, D(2026, 11, 29))
    with xs.unit_of_work(write=False) as uow:
        statuses = {i: uow.activities.get(i).status for i in (consult, phone, later, unpriced)}
    assert statuses == {
        consult: ActivityStatus.OFFERED,
        phone: ActivityStatus.OFFERED,
        later: ActivityStatus.RELEASED,
        unpriced: ActivityStatus.RELEASED,
    }
    names = [m.name for m in xs.outbox.pending(500)]
    assert names.count("InvoiceBasisGenerated") == 1
    assert (names.count("InvoiceBasisMadeFinal"), names.count("InvoiceSent")) == (1, 1)


def test_r4_4_draft_activities_are_not_billed_until_released(billing: Billing) -> None:
    b, xs = billing, billing.xs
    location = xs.agenda.create_location(CreateLocation(actor=b.admin, name="Spreekkamer"))
    start = pendulum.datetime(2026, 3, 2, 9, tz="Europe/Amsterdam")
    availability = xs.agenda.plan_availability(
        PlanAvailability(
            actor=b.admin,
            professional_id=b.admin,
            location_id=location,
            start=start,
            end=start.add(hours=2),
        )
    )
    appointment = xs.agenda.plan_appointment(
        PlanAppointment(
            actor=b.admin,
            availability_id=availability,
            employee_id=b.baker,
            start=start,
            end=start.add(minutes=30),
        )
    )
    draft = xs.agenda.register_activity(
        RegisterActivity(
            actor=b.admin,
            employee_id=b.baker,
            activity_type="Spreekuur",
            performed_on=D(2026, 3, 2),
            appointment_id=appointment,
        )
    )
    assert draft.status is ActivityStatus.DRAFT
    assert xs.billing.run(RunBilling(actor=b.admin, period=FIRST_HALF)).activity_lines == 0
    xs.agenda.complete_appointment(CompleteAppointment(actor=b.admin, appointment_id=appointment))
    assert xs.billing.run(RunBilling(actor=b.admin, period=FIRST_HALF)).activity_lines == 1


def test_r5_1_refusals_change_nothing(billing: Billing) -> None:
    b, xs = billing, billing.xs
    with pytest.raises(DomainError) as refused:
        xs.billing.set_deviating_frequency(
            SetDeviatingFrequency(
                actor=b.admin, agreement_id=b.bakery_agreement, frequency=BillingFrequency.YEARLY
            )
        )
    assert refused.value.code == "billing.frequency_not_allowed"
    assert refused.value.details["allowed"] == ["half_yearly", "quarterly", "monthly"]
    assert xs.billing.deviation_choices(
        DeviationChoices(actor=b.admin, agreement_id=b.bakery_agreement)
    ) == [
        BillingFrequency.HALF_YEARLY,
        BillingFrequency.QUARTERLY,
        BillingFrequency.MONTHLY,
    ]
    with xs.unit_of_work(write=False) as uow:
        agreement = uow.service_agreements.get(b.bakery_agreement)
    assert agreement.deviating_frequency is BillingFrequency.HALF_YEARLY  # unchanged
    xs.billing.set_deviating_frequency(
        SetDeviatingFrequency(
            actor=b.admin, agreement_id=b.bakery_agreement, frequency=BillingFrequency.MONTHLY
        )
    )
    subscription = _subscribe(b, b.bakery_agreement, "100.00")
    monthly = xs.billing.schedule(
        SubscriptionSchedule(
            actor=b.admin,
            subscription_id=subscription,
            window=DateRange(D(2026, 1, 1), D(2027, 1, 1)),
        )
    )
    assert [p.amount.amount for p in monthly] == [Decimal("8.34")] * 4 + [Decimal("8.33")] * 8

    # the same activity type priced twice for one customer at the same time
    with pytest.raises(DomainError) as twice:
        xs.billing.conclude_agreement(
            ConcludeAgreement(
                actor=b.admin,
                employer_id=b.bakery,
                contract_model_id=b.model,
                period=DateRange(D(2026, 6, 1), D(2026, 9, 1)),
            )
        )
    assert twice.value.code == "billing.activity_type_priced_twice"
    with pytest.raises(DomainError) as open_period:
        xs.billing.run(RunBilling(actor=b.admin, period=DateRange(D(2026, 1, 1))))
    assert open_period.value.code == "billing.open_period"
    with xs.unit_of_work(write=False) as uow:
        assert len(uow.service_agreements.for_employer(b.bakery)) == 1
        assert uow.invoicing.list() == []


def test_r0_6_billing_needs_the_feature_and_stays_in_scope(billing: Billing) -> None:
    b, xs = billing, billing.xs
    _subscribe(b, b.bakery_agreement)
    _subscribe(b, b.garage_agreement)
    clerk = user_with(
        xs,
        b.admin,
        "facturatie@example.nl",
        frozenset({Feature.RUN_BILLING}),
        frozenset({UnitRef(UnitKind.EMPLOYER, b.garage)}),
    )
    outsider = user_with(
        xs,
        b.admin,
        "geen@example.nl",
        frozenset(),
        frozenset({UnitRef(UnitKind.EMPLOYER, b.bakery)}),
    )
    with pytest.raises(DomainError) as refused:
        xs.billing.run(RunBilling(actor=outsider, period=FIRST_HALF))
    assert refused.value.code == "access.not_authorised"
    with pytest.raises(DomainError) as out_of_scope:
        xs.billing.run(
            RunBilling(actor=clerk, period=FIRST_HALF, employer_ids=frozenset({b.bakery}))
        )
    assert out_of_scope.value.code == "not_found"  # R0.6: as for an unknown employer
    assert (
        xs.billing.invoice_bases(ListInvoiceBases(actor=b.admin)) == []
    )  # refused: nothing written
    summary = xs.billing.run(RunBilling(actor=clerk, period=FIRST_HALF))
    bases = xs.billing.invoice_bases(ListInvoiceBases(actor=b.admin))
    assert [x.employer_id for x in bases] == [b.garage]  # only the clerk's customer
    assert summary.invoice_bases == (bases[0].id,)
    with pytest.raises(DomainError):
        xs.billing.subscribe(
            Subscribe(
                actor=clerk,
                agreement_id=b.garage_agreement,
                description="x",
                amount=Money("1.00"),
                period=DateRange(D(2026, 1, 1)),
            )
        )


def test_r5_1_concurrent_runs_bill_every_period_and_activity_once(sql_billing: Billing) -> None:
    """Six runs of the same period on their own connections at the same moment."""
    b, xs = sql_billing, sql_billing.xs
    for agreement in (b.bakery_agreement, b.garage_agreement):
        for _ in range(5):
            _subscribe(b, agreement, "999.99")
    for day in range(1, 29):
        _activity(b, b.baker, "Spreekuur", D(2026, 2, day))
        _activity(b, b.mechanic, "Telefonisch consult", D(2026, 2, day))
    racers = 6
    barrier = threading.Barrier(racers)
    outcomes: list[object] = []

    def race() -> None:
        barrier.wait()
        try:
            outcomes.append(xs.billing.run(RunBilling(actor=b.admin, period=FIRST_HALF)))
        except Exception as error:  # the assertion below names it
            outcomes.append(error)

    threads = [threading.Thread(target=race) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert errors == []
    with xs.unit_of_work(write=False) as uow:
        bases = uow.invoicing.list()
        lines = [line for basis in bases for line in uow.invoicing.lines(basis.id)]
    references = [line.reference_id for line in lines]
    assert len(lines) == 10 + 56
    assert len(set(references)) == 56 + 10  # every subscription's period and activity once
    # by hand: 999.99 a year billed half-yearly → 500.00 for the first half (R0.3), five
    # subscriptions per customer; 28 × 95.50 = 2674.00 and 28 × 35.00 = 980.00
    totals = {x.employer_id: x.total for x in bases}
    assert totals == {b.bakery: Money("5174.00"), b.garage: Money("3480.00")}
    assert sum((line.amount for line in lines), Money.zero()) == Money("8654.00")


def test_r5_1_the_database_refuses_a_billing_period_on_two_bases(sql_billing: Billing) -> None:
    b, xs = sql_billing, sql_billing.xs
    _subscribe(b, b.bakery_agreement)
    xs.billing.run(RunBilling(actor=b.admin, period=FIRST_HALF))
    with xs.unit_of_work() as uow:
        connection = uow.connection  # type: ignore[attr-defined]
        row = (
            connection.execute(sa.text("SELECT * FROM invoice_subscription_lines")).mappings().one()
        )
        with pytest.raises(sa.exc.IntegrityError):
            connection.execute(
                sa.text(
                    "INSERT INTO invoice_subscription_lines (subscription_id, period_from, "
                    "period_until, invoice_basis_id, amount) VALUES (:s, :f, :u, :b, 1)"
                ),
                {
                    "s": row["subscription_id"],
                    "f": row["period_from"],
                    "u": row["period_until"],
                    "b": row["invoice_basis_id"],
                },
            )


def test_a_billing_run_leaves_writes_that_refer_to_its_customers_alone(
    request: pytest.FixtureRequest, clock: FixedClock
) -> None:
    """PostgreSQL: the run's customer locks keep other runs out (NO KEY UPDATE) but not, say,
    the registration of an employee of that customer (its foreign-key check takes KEY SHARE)."""
    xs = make_app(request, clock, "postgres")
    b = _make(xs)
    registered = threading.Event()

    def register() -> None:
        xs.organisation.register_employee(
            RegisterEmployee(
                actor=b.admin,
                first_name="Piet",
                last_name="Bakker",
                employment=EmploymentTerms(employer_id=b.bakery, start=D(2026, 1, 1)),
            )
        )
        registered.set()

    with xs.unit_of_work() as run:
        run.invoicing.lock_customers([b.bakery, b.garage])
        writer = threading.Thread(target=register)
        writer.start()
        assert registered.wait(10), "registering an employee waited for the billing run"
    writer.join()
    xs.close()


def test_r5_1_after_a_change_of_frequency_no_day_is_billed_twice(billing: Billing) -> None:
    """Billed half-yearly for January–June, then switched to monthly in March: the monthly
    periods up to July lie inside the billed half-year and are left out; from July on, months."""
    b, xs = billing, billing.xs
    _subscribe(b, b.bakery_agreement, "1200.00")  # a year; half-yearly: 600.00 per half
    first = xs.billing.run(
        RunBilling(actor=b.admin, period=DateRange(D(2026, 1, 1), D(2026, 2, 1)))
    )
    assert (first.subscription_lines, first.total) == (1, Money("600.00"))
    xs.billing.set_deviating_frequency(
        SetDeviatingFrequency(
            actor=b.admin, agreement_id=b.bakery_agreement, frequency=BillingFrequency.MONTHLY
        )
    )
    later = xs.billing.run(
        RunBilling(actor=b.admin, period=DateRange(D(2026, 2, 1), D(2026, 9, 1)))
    )
    assert (later.subscription_lines, later.total) == (2, Money("200.00"))  # July, August
    basis = later.invoice_bases[0]
    assert [
        str(line.period) for line in xs.billing.lines(InvoiceLines(actor=b.admin, basis_id=basis))
    ] == [
        "[2026-07-01,2026-08-01)",
        "[2026-08-01,2026-09-01)",
    ]


def test_r5_1_a_repeated_run_writes_nothing_and_a_partly_billed_period_bills_the_rest(
    billing: Billing,
) -> None:
    """R5.1/R4.4: a run skips what is already billed before it computes anything (the anti-join
    of the billing run). Billed monthly: January, February and March in three runs, February's
    basis discarded, one activity registered after March was billed; the quarter then bills
    exactly February's month and its activity plus the late activity, and once more nothing.
    A subscription ending on 15 February, billed for January only, gets only its pro-rata
    February part. Hand-checked: 1,200.00 a year is 100.00 a month; the pro-rata part is what
    the subscription's own schedule gives for [2026-02-01, 2026-02-15)."""
    b, xs = billing, billing.xs
    for agreement in (b.bakery_agreement, b.garage_agreement):
        xs.billing.set_deviating_frequency(
            SetDeviatingFrequency(
                actor=b.admin, agreement_id=agreement, frequency=BillingFrequency.MONTHLY
            )
        )
    _subscribe(b, b.bakery_agreement, "1200.00")
    ending = xs.billing.subscribe(
        Subscribe(
            actor=b.admin,
            agreement_id=b.garage_agreement,
            description="Abonnement tot half februari",
            amount=Money("1200.00"),
            period=DateRange(D(2026, 1, 1), D(2026, 2, 15)),
        )
    )
    january, february, march = (
        DateRange(D(2026, month, 1), D(2026, month + 1, 1)) for month in (1, 2, 3)
    )
    quarter = DateRange(D(2026, 1, 1), D(2026, 4, 1))
    _activity(b, b.baker, "Spreekuur", D(2026, 1, 12))
    in_february = _activity(b, b.baker, "Spreekuur", D(2026, 2, 9))
    first = xs.billing.run(RunBilling(actor=b.admin, period=january, employer_ids=None))
    assert (first.subscription_lines, first.activity_lines) == (2, 1)
    second = xs.billing.run(
        RunBilling(actor=b.admin, period=february, employer_ids=frozenset({b.bakery}))
    )
    assert (second.subscription_lines, second.activity_lines) == (1, 1)
    xs.billing.run(RunBilling(actor=b.admin, period=march, employer_ids=frozenset({b.bakery})))
    xs.billing.discard(DiscardInvoiceBasis(actor=b.admin, basis_id=second.invoice_bases[0]))
    late = _activity(b, b.baker, "Telefonisch consult", D(2026, 3, 20))

    rest = xs.billing.run(RunBilling(actor=b.admin, period=quarter))
    assert (rest.subscription_lines, rest.activity_lines) == (2, 2)
    pro_rata = xs.billing.schedule(
        SubscriptionSchedule(actor=b.admin, subscription_id=ending, window=february)
    )
    assert [str(p.period) for p in pro_rata] == ["[2026-02-01,2026-02-15)"]
    # 100.00 (February) + 95.50 + 35.00 + the pro-rata part
    assert rest.total == Money("230.50") + pro_rata[0].amount
    lines = {
        basis: [
            (line.reference_id, str(line.period))
            for line in xs.billing.lines(InvoiceLines(actor=b.admin, basis_id=basis))
        ]
        for basis in rest.invoice_bases
    }
    assert sorted(len(x) for x in lines.values()) == [1, 3]
    flat = [entry for entries in lines.values() for entry in entries]
    assert (ending, "[2026-02-01,2026-02-15)") in flat
    assert {reference for reference, _ in flat} >= {in_february, late}

    again = xs.billing.run(RunBilling(actor=b.admin, period=quarter))
    assert (again.invoice_bases, again.subscription_lines, again.activity_lines) == ((), 0, 0)


def test_r5_1_lines_written_in_chunks_while_the_subscriptions_are_read(
    billing: Billing, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run writes its subscription lines in chunks while it is still reading the
    subscriptions (the 1M benchmark: 50,000 lines per chunk). SQLite refuses to drop a table
    while a statement reads ("database table is locked"): the lines' staging table is emptied,
    not dropped. With a chunk of one line and two subscriptions fetched at a time, the writes
    happen mid-read; the second run of the same period finds everything billed."""
    import xs_adapters.sql.billing as sql_billing
    import xs_core.billing.run as run_module

    b, xs = billing, billing.xs
    monkeypatch.setattr(run_module, "CHUNK", 1)
    monkeypatch.setattr(sql_billing, "FETCH", 2)
    subscriptions = [
        _subscribe(b, agreement, amount)
        for agreement in (b.bakery_agreement, b.garage_agreement)
        for amount in ("1000.00", "250.00", "99.99")
    ]
    summary = xs.billing.run(RunBilling(actor=b.admin, period=FIRST_HALF))
    assert summary.subscription_lines == len(subscriptions)
    # a year's 1000.00, 250.00 and 99.99 billed half-yearly: the first half-year's parts are
    # 500.00, 125.00 and 50.00 (9,999 cents split in two, the odd cent to the first, R0.3),
    # 675.00 at each of the two customers
    assert summary.total == Money("1350.00")
    again = xs.billing.run(RunBilling(actor=b.admin, period=FIRST_HALF))
    assert (again.subscription_lines, again.activity_lines) == (0, 0)
