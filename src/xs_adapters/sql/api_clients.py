"""API clients, idempotency keys and token attempts in SQL (R7.1).

:meth:`SqlApiClientStore.claim_key` writes the key's row with ``INSERT … ON CONFLICT DO NOTHING``
on the primary key (client, key): on PostgreSQL a concurrent claim of the same key waits for the
first transaction and then sees its committed row (or, if it rolled back, claims the key itself),
so two retries of one request never both run the use case.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from xs_adapters.sql import tables as t
from xs_adapters.sql.access import SqlUserRepository
from xs_adapters.sql.locking import lock_row
from xs_core.access.api_clients import (
    EXPIRED_KEYS_PER_CLAIM,
    IDEMPOTENCY_KEY_RETENTION,
    ApiClient,
    IdempotentResult,
)
from xs_core.access.model import User
from xs_core.events import Aggregate

_a, _k, _ta = t.api_clients, t.idempotency_keys, t.token_attempts


def client_from_row(row: Any, created_at: _dt.datetime | None = None) -> ApiClient:
    """A client from its row; ``created_at`` converted already when the row came from the
    driver (:mod:`xs_adapters.sql.actors`)."""
    return ApiClient(
        id=row.id,
        name=row.name,
        user_id=row.user_id,
        secret_hash=row.secret_hash,
        active=row.active,
        created_at=row.created_at if created_at is None else created_at,
    )


class SqlApiClientStore:
    def __init__(self, connection: Connection, track: Callable[[Aggregate], None]) -> None:
        self._c = connection
        self._track = track

    def add(self, client: ApiClient) -> None:
        self._c.execute(
            _a.insert().values(
                id=client.id,
                name=client.name,
                user_id=client.user_id,
                secret_hash=client.secret_hash,
                active=client.active,
                created_at=client.created_at,
            )
        )
        self._track(client)

    def find(self, client_id: uuid.UUID) -> ApiClient | None:
        row = self._c.execute(sa.select(_a).where(_a.c.id == client_id)).first()
        return None if row is None else client_from_row(row)

    def find_by_user(self, user_id: uuid.UUID) -> ApiClient | None:
        row = self._c.execute(sa.select(_a).where(_a.c.user_id == user_id)).first()
        return None if row is None else client_from_row(row)

    def lock(self, client_id: uuid.UUID) -> ApiClient | None:
        if not lock_row(self._c, _a, client_id):
            return None
        return self.find(client_id)

    def save(self, client: ApiClient) -> None:
        self._c.execute(
            _a.update().where(_a.c.id == client.id).values(name=client.name, active=client.active)
        )
        self._track(client)

    def all_clients(self) -> list[ApiClient]:
        return [
            client_from_row(row)
            for row in self._c.execute(sa.select(_a).order_by(_a.c.name, _a.c.id))
        ]

    def _insert(self) -> Any:
        if self._c.dialect.name == "postgresql":
            return postgresql.insert(_k)
        return sqlite.insert(_k)

    def claim_key(
        self, actor: uuid.UUID, key: str, fingerprint: str, at: _dt.datetime
    ) -> IdempotentResult | None:
        cutoff = at - IDEMPOTENCY_KEY_RETENTION
        # this key, if it expired: it is new again (a concurrent claim waits on its row lock)
        self._c.execute(
            _k.delete().where(_k.c.actor == actor, _k.c.key == key, _k.c.created_at < cutoff)
        )
        # and a few other expired keys, oldest first (by ``ix_idempotency_keys_created_at``);
        # on PostgreSQL rows another claim is deleting are skipped, not waited for
        expired = (
            sa.select(_k.c.actor, _k.c.key)
            .where(_k.c.created_at < cutoff)
            .order_by(_k.c.created_at)
            .limit(EXPIRED_KEYS_PER_CLAIM)
        )
        if self._c.dialect.name == "postgresql":
            expired = expired.with_for_update(skip_locked=True)
        self._c.execute(_k.delete().where(sa.tuple_(_k.c.actor, _k.c.key).in_(expired)))
        inserted = self._c.execute(
            self._insert()
            .values(actor=actor, key=key, fingerprint=fingerprint, created_at=at)
            .on_conflict_do_nothing(index_elements=["actor", "key"])
            .returning(_k.c.actor)
        ).first()
        if inserted is not None:
            return None
        row = self._c.execute(
            sa.select(_k.c.fingerprint, _k.c.result).where(_k.c.actor == actor, _k.c.key == key)
        ).one()
        return IdempotentResult(fingerprint=row.fingerprint, result=row.result)

    def complete_key(self, actor: uuid.UUID, key: str, result: str) -> None:
        self._c.execute(
            _k.update().where(_k.c.actor == actor, _k.c.key == key).values(result=result)
        )

    def count_attempt(self, key: str, window_start: _dt.datetime) -> int:
        # counts of earlier windows, oldest first (``ix_token_attempts_window_start``); on
        # PostgreSQL rows another attempt is deleting are skipped, not waited for
        past = (
            sa.select(_ta.c.key, _ta.c.window_start)
            .where(_ta.c.window_start < window_start)
            .order_by(_ta.c.window_start)
            .limit(EXPIRED_KEYS_PER_CLAIM)
        )
        postgres = self._c.dialect.name == "postgresql"
        if postgres:
            past = past.with_for_update(skip_locked=True)
        self._c.execute(_ta.delete().where(sa.tuple_(_ta.c.key, _ta.c.window_start).in_(past)))
        # one atomic increment (the row lock of ON CONFLICT DO UPDATE orders concurrent ones)
        insert = (postgresql.insert if postgres else sqlite.insert)(_ta)
        return int(
            self._c.execute(
                insert.values(key=key, window_start=window_start, attempts=1)
                .on_conflict_do_update(
                    index_elements=["key", "window_start"],
                    set_={"attempts": _ta.c.attempts + 1},
                )
                .returning(_ta.c.attempts)
            ).scalar_one()
        )

    def withdraw_attempt(self, key: str, window_start: _dt.datetime) -> None:
        self._c.execute(
            _ta.update()
            .where(_ta.c.key == key, _ta.c.window_start == window_start, _ta.c.attempts > 0)
            .values(attempts=_ta.c.attempts - 1)
        )

    def employer_users(self, employer_id: uuid.UUID, limit: int, offset: int) -> list[User]:
        x, u, d = t.user_scope_units, t.users, t.departments
        departments = sa.select(d.c.id).where(d.c.employer_id == employer_id)

        def inside(units: Any) -> Any:
            """A scope unit inside the employer: the employer, or one of its departments."""
            return sa.or_(
                sa.and_(units.c.unit_kind == "employer", units.c.unit_id == employer_id),
                sa.and_(units.c.unit_kind == "department", units.c.unit_id.in_(departments)),
            )

        other = x.alias("other_units")
        beyond = sa.select(other.c.user_id).where(~inside(other))
        ids = self._c.execute(
            sa.select(u.c.id)
            .where(u.c.id.in_(sa.select(x.c.user_id).where(inside(x))))
            .where(~u.c.id.in_(beyond))
            .where(~u.c.id.in_(sa.select(_a.c.user_id)))
            .order_by(u.c.email_norm, u.c.id)
            .limit(limit)
            .offset(offset)
        ).scalars()
        users = SqlUserRepository(self._c, lambda _: None)
        return [users.get(user_id) for user_id in ids]
