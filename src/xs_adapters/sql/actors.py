"""Who acts, read at once (R0.6, R7.1): :class:`~xs_core.access.ports.ActorReader` in SQL.

Every use case first asks the authoriser who acts: the user with their roles and scope units,
their roles' features, and for an API client's request the client. Read one after another
that is three or four round trips on PostgreSQL (the transaction's ``BEGIN``, the client, the
user, the roles), each read needing the previous one's answer. Here the later reads find
their keys themselves (the user through the client's row, the roles through the user's role
links), so PostgreSQL gets them in one pipeline, ``BEGIN`` included
(:func:`~xs_adapters.sql.pipeline.pipelined_reads`): one round trip. The server still runs
them in order, each with its own snapshot (READ COMMITTED), as separate statements would.
SQLite reads through the repositories (no network between the process and its data).
"""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xs_adapters.sql import tables as t
from xs_adapters.sql.access import roles_from_rows, user_from_rows, user_with_links
from xs_adapters.sql.api_clients import client_from_row
from xs_adapters.sql.pipeline import pipelined_reads, postgres_sql
from xs_adapters.sql.types import UtcDateTime
from xs_core.access.actors import RepositoryActors
from xs_core.access.ports import ActingFacts

_a, _ur = t.api_clients, t.user_roles
_USER = sa.bindparam("user_id", type_=sa.Uuid)
_CLIENT = sa.bindparam("client_id", type_=sa.Uuid)


def _roles_of(user: Any) -> sa.Select[Any]:
    """The roles (one row per feature) linked to ``user`` (a value or a scalar subquery)."""
    return (
        sa.select(t.roles, t.role_features.c.feature)
        .outerjoin(t.role_features, t.role_features.c.role_id == t.roles.c.id)
        .where(t.roles.c.id.in_(sa.select(_ur.c.role_id).where(_ur.c.user_id == user)))
    )


@cache
def _user_sql() -> list[tuple[str, dict[str, Any]]]:
    """A user acting: the user with links; their roles. Compiled once, on first use."""
    return [postgres_sql(user_with_links(t.users.c.id == _USER)), postgres_sql(_roles_of(_USER))]


@cache
def _client_sql() -> list[tuple[str, dict[str, Any]]]:
    """An API client acting: the client; its user with links; that user's roles."""
    user = sa.select(_a.c.user_id).where(_a.c.id == _CLIENT).scalar_subquery()
    return [
        postgres_sql(sa.select(_a).where(_a.c.id == _CLIENT)),
        postgres_sql(user_with_links(t.users.c.id == user)),
        postgres_sql(_roles_of(user)),
    ]


_INSTANT = UtcDateTime()


class SqlActorReader:
    """:class:`~xs_core.access.ports.ActorReader` (R0.6): one round trip on PostgreSQL."""

    def __init__(self, connection: Connection, repositories: RepositoryActors) -> None:
        self._c = connection
        self._repositories = repositories
        self._postgres = connection.dialect.name == "postgresql"

    def user_acting(self, user_id: uuid.UUID) -> ActingFacts:
        if not self._postgres:
            return self._repositories.user_acting(user_id)
        values = {"user_id": user_id}
        user_rows, role_rows = pipelined_reads(
            self._c, [(sql, {**literals, **values}) for sql, literals in _user_sql()]
        )
        return _facts(user_rows, role_rows)

    def client_acting(self, client_id: uuid.UUID) -> ActingFacts:
        if not self._postgres:
            return self._repositories.client_acting(client_id)
        values = {"client_id": client_id}
        client_rows, user_rows, role_rows = pipelined_reads(
            self._c, [(sql, {**literals, **values}) for sql, literals in _client_sql()]
        )
        if not client_rows:
            return ActingFacts(user=None)
        row = client_rows[0]
        client = client_from_row(
            row, created_at=_INSTANT.process_result_value(row.created_at, self._c.dialect)
        )
        if not client.active:  # an inactive client's user acts for nobody
            return ActingFacts(user=None, client=client)
        facts = _facts(user_rows, role_rows)
        return ActingFacts(user=facts.user, roles=facts.roles, client=client)


def _facts(user_rows: list[Any], role_rows: list[Any]) -> ActingFacts:
    if not user_rows:
        return ActingFacts(user=None)
    return ActingFacts(user=user_from_rows(user_rows), roles=tuple(roles_from_rows(role_rows)))
