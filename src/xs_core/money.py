"""Money as exact ``Decimal`` euros with allocation (R0.3).

Every amount is a whole number of cents within :data:`MAX_AMOUNT` in absolute value, so every
:class:`Money` can be stored, on every engine. Arithmetic is on integer cents (exact whatever the
``decimal`` context); a result outside the limit is refused as ``money.out_of_range``, like an
amount given outside it. A computed share (pro rata) is computed exactly and rounded once, half
to even.

>>> [str(p.amount) for p in Money("100.00").split(12)][:5]
['8.34', '8.34', '8.34', '8.34', '8.33']
>>> sum((p for p in Money("100.00").split(12)), Money("0")) == Money("100.00")
True
>>> str(Money("0.03").pro_rata(5, 30).amount)  # 0.005 exactly: half to even
'0.00'
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import attrs

from xs_core.errors import InvalidInput, register_messages

CENT = Decimal("0.01")

#: The largest amount in absolute value (R0.3): twelve integer digits and two decimals, what a
#: ``NUMERIC(14, 2)`` column holds. The storage adapters derive their column from it.
MAX_AMOUNT = Decimal("999999999999.99")
#: :data:`MAX_AMOUNT` in cents.
MAX_CENTS = 99_999_999_999_999
_BEYOND = Decimal(10**12)  # anything at least this large is beyond the limit, rounded or not

# Quantising an amount within the limit needs at most 14 digits; this context keeps that exact
# whatever the thread's decimal context says.
_EXACT = Context(prec=34, rounding=ROUND_HALF_EVEN)


class InvalidMoney(InvalidInput):
    """An amount that is not an exact number of cents, or bad allocation ratios."""

    default_code = "money.invalid_amount"


class AmountOutOfRange(InvalidMoney):
    """An amount, given or computed, beyond :data:`MAX_AMOUNT` in absolute value."""

    default_code = "money.out_of_range"


register_messages(
    {
        "money.invalid_amount": (
            "Ongeldig bedrag: {value}.",
            "Invalid amount: {value}.",
        ),
        "money.out_of_range": (
            "Het bedrag {value} is te groot: ten hoogste {limit} (positief of negatief).",
            "The amount {value} is too large: at most {limit} (positive or negative).",
        ),
        "money.invalid_ratios": (
            "Verdeelsleutels moeten niet-negatief zijn en samen meer dan nul: {ratios}.",
            "Allocation ratios must be non-negative and add up to more than zero: {ratios}.",
        ),
        "money.currency_mismatch": (
            "Bedragen in {left} en {right} kunnen niet worden gecombineerd.",
            "Amounts in {left} and {right} cannot be combined.",
        ),
    },
    kind=InvalidInput,
)


def _out_of_range(value: object) -> AmountOutOfRange:
    return AmountOutOfRange("money.out_of_range", {"value": str(value), "limit": str(MAX_AMOUNT)})


def exact_amount(value: Any) -> Decimal:
    """``value`` as an exact amount with two decimals, or a refusal (R0.3): floats, values that
    are not numbers or not finite, and fractions of a cent are ``money.invalid_amount``; amounts
    beyond :data:`MAX_AMOUNT` are ``money.out_of_range``.

    >>> exact_amount("12.5")
    Decimal('12.50')
    """
    if type(value) is Decimal:
        amount = value
    elif isinstance(value, float):
        raise InvalidMoney("money.invalid_amount", {"value": repr(value), "reason": "float"})
    else:
        try:
            amount = Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            raise InvalidMoney("money.invalid_amount", {"value": repr(value)}) from None
    if not amount.is_finite():
        raise InvalidMoney("money.invalid_amount", {"value": str(amount), "reason": "not finite"})
    if amount.copy_abs() > MAX_AMOUNT:  # exact comparison, before any rounding
        raise _out_of_range(amount)
    exact = amount.quantize(CENT, ROUND_HALF_EVEN, _EXACT)
    if exact != amount:
        raise InvalidMoney(
            "money.invalid_amount", {"value": str(value), "reason": "more than two decimals"}
        )
    return exact


def _from_cents(cents: int) -> Decimal:
    if not -MAX_CENTS <= cents <= MAX_CENTS:
        raise _out_of_range(Decimal(f"{cents}E-2"))  # from a string: exact, whatever its size
    return Decimal(cents).scaleb(-2, _EXACT)


@attrs.frozen(order=True)
class Money:
    """An exact amount in cents of a currency (euros by default), at most :data:`MAX_AMOUNT`
    in absolute value. Never a float (R0.3)."""

    amount: Decimal = attrs.field(converter=exact_amount)
    currency: str = attrs.field(default="EUR", order=False)

    @classmethod
    def zero(cls, currency: str = "EUR") -> Money:
        return cls(Decimal("0.00"), currency)

    @classmethod
    def from_cents(cls, cents: int, currency: str = "EUR") -> Money:
        return cls(_from_cents(cents), currency)

    @classmethod
    def rounded(cls, value: Decimal | Fraction | int, currency: str = "EUR") -> Money:
        """An exact value (e.g. an exact rational share) rounded once to the cent, half to
        even (R0.3). A ``Decimal`` is taken at its exact value.

        >>> str(Money.rounded(Fraction(1, 200)).amount), str(Money.rounded(Decimal("0.015")).amount)
        ('0.00', '0.02')
        """
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise InvalidMoney(
                    "money.invalid_amount", {"value": str(value), "reason": "not finite"}
                )
            if value.copy_abs() >= _BEYOND:  # before turning it into (maybe huge) integers
                raise _out_of_range(value)
        # Fraction rounds half to even; from_cents refuses a result beyond the limit
        return cls.from_cents(round(Fraction(value) * 100), currency)

    def pro_rata(self, part: int, whole: int) -> Money:
        """This amount × ``part`` / ``whole``, computed exactly and rounded once to the cent,
        half to even (R0.3; R5.1's pro rata by days).

        >>> str(Money("100.00").pro_rata(15, 31).amount)
        '48.39'
        """
        if whole <= 0 or part < 0:
            raise InvalidMoney("money.invalid_ratios", {"ratios": [part, whole]})
        return Money.rounded(Fraction(self.cents * part, whole * 100), self.currency)

    @property
    def cents(self) -> int:
        return int(self.amount.scaleb(2, _EXACT))

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise InvalidMoney(
                "money.currency_mismatch", {"left": self.currency, "right": other.currency}
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money.from_cents(self.cents + other.cents, self.currency)

    def __radd__(self, other: Any) -> Money:
        if other == 0:
            return self
        if isinstance(other, Money):
            return other.__add__(self)
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money.from_cents(self.cents - other.cents, self.currency)

    def __neg__(self) -> Money:
        return Money.from_cents(-self.cents, self.currency)

    def allocate(self, ratios: Sequence[int | Decimal]) -> list[Money]:
        """Split by ``ratios`` so that the parts sum exactly to this amount (R0.3).

        Each part first gets its share rounded towards zero; the cents that remain go one by one
        to the earliest parts with a non-zero ratio.

        >>> [str(m.amount) for m in Money("10.00").allocate([1, 1, 1])]
        ['3.34', '3.33', '3.33']
        """
        weights: list[int | Fraction] = [r for r in ratios if type(r) is int]
        if len(weights) != len(ratios):  # integers are exact; others become exact fractions
            try:
                weights = [Fraction(r) for r in ratios]
            except (TypeError, ValueError, OverflowError):
                weights = []
        total_weight = sum(weights, 0)
        if not weights or any(w < 0 for w in weights) or total_weight <= 0:
            raise InvalidMoney("money.invalid_ratios", {"ratios": [str(r) for r in ratios]})
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
