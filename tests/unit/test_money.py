"""R0.3: money is exact Decimal euros; allocation sums to the cent, remainder to the earliest."""

from __future__ import annotations

import decimal
import math
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_core.errors import DomainError
from xs_core.money import MAX_AMOUNT, MAX_CENTS, AmountOutOfRange, InvalidMoney, Money
from xs_core.testing import strategies as xst


def amounts(parts: list[Money]) -> list[str]:
    return [str(p.amount) for p in parts]


def test_r0_3_hundred_euros_over_twelve_months() -> None:
    # 10000 cents / 12 = 833 rest 4: four parts of 8.34, eight of 8.33 (hand-checked).
    parts = Money("100.00").split(12)
    assert amounts(parts) == ["8.34"] * 4 + ["8.33"] * 8
    assert sum(parts, Money.zero()) == Money("100.00")


def test_r0_3_allocation_by_ratios() -> None:
    assert amounts(Money("10.00").allocate([1, 1, 1])) == ["3.34", "3.33", "3.33"]
    assert amounts(Money("1.00").allocate([0, 1, 1])) == ["0.00", "0.50", "0.50"]
    # the remainder cent goes to the earliest part with a non-zero ratio
    assert amounts(Money("0.01").allocate([0, 1, 1])) == ["0.00", "0.01", "0.00"]
    assert amounts(Money("-10.00").split(3)) == ["-3.34", "-3.33", "-3.33"]


def test_r0_3_floats_and_fractions_of_cents_are_refused() -> None:
    with pytest.raises(InvalidMoney) as refused:
        Money(0.1)  # type: ignore[arg-type]
    assert refused.value.code == "money.invalid_amount"
    with pytest.raises(InvalidMoney):
        Money("1.005")
    with pytest.raises(InvalidMoney) as bad_ratios:
        Money("1.00").allocate([0, 0])
    assert bad_ratios.value.code == "money.invalid_ratios"
    with pytest.raises(InvalidMoney):
        Money("1.00").allocate([1, -1, 1])


def test_r0_3_currencies_do_not_mix() -> None:
    with pytest.raises(InvalidMoney) as refused:
        _ = Money("1.00") + Money("1.00", "USD")
    assert refused.value.code == "money.currency_mismatch"


def test_r0_3_dutch_display() -> None:
    assert Money("1234.5").display_nl() == "€ 1.234,50"
    assert Money("-0.05").display_nl() == "-€ 0,05"


@given(xst.money(negative=True), xst.ratios())
def test_r0_3_allocation_always_sums_exactly(total: Money, ratios: list[int]) -> None:
    parts = total.allocate(ratios)
    assert len(parts) == len(ratios)
    assert sum(parts, Money.zero()) == total
    weight = sum(ratios)
    for part, ratio in zip(parts, ratios, strict=True):
        # each part is its share rounded towards zero, plus at most one remainder cent
        floor = abs(total.cents) * ratio // weight
        assert floor <= abs(part.cents) <= floor + 1
        if ratio == 0:
            assert part.amount == 0


@given(xst.money(min_cents=0), st.integers(1, 400))
def test_r0_3_split_gives_remainder_cents_to_the_earliest_parts(total: Money, n: int) -> None:
    parts = total.split(n)
    cents = [p.cents for p in parts]
    assert sum(cents) == total.cents
    assert cents == sorted(cents, reverse=True)
    assert max(cents) - min(cents) <= 1


# -- limits: non-finite and out-of-range amounts are coded refusals (R0.3) ---------------------


def test_r0_3_the_limit_is_twelve_integer_digits_and_two_decimals() -> None:
    # what a NUMERIC(14, 2) column holds: 14 digits, 2 of them after the point
    assert str(MAX_AMOUNT) == "999999999999.99"
    assert MAX_CENTS == 10**14 - 1
    assert Money(MAX_AMOUNT).cents == MAX_CENTS
    assert Money("-999999999999.99").cents == -MAX_CENTS


@pytest.mark.parametrize(
    "value", ["1e30", "1000000000000", "1000000000000.00", "-1000000000000.00", Decimal("1E+999")]
)
def test_r0_3_amounts_beyond_the_limit_are_out_of_range(value: str | Decimal) -> None:
    with pytest.raises(AmountOutOfRange) as refused:
        Money(value)
    error = refused.value
    assert isinstance(error, DomainError)
    assert error.code == "money.out_of_range"
    assert error.details == {"value": str(Decimal(value)), "limit": "999999999999.99"}
    assert "999999999999.99" in error.message("nl")
    assert error.message("nl") != error.message("en")
    assert error.message("en").startswith(f"The amount {Decimal(value)} is too large")


@pytest.mark.parametrize(
    "value", ["NaN", "-nan", "sNaN", "Infinity", "-Infinity", Decimal("Infinity"), Decimal("NaN")]
)
def test_r0_3_non_finite_amounts_are_invalid(value: str | Decimal) -> None:
    with pytest.raises(InvalidMoney) as refused:
        Money(value)
    assert refused.value.code == "money.invalid_amount"
    assert refused.value.details["reason"] == "not finite"
    assert all(isinstance(v, str) for v in refused.value.details.values())


def test_r0_3_arithmetic_beyond_the_limit_is_refused_the_same_way() -> None:
    top = Money(MAX_AMOUNT)
    assert top - Money("0.01") + Money("0.01") == top
    with pytest.raises(AmountOutOfRange) as over:
        _ = top + Money("0.01")
    assert over.value.details["value"] == "1000000000000.00"
    with pytest.raises(AmountOutOfRange):
        _ = -top - Money("0.01")
    # a sum of many amounts, each within the limit: 2000 × 500,000,000.00 = 10^12
    with pytest.raises(AmountOutOfRange):
        sum([Money("500000000.00")] * 2000, Money.zero())
    assert sum([Money("500000000.00")] * 1999, Money.zero()) == Money("999500000000.00")
    with pytest.raises(AmountOutOfRange):
        Money.from_cents(MAX_CENTS + 1)
    with pytest.raises(AmountOutOfRange):
        Money.rounded(Decimal("999999999999.995"))  # rounds (half to even) to 10^12
    # ….985 is 98.5 cents: half to even gives 98; ….986 gives the limit itself
    assert Money.rounded(Decimal("999999999999.985")) == Money("999999999999.98")
    assert Money.rounded(Decimal("999999999999.986")) == top


def test_r0_3_exact_whatever_the_decimal_context() -> None:
    """Arithmetic is on integer cents: a caller's low-precision context changes nothing."""
    with decimal.localcontext(prec=6, traps=[decimal.Inexact]):
        total = Money("999999999999.98") + Money("0.01")
        assert total.cents == MAX_CENTS
        assert Money("123456789.01").pro_rata(1, 3).amount == Decimal("41152263.00")
        assert Money("100.00").split(3)[0].amount == Decimal("33.34")


def half_even(value: Fraction) -> int:
    """Round half to even, written out: floor, then the remainder against one half."""
    floor = math.floor(value)
    rest = value - floor
    if rest != Fraction(1, 2):
        return floor + (1 if rest > Fraction(1, 2) else 0)
    return floor if floor % 2 == 0 else floor + 1


def test_r0_3_pro_rata_rounds_once_half_to_even_by_hand() -> None:
    # 3 cents × 5/30 = 0.5 cent → 0 (even); 9 × 5/30 = 1.5 → 2; 21 × 5/30 = 3.5 → 4
    assert Money("0.03").pro_rata(5, 30) == Money("0.00")
    assert Money("0.09").pro_rata(5, 30) == Money("0.02")
    assert Money("0.21").pro_rata(5, 30) == Money("0.04")
    # 5 cents / 2 = 2.5 → 2, also below zero; 100.00 × 15/31 = 48.387… → 48.39
    assert Money("0.05").pro_rata(1, 2) == Money("0.02")
    assert Money("-0.05").pro_rata(1, 2) == Money("-0.02")
    assert Money("100.00").pro_rata(15, 31) == Money("48.39")
    assert Money("100.00").pro_rata(31, 31) == Money("100.00")
    with pytest.raises(InvalidMoney) as refused:
        Money("1.00").pro_rata(1, 0)
    assert refused.value.code == "money.invalid_ratios"


@given(
    st.integers(-MAX_CENTS, MAX_CENTS),
    st.integers(1, 400).flatmap(lambda whole: st.tuples(st.integers(0, whole), st.just(whole))),
)
def test_r0_3_pro_rata_is_the_exact_share_rounded_half_to_even(
    cents: int, share: tuple[int, int]
) -> None:
    part, whole = share
    expected = half_even(Fraction(cents * part, whole))
    assert Money.from_cents(cents).pro_rata(part, whole).cents == expected


@given(st.decimals(min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT, places=6))
def test_r0_3_rounded_takes_a_decimal_at_its_exact_value(value: Decimal) -> None:
    with decimal.localcontext(prec=60):
        expected = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    assert Money.rounded(value).amount == expected
    assert Money.rounded(Fraction(value)).amount == expected


@given(st.integers(-MAX_CENTS, MAX_CENTS))
def test_r0_3_every_amount_within_the_limit_is_money(cents: int) -> None:
    text = f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"
    assert Money(text).cents == cents
    assert str(Money.from_cents(cents).amount) == text


def test_r0_3_the_documented_examples_hold() -> None:
    import doctest

    from xs_core import money

    assert doctest.testmod(money).failed == 0


@given(
    st.one_of(
        st.text(max_size=40),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.from_regex(r"-?[0-9]{0,20}(\.[0-9]{0,4})?([eE][-+]?[0-9]{1,25})?", fullmatch=True),
    )
)
def test_r0_3_any_input_is_money_or_a_coded_refusal(value: object) -> None:
    """Never ``decimal.InvalidOperation`` or another stray exception (R0.5)."""
    refused: InvalidMoney | None = None
    try:
        money = Money(value)  # type: ignore[arg-type]
    except InvalidMoney as error:
        refused = error
    if refused is not None:
        assert refused.code in {"money.invalid_amount", "money.out_of_range"}
        assert all(isinstance(v, str) for v in refused.details.values())
    else:
        assert abs(money.amount) <= MAX_AMOUNT
        assert money.amount == Decimal(value)  # type: ignore[arg-type]
