"""Billing frequencies and the deviating billing frequency of a service agreement (R5.1)."""

from __future__ import annotations

import enum

from xs_core.errors import DomainError, InvalidInput, register_messages

register_messages(
    {
        "billing.frequency_not_allowed": (
            "Een contractmodel met frequentie '{contract_frequency}' kan niet afwijkend "
            "'{chosen}' factureren; toegestaan: {choices}.",
            "A contract model billed '{contract_frequency}' cannot bill '{chosen}' instead; "
            "allowed: {choices}.",
        ),
        "billing.deviation_needs_variation": (
            "Een afwijkende facturatiefrequentie kan alleen bij een dienstverleningsovereenkomst "
            "met een dienstverleningsvariatie.",
            "A deviating billing frequency needs a service agreement with a service variation.",
        ),
    },
    kind=InvalidInput,
)


class BillingFrequency(enum.Enum):
    """How often a contract period is billed; ``months`` is the length of one period."""

    YEARLY = "yearly"  # jaarlijks
    HALF_YEARLY = "half_yearly"  # per halfjaar
    QUARTERLY = "quarterly"  # per kwartaal
    MONTHLY = "monthly"  # maandelijks

    @property
    def months(self) -> int:
        return _MONTHS[self]

    @property
    def label_nl(self) -> str:
        return _LABELS_NL[self]


_MONTHS = {
    BillingFrequency.YEARLY: 12,
    BillingFrequency.HALF_YEARLY: 6,
    BillingFrequency.QUARTERLY: 3,
    BillingFrequency.MONTHLY: 1,
}
_LABELS_NL = {
    BillingFrequency.YEARLY: "Jaarlijks",
    BillingFrequency.HALF_YEARLY: "Per halfjaar",
    BillingFrequency.QUARTERLY: "Per kwartaal",
    BillingFrequency.MONTHLY: "Maandelijks",
}

#: R5.1, the table of DOMAIN.md: only strictly shorter frequencies may be chosen.
ALLOWED_DEVIATIONS: dict[BillingFrequency, tuple[BillingFrequency, ...]] = {
    BillingFrequency.YEARLY: (
        BillingFrequency.HALF_YEARLY,
        BillingFrequency.QUARTERLY,
        BillingFrequency.MONTHLY,
    ),
    BillingFrequency.HALF_YEARLY: (BillingFrequency.QUARTERLY, BillingFrequency.MONTHLY),
    BillingFrequency.QUARTERLY: (BillingFrequency.MONTHLY,),
    BillingFrequency.MONTHLY: (),
}


def check_deviation(contract: BillingFrequency, chosen: BillingFrequency) -> None:
    """R5.1: refuse a deviating frequency that is not strictly shorter, naming the choices.

    >>> check_deviation(BillingFrequency.QUARTERLY, BillingFrequency.MONTHLY)
    >>> try:
    ...     check_deviation(BillingFrequency.QUARTERLY, BillingFrequency.YEARLY)
    ... except DomainError as refused:
    ...     print(refused.code, refused.details["allowed"])
    billing.frequency_not_allowed ['monthly']
    """
    allowed = ALLOWED_DEVIATIONS[contract]
    if chosen not in allowed:
        raise DomainError(
            "billing.frequency_not_allowed",
            {
                "rule": "R5.1",
                "contract_frequency": contract.value,
                "chosen": chosen.value,
                "allowed": [f.value for f in allowed],
                "choices": ", ".join(f.value for f in allowed) or "-",
            },
        )
