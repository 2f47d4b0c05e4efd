"""PostgreSQL round trips saved with psycopg 3's pipeline mode (docs/benchmarks.md, R4.3).

In pipeline mode the driver sends statements without waiting for each one's answer; the server
still runs them one after another, in the order sent, each with its own snapshot (READ
COMMITTED). So a row lock taken by one statement is held before the next statement starts and
reads: pipelining changes how often the client waits, never what the statements see or lock.

Two uses:

- :func:`pipelined_reads` — statements whose rows the caller needs, sent together and answered
  together (one round trip, the transaction's ``BEGIN`` included when it has not begun);
- :func:`batched_writes` — writes whose results nobody reads, followed by the commit: sent
  together at the commit. SQLAlchemy cannot read rows in pipeline mode (a ``SELECT`` would look
  empty), so while the block lasts the driver's cursors refuse anything but ``INSERT``,
  ``UPDATE`` and ``DELETE``. An error of a write (a key taken, a deadlock) is raised when the
  block ends, as SQLAlchemy's error: batch only writes whose errors no repository translates
  into a domain code.

psycopg is imported here only when these run (it is the ``postgres`` extra).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

_WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def _as_sqlalchemy_errors() -> Iterator[None]:
    """A driver error met in the pipeline, raised as SQLAlchemy raises it elsewhere
    (``sqlalchemy.exc.IntegrityError`` …, the driver's error as ``orig``)."""
    import psycopg

    try:
        yield
    except psycopg.Error as error:
        raise sa.exc.DBAPIError.instance(None, None, error, psycopg.Error) from error


#: ``Connection.info`` key: the transaction was begun by :func:`pipelined_reads`, not the driver.
_OWN_BEGIN = "xs_own_begin"


def _begin_statement(raw: Any) -> str | None:
    """The ``BEGIN`` the driver would send for ``raw``; ``None`` when it is not to be sent
    here (the transaction has begun, the connection is in autocommit mode, or it has
    transaction characteristics this module does not reproduce)."""
    from psycopg import IsolationLevel
    from psycopg.pq import TransactionStatus

    if raw.autocommit or raw.pgconn.transaction_status != TransactionStatus.IDLE:
        return None
    if raw.read_only is not None or raw.deferrable is not None:
        return None
    if raw.isolation_level is None:
        return "BEGIN"
    return "BEGIN ISOLATION LEVEL " + IsolationLevel(raw.isolation_level).name.replace("_", " ")


def postgres_sql(statement: Any) -> tuple[str, dict[str, Any]]:
    """A statement as psycopg's SQL (``%(name)s`` parameters, with their casts) and the values
    of its literal parameters: what :func:`pipelined_reads` sends (compile it once)."""
    from sqlalchemy.dialects.postgresql.psycopg import dialect

    compiled = statement.compile(dialect=dialect())  # type: ignore[no-untyped-call]
    return str(compiled), dict(compiled.params)


def pipelined_reads(
    connection: Connection, statements: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[list[Any]]:
    """Run ``statements`` (SQL in psycopg's ``%(name)s`` style, with their parameters) in the
    connection's transaction, sent in one go; the rows of each (named tuples), in order. An
    error of any statement is raised (the later ones are not run) and the transaction is then
    aborted, as without the pipeline.

    When the transaction has not begun on the server yet, its ``BEGIN`` goes in the same round
    trip: the driver would send its own and wait for the answer first. For that the driver's
    connection is switched to autocommit mode (the driver then sends no ``BEGIN`` of its own;
    this ``BEGIN`` opens the transaction, and commit and rollback end it as usual) until
    :func:`transaction_ended` switches it back."""
    import psycopg
    from psycopg.rows import namedtuple_row

    raw: Any = connection.connection.driver_connection
    begin = _begin_statement(raw)
    if begin is not None:
        connection.info[_OWN_BEGIN] = True
        raw.autocommit = True
    cursors = []
    with _as_sqlalchemy_errors(), raw.pipeline():
        if begin is not None:
            psycopg.Cursor(raw).execute(begin, prepare=False)
        for sql, parameters in statements:
            cursor = raw.cursor(row_factory=namedtuple_row)
            cursor.execute(sql, parameters)
            cursors.append(cursor)
    rows = [cursor.fetchall() for cursor in cursors]
    for cursor in cursors:
        cursor.close()
    return rows


def transaction_ended(connection: Connection) -> None:
    """After a commit or rollback: a driver connection that :func:`pipelined_reads` switched to
    autocommit mode is switched back. Should its transaction somehow still be open, the
    connection is invalidated rather than pooled (never handed out in autocommit mode)."""
    if connection.invalidated or not connection.info.pop(_OWN_BEGIN, False):
        return  # (an invalidated connection's driver connection is thrown away)
    from psycopg.pq import TransactionStatus

    raw: Any = connection.connection.driver_connection
    if raw is not None and raw.pgconn.transaction_status == TransactionStatus.IDLE:
        raw.autocommit = False
    else:
        connection.invalidate()


def on_checkin(dbapi_connection: Any, record: Any) -> None:
    """Pool ``checkin`` listener (PostgreSQL engines): a safety net behind
    :func:`transaction_ended` — a connection whose transaction :func:`pipelined_reads` began is
    never pooled in autocommit mode (the pool has rolled back by now)."""
    if not record.info.pop(_OWN_BEGIN, False) or dbapi_connection is None:
        return
    from psycopg.pq import TransactionStatus

    if dbapi_connection.pgconn.transaction_status == TransactionStatus.IDLE:
        dbapi_connection.autocommit = False
    else:
        record.invalidate()


@cache
def _writes_only() -> type[Any]:
    """A psycopg cursor class that refuses statements other than writes (built once, lazily)."""
    import psycopg

    class WritesOnlyCursor(psycopg.Cursor[Any]):
        @staticmethod
        def _check(query: Any) -> None:
            text = query if isinstance(query, str) else str(query)
            if not text.lstrip()[:6].upper().startswith(_WRITES):
                raise RuntimeError(
                    "only INSERT, UPDATE and DELETE inside batched_writes(): its results are "
                    f"not read back (got {text[:40]!r})"
                )

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            self._check(query)
            return super().execute(query, params, **kwargs)

        def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:
            self._check(query)
            super().executemany(query, params_seq, **kwargs)

    return WritesOnlyCursor


class WriteBatch:
    """The open pipeline of :func:`batched_writes`; :meth:`commit` queues the ``COMMIT``."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self.committing = False

    def commit(self) -> None:
        """Queue ``COMMIT`` behind the writes: it is sent with them when the block ends, and
        the block's end raises whatever error a write or the commit met."""
        import psycopg

        psycopg.Cursor(self._raw).execute("COMMIT", prepare=False)
        self.committing = True


@contextmanager
def batched_writes(connection: Connection) -> Iterator[WriteBatch]:
    """The writes of the block and a :meth:`WriteBatch.commit` at its end in one round trip
    (PostgreSQL): the driver's cursors refuse reads meanwhile; after the block the connection
    is told of the commit (no statement: the transaction has ended on the server)."""
    raw: Any = connection.connection.driver_connection
    factory = raw.cursor_factory
    raw.cursor_factory = _writes_only()
    batch = WriteBatch(raw)
    try:
        with _as_sqlalchemy_errors(), raw.pipeline():
            yield batch
    finally:
        raw.cursor_factory = factory
    if batch.committing:
        transaction_ended(connection)
        connection.commit()  # the driver sees the transaction ended: it sends nothing
