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
    for name, value in settings.items():
        connection.execute(sa.text(f"SET LOCAL {name} = {value}"))
    try:
        yield
    finally:
        for name in settings:
            connection.execute(sa.text(f"SET LOCAL {name} = DEFAULT"))
