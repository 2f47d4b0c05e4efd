"""R0.1: instants are normalised to UTC where they enter the core, and every comparison, duration
and limit is in real time; Europe/Amsterdam wall times follow Python's zoneinfo, a time in the
spring-forward gap is refused, an ambiguous naive one needs its fold (R4.3 for the series).

Reference values are worked out by hand from the Dutch rules: CET is UTC+1, CEST is UTC+2; in
2026 summer time starts on 29 March at 02:00 CET (clocks to 03:00 CEST) and ends on 25 October at
03:00 CEST (clocks back to 02:00 CET, so 02:00–03:00 happens twice).
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable
from typing import TypeVar
from zoneinfo import ZoneInfo

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_core import limits
from xs_core.agenda.model import MAX_AVAILABILITY, Availability, check_length, weekly
from xs_core.agenda.spans import TimeSpan, as_instant, local_instant, to_local
from xs_core.errors import DomainError

T = TypeVar("T")
AMS = ZoneInfo("Europe/Amsterdam")
UTC = _dt.UTC
D = _dt.date


def utc(*fields: int) -> _dt.datetime:
    return _dt.datetime(*fields, tzinfo=UTC)  # type: ignore[misc]


def ams(*fields: int, fold: int = 0) -> _dt.datetime:
    return _dt.datetime(*fields, tzinfo=AMS, fold=fold)  # type: ignore[misc]


# -- instants in UTC ------------------------------------------------------------------------------


def test_r0_1_a_40_minute_span_in_the_repeated_hour_is_accepted() -> None:
    """02:30 CEST (first pass) to 02:10 CET (second pass): 00:30Z–01:10Z, 40 minutes."""
    span = TimeSpan(ams(2026, 10, 25, 2, 30), ams(2026, 10, 25, 2, 10, fold=1))
    assert (span.start, span.end) == (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 10))
    assert span.duration == _dt.timedelta(minutes=40)
    assert span.start.utcoffset() == _dt.timedelta(0)
    # the same span written by pendulum and by fixed offsets
    written = [
        TimeSpan(
            pendulum.parse("2026-10-25T02:30:00+02:00"),  # type: ignore[arg-type]
            pendulum.parse("2026-10-25T02:10:00+01:00"),  # type: ignore[arg-type]
        ),
        TimeSpan(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 10)),
    ]
    assert written == [span, span]


def test_r0_1_a_span_ending_before_it_starts_in_real_time_is_refused() -> None:
    """02:10 CET (01:10Z) to 02:30 CEST (00:30Z): the wall clock says 20 minutes, real time says
    the end lies 40 minutes before the start."""
    with pytest.raises(DomainError) as refused:
        TimeSpan(ams(2026, 10, 25, 2, 10, fold=1), ams(2026, 10, 25, 2, 30))
    assert refused.value.code == "span.empty"


def test_r4_3_the_24_hour_limit_is_real_time_over_daylight_saving() -> None:
    """Noon to noon over the autumn night lasts 25 hours; over the spring night 23 hours."""
    autumn = TimeSpan(ams(2026, 10, 24, 12), ams(2026, 10, 25, 12))
    assert autumn.duration == _dt.timedelta(hours=25)
    with pytest.raises(DomainError) as refused:
        check_length(autumn)
    assert refused.value.code == "agenda.availability_too_long"
    with pytest.raises(DomainError):
        Availability.plan(uuid.uuid4(), uuid.uuid4(), autumn)
    spring = TimeSpan(ams(2026, 3, 28, 12), ams(2026, 3, 29, 12))
    assert spring.duration == _dt.timedelta(hours=23)
    Availability.plan(uuid.uuid4(), uuid.uuid4(), spring)
    exactly = TimeSpan(ams(2026, 10, 24, 12), ams(2026, 10, 25, 11))
    assert exactly.duration == MAX_AVAILABILITY
    check_length(exactly)


#: zones and offsets an instant may be written in
ZONES: list[_dt.tzinfo] = [
    UTC,
    AMS,
    pendulum.timezone("Europe/Amsterdam"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Kolkata"),
    _dt.timezone(_dt.timedelta(hours=2)),
    _dt.timezone(_dt.timedelta(hours=-9, minutes=-30)),
    pendulum.FixedTimezone(13 * 3600),
]
BASE = utc(2026, 10, 24, 12)
#: instants around both daylight-saving changes of 2026 (seconds from BASE)
moments = st.one_of(
    st.integers(0, 36 * 3600),
    st.integers(-(211 * 24 * 3600), -(209 * 24 * 3600)),
)


def written_in(seconds: int, zone: _dt.tzinfo, as_pendulum: bool) -> _dt.datetime:
    """The instant ``BASE + seconds`` as a wall time in ``zone`` (with its fold)."""
    instant = (BASE + _dt.timedelta(seconds=seconds)).astimezone(zone)
    return pendulum.instance(instant) if as_pendulum and isinstance(zone, ZoneInfo) else instant


@given(
    st.lists(moments, min_size=4, max_size=4, unique=True),
    st.lists(st.sampled_from(ZONES), min_size=8, max_size=8),
    st.booleans(),
)
def test_r0_1_spans_do_not_depend_on_the_zone_an_instant_is_written_in(
    seconds: list[int], zones: list[_dt.tzinfo], as_pendulum: bool
) -> None:
    a, b, c, d = sorted(seconds[:2]) + sorted(seconds[2:])
    first = TimeSpan(written_in(a, zones[0], as_pendulum), written_in(b, zones[1], as_pendulum))
    again = TimeSpan(written_in(a, zones[2], False), written_in(b, zones[3], as_pendulum))
    other = TimeSpan(written_in(c, zones[4], as_pendulum), written_in(d, zones[5], False))
    other_again = TimeSpan(written_in(c, zones[6], False), written_in(d, zones[7], True))
    assert first == again and other == other_again
    assert str(first) == str(again)
    assert first.duration == again.duration == _dt.timedelta(seconds=b - a)
    assert first.overlaps(other) == again.overlaps(other_again) == (a < d and c < b)
    probe = written_in(c, zones[0], as_pendulum)
    assert first.contains(probe) == again.contains(probe) == (a <= c < b)


@given(st.datetimes(min_value=_dt.datetime(1900, 1, 2), max_value=_dt.datetime(2199, 12, 30)))
def test_r0_1_instants_are_utc_and_keep_their_moment(wall: _dt.datetime) -> None:
    for zone in (UTC, AMS, ZoneInfo("America/New_York"), _dt.timezone(_dt.timedelta(hours=5))):
        aware = wall.replace(tzinfo=zone)
        if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
            continue  # a wall time in a gap of ``zone``: refused, see below
        instant = as_instant(aware)
        assert instant.tzinfo is pendulum.UTC
        # compared as UTC: PEP 495 makes == between zones False for a time in a repeated hour
        assert instant == aware.astimezone(UTC) and instant.timestamp() == aware.timestamp()


def test_r0_1_naive_datetimes_are_not_instants() -> None:
    with pytest.raises(DomainError) as refused:
        as_instant(_dt.datetime(2026, 7, 1, 9))
    assert refused.value.code == "span.naive"


# -- local times: the gap and the repeated hour ---------------------------------------------------


def test_r0_1_a_local_time_in_the_spring_gap_is_refused_everywhere() -> None:
    with pytest.raises(DomainError) as naive:
        local_instant(_dt.datetime(2026, 3, 29, 2, 30))
    assert naive.value.code == "time.nonexistent_local_time"
    assert naive.value.details["local"] == "2026-03-29T02:30"
    for fold in (0, 1):
        with pytest.raises(DomainError) as aware:
            TimeSpan(ams(2026, 3, 29, 2, 30, fold=fold), ams(2026, 3, 29, 4))
        assert aware.value.code == "time.nonexistent_local_time"
        with pytest.raises(DomainError):
            local_instant(_dt.datetime(2026, 3, 29, 2, 0), fold=fold)
    assert "bestaat niet" in naive.value.message("nl")
    # the minutes around the gap exist: 01:59 CET is 00:59Z, 03:00 CEST is 01:00Z
    assert local_instant(_dt.datetime(2026, 3, 29, 1, 59)) == utc(2026, 3, 29, 0, 59)
    assert local_instant(_dt.datetime(2026, 3, 29, 3, 0)) == utc(2026, 3, 29, 1, 0)


def test_r0_1_an_ambiguous_local_time_needs_its_fold() -> None:
    with pytest.raises(DomainError) as refused:
        local_instant(_dt.datetime(2026, 10, 25, 2, 30))
    assert refused.value.code == "time.ambiguous_local_time"
    assert refused.value.details["offsets"] == ["+02:00", "+01:00"]
    assert local_instant(_dt.datetime(2026, 10, 25, 2, 30), fold=0) == utc(2026, 10, 25, 0, 30)
    assert local_instant(_dt.datetime(2026, 10, 25, 2, 30), fold=1) == utc(2026, 10, 25, 1, 30)
    # aware values carry their fold and are read by it
    assert as_instant(ams(2026, 10, 25, 2, 30, fold=1)) == utc(2026, 10, 25, 1, 30)


def test_r0_1_an_aware_value_given_to_local_instant_is_only_normalised() -> None:
    assert local_instant(utc(2026, 7, 1, 7)) == utc(2026, 7, 1, 7)


@given(
    st.datetimes(min_value=_dt.datetime(2026, 1, 1), max_value=_dt.datetime(2026, 12, 31)),
    st.sampled_from([None, 0, 1]),
)
def test_r0_1_local_instant_is_zoneinfo_except_where_zoneinfo_must_guess(
    wall: _dt.datetime, fold: int | None
) -> None:
    """Reference: the standard library's zoneinfo. A wall time whose two folds give different
    instants is in the gap (refused) or in the repeated hour (refused without a fold)."""
    first, second = wall.replace(tzinfo=AMS, fold=0), wall.replace(tzinfo=AMS, fold=1)
    in_gap = first.astimezone(UTC).astimezone(AMS).replace(tzinfo=None) != wall
    repeated = not in_gap and first.utcoffset() != second.utcoffset()
    instant, code = _outcome(lambda: local_instant(wall, fold))
    if in_gap:
        assert code == "time.nonexistent_local_time"
    elif repeated and fold is None:
        assert code == "time.ambiguous_local_time"
    else:
        assert code is None and instant == (second if fold == 1 else first)
        local = to_local(instant)
        assert local.replace(tzinfo=None) == wall and (not repeated or local.fold == fold)


def _outcome(action: Callable[[], T]) -> tuple[T | None, str | None]:
    """The result of ``action``, or the code of its refusal."""
    try:
        return action(), None
    except DomainError as refused:
        return None, refused.code


# -- R4.3 weekly series ---------------------------------------------------------------------------


def test_r4_3_a_series_keeps_its_local_start_and_real_duration_across_both_changes() -> None:
    """Monday 09:00–17:30 from 23 March until 3 November 2026: 09:00 every week, 8.5 hours."""
    first = TimeSpan(ams(2026, 3, 23, 9), ams(2026, 3, 23, 17, 30))
    occurrences = weekly(first, D(2026, 11, 3))
    assert len(occurrences) == 33  # 23 March + 32 weeks = 2 November, the last before 3 Nov
    assert {to_local(o.start).time() for o in occurrences} == {_dt.time(9)}
    assert {o.duration for o in occurrences} == {_dt.timedelta(hours=8, minutes=30)}
    assert occurrences[0].start == utc(2026, 3, 23, 8)  # CET
    assert occurrences[1].start == utc(2026, 3, 30, 7)  # CEST
    assert occurrences[-1].start == utc(2026, 11, 2, 8)  # CET again


def test_r4_3_a_series_over_the_changes_at_night_keeps_real_duration() -> None:
    """01:30–03:30 (two hours): on 29 March it ends at 04:30 CEST, on 25 October at 02:30 CET."""
    first = TimeSpan(ams(2026, 3, 22, 1, 30), ams(2026, 3, 22, 3, 30))
    spring = weekly(first, D(2026, 3, 30))
    assert [(s.start, s.end) for s in spring] == [
        (utc(2026, 3, 22, 0, 30), utc(2026, 3, 22, 2, 30)),
        (utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 2, 30)),
    ]
    autumn = weekly(TimeSpan(ams(2026, 10, 18, 1, 30), ams(2026, 10, 18, 3, 30)), D(2026, 10, 26))
    assert [s.duration for s in autumn] == [_dt.timedelta(hours=2)] * 2
    assert to_local(autumn[1].end).replace(tzinfo=None) == _dt.datetime(2026, 10, 25, 2, 30)


def test_r4_3_a_series_whose_occurrence_falls_in_the_gap_is_refused_whole() -> None:
    first = TimeSpan(ams(2026, 3, 22, 2, 30), ams(2026, 3, 22, 3, 30))
    with pytest.raises(DomainError) as refused:
        weekly(first, D(2026, 4, 30))
    assert refused.value.code == "time.nonexistent_local_time"
    assert refused.value.details["local"] == "2026-03-29T02:30"
    assert len(weekly(first, D(2026, 3, 29))) == 1  # ends before the gap: fine


def test_r4_3_a_series_in_the_repeated_hour_keeps_the_first_occurrences_fold() -> None:
    summer = weekly(TimeSpan(ams(2026, 10, 18, 2, 30), ams(2026, 10, 18, 2, 50)), D(2026, 10, 26))
    assert summer[1].start == utc(2026, 10, 25, 0, 30)  # 02:30 CEST, the first pass
    winter = TimeSpan(ams(2026, 10, 25, 2, 30, fold=1), ams(2026, 10, 25, 2, 50, fold=1))
    assert [s.start for s in weekly(winter, D(2026, 11, 2))] == [
        utc(2026, 10, 25, 1, 30),
        utc(2026, 11, 1, 1, 30),
    ]


def test_r4_3_a_series_has_at_most_104_occurrences() -> None:
    first = TimeSpan(ams(2026, 1, 5, 9), ams(2026, 1, 5, 12))
    last_allowed = D(2026, 1, 5) + _dt.timedelta(weeks=104)  # exclusive: 104 occurrences
    assert len(weekly(first, last_allowed)) == limits.MAX_SERIES_OCCURRENCES == 104
    for until in (last_allowed + _dt.timedelta(days=1), D(2199, 12, 31)):
        with pytest.raises(DomainError) as refused:
            weekly(first, until)
        assert refused.value.code == "agenda.series_too_long"
        assert refused.value.details["maximum"] == 104
    with pytest.raises(DomainError) as beyond:
        weekly(first, D(2340, 1, 1))  # the series: outside the calendar window
    assert beyond.value.code == "date.outside_window"
    with pytest.raises(DomainError) as empty:
        weekly(first, D(2026, 1, 5))
    assert empty.value.code == "agenda.series_invalid"


@given(st.integers(1, 800), st.integers(0, 7 * 24 * 60 - 1))
def test_r4_3_series_length_is_the_number_of_weekly_starts_before_until(
    days: int, minute: int
) -> None:
    """Reference: counting the dates first_day + 7k that lie before ``until``."""
    start = ams(2026, 1, 5) + _dt.timedelta(minutes=minute)
    first = TimeSpan(start, start + _dt.timedelta(hours=1))
    until = start.date() + _dt.timedelta(days=days)
    expected = sum(1 for k in range(200) if start.date() + _dt.timedelta(weeks=k) < until)
    occurrences, code = _outcome(lambda: weekly(first, until))
    if expected > limits.MAX_SERIES_OCCURRENCES:
        assert code == "agenda.series_too_long"
    elif code is not None:  # a Sunday start between 02:00 and 03:00 meets the gap of 29 March
        assert code == "time.nonexistent_local_time"
        assert start.weekday() == 6 and _dt.time(2) <= start.time() < _dt.time(3)
        assert D(2026, 3, 29) < until
    else:
        assert occurrences is not None and len(occurrences) == expected
        assert all(o.duration == _dt.timedelta(hours=1) for o in occurrences)


def test_r0_1_a_shifted_span_stays_in_the_window() -> None:
    span = TimeSpan(utc(2026, 7, 1, 9), utc(2026, 7, 1, 10))
    assert span.shifted(_dt.timedelta(hours=-2)) == TimeSpan(utc(2026, 7, 1, 7), utc(2026, 7, 1, 8))
    for days in (10**6, -(10**6), 200 * 366):
        with pytest.raises(DomainError) as refused:
            span.shifted(_dt.timedelta(days=days))
        assert refused.value.code == "date.outside_window"
