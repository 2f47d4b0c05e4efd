"""R0.3: amounts are stored, summed, compared and read back exactly on SQLite and PostgreSQL
(SQLite: integer cents; PostgreSQL: NUMERIC(14, 2)), within the one limit MAX_AMOUNT; a billing
total beyond it is refused as ``money.out_of_range`` and nothing is written, on every backend."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_adapters.sql.amounts import amount_sums, total_cents
from xs_adapters.sql.engine import create_engine
from xs_adapters.sql.types import AMOUNT_PRECISION, AMOUNT_SCALE, Cents
from xs_core.agenda.model import Activity
from xs_core.billing import (
    BillingFrequency,
    ContractKind,
    ContractModel,
    PriceCategory,
    ServiceAgreement,
    Subscription,
)
from xs_core.billing.run import run_billing
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.money import MAX_AMOUNT, Money
from xs_core.organisation.model import Employee, Employer, Employment

D = _dt.date
JANUARY = DateRange(D(2026, 1, 1), D(2026, 2, 1))
TOP = "999999999999.99"  # MAX_AMOUNT, written out


@pytest.fixture(params=["sqlite_url", "postgres_url"])
def engine(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    engine = create_engine(request.getfixturevalue(request.param))
    yield engine
    engine.dispose()


probe_metadata = sa.MetaData()
probe = sa.Table(
    "money_probe",
    probe_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("amount", Cents),
)


def _create_probe(engine: sa.Engine) -> None:
    probe_metadata.create_all(engine)


def test_r0_3_the_column_holds_exactly_the_limit() -> None:
    # NUMERIC(14, 2): 12 digits before the point, 2 after — the largest is MAX_AMOUNT
    assert (AMOUNT_PRECISION, AMOUNT_SCALE) == (14, 2)
    assert Decimal(10) ** (AMOUNT_PRECISION - AMOUNT_SCALE) - Decimal("0.01") == MAX_AMOUNT


def test_r0_3_many_small_amounts_sum_and_compare_exactly(engine: sa.Engine) -> None:
    """1000 × 0.10 and 1000 × 0.20 (and their sum 0.30, a float's classic) sum to 300.00 and
    compare equal in SQL; every row reads back as it was written."""
    _create_probe(engine)
    tenth, fifth = Money("0.10"), Money("0.20")
    rows = [{"id": n, "amount": (tenth if n % 2 else fifth).amount} for n in range(2000)]
    rows.append({"id": 2000, "amount": (tenth + fifth).amount})
    with engine.begin() as connection:
        connection.execute(probe.insert(), rows)
    dialect = engine.dialect.name
    with engine.connect() as connection:
        sums = connection.execute(sa.select(*amount_sums(probe.c.amount, dialect))).one()
        # 1000 × 10 + 1000 × 20 + 30 cents, by hand
        assert total_cents(list(sums), dialect) == 30_030
        plain = connection.execute(sa.select(sa.func.sum(probe.c.amount))).scalar_one()
        assert plain == Decimal("300.30")
        thirty = connection.execute(
            sa.select(probe.c.id).where(probe.c.amount == Decimal("0.30"))
        ).scalars()
        assert list(thirty) == [2000]
        counted = connection.execute(
            sa.select(sa.func.count()).where(probe.c.amount > Decimal("0.10"))
        ).scalar_one()
        assert counted == 1001
        read = dict(connection.execute(sa.select(probe.c.id, probe.c.amount)).all())
        assert read == {row["id"]: row["amount"] for row in rows}
        assert {str(v) for v in read.values()} == {"0.10", "0.20", "0.30"}
        if dialect == "sqlite":  # integer cents, not binary floats
            kinds = connection.exec_driver_sql(
                "SELECT DISTINCT typeof(amount), min(amount) FROM money_probe"
            ).all()
            assert [tuple(k) for k in kinds] == [("integer", 10)]


def test_r0_3_the_largest_amounts_round_trip_exactly(engine: sa.Engine) -> None:
    _create_probe(engine)
    values = [Decimal(TOP), Decimal("-" + TOP), Decimal("123456789012.34"), Decimal("0.01")]
    with engine.begin() as connection:
        connection.execute(probe.insert(), [{"id": n, "amount": v} for n, v in enumerate(values)])
    with engine.connect() as connection:
        read = connection.execute(sa.select(probe.c.amount).order_by(probe.c.id)).scalars()
        assert [str(v) for v in read] == [TOP, "-" + TOP, "123456789012.34", "0.01"]
        total = connection.execute(
            sa.select(*amount_sums(probe.c.amount, engine.dialect.name))
        ).one()
        assert total_cents(list(total), engine.dialect.name) == 12_345_678_901_235


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (Decimal("1000000000000.00"), "money.out_of_range"),
        (Decimal("-1000000000000.00"), "money.out_of_range"),
        (Decimal("1E+30"), "money.out_of_range"),
        (Decimal("NaN"), "money.invalid_amount"),
        (0.1, "money.invalid_amount"),
        (Decimal("0.005"), "money.invalid_amount"),
    ],
)
def test_r0_3_an_amount_the_column_cannot_hold_is_a_domain_error(
    engine: sa.Engine, value: object, code: str
) -> None:
    """Identical limits on both engines, refused before the database sees the value (no
    numeric overflow on PostgreSQL, no unbounded integer on SQLite)."""
    _create_probe(engine)
    with pytest.raises(DomainError) as refused, engine.begin() as connection:
        connection.execute(probe.insert(), [{"id": 1, "amount": value}])
    assert refused.value.code == code
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(probe)).scalar_one() == 0


# -- through the repositories and a billing run, on memory, SQLite and PostgreSQL -------------


def _customer(price: Money) -> tuple[Employer, Employee, ContractModel, ServiceAgreement]:
    employer = Employer.create("Bakkerij", "BAK")
    employee = Employee.register("Anna", "Jansen")
    employee.add_employment(
        Employment.create(
            id=uuid.uuid4(),
            employer_id=employer.id,
            period=DateRange(D(2020, 1, 1)),
            salary=Money(MAX_AMOUNT),  # an annual salary is money: the same limit
        )
    )
    model = ContractModel.create(
        "Maand",
        ContractKind.SALES,
        BillingFrequency.MONTHLY,
        DateRange(D(2020, 1, 1)),
        [
            PriceCategory(activity_type="Spreekuur", price=price),
            PriceCategory(activity_type="Huisbezoek", price=Money("0.20")),
        ],
    )
    agreement = ServiceAgreement.conclude(employer.id, model, DateRange(D(2025, 1, 1)))
    return employer, employee, model, agreement


def _store(
    uow_factory: UowFactory,
    parts: tuple[Employer, Employee, ContractModel, ServiceAgreement],
    subscriptions: list[Subscription],
    activities: list[Activity],
) -> None:
    employer, employee, model, agreement = parts
    with uow_factory() as uow:
        uow.employers.add(employer)
        uow.employees.add(employee)
        uow.contract_models.add(model)
        uow.service_agreements.add(agreement)
        for subscription in subscriptions:
            uow.subscriptions.add(subscription)
        for activity in activities:
            uow.activities.add(activity)
        uow.commit()


def _run(uow_factory: UowFactory) -> Money:
    with uow_factory() as uow:
        summary = run_billing(uow.invoicing, JANUARY, D(2026, 2, 1), None, lambda _: None)
        uow.commit()
    return summary.total


class MoneyContract:
    def test_r0_3_billing_totals_of_many_small_prices_are_exact(
        self, uow_factory: UowFactory
    ) -> None:
        parts = _customer(Money("0.10"))
        employee = parts[1]
        professional = uuid.uuid4()
        kinds = ("Spreekuur", "Huisbezoek")
        activities = [
            Activity.register(professional, employee.id, kinds[n % 2], D(2026, 1, 1 + n % 31))
            for n in range(300)
        ]
        _store(uow_factory, parts, [], activities)
        # 150 × 0.10 + 150 × 0.20 = 15.00 + 30.00, by hand
        assert _run(uow_factory) == Money("45.00")
        with uow_factory() as uow:
            (basis,) = uow.invoicing.list(JANUARY)
            assert (basis.activity_lines, basis.total) == (300, Money("45.00"))
            amounts = sorted({line.amount.amount for line in uow.invoicing.lines(basis.id)})
            assert [str(a) for a in amounts] == ["0.10", "0.20"]
            salary = uow.employees.get(employee.id).employments[0].conditions.salary
            assert salary == Money(TOP)

    def test_r0_3_a_total_of_the_limit_is_stored_and_one_cent_more_refused(
        self, uow_factory: UowFactory
    ) -> None:
        parts = _customer(Money("0.01"))
        employer, employee, _, agreement = parts
        largest = Subscription.subscribe(
            agreement, "Groot", Money("999999999999.98"), DateRange(D(2025, 1, 1))
        )
        visit = Activity.register(uuid.uuid4(), employee.id, "Spreekuur", D(2026, 1, 9))
        _store(uow_factory, parts, [largest], [visit])
        assert _run(uow_factory) == Money(TOP)  # 999999999999.98 + 0.01, by hand
        with uow_factory() as uow:
            (basis,) = uow.invoicing.list(JANUARY)
            assert basis.total == Money(TOP)
            assert uow.subscriptions.get(largest.id).amount == Money("999999999999.98")
            uow.invoicing.delete(basis.id)  # a draft: bill January again, with one line more
            uow.subscriptions.add(
                Subscription.subscribe(agreement, "Klein", Money("0.01"), JANUARY)
            )
            uow.commit()
        with pytest.raises(DomainError) as refused:
            _run(uow_factory)
        assert refused.value.code == "money.out_of_range"
        assert refused.value.details == {"value": "1000000000000.00", "limit": TOP}
        with uow_factory() as uow:  # nothing of the refused run was written
            assert uow.invoicing.list() == []
            assert employer.id not in {b.employer_id for b in uow.invoicing.list(JANUARY)}


class TestMemoryMoney(MemoryBackend, MoneyContract):
    pass


class TestSqliteMoney(SqliteBackend, MoneyContract):
    pass


class TestPostgresMoney(PostgresBackend, MoneyContract):
    pass
