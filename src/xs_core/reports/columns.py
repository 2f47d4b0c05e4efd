"""Report columns and tables (R3.4): the core produces typed rows and the columns that show
them, with the suite's Dutch titles; adapters export them (CSV, XLSX) without knowing the report.

A column has a key, a Dutch title and a kind that tells an exporter how to write its cells
(text, whole number, decimal, percentage, date). A table is the columns and a *stream* of rows
(one tuple of cell values per row, in column order), so that an exporter writes rows as they come
and memory stays flat however many there are.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable, Iterator
from decimal import Decimal

import attrs

#: A cell: empty, text, a whole number, a decimal or a calendar date.
Cell = str | int | Decimal | _dt.date | None


class ColumnKind(enum.Enum):
    """How a column's cells are written (R3.4)."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"  # two decimals
    PERCENTAGE = "percentage"  # a percentage as a number 0–100, two decimals
    DATE = "date"


@attrs.frozen
class Column:
    """One column of a report: ``key`` (stable, English), ``title`` (the suite's Dutch title)."""

    key: str
    title: str
    kind: ColumnKind = ColumnKind.TEXT


@attrs.frozen
class Chart:
    """A native chart of one column against another, e.g. R3.1's absence percentage per unit
    (an XLSX export draws it; a CSV export has no charts)."""

    title: str
    category_key: str
    value_key: str


@attrs.frozen
class ReportTable:
    """A report to export: its name, columns and the stream of rows (R3.4).

    ``rows`` is consumed once; ``size`` is the number of rows when known in advance (for a
    progress bar), else ``None``.
    """

    name: str
    columns: tuple[Column, ...]
    rows: Iterable[tuple[Cell, ...]]
    size: int | None = None
    chart: Chart | None = None

    def position(self, key: str) -> int:
        """The position of the column with ``key``."""
        return [c.key for c in self.columns].index(key)

    def __iter__(self) -> Iterator[tuple[Cell, ...]]:
        return iter(self.rows)
