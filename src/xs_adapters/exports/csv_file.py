"""CSV as Dutch Excel opens it (R3.4): UTF-8 with a byte-order mark, ``;`` between fields, dates
``dd-mm-jjjj``, decimals with a comma and two places, whole numbers plain, empty cells empty."""

from __future__ import annotations

import csv
import datetime as _dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from xs_core.reports.columns import Cell, ColumnKind, ReportTable

_CENTS = Decimal("0.01")


def csv_cell(value: Cell, kind: ColumnKind) -> str:
    """One cell as Dutch Excel reads it."""
    if value is None:
        return ""
    if isinstance(value, _dt.date):
        return value.strftime("%d-%m-%Y")
    if kind in (ColumnKind.DECIMAL, ColumnKind.PERCENTAGE) and isinstance(value, int | Decimal):
        number = Decimal(value).quantize(_CENTS, rounding=ROUND_HALF_UP)
        return f"{number:f}".replace(".", ",")
    return str(value)


def write_csv(table: ReportTable, rows: Iterable[tuple[Cell, ...]], path: Path) -> int:
    kinds = [c.kind for c in table.columns]
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow([c.title for c in table.columns])
        for row in rows:
            writer.writerow([csv_cell(v, k) for v, k in zip(row, kinds, strict=True)])
            count += 1
    return count
