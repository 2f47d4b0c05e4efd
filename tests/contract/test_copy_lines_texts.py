"""The hand-written COPY text (copy_text / copy_lines) of the nightly run's bulk writes
on PostgreSQL (R6.6, R0.7): each way of writing (executemany below 64 rows, COPY lines from 64)
stores the same values, whatever the texts and the session's DateStyle / TimeZone."""

from __future__ import annotations

import datetime as _dt
import json
import uuid
from collections.abc import Iterator

import pendulum
import pytest
import sqlalchemy as sa

from tests.backends import PostgresBackend, UowFactory
from tests.contract.test_policy_run_store import TODAY, _ids, _world, monthly_registrations
from xs_adapters.clock import FixedClock
from xs_adapters.sql.engine import create_engine
from xs_adapters.sql.outbox import SqlOutbox
from xs_core.dates import DateRange
from xs_core.organisation.events import DossierOpened
from xs_core.organisation.units import UnitKind
from xs_core.policies.model import ParticipationChanged, Registration
from xs_core.policies.participation import ExclusionReason, Source

pytestmark = pytest.mark.postgres

D = pendulum.Date

#: Texts COPY's text format could get wrong: its escapes and markers, as literal text.
HOSTILE = [
    "\\N",
    "\\.",
    "\\",
    "\\\\N",
    "a\\tb",
    "\\r\\n",
    "tab\there",
    "\r\n",
    "line\nbreak",
    "\\.\n\\.",
    "𝄞 astral 😀",
    "",
    " ",
    "é\u2028\u2029\x7f\x1b",
    "x" * 200,
    "😀" * 200,
]

SESSIONS = [
    None,
    "SET DateStyle = 'SQL, DMY'; SET TimeZone = 'America/St_Johns'",
    "SET DateStyle = 'German'; SET TimeZone = 'Pacific/Chatham'",
    "SET DateStyle = 'Postgres, MDY'; SET TimeZone = 'UTC'",
]


@pytest.fixture
def engine(postgres_url: str) -> Iterator[sa.Engine]:
    created = create_engine(postgres_url)
    yield created
    created.dispose()


def _rows(connection: sa.Connection) -> list[tuple[object, ...]]:
    return [
        tuple(row)
        for row in connection.exec_driver_sql(
            "SELECT name, version, payload::text, "
            "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') "
            "FROM outbox ORDER BY id"
        )
    ]


def _changed(n: int) -> ParticipationChanged:
    return ParticipationChanged(
        policy_id=uuid.UUID(int=1),
        employee_id=uuid.UUID(int=n),
        start=D(2026, 1, 1),
        end=None if n % 2 else D(2027, 1, 1),
        included=n % 3 == 0,
        reasons=(HOSTILE[n % len(HOSTILE)], HOSTILE[(n + 5) % len(HOSTILE)]),
        source="automatic",
    )


@pytest.mark.parametrize("session", SESSIONS)
def test_r0_7_outbox_rows_equal_by_each_way_of_writing(
    engine: sa.Engine, session: str | None
) -> None:
    """The same events, at the same (non-UTC, microsecond) instant, written in batches of 63
    (executemany) and 64 (COPY lines): the same name, version, payload text and UTC instant."""
    at = pendulum.datetime(2026, 3, 29, 2, 30, 1, 123456, tz="Europe/Amsterdam")
    events = [_changed(n) for n in range(64)]
    found = {}
    for count in (63, 64):
        with engine.connect() as connection:
            if session:
                connection.exec_driver_sql(session)
            SqlOutbox(connection, FixedClock(at)).write(events[:count], at)
            found[count] = _rows(connection)
            connection.rollback()
    assert found[64][:63] == found[63]
    assert [r[2] for r in found[64]] == [e.payload_text() for e in events]
    assert [json.loads(str(r[2])) for r in found[64]] == [e.payload() for e in events]
    expected = at.in_timezone("UTC").strftime("%Y-%m-%d %H:%M:%S.%f")
    assert {r[3] for r in found[64]} == {expected}


def test_r0_7_outbox_a_mixed_batch_keeps_publish_order_and_content(engine: sa.Engine) -> None:
    """Of 70 events, every fifth without its own JSON text: the COPY-lines path gives up and
    the driver's COPY writes them all, in publish order."""
    at = pendulum.datetime(2026, 12, 1, 12, tz="Europe/Amsterdam")
    events: list[object] = [
        DossierOpened(
            dossier_id=uuid.UUID(int=n), unit_kind=UnitKind.EMPLOYER, unit_id=uuid.UUID(int=n)
        )
        if n % 5 == 0
        else _changed(n)
        for n in range(70)
    ]
    with engine.connect() as connection:
        SqlOutbox(connection, FixedClock(at)).write(events, at)  # type: ignore[arg-type]
        rows = _rows(connection)
        connection.rollback()
    assert [(r[0], r[1]) for r in rows] == [(e.name, e.version) for e in events]  # type: ignore[attr-defined]
    assert [json.loads(str(r[2])) for r in rows] == [e.payload() for e in events]  # type: ignore[attr-defined]


class TestRegistrationTexts(PostgresBackend):
    @pytest.mark.parametrize("session", SESSIONS)
    @pytest.mark.parametrize("count", [63, 64])
    def test_r6_6_registrations_read_back_as_written(
        self, uow_factory: UowFactory, count: int, session: str | None
    ) -> None:
        policy, employer, people, _ = _world(uow_factory)
        ids = _ids(people, employer)
        written = monthly_registrations(
            policy,
            ids,
            count,
            lambda _: frozenset({ExclusionReason.MANUAL}),
            lambda m, k: None if m == 0 else HOSTILE[(m + k) % len(HOSTILE)],
        )
        with uow_factory() as uow:
            if session:
                uow.connection.exec_driver_sql(session)  # type: ignore[attr-defined]
            uow.policy_runs.replace([], written)
            uow.commit()
        with uow_factory(write=False) as uow:
            found = uow.policy_runs.registrations(policy.id, ids)
            raw = uow.connection.exec_driver_sql(  # type: ignore[attr-defined]
                "SELECT id, note, to_char(start_date, 'YYYY-MM-DD'), "
                "to_char(end_date, 'YYYY-MM-DD'), to_char(registered_on, 'YYYY-MM-DD') "
                "FROM policy_registrations"
            ).all()
        expected: dict[uuid.UUID, list[Registration]] = {}
        for registration in written:
            expected.setdefault(registration.employee_id, []).append(registration)
        assert found == expected
        by_id = {r.id: r for r in written}
        for ident, note, start, end, on in raw:
            r = by_id[uuid.UUID(str(ident))]
            assert note == r.note
            assert start == r.period.start.isoformat()
            assert end == (None if r.period.end is None else r.period.end.isoformat())
            assert on == r.registered_on.isoformat()

    @pytest.mark.parametrize("session", SESSIONS[:3])
    @pytest.mark.parametrize("count", [63, 64])
    def test_r6_6_inputs_texts_as_given(
        self, uow_factory: UowFactory, count: int, session: str | None
    ) -> None:
        from xs_core.organisation.model import Employee

        policy, _, _, _ = _world(uow_factory)
        people = [Employee.register(f"Extra{n}", "Achternaam") for n in range(count)]
        with uow_factory() as uow:
            for person in people:
                uow.employees.add(person)
            uow.commit()
        given = {p.id: HOSTILE[n % len(HOSTILE)] + str(n) * (n % 2) for n, p in enumerate(people)}
        on = D(2026, 2, 3)  # day 3 of month 2: a DMY/MDY mix-up shows
        with uow_factory() as uow:
            if session:
                uow.connection.exec_driver_sql(session)  # type: ignore[attr-defined]
            uow.policy_runs.remember(policy.id, given, on)
            uow.commit()
        with uow_factory(write=False) as uow:
            rows = uow.connection.exec_driver_sql(  # type: ignore[attr-defined]
                "SELECT employee_id::text, inputs, to_char(evaluated_from, 'YYYY-MM-DD') "
                "FROM policy_participant_inputs"
            ).all()
        assert {uuid.UUID(i): text for i, text, _ in rows} == given
        assert {day[:10] for _, _, day in rows} == {on.isoformat()}


def test_r0_7_instant_text_is_read_as_utc_whatever_the_session(engine: sa.Engine) -> None:
    """The instant's text COPY gets carries its offset; a far-off session zone doesn't move it."""
    at = _dt.datetime(2026, 10, 25, 1, 59, 59, 999999, tzinfo=_dt.UTC)
    with engine.connect() as connection:
        connection.exec_driver_sql("SET TimeZone = 'Asia/Kathmandu'; SET DateStyle = 'SQL, DMY'")
        SqlOutbox(connection, FixedClock(pendulum.instance(at))).write(
            [_changed(n) for n in range(64)], at
        )
        found = connection.exec_driver_sql(
            "SELECT DISTINCT extract(epoch FROM occurred_at) FROM outbox"
        ).scalar_one()
        connection.rollback()
    assert float(found) == at.timestamp()


class TestRegistrationRefusals(PostgresBackend):
    @pytest.mark.parametrize("count", [63, 64])
    def test_r6_4_an_overlap_is_the_domain_conflict_and_the_transaction_goes_on(
        self, uow_factory: UowFactory, count: int
    ) -> None:
        from xs_core.errors import Conflict

        policy, employer, people, _ = _world(uow_factory)
        ids = _ids(people, employer)

        def registration(ident: uuid.UUID, m: int) -> Registration:
            return Registration(
                id=uuid.uuid4(),
                policy_id=policy.id,
                employee_id=ident,
                period=DateRange(D(2025, 1, 1).add(months=m), D(2025, 1, 1).add(months=m + 1)),
                included=True,
                source=Source.MANUAL,
                note="\\.",
                registered_on=TODAY,
            )

        months = -(-count // len(ids))
        good = [registration(i, m) for i in ids for m in range(months)][:count]
        clashing = [*good[:-1], registration(good[0].employee_id, 0)]
        with uow_factory() as uow:
            with pytest.raises(Conflict) as raised:
                uow.policy_runs.replace([], clashing)
            assert raised.value.code == "policies.registrations_overlap"
            uow.policy_runs.replace([], good)  # the savepoint undid the failed write only
            uow.commit()
        with uow_factory(write=False) as uow:
            found = uow.policy_runs.registrations(policy.id, ids)
        assert sum(len(v) for v in found.values()) == count

    def test_r6_6_a_latin1_client_encoding(self, uow_factory: UowFactory) -> None:
        policy, employer, people, _ = _world(uow_factory)
        ids = _ids(people, employer)
        written = [
            Registration(
                id=uuid.uuid4(),
                policy_id=policy.id,
                employee_id=ident,
                period=DateRange(D(2025, 1, 1).add(months=m), D(2025, 1, 1).add(months=m + 1)),
                included=True,
                note=f"é ü \\N ß {m}",
                registered_on=TODAY,
            )
            for ident in ids
            for m in range(11)
        ]
        with uow_factory() as uow:
            uow.connection.exec_driver_sql("SET client_encoding = 'LATIN1'")  # type: ignore[attr-defined]
            uow.policy_runs.replace([], written)
            uow.commit()
        with uow_factory(write=False) as uow:
            uow.connection.exec_driver_sql("SET client_encoding = 'UTF8'")  # type: ignore[attr-defined]
            notes = sorted(
                uow.connection.exec_driver_sql(  # type: ignore[attr-defined]
                    "SELECT note FROM policy_registrations"
                ).scalars()
            )
        assert notes == sorted(str(r.note) for r in written)
