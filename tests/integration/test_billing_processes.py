"""The same billing run in several *processes* at once on one SQLite file (R4.4, R5.1,
R0.5). SQLite's activity lines are written through temporary tables of the connection and the
subscription lines through ``json_each``; each process has its own connection. Every process
must either succeed or be refused with a domain error — never a database error — and together
they bill every activity and every billing period exactly once."""

from __future__ import annotations

import datetime as _dt
import multiprocessing
import traceback
import uuid
from typing import Any

import sqlalchemy as sa

from tests.billing_world import customers
from xs_adapters.clock import FixedClock
from xs_app import bootstrap
from xs_app.services.billing import (
    ListInvoiceBases,
    RunBilling,
)
from xs_core.billing import BillingFrequency
from xs_core.dates import DateRange
from xs_core.errors import DomainError

D = _dt.date
PERIOD = DateRange(D(2026, 1, 1), D(2026, 7, 1))
TODAY = D(2026, 11, 29)
PROCESSES = 4
CUSTOMERS = 3
ACTIVITIES = 150  # per customer, spread over the period


def _racer(url: str, admin: str, start: Any) -> str:
    """One process: wait for the start, run billing for the period; the outcome as text."""
    xs = bootstrap(database_url=url, clock=FixedClock.on(TODAY), migrate_database=False)
    try:
        start.wait(60)
        summary = xs.billing.run(RunBilling(actor=uuid.UUID(admin), period=PERIOD))
        return f"ok {summary.subscription_lines} {summary.activity_lines}"
    except DomainError as refused:
        return f"refused {refused.code}"
    except Exception:
        return "crash " + traceback.format_exc()
    finally:
        xs.close()


def _reader(url: str, admin: str, start: Any) -> str:
    """A clerk listing the invoice bases over and over while the runs write."""
    xs = bootstrap(database_url=url, clock=FixedClock.on(TODAY), migrate_database=False)
    try:
        start.wait(60)
        for _ in range(30):
            xs.billing.invoice_bases(ListInvoiceBases(actor=uuid.UUID(admin)))
        return "read"
    except Exception:
        return "crash " + traceback.format_exc()
    finally:
        xs.close()


def test_r4_4_runs_in_processes_bill_each_activity_once(sqlite_url: str) -> None:
    """R4.4/R5.1/R0.5: four processes run billing for the same half-year on one SQLite file
    while a fifth lists the bases: each run succeeds (the later ones find everything billed),
    and every activity and every subscription's billing period is on exactly one line."""
    xs = bootstrap(database_url=sqlite_url, clock=FixedClock.on(TODAY))
    admin = customers(
        xs,
        CUSTOMERS,
        [D(2026, 1, 1) + _dt.timedelta(days=k % 181) for k in range(ACTIVITIES)],
        frequency=BillingFrequency.QUARTERLY,
        subscription=("300.00", D(2026, 1, 31)),
    ).admin
    xs.close()

    context = multiprocessing.get_context("spawn")
    start = context.Manager().Event()
    with context.Pool(PROCESSES + 1) as pool:
        pending = [
            pool.apply_async(_racer, (sqlite_url, str(admin), start)) for _ in range(PROCESSES)
        ]
        reading = pool.apply_async(_reader, (sqlite_url, str(admin), start))
        start.set()
        outcomes = [p.get(120) for p in pending]
        assert reading.get(120) == "read"
    crashes = [o for o in outcomes if not o.startswith(("ok", "refused"))]
    assert not crashes, crashes[0]
    assert all(o.startswith("ok") for o in outcomes), outcomes
    # a start on 31 January billed quarterly: periods from 31 January and 30 April start in
    # the half-year (two lines per customer); every activity billed once
    totals = [tuple(int(x) for x in o.split()[1:]) for o in outcomes]
    assert sum(s for s, _ in totals) == 2 * CUSTOMERS
    assert sum(a for _, a in totals) == ACTIVITIES * CUSTOMERS
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as connection:
        billed = connection.execute(
            sa.text("SELECT count(*), count(DISTINCT activity_id) FROM invoice_activity_lines")
        ).one()
        periods = connection.execute(
            sa.text("SELECT count(*) FROM invoice_subscription_lines")
        ).scalar_one()
    engine.dispose()
    assert tuple(billed) == (ACTIVITIES * CUSTOMERS, ACTIVITIES * CUSTOMERS)
    assert periods == 2 * CUSTOMERS
