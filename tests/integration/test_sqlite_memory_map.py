"""SQLite files read through a memory map (PRAGMA mmap_size, engine.py): another
process writing the same file (WAL), a file growing past what a connection mapped, a VACUUM
shrinking it under a mapped reader, checkpoints that truncate the WAL."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import sqlalchemy as sa

from xs_adapters.sql import tables as t
from xs_adapters.sql.engine import create_engine

_WRITER = """
import sys, uuid
from xs_adapters.sql import tables as t
from xs_adapters.sql.engine import create_engine
engine = create_engine(sys.argv[1])
start, count = int(sys.argv[2]), int(sys.argv[3])
for batch in range(count // 100):
    with engine.begin() as c:
        c.execute(t.insurers.insert(), [
            {"id": uuid.uuid4(), "name": f"P{start + batch * 100 + n}" + "x" * 300,
             "code": f"P{start + batch * 100 + n}"}
            for n in range(100)
        ])
engine.dispose()
"""


def _count(connection: sa.Connection) -> int:
    return int(connection.exec_driver_sql("SELECT count(*) FROM insurers").scalar_one())


def _names(connection: sa.Connection) -> int:
    # reads every page of the table and its rows' text
    return int(connection.exec_driver_sql("SELECT sum(length(name)) FROM insurers").scalar_one())


def _insert(engine: sa.Engine, start: int, count: int) -> None:
    with engine.begin() as writer:
        writer.execute(
            t.insurers.insert(),
            [
                {"id": uuid.uuid4(), "name": f"V{start + n}" + "y" * 300, "code": f"V{start + n}"}
                for n in range(count)
            ],
        )


def test_another_process_writes_while_a_mapped_connection_reads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'xs.sqlite3'}"
    engine = create_engine(url)
    try:
        t.metadata.create_all(engine, tables=[t.insurers])
        _insert(engine, 0, 1000)
        with engine.connect().execution_options(xs_write=False) as reader:
            assert _count(reader) == 1000
            reader.rollback()
            writers = [
                subprocess.Popen(
                    [sys.executable, "-c", _WRITER, url, str(10_000 * (k + 1)), "3000"]
                )
                for k in range(2)
            ]
            while any(w.poll() is None for w in writers):
                _count(reader)
                _names(reader)
                reader.rollback()
            assert [w.returncode for w in writers] == [0, 0]
            assert _count(reader) == 7000
            assert _names(reader) == sum(
                len(f"P{10_000 * (k + 1) + n}") + 300 for k in range(2) for n in range(3000)
            ) + sum(len(f"V{n}") + 300 for n in range(1000))
            reader.rollback()
            # the file grows far past what the reader mapped; a checkpoint moves it into the file
            _insert(engine, 100_000, 20_000)
            raw = sqlite3.connect(tmp_path / "xs.sqlite3", isolation_level=None)
            assert raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
            raw.close()
            assert _count(reader) == 27_000
            reader.rollback()
            # a VACUUM in another process shrinks the file under the mapped reader
            with engine.begin() as writer:
                writer.exec_driver_sql(
                    "DELETE FROM insurers WHERE code LIKE 'V1%' OR code LIKE 'P%'"
                )
            with engine.connect() as c:
                remaining = _count(c)
                c.rollback()
            size = (tmp_path / "xs.sqlite3").stat().st_size
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import sys, sqlite3; c = sqlite3.connect(sys.argv[1]); "
                    "c.execute('PRAGMA mmap_size=2147483648'); c.execute('VACUUM'); "
                    "c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()",
                    str(tmp_path / "xs.sqlite3"),
                ],
                check=True,
            )
            assert (tmp_path / "xs.sqlite3").stat().st_size < size // 2
            assert _count(reader) == remaining
            assert _names(reader) > 0
            reader.rollback()
        with engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
    finally:
        engine.dispose()
