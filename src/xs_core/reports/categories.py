"""Absence-duration categories (verzuimduurcategorieën, R3.1).

The categories are consecutive ranges of calendar days: the first starts at day 1, each next one
starts the day after the previous one's last day, and the last one is open (``> n``). They are
given by their last days, strictly increasing, so that they can neither overlap nor leave gaps;
the suite's default is 1–7, 8–42, 43–365 and > 365 (short, medium, long, extra long). They are
stored as configuration parameters (``AbsenceDurationShort`` …, R6.1's settings store).
"""

from __future__ import annotations

import itertools

import attrs

from xs_core.errors import DomainError, InvalidInput, register_messages
from xs_core.settings import DURATION_PARAMETERS, SettingsStore

register_messages(
    {
        "reports.invalid_duration_categories": (
            "De verzuimduurcategorieën moeten aansluiten zonder overlap of gat: de laatste dagen "
            "{bounds} moeten oplopen en minstens 1 zijn.",
            "The absence-duration categories must follow each other without overlap or gap: "
            "the last days {bounds} must increase and be at least 1.",
        ),
    },
    kind=InvalidInput,
)


def _bounds(value: tuple[int, ...]) -> tuple[int, ...]:
    bounds = tuple(value)
    increasing = all(a < b for a, b in itertools.pairwise(bounds))
    if not bounds or bounds[0] < 1 or not increasing:
        raise DomainError(
            "reports.invalid_duration_categories",
            {"rule": "R3.1", "bounds": [str(b) for b in bounds]},
        )
    return bounds


@attrs.frozen
class DurationCategories:
    """Categories by their last days: ``(7, 42, 365)`` is 1–7, 8–42, 43–365 and > 365."""

    last_days: tuple[int, ...] = attrs.field(converter=_bounds)

    @property
    def labels(self) -> tuple[str, ...]:
        """``('1-7', '8-42', '43-365', '> 365')`` for the default."""
        labels: list[str] = []
        first = 1
        for last in self.last_days:
            labels.append(f"{first}-{last}")
            first = last + 1
        labels.append(f"> {self.last_days[-1]}")
        return tuple(labels)

    def __len__(self) -> int:
        return len(self.last_days) + 1

    def index(self, days: int) -> int:
        """The category of a report that lasted ``days`` calendar days (at least 1)."""
        for position, last in enumerate(self.last_days):
            if days <= last:
                return position
        return len(self.last_days)


#: The suite's default: short 1–7, medium 8–42, long 43–365, extra long > 365 (R3.1).
DEFAULT_DURATION_CATEGORIES = DurationCategories((7, 42, 365))


def stored_duration_categories(settings: SettingsStore) -> DurationCategories:
    """The categories as the settings store holds them (R3.1, R6.1's store)."""
    return DurationCategories(tuple(settings.value(p) for p in DURATION_PARAMETERS))
