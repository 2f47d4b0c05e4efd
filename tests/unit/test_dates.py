"""R0.1 and R0.2: calendar dates in Europe/Amsterdam and half-open date ranges."""

from __future__ import annotations

import datetime as _dt

import pendulum
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from xs_adapters.clock import FixedClock
from xs_core.dates import DateRange, InvalidDateRange
from xs_core.testing import strategies as xst

D = _dt.date


HORIZON = D(2042, 1, 1)


def days_of(r: DateRange, horizon: _dt.date = HORIZON) -> set[_dt.date]:
    """Brute-force reference: the set of days of a range (open ends cut at a far horizon)."""
    end = r.end or horizon
    return {r.start + _dt.timedelta(days=i) for i in range((end - r.start).days)}


def test_r0_1_today_is_the_calendar_date_in_amsterdam() -> None:
    # 23:30 UTC on 29 November is 00:30 on 30 November in Amsterdam (CET, UTC+1).
    clock = FixedClock(pendulum.datetime(2026, 11, 29, 23, 30, tz="UTC"))
    assert clock.today() == D(2026, 11, 30)
    summer = FixedClock(pendulum.datetime(2026, 7, 1, 22, 30, tz="UTC"))  # CEST, UTC+2
    assert summer.today() == D(2026, 7, 2)


def test_r0_2_end_is_exclusive() -> None:
    july = DateRange(D(2026, 7, 1), D(2026, 8, 1))
    assert D(2026, 7, 31) in july
    assert D(2026, 8, 1) not in july
    assert D(2026, 6, 30) not in july
    assert july.days == 31
    assert july.last_day == D(2026, 7, 31)


def test_r0_2_a_range_is_never_empty() -> None:
    with pytest.raises(InvalidDateRange) as refused:
        DateRange(D(2026, 7, 20), D(2026, 7, 20))
    assert refused.value.code == "daterange.empty"
    with pytest.raises(InvalidDateRange):
        DateRange(D(2026, 7, 21), D(2026, 7, 20))


def test_r0_2_open_end_means_until_further_notice() -> None:
    r = DateRange(D(2026, 1, 1))
    assert r.is_open and r.days is None and r.last_day is None
    assert D(9999, 12, 30) in r


def test_r0_2_touching_ranges_do_not_overlap_but_are_adjacent() -> None:
    a = DateRange(D(2026, 1, 1), D(2026, 2, 1))
    b = DateRange(D(2026, 2, 1), D(2026, 3, 1))
    assert not a.overlaps(b) and not b.overlaps(a)
    assert a.is_adjacent_to(b) and b.is_adjacent_to(a)
    assert a.intersection(b) is None
    assert a.union(b) == DateRange(D(2026, 1, 1), D(2026, 3, 1))


def test_r0_2_union_with_a_gap_is_refused() -> None:
    a = DateRange(D(2026, 1, 1), D(2026, 2, 1))
    b = DateRange(D(2026, 2, 2), D(2026, 3, 1))
    with pytest.raises(InvalidDateRange) as refused:
        a.union(b)
    assert refused.value.code == "daterange.not_contiguous"


def test_r0_2_difference_can_leave_two_pieces() -> None:
    year = DateRange(D(2026, 1, 1), D(2027, 1, 1))
    summer = DateRange(D(2026, 7, 1), D(2026, 9, 1))
    assert year.difference(summer) == [
        DateRange(D(2026, 1, 1), D(2026, 7, 1)),
        DateRange(D(2026, 9, 1), D(2027, 1, 1)),
    ]
    assert summer.difference(year) == []
    assert DateRange(D(2026, 1, 1)).difference(summer)[-1] == DateRange(D(2026, 9, 1))


def test_r0_2_inclusive_conversions_both_ways() -> None:
    # The UI's "20-07 t/m 20-07" is stored as [20-07, 21-07).
    r = DateRange.from_inclusive(D(2026, 7, 20), D(2026, 7, 20))
    assert r == DateRange(D(2026, 7, 20), D(2026, 7, 21))
    assert r.display_nl() == "20-07-2026 t/m 20-07-2026"
    assert DateRange.from_inclusive(D(2026, 7, 20), None).is_open
    with pytest.raises(InvalidDateRange):
        DateRange.from_inclusive(D(2026, 7, 20), D(2026, 7, 19))


def test_r0_2_accepts_datetime_date_and_pendulum_date_alike() -> None:
    assert DateRange(D(2026, 1, 1), D(2026, 1, 2)) == DateRange(
        pendulum.Date(2026, 1, 1), pendulum.Date(2026, 1, 2)
    )
    with pytest.raises(TypeError):
        DateRange(_dt.datetime(2026, 1, 1, 12, 0), None)  # type: ignore[arg-type]


bounded = xst.date_ranges(min_value=D(2026, 1, 1), max_value=D(2026, 3, 1), open_ended=False)
any_range = xst.date_ranges(min_value=D(2026, 1, 1), max_value=D(2026, 3, 1), open_ended=True)


@given(any_range, any_range)
def test_r0_2_algebra_matches_day_sets(a: DateRange, b: DateRange) -> None:
    da, db = days_of(a), days_of(b)
    assert a.overlaps(b) == bool(da & db) == b.overlaps(a)
    inter = a.intersection(b)
    assert (days_of(inter) if inter else set()) == da & db
    assert set().union(*(days_of(p) for p in a.difference(b))) == da - db
    assert a.encloses(b) == (db <= da)
    if a.overlaps(b) or a.is_adjacent_to(b):
        assert days_of(a.union(b)) == da | db
    else:
        with pytest.raises(InvalidDateRange):
            a.union(b)


@given(any_range, any_range)
def test_r0_2_adjacent_ranges_never_overlap(a: DateRange, b: DateRange) -> None:
    if a.is_adjacent_to(b):
        assert not a.overlaps(b)


@given(any_range, st.dates(min_value=D(2025, 12, 1), max_value=D(2026, 4, 1)))
def test_r0_2_contains_is_half_open(r: DateRange, day: _dt.date) -> None:
    assert (day in r) == (r.start <= day and (r.end is None or day < r.end))


@given(bounded)
def test_r0_2_inclusive_round_trip(r: DateRange) -> None:
    assert r.last_day is not None
    assert DateRange.from_inclusive(r.start, r.last_day) == r
    assert len(list(r.iter_days())) == r.days


_ANY_DAY = st.dates(min_value=_dt.date(1899, 12, 25), max_value=_dt.date(2200, 1, 7))


def _a_day(kind: str, day: _dt.date) -> object:
    if kind == "pendulum":
        return pendulum.Date(day.year, day.month, day.day)
    if kind == "datetime":
        return _dt.datetime(day.year, day.month, day.day)
    return day


@given(
    start=_ANY_DAY,
    end=st.none() | _ANY_DAY,
    kinds=st.tuples(*[st.sampled_from(["pendulum", "date", "datetime"])] * 2),
)
@example(start=_dt.date(2199, 12, 31), end=None, kinds=("pendulum", "pendulum"))
@example(start=_dt.date(2200, 1, 1), end=None, kinds=("pendulum", "pendulum"))
@example(start=_dt.date(2199, 12, 31), end=_dt.date(2200, 1, 1), kinds=("pendulum", "pendulum"))
@example(start=_dt.date(2199, 12, 31), end=_dt.date(2200, 1, 2), kinds=("pendulum", "pendulum"))
@example(start=_dt.date(1899, 12, 31), end=_dt.date(1900, 1, 2), kinds=("pendulum", "pendulum"))
@example(start=_dt.date(1900, 1, 1), end=_dt.date(1900, 1, 1), kinds=("pendulum", "pendulum"))
@example(start=_dt.date(1900, 1, 2), end=_dt.date(1900, 1, 1), kinds=("pendulum", "pendulum"))
def test_r0_2_date_range_is_the_constructor_made_faster(
    start: _dt.date, end: _dt.date | None, kinds: tuple[str, str]
) -> None:
    """``date_range`` (the nightly run's periods, R6.6) gives what ``DateRange`` gives — the
    same value with pendulum dates in it, or the same refusal — for days on both sides of the
    window's edges (R0.1), empty and reversed ranges (R0.2), plain dates and datetimes."""
    from xs_core.dates import date_range

    first = _a_day(kinds[0], start)
    last = None if end is None else _a_day(kinds[1], end)

    def made(build: object) -> object:
        try:
            value = build(first, last)  # type: ignore[operator]
        except Exception as error:  # compared below, whatever it is
            return (type(error), getattr(error, "code", None), getattr(error, "details", None))
        return (value, type(value.start), type(value.end))

    assert made(date_range) == made(DateRange)
