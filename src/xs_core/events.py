"""Domain events and the aggregate base that records them (R0.7).

Aggregates record events as they change; the unit of work collects them from every aggregate it
saw and writes them to the outbox in the same transaction, so that an embedding service can read
them after commit (transactional outbox).
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from decimal import Decimal
from typing import Any, ClassVar

import attrs


@attrs.frozen(kw_only=True)
class DomainEvent:
    """Something that happened. Subclasses set ``name`` (stable: consumers dispatch on it) and
    ``version`` (raised when the payload changes incompatibly) and add their facts as
    attributes; ``docs/events.md`` lists every event with its payload schema."""

    name: ClassVar[str] = "DomainEvent"
    version: ClassVar[int] = 1

    def payload(self) -> dict[str, Any]:
        """The event's facts as JSON-ready values (dates ISO, ids and decimals as strings)."""
        return {key: _jsonable(value) for key, value in attrs.asdict(self, recurse=False).items()}

    def payload_text(self) -> str | None:
        """The payload already as JSON text — exactly ``json.dumps(self.payload())`` — for an
        event published by the million that writes it faster itself; ``None`` (the default):
        the outbox serialises :meth:`payload`."""
        return None


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if attrs.has(type(value)):
        return {k: _jsonable(v) for k, v in attrs.asdict(value, recurse=False).items()}
    return str(value)


@attrs.define(kw_only=True)
class Aggregate:
    """Base of aggregates: records domain events until the unit of work pulls them (R0.7)."""

    pending_events: list[DomainEvent] = attrs.field(factory=list, init=False, eq=False, repr=False)

    def record(self, event: DomainEvent) -> None:
        self.pending_events.append(event)

    def pull_events(self) -> list[DomainEvent]:
        events, self.pending_events = self.pending_events, []
        return events


#: The subscription of consumers that do not name one.
DEFAULT_SUBSCRIPTION = "default"


@attrs.frozen
class OutboxMessage:
    """A committed event as stored in the outbox (R0.7).

    ``id`` increases with every message and identifies it for acknowledging (a handler can be
    idempotent by it); ``occurred_at`` is the commit's instant in UTC; ``attempts`` is how many
    times it has been handed out to the claiming subscription (1 on the first delivery; more
    after an expired lease)."""

    id: int
    name: str
    payload: dict[str, Any]
    occurred_at: _dt.datetime
    version: int = 1
    attempts: int = 0


class EventCollector:
    """What a unit of work needs of events (R0.7): the aggregates it saw, by identity, and the
    events published without an aggregate; collected on commit, discarded on rollback."""

    def __init__(self) -> None:
        self._seen: dict[int, Aggregate] = {}
        self._published: list[DomainEvent] = []

    def track(self, aggregate: Aggregate) -> None:
        self._seen.setdefault(id(aggregate), aggregate)

    def publish(self, event: DomainEvent) -> None:
        self._published.append(event)

    def collect(self) -> list[DomainEvent]:
        """Every pending event, in order of first sight of its aggregate; then forget them."""
        events = [event for a in self._seen.values() for event in a.pull_events()]
        events.extend(self._published)
        self._seen.clear()
        self._published.clear()
        return events

    def discard(self) -> None:
        self.collect()
