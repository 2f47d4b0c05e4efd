"""Contract of consuming the outbox (R0.7, xs_core.outbox), run on memory, SQLite, PostgreSQL:
claims with a lease, acknowledgements by id, redelivery after the lease, independent
subscriptions, UTC instants."""

from __future__ import annotations

import datetime as _dt
import uuid

import pendulum
import pytest

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_core.errors import NotFound
from xs_core.events import OutboxMessage
from xs_core.organisation.events import DossierOpened
from xs_core.organisation.model import Employer
from xs_core.organisation.units import UnitKind
from xs_core.policies.model import ParticipationChanged

NOON = pendulum.datetime(2026, 12, 1, 12, tz="Europe/Amsterdam")
MINUTE = _dt.timedelta(minutes=1)


def _publish(uow_factory: UowFactory, count: int) -> None:
    with uow_factory() as uow:
        for n in range(count):
            uow.publish(
                DossierOpened(
                    dossier_id=Employer.create(f"w{n}").id,
                    unit_kind=UnitKind.EMPLOYER,
                    unit_id=uuid.UUID(int=n),
                )
            )
        uow.commit()


def _claim(
    uow_factory: UowFactory,
    limit: int,
    at: _dt.datetime = NOON,
    subscription: str = "default",
    consumer: str = "c1",
    lease: _dt.timedelta = MINUTE,
) -> list[OutboxMessage]:
    with uow_factory() as uow:
        claimed = uow.outbox.claim(subscription, consumer, limit, at, at + lease)
        uow.commit()
    return claimed


def _ack(uow_factory: UowFactory, ids: list[int], subscription: str = "default") -> None:
    with uow_factory() as uow:
        uow.outbox.acknowledge(subscription, ids)
        uow.commit()


def _pending(uow_factory: UowFactory, subscription: str = "default") -> list[int]:
    with uow_factory(write=False) as uow:
        return [m.id for m in uow.outbox.pending(1000, subscription)]


class OutboxContract:
    def test_r0_7_a_claim_leases_the_oldest_messages_once(self, uow_factory: UowFactory) -> None:
        _publish(uow_factory, 5)
        first = _claim(uow_factory, 2)
        second = _claim(uow_factory, 2, consumer="c2")
        assert [m.attempts for m in first + second] == [1, 1, 1, 1]
        ids = [m.id for m in first + second]
        assert ids == sorted(ids) and len(set(ids)) == 4  # oldest first, never twice
        rest = _claim(uow_factory, 10)
        assert [m.id for m in rest] == [max(ids) + 1]
        assert _claim(uow_factory, 10) == []  # everything leased
        assert len(_pending(uow_factory)) == 5  # leased is not acknowledged

    def test_r0_7_acknowledged_messages_never_come_back(self, uow_factory: UowFactory) -> None:
        _publish(uow_factory, 3)
        batch = _claim(uow_factory, 3)
        _ack(uow_factory, [batch[0].id, batch[2].id])
        assert _pending(uow_factory) == [batch[1].id]
        later = NOON + 2 * MINUTE  # every lease ran out
        again = _claim(uow_factory, 10, at=later)
        assert [(m.id, m.attempts) for m in again] == [(batch[1].id, 2)]  # redelivered, once
        _ack(uow_factory, [batch[1].id])
        _ack(uow_factory, [batch[1].id])  # again: nothing changes
        assert _pending(uow_factory) == []
        assert _claim(uow_factory, 10, at=later + 10 * MINUTE) == []

    def test_r0_7_a_lease_holds_until_it_runs_out(self, uow_factory: UowFactory) -> None:
        _publish(uow_factory, 1)
        (claimed,) = _claim(uow_factory, 1, lease=5 * MINUTE)
        assert _claim(uow_factory, 1, at=NOON + 4 * MINUTE) == []
        (again,) = _claim(uow_factory, 1, at=NOON + 5 * MINUTE, consumer="c2")
        assert (again.id, again.attempts) == (claimed.id, 2)

    def test_r0_7_unknown_ids_are_refused_and_nothing_is_acknowledged(
        self, uow_factory: UowFactory
    ) -> None:
        _publish(uow_factory, 2)
        first, _ = _claim(uow_factory, 2)
        with uow_factory() as uow, pytest.raises(NotFound) as refused:
            uow.outbox.acknowledge("default", [first.id, 999_999])
        assert refused.value.code == "outbox.unknown_message"
        assert refused.value.details["ids"] == ["999999"]
        assert len(_pending(uow_factory)) == 2

    def test_r0_7_subscriptions_each_read_every_message(self, uow_factory: UowFactory) -> None:
        _publish(uow_factory, 3)
        mail = _claim(uow_factory, 10, subscription="mailer")
        _ack(uow_factory, [m.id for m in mail], subscription="mailer")
        audit = _claim(uow_factory, 10, subscription="audit")
        assert [m.id for m in audit] == [m.id for m in mail]
        assert _pending(uow_factory, "mailer") == []
        assert _pending(uow_factory, "audit") == [m.id for m in audit]
        _publish(uow_factory, 1)
        assert len(_claim(uow_factory, 10, subscription="mailer")) == 1

    def test_r0_7_acknowledging_out_of_order_keeps_the_gaps(self, uow_factory: UowFactory) -> None:
        _publish(uow_factory, 6)
        batch = _claim(uow_factory, 6)
        ids = [m.id for m in batch]
        _ack(uow_factory, [ids[1], ids[3], ids[5]])
        assert _pending(uow_factory) == [ids[0], ids[2], ids[4]]
        _ack(uow_factory, [ids[0], ids[2]])
        assert _pending(uow_factory) == [ids[4]]
        _publish(uow_factory, 1)
        fresh = _claim(uow_factory, 10)  # the leased one stays leased; the new one comes
        assert [m.id for m in fresh] == [ids[5] + 1]

    def test_r0_7_messages_carry_name_version_payload_and_a_utc_instant(
        self, uow_factory: UowFactory
    ) -> None:
        _publish(uow_factory, 1)
        (message,) = _claim(uow_factory, 1)
        assert (message.name, message.version) == ("DossierOpened", 2)
        assert message.payload["unit_id"] == str(uuid.UUID(int=0))
        offset = message.occurred_at.utcoffset()
        assert offset is not None and offset.total_seconds() == 0

    @pytest.mark.parametrize("count", [1, 70])  # 70: PostgreSQL writes from 64 rows by COPY
    def test_r0_7_an_event_that_writes_its_own_json_text_reads_back_as_its_payload(
        self, uow_factory: UowFactory, count: int
    ) -> None:
        """ParticipationChanged hands the outbox its payload as JSON text (payload_text): it
        is stored as that text and read back as the payload, by each way of writing."""
        events = [
            ParticipationChanged(
                policy_id=uuid.UUID(int=1),
                employee_id=uuid.UUID(int=n),
                start=pendulum.Date(2026, 1, 1),
                end=None if n % 2 else pendulum.Date(2027, 1, 1),
                included=n % 3 == 0,
                reasons=("Leeftijd", 'a "quoted" \\ reason', "ziekte é"),
                source="automatic",
            )
            for n in range(count)
        ]
        with uow_factory() as uow:
            for event in events:
                uow.publish(event)
            uow.commit()
        with uow_factory(write=False) as uow:
            messages = uow.outbox.pending(1000, "default")
        assert [(m.name, m.payload) for m in messages] == [
            ("ParticipationChanged", e.payload()) for e in events
        ]


class TestMemoryOutbox(MemoryBackend, OutboxContract):
    pass


class TestSqliteOutbox(SqliteBackend, OutboxContract):
    pass


@pytest.mark.postgres
class TestPostgresOutbox(PostgresBackend, OutboxContract):
    pass
