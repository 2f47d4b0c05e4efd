"""API clients and idempotency keys in memory, held to the SQL store's contract (R7.1)."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable

from xs_adapters.memory.clone import clone
from xs_adapters.memory.store import MemoryStore
from xs_core.access.api_clients import (
    EXPIRED_KEYS_PER_CLAIM,
    IDEMPOTENCY_KEY_RETENTION,
    ApiClient,
    IdempotentResult,
)
from xs_core.access.model import User
from xs_core.events import Aggregate
from xs_core.organisation.units import UnitKind, UnitRef


class MemoryApiClientStore:
    def __init__(self, store: MemoryStore, track: Callable[[Aggregate], None]) -> None:
        self._s = store
        self._track = track

    def _put(self, client: ApiClient) -> None:
        stored = clone(client)
        stored.pending_events = []  # the events are the unit of work's, not the stored row's
        self._s.api_clients.put(client.id, stored)
        self._track(client)

    def add(self, client: ApiClient) -> None:
        self._put(client)

    def find(self, client_id: uuid.UUID) -> ApiClient | None:
        found = self._s.api_clients.get(client_id)
        return None if found is None else clone(found)

    def find_by_user(self, user_id: uuid.UUID) -> ApiClient | None:
        for client in self._s.api_clients.values():
            if client.user_id == user_id:
                return clone(client)
        return None

    def lock(self, client_id: uuid.UUID) -> ApiClient | None:
        return self.find(client_id)

    def save(self, client: ApiClient) -> None:
        self._put(client)

    def all_clients(self) -> list[ApiClient]:
        return sorted(
            (clone(c) for c in self._s.api_clients.values()), key=lambda c: (c.name, c.id)
        )

    def claim_key(
        self, actor: uuid.UUID, key: str, fingerprint: str, at: _dt.datetime
    ) -> IdempotentResult | None:
        cutoff = at - IDEMPOTENCY_KEY_RETENTION
        expired = sorted(
            (claimed, k) for k, (_, claimed) in self._s.idempotency_keys.items() if claimed < cutoff
        )
        for _, old in expired[:EXPIRED_KEYS_PER_CLAIM]:
            self._s.idempotency_keys.delete(old)
        found = self._s.idempotency_keys.get((actor, key))
        if found is not None and found[1] >= cutoff:
            return found[0]
        self._s.idempotency_keys.put(
            (actor, key), (IdempotentResult(fingerprint=fingerprint, result=None), at)
        )
        return None

    def complete_key(self, actor: uuid.UUID, key: str, result: str) -> None:
        found = self._s.idempotency_keys.get((actor, key))
        if found is not None:
            first, claimed = found
            self._s.idempotency_keys.put(
                (actor, key),
                (IdempotentResult(fingerprint=first.fingerprint, result=result), claimed),
            )

    def count_attempt(self, key: str, window_start: _dt.datetime) -> int:
        past = sorted((start, k) for k, start in self._s.token_attempts if start < window_start)
        for start, old in past[:EXPIRED_KEYS_PER_CLAIM]:
            self._s.token_attempts.delete((old, start))
        count = (self._s.token_attempts.get((key, window_start)) or 0) + 1
        self._s.token_attempts.put((key, window_start), count)
        return count

    def withdraw_attempt(self, key: str, window_start: _dt.datetime) -> None:
        count = self._s.token_attempts.get((key, window_start))
        if count:
            self._s.token_attempts.put((key, window_start), count - 1)

    def employer_users(self, employer_id: uuid.UUID, limit: int, offset: int) -> list[User]:
        unit = UnitRef(UnitKind.EMPLOYER, employer_id)
        technical = {c.user_id for c in self._s.api_clients.values()}

        def inside(ref: UnitRef) -> bool:
            """The employer, or one of its departments."""
            if ref.kind is UnitKind.DEPARTMENT:
                return (
                    ref.id in self._s.departments
                    and self._s.departments[ref.id].employer_id == employer_id
                )
            return ref == unit

        users = sorted(
            (
                u
                for u in self._s.users.values()
                if u.scope.units
                and all(inside(ref) for ref in u.scope.units)
                and not u.scope.everything
                and u.id not in technical
            ),
            key=lambda u: (u.email.casefold(), u.id),
        )
        return [clone(u) for u in users[offset : offset + limit]]
