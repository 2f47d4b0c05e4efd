"""``insert_rows`` with ``unless`` on SQLite: rows staged as one JSON array read by
``json_each`` (R5.1's subscription lines go this way). It must work while another statement of
the connection is still reading — a billing run writes a chunk of lines while it reads the
subscriptions, and SQLite refuses to drop, and aborts readers when it first creates, a temporary
table there — keep every value as given, and refuse a text JSON would cut."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from xs_adapters.sql.copy import insert_rows
from xs_adapters.sql.engine import create_engine

METADATA = sa.MetaData()
ITEMS = sa.Table(
    "items",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200)),
    sa.Column("size", sa.BigInteger),
)
SOURCE = sa.Table("source", METADATA, sa.Column("n", sa.Integer, primary_key=True))
UNLESS = "EXISTS (SELECT 1 FROM items AS old WHERE old.name = new.name)"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    made = create_engine(f"sqlite:///{tmp_path / 'rows.sqlite3'}")
    with made.begin() as connection:
        METADATA.create_all(connection)
        connection.execute(SOURCE.insert(), [{"n": n} for n in range(10)])
        connection.execute(ITEMS.insert(), [{"id": 1, "name": "taken", "size": 0}])
    yield made
    made.dispose()


def test_rows_are_written_while_another_statement_reads(engine: sa.Engine) -> None:
    """Each row written between two fetches of a reading statement; rows whose key is taken
    or for which ``unless`` holds are left out, and the reader reads on."""
    with engine.begin() as connection:
        reading = connection.execute(sa.select(SOURCE.c.n).order_by(SOURCE.c.n))
        seen, added = [], 0
        for row in reading:
            seen.append(row.n)
            added += insert_rows(
                connection,
                ITEMS,
                [
                    {"id": 100 + row.n, "name": f"item {row.n}", "size": row.n},
                    {"id": 1, "name": "another", "size": 1},  # the key is taken
                    {"id": 200 + row.n, "name": "taken", "size": 2},  # unless holds
                ],
                unless=UNLESS,
            )
        names = connection.execute(sa.select(ITEMS.c.name).order_by(ITEMS.c.id)).scalars().all()
    assert seen == list(range(10))
    assert added == 10
    assert names == ["taken", *(f"item {n}" for n in range(10))]


def test_values_are_stored_as_given(engine: sa.Engine) -> None:
    texts = ['quote " and \\ backslash', "\\u0000 as text", "Ünïcødé €", "😀 beyond the BMP", ""]
    rows = [
        {"id": 10 + n, "name": text, "size": size}
        for n, (text, size) in enumerate(zip(texts, [2**63 - 1, -(2**63), 0, None, 7], strict=True))
    ]
    rows.append({"id": 20, "name": None, "size": 1})
    with engine.begin() as connection:
        assert insert_rows(connection, ITEMS, rows, unless=UNLESS) == len(rows)
        stored = connection.execute(
            sa.select(ITEMS.c.id, ITEMS.c.name, ITEMS.c.size).where(ITEMS.c.id >= 10)
        ).all()
    assert sorted(tuple(r) for r in stored) == [(r["id"], r["name"], r["size"]) for r in rows]


def test_a_text_with_a_nul_character_is_refused_and_nothing_written(engine: sa.Engine) -> None:
    """SQLite's JSON functions would cut it at the NUL: refused before anything is sent."""
    with engine.begin() as connection:
        with pytest.raises(ValueError, match="NUL"):
            insert_rows(
                connection,
                ITEMS,
                [{"id": 30, "name": "fine", "size": 1}, {"id": 31, "name": "a\x00b", "size": 1}],
                unless=UNLESS,
            )
        count = connection.execute(sa.select(sa.func.count()).select_from(ITEMS)).scalar_one()
    assert count == 1
