"""Who acts, read at once (R0.6, R7.1): :class:`~xs_core.access.ports.ActorReader` in SQL.

Every use case first asks the authoriser who acts: the user with their roles and scope units,
their roles' features, and for an API client's request the client. Read one after another
that is three or four round trips on PostgreSQL (the transaction's ``BEGIN``, the client, the
user, the roles), each read needing the previous one's answer. Here the later reads find
their keys themselves (the user through the client's row, the roles through the user's role
links), so PostgreSQL gets them in one pipeline, ``BEGIN`` included
(:func:`~xs_adapters.sql.pipeline.pipelined_reads`): one round trip. The server still runs
them in order, each with its own snapshot (READ COMMITTED), as separate statements would.
SQLite reads through the repositories (no network between the process and its data), and so
does a PostgreSQL connection whose driver is not psycopg (the pipeline is psycopg's).

Because each statement has its own snapshot, a link between the user and a role committed
between the user's read and the roles' read would mix two states: the roles of the links as
the second statement sees them beside a user row that links others. The facts follow the
user row as read (R0.6): a role it does not link is dropped from the roles read, and a role it
links that the roles' read did not return (the link removed meanwhile) is read by its id.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xs_adapters.sql import tables as t
from xs_adapters.sql.access import roles_from_rows, user_from_rows, user_with_links
from xs_adapters.sql.api_clients import client_from_row
from xs_adapters.sql.pipeline import pipelined_reads, postgres_sql
from xs_adapters.sql.types import UtcDateTime
from xs_core.access.actors import RepositoryActors, in_order
from xs_core.access.model import Role
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
        self._pipelined = uses_pipeline(connection)

    def user_acting(self, user_id: uuid.UUID) -> ActingFacts:
        if not self._pipelined:
            return self._repositories.user_acting(user_id)
        values = {"user_id": user_id}
        user_rows, role_rows = pipelined_reads(
            self._c, [(sql, {**literals, **values}) for sql, literals in _user_sql()]
        )
        return _facts(user_rows, role_rows, self._repositories.roles)

    def client_acting(self, client_id: uuid.UUID) -> ActingFacts:
        if not self._pipelined:
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
        facts = _facts(user_rows, role_rows, self._repositories.roles)
        return ActingFacts(user=facts.user, roles=facts.roles, client=client)


def uses_pipeline(connection: Connection) -> bool:
    """The reader reads in one pipeline on ``connection``: PostgreSQL through psycopg 3 (any
    other driver reads through the repositories)."""
    return connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg"


def _facts(
    user_rows: list[Any],
    role_rows: list[Any],
    roles_by_id: Callable[[Iterable[uuid.UUID]], list[Role]],
) -> ActingFacts:
    """The facts of the user row as read (R0.6): of the roles read, those it links; the roles
    it links that were not read (the link removed after the user's read) read by id."""
    if not user_rows:
        return ActingFacts(user=None)
    user = user_from_rows(user_rows)
    roles = {role.id: role for role in roles_from_rows(role_rows) if role.id in user.role_ids}
    missing = user.role_ids - roles.keys()
    if missing:
        roles.update((role.id, role) for role in roles_by_id(sorted(missing)))
    return ActingFacts(user=user, roles=in_order(roles.values()))
