"""In-memory suppliers, user contract settings and reimbursement batches, held to the SQL
adapters' contract (R5.2–R5.5)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence

import attrs

from xs_adapters.memory.store import MemoryStore, _copy, _missing
from xs_core.agenda.model import ActivityStatus
from xs_core.billing.contracts import Payer
from xs_core.errors import Conflict
from xs_core.events import Aggregate
from xs_core.money import Money
from xs_core.organisation.search import normalise_code
from xs_core.reimbursements.batches import (
    BatchCounts,
    BatchLine,
    LineDecision,
    ReimbursementBatch,
)
from xs_core.reimbursements.contract_settings import UserContractSettings
from xs_core.reimbursements.relations import Relation, RelationKind, search_relations

Track = Callable[[Aggregate], None]


class MemoryRelationRepository:
    def __init__(self, store: MemoryStore, track: Track) -> None:
        self._s = store
        self._track = track

    def _put(self, relation: Relation) -> None:
        taken = self._s.relations.find_keys("code", (relation.kind, normalise_code(relation.code)))
        if taken - {relation.id}:
            raise Conflict(
                "reimbursements.relation_code_in_use",
                {"rule": "R5.2", "code": relation.code, "kind": relation.kind.label_nl},
            )
        self._s.relations.put(relation.id, _copy(relation))
        self._track(relation)

    add = save = _put

    def get(self, relation_id: uuid.UUID) -> Relation:
        if relation_id not in self._s.relations:
            raise _missing("relation", relation_id)
        return _copy(self._s.relations[relation_id])

    lock = get  # one writer at a time: the store's lock is held

    def list(
        self, kind: RelationKind, term: str | None = None, active: bool | None = None
    ) -> list[Relation]:
        found = [
            _copy(r)
            for r in self._s.relations.values()
            if r.kind is kind and (active is None or r.active == active)
        ]
        return search_relations(found, term)


class MemoryContractSettingsRepository:
    def __init__(self, store: MemoryStore, track: Track) -> None:
        self._s = store
        self._track = track

    def get(self, user_id: uuid.UUID) -> UserContractSettings:
        found = self._s.contract_settings.get(user_id)
        return UserContractSettings(user_id=user_id) if found is None else _copy(found)

    def save(self, settings: UserContractSettings) -> None:
        if settings.user_id not in self._s.users:
            raise _missing("user", settings.user_id)
        self._s.contract_settings.put(settings.user_id, _copy(settings))
        self._track(settings)

    def holders(self, supplier_id: uuid.UUID, contract_model_id: uuid.UUID) -> list[uuid.UUID]:
        return sorted(
            self._s.contract_settings.find_keys("holder", (supplier_id, contract_model_id))
        )


class MemoryReimbursementStore:
    def __init__(self, store: MemoryStore, track: Track) -> None:
        self._s = store
        self._track = track

    def lock_supplier(self, supplier_id: uuid.UUID) -> None:
        return None  # one unit of work at a time holds the store's lock

    def add(self, batch: ReimbursementBatch, user_ids: Sequence[uuid.UUID]) -> None:
        if batch.supplier_id not in self._s.relations:
            raise _missing("relation", batch.supplier_id)
        for user_id in user_ids:
            if user_id not in self._s.users:
                raise _missing("user", user_id)
        self._s.reimbursement_batches.put(batch.id, _copy(batch))
        self._s.reimbursement_batch_users.put(batch.id, tuple(sorted(set(user_ids))))
        self._track(batch)

    def _taken(self, activity_id: uuid.UUID) -> bool:
        """On a draft line, or settled (R5.5)."""
        for line in self._s.reimbursement_lines.find("activity", activity_id):
            batch = self._s.reimbursement_batches[line.batch_id]
            if not batch.final or line.decision.settles:
                return True
        return False

    def add_lines(self, batch_id: uuid.UUID) -> int:
        batch = self._s.reimbursement_batches[batch_id]
        model = self._s.contract_models[batch.contract_model_id]
        prices = {
            c.activity_type: c.price for c in model.price_categories if c.payer is Payer.SUPPLIER
        }
        added = 0
        for user_id in self._s.reimbursement_batch_users[batch_id]:
            settings = self._s.contract_settings.get(user_id)
            if settings is None:
                continue
            for activity in self._s.activities.find("professional", user_id):
                if activity.status is not ActivityStatus.OFFERED:
                    continue
                if activity.performed_on > batch.reference_date:
                    continue
                terms = settings.on(activity.performed_on)
                if (
                    terms is None
                    or not terms.reimbursed_via_supplier
                    or terms.supplier_id != batch.supplier_id
                    or terms.contract_model_id != batch.contract_model_id
                ):
                    continue
                price = prices.get(activity.activity_type)
                if price is None or self._taken(activity.id):
                    continue
                self._s.reimbursement_lines.put(
                    (batch_id, activity.id),
                    BatchLine(
                        batch_id=batch_id,
                        activity_id=activity.id,
                        user_id=user_id,
                        employee_id=activity.employee_id,
                        activity_type=activity.activity_type,
                        performed_on=activity.performed_on,
                        amount=price,
                    ),
                )
                added += 1
        return added

    def _lines(self, batch_id: uuid.UUID) -> list[BatchLine]:
        return self._s.reimbursement_lines.find("batch", batch_id)

    def clear_lines(self, batch_id: uuid.UUID) -> None:
        for line in list(self._lines(batch_id)):
            self._s.reimbursement_lines.delete((batch_id, line.activity_id))

    def counts(self, batch_id: uuid.UUID) -> BatchCounts:
        lines = self._lines(batch_id)
        reimbursed = [x for x in lines if x.decision is LineDecision.REIMBURSE]
        return BatchCounts(
            lines=len(lines),
            reimbursed=len(reimbursed),
            excluded=sum(1 for x in lines if x.decision is LineDecision.EXCLUDE),
            postponed=sum(1 for x in lines if x.decision is LineDecision.POSTPONE),
            total=Money.from_cents(sum(x.amount.cents for x in reimbursed)),
        )

    def decide(
        self, batch_id: uuid.UUID, activity_ids: Sequence[uuid.UUID], decision: LineDecision
    ) -> list[uuid.UUID]:
        missing: list[uuid.UUID] = []
        for activity_id in sorted(set(activity_ids)):
            line = self._s.reimbursement_lines.get((batch_id, activity_id))
            if line is None:
                missing.append(activity_id)
            else:
                self._s.reimbursement_lines.put(
                    (batch_id, activity_id), attrs.evolve(line, decision=decision)
                )
        return missing

    def decisions(self, batch_id: uuid.UUID) -> dict[uuid.UUID, LineDecision]:
        return {
            x.activity_id: x.decision
            for x in self._lines(batch_id)
            if x.decision is not LineDecision.REIMBURSE
        }

    def finalise(self, batch: ReimbursementBatch) -> None:
        for line in self._lines(batch.id):
            if not line.decision.settles:
                continue
            for other in self._s.reimbursement_lines.find("activity", line.activity_id):
                if other.batch_id == batch.id or not other.decision.settles:
                    continue
                if self._s.reimbursement_batches[other.batch_id].final:
                    raise Conflict(
                        "reimbursements.already_settled",
                        {"rule": "R5.5", "batch_id": str(batch.id)},
                    )
        stored = self._s.reimbursement_batches[batch.id]
        self._s.reimbursement_batches.put(batch.id, attrs.evolve(stored, status=batch.status))

    def get(self, batch_id: uuid.UUID) -> ReimbursementBatch:
        if batch_id not in self._s.reimbursement_batches:
            raise _missing("reimbursement_batch", batch_id)
        return _copy(self._s.reimbursement_batches[batch_id])

    lock = get  # one writer at a time: the store's lock is held

    def save(self, batch: ReimbursementBatch) -> None:
        self._s.reimbursement_batches.put(batch.id, _copy(batch))
        self._track(batch)

    def delete(self, batch_id: uuid.UUID) -> None:
        self.clear_lines(batch_id)
        self._s.reimbursement_batch_users.delete(batch_id)
        self._s.reimbursement_batches.delete(batch_id)

    def user_ids(self, batch_id: uuid.UUID) -> list[uuid.UUID]:
        return list(self._s.reimbursement_batch_users.get(batch_id) or ())

    def lines(self, batch_id: uuid.UUID) -> Iterator[BatchLine]:
        yield from sorted(
            self._lines(batch_id), key=lambda x: (x.performed_on, x.user_id, x.activity_id)
        )

    def activity_status(self, activity_id: uuid.UUID) -> str | None:
        found = self._s.activities.get(activity_id)
        return None if found is None else found.status.value

    def list(self, supplier_id: uuid.UUID | None = None) -> list[ReimbursementBatch]:
        found = (
            self._s.reimbursement_batches.values()
            if supplier_id is None
            else self._s.reimbursement_batches.find("supplier", supplier_id)
        )
        ordered = sorted(found, key=lambda b: (b.created_on, b.reference_date, b.id))
        return [_copy(b) for b in ordered]
