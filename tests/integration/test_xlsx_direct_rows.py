"""R3.4: the XLSX export writes its rows' XML itself (the fast path in constant-memory mode);
the file reads back (openpyxl) exactly as the one written through XlsxWriter's typed writes —
the same values, cell types, number formats, frozen header, filter, widths and sheets — for
text that needs escaping (``&``, ``<``, control characters, ``_x0041_``, edge spaces)."""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xs_adapters.exports import ExportFormat, export_report, xlsx_file
from xs_core.reports.columns import Cell, Chart, Column, ColumnKind, ReportTable

D = _dt.date
COLUMNS = (
    Column("name", "Naam"),
    Column("count", "Aantal", ColumnKind.INTEGER),
    Column("days", "Dagen", ColumnKind.DECIMAL),
    Column("percentage", "Percentage", ColumnKind.PERCENTAGE),
    Column("day", "Datum", ColumnKind.DATE),
)
ROWS: list[tuple[Cell, ...]] = [
    ("A & B <c>", 1, Decimal("1.25"), Decimal("5.00"), D(2026, 1, 1)),
    ("  spaties rondom ", -3, Decimal("-0.5"), None, D(1900, 1, 1)),
    ("tab\there\x01_x0041_", 0, Decimal("123456789.12"), Decimal("100"), None),
    ("=1+1", None, None, Decimal("0"), D(2100, 12, 31)),
    (None, 42, Decimal("0.01"), Decimal("33.33"), D(1900, 3, 1)),
]


def _export(path: Path, rows: list[tuple[Cell, ...]], direct: bool,
            monkeypatch: pytest.MonkeyPatch) -> list[Any]:  # fmt: skip
    with monkeypatch.context() as patch:
        if not direct:
            patch.setattr(xlsx_file, "_direct_rows", lambda *args: None)
        chart = Chart("Percentage per naam", "name", "percentage")
        export_report(ReportTable("Proef", COLUMNS, rows, len(rows), chart), path,
                      ExportFormat.XLSX)  # fmt: skip
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    cells = [[(c.value, c.data_type, c.number_format) for c in row] for row in sheet.iter_rows()]
    widths = {k: round(v.width, 2) for k, v in sheet.column_dimensions.items()}
    return [book.sheetnames, cells, sheet.freeze_panes, sheet.auto_filter.ref, widths]


def test_r3_4_direct_rows_read_back_as_the_typed_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    direct = _export(tmp_path / "direct.xlsx", ROWS, True, monkeypatch)
    typed = _export(tmp_path / "typed.xlsx", ROWS, False, monkeypatch)
    assert direct == typed
    names, cells, freeze, autofilter, _ = direct
    assert names == ["Proef", "Grafiek"]
    assert (freeze, autofilter) == ("A2", "A1:E6")
    assert cells[1][0] == ("A & B <c>", "s", "General")
    assert cells[2][0][0] == "  spaties rondom "
    # a control character and a literal "_x0041_" are escaped as Excel reads them (openpyxl
    # shows the escapes): the same in both files (above)
    assert cells[3][0][0].startswith("tab\there")
    assert cells[4][0] == ("=1+1", "s", "General")  # text, never a formula
    assert cells[1][2] == (1.25, "n", "0.00")
    assert cells[1][4] == (_dt.datetime(2026, 1, 1), "d", "dd-mm-yyyy")


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.text(max_size=12)),
            st.one_of(st.none(), st.integers(-(10**9), 10**9)),
            st.one_of(st.none(), st.decimals(-(10**6), 10**6, places=2)),
            st.one_of(st.none(), st.decimals(0, 100, places=2)),
            st.one_of(st.none(), st.dates(D(1900, 1, 1), D(2200, 1, 1))),
        ),
        max_size=8,
    )
)
def test_r3_4_direct_rows_equal_the_typed_writes_for_any_rows(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[Cell, ...]]
) -> None:
    directory = tmp_path_factory.mktemp("xlsx")
    with pytest.MonkeyPatch.context() as monkeypatch:
        direct = _export(directory / "direct.xlsx", rows, True, monkeypatch)
        typed = _export(directory / "typed.xlsx", rows, False, monkeypatch)
    assert direct == typed
