"""Half-open spans of time (R0.1, R0.2) and peak concurrency (R4.3).

Instants are timezone-aware; they are compared as instants, whatever their zone, and stored as
UTC. Two spans that touch (``a.end == b.start``) do not overlap.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterable, Sequence

import attrs
import pendulum

from xs_core.dates import AMSTERDAM
from xs_core.errors import DomainError, register_messages

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
    }
)


def as_instant(value: _dt.datetime) -> pendulum.DateTime:
    """An aware pendulum instant; naive datetimes are refused (R0.1)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise DomainError("span.naive", {"value": value.isoformat()})
    return pendulum.instance(value)


@attrs.frozen(order=False)
class TimeSpan:
    """``[start, end)`` between two aware instants; never empty."""

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
        return self.start <= instant < self.end

    @property
    def duration(self) -> _dt.timedelta:
        # the stdlib difference: a plain timedelta, without pendulum's calendar interval
        return _dt.datetime.__sub__(self.end, self.start)

    def shifted(self, delta: _dt.timedelta) -> TimeSpan:
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
