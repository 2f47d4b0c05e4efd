"""Reimbursements on the command line (R5.2–R5.5): suppliers, a user's contract settings and a
batch from generation to the SEPA file, through the one entry point; refusals are one line."""

from __future__ import annotations

import datetime as _dt
import os
import re
from pathlib import Path

import pytest
import typer
import xmlschema
from rich.console import Console

from tests.reimbursements_world import PAYING_IBAN, reimbursement_world
from xs_app import bootstrap, cli
from xs_app.cli_support import run
from xs_app.sepa import schema_path
from xs_core.dates import DateRange

BOX = re.compile("[\u2500-\u257f]")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
D = _dt.date


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'xs.sqlite3'}"
    for name in [k for k in os.environ if k.startswith("XS_") and k != "XS_TEST_POSTGRES_URL"]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XS_DATABASE_URL", url)
    monkeypatch.setattr(cli, "console", Console(width=250))  # no table cell cut short
    return url


def xs(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(typer.main.get_command(cli.app), list(args))
    captured = capsys.readouterr()
    text = BOX.sub(" ", captured.out)  # table borders
    return code, " ".join(text.split()), captured.err


def test_r5_from_supplier_to_sepa_file(
    database: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = bootstrap(database_url=database)
    w = reimbursement_world(app)
    first = w.register(w.anna, D(2026, 1, 10))
    w.register(w.bert, D(2026, 1, 11))
    w.offer(DateRange(D(2026, 1, 1), D(2026, 4, 1)))
    app.close()
    as_admin = ("--as", "beheer@example.nl")

    code, out, err = xs(
        capsys,
        "suppliers",
        "create",
        "Tweede Leverancier",
        "--code",
        "LEV2",
        "--postcode",
        "1234ab",
        "--iban",
        "de89 3704 0044 0532 0130 00",
        *as_admin,
    )
    assert (code, err) == (0, "") and "Leverancier LEV2" in out
    code, out, _ = xs(capsys, "suppliers", "list", "--term", "lev", *as_admin)
    assert "LEV Arbo Leverancier Dorpsstraat 1, 3511 AB Utrecht, NL" in out
    assert "NL91 ABNA 0417 1643 00 ABNANL2A ja" in out and "1234 AB" in out
    code, _, err = xs(capsys, "suppliers", "create", "X", "--code", "lev2", *as_admin)
    assert code == 2 and err.startswith("xs: reimbursements.relation_code_in_use:")
    code, _, err = xs(
        capsys, "suppliers", "create", "X", "--code", "X", "--iban", "NL00", *as_admin
    )
    assert code == 2 and "reimbursements.invalid_iban" in err

    code, out, _ = xs(capsys, "users", "contract", "show", "anna@example.nl", *as_admin)
    assert code == 0 and "2025-01-01 ja leverancier" in out
    code, out, err = xs(
        capsys,
        "users",
        "contract",
        "set",
        "bert@example.nl",
        "--from",
        "2026-06-01",
        "--may-not-register",
        *as_admin,
    )
    assert (code, err) == (0, ""), err

    code, out, err = xs(
        capsys,
        "reimbursements",
        "generate",
        "--supplier",
        "lev",
        "--model",
        "Vergoeding",
        "--reference",
        "2026-03-31",
        *as_admin,
    )
    assert (code, err) == (0, ""), err
    assert "2 regels, totaal € 80,00" in out
    (batch,) = UUID.findall(out.split("Vergoedingsbatch ")[-1])
    code, out, _ = xs(
        capsys,
        "reimbursements",
        "decide",
        batch,
        "--decision",
        "postpone",
        "--activity",
        str(first),
        *as_admin,
    )
    assert code == 0 and "1 regels: uitstellen; totaal € 40,00" in out
    code, out, _ = xs(capsys, "reimbursements", "show", batch, *as_admin)
    assert "1 vergoed, 0 uitgesloten, 1 uitgesteld" in out and "uitstellen" in out
    code, _, err = xs(capsys, "reimbursements", "export", batch, "--csv", "-", *as_admin)
    assert code == 2 and "reimbursements.batch_not_final" in err
    assert xs(capsys, "reimbursements", "finalise", batch, *as_admin)[0] == 0
    code, _, err = xs(capsys, "reimbursements", "finalise", batch, *as_admin)
    assert code == 2 and "reimbursements.batch_final" in err

    csv_file = tmp_path / "batch.csv"
    assert xs(capsys, "reimbursements", "export", batch, "--csv", str(csv_file), *as_admin)[0] == 0
    assert csv_file.read_text().splitlines()[0].startswith("batch,supplier,reference_date")
    sepa_file = tmp_path / "batch.xml"
    code, _, err = xs(
        capsys, "reimbursements", "export", batch, "--sepa", str(sepa_file), *as_admin
    )
    assert code == 2 and "cli.no_paying_account" in err and not sepa_file.exists()
    monkeypatch.setenv("XS_PAYING_ACCOUNT_NAME", "Arbodienst")
    monkeypatch.setenv("XS_PAYING_ACCOUNT_IBAN", PAYING_IBAN)
    code, out, err = xs(
        capsys, "reimbursements", "export", batch, "--sepa", str(sepa_file), *as_admin
    )
    assert (code, err) == (0, ""), err
    xmlschema.XMLSchema(schema_path()).validate(str(sepa_file))

    # the postponed line comes back in the next batch
    code, out, _ = xs(
        capsys,
        "reimbursements",
        "generate",
        "--supplier",
        "LEV",
        "--model",
        "Vergoeding",
        "--reference",
        "2026-03-31",
        "--user",
        "anna@example.nl",
        *as_admin,
    )
    assert code == 0 and "1 regels, totaal € 40,00" in out
    code, out, _ = xs(capsys, "reimbursements", "list", "--supplier", "LEV", *as_admin)
    assert out.count("definitief") == 1 and out.count("concept") == 1
    code, _, err = xs(
        capsys,
        "reimbursements",
        "generate",
        "--supplier",
        "LEV",
        "--model",
        "Vergoeding",
        "--reference",
        "2199-01-01",
        *as_admin,
    )
    assert code == 2 and "reimbursements.reference_date_in_future" in err
    assert xs(capsys, "suppliers", "deactivate", "LEV2", *as_admin)[0] == 0
    code, out, _ = xs(capsys, "suppliers", "list", "--term", "LEV2", *as_admin)
    assert "nee" in out
