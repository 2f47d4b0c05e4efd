"""Migration 0026 (the activities' index covers the billing run's candidates, R4.4)
down and up again on SQLite and PostgreSQL with billed and unbilled activities present; the
billing afterwards is the same as before."""

from __future__ import annotations

import datetime as _dt
import uuid

import pytest
import sqlalchemy as sa

from tests.billing_world import customers
from xs_adapters.clock import FixedClock
from xs_adapters.sql.engine import create_engine
from xs_adapters.sql.migrate import current_revision, downgrade, upgrade
from xs_app import Xs, bootstrap
from xs_app.services.billing import RunBilling
from xs_core.billing import BillingFrequency
from xs_core.dates import DateRange
from xs_core.money import Money

D = _dt.date
JANUARY = DateRange(D(2026, 1, 1), D(2026, 2, 1))
FEBRUARY = DateRange(D(2026, 2, 1), D(2026, 3, 1))
INDEX = "ix_activities_status_performed"


def _columns(engine: sa.Engine) -> list[str | None]:
    indexes = sa.inspect(engine).get_indexes("activities")
    (found,) = [i for i in indexes if i["name"] == INDEX]
    return list(found["column_names"])


def _world(xs: Xs) -> uuid.UUID:
    """A customer on a monthly model with consultations in January and February 2026."""
    days = (D(2026, 1, 5), D(2026, 1, 31), D(2026, 2, 1), D(2026, 2, 28))
    return customers(xs, 1, days, frequency=BillingFrequency.MONTHLY, subscription=None).admin


@pytest.mark.parametrize("database", ["sqlite_url", "postgres_url"])
def test_r4_4_migration_0026_down_and_up_with_billed_activities(
    request: pytest.FixtureRequest, database: str
) -> None:
    """R4.4: with January billed and February not, 0026 goes down to 0025 and up again; the
    index has its columns each time, no activity or line is lost, a repeated January run bills
    nothing and February's run bills its two activities."""
    url = request.getfixturevalue(database)
    clock = FixedClock.on(D(2026, 3, 1))
    xs = bootstrap(database_url=url, clock=clock, migrate_database=database == "sqlite_url")
    admin = _world(xs)
    assert xs.billing.run(RunBilling(actor=admin, period=JANUARY)).activity_lines == 2
    xs.close()

    engine = create_engine(url)
    assert _columns(engine) == ["status", "performed_on", "id", "employee_id", "activity_type"]
    downgrade(engine, "0025")
    assert current_revision(engine) == "0025"
    assert _columns(engine) == ["status", "performed_on", "id"]
    upgrade(engine)
    assert _columns(engine) == ["status", "performed_on", "id", "employee_id", "activity_type"]
    with engine.connect() as connection:
        counts = connection.execute(
            sa.text(
                "SELECT (SELECT count(*) FROM activities), (SELECT count(*) FROM"
                " invoice_activity_lines)"
            )
        ).one()
    engine.dispose()
    assert tuple(counts) == (4, 2)

    xs = bootstrap(database_url=url, clock=clock, migrate_database=False)
    again = xs.billing.run(RunBilling(actor=admin, period=JANUARY))
    assert (again.activity_lines, again.invoice_bases) == (0, ())
    february = xs.billing.run(RunBilling(actor=admin, period=FEBRUARY))
    assert (february.activity_lines, february.total) == (2, Money("191.00"))
    xs.close()
