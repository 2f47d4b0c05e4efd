"""The transactional outbox and its consumption by subscriptions (R0.7, :mod:`xs_core.outbox`).

A subscription's row holds its *position*: every message up to it is acknowledged. The messages
after it that are leased or acknowledged have a claim row. Claims read the position under a
shared lock (PostgreSQL ``FOR SHARE``) and lock the outbox rows they take with ``FOR UPDATE SKIP
LOCKED``, so that consumers claiming at once take disjoint batches; acknowledging locks the
subscription row (``FOR UPDATE``) while it advances the position and forgets the claims behind
it, so a claim never reads a position older than the claims it relies on. SQLite's writing unit
of work holds the database's write lock for all of it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from xs_adapters.sql.copy import COPY_FROM, copy_lines, copy_rows, copy_text
from xs_adapters.sql.tables import outbox, outbox_claims, outbox_subscriptions
from xs_core.clock import Clock
from xs_core.errors import NotFound
from xs_core.events import DomainEvent, OutboxMessage

_o, _c, _s = outbox, outbox_claims, outbox_subscriptions
_COLUMNS = ("name", "version", "payload", "occurred_at")


def _message(row: Any, attempts: int = 0) -> OutboxMessage:
    return OutboxMessage(
        row.id, row.name, row.payload, row.occurred_at, version=row.version, attempts=attempts
    )


class SqlOutbox:
    def __init__(self, connection: Connection, clock: Clock) -> None:
        self._c = connection
        self._clock = clock
        self._postgres = connection.dialect.name == "postgresql"

    def _insert(self) -> Any:
        return (postgresql if self._postgres else sqlite).insert

    def write(self, events: Sequence[DomainEvent], at: _dt.datetime) -> None:
        """The events as outbox rows, through the driver (``executemany``; PostgreSQL ``COPY``
        from :data:`~xs_adapters.sql.copy.COPY_FROM` rows on): each value goes through its column
        type's own bind processing (the JSON payload, the UTC instant — converted once for all
        rows), without SQLAlchemy's per-row statement processing; the nightly evaluation writes
        millions (docs/benchmarks.md)."""
        if not events:
            return
        dialect = self._c.dialect
        payload = _o.c.payload.type._cached_bind_processor(dialect)
        instant = _o.c.occurred_at.type._cached_bind_processor(dialect)
        when = at if instant is None else instant(at)
        # the JSON text of each event that writes its own (the nightly run's millions)
        texts = [ev.payload_text() for ev in events]
        if self._postgres and len(events) >= COPY_FROM and self._copy_texts(events, texts, when):
            return
        rows = [
            (
                ev.name,
                ev.version,
                # an event that writes its JSON text itself (the nightly run's millions) is
                # stored as that text: the column is JSON text on both engines
                text
                if text is not None
                else ev.payload()
                if payload is None
                else payload(ev.payload()),
                when,
            )
            for ev, text in zip(events, texts, strict=True)
        ]
        if self._postgres and len(rows) >= COPY_FROM:
            copy_rows(self._c, "outbox", _COLUMNS, rows)
            return
        mark = "%s" if self._postgres else "?"
        json = "::json" if self._postgres else ""
        self._c.exec_driver_sql(
            f"INSERT INTO outbox ({', '.join(_COLUMNS)}) "
            f"VALUES ({mark}, {mark}, {mark}{json}, {mark})",
            rows if len(rows) > 1 else rows[0],
        )

    def _copy_texts(
        self, events: Sequence[DomainEvent], texts: Sequence[str | None], when: Any
    ) -> bool:
        """PostgreSQL: events that all write their JSON text themselves (the nightly run's
        millions, :meth:`DomainEvent.payload_text`) as lines of COPY's text format
        (:func:`~xs_adapters.sql.copy.copy_lines`: the name, version and instant written once,
        not dumped per row); ``False``, writing nothing, when one of them does not."""
        if any(text is None for text in texts):
            return False
        tail = f"\t{when.isoformat()}\n"
        heads: dict[tuple[str, int], str] = {}
        lines = []
        for ev, text in zip(events, texts, strict=True):
            head = heads.get((ev.name, ev.version))
            if head is None:
                head = heads[ev.name, ev.version] = f"{copy_text(ev.name)}\t{ev.version}\t"
            lines.append(f"{head}{copy_text(text)}{tail}")
        copy_lines(self._c, "outbox", _COLUMNS, lines)
        return True

    # -- subscriptions ---------------------------------------------------------------------------

    def _position(self, subscription: str, lock: str | None) -> int:
        """The subscription's position (made at 0 on first use); ``lock``: ``"share"`` for a
        claim, ``"update"`` for an acknowledgement (PostgreSQL)."""
        self._c.execute(
            self._insert()(_s).values(name=subscription, position=0).on_conflict_do_nothing()
        )
        query = sa.select(_s.c.position).where(_s.c.name == subscription)
        if self._postgres and lock is not None:
            query = query.with_for_update(read=lock == "share")
        return int(self._c.execute(query).scalar_one())

    def _peek_position(self, subscription: str) -> int:
        found = self._c.execute(sa.select(_s.c.position).where(_s.c.name == subscription)).scalar()
        return 0 if found is None else int(found)

    # -- reading and claiming ----------------------------------------------------------------------

    def pending(self, limit: int, subscription: str) -> list[OutboxMessage]:
        position = self._peek_position(subscription)
        acknowledged = (
            sa.select(_c.c.message_id)
            .where(_c.c.subscription == subscription, _c.c.message_id == _o.c.id, _c.c.acknowledged)
            .exists()
        )
        query = (
            sa.select(_o).where(_o.c.id > position, ~acknowledged).order_by(_o.c.id).limit(limit)
        )
        return [_message(r) for r in self._c.execute(query)]

    def claim(
        self,
        subscription: str,
        consumer: str,
        limit: int,
        now: _dt.datetime,
        lease_until: _dt.datetime,
    ) -> list[OutboxMessage]:
        position = self._position(subscription, "share")
        joined = _o.outerjoin(
            _c, sa.and_(_c.c.subscription == subscription, _c.c.message_id == _o.c.id)
        )
        free = sa.or_(
            _c.c.message_id.is_(None),
            sa.and_(~_c.c.acknowledged, _c.c.lease_until <= now),
        )
        query = (
            sa.select(_o)
            .select_from(joined)
            .where(_o.c.id > position, free)
            .order_by(_o.c.id)
            .limit(limit)
        )
        if self._postgres:
            query = query.with_for_update(of=_o, skip_locked=True)
        rows = list(self._c.execute(query))
        if rows and self._postgres:
            # SKIP LOCKED skips only rows locked *now*: a claim that committed between this
            # statement's snapshot and its taking the lock is not seen by the join. Now that
            # the rows are ours, a fresh statement sees every claim committed before.
            taken = set(
                self._c.execute(
                    sa.select(_c.c.message_id).where(
                        _c.c.subscription == subscription,
                        _c.c.message_id.in_([r.id for r in rows]),
                        sa.or_(_c.c.acknowledged, _c.c.lease_until > now),
                    )
                ).scalars()
            )
            rows = [r for r in rows if r.id not in taken]
        if not rows:
            return []
        insert = self._insert()(_c)
        statement = insert.on_conflict_do_update(
            index_elements=[_c.c.subscription, _c.c.message_id],
            set_={
                "consumer": insert.excluded.consumer,
                "lease_until": insert.excluded.lease_until,
                "attempts": _c.c.attempts + 1,
            },
        ).returning(_c.c.message_id, _c.c.attempts)
        attempts = dict(
            self._c.execute(
                statement,
                [
                    {
                        "subscription": subscription,
                        "message_id": r.id,
                        "consumer": consumer,
                        "lease_until": lease_until,
                        "attempts": 1,
                        "acknowledged": False,
                    }
                    for r in rows
                ],
            ).all()
        )
        return [_message(r, attempts[r.id]) for r in rows]

    def defer(
        self, subscription: str, consumer: str, message_ids: Sequence[int], until: _dt.datetime
    ) -> int:
        """Hold the consumer's unacknowledged claims on ``message_ids`` until ``until`` (a
        retry's back-off); how many were held."""
        if not message_ids:
            return 0
        result = self._c.execute(
            _c.update()
            .where(
                _c.c.subscription == subscription,
                _c.c.consumer == consumer,
                _c.c.message_id.in_(list(message_ids)),
                ~_c.c.acknowledged,
            )
            .values(lease_until=until)
        )
        return int(result.rowcount)

    # -- acknowledging -----------------------------------------------------------------------------

    def acknowledge(self, subscription: str, message_ids: Sequence[int]) -> None:
        if not message_ids:
            return
        known = set(self._c.execute(sa.select(_o.c.id).where(_o.c.id.in_(message_ids))).scalars())
        unknown = sorted(set(message_ids) - known)
        if unknown:
            raise NotFound("outbox.unknown_message", {"ids": [str(i) for i in unknown[:20]]})
        position = self._position(subscription, "update")
        after = [i for i in message_ids if i > position]
        if after:
            insert = self._insert()(_c)
            self._c.execute(
                insert.on_conflict_do_update(
                    index_elements=[_c.c.subscription, _c.c.message_id],
                    set_={"acknowledged": True, "lease_until": None},
                ),
                [
                    {
                        "subscription": subscription,
                        "message_id": i,
                        "consumer": None,
                        "lease_until": None,
                        "attempts": 0,
                        "acknowledged": True,
                    }
                    for i in after
                ],
            )
        self._advance(subscription, position)

    def _advance(self, subscription: str, position: int) -> None:
        """Move the position past every acknowledged message that directly follows it, and
        forget their claims."""
        mine = _c.c.subscription == subscription
        first_open = self._c.execute(
            sa.select(sa.func.min(_c.c.message_id)).where(mine, ~_c.c.acknowledged)
        ).scalar()
        claimed = sa.select(_c.c.message_id).where(mine, _c.c.message_id == _o.c.id).exists()
        first_unclaimed = self._c.execute(
            sa.select(sa.func.min(_o.c.id)).where(_o.c.id > position, ~claimed)
        ).scalar()
        gaps = [i for i in (first_open, first_unclaimed) if i is not None]
        if gaps:
            target = min(gaps) - 1
        else:  # everything after the position is acknowledged
            target = self._c.execute(sa.select(sa.func.max(_c.c.message_id)).where(mine)).scalar()
        if target is None or target <= position:
            return
        self._c.execute(_c.delete().where(mine, _c.c.message_id <= target))
        self._c.execute(_s.update().where(_s.c.name == subscription).values(position=target))
