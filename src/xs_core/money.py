"""Money as exact ``Decimal`` euros with allocation (R0.3).

>>> [str(p.amount) for p in Money("100.00").split(12)][:5]
['8.34', '8.34', '8.34', '8.34', '8.33']
>>> sum((p for p in Money("100.00").split(12)), Money("0")) == Money("100.00")
True
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import attrs

from xs_core.errors import DomainError, register_messages

CENT = Decimal("0.01")


class InvalidMoney(DomainError):
    """An amount that is not an exact number of cents, or bad allocation ratios."""

    default_code = "money.invalid_amount"


register_messages(
    {
        "money.invalid_amount": (
            "Ongeldig bedrag: {value}.",
            "Invalid amount: {value}.",
        ),
        "money.invalid_ratios": (
            "Verdeelsleutels moeten niet-negatief zijn en samen meer dan nul: {ratios}.",
            "Allocation ratios must be non-negative and add up to more than zero: {ratios}.",
        ),
        "money.currency_mismatch": (
            "Bedragen in {left} en {right} kunnen niet worden gecombineerd.",
            "Amounts in {left} and {right} cannot be combined.",
        ),
    }
)


def _to_amount(value: Any) -> Decimal:
    if isinstance(value, float):
        raise InvalidMoney("money.invalid_amount", {"value": repr(value), "reason": "float"})
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidMoney("money.invalid_amount", {"value": repr(value)}) from None
    if not amount.is_finite():
        raise InvalidMoney("money.invalid_amount", {"value": repr(value)})
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_EVEN):
        raise InvalidMoney(
            "money.invalid_amount", {"value": str(value), "reason": "more than two decimals"}
        )
    return amount.quantize(CENT)


@attrs.frozen(order=True)
class Money:
    """An exact amount in cents of a currency (euros by default). Never a float (R0.3)."""

    amount: Decimal = attrs.field(converter=_to_amount)
    currency: str = attrs.field(default="EUR", order=False)

    @classmethod
    def zero(cls, currency: str = "EUR") -> Money:
        return cls(Decimal("0.00"), currency)

    @classmethod
    def from_cents(cls, cents: int, currency: str = "EUR") -> Money:
        return cls(Decimal(cents).scaleb(-2), currency)

    @classmethod
    def rounded(cls, value: Decimal, currency: str = "EUR") -> Money:
        """Round an exact computation (e.g. pro rata) to the cent, half to even."""
        return cls(value.quantize(CENT, rounding=ROUND_HALF_EVEN), currency)

    @property
    def cents(self) -> int:
        return int(self.amount.scaleb(2))

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise InvalidMoney(
                "money.currency_mismatch", {"left": self.currency, "right": other.currency}
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __radd__(self, other: Any) -> Money:
        if other == 0:
            return self
        if isinstance(other, Money):
            return other.__add__(self)
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def allocate(self, ratios: Sequence[int | Decimal]) -> list[Money]:
        """Split by ``ratios`` so that the parts sum exactly to this amount (R0.3).

        Each part first gets its share rounded towards zero; the cents that remain go one by one
        to the earliest parts with a non-zero ratio.

        >>> [str(m.amount) for m in Money("10.00").allocate([1, 1, 1])]
        ['3.34', '3.33', '3.33']
        """
        weights = [Decimal(r) for r in ratios]
        total_weight = sum(weights, Decimal(0))
        if not weights or any(w < 0 for w in weights) or total_weight <= 0:
            raise InvalidMoney("money.invalid_ratios", {"ratios": [str(w) for w in weights]})
        sign = -1 if self.cents < 0 else 1
        cents = abs(self.cents)
        shares = [int(cents * w // total_weight) for w in weights]
        remainder = cents - sum(shares)
        for index, weight in enumerate(weights):
            if remainder == 0:
                break
            if weight > 0:
                shares[index] += 1
                remainder -= 1
        return [Money.from_cents(sign * share, self.currency) for share in shares]

    def split(self, parts: int) -> list[Money]:
        """Split into ``parts`` equal parts; remainder cents to the earliest parts (R0.3)."""
        if parts < 1:
            raise InvalidMoney("money.invalid_ratios", {"ratios": [parts]})
        return self.allocate([1] * parts)

    def __str__(self) -> str:
        symbol = "€ " if self.currency == "EUR" else f"{self.currency} "
        return f"{symbol}{self.amount:,.2f}"

    def display_nl(self) -> str:
        """Dutch display: ``€ 1.234,56``."""
        text = f"{abs(self.amount):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
        sign = "-" if self.amount < 0 else ""
        return f"{sign}€ {text}" if self.currency == "EUR" else f"{sign}{self.currency} {text}"
