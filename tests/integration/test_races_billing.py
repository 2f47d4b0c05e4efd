"""Billing's read-check-write use cases under real concurrent connections (R5.1, R4.4), on
SQLite and PostgreSQL; see docs/concurrency.md.

Before the invoice basis was locked, four ``make_final`` calls on one draft basis all succeeded
on PostgreSQL (each read "draft" before any had written "final").
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterator
from functools import partial

import pytest
import sqlalchemy as sa

from tests import billing_world
from tests.billing_world import Customers
from tests.races import ENGINES, codes, events, race, sql_app
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.services.billing import (
    ConcludeAgreement,
    DiscardInvoiceBasis,
    GetInvoiceBasis,
    ListInvoiceBases,
    MakeInvoiceBasisFinal,
    MarkInvoiceSent,
    RunBilling,
)
from xs_app.services.organisation import CreateEmployer
from xs_core.agenda.model import ActivityStatus
from xs_core.billing.invoicing import InvoiceBasisStatus, RunSummary
from xs_core.dates import DateRange
from xs_core.errors import NotFound
from xs_core.money import Money

D = _dt.date
PERIOD = DateRange(D(2026, 1, 1), D(2026, 7, 1))
RACERS = 4


@pytest.fixture(params=ENGINES)
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    yield from sql_app(request, clock)


def customers(xs: Xs, count: int, activities: int = 0) -> Customers:
    """``count`` customers on a yearly contract model with a subscription each, and
    ``activities`` released consultations per customer in February 2026."""
    return billing_world.customers(xs, count, [D(2026, 2, day) for day in range(1, activities + 1)])


def bases(c: Customers) -> list[uuid.UUID]:
    """Run billing for the first half of 2026: one draft basis per customer."""
    summary = c.xs.billing.run(RunBilling(actor=c.admin, period=PERIOD))
    return list(summary.invoice_bases)


def status_events(xs: Xs, basis: uuid.UUID) -> list[object]:
    """The basis's status changes in the order of the outbox (final, sent, discarded)."""
    changes = {
        "InvoiceBasisMadeFinal": "final",
        "InvoiceSent": "sent",
        "InvoiceBasisDiscarded": "discarded",
    }
    return [
        changes[m.name]
        for m in xs.outbox.pending(10_000)
        if m.name in changes and m.payload["invoice_basis_id"] == str(basis)
    ]


def test_r5_1_racing_make_final_finalises_a_basis_once(app: Xs) -> None:
    """Four clerks make three draft bases final at once: per basis exactly one succeeds, the
    others are told the basis is no longer a draft, and one ``final`` event is written."""
    c = customers(app, 3)
    for basis in bases(c):
        final = partial(
            app.billing.make_final, MakeInvoiceBasisFinal(actor=c.admin, basis_id=basis)
        )
        outcomes = race(*[final] * RACERS)
        assert codes(outcomes) == ["billing.invalid_transition"] * (RACERS - 1) + ["ok"]
        refused = [o.value for o in outcomes if not o.ok]
        assert all(e.details["status"] == "final" for e in refused)  # type: ignore[attr-defined]
        assert status_events(app, basis) == ["final"]


def test_r5_1_racing_mark_sent_offers_the_activities_once(app: Xs) -> None:
    """Four clerks mark one final basis sent at once: one succeeds and offers the basis's three
    activities; the others are refused and offer nothing (one ``sent`` event)."""
    c = customers(app, 2, activities=3)
    for basis in bases(c):
        app.billing.make_final(MakeInvoiceBasisFinal(actor=c.admin, basis_id=basis))
        sent = partial(app.billing.mark_sent, MarkInvoiceSent(actor=c.admin, basis_id=basis))
        outcomes = race(*[sent] * RACERS)
        assert codes(outcomes) == ["billing.invalid_transition"] * (RACERS - 1) + ["ok"]
        assert [o.value for o in outcomes if o.ok] == [3]
        assert status_events(app, basis) == ["final", "sent"]
        offered = [
            p["offered_activities"]
            for p in events(app, "InvoiceSent")
            if p["invoice_basis_id"] == str(basis)
        ]
        assert offered == [3]
    with app.container.engine().connect() as connection:
        statuses = connection.execute(
            sa.text("SELECT status, count(*) FROM activities GROUP BY status")
        ).all()
    assert [tuple(s) for s in statuses] == [(ActivityStatus.OFFERED.value, 6)]


def test_r5_1_make_final_and_discard_of_one_draft_at_once(app: Xs) -> None:
    """Making a draft final and discarding it at once: exactly one of them happens. Either the
    basis is final (the discard refused: no longer a draft) or gone (making it final answers
    ``not_found``); never both events."""
    c = customers(app, 6)
    seen: set[str] = set()
    for basis in bases(c):
        final, discard = race(
            partial(app.billing.make_final, MakeInvoiceBasisFinal(actor=c.admin, basis_id=basis)),
            partial(app.billing.discard, DiscardInvoiceBasis(actor=c.admin, basis_id=basis)),
        )
        assert sorted([final.ok, discard.ok]) == [False, True], (final, discard)
        if final.ok:
            assert discard.code == "billing.invalid_transition"
            stored = app.billing.invoice_basis(GetInvoiceBasis(actor=c.admin, basis_id=basis))
            assert stored.status is InvoiceBasisStatus.FINAL
            assert status_events(app, basis) == ["final"]
            seen.add("final")
        else:
            assert final.code == "not_found"
            with pytest.raises(NotFound):
                app.billing.invoice_basis(GetInvoiceBasis(actor=c.admin, basis_id=basis))
            assert status_events(app, basis) == ["discarded"]
            seen.add("discarded")
    remaining = app.billing.invoice_bases(ListInvoiceBases(actor=c.admin))
    assert all(b.status is InvoiceBasisStatus.FINAL for b in remaining)


def test_r5_1_racing_discards_delete_a_draft_once(app: Xs) -> None:
    c = customers(app, 1)
    (basis,) = bases(c)
    discard = partial(app.billing.discard, DiscardInvoiceBasis(actor=c.admin, basis_id=basis))
    outcomes = race(*[discard] * RACERS)
    assert codes(outcomes) == ["not_found"] * (RACERS - 1) + ["ok"]
    assert status_events(app, basis) == ["discarded"]


def test_r5_1_racing_agreements_of_one_customer_price_an_activity_once(app: Xs) -> None:
    """Four agreements on the same contract model for one customer, concluded at once: the
    customer is locked while its other agreements are checked, so exactly one is concluded and
    the others are refused (the activity type would be priced twice)."""
    c = customers(app, 0)
    for n in range(4):
        employer = app.organisation.create_employer(CreateEmployer(actor=c.admin, name=f"N{n}"))
        conclude = partial(
            app.billing.conclude_agreement,
            ConcludeAgreement(
                actor=c.admin,
                employer_id=employer,
                contract_model_id=c.model,
                period=DateRange(D(2026, 1, 1)),
            ),
        )
        outcomes = race(*[conclude] * RACERS)
        assert codes(outcomes) == ["billing.activity_type_priced_twice"] * (RACERS - 1) + ["ok"]
        with app.unit_of_work(write=False) as uow:
            assert len(uow.service_agreements.for_employer(employer)) == 1


def test_r5_1_racing_runs_of_a_partly_billed_period_bill_the_rest_once(app: Xs) -> None:
    """R5.1/R4.4: the billing run leaves out what is already billed with anti-joins read before
    it writes. Two customers, February's activities billed by a run of February and a January
    run's lines discarded; four runs of the first half at once bill the rest exactly once: each
    customer's yearly subscription (its period starts 1 January, on the discarded basis) and
    no activity twice — the customers' locks order the runs, and each reads what the one before
    committed. Hand-checked: 2 subscription lines of 1,200.00; 3 activities each billed once."""
    c = customers(app, 2, activities=3)
    january = DateRange(D(2026, 1, 1), D(2026, 2, 1))
    first = app.billing.run(RunBilling(actor=c.admin, period=january))
    for basis in first.invoice_bases:
        app.billing.discard(DiscardInvoiceBasis(actor=c.admin, basis_id=basis))
    february = DateRange(D(2026, 2, 1), D(2026, 3, 1))
    assert app.billing.run(RunBilling(actor=c.admin, period=february)).activity_lines == 6
    run = partial(app.billing.run, RunBilling(actor=c.admin, period=PERIOD))
    outcomes = race(*[run] * RACERS)
    assert codes(outcomes) == ["ok"] * RACERS
    summaries = [o.value for o in outcomes if isinstance(o.value, RunSummary)]
    assert sum(s.subscription_lines for s in summaries) == 2
    assert sum(s.activity_lines for s in summaries) == 0
    assert sum((s.total for s in summaries), Money.zero()) == Money("2400.00")
    with app.unit_of_work(write=False) as uow:
        billed = uow.connection.execute(  # type: ignore[attr-defined]
            sa.text("SELECT count(*), count(DISTINCT activity_id) FROM invoice_activity_lines")
        ).one()
    assert tuple(billed) == (6, 6)
