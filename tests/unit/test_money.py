"""R0.3: money is exact Decimal euros; allocation sums to the cent, remainder to the earliest."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_core.money import InvalidMoney, Money
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


@given(xst.money(), xst.ratios())
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
