"""Use cases of reimbursements (R5.2–R5.5): suppliers and referrers, user contract settings and
reimbursement batches, with their CSV and SEPA exports.

The batch work of one supplier is serialised (its row is locked: ``FOR NO KEY UPDATE`` on
PostgreSQL, the writing transaction's lock on SQLite), and the line table's partial unique
indexes keep the promise of R5.5 — an activity on at most one draft batch, settled at most once —
should anything slip past that (docs/reimbursements.md).
"""

from __future__ import annotations

import csv
import datetime as _dt
import uuid
from typing import TextIO

import attrs

from xs_app.services.base import Service
from xs_app.services.command import Command, CommandPart
from xs_core.access.features import Feature
from xs_core.billing.contracts import ContractModel
from xs_core.errors import DomainError, InvalidInput, register_messages
from xs_core.organisation.vat import VatNumber
from xs_core.progress import Progress, silent
from xs_core.reimbursements.batches import (
    BatchCounts,
    BatchLine,
    LineDecision,
    ReimbursementBatch,
)
from xs_core.reimbursements.contract_settings import ContractSettings, UserContractSettings
from xs_core.reimbursements.relations import Iban, PostalAddress, Relation, RelationKind
from xs_core.uow import UnitOfWork

register_messages(
    {
        "reimbursements.not_a_supplier": (
            "Relatie {relation_id} is geen leverancier.",
            "Relation {relation_id} is not a supplier.",
        ),
        "reimbursements.supplier_inactive": (
            "Leverancier {code} is niet actief.",
            "Supplier {code} is not active.",
        ),
        "reimbursements.supplier_without_iban": (
            "Leverancier {code} heeft geen IBAN.",
            "Supplier {code} has no IBAN.",
        ),
        "reimbursements.not_a_reimbursement_model": (
            "Contractmodel {contract_model} is geen vergoedingscontractmodel.",
            "Contract model {contract_model} is not a reimbursement contract model.",
        ),
        "reimbursements.contract_model_inactive": (
            "Vergoedingscontractmodel {contract_model} is niet actief op {day}.",
            "Reimbursement contract model {contract_model} is not active on {day}.",
        ),
    },
    kind=InvalidInput,
)

#: The columns of the CSV export of a reimbursement batch (for the bookkeeping system).
CSV_COLUMNS = (
    "batch",
    "supplier",
    "reference_date",
    "contract_holder",
    "activity",
    "activity_type",
    "performed_on",
    "employee",
    "decision",
    "amount",
)


# -- commands --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RelationDetails(CommandPart):
    """The details of a supplier or referrer as entered (R5.2): validated by the use case."""

    name: str
    code: str
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "NL"
    vat_number: str | None = None
    iban: str | None = None


@attrs.frozen(kw_only=True)
class CreateRelation(Command):
    """A new supplier (the default) or referrer, active (R5.2)."""

    actor: uuid.UUID
    details: RelationDetails
    kind: RelationKind = RelationKind.SUPPLIER


@attrs.frozen(kw_only=True)
class ChangeRelation(Command):
    actor: uuid.UUID
    relation_id: uuid.UUID
    details: RelationDetails


@attrs.frozen(kw_only=True)
class SetRelationActive(Command):
    actor: uuid.UUID
    relation_id: uuid.UUID
    active: bool


@attrs.frozen(kw_only=True)
class GetRelation(Command):
    actor: uuid.UUID
    relation_id: uuid.UUID


@attrs.frozen(kw_only=True)
class ListRelations(Command):
    """Suppliers (or referrers) by name; ``term`` searches code prefix and name (R1.4-style)."""

    actor: uuid.UUID
    kind: RelationKind = RelationKind.SUPPLIER
    term: str | None = None
    active: bool | None = None


@attrs.frozen(kw_only=True)
class SetContractSettings(Command):
    """R5.3: a user's contract settings from ``valid_from`` on (until the next change)."""

    actor: uuid.UUID
    user_id: uuid.UUID
    valid_from: _dt.date
    may_register_activities: bool = True
    reimbursed_via_supplier: bool = False
    supplier_id: uuid.UUID | None = None
    contract_model_id: uuid.UUID | None = None


@attrs.frozen(kw_only=True)
class GetContractSettings(Command):
    actor: uuid.UUID
    user_id: uuid.UUID


@attrs.frozen(kw_only=True)
class GenerateReimbursementBatch(Command):
    """R5.5: a draft batch for a supplier, a reimbursement contract model, the contract holders
    (``None``: every user with settings for that supplier and model) and a reference date
    (inclusive; not after today)."""

    actor: uuid.UUID
    supplier_id: uuid.UUID
    contract_model_id: uuid.UUID
    reference_date: _dt.date
    user_ids: frozenset[uuid.UUID] | None = None


@attrs.frozen(kw_only=True)
class RegenerateReimbursementBatch(Command):
    """R5.5: a draft's lines generated anew; decisions on activities still eligible are kept."""

    actor: uuid.UUID
    batch_id: uuid.UUID


@attrs.frozen(kw_only=True)
class DecideReimbursementLines(Command):
    """R5.5: reimburse, exclude or postpone lines (by activity) of a draft batch."""

    actor: uuid.UUID
    batch_id: uuid.UUID
    activity_ids: frozenset[uuid.UUID]
    decision: LineDecision


@attrs.frozen(kw_only=True)
class FinaliseReimbursementBatch(Command):
    actor: uuid.UUID
    batch_id: uuid.UUID


@attrs.frozen(kw_only=True)
class DiscardReimbursementBatch(Command):
    actor: uuid.UUID
    batch_id: uuid.UUID


@attrs.frozen(kw_only=True)
class GetReimbursementBatch(Command):
    actor: uuid.UUID
    batch_id: uuid.UUID


@attrs.frozen(kw_only=True)
class ListReimbursementBatches(Command):
    actor: uuid.UUID
    supplier_id: uuid.UUID | None = None


@attrs.frozen(kw_only=True)
class ReimbursementBatchLines(Command):
    actor: uuid.UUID
    batch_id: uuid.UUID


@attrs.frozen(kw_only=True)
class ExportReimbursementBatch(Command):
    """Write a final batch as CSV (``CSV_COLUMNS``) for the bookkeeping system."""

    actor: uuid.UUID
    batch_id: uuid.UUID


@attrs.frozen(kw_only=True)
class PayingAccount(CommandPart):
    """The account the reimbursements are paid from (a setting: ``XS_PAYING_ACCOUNT_NAME`` and
    ``XS_PAYING_ACCOUNT_IBAN`` on the command line)."""

    name: str
    iban: str


@attrs.frozen(kw_only=True)
class ExportSepaTransfer(Command):
    """A SEPA credit transfer (``pain.001.001.03``) paying the supplier's IBAN the total of a
    final batch, on ``execution_date`` (default: today)."""

    actor: uuid.UUID
    batch_id: uuid.UUID
    paying_account: PayingAccount
    execution_date: _dt.date | None = None


# -- the service -----------------------------------------------------------------------------------


def _details(details: RelationDetails) -> tuple[PostalAddress, VatNumber | None, Iban | None]:
    address = PostalAddress.create(
        details.street, details.house_number, details.postcode, details.city, details.country
    )
    vat = (
        None
        if not (details.vat_number or "").strip()
        else VatNumber.parse(details.vat_number or "")
    )
    iban = None if not (details.iban or "").strip() else Iban.parse(details.iban or "")
    return address, vat, iban


class ReimbursementService(Service):
    """Suppliers, user contract settings and reimbursement batches (R5.2–R5.5)."""

    # -- suppliers and referrers (R5.2) -----------------------------------------------------------

    def create_relation(self, cmd: CreateRelation) -> uuid.UUID:
        """R5.2: validated IBAN, VAT number and (Dutch) postcode; the code unique per kind."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_SUPPLIERS)
            address, vat, iban = _details(cmd.details)
            relation = Relation.create(
                cmd.kind, cmd.details.name, cmd.details.code, address, vat, iban
            )
            uow.relations.add(relation)
            uow.commit()
            return relation.id

    def change_relation(self, cmd: ChangeRelation) -> None:
        """R5.2: replace a relation's details (validated as when created)."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_SUPPLIERS)
            relation = uow.relations.lock(cmd.relation_id)
            address, vat, iban = _details(cmd.details)
            relation.change(cmd.details.name, cmd.details.code, address, vat, iban)
            uow.relations.save(relation)
            uow.commit()

    def set_relation_active(self, cmd: SetRelationActive) -> None:
        """R5.2: activate or deactivate; an inactive supplier gets no new batches or settings."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_SUPPLIERS)
            relation = uow.relations.lock(cmd.relation_id)
            relation.set_active(cmd.active)
            uow.relations.save(relation)
            uow.commit()

    def relation(self, cmd: GetRelation) -> Relation:
        """R5.2: a supplier or referrer."""
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_SUPPLIERS)
            return uow.relations.get(cmd.relation_id)

    def relations(self, cmd: ListRelations) -> list[Relation]:
        """R5.2: listed by name; searched by code prefix or name substring, exact codes first."""
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_SUPPLIERS)
            return uow.relations.list(cmd.kind, cmd.term, cmd.active)

    # -- user contract settings (R5.3) ------------------------------------------------------------

    @staticmethod
    def _supplier(uow: UnitOfWork, supplier_id: uuid.UUID, lock: bool = False) -> Relation:
        supplier = uow.relations.lock(supplier_id) if lock else uow.relations.get(supplier_id)
        if supplier.kind is not RelationKind.SUPPLIER:
            raise DomainError(
                "reimbursements.not_a_supplier", {"rule": "R5.2", "relation_id": str(supplier_id)}
            )
        if not supplier.active:
            raise DomainError(
                "reimbursements.supplier_inactive", {"rule": "R5.5", "code": supplier.code}
            )
        return supplier

    @staticmethod
    def _model(
        uow: UnitOfWork, model_id: uuid.UUID, active_on: _dt.date | None = None
    ) -> ContractModel:
        model = uow.contract_models.get(model_id)
        if not model.is_reimbursement:
            raise DomainError(
                "reimbursements.not_a_reimbursement_model",
                {"rule": "R5.4", "contract_model": model.name},
            )
        if active_on is not None and not model.active.contains(active_on):
            raise DomainError(
                "reimbursements.contract_model_inactive",
                {"rule": "R5.5", "contract_model": model.name, "day": active_on.isoformat()},
            )
        return model

    def set_contract_settings(self, cmd: SetContractSettings) -> None:
        """R5.3: from a day on; a supplier must be an active supplier and the model a
        reimbursement contract model."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_USERS)
            uow.users.lock(cmd.user_id)
            settings = ContractSettings(
                may_register_activities=cmd.may_register_activities,
                reimbursed_via_supplier=cmd.reimbursed_via_supplier,
                supplier_id=cmd.supplier_id,
                contract_model_id=cmd.contract_model_id,
            )
            settings.check()
            if cmd.supplier_id is not None:
                self._supplier(uow, cmd.supplier_id)
            if cmd.contract_model_id is not None:
                self._model(uow, cmd.contract_model_id)
            dated = uow.contract_settings.get(cmd.user_id)
            dated.set_from(cmd.valid_from, settings)
            uow.contract_settings.save(dated)
            uow.commit()

    def contract_settings(self, cmd: GetContractSettings) -> UserContractSettings:
        """R5.3: a user's dated contract settings (no versions when none were set)."""
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_USERS)
            uow.users.get(cmd.user_id)
            return uow.contract_settings.get(cmd.user_id)

    # -- batches (R5.5) ---------------------------------------------------------------------------

    def _batch(
        self, uow: UnitOfWork, actor: uuid.UUID, batch_id: uuid.UUID, lock: bool = False
    ) -> ReimbursementBatch:
        """The batch; locked after its supplier (the order every batch use case takes)."""
        self._authorise(uow, actor, Feature.MANAGE_REIMBURSEMENT_BATCHES)
        batch = uow.reimbursements.get(batch_id)
        if lock:
            uow.reimbursements.lock_supplier(batch.supplier_id)
            batch = uow.reimbursements.lock(batch_id)
        return batch

    def generate(
        self, cmd: GenerateReimbursementBatch, progress: Progress | None = None
    ) -> ReimbursementBatch:
        """R5.5: a draft batch, its lines in one ``INSERT … SELECT``."""
        report = progress or silent
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_REIMBURSEMENT_BATCHES)
            today = self._clock.today()
            batch = ReimbursementBatch.open(
                cmd.supplier_id, cmd.contract_model_id, cmd.reference_date, today
            )
            self._supplier(uow, cmd.supplier_id, lock=True)
            self._model(uow, cmd.contract_model_id, batch.reference_date)
            report("contract holders", 0, None)
            if cmd.user_ids is None:
                users = uow.contract_settings.holders(cmd.supplier_id, cmd.contract_model_id)
            else:
                users = sorted(cmd.user_ids)
                for user_id in users:
                    uow.users.get(user_id)
            report("contract holders", len(users), len(users))
            uow.reimbursements.add(batch, users)
            report("lines", 0, None)
            added = uow.reimbursements.add_lines(batch.id)
            report("lines", added, added)
            batch.generated(uow.reimbursements.counts(batch.id), len(users))
            uow.reimbursements.save(batch)
            uow.commit()
            return batch

    def regenerate(self, cmd: RegenerateReimbursementBatch) -> ReimbursementBatch:
        """R5.5: the draft's lines as the data stand now; decisions of lines still there kept."""
        with self._uow() as uow:
            batch = self._batch(uow, cmd.actor, cmd.batch_id, lock=True)
            batch.require_draft("be regenerated")
            decisions = uow.reimbursements.decisions(batch.id)
            uow.reimbursements.clear_lines(batch.id)
            uow.reimbursements.add_lines(batch.id)
            for decision in LineDecision:
                chosen = [a for a, d in decisions.items() if d is decision]
                if chosen:
                    uow.reimbursements.decide(batch.id, chosen, decision)
            batch.regenerated(uow.reimbursements.counts(batch.id))
            uow.reimbursements.save(batch)
            uow.commit()
            return batch

    def decide(self, cmd: DecideReimbursementLines) -> BatchCounts:
        """R5.5: per line reimburse, exclude or postpone; only on a draft."""
        with self._uow() as uow:
            batch = self._batch(uow, cmd.actor, cmd.batch_id, lock=True)
            batch.require_draft("be changed")
            missing = uow.reimbursements.decide(batch.id, sorted(cmd.activity_ids), cmd.decision)
            if missing:
                activity_id = missing[0]
                status = uow.reimbursements.activity_status(activity_id)
                if status is not None and status != "offered":
                    raise DomainError(
                        "reimbursements.activity_not_offered",
                        {"rule": "R5.5", "activity_id": str(activity_id), "status": status},
                    )
                raise DomainError(
                    "reimbursements.activity_not_in_batch",
                    {"rule": "R5.5", "activity_id": str(activity_id)},
                )
            counts = uow.reimbursements.counts(batch.id)
            batch.decided(cmd.decision, len(cmd.activity_ids), counts)
            uow.reimbursements.save(batch)
            uow.commit()
            return counts

    def finalise(self, cmd: FinaliseReimbursementBatch) -> ReimbursementBatch:
        """R5.5: draft → final; reimbursed and excluded activities are settled for good."""
        with self._uow() as uow:
            batch = self._batch(uow, cmd.actor, cmd.batch_id, lock=True)
            batch.finalise(self._clock.today())
            uow.reimbursements.finalise(batch)
            uow.reimbursements.save(batch)
            uow.commit()
            return batch

    def discard(self, cmd: DiscardReimbursementBatch) -> None:
        """R5.5: a draft is deleted; its activities can be in a batch again."""
        with self._uow() as uow:
            batch = self._batch(uow, cmd.actor, cmd.batch_id, lock=True)
            batch.discard()
            uow.reimbursements.delete(batch.id)
            for event in batch.pull_events():
                uow.publish(event)
            uow.commit()

    def batch(self, cmd: GetReimbursementBatch) -> ReimbursementBatch:
        """R5.5: a batch with its status and counts."""
        with self._uow(write=False) as uow:
            return self._batch(uow, cmd.actor, cmd.batch_id)

    def batches(self, cmd: ListReimbursementBatches) -> list[ReimbursementBatch]:
        """R5.5: the batches, of one supplier or of all, oldest first."""
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_REIMBURSEMENT_BATCHES)
            return uow.reimbursements.list(cmd.supplier_id)

    def lines(self, cmd: ReimbursementBatchLines) -> list[BatchLine]:
        """R5.5: a batch's lines by day performed, contract holder and activity."""
        with self._uow(write=False) as uow:
            self._batch(uow, cmd.actor, cmd.batch_id)
            return list(uow.reimbursements.lines(cmd.batch_id))

    # -- payment ----------------------------------------------------------------------------------

    def export_csv(self, cmd: ExportReimbursementBatch, out: TextIO) -> int:
        """Write a final batch as CSV (``CSV_COLUMNS``; ISO dates, amounts with a decimal point,
        every line with its decision); the number of lines written."""
        with self._uow(write=False) as uow:
            batch = self._batch(uow, cmd.actor, cmd.batch_id)
            batch.require_final("be exported")
            supplier = uow.relations.get(batch.supplier_id)
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            count = 0
            for line in uow.reimbursements.lines(batch.id):
                writer.writerow(
                    (
                        batch.id,
                        supplier.code,
                        batch.reference_date.isoformat(),
                        line.user_id,
                        line.activity_id,
                        line.activity_type,
                        line.performed_on.isoformat(),
                        line.employee_id,
                        line.decision.value,
                        f"{line.amount.amount:.2f}",
                    )
                )
                count += 1
            return count

    def export_sepa(self, cmd: ExportSepaTransfer) -> bytes:
        """A SEPA credit transfer (pain.001.001.03, validated against the schema ``sepaxml``
        ships) paying the supplier's IBAN the batch's total."""
        paying = Iban.parse(cmd.paying_account.iban)
        with self._uow(write=False) as uow:
            batch = self._batch(uow, cmd.actor, cmd.batch_id)
            batch.require_final("be paid")
            supplier = uow.relations.get(batch.supplier_id)
        if supplier.iban is None:
            raise DomainError(
                "reimbursements.supplier_without_iban", {"rule": "R5.2", "code": supplier.code}
            )
        if batch.counts.total.cents <= 0:
            raise DomainError(
                "reimbursements.nothing_to_pay", {"rule": "R5.5", "batch_id": str(batch.id)}
            )
        from xs_app.sepa import credit_transfer  # sepaxml is imported when first used

        return credit_transfer(
            debtor_name=cmd.paying_account.name,
            debtor=paying,
            creditor_name=supplier.name,
            creditor=supplier.iban,
            cents=batch.counts.total.cents,
            execution_date=cmd.execution_date or self._clock.today(),
            reference=batch.id,
        )


__all__ = [
    "CSV_COLUMNS",
    "ChangeRelation",
    "CreateRelation",
    "DecideReimbursementLines",
    "DiscardReimbursementBatch",
    "ExportReimbursementBatch",
    "ExportSepaTransfer",
    "FinaliseReimbursementBatch",
    "GenerateReimbursementBatch",
    "GetContractSettings",
    "GetReimbursementBatch",
    "GetRelation",
    "ListReimbursementBatches",
    "ListRelations",
    "PayingAccount",
    "RegenerateReimbursementBatch",
    "ReimbursementBatchLines",
    "ReimbursementService",
    "RelationDetails",
    "SetContractSettings",
    "SetRelationActive",
]
