"""Consuming the outbox (R0.7): subscriptions, claims with a lease, acknowledgements.

Every committed domain event is an outbox message. A *subscription* is a named reader that needs
every message once (e.g. ``mailer``, ``audit``); any number of *consumers* (processes, threads)
may work for one subscription at once:

* a consumer **claims** a batch: the oldest messages the subscription has not acknowledged and
  nobody holds a live lease on; each claimed message is leased to it until ``lease_until``;
* it handles them and **acknowledges** them by id; an acknowledged message is never handed out
  again to that subscription;
* a message whose lease expired unacknowledged (the consumer crashed or gave up) is claimable
  again: delivery is *at least once*, and ``attempts`` counts the deliveries.

On PostgreSQL two consumers never claim the same message at once (``FOR UPDATE SKIP LOCKED``);
on SQLite the writer lock serialises claims; the memory store holds one lock.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

from xs_core import limits
from xs_core.errors import InvalidInput, NotFound, register_messages

#: The longest lease a claim may take.
MAX_LEASE = _dt.timedelta(days=1)
#: The most messages one claim hands out.
MAX_BATCH = 10_000

register_messages(
    {
        "outbox.invalid_name": (
            "Ongeldige naam voor {field}: 1 tot {maximum} letters, cijfers, '.', '_', ':' of '-'.",
            "Invalid {field}: 1 to {maximum} letters, digits, '.', '_', ':' or '-'.",
        ),
        "outbox.invalid_lease": (
            "Een lease duurt langer dan 0 en hoogstens {maximum} seconden.",
            "A lease lasts more than 0 and at most {maximum} seconds.",
        ),
        "outbox.invalid_batch": (
            "Een claim vraagt 1 tot {maximum} berichten.",
            "A claim asks for 1 to {maximum} messages.",
        ),
    },
    kind=InvalidInput,
)
register_messages(
    {
        "outbox.unknown_message": (
            "Onbekende outboxberichten: {ids}.",
            "Unknown outbox messages: {ids}.",
        ),
    },
    kind=NotFound,
)

_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-")


def valid_name(value: object, field: str) -> str:
    """A subscription or consumer name: 1 to 100 of ``[A-Za-z0-9._:-]``."""
    if (
        not isinstance(value, str)
        or not 0 < len(value) <= limits.EVENT_NAME
        or not set(value) <= _NAME_CHARACTERS
    ):
        raise InvalidInput("outbox.invalid_name", {"field": field, "maximum": limits.EVENT_NAME})
    return value


def valid_lease(lease: object) -> _dt.timedelta:
    if not isinstance(lease, _dt.timedelta) or not _dt.timedelta(0) < lease <= MAX_LEASE:
        raise InvalidInput("outbox.invalid_lease", {"maximum": int(MAX_LEASE.total_seconds())})
    return lease


def valid_batch(limit: object) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= MAX_BATCH:
        raise InvalidInput("outbox.invalid_batch", {"maximum": MAX_BATCH})
    return limit


def valid_ids(message_ids: Iterable[object]) -> list[int]:
    """Message ids: positive whole numbers (others are unknown messages)."""
    ids: set[int] = set()
    wrong: list[str] = []
    for ident in message_ids:
        if isinstance(ident, bool) or not isinstance(ident, int) or ident < 1:
            wrong.append(str(ident))
        else:
            ids.add(ident)
    if wrong:
        raise NotFound("outbox.unknown_message", {"ids": wrong[:20]})
    return sorted(ids)
