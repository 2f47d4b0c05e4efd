"""Reimbursement batches (vergoedingsbatches), R5.5.

A batch is generated for a supplier, an active reimbursement contract model (R5.4), a set of
contract holders (users) and a reference date. It holds every activity that is

* **offered** (aangeboden: its invoice basis was made final and the invoice sent, R5.1),
* performed by one of those users **on or before the reference date** (the reference date is
  inclusive: "tot en met"; as a half-open range the batch covers ``[−∞, reference + 1 day)``),
* under that supplier and model by the user's contract settings in force on the day it was
  performed (R5.3), with a reimbursement for its activity type in the model (zero is a line too),
* not yet **settled** — reimbursed or excluded in a final batch — and
* not in another **draft** batch.

Per line the user decides: reimburse (the default), exclude or postpone; a postponed line comes
back in the next batch, an excluded line never does once its batch is final. A draft can be
changed, regenerated or discarded; a final batch never changes.

The storage enforces the two promises whatever happens concurrently: an activity is in at most one
draft batch, and settled at most once (partial unique indexes on the line table, see
``docs/reimbursements.md``).
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from decimal import Decimal
from typing import ClassVar

import attrs

from xs_core.dates import as_date
from xs_core.errors import Conflict, DomainError, InvalidInput, register_messages
from xs_core.events import Aggregate, DomainEvent
from xs_core.money import Money
from xs_core.organisation.units import new_id

register_messages(
    {
        "reimbursements.reference_date_in_future": (
            "De referentiedatum {reference_date} ligt na vandaag ({today}).",
            "The reference date {reference_date} is after today ({today}).",
        ),
        "reimbursements.activity_not_offered": (
            "Verrichting {activity_id} is niet aangeboden (status {status}).",
            "Activity {activity_id} is not offered (status {status}).",
        ),
        "reimbursements.activity_not_in_batch": (
            "Verrichting {activity_id} staat niet in deze vergoedingsbatch.",
            "Activity {activity_id} is not in this reimbursement batch.",
        ),
        "reimbursements.nothing_to_pay": (
            "Vergoedingsbatch {batch_id} heeft geen bedrag om te betalen.",
            "Reimbursement batch {batch_id} has no amount to pay.",
        ),
    },
    kind=InvalidInput,
)

register_messages(
    {
        "reimbursements.batch_final": (
            "Vergoedingsbatch {batch_id} is definitief en kan niet {action}.",
            "Reimbursement batch {batch_id} is final and cannot {action}.",
        ),
        "reimbursements.batch_not_final": (
            "Vergoedingsbatch {batch_id} is nog een concept en kan niet {action}.",
            "Reimbursement batch {batch_id} is still a draft and cannot {action}.",
        ),
        "reimbursements.already_settled": (
            "Een verrichting van vergoedingsbatch {batch_id} is al vergoed of uitgesloten in "
            "een andere definitieve batch.",
            "An activity of reimbursement batch {batch_id} was already reimbursed or excluded in "
            "another final batch.",
        ),
    },
    kind=Conflict,
)


class BatchStatus(enum.Enum):
    DRAFT = "draft"  # concept
    FINAL = "final"  # definitief


class LineDecision(enum.Enum):
    """What the user chose for a line (R5.5)."""

    REIMBURSE = "reimburse"  # vergoeden
    EXCLUDE = "exclude"  # uitsluiten: never in a batch again once final
    POSTPONE = "postpone"  # uitstellen: back in the next batch

    @property
    def settles(self) -> bool:
        """A final line with this decision takes the activity out of every later batch."""
        return self is not LineDecision.POSTPONE


def check_reference_date(reference_date: _dt.date, today: _dt.date) -> None:
    """R5.5 (decision): a reference date after today is refused: activities not yet performed
    cannot be offered, and a batch "up to" a future day would silently change meaning."""
    if as_date(reference_date) > as_date(today):
        raise DomainError(
            "reimbursements.reference_date_in_future",
            {
                "rule": "R5.5",
                "reference_date": as_date(reference_date).isoformat(),
                "today": as_date(today).isoformat(),
            },
        )


@attrs.frozen(kw_only=True)
class BatchLine:
    """A line of a batch: one offered activity and its reimbursement (R5.5)."""

    batch_id: uuid.UUID
    activity_id: uuid.UUID
    user_id: uuid.UUID  # the contract holder who performed the activity
    employee_id: uuid.UUID
    activity_type: str
    performed_on: _dt.date
    amount: Money
    decision: LineDecision = LineDecision.REIMBURSE


@attrs.frozen(kw_only=True)
class BatchCounts:
    """A batch's lines per decision and the total to pay (the reimbursed lines)."""

    lines: int = 0
    reimbursed: int = 0
    excluded: int = 0
    postponed: int = 0
    total: Money = attrs.field(factory=Money.zero)


@attrs.frozen(kw_only=True)
class ReimbursementBatchGenerated(DomainEvent):
    """R5.5: a draft batch was generated for a supplier, a reimbursement contract model and a
    reference date (inclusive), with its number of lines and the total to pay."""

    name: ClassVar[str] = "ReimbursementBatchGenerated"
    batch_id: uuid.UUID
    supplier_id: uuid.UUID
    contract_model_id: uuid.UUID
    reference_date: _dt.date
    contract_holders: int
    lines: int
    total: Decimal


@attrs.frozen(kw_only=True)
class ReimbursementBatchRegenerated(DomainEvent):
    """R5.5: a draft batch was generated anew (its lines as the data stand now; decisions on
    activities still eligible kept)."""

    name: ClassVar[str] = "ReimbursementBatchRegenerated"
    batch_id: uuid.UUID
    supplier_id: uuid.UUID
    lines: int
    total: Decimal


@attrs.frozen(kw_only=True)
class ReimbursementLinesDecided(DomainEvent):
    """R5.5: ``lines`` lines of a draft batch were set to ``decision``."""

    name: ClassVar[str] = "ReimbursementLinesDecided"
    batch_id: uuid.UUID
    decision: LineDecision
    lines: int
    total: Decimal


@attrs.frozen(kw_only=True)
class ReimbursementBatchFinalised(DomainEvent):
    """R5.5: a batch was made final on ``finalised_on``: its reimbursed and excluded activities
    are settled for good, its postponed ones come back in the next batch; ``total`` is paid."""

    name: ClassVar[str] = "ReimbursementBatchFinalised"
    batch_id: uuid.UUID
    supplier_id: uuid.UUID
    finalised_on: _dt.date
    reimbursed: int
    excluded: int
    postponed: int
    total: Decimal


@attrs.frozen(kw_only=True)
class ReimbursementBatchDiscarded(DomainEvent):
    """R5.5: a draft batch was discarded; its activities can be in a batch again."""

    name: ClassVar[str] = "ReimbursementBatchDiscarded"
    batch_id: uuid.UUID
    supplier_id: uuid.UUID


@attrs.define(kw_only=True)
class ReimbursementBatch(Aggregate):
    """A reimbursement batch (vergoedingsbatch), R5.5."""

    id: uuid.UUID
    supplier_id: uuid.UUID
    contract_model_id: uuid.UUID
    reference_date: _dt.date
    created_on: _dt.date
    status: BatchStatus = BatchStatus.DRAFT
    counts: BatchCounts = attrs.field(factory=BatchCounts)
    finalised_on: _dt.date | None = None

    @classmethod
    def open(
        cls,
        supplier_id: uuid.UUID,
        contract_model_id: uuid.UUID,
        reference_date: _dt.date,
        today: _dt.date,
    ) -> ReimbursementBatch:
        """An empty draft; its lines are generated by the store, then :meth:`generated`."""
        check_reference_date(reference_date, today)
        return cls(
            id=new_id(),
            supplier_id=supplier_id,
            contract_model_id=contract_model_id,
            reference_date=as_date(reference_date),
            created_on=as_date(today),
        )

    @property
    def final(self) -> bool:
        return self.status is BatchStatus.FINAL

    def require_draft(self, action: str) -> None:
        """A final batch never changes (R5.5)."""
        if self.final:
            raise DomainError(
                "reimbursements.batch_final",
                {"rule": "R5.5", "batch_id": str(self.id), "action": action},
            )

    def require_final(self, action: str) -> None:
        if not self.final:
            raise DomainError(
                "reimbursements.batch_not_final",
                {"rule": "R5.5", "batch_id": str(self.id), "action": action},
            )

    def generated(self, counts: BatchCounts, contract_holders: int) -> None:
        self.counts = counts
        self.record(
            ReimbursementBatchGenerated(
                batch_id=self.id,
                supplier_id=self.supplier_id,
                contract_model_id=self.contract_model_id,
                reference_date=self.reference_date,
                contract_holders=contract_holders,
                lines=counts.lines,
                total=counts.total.amount,
            )
        )

    def regenerated(self, counts: BatchCounts) -> None:
        self.require_draft("be regenerated")
        self.counts = counts
        self.record(
            ReimbursementBatchRegenerated(
                batch_id=self.id,
                supplier_id=self.supplier_id,
                lines=counts.lines,
                total=counts.total.amount,
            )
        )

    def decided(self, decision: LineDecision, lines: int, counts: BatchCounts) -> None:
        self.require_draft("be changed")
        self.counts = counts
        self.record(
            ReimbursementLinesDecided(
                batch_id=self.id, decision=decision, lines=lines, total=counts.total.amount
            )
        )

    def finalise(self, today: _dt.date) -> None:
        """Draft → final (R5.5)."""
        self.require_draft("be made final")
        self.status = BatchStatus.FINAL
        self.finalised_on = as_date(today)
        self.record(
            ReimbursementBatchFinalised(
                batch_id=self.id,
                supplier_id=self.supplier_id,
                finalised_on=self.finalised_on,
                reimbursed=self.counts.reimbursed,
                excluded=self.counts.excluded,
                postponed=self.counts.postponed,
                total=self.counts.total.amount,
            )
        )

    def discard(self) -> None:
        self.require_draft("be discarded")
        self.record(ReimbursementBatchDiscarded(batch_id=self.id, supplier_id=self.supplier_id))
