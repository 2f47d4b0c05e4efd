"""R4.1–R4.4: formal request date, half-open desired period, the parallel-availability limit
(peak concurrency checked against a brute-force count), activities on appointments."""

from __future__ import annotations

import datetime as _dt
import uuid

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_core.agenda.model import (
    Activity,
    ActivityStatus,
    Appointment,
    AppointmentStatus,
    Availability,
    capacity_conflicts,
    formal_request_date,
    weekly,
)
from xs_core.agenda.spans import TimeSpan, occupancy, peak
from xs_core.dates import DateRange
from xs_core.errors import DomainError

D = _dt.date
TODAY = D(2026, 11, 29)


def at(hour: int, minute: int = 0, day: int = 1) -> pendulum.DateTime:
    return pendulum.datetime(2026, 12, day, hour, minute, tz="Europe/Amsterdam")


def span(a: tuple[int, int], b: tuple[int, int]) -> TimeSpan:
    return TimeSpan(at(*a), at(*b))


# -- R4.1 -----------------------------------------------------------------------------------------


def test_r4_1_formal_request_date_defaults_to_today() -> None:
    assert formal_request_date(None, TODAY, may_change=False) == TODAY
    assert formal_request_date(TODAY, TODAY, may_change=False) == TODAY


def test_r4_1_another_date_needs_the_feature_and_is_never_after_today() -> None:
    with pytest.raises(DomainError) as refused:
        formal_request_date(D(2026, 11, 1), TODAY, may_change=False)
    assert refused.value.code == "agenda.formal_date_not_allowed"
    assert formal_request_date(D(2026, 11, 1), TODAY, may_change=True) == D(2026, 11, 1)
    with pytest.raises(DomainError) as future:
        formal_request_date(D(2026, 11, 30), TODAY, may_change=True)
    assert future.value.code == "agenda.formal_date_in_future"


# -- R4.2 -----------------------------------------------------------------------------------------


def test_r4_2_desired_period_until_is_exclusive() -> None:
    only_20th = DateRange(D(2026, 7, 20), D(2026, 7, 21))  # "20-07 tot 21-07"
    assert list(only_20th.iter_days()) == [D(2026, 7, 20)]
    assert DateRange.from_inclusive(D(2026, 7, 20), D(2026, 7, 20)) == only_20th  # "t/m"
    with pytest.raises(DomainError):
        DateRange(D(2026, 7, 20), D(2026, 7, 20))  # "20-07 tot 20-07" is refused


# -- R4.3 -----------------------------------------------------------------------------------------


def test_r4_3_worked_example_two_rooms() -> None:
    """Two rooms: 09–10 and 10–11 planned, 09–11 fits; a third at 09:30–10:30 does not."""
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    existing = [(first, span((9, 0), (10, 0))), (second, span((10, 0), (11, 0)))]
    assert capacity_conflicts(existing, third, span((9, 0), (11, 0)), 2) == []
    existing.append((third, span((9, 0), (11, 0))))
    conflicts = capacity_conflicts(existing, uuid.uuid4(), span((9, 30), (10, 30)), 2)
    assert [(str(c.span), c.count, set(c.availability_ids)) for c in conflicts] == [
        (str(span((9, 30), (10, 0))), 3, {first, third}),
        (str(span((10, 0), (10, 30))), 3, {second, third}),
    ]


def test_r4_3_touching_does_not_count_and_no_limit_means_unlimited() -> None:
    existing = [(uuid.uuid4(), span((9, 0), (10, 0)))]
    assert capacity_conflicts(existing, uuid.uuid4(), span((10, 0), (11, 0)), 1) == []
    assert capacity_conflicts(existing, uuid.uuid4(), span((9, 0), (10, 0)), None) == []
    assert capacity_conflicts(existing, uuid.uuid4(), span((9, 59), (11, 0)), 1) != []


def test_r4_3_instants_are_aware_and_spans_never_empty() -> None:
    with pytest.raises(DomainError) as naive:
        TimeSpan(_dt.datetime(2026, 12, 1, 9), _dt.datetime(2026, 12, 1, 10))
    assert naive.value.code == "span.naive"
    with pytest.raises(DomainError) as empty:
        span((9, 0), (9, 0))
    assert empty.value.code == "span.empty"
    with pytest.raises(DomainError) as long:
        Availability.plan(uuid.uuid4(), uuid.uuid4(), TimeSpan(at(9), at(9, day=2).add(hours=1)))
    assert long.value.code == "agenda.availability_too_long"


def test_r4_3_weekly_series_keeps_local_time_across_daylight_saving() -> None:
    first = TimeSpan(
        pendulum.datetime(2026, 10, 19, 9, tz="Europe/Amsterdam"),
        pendulum.datetime(2026, 10, 19, 10, tz="Europe/Amsterdam"),
    )
    occurrences = weekly(first, D(2026, 11, 3))  # until is exclusive
    local = [o.start.in_timezone("Europe/Amsterdam") for o in occurrences]
    assert [(x.day, x.hour) for x in local] == [(19, 9), (26, 9), (2, 9)]
    # 09:00 CEST is 07:00 UTC, 09:00 CET is 08:00 UTC: the instants follow the local time
    assert [o.start.hour for o in occurrences] == [7, 8, 8]
    assert local[0].utcoffset() != local[-1].utcoffset()


minutes = st.integers(0, 24 * 60 - 1)


@st.composite
def spans(draw: st.DrawFn) -> TimeSpan:
    start = draw(st.integers(0, 300))
    length = draw(st.integers(1, 120))
    base = pendulum.datetime(2026, 12, 1, tz="UTC")
    return TimeSpan(base.add(minutes=start), base.add(minutes=start + length))


@given(st.lists(spans(), max_size=12), spans(), st.integers(1, 4))
def test_r4_3_peak_and_conflicts_match_a_brute_force_count(
    existing: list[TimeSpan], new: TimeSpan, maximum: int
) -> None:
    """Brute force: count, minute by minute, the spans running at each minute."""
    base = pendulum.datetime(2026, 12, 1, tz="UTC")

    def running(minute: int, among: list[TimeSpan]) -> int:
        instant = base.add(minutes=minute)
        return sum(1 for s in among if s.contains(instant))

    every = [*existing, new]
    assert peak(every) == max(running(m, every) for m in range(0, 430))
    ids = [(uuid.uuid4(), s) for s in existing]
    conflicts = capacity_conflicts(ids, uuid.uuid4(), new, maximum)
    over = {
        m
        for m in range(0, 430)
        if new.contains(base.add(minutes=m)) and running(m, every) > maximum
    }
    covered = {m for c in conflicts for m in range(0, 430) if c.span.contains(base.add(minutes=m))}
    assert covered == over
    for part in occupancy(ids):
        inside = [i for i, s in ids if s.overlaps(part.span)]
        assert set(part.ids) == set(inside) and part.count == len(inside)


# -- R4.4 -----------------------------------------------------------------------------------------


def test_r4_4_activities_follow_their_appointment() -> None:
    availability = Availability.plan(uuid.uuid4(), uuid.uuid4(), span((9, 0), (12, 0)))
    appointment = Appointment.plan(availability, uuid.uuid4(), span((9, 0), (9, 30)))
    draft = Activity.register(uuid.uuid4(), uuid.uuid4(), "Spreekuur", TODAY, appointment)
    loose = Activity.register(uuid.uuid4(), uuid.uuid4(), "Telefonisch consult", TODAY)
    assert draft.status is ActivityStatus.DRAFT and draft.notice is not None
    assert loose.status is ActivityStatus.RELEASED and loose.notice is None
    appointment.complete([draft])
    assert draft.status is ActivityStatus.RELEASED
    assert appointment.status is AppointmentStatus.COMPLETED
    after = Activity.register(uuid.uuid4(), uuid.uuid4(), "Verslag", TODAY, appointment)
    assert after.status is ActivityStatus.RELEASED  # on a completed appointment


def test_r4_4_removing_an_appointment_takes_its_drafts() -> None:
    availability = Availability.plan(uuid.uuid4(), uuid.uuid4(), span((9, 0), (12, 0)))
    appointment = Appointment.plan(availability, uuid.uuid4(), span((10, 0), (10, 30)))
    drafts = [
        Activity.register(uuid.uuid4(), uuid.uuid4(), "Spreekuur", TODAY, appointment)
        for _ in range(2)
    ]
    assert appointment.remove(drafts) == [d.id for d in drafts]
    with pytest.raises(DomainError):
        Activity.register(uuid.uuid4(), uuid.uuid4(), "Spreekuur", TODAY, appointment)
    with pytest.raises(DomainError) as outside:
        Appointment.plan(availability, uuid.uuid4(), span((11, 30), (12, 30)))
    assert outside.value.code == "agenda.appointment_outside_availability"
