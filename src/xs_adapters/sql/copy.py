"""Fast set-based inserts: COPY on PostgreSQL, executemany elsewhere."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def insert_rows(connection: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many rows in one round trip per chunk, inside the connection's transaction.

    On PostgreSQL the rows stream through ``COPY … FROM STDIN`` (psycopg 3 adapts UUIDs,
    dates and decimals itself). On SQLite the values go through each column type's own bind
    processor (so they are stored exactly as SQLAlchemy stores them) and then straight to the
    driver's ``executemany``, without SQLAlchemy's per-row statement handling.
    """
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name == "sqlite":
        columns = list(rows[0].keys())
        processors = [table.c[column].type.bind_processor(dialect) for column in columns]
        data = [
            tuple(
                value if processor is None or value is None else processor(value)
                for processor, value in zip(processors, (row[c] for c in columns), strict=True)
            )
            for row in rows
        ]
        marks = ", ".join("?" for _ in columns)
        sqlite: Any = connection.connection.driver_connection
        sqlite.executemany(
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", data
        )
        return
    if dialect.name != "postgresql":
        connection.execute(table.insert(), list(rows))
        return
    columns = list(rows[0].keys())
    raw: Any = connection.connection.driver_connection
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def reserve_ids(connection: Connection, table: sa.Table, count: int) -> list[int]:
    """``count`` fresh values of the table's integer primary key, in one statement."""
    if count == 0:
        return []
    if connection.dialect.name == "postgresql":
        result = connection.execute(
            sa.text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"table": table.name, "count": count},
        )
        return sorted(int(value) for value in result.scalars())
    start = connection.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
    return list(range(int(start) + 1, int(start) + 1 + count))
