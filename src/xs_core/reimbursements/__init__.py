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
    check_reference_date,
)
from xs_core.reimbursements.contract_settings import (
    ContractSettings,
    ContractSettingsVersion,
    UserContractSettings,
)
from xs_core.reimbursements.relations import Iban, PostalAddress, Relation, RelationKind

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
    "Relation",
    "RelationKind",
    "UserContractSettings",
    "check_reference_date",
]
