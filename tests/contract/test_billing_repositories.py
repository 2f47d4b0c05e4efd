"""Contract of the contract-management and invoicing ports (R5.1, R4.4) on memory, SQLite and
PostgreSQL: the same calls give the same answers on every backend."""

from __future__ import annotations

import datetime as _dt
import uuid

import pytest

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_core.agenda.model import Activity, ActivityStatus
from xs_core.billing import (
    BillingFrequency,
    ContractKind,
    ContractModel,
    Payer,
    PriceCategory,
    ServiceAgreement,
    Subscription,
)
from xs_core.billing.invoicing import InvoiceBasis, InvoiceBasisStatus, LineKind, SubscriptionLine
from xs_core.dates import DateRange
from xs_core.errors import NotFound
from xs_core.money import Money
from xs_core.organisation.model import Employee, Employer, Employment

D = _dt.date
JANUARY = DateRange(D(2026, 1, 1), D(2026, 2, 1))


def _employee_of(employer: Employer) -> Employee:
    employee = Employee.register("Anna", "Jansen")
    employee.add_employment(
        Employment.create(id=uuid.uuid4(), employer_id=employer.id, period=DateRange(D(2020, 1, 1)))
    )
    return employee


class BillingContract:
    def test_r5_1_contract_models_agreements_and_subscriptions_round_trip(
        self, uow_factory: UowFactory
    ) -> None:
        employer = Employer.create("Bakkerij", "BAK")
        model = ContractModel.create(
            "Verkoop jaar",
            ContractKind.SALES,
            BillingFrequency.YEARLY,
            DateRange(D(2020, 1, 1)),
            [
                PriceCategory(activity_type="Spreekuur", price=Money("95.50")),
                PriceCategory(activity_type="Spreekuur", price=Money("80.00"), payer=Payer.INSURER),
            ],
        )
        agreement = ServiceAgreement.conclude(
            employer.id, model, DateRange(D(2025, 1, 1)), "Plus", BillingFrequency.QUARTERLY
        )
        subscription = Subscription.subscribe(
            agreement, "Basisabonnement", Money("1200.00"), DateRange(D(2025, 3, 31))
        )
        with uow_factory() as uow:
            uow.employers.add(employer)
            uow.contract_models.add(model)
            uow.service_agreements.add(agreement)
            uow.subscriptions.add(subscription)
            uow.commit()
        with uow_factory() as uow:
            assert uow.contract_models.get(model.id) == model
            assert uow.contract_models.list() == [model]
            assert uow.service_agreements.get(agreement.id) == agreement
            assert uow.service_agreements.for_employer(employer.id) == [agreement]
            assert uow.subscriptions.get(subscription.id) == subscription
            assert uow.subscriptions.for_agreement(agreement.id) == [subscription]
            agreement.set_deviating_frequency(model, None)
            subscription.end_on(agreement, D(2026, 1, 1))
            uow.service_agreements.save(agreement)
            uow.subscriptions.save(subscription)
            uow.commit()
        with uow_factory() as uow:
            assert uow.service_agreements.get(agreement.id).deviating_frequency is None
            assert uow.subscriptions.get(subscription.id).period.end == D(2026, 1, 1)
            with pytest.raises(NotFound):
                uow.contract_models.get(uuid.uuid4())
            with pytest.raises(NotFound):
                uow.invoicing.get(uuid.uuid4())

    def test_r5_1_a_billing_period_and_an_activity_are_on_one_basis_only(
        self, uow_factory: UowFactory
    ) -> None:
        """The store skips lines already on a basis; runs pick only released activities of
        customers in the run, priced by the customer's agreement (R4.4)."""
        bakery, garage, other = (Employer.create(n) for n in ("Bakkerij", "Garage", "Zonder"))
        model = ContractModel.create(
            "Maand",
            ContractKind.SALES,
            BillingFrequency.MONTHLY,
            DateRange(D(2020, 1, 1)),
            [
                PriceCategory(activity_type="Spreekuur", price=Money("95.50")),
                PriceCategory(
                    activity_type="Huisbezoek", price=Money("10.00"), payer=Payer.INSURER
                ),
            ],
        )
        at_bakery = ServiceAgreement.conclude(bakery.id, model, DateRange(D(2025, 1, 1)))
        at_garage = ServiceAgreement.conclude(garage.id, model, DateRange(D(2025, 1, 1)))
        ended = ServiceAgreement.conclude(other.id, model, DateRange(D(2024, 1, 1), D(2025, 1, 1)))
        subscription = Subscription.subscribe(
            at_bakery, "Abonnement", Money("30.00"), DateRange(D(2025, 6, 15))
        )
        baker, mechanic, stranger = _employee_of(bakery), _employee_of(garage), _employee_of(other)
        professional = uuid.uuid4()

        def activity(employee: Employee, kind: str, day: int, released: bool = True) -> Activity:
            made = Activity.register(professional, employee.id, kind, D(2026, 1, day))
            if not released:
                made.status = ActivityStatus.DRAFT
            return made

        billed = activity(baker, "Spreekuur", 5)
        second = activity(mechanic, "Spreekuur", 31)
        skipped = [
            activity(baker, "Spreekuur", 6, released=False),  # a draft is never billed (R4.4)
            activity(baker, "Huisbezoek", 7),  # the insurer pays: not on the customer's basis
            activity(baker, "Onbekend", 8),  # no price category
            activity(stranger, "Spreekuur", 9),  # no agreement in January
        ]
        february = Activity.register(professional, baker.id, "Spreekuur", D(2026, 2, 1))
        with uow_factory() as uow:
            for employer in (bakery, garage, other):
                uow.employers.add(employer)
            for employee in (baker, mechanic, stranger):
                uow.employees.add(employee)
            uow.contract_models.add(model)
            for agreement in (at_bakery, at_garage, ended):
                uow.service_agreements.add(agreement)
            uow.subscriptions.add(subscription)
            for made in (billed, second, *skipped, february):
                uow.activities.add(made)
            uow.commit()

        run = uuid.uuid4()
        with uow_factory() as uow:
            store = uow.invoicing
            assert store.customers(JANUARY, None) == sorted([bakery.id, garage.id])
            assert store.customers(JANUARY, frozenset({garage.id, other.id})) == [garage.id]
            billable = list(store.billable_subscriptions(JANUARY, None))
            assert [(b.subscription_id, b.employer_id) for b in billable] == [
                (subscription.id, bakery.id)
            ]
            assert (billable[0].contract_months, billable[0].billing_months) == (1, 1)
            assert list(store.billable_subscriptions(JANUARY, frozenset({garage.id}))) == []
            store.lock_customers([bakery.id, garage.id])
            bases = [
                InvoiceBasis(
                    id=uuid.uuid4(),
                    employer_id=e.id,
                    period=JANUARY,
                    run_id=run,
                    created_on=D(2026, 2, 1),
                )
                for e in (bakery, garage, other)
            ]
            store.add_bases(bases)
            line = SubscriptionLine.of(
                invoice_basis_id=bases[0].id,
                subscription_id=subscription.id,
                period=DateRange(D(2026, 1, 15), D(2026, 2, 15)),
                amount=Money("30.00"),
            )
            assert store.add_subscription_lines([line]) == 1
            # the same billing period again, even on another basis: skipped
            again = SubscriptionLine.of(
                invoice_basis_id=bases[1].id,
                subscription_id=subscription.id,
                period=DateRange(D(2026, 1, 15), D(2026, 2, 15)),
                amount=Money("30.00"),
            )
            assert store.add_subscription_lines([again]) == 0
            # R5.1: days already billed are not billed again, even in a period of another
            # length (the frequency changed); the next days are
            overlapping, following = (
                SubscriptionLine.of(
                    invoice_basis_id=bases[0].id,
                    subscription_id=subscription.id,
                    period=period,
                    amount=Money("1.00"),
                )
                for period in (
                    DateRange(D(2026, 2, 1), D(2026, 3, 1)),
                    DateRange(D(2026, 2, 15), D(2026, 3, 15)),
                )
            )
            assert store.add_subscription_lines([overlapping]) == 0
            assert store.add_subscription_lines([following]) == 1
            # R5.1: a subscription all of whose days in the window are billed ([01-15, 02-15)
            # and [02-15, 03-15) cover February) is not billable there; nor in January, whose
            # 14 unbilled days before the 15th are too few for a billing period to start in
            # them without overlapping [01-15, 02-15); from 1 December on they are 45: billable
            february_window = DateRange(D(2026, 2, 1), D(2026, 3, 1))
            assert list(store.billable_subscriptions(february_window, None)) == []
            assert list(store.billable_subscriptions(JANUARY, None)) == []
            winter = DateRange(D(2025, 12, 1), D(2026, 2, 1))
            assert [b.subscription_id for b in store.billable_subscriptions(winter, None)] == [
                subscription.id
            ]
            assert store.add_activity_lines(JANUARY, run) == 2
            # the insurer's visit, the unpriced type and the stranger's consultation (the
            # draft is not released, February is outside the period)
            assert store.unbilled_activities(JANUARY, run) == 3
            assert store.add_activity_lines(JANUARY, run) == 0  # never twice
            finished = store.finish_run(run)
            uow.commit()

        assert [
            (b.employer_id, b.subscription_lines, b.activity_lines) for b in finished
        ] == sorted([(bakery.id, 2, 1), (garage.id, 0, 1)])
        totals = {b.employer_id: b.total for b in finished}
        assert totals == {bakery.id: Money("126.50"), garage.id: Money("95.50")}
        bakery_basis = next(b for b in finished if b.employer_id == bakery.id)
        with uow_factory() as uow:
            with pytest.raises(NotFound):
                uow.invoicing.get(bases[2].id)  # no lines: dropped
            assert uow.invoicing.get(bakery_basis.id) == bakery_basis
            assert uow.invoicing.list(JANUARY) == sorted(
                finished, key=lambda b: (b.period.start, b.employer_id)
            )
            assert uow.invoicing.list(DateRange(D(2026, 2, 1))) == []
            lines = list(uow.invoicing.lines(bakery_basis.id))
            assert [(x.kind, x.reference_id, x.amount) for x in lines] == [
                (LineKind.SUBSCRIPTION, subscription.id, Money("30.00")),
                (LineKind.SUBSCRIPTION, subscription.id, Money("1.00")),
                (LineKind.ACTIVITY, billed.id, Money("95.50")),
            ]
            assert lines[0].description == "Abonnement"
            assert lines[2].period == DateRange(D(2026, 1, 5), D(2026, 1, 6))
            assert lines[2].employee_id == baker.id
            bakery_basis.make_final()
            uow.invoicing.save(bakery_basis)
            assert uow.invoicing.offer_activities(bakery_basis.id) == 1
            bakery_basis.mark_sent(D(2026, 2, 2), 1)
            uow.invoicing.save(bakery_basis)
            uow.commit()
        with uow_factory() as uow:
            stored = uow.invoicing.get(bakery_basis.id)
            assert (stored.status, stored.sent_on) == (InvoiceBasisStatus.SENT, D(2026, 2, 2))
            assert uow.activities.get(billed.id).status is ActivityStatus.OFFERED
            assert uow.activities.get(second.id).status is ActivityStatus.RELEASED
            garage_basis = next(b for b in finished if b.employer_id == garage.id)
            uow.invoicing.delete(garage_basis.id)
            uow.commit()
        # a deleted (draft) basis frees its activity for the next run
        with uow_factory() as uow:
            rerun = uuid.uuid4()
            uow.invoicing.add_bases(
                [
                    InvoiceBasis(
                        id=uuid.uuid4(),
                        employer_id=garage.id,
                        period=JANUARY,
                        run_id=rerun,
                        created_on=D(2026, 2, 3),
                    )
                ]
            )
            assert uow.invoicing.add_activity_lines(JANUARY, rerun) == 1
            assert [b.activity_lines for b in uow.invoicing.finish_run(rerun)] == [1]
            uow.commit()

    def test_r5_1_the_customer_is_the_employer_of_the_leading_employment_that_day(
        self, uow_factory: UowFactory
    ) -> None:
        """R2.3: the flagged employment if it runs that day, otherwise the running one that
        started first."""
        bakery, garage = Employer.create("Bakkerij"), Employer.create("Garage")
        model = ContractModel.create(
            "Maand",
            ContractKind.SALES,
            BillingFrequency.MONTHLY,
            DateRange(D(2020, 1, 1)),
            [PriceCategory(activity_type="Spreekuur", price=Money("50.00"))],
        )
        agreements = [
            ServiceAgreement.conclude(e.id, model, DateRange(D(2025, 1, 1)))
            for e in (bakery, garage)
        ]
        employee = Employee.register("Anna", "Jansen")
        employee.add_employment(  # the first: flagged leading, ends on 10 January
            Employment.create(
                id=uuid.uuid4(),
                employer_id=bakery.id,
                period=DateRange(D(2020, 1, 1), D(2026, 1, 10)),
            )
        )
        employee.add_employment(
            Employment.create(
                id=uuid.uuid4(), employer_id=garage.id, period=DateRange(D(2025, 6, 1))
            )
        )
        professional = uuid.uuid4()
        early, late = (
            Activity.register(professional, employee.id, "Spreekuur", day)
            for day in (D(2026, 1, 5), D(2026, 1, 20))
        )
        run = uuid.uuid4()
        with uow_factory() as uow:
            for employer in (bakery, garage):
                uow.employers.add(employer)
            uow.employees.add(employee)
            uow.contract_models.add(model)
            for agreement in agreements:
                uow.service_agreements.add(agreement)
            uow.activities.add(early)
            uow.activities.add(late)
            uow.invoicing.add_bases(
                [
                    InvoiceBasis(
                        id=uuid.uuid4(),
                        employer_id=e.id,
                        period=JANUARY,
                        run_id=run,
                        created_on=D(2026, 2, 1),
                    )
                    for e in (bakery, garage)
                ]
            )
            assert uow.invoicing.add_activity_lines(JANUARY, run) == 2
            billed = {
                b.employer_id: [line.reference_id for line in uow.invoicing.lines(b.id)]
                for b in uow.invoicing.finish_run(run)
            }
            uow.commit()
        assert billed == {bakery.id: [early.id], garage.id: [late.id]}


class TestMemoryBilling(MemoryBackend, BillingContract):
    pass


class TestSqliteBilling(SqliteBackend, BillingContract):
    pass


class TestPostgresBilling(PostgresBackend, BillingContract):
    pass
