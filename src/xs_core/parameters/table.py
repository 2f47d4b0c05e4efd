"""Versioned parameter tables: statutory values with their source and start date (R0.4)."""

from __future__ import annotations

import bisect
import datetime as _dt
import tomllib
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any, Generic, TypeVar

import attrs

from xs_core.errors import InvalidInput, register_messages

T = TypeVar("T")


class ParameterNotAvailable(InvalidInput):
    """No value of a statutory parameter is known for the asked date (R0.4)."""

    default_code = "parameters.not_available"


register_messages(
    {
        "parameters.not_available": (
            "Geen waarde van '{parameter}' bekend op {date}.",
            "No value of '{parameter}' is known on {date}.",
        ),
    },
    kind=InvalidInput,
)


@attrs.frozen
class ParameterValue(Generic[T]):
    """One value of a parameter, in force from ``applies_from`` until the next value."""

    applies_from: _dt.date
    value: T
    source: str
    provisional: bool = False


@attrs.frozen
class ParameterTable(Generic[T]):
    """The dated values of one statutory parameter, in order of ``applies_from`` (R0.4)."""

    name: str
    source: str
    values: tuple[ParameterValue[T], ...]
    valid_until: _dt.date | None = None

    def __attrs_post_init__(self) -> None:
        dates = [v.applies_from for v in self.values]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError(f"parameter table {self.name} is not strictly ordered")

    def entry_on(self, day: _dt.date) -> ParameterValue[T]:
        """The entry in force on ``day``; raises :class:`ParameterNotAvailable` outside."""
        starts = [v.applies_from for v in self.values]
        index = bisect.bisect_right(starts, day) - 1
        if index < 0 or (self.valid_until is not None and day >= self.valid_until):
            raise ParameterNotAvailable(
                "parameters.not_available", {"parameter": self.name, "date": day.isoformat()}
            )
        return self.values[index]

    def value_on(self, day: _dt.date) -> T:
        return self.entry_on(day).value


def load_toml(filename: str) -> dict[str, Any]:
    """Read a parameter data file shipped with the package."""
    text = resources.files("xs_core.parameters").joinpath("data", filename).read_text("utf-8")
    return tomllib.loads(text)


@attrs.frozen
class AowAge:
    """An AOW age in years and months."""

    years: int
    months: int

    def __str__(self) -> str:
        return f"{self.years} jaar" + (f" en {self.months} maanden" if self.months else "")


@cache
def aow_age_table() -> ParameterTable[AowAge]:
    """AOW age by the calendar year in which it is reached (art. 7a AOW), from the data file."""
    data = load_toml("aow_age.toml")
    values: Sequence[ParameterValue[AowAge]] = tuple(
        ParameterValue(
            _dt.date(int(v["from_year"]), 1, 1),
            AowAge(int(v["years"]), int(v["months"])),
            str(v["source"]),
            bool(v.get("provisional", False)),
        )
        for v in data["values"]
    )
    return ParameterTable(str(data["name"]), str(data["source"]), tuple(values))


@cache
def max_sv_wage_table() -> ParameterTable[Any]:
    """Maximum SV-wage (maximum premieloon) per calendar year, from the data file."""
    from decimal import Decimal

    data = load_toml("max_sv_wage.toml")
    values = tuple(
        ParameterValue(v["from"], Decimal(str(v["amount"])), str(v["source"]))
        for v in data["values"]
    )
    return ParameterTable(str(data["name"]), str(data["source"]), values, data.get("valid_until"))
