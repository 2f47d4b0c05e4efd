"""Contract management and billing: contract models, service agreements, subscriptions, the
deviating billing frequency, invoice schedules and invoice bases (R5.1)."""

from xs_core.billing.contracts import (
    ContractKind,
    ContractModel,
    ContractModelType,
    Payer,
    PriceCategory,
    ServiceAgreement,
    Subscription,
)
from xs_core.billing.frequency import ALLOWED_DEVIATIONS, BillingFrequency, check_deviation
from xs_core.billing.invoicing import InvoiceBasis, InvoiceBasisStatus, InvoiceLine, RunSummary
from xs_core.billing.schedule import BillingPeriod, add_months, billing_periods

__all__ = [
    "ALLOWED_DEVIATIONS",
    "BillingFrequency",
    "BillingPeriod",
    "ContractKind",
    "ContractModel",
    "ContractModelType",
    "InvoiceBasis",
    "InvoiceBasisStatus",
    "InvoiceLine",
    "Payer",
    "PriceCategory",
    "RunSummary",
    "ServiceAgreement",
    "Subscription",
    "add_months",
    "billing_periods",
    "check_deviation",
]
