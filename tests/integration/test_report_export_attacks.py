"""R3.4 attacks on the exports: text that a spreadsheet would run as a formula (CSV injection)
stays text in CSV and in XLSX."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import openpyxl
import pytest

from xs_adapters.exports import ExportFormat, export_report
from xs_core.reports.columns import Cell, Column, ColumnKind, ReportTable

FORMULAS = ("=1+2", "+31 20 123", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "'=1", "'t Hart")


def _text_table() -> ReportTable:
    columns = (Column("name", "Naam"), Column("count", "Aantal", ColumnKind.INTEGER))
    rows: list[tuple[Cell, ...]] = [(text, 1) for text in FORMULAS]
    return ReportTable("Proef", columns, rows, len(rows))


def test_r3_4_csv_text_never_starts_a_formula(tmp_path: Path) -> None:
    """A text cell starting with =, +, -, @, a tab or a carriage return is a formula to Excel
    (CSV injection); it is written with a leading apostrophe (OWASP), as is one that already
    starts with apostrophes before such a character, so reading back is unambiguous. Other text
    (``'t Hart``) is written as it is."""
    out = tmp_path / "proef.csv"
    export_report(_text_table(), out, ExportFormat.CSV)
    with out.open(encoding="utf-8-sig", newline="") as f:
        names = [row[0] for row in list(csv.reader(f, delimiter=";"))[1:]]
    assert names == ["'=1+2", "'+31 20 123", "'-2+3", "'@SUM(A1)", "'\t=1", "'\r=1", "''=1",
                     "'t Hart"]  # fmt: skip


def test_r3_4_xlsx_text_is_a_string_cell_never_a_formula(tmp_path: Path) -> None:
    out = tmp_path / "proef.xlsx"
    export_report(_text_table(), out, ExportFormat.XLSX)
    with zipfile.ZipFile(out) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    cells = openpyxl.load_workbook(out).worksheets[0]
    assert {cells.cell(r, 1).data_type for r in range(2, 2 + len(FORMULAS))} == {"s"}


def test_r3_4_an_export_into_a_missing_directory_names_the_target(tmp_path: Path) -> None:
    """The error names the file the user gave, not the temporary one beside it (the CLI shows
    it on its one line), and nothing is left behind."""
    out = tmp_path / "ontbreekt" / "proef.csv"
    with pytest.raises(FileNotFoundError) as failed:
        export_report(_text_table(), out, ExportFormat.CSV)
    assert failed.value.filename == str(out)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_r3_4_an_export_onto_a_directory_is_refused_and_leaves_nothing(
    tmp_path: Path, fmt: ExportFormat
) -> None:
    """``--out`` naming a directory: refused before any row is written, naming the directory;
    no temporary file is left in its parent."""
    out = tmp_path / "map"
    out.mkdir()
    with pytest.raises(IsADirectoryError) as failed:
        export_report(_text_table(), out, fmt)
    assert failed.value.filename == str(out)
    assert [p.name for p in tmp_path.iterdir()] == ["map"] and list(out.iterdir()) == []
