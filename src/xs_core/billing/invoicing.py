"""The invoice basis (factuurgrondslag) and its lifecycle: draft → final → invoice sent (R5.1,
R4.4, R5.5).

An invoice basis belongs to one customer (employer) and one period. It holds subscription lines
(billing periods that start in the period, R5.1) and activity lines (released activities performed
in the period, priced by the customer's contract model, R4.4). A billing period or an activity is
never on two invoice bases (the storage enforces it with unique constraints). When the invoice is
sent, the basis's activities become *offered* (aangeboden), which the reimbursement batches (R5.5)
will require.
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from decimal import Decimal
from typing import ClassVar, NamedTuple

import attrs

from xs_core.dates import DateRange, as_date
from xs_core.errors import Conflict, DomainError, register_messages
from xs_core.events import Aggregate, DomainEvent
from xs_core.money import Money

register_messages(
    {
        "billing.invalid_transition": (
            "Een factuurgrondslag met status {status} kan niet {action}.",
            "An invoice basis with status {status} cannot {action}.",
        ),
    },
    kind=Conflict,
)


class InvoiceBasisStatus(enum.Enum):
    DRAFT = "draft"  # concept
    FINAL = "final"  # definitief
    SENT = "sent"  # factuur verzonden


@attrs.frozen(kw_only=True)
class InvoiceBasisGenerated(DomainEvent):
    """R5.1, R4.4: a billing run generated a draft invoice basis for a customer over
    ``period_start`` until ``period_end`` (exclusive), with its line counts and ``total`` in
    euros. Version 2: the period as two dates (version 1 had one ``period`` string) and the
    run's ``run_id``."""

    name: ClassVar[str] = "InvoiceBasisGenerated"
    version: ClassVar[int] = 2
    invoice_basis_id: uuid.UUID
    employer_id: uuid.UUID
    run_id: uuid.UUID
    period_start: _dt.date
    period_end: _dt.date
    subscription_lines: int
    activity_lines: int
    total: Decimal


@attrs.frozen(kw_only=True)
class InvoiceBasisMadeFinal(DomainEvent):
    """R5.1: a draft invoice basis was made final; it no longer changes."""

    name: ClassVar[str] = "InvoiceBasisMadeFinal"
    invoice_basis_id: uuid.UUID
    employer_id: uuid.UUID


@attrs.frozen(kw_only=True)
class InvoiceSent(DomainEvent):
    """R5.1, R5.5: the invoice of a final invoice basis was sent on ``sent_on``; its
    ``offered_activities`` activities are offered (aangeboden) from now on."""

    name: ClassVar[str] = "InvoiceSent"
    invoice_basis_id: uuid.UUID
    employer_id: uuid.UUID
    sent_on: _dt.date
    offered_activities: int


@attrs.frozen(kw_only=True)
class InvoiceBasisDiscarded(DomainEvent):
    """R5.1: a draft invoice basis was discarded; its billing periods and activities can be
    billed again."""

    name: ClassVar[str] = "InvoiceBasisDiscarded"
    invoice_basis_id: uuid.UUID
    employer_id: uuid.UUID


@attrs.define(kw_only=True)
class InvoiceBasis(Aggregate):
    id: uuid.UUID
    employer_id: uuid.UUID
    period: DateRange
    run_id: uuid.UUID
    created_on: _dt.date
    status: InvoiceBasisStatus = InvoiceBasisStatus.DRAFT
    subscription_lines: int = 0
    activity_lines: int = 0
    total: Money = attrs.field(factory=Money.zero)
    sent_on: _dt.date | None = None

    def _require(self, status: InvoiceBasisStatus, action: str) -> None:
        if self.status is not status:
            raise DomainError(
                "billing.invalid_transition",
                {"status": self.status.value, "action": action, "rule": "R5.5"},
            )

    def make_final(self) -> None:
        """Draft → final: the basis no longer changes."""
        self._require(InvoiceBasisStatus.DRAFT, "make final")
        self.status = InvoiceBasisStatus.FINAL
        self.record(InvoiceBasisMadeFinal(invoice_basis_id=self.id, employer_id=self.employer_id))

    def mark_sent(self, on: _dt.date, offered_activities: int) -> None:
        """Final → invoice sent; its activities are offered from now on."""
        self._require(InvoiceBasisStatus.FINAL, "be sent")
        sent_on = as_date(on)
        self.status = InvoiceBasisStatus.SENT
        self.sent_on = sent_on
        self.record(
            InvoiceSent(
                invoice_basis_id=self.id,
                employer_id=self.employer_id,
                sent_on=sent_on,
                offered_activities=offered_activities,
            )
        )

    def require_draft(self, action: str) -> None:
        self._require(InvoiceBasisStatus.DRAFT, action)

    def discard(self) -> None:
        """Draft → gone: its billing periods and activities can be billed again."""
        self._require(InvoiceBasisStatus.DRAFT, "be discarded")
        self.record(InvoiceBasisDiscarded(invoice_basis_id=self.id, employer_id=self.employer_id))


class LineKind(enum.Enum):
    SUBSCRIPTION = "subscription"
    ACTIVITY = "activity"


@attrs.frozen(kw_only=True)
class InvoiceLine:
    """A line of an invoice basis, as exported."""

    invoice_basis_id: uuid.UUID
    kind: LineKind
    reference_id: uuid.UUID  # the subscription or the activity
    description: str
    period: DateRange  # the billing period, or the activity's day
    amount: Money
    employee_id: uuid.UUID | None = None


class SubscriptionLine(NamedTuple):
    """A billing period of a subscription on an invoice basis (R5.1): its first day, its end
    (exclusive) and its amount in cents, as plain values — a billing run makes one per billing
    period of every subscription (``period`` and ``amount`` give them as domain values;
    :meth:`of` makes one from them)."""

    invoice_basis_id: uuid.UUID
    subscription_id: uuid.UUID
    period_from: _dt.date
    period_until: _dt.date
    cents: int

    @classmethod
    def of(
        cls,
        invoice_basis_id: uuid.UUID,
        subscription_id: uuid.UUID,
        period: DateRange,
        amount: Money,
    ) -> SubscriptionLine:
        if period.end is None:
            raise ValueError("a billing period has an end")
        return cls(invoice_basis_id, subscription_id, period.start, period.end, amount.cents)

    @property
    def period(self) -> DateRange:
        return DateRange(self.period_from, self.period_until)

    @property
    def amount(self) -> Money:
        return Money.from_cents(self.cents)


@attrs.frozen(kw_only=True)
class BillableSubscription:
    """What a billing run needs of a subscription: its customer, its terms (the amount per
    contract period in cents, the first day and the end, exclusive, or ``None``) and its
    frequencies — plain values as the storage holds them, read for every subscription of a
    run."""

    subscription_id: uuid.UUID
    employer_id: uuid.UUID
    description: str
    cents: int
    start: _dt.date
    end: _dt.date | None
    contract_months: int
    billing_months: int


@attrs.frozen(kw_only=True)
class RunSummary:
    """The outcome of a billing run."""

    period: DateRange
    invoice_bases: tuple[uuid.UUID, ...]
    subscription_lines: int
    activity_lines: int
    total: Money
    #: released activities of the run's customers performed in the period that are on no
    #: invoice basis after the run: no price category of the customer's agreement covers them
    unbilled_activities: int = 0
