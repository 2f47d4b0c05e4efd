"""Instants, half-open spans of time (R0.1, R0.2) and peak concurrency (R4.3).

**Instants are UTC (R0.1).** Every instant is normalised to UTC where it enters the core
(:func:`as_instant`, and so every :class:`TimeSpan`), so that every comparison, duration and limit
is in real time and the result never depends on the zone or offset a caller wrote an instant in.
(Python compares two datetimes that share a ``tzinfo`` by their wall clocks: in the repeated hour
of 25 October 2026 it would order 02:10+01:00 before 02:30+02:00, 40 minutes earlier in real
time.) Instants lie in the supported window, 1900-01-01 … 2199-12-31 UTC (``date.outside_window``).
Two spans that touch (``a.end == b.start``) do not overlap.

**Local times (R0.1, decision).** Europe/Amsterdam wall times are for input and display. A wall
time turns into an instant exactly as Python's ``zoneinfo`` (PEP 495) reads it, with two
refusals:

* a local time that does not exist (the spring-forward gap, e.g. 2026-03-29 02:30) is refused
  with ``time.nonexistent_local_time`` — as a naive wall time (:func:`local_instant`), as an
  aware datetime whose zone puts it in the gap, and as a weekly series occurrence (:func:`weekly
  <xs_core.agenda.model.weekly>`);
* a naive wall time in the repeated autumn hour (e.g. 2026-10-25 02:30) is ambiguous and refused
  with ``time.ambiguous_local_time`` unless the caller says which one (``fold=0``: the first,
  summer time; ``fold=1``: the second, winter time). An aware datetime carries its ``fold`` and is
  read by it; a weekly series keeps the fold of its first occurrence.

>>> import datetime as dt
>>> str(local_instant(dt.datetime(2026, 7, 1, 9, 0)))
'2026-07-01 07:00:00+00:00'
>>> try:
...     local_instant(dt.datetime(2026, 3, 29, 2, 30))
... except DomainError as refused:
...     print(refused.code)
time.nonexistent_local_time
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

import attrs
import pendulum

from xs_core import limits
from xs_core.dates import AMSTERDAM, DateOutsideWindow, as_date
from xs_core.errors import DomainError, InvalidInput, register_messages

register_messages(
    {
        "span.empty": (
            "Het einde ({end}) moet na het begin ({start}) liggen.",
            "The end ({end}) must be after the start ({start}).",
        ),
        "span.naive": (
            "Een tijdstip heeft een tijdzone nodig: {value}.",
            "An instant needs a time zone: {value}.",
        ),
        "time.nonexistent_local_time": (
            "De tijd {local} bestaat niet in {zone} (de klok wordt dan vooruitgezet).",
            "The time {local} does not exist in {zone} (the clocks go forward then).",
        ),
        "time.ambiguous_local_time": (
            "De tijd {local} komt twee keer voor in {zone} (de klok wordt dan teruggezet); geef "
            "de UTC-afwijking op ({offsets}).",
            "The time {local} occurs twice in {zone} (the clocks go back then); give the UTC "
            "offset ({offsets}).",
        ),
    },
    kind=InvalidInput,
)

#: The suite's zone as Python's zoneinfo reads it (R0.1): local times follow its PEP 495 rules.
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")

_UTC = pendulum.UTC


def _wall(value: _dt.datetime) -> _dt.datetime:
    """The wall-clock fields of ``value`` as a plain naive stdlib datetime."""
    return _dt.datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
    )


def _is_fixed(zone: _dt.tzinfo) -> bool:
    return isinstance(zone, _dt.timezone | pendulum.FixedTimezone)


def _exists(wall: _dt.datetime, zone: _dt.tzinfo, offset: _dt.timedelta) -> bool:
    """Whether ``wall`` read with ``offset`` in ``zone`` comes back as the same wall time; it does
    not for a time in a spring-forward gap."""
    back = zone.fromutc((wall - offset).replace(tzinfo=zone))
    return _wall(back) == wall


def _offset_text(offset: _dt.timedelta | None) -> str:
    minutes = 0 if offset is None else int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _nonexistent(wall: _dt.datetime, zone: _dt.tzinfo) -> DomainError:
    return DomainError(
        "time.nonexistent_local_time",
        {"rule": "R0.1", "local": wall.isoformat(timespec="minutes"), "zone": str(zone)},
    )


def as_instant(value: _dt.datetime) -> pendulum.DateTime:
    """An aware datetime as a UTC instant (R0.1).

    Naive datetimes are refused (``span.naive``), so are local times that do not exist in the
    value's zone (``time.nonexistent_local_time``) and instants outside the supported window
    (``date.outside_window``). An ambiguous wall time is read by its ``fold``, as Python does.
    """
    if not isinstance(value, _dt.datetime):
        raise TypeError("an instant (datetime) is required")
    zone = value.tzinfo
    offset = None if zone is None else value.utcoffset()
    if zone is None or offset is None:
        raise DomainError("span.naive", {"value": value.isoformat()})
    if zone is _UTC and isinstance(value, pendulum.DateTime):
        as_date(value.date())
        return value
    wall = _wall(value)
    as_date(wall.date())  # before any arithmetic: nothing near the calendar's edges overflows
    if not _is_fixed(zone) and not _exists(wall, zone, offset):
        raise _nonexistent(wall, zone)
    utc = wall - offset
    as_date(utc.date())
    return pendulum.DateTime(
        utc.year,
        utc.month,
        utc.day,
        utc.hour,
        utc.minute,
        utc.second,
        utc.microsecond,
        tzinfo=_UTC,
    )


def local_instant(wall: _dt.datetime, fold: int | None = None) -> pendulum.DateTime:
    """The UTC instant of a Europe/Amsterdam wall time, for the CLI and the web host (R0.1).

    A time in the spring-forward gap is refused (``time.nonexistent_local_time``); a time in the
    repeated autumn hour needs ``fold`` (0: the first, summer time; 1: the second, winter time),
    otherwise it is refused (``time.ambiguous_local_time``). An aware ``wall`` is already an
    instant and is only normalised (:func:`as_instant`).

    >>> import datetime as dt
    >>> str(local_instant(dt.datetime(2026, 10, 25, 2, 30), fold=1))
    '2026-10-25 01:30:00+00:00'
    """
    if wall.tzinfo is not None:
        return as_instant(wall)
    plain = _wall(wall)
    as_date(plain.date())
    first = plain.replace(tzinfo=LOCAL_ZONE, fold=0)
    second = plain.replace(tzinfo=LOCAL_ZONE, fold=1)
    early, late = first.utcoffset(), second.utcoffset()
    if early == late:
        return as_instant(first)
    if early is None or not _exists(plain, LOCAL_ZONE, early):
        raise _nonexistent(plain, LOCAL_ZONE)
    if fold is None:
        raise DomainError(
            "time.ambiguous_local_time",
            {
                "rule": "R0.1",
                "local": plain.isoformat(timespec="minutes"),
                "zone": str(LOCAL_ZONE),
                "offsets": [_offset_text(early), _offset_text(late)],
            },
        )
    return as_instant(second if fold else first)


def to_local(instant: _dt.datetime) -> _dt.datetime:
    """An instant as an aware Europe/Amsterdam wall time (with the right ``fold``), R0.1."""
    utc = as_instant(instant)
    return _wall(utc).replace(tzinfo=_dt.UTC).astimezone(LOCAL_ZONE)


@attrs.frozen(order=False)
class TimeSpan:
    """``[start, end)`` between two instants, held in UTC; never empty (R0.1, R0.2).

    The same instants written in any zones or offsets make an equal span.
    """

    start: pendulum.DateTime = attrs.field(converter=as_instant)
    end: pendulum.DateTime = attrs.field(converter=as_instant)

    def __attrs_post_init__(self) -> None:
        if not self.start < self.end:
            raise DomainError(
                "span.empty", {"start": self.start.isoformat(), "end": self.end.isoformat()}
            )

    def overlaps(self, other: TimeSpan) -> bool:
        """Share at least one instant; touching spans do not overlap."""
        return self.start < other.end and other.start < self.end

    def contains(self, instant: _dt.datetime) -> bool:
        """``start <= instant < end`` in real time (the bounds are UTC, so an aware instant in
        any zone compares as an instant)."""
        return self.start <= instant < self.end

    @property
    def duration(self) -> _dt.timedelta:
        """The real duration (both ends are UTC)."""
        # the stdlib difference: a plain timedelta, without pendulum's calendar interval
        return _dt.datetime.__sub__(self.end, self.start)

    def shifted(self, delta: _dt.timedelta) -> TimeSpan:
        """The span moved by ``delta`` in real time; a result outside the window is refused
        (``date.outside_window``), never an overflow."""
        window = _dt.timedelta(days=(limits.END_LIMIT - limits.FIRST_DAY).days)
        if abs(delta) > window:
            raise DateOutsideWindow(
                "date.outside_window",
                {
                    "rule": "R0.1",
                    "date": self.start.date().isoformat(),
                    "shift_days": delta.days,
                    "first": limits.FIRST_DAY.isoformat(),
                    "last": limits.LAST_DAY.isoformat(),
                },
            )
        return TimeSpan(self.start + delta, self.end + delta)

    def display_nl(self) -> str:
        start = self.start.in_timezone(AMSTERDAM)
        end = self.end.in_timezone(AMSTERDAM)
        if start.date() == end.date():
            return f"{start.format('DD-MM-YYYY HH:mm')}–{end.format('HH:mm')}"
        return f"{start.format('DD-MM-YYYY HH:mm')}–{end.format('DD-MM-YYYY HH:mm')}"

    def __str__(self) -> str:
        return f"[{self.start.isoformat()},{self.end.isoformat()})"


@attrs.frozen
class Occupancy:
    """How many spans run during ``span`` (constant within it), and which."""

    span: TimeSpan
    count: int
    ids: tuple[uuid.UUID, ...]


def occupancy(
    spans: Iterable[tuple[uuid.UUID, TimeSpan]], window: TimeSpan | None = None
) -> list[Occupancy]:
    """A sweep line over the spans: the maximal sub-spans with a constant set of running spans.

    Ends are processed before starts at the same instant, so touching spans never count
    together. Only sub-spans where at least one span runs are returned, in time order,
    clipped to ``window`` when given.
    """
    events: list[tuple[pendulum.DateTime, int, uuid.UUID]] = []
    for ident, span in spans:
        start, end = span.start, span.end
        if window is not None:
            if not span.overlaps(window):
                continue
            start, end = max(start, window.start), min(end, window.end)
        events.append((start, 1, ident))
        events.append((end, 0, ident))  # 0 sorts before 1: ends first at the same instant
    events.sort(key=lambda e: (e[0], e[1], str(e[2])))
    running: dict[uuid.UUID, None] = {}
    result: list[Occupancy] = []
    index = 0
    while index < len(events):
        instant = events[index][0]
        while index < len(events) and events[index][0] == instant:
            _, kind, ident = events[index]
            if kind == 1:
                running[ident] = None
            else:
                running.pop(ident, None)
            index += 1
        if running and index < len(events):
            nxt = events[index][0]
            result.append(Occupancy(TimeSpan(instant, nxt), len(running), tuple(running)))
    return _merge(result)


def _merge(parts: Sequence[Occupancy]) -> list[Occupancy]:
    merged: list[Occupancy] = []
    for part in parts:
        last = merged[-1] if merged else None
        if last is not None and last.span.end == part.span.start and set(last.ids) == set(part.ids):
            merged[-1] = Occupancy(TimeSpan(last.span.start, part.span.end), last.count, last.ids)
        else:
            merged.append(part)
    return merged


def peak(spans: Iterable[TimeSpan]) -> int:
    """The largest number of spans running at one instant (touching does not count)."""
    parts = occupancy((uuid.UUID(int=i), s) for i, s in enumerate(spans))
    return max((p.count for p in parts), default=0)
