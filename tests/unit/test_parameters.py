"""R0.4 and DOMAIN §8: statutory parameters as dated data; the AOW table and max SV-wage pinned.

Expected AOW dates are derived by hand from art. 7a AOW (age by the calendar year in which it
is reached) and art. 16 (the day itself; a missing day means the first of the next month).
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_core.parameters import (
    ParameterNotAvailable,
    add_age,
    aow_age_table,
    aow_date,
    max_sv_wage,
    max_sv_wage_table,
)

D = _dt.date

# (year reached, years, months) exactly as in DOMAIN.md §8
AOW_TABLE = [
    (2013, 65, 1),
    (2014, 65, 2),
    (2015, 65, 3),
    (2016, 65, 6),
    (2017, 65, 9),
    (2018, 66, 0),
    (2019, 66, 4),
    (2020, 66, 4),
    (2021, 66, 4),
    (2022, 66, 7),
    (2023, 66, 10),
    (2024, 67, 0),
    (2025, 67, 0),
    (2026, 67, 0),
    (2027, 67, 0),
    (2028, 67, 3),
    (2029, 67, 3),
    (2030, 67, 3),
    (2031, 67, 3),
]


@pytest.mark.parametrize(("year", "years", "months"), AOW_TABLE)
def test_r0_4_aow_age_table_is_pinned(year: int, years: int, months: int) -> None:
    entry = aow_age_table().entry_on(D(year, 6, 30))
    assert (entry.value.years, entry.value.months) == (years, months)
    assert not entry.provisional
    assert "7a" in entry.source


def test_r0_4_aow_age_before_2013_is_65_and_after_2031_provisional() -> None:
    assert aow_age_table().value_on(D(2012, 12, 31)).years == 65
    later = aow_age_table().entry_on(D(2032, 1, 1))
    assert (later.value.years, later.value.months, later.provisional) == (67, 3, True)


@pytest.mark.parametrize(
    ("born", "expected", "years", "months"),
    [
        # the examples of DOMAIN.md §8
        (D(1960, 12, 31), D(2027, 12, 31), 67, 0),
        (D(1961, 1, 1), D(2028, 4, 1), 67, 3),
        (D(1950, 8, 31), D(2015, 12, 1), 65, 3),  # published month-end example
        # year boundaries: the age of the year in which it is reached
        (D(1947, 12, 31), D(2012, 12, 31), 65, 0),
        (D(1948, 1, 1), D(2013, 2, 1), 65, 1),
        (D(1948, 11, 30), D(2013, 12, 30), 65, 1),
        (D(1948, 12, 1), D(2014, 2, 1), 65, 2),
        (D(1952, 12, 31), D(2018, 12, 31), 66, 0),
        (D(1953, 1, 1), D(2019, 5, 1), 66, 4),
        (D(1955, 8, 31), D(2021, 12, 31), 66, 4),
        (D(1955, 9, 1), D(2022, 4, 1), 66, 7),
        (D(1956, 5, 31), D(2022, 12, 31), 66, 7),
        (D(1956, 6, 1), D(2023, 4, 1), 66, 10),
        (D(1957, 2, 28), D(2023, 12, 28), 66, 10),
        (D(1957, 3, 1), D(2024, 3, 1), 67, 0),
        # month ends: the missing day becomes the first of the next month
        (D(1960, 2, 29), D(2027, 3, 1), 67, 0),
        (D(1955, 7, 31), D(2021, 12, 1), 66, 4),
        # the pre-2019 text (2020 = 66 y 8 m) must not be used
        (D(1954, 8, 1), D(2020, 12, 1), 66, 4),
    ],
)
def test_r0_4_aow_date(born: _dt.date, expected: _dt.date, years: int, months: int) -> None:
    result = aow_date(born)
    assert (result.date, result.years, result.months) == (expected, years, months)
    assert not result.provisional


def test_r0_4_aow_date_not_fixed_yet_is_provisional() -> None:
    assert not aow_date(D(1964, 9, 30)).provisional  # 30-12-2031, fixed
    late = aow_date(D(1964, 10, 31))
    assert (late.date, late.years, late.months, late.provisional) == (D(2032, 1, 31), 67, 3, True)


def test_r0_4_add_age_month_end_rule() -> None:
    assert add_age(D(1950, 8, 31), 65, 3) == D(2015, 12, 1)
    assert add_age(D(1950, 1, 31), 0, 1) == D(1950, 3, 1)
    assert add_age(D(1950, 1, 28), 0, 1) == D(1950, 2, 28)
    assert add_age(D(1952, 2, 29), 1, 0) == D(1953, 3, 1)
    assert add_age(D(1952, 2, 29), 4, 0) == D(1956, 2, 29)


@given(st.dates(min_value=D(1940, 1, 1), max_value=D(1990, 12, 31)))
def test_r0_4_aow_date_is_the_first_age_reached_in_a_year_that_applies_it(born: _dt.date) -> None:
    result = aow_date(born)
    assert result.date == add_age(born, result.years, result.months)
    applicable = aow_age_table().value_on(D(result.date.year, 1, 1))
    assert (applicable.years, applicable.months) == (result.years, result.months)
    # no smaller age of the table was reached in a year that applied it
    for entry in aow_age_table().values:
        age = (entry.value.years, entry.value.months)
        if age < (result.years, result.months):
            reached = add_age(born, *age)
            in_force = aow_age_table().value_on(D(reached.year, 1, 1))
            assert (in_force.years, in_force.months) != age
    assert result.date >= add_age(born, 65, 0)


@pytest.mark.parametrize(
    ("year", "amount"),
    [
        (2019, "55927"),
        (2020, "57232"),
        (2021, "58311"),
        (2022, "59706"),
        (2023, "66956"),
        (2024, "71628"),
        (2025, "75864"),
        (2026, "79409"),
    ],
)
def test_r0_4_max_sv_wage_is_fixed_per_calendar_year(year: int, amount: str) -> None:
    assert max_sv_wage(D(year, 1, 1)) == Decimal(amount)
    assert max_sv_wage(D(year, 12, 31)) == Decimal(amount)


def test_r0_4_max_sv_wage_outside_the_table_is_refused() -> None:
    for day in (D(2018, 12, 31), D(2027, 1, 1)):
        with pytest.raises(ParameterNotAvailable) as refused:
            max_sv_wage(day)
        assert refused.value.code == "parameters.not_available"
    assert all(v.source for v in max_sv_wage_table().values)
