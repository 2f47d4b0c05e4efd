"""A billing run: invoice bases for the customers of a period, set-based (R5.1, R4.4).

One run creates a draft invoice basis per customer with a service agreement in the period, adds
the billing periods of their subscriptions that start in the period (amounts per R5.1) and, in
one set-based statement, the released activities performed in the period (R4.4); bases that got
no line are dropped. Lines already on another basis are skipped, so running a period twice, or
concurrently, bills nothing twice.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable

from xs_core.billing.invoicing import (
    InvoiceBasis,
    InvoiceBasisGenerated,
    RunSummary,
    SubscriptionLine,
)
from xs_core.billing.ports import InvoicingStore
from xs_core.billing.schedule import billing_spans
from xs_core.dates import DateRange
from xs_core.events import DomainEvent
from xs_core.money import Money
from xs_core.organisation.units import new_id
from xs_core.progress import Progress, silent

STAGES = ("customers", "subscriptions", "activities", "totals")
CHUNK = 50_000


def run_billing(
    store: InvoicingStore,
    window: DateRange,
    today: _dt.date,
    employer_ids: frozenset[uuid.UUID] | None,
    publish: Callable[[DomainEvent], None],
    progress: Progress | None = None,
) -> RunSummary:
    """Generate draft invoice bases for ``window`` (open-ended windows are refused by the
    caller). ``employer_ids`` limits the run (``None``: every customer)."""
    if window.end is None:  # the services refuse open windows before they get here
        raise ValueError("a billing run needs a window with an end")
    window_end: _dt.date = window.end
    progress = progress or silent
    run_id = new_id()
    customers = store.customers(window, employer_ids)
    store.lock_customers(customers)
    bases = {
        employer: InvoiceBasis(
            id=new_id(), employer_id=employer, period=window, run_id=run_id, created_on=today
        )
        for employer in customers
    }
    store.add_bases(list(bases.values()))
    progress("customers", len(customers), len(customers))

    lines: list[SubscriptionLine] = []
    added = 0
    for subscription in store.billable_subscriptions(window, employer_ids):
        basis = bases.get(subscription.employer_id)
        if basis is None:
            continue
        for first, until, cents in billing_spans(
            subscription.start,
            subscription.end,
            subscription.contract_months,
            subscription.billing_months,
            subscription.cents,
            window,
        ):
            lines.append(
                SubscriptionLine(basis.id, subscription.subscription_id, first, until, cents)
            )
        if len(lines) >= CHUNK:
            added += store.add_subscription_lines(lines)
            progress("subscriptions", added, None)
            lines = []
    added += store.add_subscription_lines(lines)
    progress("subscriptions", added, added)

    activities = store.add_activity_lines(window, run_id)
    unbilled = store.unbilled_activities(window, run_id)
    progress("activities", activities, activities)

    finished = store.finish_run(run_id)
    total = Money.zero()
    for basis in finished:
        total += basis.total
        publish(
            InvoiceBasisGenerated(
                invoice_basis_id=basis.id,
                employer_id=basis.employer_id,
                run_id=basis.run_id,
                period_start=window.start,
                period_end=window_end,
                subscription_lines=basis.subscription_lines,
                activity_lines=basis.activity_lines,
                total=basis.total.amount,
            )
        )
    progress("totals", len(finished), len(finished))
    return RunSummary(
        period=window,
        invoice_bases=tuple(b.id for b in finished),
        subscription_lines=added,
        activity_lines=activities,
        total=total,
        unbilled_activities=unbilled,
    )
