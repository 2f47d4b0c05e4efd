"""The ``Clock`` port (R0.1): the only source of "now" and "today" for the core."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import pendulum


@runtime_checkable
class Clock(Protocol):
    """Tells the time. Adapters: a system clock and a fixed clock for tests and replays."""

    def now(self) -> pendulum.DateTime:
        """The current instant, timezone-aware."""
        ...

    def today(self) -> pendulum.Date:
        """Today's calendar date in Europe/Amsterdam (R0.1)."""
        ...
