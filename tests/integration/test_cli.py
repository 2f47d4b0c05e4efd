"""The ``xs`` command line as a real process: the demo (main job), db upgrade, generate, search."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import sqlalchemy as sa

from xs_adapters.sql import tables
from xs_adapters.sql.engine import create_engine


def xs(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xs_app.cli", *args],
        cwd=cwd,
        env={**os.environ, "COLUMNS": "160", **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_demo_creates_a_sqlite_database_and_shows_the_rules(tmp_path: Path) -> None:
    done = xs("demo", "--database", "demo.sqlite3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "R1.1" in done.stdout and "vat.invalid_checksum" in done.stdout
    assert "NL004495445B01" in done.stdout
    assert "2028-04-01" in done.stdout  # AOW date of someone born 1 January 1961
    # R5.1: € 1.000,01 a year billed quarterly; the run adds 2 × 145,00 + 2 × 42,50
    assert "€ 250,01" in done.stdout and "€ 625,01" in done.stdout
    assert "4 verrichtingen aangeboden" in done.stdout
    # R5.2–R5.5: refused supplier input, the chain to a SEPA file, the postponed line's return
    assert "reimbursements.invalid_iban" in done.stdout
    assert "NL91 ABNA 0417 1643 00 (BIC ABNANL2A)" in done.stdout
    assert "billing.reimbursement_model_not_for_agreement" in done.stdout
    assert "3 verrichtingen aangeboden" in done.stdout and "postpone" in done.stdout
    assert "gevalideerd tegen de XSD): € 60,00" in done.stdout
    assert "1 uitgestelde regel terug, € 60,00; daarna: 0 regels" in done.stdout
    # R6: the switch, a pension policy excluding from 66 years and 3 months (born 29 February
    # 1960: 29 May 2026), the manual exclusion on the participant page
    assert "policies.business_rules_off" in done.stdout
    assert "2026-05-29" in done.stdout and "Eigen pensioenregeling" in done.stdout
    assert "Deelnemerregistratie polis PENS-2026-001" in done.stdout
    # R2.6: the password e-mail, standard and custom; R2.7: an uploaded document attached
    assert "Je wachtwoord is gewijzigd" in done.stdout and "Eigen sjabloon" in done.stdout
    assert "mail.template_forbidden" in done.stdout
    assert "messaging.document_not_attachable" in done.stdout
    assert "[bijlage: probleemanalyse.pdf]" in done.stdout
    engine = create_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    with engine.connect() as connection:
        employees = connection.execute(sa.text("SELECT count(*) FROM employees")).scalar_one()
    engine.dispose()
    # the synthetic organisation, two for the R5.1 demo, one for R5.5 and three for the R6 demo
    assert employees == 1500 + 2 + 1 + 3
    again = xs("demo", "--database", "demo.sqlite3", cwd=tmp_path)  # recreates, same output
    assert again.returncode == 0 and again.stdout == done.stdout
    # R3.1: the absence report of a demo folder, shown and written as CSV and XLSX
    assert "R3.1 Verzuim per organisatieonderdeel" in done.stdout
    assert "R3.4 " in done.stdout and "demo-verzuim.xlsx" in done.stdout
    assert (tmp_path / "demo-verzuim.csv").read_bytes().startswith(b"\xef\xbb\xbfCode;Naam;")
    # built beside and renamed: the one file is the whole database, nothing else is left
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "demo-verzuim.csv",
        "demo-verzuim.xlsx",
        "demo.sqlite3",
    ]


def test_db_upgrade_generate_and_search(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'xs.sqlite3'}"
    assert xs("db", "upgrade", "--database-url", url, cwd=tmp_path).returncode == 0
    generated = xs(
        "generate",
        "--employers",
        "5",
        "--departments",
        "20",
        "--employees",
        "50",
        cwd=tmp_path,
        env={"XS_DATABASE_URL": url},
    )
    assert generated.returncode == 0, generated.stderr
    found = xs(
        "search", "af00", "--context", "administration", cwd=tmp_path, env={"XS_DATABASE_URL": url}
    )
    assert found.returncode == 0, found.stderr
    assert "AF001" in found.stdout and "department" in found.stdout
    short = xs("search", "a", cwd=tmp_path, env={"XS_DATABASE_URL": url})
    assert short.returncode == 2
    assert short.stderr == "xs: search.term_too_short: Geef minstens 2 tekens op om te zoeken.\n"


def test_bulk_start_from_the_command_line(tmp_path: Path) -> None:
    """R2.2 through ``xs trajectories bulk-start`` on the demo database, twice (idempotent)."""
    assert xs("demo", "--database", "demo.sqlite3", cwd=tmp_path).returncode == 0
    env = {"XS_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    listed = xs("trajectories", "protocols", cwd=tmp_path, env=env)
    assert "PMO 2027" in listed.stdout and "Verzuim" in listed.stdout
    request_id = "6c2a9a3e-0a52-4f0f-9d3e-0b6f7a1c2d33"
    args = [
        "trajectories",
        "bulk-start",
        "--protocol",
        "PMO 2027",
        "--employer",
        "WG00003",
        "--start",
        "2027-01-04",
        "--end",
        "2027-06-30",
        "--request-id",
        request_id,
    ]
    first = xs(*args, cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert " gestart" in first.stdout and "herhaald" not in first.stdout
    again = xs(*args, cwd=tmp_path, env=env)
    assert again.returncode == 0 and "herhaald verzoek" in again.stdout
    refused = xs(
        "trajectories",
        "bulk-start",
        "--protocol",
        "PMO 2027",
        "--employer",
        "WG00003",
        "--start",
        "2027-01-04",
        cwd=tmp_path,
        env=env,
    )
    assert refused.returncode == 2
    assert refused.stderr.startswith("xs: bulk_start.end_date_required: Een einddatum is verplicht")
    assert len(refused.stderr.splitlines()) == 1


def test_billing_schedule_run_and_export(tmp_path: Path) -> None:
    """R5.1 from the command line: a schedule, a run with progress, the CSV export."""
    schedule = xs(
        "billing",
        "schedule",
        "--from",
        "2026-01-01",
        "--until",
        "2027-01-01",
        "--amount",
        "100.00",
        "--subscribed",
        "2026-01-01",
        "--contract",
        "yearly",
        "--billing",
        "monthly",
        cwd=tmp_path,
    )
    assert schedule.returncode == 0, schedule.stderr
    assert schedule.stdout.count("€ 8,34") == 4 and schedule.stdout.count("€ 8,33") == 8
    refused = xs(
        "billing",
        "schedule",
        "--from",
        "2026-01-01",
        "--until",
        "2027-01-01",
        "--amount",
        "100.00",
        "--subscribed",
        "2026-01-01",
        "--contract",
        "monthly",
        "--billing",
        "quarterly",
        cwd=tmp_path,
    )
    assert refused.returncode == 2
    assert refused.stderr.startswith("xs: billing.frequency_not_allowed: ")
    assert len(refused.stderr.splitlines()) == 1

    done = xs("demo", "--database", "demo.sqlite3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    env = {"XS_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    run = xs(
        "billing", "run", "--from", "2026-04-01", "--until", "2026-07-01", cwd=tmp_path, env=env
    )
    assert run.returncode == 0, run.stderr
    # the demo's quarterly subscription: its second quarter, € 250,00; no activities
    assert "1 factuurgrondslagen" in run.stdout and "€ 250,00" in run.stdout
    engine = create_engine(env["XS_DATABASE_URL"])
    with engine.connect() as connection:
        basis = connection.execute(
            sa.text("SELECT id FROM invoice_bases WHERE period_from = '2026-04-01'")
        ).scalar_one()
    engine.dispose()
    basis_id = str(uuid.UUID(hex=basis) if isinstance(basis, str) else basis)
    (tmp_path / "basis.csv").write_text("an older export\n" * 10, encoding="utf-8")
    exported = xs("billing", "export", basis_id, "--out", "basis.csv", cwd=tmp_path, env=env)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == "1 regels geschreven naar basis.csv\n"
    written = (tmp_path / "basis.csv").read_text(encoding="utf-8")
    lines = written.splitlines()  # the older, longer export is replaced entirely
    assert lines[0].startswith("invoice_basis,customer,line,")
    assert len(lines) == 2 and lines[1].endswith(",250.00")
    to_stdout = xs("billing", "export", basis_id, cwd=tmp_path, env=env)
    assert to_stdout.returncode == 0 and to_stdout.stdout == written
    onto_directory = xs("billing", "export", basis_id, "--out", ".", cwd=tmp_path, env=env)
    assert onto_directory.returncode == 1
    assert onto_directory.stderr == "xs: cli.file_is_directory: . is een map, geen bestand.\n"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_agenda_plans_in_amsterdam_time(tmp_path: Path, sqlite_url: str) -> None:
    """R4.3 with R0.1 from the command line: a wall time is Europe/Amsterdam; in the repeated
    autumn hour an offset says which one; the limit refuses an overlap with one line."""
    env = {"XS_DATABASE_URL": sqlite_url}
    created = xs(
        "agenda", "create-location", "Locatie A", "--max-parallel", "1", cwd=tmp_path, env=env
    )
    assert created.returncode == 0, created.stderr
    location = created.stdout.split()[-1]
    for name in ("Arts Een", "Arts Twee"):  # super administrators hold availabilities too
        made = xs(
            "users",
            "create-super-admin",
            name,
            f"{name[5:].lower()}@example.nl",
            cwd=tmp_path,
            env=env,
        )
        assert made.returncode == 0, made.stderr
    plan = ("agenda", "plan", "--location", location, "--professional", "een@example.nl")
    # the second 02:30 of 25 October 2026 (winter time, UTC+1) until 04:00 (UTC+1)
    second = ("--start", "2026-10-25T02:30+01:00", "--end", "2026-10-25T04:00")
    planned = xs(*plan, *second, cwd=tmp_path, env=env)
    assert planned.returncode == 0, planned.stderr
    engine = create_engine(sqlite_url)
    with engine.connect() as connection:
        start, end = connection.execute(
            sa.select(tables.availabilities.c.starts_at, tables.availabilities.c.ends_at)
        ).one()
    engine.dispose()
    assert (start.isoformat(), end.isoformat()) == (
        "2026-10-25T01:30:00+00:00",
        "2026-10-25T03:00:00+00:00",
    )
    other = ("agenda", "plan", "--location", location, "--professional", "twee@example.nl")
    overlapping = xs(
        *other, "--start", "2026-10-25T03:30", "--end", "2026-10-25T05:00", cwd=tmp_path, env=env
    )
    assert overlapping.returncode == 2
    assert overlapping.stderr.startswith("xs: agenda.capacity_exceeded: ")
    assert len(overlapping.stderr.splitlines()) == 1
