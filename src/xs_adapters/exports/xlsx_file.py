"""XLSX with real cells (R3.4), written by XlsxWriter in constant-memory mode (each row goes to
disk as it is written): number cells with two decimals, date cells shown ``dd-mm-jjjj``, a
frozen header row, an auto filter over the rows, column widths from the longest value, and —
when the table has one — a native Excel chart on a chart sheet of its own."""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from xs_core.reports.columns import Cell, ColumnKind, ReportTable

#: Excel's sheet names hold at most 31 characters and none of ``[]:*?/\``.
_SHEET_NAME = 31
_MAX_WIDTH = 60
#: ``dd-mm-yyyy``
_DATE_WIDTH = 10
#: Excel's day 0 in the 1900 date system. Excel counts a 29 February 1900 that never was, so
#: from 1 March 1900 on a date's serial number is its days since 30 December 1899; earlier
#: dates (and datetimes) are left to XlsxWriter's ``write_datetime``.
_EXCEL_EPOCH = _dt.date(1899, 12, 30).toordinal()
_EXCEL_FIRST_EXACT = _dt.date(1900, 3, 1)

_TEXT, _NUMBER, _DATE = "text", "number", "date"
_CODES = {
    ColumnKind.TEXT: _TEXT,
    ColumnKind.INTEGER: _NUMBER,
    ColumnKind.DECIMAL: _NUMBER,
    ColumnKind.PERCENTAGE: _NUMBER,
    ColumnKind.DATE: _DATE,
}


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)
    return cleaned[:_SHEET_NAME] or "Rapport"


def _serial(day: _dt.date) -> float:
    """``day`` as an Excel serial number, shown as a date by its cell's date format: the days
    since 30 December 1899 (1 January 2026 is 46023, as Excel shows with ``=DATE(2026;1;1)``
    formatted as a number)."""
    return float(day.toordinal() - _EXCEL_EPOCH)


#: XML of leading or trailing whitespace (kept with ``xml:space="preserve"``, as XlsxWriter does).
_EDGE_SPACE = re.compile(r"^\s|\s$")
#: Characters that need escaping in XML text, or as ``_xHHHH_`` in a cell.
_SPECIAL = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")


def write_xlsx(table: ReportTable, rows: Iterable[tuple[Cell, ...]], path: Path) -> int:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        return _write(workbook, table, rows)
    finally:
        workbook.close()


def _write(workbook: Any, table: ReportTable, rows: Iterable[tuple[Cell, ...]]) -> int:
    sheet = workbook.add_worksheet(_sheet_name(table.name))
    header = workbook.add_format({"bold": True, "bottom": 1})
    formats = {
        ColumnKind.TEXT: None,
        ColumnKind.INTEGER: workbook.add_format({"num_format": "0"}),
        ColumnKind.DECIMAL: workbook.add_format({"num_format": "0.00"}),
        ColumnKind.PERCENTAGE: workbook.add_format({"num_format": "0.00"}),
        ColumnKind.DATE: workbook.add_format({"num_format": "dd-mm-yyyy"}),
    }
    columns = table.columns
    widths = [len(c.title) for c in columns]
    for position, column in enumerate(columns):
        sheet.write_string(0, position, column.title, header)
    sheet.freeze_panes(1, 0)
    # The row loop is the export's hot path (R3.4: 100,000 rows in <= 15 s): a small code per
    # column instead of the enum, the rows' XML written directly (_direct_rows), dates as Excel
    # serial numbers, and the number widths from each column's extremes instead of per cell.
    plan = [(position, _CODES[column.kind], formats[column.kind]) for position, column in
            enumerate(columns)]  # fmt: skip
    highest = [0.0] * len(columns)
    lowest = [0.0] * len(columns)
    fast = _direct_rows(sheet, plan, formats[ColumnKind.DATE], highest, lowest, widths)
    if fast is not None:
        count = fast(rows)
    else:
        count = _typed_rows(sheet, plan, formats[ColumnKind.DATE], highest, lowest, widths, rows)
    for position, column in enumerate(columns):
        if _CODES[column.kind] is _NUMBER:
            # the digits before the point (and the sign), the point and two decimals
            digits = max(len(str(int(highest[position]))), len(str(int(lowest[position]))))
            shown = digits + (0 if column.kind is ColumnKind.INTEGER else 3)
            widths[position] = max(widths[position], shown)
    for position, width in enumerate(widths):
        sheet.set_column(position, position, min(width + 2, _MAX_WIDTH))
    sheet.autofilter(0, 0, max(count, 1), len(columns) - 1)
    if table.chart is not None and count:
        _chart(workbook, sheet.get_name(), table, count)
    return count


def _chart(workbook: Any, sheet: str, table: ReportTable, count: int) -> None:
    chart_spec = table.chart
    assert chart_spec is not None
    category = table.position(chart_spec.category_key)
    value = table.position(chart_spec.value_key)
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": table.columns[value].title,
            "categories": [sheet, 1, category, count, category],
            "values": [sheet, 1, value, count, value],
        }
    )
    chart.set_title({"name": chart_spec.title})
    chart.set_legend({"none": True})
    chart.set_x_axis({"name": table.columns[value].title})
    chart_sheet = workbook.add_chartsheet(_sheet_name("Grafiek"))
    chart_sheet.set_chart(chart)


def _typed_rows(
    sheet: Any,
    plan: list[tuple[int, str, Any]],
    date_format: Any,
    highest: list[float],
    lowest: list[float],
    widths: list[int],
    rows: Iterable[tuple[Cell, ...]],
) -> int:
    """The rows through XlsxWriter's typed writes (``write_string``, ``write_number``): the
    fallback when :func:`_direct_rows` cannot write them itself."""
    write_string, write_number = sheet.write_string, sheet.write_number
    date_class = _dt.date
    count = 0
    for count, row in enumerate(rows, start=1):
        for (position, code, fmt), value in zip(plan, row, strict=True):
            if value is None:
                continue
            if code is _NUMBER and not isinstance(value, (str, _dt.date)):
                number = float(value)
                write_number(count, position, number, fmt)
                if number > highest[position]:
                    highest[position] = number
                elif number < lowest[position]:
                    lowest[position] = number
            elif code is _TEXT or isinstance(value, str):
                text = str(value)
                write_string(count, position, text)
                if len(text) > widths[position]:
                    widths[position] = len(text)
            elif isinstance(value, _dt.date):
                if value.__class__ is date_class and value >= _EXCEL_FIRST_EXACT:
                    write_number(count, position, _serial(value), date_format)
                else:
                    sheet.write_datetime(count, position, value, date_format)
                if widths[position] < _DATE_WIDTH:
                    widths[position] = _DATE_WIDTH
            else:
                # a number in a date column: written as a number with the column's format
                number = float(value)
                write_number(count, position, number, fmt)
                widths[position] = max(widths[position], len(str(int(number))) + 3)
    return count


def _direct_rows(
    sheet: Any,
    plan: list[tuple[int, str, Any]],
    date_format: Any,
    highest: list[float],
    lowest: list[float],
    widths: list[int],
) -> Callable[[Iterable[tuple[Cell, ...]]], int] | None:
    """The export's hot path (R3.4: 100,000 rows in <= 15 s): in constant-memory mode XlsxWriter
    writes each finished row's XML to a temporary file and copies it into the sheet on closing;
    this writes the rows' XML to that file itself — the same ``<row>``/``<c>`` elements
    XlsxWriter writes (numbers as ``<v>`` with the cell's style index, text as escaped inline
    strings) — a tenth of the per-cell work of its ``write_*`` calls. It then tells the sheet
    where the data ends (``dim_rowmax``, ``previous_row``). ``None`` when the installed
    XlsxWriter lacks the internals this relies on (then :func:`_typed_rows` writes the rows);
    the tests read both paths' files back with openpyxl."""
    needed = ("fh", "previous_row", "dim_rowmax", "xls_rowmax", "_write_single_row")
    if not getattr(sheet, "constant_memory", False) or not all(hasattr(sheet, n) for n in needed):
        return None
    letters = [xl_col_to_name(position) for position, _, _ in plan]
    styles = ["" if fmt is None else f' s="{fmt._get_xf_index()}"' for _, _, fmt in plan]
    date_style = f' s="{date_format._get_xf_index()}"'
    convert = sheet._convert_date_time
    date_class = _dt.date

    def text(value: str) -> str:
        if _SPECIAL.search(value) is not None:
            value = sheet._escape_control_characters(value)
            value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if _EDGE_SPACE.search(value) is not None:
            return f'<t xml:space="preserve">{value}</t>'
        return f"<t>{value}</t>"

    def write(rows: Iterable[tuple[Cell, ...]]) -> int:
        # the header row (row 0) is still in XlsxWriter's row buffer: written out first
        sheet._write_single_row(1)
        out = sheet.fh
        count = 0
        for count, row in enumerate(rows, start=1):
            if count >= sheet.xls_rowmax:
                raise ValueError(f"a worksheet holds at most {sheet.xls_rowmax - 1} rows")
            number_ = count + 1
            cells = [f'<row r="{number_}">']
            for (position, code, _), letter, style, value in zip(
                plan, letters, styles, row, strict=True
            ):
                if value is None:
                    continue
                if code is _NUMBER and not isinstance(value, (str, _dt.date)):
                    number = float(value)
                    if not math.isfinite(number):
                        raise TypeError("NAN/INF not supported in an XLSX number cell")
                    cells.append(f'<c r="{letter}{number_}"{style}><v>{number:.16G}</v></c>')
                    if number > highest[position]:
                        highest[position] = number
                    elif number < lowest[position]:
                        lowest[position] = number
                elif code is _TEXT or isinstance(value, str):
                    shown = str(value)
                    cells.append(
                        f'<c r="{letter}{number_}" t="inlineStr"><is>{text(shown)}</is></c>'
                    )
                    if len(shown) > widths[position]:
                        widths[position] = len(shown)
                elif isinstance(value, _dt.date):
                    if value.__class__ is date_class and value >= _EXCEL_FIRST_EXACT:
                        serial = _serial(value)
                    else:
                        serial = convert(value)
                    cells.append(f'<c r="{letter}{number_}"{date_style}><v>{serial:.16G}</v></c>')
                    if widths[position] < _DATE_WIDTH:
                        widths[position] = _DATE_WIDTH
                else:
                    # a number in a date column: written as a number with the column's format
                    number = float(value)
                    cells.append(f'<c r="{letter}{number_}"{style}><v>{number:.16G}</v></c>')
                    widths[position] = max(widths[position], len(str(int(number))) + 3)
            cells.append("</row>")
            out.write("".join(cells))
        if count:
            sheet.dim_rowmax = max(sheet.dim_rowmax or 0, count)
            sheet.previous_row = count + 1
        return count

    return write
