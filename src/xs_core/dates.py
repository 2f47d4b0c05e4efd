"""Calendar dates and half-open date ranges (R0.1, R0.2).

All dates are calendar dates in Europe/Amsterdam (R0.1). A :class:`DateRange` is half-open,
``[start, end)``: ``end`` is the first day *not* included (the suite's "tot-datum"), and
``end=None`` means "until further notice". A range is never empty. The algebra behaves exactly
like PostgreSQL's ``daterange`` with ``'[)'`` bounds; the test suite checks that against a real
server.

>>> from datetime import date
>>> july = DateRange(date(2026, 7, 1), date(2026, 8, 1))
>>> july.days, july.last_day
(31, Date(2026, 7, 31))
>>> DateRange.from_inclusive(date(2026, 7, 20), date(2026, 7, 20)).end
Date(2026, 7, 21)

**Supported window (R0.1, decision).** The core accepts days from 1900-01-01 up to and including
2199-12-31 (:data:`xs_core.limits.FIRST_DAY`, :data:`~xs_core.limits.LAST_DAY`); the exclusive end
of a range may be the day after, 2200-01-01 (:data:`~xs_core.limits.END_LIMIT`). Dates outside
are refused with ``date.outside_window`` where they enter the core (:func:`as_date`,
:func:`as_end_date`, so every :class:`DateRange`), and every date the core derives from accepted
ones (a last day + 1, months added for billing, five years back for R2.5, an AOW date) stays far
inside Python's and the databases' date range.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from typing import Any

import attrs
import pendulum

from xs_core import limits
from xs_core.errors import InvalidInput, register_messages

#: The suite's time zone (R0.1).
AMSTERDAM = pendulum.timezone("Europe/Amsterdam")


class InvalidDateRange(InvalidInput):
    """A range that would be empty or inverted, or an impossible union (R0.2)."""

    default_code = "daterange.empty"


class DateOutsideWindow(InvalidInput):
    """A date outside the supported calendar window (R0.1)."""

    default_code = "date.outside_window"


register_messages(
    {
        "daterange.empty": (
            "De einddatum ({end}) moet na de begindatum ({start}) liggen; de einddatum is een "
            "tot-datum.",
            "The end date ({end}) must be after the start date ({start}); the end date is "
            "exclusive.",
        ),
        "date.outside_window": (
            "De datum {date} valt buiten de ondersteunde periode {first} t/m {last}.",
            "The date {date} lies outside the supported period {first} to {last} inclusive.",
        ),
        "daterange.not_contiguous": (
            "De periodes {first} en {second} overlappen niet en sluiten niet op elkaar aan.",
            "The periods {first} and {second} neither overlap nor touch.",
        ),
    },
    kind=InvalidInput,
)


def _pendulum_date(value: _dt.date) -> pendulum.Date:
    if isinstance(value, _dt.datetime):
        raise TypeError("a calendar date is required, not a datetime")
    if isinstance(value, pendulum.Date):
        return value
    return pendulum.Date(value.year, value.month, value.day)


def _outside(day: _dt.date, last: _dt.date) -> DateOutsideWindow:
    return DateOutsideWindow(
        "date.outside_window",
        {
            "rule": "R0.1",
            "date": day.isoformat(),
            "first": limits.FIRST_DAY.isoformat(),
            "last": last.isoformat(),
        },
    )


def as_date(value: _dt.date) -> pendulum.Date:
    """A day of the supported window as a :class:`pendulum.Date` (accepts ``datetime.date``;
    not datetimes); refuses days outside 1900-01-01 … 2199-12-31 (R0.1)."""
    day = value if type(value) is pendulum.Date else _pendulum_date(value)
    if not limits.FIRST_DAY <= day <= limits.LAST_DAY:
        raise _outside(day, limits.LAST_DAY)
    return day


def as_end_date(value: _dt.date) -> pendulum.Date:
    """An exclusive end date (R0.2): a day of the window, or the day after it (2200-01-01)."""
    day = value if type(value) is pendulum.Date else _pendulum_date(value)
    if not limits.FIRST_DAY <= day <= limits.END_LIMIT:
        raise _outside(day, limits.END_LIMIT)
    return day


def _opt_end(value: _dt.date | None) -> pendulum.Date | None:
    return None if value is None else as_end_date(value)


def format_nl(value: _dt.date) -> str:
    """Dutch display of a date: ``dd-mm-jjjj``."""
    return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"


def _end_key(end: _dt.date | None) -> _dt.date:
    return _dt.date.max if end is None else end


@attrs.frozen(order=False)
class DateRange:
    """A half-open range of calendar days ``[start, end)``; ``end=None`` is open-ended (R0.2).

    Raises :class:`InvalidDateRange` unless ``start < end``.
    """

    start: pendulum.Date = attrs.field(converter=as_date)
    end: pendulum.Date | None = attrs.field(default=None, converter=_opt_end)

    def __attrs_post_init__(self) -> None:
        if self.end is not None and not self.start < self.end:
            raise InvalidDateRange(
                "daterange.empty",
                {"rule": "R0.2", "start": self.start.isoformat(), "end": self.end.isoformat()},
            )

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_inclusive(cls, first: _dt.date, last: _dt.date | None) -> DateRange:
        """Build a range from an inclusive first and last day (the UI's "t/m"), R0.2.

        >>> from datetime import date
        >>> DateRange.from_inclusive(date(2026, 1, 1), date(2026, 1, 31)).end
        Date(2026, 2, 1)
        """
        if last is None:
            return cls(first, None)
        if last < first:
            raise InvalidDateRange(
                "daterange.empty",
                {"rule": "R0.2", "start": first.isoformat(), "end": last.isoformat()},
            )
        return cls(first, as_date(last).add(days=1))

    # -- properties ---------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """True when the range runs until further notice."""
        return self.end is None

    @property
    def days(self) -> int | None:
        """Number of days in the range; ``None`` when open-ended."""
        if self.end is None:
            return None
        return (self.end - self.start).days

    @property
    def last_day(self) -> pendulum.Date | None:
        """The inclusive last day (``end - 1 day``), ``None`` when open-ended."""
        return None if self.end is None else self.end.subtract(days=1)

    # -- predicates ---------------------------------------------------------------------------

    def contains(self, day: _dt.date) -> bool:
        """``start <= day < end`` (PostgreSQL ``@>`` with an element)."""
        end = self.end
        return self.start <= day and (end is None or day < end)

    def __contains__(self, day: object) -> bool:
        return (
            isinstance(day, _dt.date) and not isinstance(day, _dt.datetime) and self.contains(day)
        )

    def encloses(self, other: DateRange) -> bool:
        """Every day of ``other`` is in this range (PostgreSQL ``@>`` with a range)."""
        return self.start <= other.start and _end_key(other.end) <= _end_key(self.end)

    def overlaps(self, other: DateRange) -> bool:
        """The two share at least one day (PostgreSQL ``&&``); touching ranges do not overlap."""
        return self.start < _end_key(other.end) and other.start < _end_key(self.end)

    def is_adjacent_to(self, other: DateRange) -> bool:
        """One ends exactly where the other starts (PostgreSQL ``-|-``)."""
        return self.end == other.start or other.end == self.start

    # -- operations ---------------------------------------------------------------------------

    def intersection(self, other: DateRange) -> DateRange | None:
        """The common days, or ``None`` when there are none (PostgreSQL ``*``)."""
        start = max(self.start, other.start)
        self_end, other_end = _end_key(self.end), _end_key(other.end)
        end_key = min(self_end, other_end)
        if start >= end_key:
            return None
        # one encloses the other: that one is the answer (ranges are immutable values)
        if start == self.start and end_key == self_end:
            return self
        if start == other.start and end_key == other_end:
            return other
        return date_range(start, None if end_key == _dt.date.max else end_key)

    def union(self, other: DateRange) -> DateRange:
        """The combined range (PostgreSQL ``+``); raises when there would be a gap."""
        if not (self.overlaps(other) or self.is_adjacent_to(other)):
            raise InvalidDateRange(
                "daterange.not_contiguous",
                {"rule": "R0.2", "first": str(self), "second": str(other)},
            )
        end_key = max(_end_key(self.end), _end_key(other.end))
        return DateRange(min(self.start, other.start), None if end_key == _dt.date.max else end_key)

    def difference(self, other: DateRange) -> list[DateRange]:
        """The days of this range not in ``other``: zero, one or two ranges, in order.

        PostgreSQL's ``-`` raises where two pieces would remain; we return both.
        """
        if not self.overlaps(other):
            return [self]
        pieces: list[DateRange] = []
        if self.start < other.start:
            pieces.append(DateRange(self.start, other.start))
        if other.end is not None and other.end < _end_key(self.end):
            pieces.append(DateRange(other.end, self.end))
        return pieces

    def clamp(self, other: DateRange) -> DateRange | None:
        """Alias of :meth:`intersection`, reads better when limiting to a period."""
        return self.intersection(other)

    def iter_days(self) -> Iterator[pendulum.Date]:
        """Each day of a bounded range, in order."""
        if self.end is None:
            raise InvalidDateRange(
                "daterange.empty", {"rule": "R0.2", "start": str(self.start), "end": "open"}
            )
        day = self.start
        while day < self.end:
            yield day
            day = day.add(days=1)

    # -- display ------------------------------------------------------------------------------

    def display_nl(self) -> str:
        """The UI form with an inclusive last day: ``20-07-2026 t/m 20-07-2026``."""
        if self.last_day is None:
            return f"{format_nl(self.start)} t/m (open)"
        return f"{format_nl(self.start)} t/m {format_nl(self.last_day)}"

    def __str__(self) -> str:
        end = "" if self.end is None else self.end.isoformat()
        return f"[{self.start.isoformat()},{end})"

    def __lt__(self, other: Any) -> bool:
        if not isinstance(other, DateRange):
            return NotImplemented
        return (self.start, _end_key(self.end)) < (other.start, _end_key(other.end))


_new_object: Any = object.__new__
_set_start: Any = DateRange.__dict__["start"].__set__
_set_end: Any = DateRange.__dict__["end"].__set__


def date_range(start: _dt.date, end: _dt.date | None = None) -> DateRange:
    """``DateRange(start, end)`` — the same value, the same errors — made faster when both
    days are already :class:`pendulum.Date` values (R0.1, R0.2 checked by comparisons alone,
    without the converters' calls): for the millions of periods a nightly run builds (R6.6)."""
    if type(start) is pendulum.Date and start >= limits.FIRST_DAY:
        if end is None:
            fits = start <= limits.LAST_DAY
        else:
            fits = type(end) is pendulum.Date and start < end <= limits.END_LIMIT
        if fits:
            made: DateRange = _new_object(DateRange)
            _set_start(made, start)
            _set_end(made, end)
            return made
    return DateRange(start, end)
