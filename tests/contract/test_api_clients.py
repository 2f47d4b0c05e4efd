"""Contract of the API-client store (R7.1), run on memory, SQLite and PostgreSQL: clients read
back as written, a disabled client stays disabled, an idempotency key is claimed once per actor
and remembers its result only if its transaction commits, and an employer's users exclude the
technical users of clients."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pendulum
import pytest

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_core.access.api_clients import (
    EXPIRED_KEYS_PER_CLAIM,
    IDEMPOTENCY_KEY_RETENTION,
    ApiClient,
    IdempotentResult,
)
from xs_core.access.attempts import address_key
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


def _concurrent_attempts(
    uow_factory: UowFactory, key: str, window: pendulum.DateTime, workers: int
) -> list[int]:
    """The counts ``workers`` attempts get when counted at once, each on its own connection
    (all inside their transactions before any counts), sorted."""
    start = threading.Barrier(workers)

    def attempt(_: int) -> int:
        with uow_factory() as uow:
            start.wait(timeout=30)
            count = uow.api_clients.count_attempt(key, window)
            uow.commit()
            return count

    with ThreadPoolExecutor(workers) as pool:
        return sorted(pool.map(attempt, range(workers)))


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

    # -- token attempts (R7.1, xs_core.access.attempts) ----------------------------------------

    def test_r7_1_attempts_are_counted_per_key_and_window(self, uow_factory: UowFactory) -> None:
        """Each attempt returns the window's count including it; keys and windows are apart;
        a withdrawn attempt no longer counts, and a count never goes below zero."""
        first = pendulum.datetime(2026, 12, 4, 10, 0, tz="UTC")
        with uow_factory() as uow:
            store = uow.api_clients
            assert [store.count_attempt("address:10.0.0.1", first) for _ in range(3)] == [1, 2, 3]
            assert store.count_attempt("address:10.0.0.2", first) == 1
            store.withdraw_attempt("address:10.0.0.1", first)
            assert store.count_attempt("address:10.0.0.1", first) == 3
            store.withdraw_attempt("address:10.0.0.3", first)  # nothing counted: nothing to do
            assert store.count_attempt("address:10.0.0.3", first) == 1
            uow.commit()
        with uow_factory() as uow:  # the counts were committed
            assert uow.api_clients.count_attempt("address:10.0.0.1", first) == 4
            for _ in range(5):
                uow.api_clients.withdraw_attempt("address:10.0.0.2", first)
            assert uow.api_clients.count_attempt("address:10.0.0.2", first) == 1
            uow.commit()

    def test_r7_1_a_new_window_starts_at_one_and_forgets_earlier_ones(
        self, uow_factory: UowFactory
    ) -> None:
        """Counts of earlier windows are deleted by the next attempt (any key's): the table
        holds about one window of addresses without a separate job."""
        first = pendulum.datetime(2026, 12, 4, 10, 0, tz="UTC")
        later = first.add(minutes=15)
        with uow_factory() as uow:
            for _ in range(4):
                uow.api_clients.count_attempt("address:10.0.0.1", first)
            uow.api_clients.count_attempt("address:10.0.0.9", first)
            uow.commit()
        with uow_factory() as uow:
            assert uow.api_clients.count_attempt("address:10.0.0.1", later) == 1
            uow.commit()
        with uow_factory() as uow:  # the earlier window's rows are gone: counting there restarts
            assert uow.api_clients.count_attempt("address:10.0.0.9", first) == 1
            uow.rollback()

    @pytest.mark.parametrize(
        "address",
        ["nul\x00byte", "\ud800lone surrogate", "ÄÖÜ\u202e" * 100, "2001:db8::1%" + "z" * 500],
    )
    def test_r7_1_a_hostile_address_is_counted_not_refused_by_the_database(
        self, uow_factory: UowFactory, address: str
    ) -> None:
        """R7.1, R0.5: the key of any address text is stored by every backend (PostgreSQL
        refuses NUL in text and no driver encodes a lone surrogate), so a hostile address is
        counted like any other instead of failing the request."""
        first = pendulum.datetime(2026, 12, 4, 10, 0, tz="UTC")
        key = address_key(address)
        with uow_factory() as uow:
            assert [uow.api_clients.count_attempt(key, first) for _ in range(2)] == [1, 2]
            uow.commit()
        with uow_factory() as uow:
            assert uow.api_clients.count_attempt(key, first) == 3
            uow.rollback()

    def test_r7_1_an_attempt_counted_in_a_rolled_back_transaction_is_not_kept(
        self, uow_factory: UowFactory
    ) -> None:
        first = pendulum.datetime(2026, 12, 4, 10, 0, tz="UTC")
        with uow_factory() as uow:
            uow.api_clients.count_attempt("address:10.0.0.1", first)
        with uow_factory() as uow:
            assert uow.api_clients.count_attempt("address:10.0.0.1", first) == 1


class TestMemory(MemoryBackend, ApiClientStoreContract):
    pass


class TestSqlite(SqliteBackend, ApiClientStoreContract):
    pass


@pytest.mark.postgres
class TestPostgres(PostgresBackend, ApiClientStoreContract):
    def test_r7_1_concurrent_attempts_each_get_their_own_count(
        self, uow_factory: UowFactory
    ) -> None:
        """R7.1 under READ COMMITTED: attempts counted at once on separate connections each
        get a different count, and the window ends with all of them — the increment is one
        atomic statement, not a read and a write."""
        window = pendulum.datetime(2026, 12, 4, 10, 0, tz="UTC")
        with uow_factory() as uow:  # the row exists: every attempt below updates it
            uow.api_clients.count_attempt("address:10.0.0.1", window)
            uow.commit()
        workers = 8
        counts = _concurrent_attempts(uow_factory, "address:10.0.0.1", window, workers)
        assert counts == list(range(2, workers + 2))
        with uow_factory() as uow:
            assert uow.api_clients.count_attempt("address:10.0.0.1", window) == workers + 2
            uow.rollback()

    def test_r7_1_concurrent_first_attempts_of_an_address_all_count(
        self, uow_factory: UowFactory
    ) -> None:
        """The first attempts of a new address in a window race to insert its row: the key
        orders them (ON CONFLICT DO UPDATE), none is lost or refused."""
        window = pendulum.datetime(2026, 12, 4, 10, 0, tz="UTC")
        workers = 8
        counts = _concurrent_attempts(uow_factory, "address:10.0.0.7", window, workers)
        assert counts == list(range(1, workers + 1))
