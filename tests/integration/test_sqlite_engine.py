"""The embedded engine's connection settings (docs/benchmarks.md, R6.6 at 1M employees): a SQLite
file is read through a memory map; an in-memory database has none. The settings hold for every
connection of the pool, not only the first."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from xs_adapters.sql import tables as t
from xs_adapters.sql.engine import MMAP_SIZE, create_engine


def _pragma(engine: object, name: str) -> object:
    with engine.connect().execution_options(xs_write=False) as connection:  # type: ignore[attr-defined]
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_a_sqlite_file_is_read_through_a_memory_map(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'xs.sqlite3'}")
    try:
        mapped = _pragma(engine, "mmap_size")
        # SQLite caps the map at its compile-time maximum; it is never off for a file
        assert isinstance(mapped, int)
        assert 0 < mapped <= MMAP_SIZE
        assert _pragma(engine, "journal_mode") == "wal"
        # a second connection, checked out while the first is held, has it too
        with (
            engine.connect().execution_options(xs_write=False) as first,
            engine.connect().execution_options(xs_write=False) as second,
        ):
            assert first.exec_driver_sql("PRAGMA mmap_size").scalar_one() == mapped
            assert second.exec_driver_sql("PRAGMA mmap_size").scalar_one() == mapped
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_has_no_memory_map(url: str) -> None:
    engine = create_engine(url)
    try:
        # SQLite answers no row (or 0) for a database without a file
        assert _pragma(engine, "mmap_size") in (None, 0)
    finally:
        engine.dispose()


def test_a_mapped_file_reads_back_what_another_connection_wrote(tmp_path: Path) -> None:
    """WAL and the memory map together: rows committed by one connection are read by another
    (the map covers the database file; newer pages are read from the WAL)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'xs.sqlite3'}")
    try:
        t.metadata.create_all(engine, tables=[t.insurers])
        with engine.connect().execution_options(xs_write=False) as reader:
            assert reader.exec_driver_sql("SELECT count(*) FROM insurers").scalar_one() == 0
            reader.rollback()
            with engine.begin() as writer:
                rows = [{"id": uuid.uuid4(), "name": f"V{n}", "code": f"V{n}"} for n in range(500)]
                writer.execute(t.insurers.insert(), rows)
            assert reader.exec_driver_sql("SELECT count(*) FROM insurers").scalar_one() == 500
    finally:
        engine.dispose()
