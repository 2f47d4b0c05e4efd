"""R3.4: the exports of a report — CSV as Dutch Excel opens it (BOM, ``;``, ``dd-mm-jjjj``,
decimal comma) and XLSX with real number and date cells (read back with openpyxl), a frozen
header, an auto filter, column widths and R3.1's native chart; a failing export leaves no file."""

from __future__ import annotations

import csv
import datetime as _dt
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.reports_world import JANUARY, ReportsWorld, reports_world
from xs_adapters.clock import FixedClock
from xs_adapters.exports import ExportFormat, export_report
from xs_adapters.exports.csv_file import csv_cell
from xs_app import Xs, bootstrap
from xs_app.services.reports import AbsenceReport
from xs_core.reports.columns import Cell, Column, ColumnKind, ReportTable

D = _dt.date
COLUMNS = (
    Column("name", "Naam"),
    Column("day", "Datum", ColumnKind.DATE),
    Column("amount", "Bedrag", ColumnKind.DECIMAL),
    Column("share", "Percentage", ColumnKind.PERCENTAGE),
    Column("count", "Aantal", ColumnKind.INTEGER),
)


def table(rows: list[tuple[Cell, ...]]) -> ReportTable:
    return ReportTable("Proef", COLUMNS, rows, len(rows))


@pytest.fixture
def w(clock: FixedClock) -> Iterator[ReportsWorld]:
    xs: Xs = bootstrap(storage="memory", clock=clock)
    yield reports_world(xs)
    xs.close()


def test_r3_4_csv_has_the_dutch_layout(tmp_path: Path) -> None:
    out = tmp_path / "proef.csv"
    rows: list[tuple[Cell, ...]] = [
        ("Bakkerij; Jansen", D(2026, 1, 5), Decimal("1234.5"), Decimal("16.129"), 3),
        ("Leeg", None, None, None, None),
    ]
    assert export_report(table(rows), out, ExportFormat.CSV) == 2
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel reads UTF-8
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Naam;Datum;Bedrag;Percentage;Aantal"
    assert lines[1] == '"Bakkerij; Jansen";05-01-2026;1234,50;16,13;3'
    assert lines[2] == "Leeg;;;;"


def test_r3_4_xlsx_has_real_cells_a_frozen_header_a_filter_and_widths(tmp_path: Path) -> None:
    out = tmp_path / "proef.xlsx"
    rows: list[tuple[Cell, ...]] = [
        ("Een heel lange naam van een werkgever", D(2026, 1, 5), Decimal("2.75"), Decimal(50), 3),
        ("Kort", None, None, None, 0),
    ]
    export_report(table(rows), out, ExportFormat.XLSX)
    book = openpyxl.load_workbook(out)
    sheet = book["Proef"]
    assert [c.value for c in sheet[1]] == ["Naam", "Datum", "Bedrag", "Percentage", "Aantal"]
    _, day, amount, share, count = sheet[2]
    assert day.is_date and day.value == _dt.datetime(2026, 1, 5)
    assert day.number_format == "dd-mm-yyyy"
    assert (amount.data_type, amount.value, amount.number_format) == ("n", 2.75, "0.00")
    assert (share.value, count.value) == (50, 3)
    assert sheet["B3"].value is None
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E3"
    assert sheet.column_dimensions["A"].width > len("Een heel lange naam van een werkgever")
    assert not book.chartsheets  # only a table with a chart gets one


def test_r3_1_the_absence_report_in_xlsx_has_a_native_chart(
    w: ReportsWorld, tmp_path: Path
) -> None:
    result = w.xs.reports.absence(
        AbsenceReport(actor=w.admin, period=JANUARY, units=(w.folder_ref,))
    )
    out = tmp_path / "verzuim.xlsx"
    assert export_report(result.table(), out, ExportFormat.XLSX) == 5
    book = openpyxl.load_workbook(out)
    sheet = book.worksheets[0]
    assert sheet.title == "Verzuim_per_org.eenheid_incl_ve"  # 31 characters, Excel's limit
    assert sheet["A1"].value == "Code" and sheet["A2"].value is None  # the folder: empty Code
    assert sheet["G2"].value == pytest.approx(40.32)  # Holding's absence percentage
    assert [s.title for s in book.chartsheets] == ["Grafiek"]
    with zipfile.ZipFile(out) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert "<c:barChart>" in chart
    assert "$G$2:$G$6" in chart and "$B$2:$B$6" in chart  # percentages by unit name


def test_r3_1_the_absence_report_in_csv(w: ReportsWorld, tmp_path: Path) -> None:
    result = w.xs.reports.absence(
        AbsenceReport(actor=w.admin, period=JANUARY, units=(w.folder_ref,))
    )
    out = tmp_path / "verzuim.csv"
    export_report(result.table(), out, ExportFormat.CSV)
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert rows[0][:7] == [
        "Code", "Naam", "Soort", "Gemiddeld aantal werknemers", "Beschikbare kalenderdagen",
        "Verzuimde kalenderdagen", "Verzuimpercentage",
    ]  # fmt: skip
    assert rows[0][10:] == [
        "Verzuimduur 1-7 dagen", "Verzuimduur 8-42 dagen", "Verzuimduur 43-365 dagen",
        "Verzuimduur > 365 dagen",
    ]  # fmt: skip
    assert rows[1] == ["", "Holding", "Map", "4,00", "108,50", "43,75", "40,32", "4", "11,77",
                       "5,00", "3", "1", "0", "0"]  # fmt: skip
    assert rows[3][:3] == ["PR", "Productie", "Afdeling"]


def _failing(rows: list[tuple[Cell, ...]]) -> Iterator[tuple[Cell, ...]]:
    yield from rows
    raise RuntimeError("the database went away")


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_r3_4_a_failing_export_leaves_no_partial_file(tmp_path: Path, fmt: ExportFormat) -> None:
    out = tmp_path / f"proef.{fmt.value}"
    rows: list[tuple[Cell, ...]] = [("Een", None, None, None, 1)] * 3
    with pytest.raises(RuntimeError):
        export_report(ReportTable("Proef", COLUMNS, _failing(rows)), out, fmt)
    assert list(tmp_path.iterdir()) == []
    out.write_text("the previous export")
    with pytest.raises(RuntimeError):
        export_report(ReportTable("Proef", COLUMNS, _failing(rows)), out, fmt)
    assert out.read_text() == "the previous export"  # untouched
    assert list(tmp_path.iterdir()) == [out]


_cells = st.tuples(
    st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=12),
    st.one_of(st.none(), st.dates(D(1900, 1, 1), D(2199, 12, 31))),
    st.one_of(st.none(), st.decimals(-(10**9), 10**9, places=2, allow_nan=False)),
    st.one_of(st.none(), st.decimals(0, 100, places=2, allow_nan=False)),
    st.one_of(st.none(), st.integers(0, 10**9)),
)


def _parse(text: str, kind: ColumnKind) -> Cell:
    if text == "" and kind is not ColumnKind.TEXT:
        return None
    if kind is ColumnKind.DATE:
        return _dt.datetime.strptime(text, "%d-%m-%Y").date()
    if kind in (ColumnKind.DECIMAL, ColumnKind.PERCENTAGE):
        return Decimal(text.replace(",", "."))
    if kind is ColumnKind.INTEGER:
        return int(text)
    # R3.4: text that would be a formula was written behind one apostrophe
    return text[1:] if re.match("''*[=+\\-@\t\r]", text) else text


@given(st.lists(_cells, max_size=20))
def test_r3_4_csv_read_back_gives_the_same_rows(rows: list[tuple[Cell, ...]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "rondje.csv"
        export_report(table(rows), out, ExportFormat.CSV)
        with out.open(encoding="utf-8-sig", newline="") as f:
            read = list(csv.reader(f, delimiter=";"))
    assert read[0] == [c.title for c in COLUMNS]
    back = [tuple(_parse(v, c.kind) for v, c in zip(r, COLUMNS, strict=True)) for r in read[1:]]
    assert back == [tuple(r) for r in rows]
    assert csv_cell(Decimal("0.005"), ColumnKind.DECIMAL) == "0,01"  # half up


def test_r3_4_xlsx_dates_are_serial_numbers_shown_as_dates(tmp_path: Path) -> None:
    """R3.4: a date cell holds Excel's serial number with the ``dd-mm-yyyy`` format, so it reads
    back as a date; dates before 1 March 1900 (Excel's phantom 29 February 1900) still do."""
    out = tmp_path / "data.xlsx"
    days = [D(2026, 1, 5), D(2024, 2, 29), D(1900, 3, 1), D(1900, 1, 1), D(9999, 12, 31)]
    rows: list[tuple[Cell, ...]] = [("Dag", day, None, None, None) for day in days]
    export_report(table(rows), out, ExportFormat.XLSX)
    sheet = openpyxl.load_workbook(out)["Proef"]
    cells = [sheet.cell(row=i + 2, column=2) for i in range(len(days))]
    assert all(c.is_date and c.number_format == "dd-mm-yyyy" for c in cells)
    assert [c.value.date() for c in cells] == days
    with zipfile.ZipFile(out) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    # hand-checked: 1 January 2025 is serial 45658 in Excel, so 5 January 2026 is
    # 45658 + 365 + 4 = 46027; 1 March 1900 is 61 (Excel counts a 29 February 1900)
    assert "<v>46027</v>" in xml
    assert "<v>61</v>" in xml


def test_r3_4_xlsx_text_is_never_a_formula_and_widths_follow_the_extremes(
    tmp_path: Path,
) -> None:
    """R3.4: text that looks like a formula or a number stays text (no formula injection);
    a number column's width comes from its widest value, the sign included."""
    out = tmp_path / "tekst.xlsx"
    rows: list[tuple[Cell, ...]] = [
        ('=HYPERLINK("http://x")', None, Decimal("-123456.5"), Decimal("2.5"), 7),
        ("0123", None, Decimal("2.75"), None, -1234567),
    ]
    export_report(table(rows), out, ExportFormat.XLSX)
    sheet = openpyxl.load_workbook(out)["Proef"]
    assert (sheet["A2"].data_type, sheet["A2"].value) == ("s", '=HYPERLINK("http://x")')
    assert (sheet["A3"].data_type, sheet["A3"].value) == ("s", "0123")
    assert sheet["C2"].value == -123456.5 and sheet["E3"].value == -1234567
    # hand-checked: "-123456" and ".50" are 10 characters, plus 2 of margin; "-1234567" is 8
    # characters (an integer: no decimals, wider than the title "Aantal"), plus 2 of margin
    assert int(sheet.column_dimensions["C"].width) == 12
    assert int(sheet.column_dimensions["E"].width) == 10


@given(st.lists(_cells, max_size=20))
def test_r3_4_xlsx_read_back_gives_the_same_rows(rows: list[tuple[Cell, ...]]) -> None:
    """R3.4: every cell of an XLSX export reads back (openpyxl) as the value written: text as
    text, dates as dates, numbers as numbers."""
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "rondje.xlsx"
        export_report(table(rows), out, ExportFormat.XLSX)
        read = list(openpyxl.load_workbook(out)["Proef"].iter_rows(min_row=2, values_only=True))
    assert len(read) == len(rows)
    for written, back in zip(rows, read, strict=True):
        name, day, amount, share, count = written
        assert back[0] == name
        assert back[1] == (None if day is None else _dt.datetime.combine(day, _dt.time()))
        assert back[2] == (None if amount is None else float(amount))
        assert back[3] == (None if share is None else float(share))
        assert back[4] == count
