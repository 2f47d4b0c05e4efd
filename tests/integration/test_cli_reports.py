"""``xs reports absence`` through the real entry point (R3.1, R3.4): the files, units named by
code or reference, and refusals as one line with no file left behind."""

from __future__ import annotations

import csv
import datetime as _dt
import os
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import typer
from rich.console import Console

from tests.reports_world import reports_world
from xs_app import bootstrap, cli
from xs_app.cli_support import run
from xs_app.services.reports import RegisterWiaClaim
from xs_core.reports.wia import WiaBenefit

BOX = re.compile("[\u2500-\u257f]")
AS_ADMIN = ("--as", "beheer@example.nl")
JANUARY = ("--from", "2026-01-01", "--until", "2026-02-01")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'xs.sqlite3'}"
    for name in [k for k in os.environ if k.startswith("XS_") and k != "XS_TEST_POSTGRES_URL"]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XS_DATABASE_URL", url)
    monkeypatch.setattr(cli, "console", Console(width=250))
    app = bootstrap(database_url=url)
    w = reports_world(app)
    app.reports.register_wia_claim(
        RegisterWiaClaim(
            actor=w.admin, employee_id=w.people["dirk"], employer_id=w.slagerij,
            start=_dt.date(2026, 3, 1), benefit=WiaBenefit.WGA, monthly_wage=Decimal("2500.00"),
        )
    )  # fmt: skip
    app.close()
    return url


def xs(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(typer.main.get_command(cli.app), list(args))
    captured = capsys.readouterr()
    return code, " ".join(BOX.sub(" ", captured.out).split()), captured.err


def test_r3_1_absence_report_to_xlsx_and_csv(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "verzuim.xlsx"
    code, text, err = xs(capsys, "reports", "absence", *JANUARY, "--unit", "W1", "--out",
                         str(out), *AS_ADMIN)  # fmt: skip
    assert (code, err) == (0, "") and "3 rijen geschreven naar" in text
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert [sheet.cell(r, 1).value for r in (2, 3, 4)] == ["W1", "PR", "VK"]
    assert sheet["G2"].value == pytest.approx(16.67)
    out_csv = tmp_path / "verkoop.txt"
    code, _, err = xs(capsys, "reports", "absence", *JANUARY, "--unit", "W1/VK", "--unit",
                      "W2", "--format", "csv", "--out", str(out_csv), *AS_ADMIN)  # fmt: skip
    assert (code, err) == (0, "")
    with out_csv.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["VK", "W2"]
    assert rows[2][6] == "58,06"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--unit", "W9"), "Er is geen organisatieonderdeel met code W9."),
        (("--unit", "branch:1"), "'branch:1' is geen eenheid"),
        (("--unit", "folder:xyz"), "'folder:xyz' is geen eenheid"),
    ],
)
def test_r3_1_refusals_are_one_line_and_leave_no_file(
    database: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: tuple[str, ...],
    message: str,
) -> None:
    out = tmp_path / "verzuim.csv"
    code, _, err = xs(capsys, "reports", "absence", *JANUARY, *args, "--out", str(out), *AS_ADMIN)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".verzuim")] == []


def test_r3_1_a_reversed_period_is_refused(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "verzuim.csv"
    code, _, err = xs(capsys, "reports", "absence", "--from", "2026-02-01", "--until",
                      "2026-01-01", "--unit", "W1", "--out", str(out), *AS_ADMIN)  # fmt: skip
    assert code == 2 and len(err.strip().splitlines()) == 1 and not out.exists()


def test_r3_2_r3_3_wia_work_files(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "wia.xlsx"
    code, _, err = xs(capsys, "reports", "wia-werkbestand", "--unit", "W2", "--out", str(out),
                      *AS_ADMIN)  # fmt: skip
    assert (code, err) == (0, "")
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert sheet.title == "Wia werkbestand"
    assert sheet["K2"].value == 2500 and sheet["I2"].is_date  # Wia maandloon, WIA-startdatum
    out_nn = tmp_path / "wia-nn.csv"
    code, _, err = xs(capsys, "reports", "wia-werkbestand-nn", "--unit", "W2", "--on",
                      "2026-06-01", "--out", str(out_nn), *AS_ADMIN)  # fmt: skip
    assert (code, err) == (0, "")
    with out_nn.open(encoding="utf-8-sig", newline="") as f:
        header, row = list(csv.reader(f, delimiter=";"))
    fields = dict(zip(header, row, strict=True))
    # born 1 May 1980: AOW 1 August 2047; 1 March 2026 + 10 years comes first
    assert fields["Einddatum eigen risicodragerschap"] == "01-03-2036"
    assert fields["Einddatum eigen risicodragerschap bron"] == "Afgeleid"
    assert fields["Wia maandloon"] == "2500,00"


@pytest.mark.parametrize("target", ["ontbreekt/verzuim.csv", "map"])
def test_r3_4_an_unwritable_out_is_one_line_naming_it(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, target: str
) -> None:
    """--out in a missing directory, or naming a directory: one line naming --out (not a
    temporary file), exit 1, no traceback, nothing left behind."""
    (tmp_path / "map").mkdir()
    out = tmp_path / target
    before = sorted(p.name for p in tmp_path.iterdir())
    code, _, err = xs(capsys, "reports", "absence", *JANUARY, "--unit", "W1", "--out",
                      str(out), *AS_ADMIN)  # fmt: skip
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert str(out) in err and ".tmp" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert list((tmp_path / "map").iterdir()) == []
