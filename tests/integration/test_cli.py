"""The ``xs`` command line as a real process: the demo (main job), db upgrade, generate, search."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import sqlalchemy as sa

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
    engine = create_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    with engine.connect() as connection:
        employees = connection.execute(sa.text("SELECT count(*) FROM employees")).scalar_one()
    engine.dispose()
    assert employees == 1500 + 2  # the synthetic organisation and two for the R5.1 demo
    again = xs("demo", "--database", "demo.sqlite3", cwd=tmp_path)  # recreates, same output
    assert again.returncode == 0 and again.stdout == done.stdout


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
    assert "search.term_too_short" in short.stdout


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
    assert refused.returncode == 2 and "bulk_start.end_date_required" in refused.stdout


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
    assert refused.returncode == 2 and "billing.frequency_not_allowed" in refused.stdout

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
    exported = xs("billing", "export", basis_id, "--out", "basis.csv", cwd=tmp_path, env=env)
    assert exported.returncode == 0, exported.stderr
    lines = (tmp_path / "basis.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("invoice_basis,customer,line,")
    assert len(lines) == 2 and lines[1].endswith(",250.00")
