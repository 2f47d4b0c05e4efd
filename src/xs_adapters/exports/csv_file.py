"""CSV as Dutch Excel opens it (R3.4): UTF-8 with a byte-order mark, ``;`` between fields, dates
``dd-mm-jjjj``, decimals with a comma and two places, whole numbers plain, empty cells empty.

Text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to a
spreadsheet (CSV injection): it gets a leading apostrophe, as OWASP advises, and so does text
that already starts with apostrophes before such a character — reading back, one apostrophe is
dropped from text that starts with apostrophes before such a character, so the round trip is
exact. Other text (``'t Hart``) is written as it is."""

from __future__ import annotations

import csv
import datetime as _dt
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from xs_core.reports.columns import Cell, ColumnKind, ReportTable

_CENTS = Decimal("0.01")
#: Text a spreadsheet would read as a formula (possibly behind apostrophes already there).
_FORMULA = re.compile("'*[=+\\-@\t\r]")


def safe_text(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would run it as a formula (R3.4)."""
    return f"'{text}" if _FORMULA.match(text) else text


def csv_cell(value: Cell, kind: ColumnKind) -> str:
    """One cell as Dutch Excel reads it."""
    if value is None:
        return ""
    if isinstance(value, _dt.date):
        return value.strftime("%d-%m-%Y")
    if kind in (ColumnKind.DECIMAL, ColumnKind.PERCENTAGE) and isinstance(value, int | Decimal):
        number = Decimal(value).quantize(_CENTS, rounding=ROUND_HALF_UP)
        return f"{number:f}".replace(".", ",")
    if isinstance(value, str):
        return safe_text(value)
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
