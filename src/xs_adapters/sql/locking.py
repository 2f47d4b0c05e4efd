"""Row locks for read-check-write use cases (R0.5, ARCHITECTURE "Invariants across rows").

A use case that checks a row's state and then writes locks that row first. On PostgreSQL the lock
is ``FOR NO KEY UPDATE``: it excludes other lockers and writers of the row until the transaction
ends, while rows that merely *refer* to it (foreign-key checks take ``KEY SHARE``) can still be
written. On SQLite a writing unit of work begins ``IMMEDIATE`` and already holds the database's
write lock, so the statement is a plain read.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def lock_row(connection: Connection, table: sa.Table, key: Any, column: str = "id") -> bool:
    """Lock the row of ``table`` whose ``column`` is ``key``; ``False`` when there is none."""
    query = sa.select(table.c[column]).where(table.c[column] == key)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(key_share=True)
    return connection.execute(query).first() is not None


def lock_rows(connection: Connection, table: sa.Table, keys: list[Any], column: str = "id") -> None:
    """Lock several rows, in key order (a fixed order: two lockers never deadlock)."""
    if keys and connection.dialect.name == "postgresql":
        ordered = sorted(set(keys))
        connection.execute(
            sa.select(table.c[column])
            .where(table.c[column].in_(ordered))
            .order_by(table.c[column])
            .with_for_update(key_share=True)
        )
