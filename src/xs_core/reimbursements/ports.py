"""Ports of suppliers, user contract settings and reimbursement batches (R5.2–R5.5)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Protocol

from xs_core.reimbursements.batches import (
    BatchCounts,
    BatchLine,
    LineDecision,
    ReimbursementBatch,
)
from xs_core.reimbursements.contract_settings import UserContractSettings
from xs_core.reimbursements.relations import Relation, RelationKind


class RelationRepository(Protocol):
    """Suppliers and referrers. A code is unique per kind, case-insensitively: ``add`` and
    ``save`` refuse a taken one (``reimbursements.relation_code_in_use``)."""

    def add(self, relation: Relation) -> None: ...
    def get(self, relation_id: uuid.UUID) -> Relation: ...
    def lock(self, relation_id: uuid.UUID) -> Relation:
        """Like ``get``, and locked until the transaction ends (read-check-write)."""
        ...

    def save(self, relation: Relation) -> None: ...

    def list(
        self, kind: RelationKind, term: str | None = None, active: bool | None = None
    ) -> list[Relation]:
        """The relations of ``kind`` by name; with ``term``: those whose code starts with it or
        whose name contains it (case- and accent-insensitive, R1.4-style); with ``active``: only
        active (or inactive) ones."""
        ...


class ContractSettingsRepository(Protocol):
    def get(self, user_id: uuid.UUID) -> UserContractSettings:
        """The user's dated settings (no versions when none were ever set)."""
        ...

    def save(self, settings: UserContractSettings) -> None: ...

    def holders(self, supplier_id: uuid.UUID, contract_model_id: uuid.UUID) -> list[uuid.UUID]:
        """The users who have (had) a version reimbursed through that supplier and model, in
        id order."""
        ...


class ReimbursementStore(Protocol):
    """Reimbursement batches and their lines. The store guarantees, whatever happens
    concurrently, that an activity is on at most one draft batch's line and is settled
    (reimbursed or excluded on a final batch) at most once."""

    def lock_supplier(self, supplier_id: uuid.UUID) -> None:
        """Serialise the batch work of one supplier until the transaction ends."""
        ...

    def add(self, batch: ReimbursementBatch, user_ids: Sequence[uuid.UUID]) -> None:
        """Store a new (empty, draft) batch and its contract holders."""
        ...

    def add_lines(self, batch_id: uuid.UUID) -> int:
        """Set-based: add every eligible activity (R5.5) to the draft batch, priced by its
        contract model; activities already on a draft line or settled are left out. The
        number added."""
        ...

    def clear_lines(self, batch_id: uuid.UUID) -> None: ...

    def counts(self, batch_id: uuid.UUID) -> BatchCounts: ...

    def decide(
        self, batch_id: uuid.UUID, activity_ids: Sequence[uuid.UUID], decision: LineDecision
    ) -> list[uuid.UUID]:
        """Set the decision of those lines; the ids that are no line of the batch."""
        ...

    def decisions(self, batch_id: uuid.UUID) -> dict[uuid.UUID, LineDecision]:
        """The lines whose decision is not the default (reimburse)."""
        ...

    def finalise(self, batch: ReimbursementBatch) -> None:
        """Mark the batch and its lines final; refused (``reimbursements.already_settled``)
        when one of its settling lines is settled already."""
        ...

    def get(self, batch_id: uuid.UUID) -> ReimbursementBatch: ...
    def lock(self, batch_id: uuid.UUID) -> ReimbursementBatch:
        """Like ``get``, and locked until the transaction ends (read-check-write)."""
        ...

    def save(self, batch: ReimbursementBatch) -> None:
        """Store the counts (and the status with the finalisation date)."""
        ...

    def delete(self, batch_id: uuid.UUID) -> None: ...
    def user_ids(self, batch_id: uuid.UUID) -> list[uuid.UUID]: ...
    def lines(self, batch_id: uuid.UUID) -> Iterator[BatchLine]:
        """The lines by performed day, user and activity."""
        ...

    def activity_status(self, activity_id: uuid.UUID) -> str | None:
        """The status of an activity (``None``: no such activity)."""
        ...

    def list(self, supplier_id: uuid.UUID | None = None) -> list[ReimbursementBatch]: ...
