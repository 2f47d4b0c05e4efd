"""A billing run at the end of the supported calendar (R0.1 decision, R5.1, R0.5).

The core accepts days up to 2199-12-31; a range's exclusive end may be 2200-01-01 at the latest
(``xs_core.limits.END_LIMIT``), and every ``DateRange`` outside is refused with
``date.outside_window``. A subscription whose billing period starts in December 2199 has a
period end beyond that limit (a monthly period from 15 December 2199 ends on 15 January 2200).
A run of December 2199 must treat that period the same on every engine, and whatever it writes
must be readable afterwards: either every engine refuses the run with the same domain error, or
every engine bills the period and its lines can be listed and exported."""

from __future__ import annotations

import datetime as _dt
import io
from collections.abc import Iterator

import pytest

from tests.apps import make_app
from tests.billing_world import customers
from xs_adapters.clock import FixedClock
from xs_app import Xs, bootstrap
from xs_app.services.billing import (
    ExportInvoiceBasis,
    InvoiceLines,
    RunBilling,
)
from xs_core.billing import BillingFrequency
from xs_core.dates import DateRange
from xs_core.errors import DomainError

D = _dt.date
DECEMBER_2199 = DateRange(D(2199, 12, 1), D(2200, 1, 1))


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def xs(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    app = make_app(request, clock, request.param)
    yield app
    app.close()


def _outcome(xs: Xs) -> object:
    """Run December 2199 for a customer with a monthly subscription from 15 December 2199:
    the refusal's code, or the lines of its basis as listed and the rows exported."""
    admin = customers(
        xs,
        1,
        frequency=BillingFrequency.MONTHLY,
        model_from=D(2199, 1, 1),
        agreed_from=D(2199, 1, 1),
        subscription=("100.00", D(2199, 12, 15)),
    ).admin
    try:
        summary = xs.billing.run(RunBilling(actor=admin, period=DECEMBER_2199))
    except DomainError as refused:
        return ("refused", refused.code)
    found: list[object] = []
    for basis in summary.invoice_bases:
        lines = [
            (str(line.period), line.amount)
            for line in xs.billing.lines(InvoiceLines(actor=admin, basis_id=basis))
        ]
        out = io.StringIO()
        rows = xs.billing.export_csv(ExportInvoiceBasis(actor=admin, basis_id=basis), out)
        found.append((lines, rows))
    return ("billed", summary.subscription_lines, found)


def _reference() -> object:
    app = bootstrap(storage="memory", clock=FixedClock.on(D(2026, 11, 29)))
    try:
        return _outcome(app)
    finally:
        app.close()


def test_r0_1_a_period_running_past_the_calendar_is_treated_alike_and_stays_readable(
    xs: Xs,
) -> None:
    """R0.1/R5.1/R0.5: the run of December 2199 ends as on the memory store (the reference),
    and if it bills the period from 15 December 2199, its basis's lines can be listed and
    exported (no ``date.outside_window`` when reading what the run wrote)."""
    try:
        outcome = _outcome(xs)
    except DomainError as refused:  # reading back what the run wrote
        pytest.fail(f"the run's basis cannot be read back: {refused.code} {refused.details}")
    assert outcome == _reference()
