"""Reimbursements (R5.2–R5.5): suppliers and referrers, user contract settings, reimbursement
contract models (a type of :class:`~xs_core.billing.contracts.ContractModel`) and reimbursement
batches paying suppliers for offered activities, each at most once.

A sibling of :mod:`xs_core.billing` rather than a part of it: billing charges customers
(employers) and owns the activity's way to *offered*; reimbursements pay suppliers and only read
that status. The reimbursement contract model stays a billing contract model (one catalogue of
models, one price-category table), marked by its type.
"""

from xs_core.reimbursements.batches import (
    BatchCounts,
    BatchLine,
    BatchStatus,
    LineDecision,
    ReimbursementBatch,
    ReimbursementBatchDiscarded,
    ReimbursementBatchFinalised,
    ReimbursementBatchGenerated,
    ReimbursementBatchRegenerated,
    ReimbursementLinesDecided,
    check_reference_date,
)
from xs_core.reimbursements.contract_settings import (
    ContractSettings,
    ContractSettingsVersion,
    UserContractSettings,
    UserContractSettingsChanged,
)
from xs_core.reimbursements.relations import (
    Iban,
    PostalAddress,
    Relation,
    RelationActivated,
    RelationCreated,
    RelationDeactivated,
    RelationDetailsChanged,
    RelationKind,
    relation_matches,
    search_relations,
)

__all__ = [
    "BatchCounts",
    "BatchLine",
    "BatchStatus",
    "ContractSettings",
    "ContractSettingsVersion",
    "Iban",
    "LineDecision",
    "PostalAddress",
    "ReimbursementBatch",
    "ReimbursementBatchDiscarded",
    "ReimbursementBatchFinalised",
    "ReimbursementBatchGenerated",
    "ReimbursementBatchRegenerated",
    "ReimbursementLinesDecided",
    "Relation",
    "RelationActivated",
    "RelationCreated",
    "RelationDeactivated",
    "RelationDetailsChanged",
    "RelationKind",
    "UserContractSettings",
    "UserContractSettingsChanged",
    "check_reference_date",
    "relation_matches",
    "search_relations",
]
