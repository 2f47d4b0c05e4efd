"""Clock adapters (R0.1): the system clock and a fixed clock for tests and replays."""

from __future__ import annotations

import datetime as _dt

import attrs
import pendulum

from xs_core.dates import AMSTERDAM


class SystemClock:
    """The real time; today is the calendar date in Europe/Amsterdam."""

    def now(self) -> pendulum.DateTime:
        return pendulum.now(AMSTERDAM)

    def today(self) -> pendulum.Date:
        return self.now().date()


@attrs.define
class FixedClock:
    """A clock that stands still until moved; ``today`` follows Europe/Amsterdam."""

    instant: pendulum.DateTime

    @classmethod
    def on(cls, day: _dt.date, hour: int = 12) -> FixedClock:
        """Noon (by default) in Amsterdam on ``day``."""
        return cls(pendulum.datetime(day.year, day.month, day.day, hour, tz=AMSTERDAM))

    def now(self) -> pendulum.DateTime:
        return self.instant

    def today(self) -> pendulum.Date:
        return self.instant.in_timezone(AMSTERDAM).date()

    def advance(self, **delta: int) -> None:
        self.instant = self.instant.add(**delta)
