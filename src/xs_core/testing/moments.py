"""Strategies for days, date ranges, instants and time spans (R0.1, R0.2).

Days lie in the core's window (:data:`xs_core.limits.FIRST_DAY` …
:data:`~xs_core.limits.LAST_DAY`); by default in a realistic stretch of it, 1990–2040, which the
bounds widen up to the window. Instants are aware datetimes in several zones — UTC, a fixed
offset, Europe/Amsterdam (as ``zoneinfo`` and as ``pendulum`` read it), New York, Kolkata
(+05:30), Chatham (+12:45/+13:45) — and never a local time that does not exist (a spring-forward
gap) unless asked for.
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import pendulum
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from xs_core import limits
from xs_core.agenda.spans import TimeSpan
from xs_core.dates import DateRange

#: The default stretch of days: realistic, and far from the window's edges.
MIN_DATE = _dt.date(1990, 1, 1)
MAX_DATE = _dt.date(2040, 12, 31)
#: The default stretch of wall times for instants.
MIN_INSTANT = _dt.datetime(1990, 1, 1)
MAX_INSTANT = _dt.datetime(2040, 12, 31, 23, 59)

_UTC = _dt.UTC
#: The zones :func:`instants` writes instants in.
ZONES: tuple[_dt.tzinfo, ...] = (
    _UTC,
    ZoneInfo("Europe/Amsterdam"),
    pendulum.timezone("Europe/Amsterdam"),
    _dt.timezone(_dt.timedelta(hours=-3, minutes=-30)),
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Pacific/Chatham"),
)
_DAY = _dt.timedelta(days=1)


def _check_days(min_value: _dt.date, max_value: _dt.date, last: _dt.date) -> None:
    if not limits.FIRST_DAY <= min_value <= max_value <= last:
        raise InvalidArgument(
            f"days {min_value} … {max_value} must be in order and inside the core's window "
            f"{limits.FIRST_DAY} … {last} (R0.1); for refusals use dates_outside_window()"
        )


def _plain(day: _dt.date) -> _dt.date:
    """A ``datetime.date`` (hypothesis wants both bounds of one type; the core's are pendulum's)."""
    return _dt.date(day.year, day.month, day.day)


@functools.lru_cache(maxsize=1024)
def dates(
    min_value: _dt.date = MIN_DATE, max_value: _dt.date = MAX_DATE
) -> st.SearchStrategy[_dt.date]:
    """Calendar days (``datetime.date``) from ``min_value`` to ``max_value`` inclusive, inside
    the window (R0.1)."""
    _check_days(min_value, max_value, limits.LAST_DAY)
    return st.dates(min_value=_plain(min_value), max_value=_plain(max_value))


def dates_outside_window() -> st.SearchStrategy[_dt.date]:
    """Days the core refuses (``date.outside_window``, R0.1): before 1900 or after 2199 (the
    day after the window, 2200-01-01, is still a valid *exclusive end*, so it is not drawn)."""
    return st.one_of(
        st.dates(max_value=limits.FIRST_DAY - _DAY),
        st.dates(min_value=limits.END_LIMIT + _DAY),
    )


def birth_dates(
    min_value: _dt.date = _dt.date(1940, 1, 1), max_value: _dt.date = _dt.date(2008, 12, 31)
) -> st.SearchStrategy[_dt.date]:
    """Birth dates of working-age people (and the AOW table's edges). A birth date may not lie
    after the application's today: lower ``max_value`` for a clock set before 2009."""
    return dates(min_value, max_value)


@st.composite
def date_ranges(
    draw: st.DrawFn,
    min_value: _dt.date = MIN_DATE,
    max_value: _dt.date = MAX_DATE,
    open_ended: bool = True,
    max_days: int | None = None,
) -> DateRange:
    """Half-open, never empty date ranges ``[start, end)`` with ``start`` in ``min_value`` …
    ``max_value - 1 day`` and ``end`` at most ``max_value``; about a quarter open-ended when
    ``open_ended`` (R0.2). ``max_days`` bounds the length of the closed ones. ``max_value`` may
    be the day after the window (2200-01-01), the latest exclusive end."""
    _check_days(min_value, max_value, limits.END_LIMIT)
    if max_value <= min_value:
        raise InvalidArgument(f"a range needs two days: {min_value} … {max_value}")
    start = draw(st.dates(_plain(min_value), _plain(min(max_value - _DAY, limits.LAST_DAY))))
    if open_ended and draw(st.booleans()) and draw(st.booleans()):
        return DateRange(start, None)
    limit = (max_value - start).days
    if max_days is not None:
        limit = min(limit, max_days)
    length = draw(st.integers(min_value=1, max_value=max(1, limit)))
    return DateRange(start, start + _dt.timedelta(days=length))


def _exists(value: _dt.datetime) -> bool:
    """A wall time that its zone really shows: not in a spring-forward gap."""
    back = value.astimezone(_UTC).astimezone(value.tzinfo)
    return back.replace(tzinfo=None) == value.replace(tzinfo=None)


def _truncate(value: _dt.datetime, resolution: _dt.timedelta) -> _dt.datetime:
    wall = value.replace(tzinfo=None)
    return value - ((wall - _dt.datetime.min) % resolution)


def _check_instants(min_value: _dt.datetime, max_value: _dt.datetime) -> None:
    # a wall time is at most 14 hours from UTC: a day's margin keeps the instant in the window
    if (
        not limits.FIRST_DAY + _DAY
        <= min_value.date()
        <= max_value.date()
        <= limits.LAST_DAY - _DAY
    ):
        raise InvalidArgument(
            f"wall times {min_value} … {max_value} must be in order and a day inside the core's "
            f"window {limits.FIRST_DAY} … {limits.LAST_DAY} (R0.1)"
        )


def instants(
    min_value: _dt.datetime = MIN_INSTANT,
    max_value: _dt.datetime = MAX_INSTANT,
    *,
    zones: Sequence[_dt.tzinfo] = ZONES,
    resolution: _dt.timedelta = _dt.timedelta(minutes=1),
    allow_nonexistent: bool = False,
) -> st.SearchStrategy[_dt.datetime]:
    """Aware datetimes whose wall time lies in ``min_value`` … ``max_value`` (naive), written
    in one of ``zones``, on whole multiples of ``resolution`` (R0.1). Never a local time that
    does not exist in its zone (the core refuses those: ``time.nonexistent_local_time``) unless
    ``allow_nonexistent``; times in the repeated autumn hour come with either ``fold``."""
    _check_instants(min_value, max_value)
    if resolution <= _dt.timedelta(0):
        raise InvalidArgument(f"resolution must be positive, not {resolution}")
    drawn = st.datetimes(
        min_value, max_value, timezones=st.sampled_from(tuple(zones)), allow_imaginary=True
    ).map(lambda d: _truncate(d, resolution))
    return drawn if allow_nonexistent else drawn.filter(_exists)


@st.composite
def span_bounds(
    draw: st.DrawFn,
    min_value: _dt.datetime = MIN_INSTANT,
    max_value: _dt.datetime = MAX_INSTANT,
    *,
    max_duration: _dt.timedelta = _dt.timedelta(hours=24),
    zones: Sequence[_dt.tzinfo] = ZONES,
    resolution: _dt.timedelta = _dt.timedelta(minutes=1),
) -> tuple[_dt.datetime, _dt.datetime]:
    """A start and a later end, aware, each in a zone of its own, at most ``max_duration`` apart
    in real time (24 hours by default: the longest availability, R4.3) — the two instants of a
    :class:`~xs_core.agenda.spans.TimeSpan` or of a command that plans one."""
    if max_duration < resolution:
        raise InvalidArgument(f"max_duration {max_duration} is shorter than {resolution}")
    start = draw(instants(min_value, max_value, zones=zones, resolution=resolution))
    steps = draw(st.integers(1, max_duration // resolution))
    end_zone = draw(st.sampled_from(tuple(zones)))
    end = (start.astimezone(_UTC) + steps * resolution).astimezone(end_zone)
    return start, end


def time_spans(
    min_value: _dt.datetime = MIN_INSTANT,
    max_value: _dt.datetime = MAX_INSTANT,
    *,
    max_duration: _dt.timedelta = _dt.timedelta(hours=24),
    zones: Sequence[_dt.tzinfo] = ZONES,
    resolution: _dt.timedelta = _dt.timedelta(minutes=1),
) -> st.SearchStrategy[TimeSpan]:
    """Never empty time spans ``[start, end)`` (R0.1, R0.2), from :func:`span_bounds`."""
    return span_bounds(
        min_value, max_value, max_duration=max_duration, zones=zones, resolution=resolution
    ).map(lambda bounds: TimeSpan(*bounds))


__all__ = [
    "MAX_DATE",
    "MAX_INSTANT",
    "MIN_DATE",
    "MIN_INSTANT",
    "ZONES",
    "birth_dates",
    "date_ranges",
    "dates",
    "dates_outside_window",
    "instants",
    "span_bounds",
    "time_spans",
]
