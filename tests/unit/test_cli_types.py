"""The command line's argument types (xs_app.cli_types): what they accept and what they refuse
(R0.1 dates and local times, R0.2 ranges, R0.3 amounts)."""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_app.cli_types import (
    END_LIMIT,
    FIRST_DAY,
    LAST_DAY,
    MAX_AMOUNT,
    check_after,
    parse_amount,
    parse_count,
    parse_database_url,
    parse_date,
    parse_instant,
    parse_uuid,
)
from xs_core.errors import DomainError
from xs_core.money import Money


def _code(call: object) -> str:
    assert callable(call)
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code


# -- dates (R0.1, R0.2) --------------------------------------------------------------------------


@given(st.dates(min_value=FIRST_DAY, max_value=LAST_DAY))
def test_r0_1_every_day_of_the_window_reads_back_from_its_iso_form(day: _dt.date) -> None:
    assert parse_date("--from", day.isoformat()) == day


@pytest.mark.parametrize(
    "text", ["2026-13-01", "2026-02-29", "2026-1-01", "20260101", "2026-W01-1", "", "morgen"]
)
def test_r0_1_only_real_iso_days_are_dates(text: str) -> None:
    assert _code(lambda: parse_date("--from", text)) == "cli.not_a_date"


def test_r0_2_an_exclusive_end_may_be_the_day_after_the_window() -> None:
    assert parse_date("--until", "2200-01-01", end=True) == END_LIMIT
    assert _code(lambda: parse_date("--from", "2200-01-01")) == "cli.date_outside_window"
    assert _code(lambda: parse_date("--until", "1899-12-31", end=True)) == (
        "cli.date_outside_window"
    )


def test_r0_2_a_range_ends_after_it_starts() -> None:
    check_after("--from", _dt.date(2026, 1, 1), "--until", _dt.date(2026, 1, 2))
    for end in (_dt.date(2026, 1, 1), _dt.date(2025, 12, 31)):
        code = _code(lambda end=end: check_after("--from", _dt.date(2026, 1, 1), "--until", end))
        assert code == "cli.range_reversed"


# -- instants (R0.1: Europe/Amsterdam wall times) --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-07-01T09:00", "2026-07-01T07:00:00+00:00"),  # summer time, UTC+2
        ("2026-12-01T09:00", "2026-12-01T08:00:00+00:00"),  # winter time, UTC+1
        ("2026-12-01 09:00:30", "2026-12-01T08:00:30+00:00"),
        ("2026-03-29T03:00", "2026-03-29T01:00:00+00:00"),  # first minute after the gap
        ("2026-10-25T02:30+02:00", "2026-10-25T00:30:00+00:00"),  # first 02:30 (summer)
        ("2026-10-25T02:30+01:00", "2026-10-25T01:30:00+00:00"),  # second 02:30 (winter)
        ("2026-12-01T09:00Z", "2026-12-01T09:00:00+00:00"),
    ],
)
def test_r0_1_a_wall_time_is_read_in_amsterdam_unless_it_has_an_offset(text: str, utc: str) -> None:
    instant = parse_instant("--start", text)
    assert instant.utcoffset() == _dt.timedelta(0)
    assert instant.isoformat() == utc


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2026-03-29T02:30", "time.nonexistent_local_time"),
        ("2026-10-25T02:30", "time.ambiguous_local_time"),
        ("2026-12-01T24:00", "cli.not_a_time"),
        ("2026-12-01", "cli.not_a_time"),
        ("09:00", "cli.not_a_time"),
        ("1850-06-01T09:00", "cli.date_outside_window"),
    ],
)
def test_r0_1_impossible_ambiguous_and_malformed_times_are_refused(text: str, code: str) -> None:
    assert _code(lambda: parse_instant("--start", text)) == code


# -- amounts (R0.3) ------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=int(MAX_AMOUNT * 100)))
def test_r0_3_every_amount_within_the_limit_reads_back(cents: int) -> None:
    text = f"{cents // 100}.{cents % 100:02d}"
    assert parse_amount("--amount", text) == Money.from_cents(cents)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1e30", "cli.amount_too_large"),
        ("1000000000000.00", "cli.amount_too_large"),
        ("-5.00", "cli.negative_amount"),
        ("-0.01", "cli.negative_amount"),
        ("10.005", "cli.amount_too_many_decimals"),
        ("1e-3", "cli.amount_too_many_decimals"),
        ("tien", "cli.not_an_amount"),
        ("NaN", "cli.not_an_amount"),
        ("-Infinity", "cli.not_an_amount"),
        ("10,00", "cli.not_an_amount"),
    ],
)
def test_r0_3_amounts_outside_the_rules_are_refused(text: str, code: str) -> None:
    assert _code(lambda: parse_amount("--amount", text)) == code


def test_r0_3_trailing_zeros_and_zero_are_exact_amounts() -> None:
    assert parse_amount("--amount", "1.000") == Money(Decimal("1.00"))
    assert parse_amount("--amount", "0") == Money.zero()
    assert parse_amount("--amount", "999999999999.99").amount == MAX_AMOUNT


# -- counts, ids, database URLs ------------------------------------------------------------------


def test_counts_are_whole_numbers_within_their_bounds() -> None:
    assert parse_count("--page", "1", 1, 10) == 1
    assert parse_count("--page", 10, 1, 10) == 10  # a default arrives as an int
    assert _code(lambda: parse_count("--page", "11", 1, 10)) == "cli.out_of_range"
    assert _code(lambda: parse_count("--page", "9" * 5000, 1, 10)) == "cli.not_an_integer"
    assert _code(lambda: parse_count("--page", "1.0", 1, 10)) == "cli.not_an_integer"


def test_a_refused_value_is_shortened_in_the_message() -> None:
    with pytest.raises(DomainError) as refused:
        parse_count("--page", "9" * 5000, 1, 10)
    assert len(refused.value.details["value"]) == 40


def test_ids_are_uuids() -> None:
    text = "6c2a9a3e-0a52-4f0f-9d3e-0b6f7a1c2d33"
    assert str(parse_uuid("BASIS", text)) == text
    assert _code(lambda: parse_uuid("BASIS", "6c2a9a3e")) == "cli.not_a_uuid"


@pytest.mark.parametrize(
    "url", ["sqlite:///xs.sqlite3", "postgresql://127.0.0.1/xs", "postgresql+psycopg://h/xs"]
)
def test_sqlite_and_postgresql_urls_are_accepted_as_given(url: str) -> None:
    assert parse_database_url("--database-url", url) == url


@pytest.mark.parametrize("url", ["nonsense", "mysql://h/xs", "", "://"])
def test_other_database_urls_are_refused(url: str) -> None:
    assert _code(lambda: parse_database_url("--database-url", url)) == "cli.invalid_database_url"
