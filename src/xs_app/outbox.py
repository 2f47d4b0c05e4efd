"""The outbox as an embedding service consumes it (R0.7): ``xs.outbox``.

Every committed domain event waits in the outbox until each subscription that needs it has
acknowledged it. Several processes may consume one subscription at once — each claims a batch
with a lease, handles it, and acknowledges what it handled; a message whose lease runs out
unacknowledged (the consumer died) is handed out again, so delivery is at least once and a
handler should be idempotent by :attr:`OutboxMessage.id`. Subscriptions are independent: each
reads every message once.

>>> import datetime as dt
>>> from xs_app import bootstrap
>>> xs = bootstrap(storage="memory")
>>> _ = xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
>>> batch = xs.outbox.claim(consumer="mailer-1", lease=dt.timedelta(seconds=30))
>>> [(m.name, m.attempts) for m in batch]
[('UserCreated', 1)]
>>> xs.outbox.acknowledge([m.id for m in batch])
>>> xs.outbox.claim(consumer="mailer-1")
[]
>>> [m.name for m in xs.outbox.claim(consumer="audit-1", subscription="audit")]
['UserCreated']

The outbox is infrastructure of the embedding service, like :meth:`Xs.unit_of_work`: it takes no
actor (the events are the application's own record of what happened).
"""

from __future__ import annotations

import datetime as _dt
import warnings
from collections.abc import Callable, Iterable

from xs_app.services.base import UowFactory
from xs_core.clock import Clock
from xs_core.events import DEFAULT_SUBSCRIPTION, OutboxMessage
from xs_core.outbox import valid_batch, valid_ids, valid_lease, valid_name

#: How long a claim holds its messages unless the consumer says otherwise.
DEFAULT_LEASE = _dt.timedelta(seconds=60)


class OutboxConsumer:
    """Claim, handle and acknowledge committed domain events (R0.7)."""

    def __init__(self, uow_factory: UowFactory, clock: Clock) -> None:
        self._uow = uow_factory
        self._clock = clock

    def claim(
        self,
        *,
        consumer: str,
        limit: int = 100,
        lease: _dt.timedelta = DEFAULT_LEASE,
        subscription: str = DEFAULT_SUBSCRIPTION,
    ) -> list[OutboxMessage]:
        """Lease up to ``limit`` of the oldest messages ``subscription`` has not acknowledged
        and nobody else holds; they come back to any consumer once ``lease`` has passed
        without an acknowledgement."""
        valid_name(consumer, "consumer")
        valid_name(subscription, "subscription")
        valid_batch(limit)
        valid_lease(lease)
        now = self._clock.now()
        with self._uow() as uow:
            claimed = uow.outbox.claim(subscription, consumer, limit, now, now + lease)
            uow.commit()
            return claimed

    def acknowledge(
        self, message_ids: Iterable[int], *, subscription: str = DEFAULT_SUBSCRIPTION
    ) -> None:
        """The messages are handled for ``subscription``: never handed out to it again.
        Unknown ids are refused (``outbox.unknown_message``) and nothing is acknowledged."""
        valid_name(subscription, "subscription")
        ids = valid_ids(message_ids)
        with self._uow() as uow:
            uow.outbox.acknowledge(subscription, ids)
            uow.commit()

    def pending(
        self, limit: int = 100, *, subscription: str = DEFAULT_SUBSCRIPTION
    ) -> list[OutboxMessage]:
        """The oldest messages ``subscription`` has not acknowledged, claimed or not (a look;
        nothing is leased)."""
        valid_name(subscription, "subscription")
        valid_batch(limit)
        with self._uow(write=False) as uow:
            return uow.outbox.pending(limit, subscription)

    def consume(
        self,
        handler: Callable[[OutboxMessage], None],
        *,
        consumer: str,
        limit: int = 100,
        lease: _dt.timedelta = DEFAULT_LEASE,
        subscription: str = DEFAULT_SUBSCRIPTION,
    ) -> int:
        """Claim a batch, hand each message to ``handler`` in order and acknowledge the ones it
        handled; the number handled. When ``handler`` raises, what it handled before is
        acknowledged and the exception propagates: the rest comes back after the lease."""
        batch = self.claim(consumer=consumer, limit=limit, lease=lease, subscription=subscription)
        done: list[int] = []
        try:
            for message in batch:
                handler(message)
                done.append(message.id)
        finally:
            if done:
                self.acknowledge(done, subscription=subscription)
        return len(done)

    def mark_dispatched(self, message_ids: list[int]) -> None:
        """Deprecated: :meth:`acknowledge` for the ``default`` subscription."""
        warnings.warn(
            "outbox.mark_dispatched(ids) is deprecated; use outbox.acknowledge(ids)",
            DeprecationWarning,
            stacklevel=2,
        )
        self.acknowledge(message_ids)
