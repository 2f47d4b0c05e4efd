"""The databases a benchmark runs on: a fresh SQLite file or a fresh PostgreSQL database,
removed afterwards (``keep=True`` keeps and reuses them under a fixed name)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from xs_adapters.sql.engine import create_engine

DATA = Path(__file__).parent / "data"
PG_SERVER = "postgresql://127.0.0.1:5432/postgres"


def settle(engine: sa.Engine) -> None:
    """After a bulk load: statistics for the planner (``ANALYZE``), and on PostgreSQL the
    visibility map too (``VACUUM ANALYZE``), as autovacuum would set them in production."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(sa.text("ANALYZE"))


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def run_on(name: str, label: str, run: Callable[[str], Any], keep: bool = False) -> Any:
    """Call ``run(url)`` on a database of engine ``name`` (``sqlite`` or ``postgres``)."""
    if name == "sqlite":
        DATA.mkdir(exist_ok=True)
        path = DATA / f"{label}.sqlite3"
        if not keep:
            _remove_sqlite(path)
        try:
            return run(f"sqlite:///{path}")
        finally:
            if not keep:
                _remove_sqlite(path)
    if name == "postgres":
        server = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        database = f"xs_bench_{label}" if keep else f"xs_bench_{uuid.uuid4().hex[:8]}"
        with server.connect() as connection:
            exists = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}
            ).first()
            if exists is None:
                connection.execute(sa.text(f"CREATE DATABASE {database}"))
        try:
            return run(PG_SERVER.rsplit("/", 1)[0] + f"/{database}")
        finally:
            if not keep:
                with server.connect() as connection:
                    connection.execute(sa.text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
            server.dispose()
    raise SystemExit(f"unknown engine {name}")
