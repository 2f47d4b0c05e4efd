"""The transactional outbox (R0.7)."""

from __future__ import annotations

from collections.abc import Sequence

import pendulum
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xs_adapters.sql.tables import outbox
from xs_core.clock import Clock
from xs_core.events import DomainEvent, OutboxMessage


class SqlOutbox:
    def __init__(self, connection: Connection, clock: Clock) -> None:
        self._c = connection
        self._clock = clock

    def write(self, events: Sequence[DomainEvent], at: pendulum.DateTime) -> None:
        rows = [{"name": ev.name, "payload": ev.payload(), "occurred_at": at} for ev in events]
        if rows:
            self._c.execute(outbox.insert(), rows[0] if len(rows) == 1 else rows)

    def pending(self, limit: int = 100) -> list[OutboxMessage]:
        rows = self._c.execute(
            sa.select(outbox)
            .where(outbox.c.dispatched_at.is_(None))
            .order_by(outbox.c.id)
            .limit(limit)
        )
        return [OutboxMessage(r.id, r.name, r.payload, r.occurred_at) for r in rows]

    def mark_dispatched(self, message_ids: list[int]) -> None:
        if message_ids:
            self._c.execute(
                outbox.update()
                .where(outbox.c.id.in_(message_ids))
                .values(dispatched_at=self._clock.now())
            )
