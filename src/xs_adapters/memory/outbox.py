"""The in-memory outbox and its consumption by subscriptions, held to the SQL outbox's contract
(R0.7, :mod:`xs_core.outbox`).

Message ids run 1, 2, 3, … in commit order. A subscription's position says that every message up
to it is acknowledged; a claim record holds the lease (or the acknowledgement) of a message after
it. The store's lock makes every claim and acknowledgement one at a time.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator, Sequence

import attrs

from xs_adapters.memory.clone import clone
from xs_adapters.memory.store import ClaimRecord, MemoryStore, OutboxRecord
from xs_core.errors import NotFound
from xs_core.events import DomainEvent, OutboxMessage


def _utc(at: _dt.datetime) -> _dt.datetime:
    return at.astimezone(_dt.UTC)


class MemoryOutbox:
    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    def write(self, events: Sequence[DomainEvent], at: _dt.datetime) -> None:
        outbox, stamp = self._s.outbox, _utc(at)
        for event in events:
            ident = len(outbox) + 1
            outbox.put(
                ident,
                OutboxRecord(
                    id=ident,
                    name=event.name,
                    version=event.version,
                    payload=event.payload(),
                    occurred_at=stamp,
                ),
            )

    def _message(self, ident: int, attempts: int = 0) -> OutboxMessage:
        m = self._s.outbox[ident]
        return OutboxMessage(
            m.id, m.name, clone(m.payload), m.occurred_at, version=m.version, attempts=attempts
        )

    def _after(self, subscription: str) -> Iterator[tuple[int, ClaimRecord | None]]:
        """The messages after the subscription's position, with their claims, oldest first."""
        position = self._s.outbox_positions.get(subscription) or 0
        claims = self._s.outbox_claims
        for ident in range(position + 1, len(self._s.outbox) + 1):
            yield ident, claims.get((subscription, ident))

    def pending(self, limit: int, subscription: str) -> list[OutboxMessage]:
        found: list[OutboxMessage] = []
        for ident, claim in self._after(subscription):
            if len(found) >= limit:
                break
            if claim is None or not claim.acknowledged:
                found.append(self._message(ident))
        return found

    def claim(
        self,
        subscription: str,
        consumer: str,
        limit: int,
        now: _dt.datetime,
        lease_until: _dt.datetime,
    ) -> list[OutboxMessage]:
        if subscription not in self._s.outbox_positions:
            self._s.outbox_positions.put(subscription, 0)
        taken: list[tuple[int, ClaimRecord]] = []
        for ident, claim in self._after(subscription):
            if len(taken) >= limit:
                break
            if claim is None:
                taken.append((ident, ClaimRecord(consumer, _utc(lease_until), 1, False)))
            elif (
                not claim.acknowledged
                and claim.lease_until is not None
                and claim.lease_until <= now
            ):
                renewed = ClaimRecord(consumer, _utc(lease_until), claim.attempts + 1, False)
                taken.append((ident, renewed))
        for ident, record in taken:
            self._s.outbox_claims.put((subscription, ident), record)
        return [self._message(ident, record.attempts) for ident, record in taken]

    def defer(
        self, subscription: str, consumer: str, message_ids: Sequence[int], until: _dt.datetime
    ) -> int:
        held = 0
        for ident in set(message_ids):
            claim = self._s.outbox_claims.get((subscription, ident))
            if claim is not None and not claim.acknowledged and claim.consumer == consumer:
                self._s.outbox_claims.put(
                    (subscription, ident), attrs.evolve(claim, lease_until=_utc(until))
                )
                held += 1
        return held

    def acknowledge(self, subscription: str, message_ids: Sequence[int]) -> None:
        if not message_ids:
            return
        unknown = sorted(i for i in set(message_ids) if i not in self._s.outbox)
        if unknown:
            raise NotFound("outbox.unknown_message", {"ids": [str(i) for i in unknown[:20]]})
        positions, claims = self._s.outbox_positions, self._s.outbox_claims
        position = positions.get(subscription)
        if position is None:
            position = 0
            positions.put(subscription, 0)
        for ident in set(message_ids):
            if ident > position:
                claim = claims.get((subscription, ident))
                record = (
                    ClaimRecord(None, None, 0, True)
                    if claim is None
                    else attrs.evolve(claim, acknowledged=True, lease_until=None)
                )
                claims.put((subscription, ident), record)
        target = position
        while (found := claims.get((subscription, target + 1))) is not None and found.acknowledged:
            target += 1
            claims.delete((subscription, target))
        if target > position:
            positions.put(subscription, target)
