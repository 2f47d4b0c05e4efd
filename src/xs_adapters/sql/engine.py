"""Engines for SQLite (embedded default: WAL, foreign keys on) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from xs_adapters.sql.pipeline import on_checkin


def normalise_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and explicit BEGINs."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    # no pre-ping round trip per checkout: connections are recycled instead
    engine = sa.create_engine(url, pool_recycle=1800, **kwargs)
    # planning's pipeline may switch a connection to autocommit mode for its own BEGIN (R4.3)
    event.listen(engine, "checkin", on_checkin)
    return engine


#: The bytes of a SQLite database file read through a memory map (``PRAGMA mmap_size``).
MMAP_SIZE = 1 << 31


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin() emit BEGIN itself (pysqlite's own handling is off).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        in_memory = engine.url.database in (None, "", ":memory:")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        # 64 MiB of page cache: bulk writes into random-key (UUID) indexes stay in memory
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA temp_store=MEMORY")
        if not in_memory:
            # Reads through a memory map instead of a read() copy into the page cache per page
            # missed: the nightly run at 1M employees reads a database of 1.3-3.6 GB through
            # 64 MiB of cache (first run 129.2 -> 119.9 s, docs/benchmarks.md). SQLite caps the
            # map at its compile-time maximum (2 GiB in the common builds); the rest of a larger
            # file is read as before.
            cursor.execute(f"PRAGMA mmap_size={MMAP_SIZE}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writing unit of work takes the write lock up front (BEGIN IMMEDIATE), so that a
        # read-check-write invariant cannot interleave with another writer.
        immediate = connection.get_execution_options().get("xs_write", True)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
