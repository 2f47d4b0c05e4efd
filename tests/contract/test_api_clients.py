"""Contract of the API-client store (R7.1), run on memory, SQLite and PostgreSQL: clients read
back as written, a disabled client stays disabled, an idempotency key is claimed once per actor
and remembers its result only if its transaction commits, and an employer's users exclude the
technical users of clients."""

from __future__ import annotations

import uuid

import pendulum
import pytest

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_core.access.api_clients import (
    EXPIRED_KEYS_PER_CLAIM,
    IDEMPOTENCY_KEY_RETENTION,
    ApiClient,
    IdempotentResult,
)
from xs_core.access.model import Scope, User
from xs_core.organisation.model import Department, Employer
from xs_core.organisation.units import UnitKind, UnitRef

NOON = pendulum.datetime(2026, 12, 1, 12, tz="Europe/Amsterdam")


def _employer(uow_factory: UowFactory) -> uuid.UUID:
    with uow_factory() as uow:
        employer = Employer.create("Bakkerij", "A1")
        uow.employers.add(employer)
        uow.commit()
    return employer.id


def _user(uow_factory: UowFactory, email: str, employer_id: uuid.UUID | None = None) -> uuid.UUID:
    scope = Scope(frozenset({UnitRef(UnitKind.EMPLOYER, employer_id)})) if employer_id else None
    with uow_factory() as uow:
        user = User.create("Iemand", email, scope=scope)
        uow.users.add(user)
        uow.commit()
    return user.id


class ApiClientStoreContract:
    def test_r7_1_a_client_is_read_back_and_disabled(self, uow_factory: UowFactory) -> None:
        user_id = _user(uow_factory, "koppeling@example.nl")
        client = ApiClient.register("HR", user_id, "$argon2id$x", (), NOON)
        with uow_factory() as uow:
            uow.api_clients.add(client)
            uow.commit()
        with uow_factory() as uow:
            found = uow.api_clients.lock(client.id)
            assert found is not None
            assert (found.name, found.user_id, found.secret_hash, found.active) == (
                "HR",
                user_id,
                "$argon2id$x",
                True,
            )
            assert found.created_at == NOON
            found.disable()
            uow.api_clients.save(found)
            uow.commit()
        with uow_factory(write=False) as uow:
            again = uow.api_clients.find(client.id)
            assert again is not None and not again.active
            by_user = uow.api_clients.find_by_user(user_id)
            assert by_user is not None and by_user.id == client.id
            assert [c.id for c in uow.api_clients.all_clients()] == [client.id]
            assert uow.api_clients.find(uuid.uuid4()) is None
            assert uow.api_clients.lock(uuid.uuid4()) is None
            assert uow.api_clients.find_by_user(uuid.uuid4()) is None

    def test_r7_1_a_key_is_claimed_once_and_kept_only_on_commit(
        self, uow_factory: UowFactory
    ) -> None:
        actor = _user(uow_factory, "actor@example.nl")
        other = _user(uow_factory, "other@example.nl")
        with uow_factory() as uow:
            assert uow.api_clients.claim_key(actor, "k", "f1", NOON) is None
            uow.rollback()
        with uow_factory() as uow:
            assert uow.api_clients.claim_key(actor, "k", "f1", NOON) is None
            uow.api_clients.complete_key(actor, "k", "result-1")
            uow.commit()
        with uow_factory() as uow:
            assert uow.api_clients.claim_key(actor, "k", "f2", NOON) == IdempotentResult(
                fingerprint="f1", result="result-1"
            )
            assert uow.api_clients.claim_key(other, "k", "f3", NOON) is None  # per actor
            uow.commit()

    def test_r7_1_a_key_expires_after_a_day(self, uow_factory: UowFactory) -> None:
        """R7.1: a retry within IDEMPOTENCY_KEY_RETENTION answers the first request; a key
        claimed longer ago is forgotten — claimed anew, with its new fingerprint."""
        actor = _user(uow_factory, "actor@example.nl")
        with uow_factory() as uow:
            assert uow.api_clients.claim_key(actor, "k", "f1", NOON) is None
            uow.api_clients.complete_key(actor, "k", "result-1")
            uow.commit()
        last_moment = NOON + IDEMPOTENCY_KEY_RETENTION
        with uow_factory() as uow:
            assert uow.api_clients.claim_key(actor, "k", "f2", last_moment) == IdempotentResult(
                fingerprint="f1", result="result-1"
            )
            uow.commit()
        later = last_moment + pendulum.duration(microseconds=1)
        with uow_factory() as uow:
            assert uow.api_clients.claim_key(actor, "k", "f2", later) is None
            uow.api_clients.complete_key(actor, "k", "result-2")
            uow.commit()
        with uow_factory() as uow:
            assert uow.api_clients.claim_key(actor, "k", "f3", later) == IdempotentResult(
                fingerprint="f2", result="result-2"
            )

    def test_r7_1_a_claim_deletes_other_expired_keys_oldest_first(
        self, uow_factory: UowFactory
    ) -> None:
        """R7.1: each claim deletes up to EXPIRED_KEYS_PER_CLAIM expired keys of any client,
        oldest first; keys within the retention stay."""
        actor = _user(uow_factory, "actor@example.nl")
        other = _user(uow_factory, "other@example.nl")
        extra = 3
        with uow_factory() as uow:
            for n in range(EXPIRED_KEYS_PER_CLAIM + extra):
                at = NOON + pendulum.duration(seconds=n)
                assert uow.api_clients.claim_key(other, f"old-{n}", "f", at) is None
            uow.commit()
        fresh = NOON + IDEMPOTENCY_KEY_RETENTION
        with uow_factory() as uow:
            assert uow.api_clients.claim_key(other, "fresh", "f", fresh) is None
            uow.commit()
        # every old key has expired by now: the limit leaves the newest ``extra`` of them
        now = fresh + pendulum.duration(seconds=EXPIRED_KEYS_PER_CLAIM + extra)
        with uow_factory() as uow:
            assert uow.api_clients.claim_key(actor, "new", "f", now) is None
            uow.commit()
        with uow_factory() as uow:
            # still remembered (within the day) ...
            assert uow.api_clients.claim_key(other, "fresh", "g", now) == IdempotentResult(
                fingerprint="f", result=None
            )
            # ... the oldest expired ones gone, the rest left for later claims: a claim of an
            # expired key is new anyway, so what is left is told apart by a claim at an
            # instant they had not yet expired
            uow.rollback()
        with uow_factory() as uow:
            kept = [
                n
                for n in range(EXPIRED_KEYS_PER_CLAIM + extra)
                if uow.api_clients.claim_key(other, f"old-{n}", "g", NOON) is not None
            ]
            uow.rollback()
        assert kept == list(range(EXPIRED_KEYS_PER_CLAIM, EXPIRED_KEYS_PER_CLAIM + extra))

    def test_r7_1_an_employers_users_leave_out_technical_users(
        self, uow_factory: UowFactory
    ) -> None:
        employer = _employer(uow_factory)
        b = _user(uow_factory, "b@example.nl", employer)
        a = _user(uow_factory, "A@example.nl", employer)
        _user(uow_factory, "elders@example.nl")
        technical = _user(uow_factory, "koppeling@example.nl", employer)
        with uow_factory() as uow:
            uow.api_clients.add(ApiClient.register("HR", technical, "h", (employer,), NOON))
            uow.commit()
        with uow_factory(write=False) as uow:
            assert [u.id for u in uow.api_clients.employer_users(employer, 10, 0)] == [a, b]
            assert [u.id for u in uow.api_clients.employer_users(employer, 1, 1)] == [b]
            assert uow.api_clients.employer_users(uuid.uuid4(), 10, 0) == []

    def test_r0_6_an_employers_users_leave_out_users_reaching_beyond_it(
        self, uow_factory: UowFactory
    ) -> None:
        """R0.6: a user whose scope also names another employer is not listed for this one."""
        employer = _employer(uow_factory)
        with uow_factory() as uow:
            other = Employer.create("Slagerij", "B2")
            uow.employers.add(other)
            uow.commit()
        only = _user(uow_factory, "alleen@example.nl", employer)
        with uow_factory() as uow:
            units = {UnitRef(UnitKind.EMPLOYER, employer), UnitRef(UnitKind.EMPLOYER, other.id)}
            uow.users.add(User.create("Beide", "beide@example.nl", scope=Scope(frozenset(units))))
            uow.commit()
        with uow_factory(write=False) as uow:
            assert [u.id for u in uow.api_clients.employer_users(employer, 10, 0)] == [only]
            assert uow.api_clients.employer_users(other.id, 10, 0) == []

    def test_r0_6_an_employers_users_include_those_scoped_to_its_departments(
        self, uow_factory: UowFactory
    ) -> None:
        """R0.6: a user whose scope is a department of the employer (with or without the
        employer itself) lies inside it and is listed; one with another employer's department
        too reaches beyond it and is not."""
        employer = _employer(uow_factory)
        with uow_factory() as uow:
            other = Employer.create("Slagerij", "B2")
            uow.employers.add(other)
            own = Department.create(employer, "Bakkerij")
            elsewhere = Department.create(other.id, "Winkel")
            uow.departments.add(own)
            uow.departments.add(elsewhere)
            inside = User.create(
                "Afdeling",
                "afdeling@example.nl",
                scope=Scope(frozenset({UnitRef(UnitKind.DEPARTMENT, own.id)})),
            )
            both = User.create(
                "Beide",
                "beide@example.nl",
                scope=Scope(
                    frozenset(
                        {UnitRef(UnitKind.DEPARTMENT, own.id), UnitRef(UnitKind.EMPLOYER, employer)}
                    )
                ),
            )
            beyond = User.create(
                "Verder",
                "verder@example.nl",
                scope=Scope(
                    frozenset(
                        {
                            UnitRef(UnitKind.DEPARTMENT, own.id),
                            UnitRef(UnitKind.DEPARTMENT, elsewhere.id),
                        }
                    )
                ),
            )
            for user in (inside, both, beyond):
                uow.users.add(user)
            uow.commit()
        with uow_factory(write=False) as uow:
            listed = [u.id for u in uow.api_clients.employer_users(employer, 10, 0)]
            assert listed == [inside.id, both.id]
            assert uow.api_clients.employer_users(other.id, 10, 0) == []


class TestMemory(MemoryBackend, ApiClientStoreContract):
    pass


class TestSqlite(SqliteBackend, ApiClientStoreContract):
    pass


@pytest.mark.postgres
class TestPostgres(PostgresBackend, ApiClientStoreContract):
    pass
