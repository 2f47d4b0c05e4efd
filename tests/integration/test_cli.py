"""The ``xs`` command line as a real process: the demo (main job), db upgrade, generate, search."""

from __future__ import annotations

import os
import subprocess
import sys
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
    engine = create_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    with engine.connect() as connection:
        employees = connection.execute(sa.text("SELECT count(*) FROM employees")).scalar_one()
    engine.dispose()
    assert employees == 1500
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
