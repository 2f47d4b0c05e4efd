"""XLSX with real cells (R3.4), written by XlsxWriter in constant-memory mode (each row goes to
disk as it is written): number cells with two decimals, date cells shown ``dd-mm-jjjj``, a
frozen header row, an auto filter over the rows, column widths from the longest value, and —
when the table has one — a native Excel chart on a chart sheet of its own."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import xlsxwriter

from xs_core.reports.columns import Cell, ColumnKind, ReportTable

#: Excel's sheet names hold at most 31 characters and none of ``[]:*?/\``.
_SHEET_NAME = 31
_MAX_WIDTH = 60


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)
    return cleaned[:_SHEET_NAME] or "Rapport"


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
    kinds = [(position, column.kind, formats[column.kind]) for position, column in
             enumerate(columns)]  # fmt: skip
    write_string, write_number, write_datetime = (
        sheet.write_string,
        sheet.write_number,
        sheet.write_datetime,
    )
    count = 0
    for count, row in enumerate(rows, start=1):
        for (position, kind, fmt), value in zip(kinds, row, strict=True):
            if value is None:
                continue
            if kind is ColumnKind.TEXT or isinstance(value, str):
                text = str(value)
                write_string(count, position, text)
                shown = len(text)
            elif kind is ColumnKind.DATE or isinstance(value, _dt.date):
                write_datetime(count, position, value, fmt)
                shown = 10
            else:
                write_number(count, position, float(value), fmt)
                # the digits before the point, the point and two decimals
                shown = len(str(int(value))) + (0 if kind is ColumnKind.INTEGER else 3)
            if shown > widths[position]:
                widths[position] = shown
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
