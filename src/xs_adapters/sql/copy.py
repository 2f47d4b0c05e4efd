"""Fast set-based inserts: COPY on PostgreSQL, executemany elsewhere."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

#: From this many rows on, PostgreSQL gets them through COPY.
COPY_FROM = 64


def insert_rows(
    connection: Connection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    skip_conflicts: bool = False,
    unless: str | None = None,
    stored: Sequence[str] = (),
) -> int:
    """Insert many rows in one round trip per chunk, inside the connection's transaction; the
    number of rows inserted.

    On PostgreSQL the rows stream through ``COPY … FROM STDIN`` (psycopg 3 adapts UUIDs,
    dates and decimals itself). On SQLite the values go through each column type's own bind
    processor (so they are stored exactly as SQLAlchemy stores them) and then straight to the
    driver's ``executemany``, without SQLAlchemy's per-row statement handling.

    ``skip_conflicts`` leaves out rows whose key is already taken (``ON CONFLICT DO NOTHING``;
    the rows are staged first — in a temporary table by ``COPY`` on PostgreSQL, as one JSON
    array read by ``json_each`` on SQLite — and inserted in key order, so that concurrent
    writers lock keys in the same order; ``unless`` is then checked against the rows already
    in the table, not against the other rows of the same call).

    ``unless`` (implies ``skip_conflicts``) is an SQL condition on a candidate row, called
    ``new``; rows for which it holds are left out, e.g. ``EXISTS (SELECT 1 FROM t WHERE
    t.a = new.a)``.

    ``stored`` names SQLite columns whose values are given as SQLite stores them already (e.g.
    integer cents for an amount): they skip the column type's processor.
    """
    if not rows:
        return 0
    skip_conflicts = skip_conflicts or unless is not None
    keep = "" if unless is None else f" WHERE NOT ({unless})"
    dialect = connection.dialect
    columns = list(rows[0].keys())
    names = ", ".join(columns)
    if dialect.name == "sqlite":
        converted = [
            [row[column] for row in rows]
            if column in stored
            else _sqlite_column(table.c[column].type, dialect, [row[column] for row in rows])
            for column in columns
        ]
        marks = ", ".join("?" for _ in columns)
        sqlite: Any = connection.connection.driver_connection
        values = list(zip(*converted, strict=True))
        if not skip_conflicts:
            statement = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"
            return int(sqlite.executemany(statement, values).rowcount)
        # Set-based like PostgreSQL's staged COPY: the rows go as one JSON array, read by
        # json_each in one INSERT … SELECT that checks ``unless`` and the keys — about half the
        # time of a per-row INSERT … SELECT with the check (15,000 billing lines). No temporary
        # table: creating one while a statement of the connection still reads aborts that
        # statement ("abort due to ROLLBACK"), and dropping one is refused ("database table is
        # locked") — as a billing run's subscriptions are still read while it writes a chunk of
        # their lines.
        payload = json.dumps(values, separators=(",", ":"))
        # SQLite's JSON functions cut a text at a NUL character (JSON escapes it as \u0000;
        # the escape's text alone may stand in a value too, hence the check of the values)
        if "\\u0000" in payload and any(
            type(value) is str and "\x00" in value for row in values for value in row
        ):
            raise ValueError("a text with a NUL character cannot be staged as JSON on SQLite")
        key = ", ".join(c.name for c in table.primary_key.columns)
        fields = ", ".join(f"value ->> {n} AS {column}" for n, column in enumerate(columns))
        # a SELECT with a WHERE clause: SQLite's upsert needs one after a SELECT
        cursor = sqlite.execute(
            f"INSERT INTO {table.name} ({names}) SELECT {names} FROM"
            f" (SELECT {fields} FROM json_each(?)) AS new"
            f"{keep or ' WHERE true'} ORDER BY {key} ON CONFLICT DO NOTHING",
            (payload,),
        )
        return int(cursor.rowcount)
    if dialect.name != "postgresql" or (len(rows) < COPY_FROM and not skip_conflicts):
        # a few rows: one INSERT round trip is cheaper than the COPY protocol's exchange
        connection.execute(table.insert(), rows[0] if len(rows) == 1 else list(rows))
        return len(rows)
    target = table.name
    if skip_conflicts:
        target = f"_xs_load_{table.name}"
        connection.exec_driver_sql(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {target} "
            f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        connection.exec_driver_sql(f"TRUNCATE {target}")
    copy_rows(connection, target, columns, ([row[column] for column in columns] for row in rows))
    if not skip_conflicts:
        return len(rows)
    key = ", ".join(c.name for c in table.primary_key.columns)
    result = connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {target} AS new{keep} "
        f"ORDER BY {key} ON CONFLICT DO NOTHING"
    )
    return int(result.rowcount)


def copy_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """PostgreSQL: stream ``rows`` (values in the order of ``columns``, as psycopg 3 adapts
    them) into ``table`` through ``COPY … FROM STDIN``, inside the connection's transaction."""
    raw: Any = connection.connection.driver_connection
    names = ", ".join(columns)
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


#: COPY's text format: the characters a value must escape (a backslash, the column and line
#: separators), as ``str.translate`` takes them.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
#: COPY's text format: a NULL.
COPY_NULL = "\\N"
#: The characters written to the server at once by :func:`copy_lines`.
_COPY_BLOCK = 1 << 20


def copy_text(value: str | None) -> str:
    """``value`` as one column of a line in COPY's text format (``\\N`` for NULL; a
    backslash, tab, newline or carriage return escaped). Text PostgreSQL can store: no NUL."""
    if value is None:
        return COPY_NULL
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def copy_lines(
    connection: Connection, table: str, columns: Sequence[str], lines: Iterable[str]
) -> None:
    """PostgreSQL: stream rows already written as lines of COPY's text format (columns in the
    order of ``columns``, separated by tabs, each value through :func:`copy_text` or a text
    that needs no escaping, every line ending with a newline) into ``table``, inside the
    connection's transaction.

    For the bulk writers whose rows are mostly values they know the text of (ids, dates,
    codes): formatting a line costs a fraction of adapting each value through the driver's
    dumpers (:func:`copy_rows`; the nightly run writes millions, docs/benchmarks.md). Lines go
    to the server in blocks of about a megabyte."""
    raw: Any = connection.connection.driver_connection
    names = ", ".join(columns)
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        block: list[str] = []
        size = 0
        for line in lines:
            block.append(line)
            size += len(line)
            if size >= _COPY_BLOCK:
                copy.write("".join(block))
                block, size = [], 0
        if block:
            copy.write("".join(block))


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


def _sqlite_column(column_type: Any, dialect: Any, values: list[Any]) -> list[Any]:
    """One column's values as SQLite stores them, converted column-wise: UUIDs as 32 hex
    digits and dates as ISO text, exactly as SQLAlchemy's own bind processors store them (the
    contract tests read every row back through SQLAlchemy); other types through their
    processor."""
    from xs_adapters.sql.types import PendulumDate

    if isinstance(column_type, sa.Uuid):
        return [v if v is None or isinstance(v, str) else v.hex for v in values]
    if isinstance(column_type, PendulumDate) or type(column_type) is sa.Date:
        return [None if v is None else v.isoformat() for v in values]
    processor = column_type.dialect_impl(dialect).bind_processor(dialect)
    if processor is None:
        return values
    return [None if v is None else processor(v) for v in values]


def fresh_uuid_hex(count: int) -> list[str]:
    """``count`` random version-4 UUIDs as 32 hex digits, for ids that are only written
    (both engines take this form for a UUID column; far cheaper than ``uuid.UUID`` objects)."""
    raw = os.urandom(16 * count).hex()
    ids = []
    for i in range(0, 32 * count, 32):
        digits = raw[i : i + 32]
        variant = "89ab"[int(digits[16], 16) & 3]
        ids.append(f"{digits[:12]}4{digits[13:16]}{variant}{digits[17:]}")
    return ids
