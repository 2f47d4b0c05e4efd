"""Steering PostgreSQL's planner for one statement (``SET LOCAL``), where its estimates cannot
know better (rows written earlier in the same transaction, skewed scopes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection


@contextmanager
def planner(connection: Connection, **settings: str) -> Iterator[None]:
    """PostgreSQL: apply ``settings`` to the statements inside the block, then restore them
    (SQLite: nothing)."""
    if connection.dialect.name != "postgresql":
        yield
        return
    # one round trip each way: set_config(..., true) is SET LOCAL
    names = list(settings)
    connection.execute(
        sa.text(
            "SELECT " + ", ".join(f"set_config(:n{i}, :v{i}, true)" for i in range(len(names)))
        ),
        {
            **{f"n{i}": n for i, n in enumerate(names)},
            **{f"v{i}": settings[n] for i, n in enumerate(names)},
        },
    )
    try:
        yield
    finally:
        # back to the session's values (SET LOCAL … TO DEFAULT)
        connection.execute(
            sa.text(
                "SELECT set_config(name, reset_val, true) FROM pg_settings WHERE name IN :names"
            ).bindparams(sa.bindparam("names", expanding=True)),
            {"names": names},
        )
