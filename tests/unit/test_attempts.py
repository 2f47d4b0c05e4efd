"""The windows and limits of token attempts (R7.1, ``xs_core.access.attempts``)."""

from __future__ import annotations

import datetime as _dt
import math

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_core.access.attempts import AttemptLimits, address_key
from xs_core.errors import InvalidInput, NotAllowed

instants = st.datetimes(
    min_value=_dt.datetime(2000, 1, 1),
    max_value=_dt.datetime(2100, 1, 1),
    timezones=st.sampled_from([_dt.UTC, _dt.timezone(_dt.timedelta(hours=2))]),
)
windows = st.integers(min_value=1, max_value=86_400).map(lambda s: _dt.timedelta(seconds=s))


@given(instants, windows)
def test_r7_1_an_instant_lies_in_its_window(at: _dt.datetime, window: _dt.timedelta) -> None:
    """The window holding ``at`` starts at or before it, ends after it, and starts on a
    multiple of its length since the epoch (every process counts into the same window)."""
    limits = AttemptLimits(window=window)
    start = limits.window_start(at)
    assert start <= at < start + window
    assert start.timestamp() % window.total_seconds() == 0
    assert start.tzinfo is not None


@given(instants, windows)
def test_r7_1_retry_after_reaches_the_next_window(at: _dt.datetime, window: _dt.timedelta) -> None:
    """``Retry-After`` is whole seconds, at least 1, and waiting it lands in the next window
    (never in the same one, never beyond the next)."""
    limits = AttemptLimits(window=window)
    wait = limits.retry_after(at)
    assert 1 <= wait <= window.total_seconds()
    assert wait == max(1, math.ceil((limits.window_start(at) + window - at).total_seconds()))
    later = at + _dt.timedelta(seconds=wait)
    assert limits.window_start(later) == limits.window_start(at) + window


@given(instants, instants, windows)
def test_r7_1_two_instants_share_a_window_exactly_when_they_share_its_span(
    a: _dt.datetime, b: _dt.datetime, window: _dt.timedelta
) -> None:
    limits = AttemptLimits(window=window)
    start = limits.window_start(a)
    assert (limits.window_start(b) == start) == (start <= b < start + window)


def test_r7_1_windows_by_hand() -> None:
    """Checked by hand: 15-minute windows start on the quarter hour (UTC); a pendulum instant
    in Amsterdam counts into the same window as its UTC instant."""
    limits = AttemptLimits(per_address=20, window=_dt.timedelta(minutes=15))
    at = pendulum.datetime(2026, 12, 4, 11, 29, 59, tz="Europe/Amsterdam")  # 10:29:59 UTC
    assert limits.window_start(at) == _dt.datetime(2026, 12, 4, 10, 15, tzinfo=_dt.UTC)
    assert limits.retry_after(at) == 1
    assert limits.retry_after(at.add(seconds=1)) == 900  # 10:30:00 starts a window
    refusal = limits.refusal(at)
    assert isinstance(refusal, NotAllowed)
    assert refusal.code == "api.too_many_attempts"
    assert refusal.details == {"retry_after_seconds": 1}
    assert "1 seconds" in refusal.message("en")


@pytest.mark.parametrize(
    ("per_address", "window"),
    [
        (0, _dt.timedelta(minutes=15)),
        (-1, _dt.timedelta(minutes=15)),
        (True, _dt.timedelta(minutes=15)),
        (20, _dt.timedelta(0)),
        (20, _dt.timedelta(milliseconds=1500)),
        (20, _dt.timedelta(days=2)),
    ],
)
def test_r7_1_absurd_limits_are_refused(per_address: int, window: _dt.timedelta) -> None:
    with pytest.raises(InvalidInput) as refused:
        AttemptLimits(per_address=per_address, window=window)
    assert refused.value.code == "api.attempt_limits_invalid"


def test_r7_1_an_address_key_is_bounded_and_case_blind() -> None:
    assert address_key(" 2001:DB8::1 ") == "address:2001:db8::1"
    assert len(address_key("x" * 1000)) == 100
