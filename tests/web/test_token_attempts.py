"""Which token attempts keep counting (R7.1, ``ApiAuthentication.verify_secret``), on memory and
SQLite: only wrong credentials do. A right secret, and a verification that ends in an error that
is no credential failure (a database error during the lookup, any unexpected exception), take
their attempt back — an address is never locked out by the host's own failures."""

from __future__ import annotations

import datetime as _dt
import sqlite3
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from argon2.exceptions import HashingError

import xs
from tests.web.world import KEY, WebWorld, build_world
from xs_adapters.clock import FixedClock
from xs_adapters.memory.api_clients import MemoryApiClientStore
from xs_adapters.memory.mail import MemoryMailer
from xs_adapters.sql import conflicts
from xs_adapters.sql.api_clients import SqlApiClientStore
from xs_app.services.api import ApiAuthentication
from xs_core.access.api_clients import ApiClient
from xs_core.access.attempts import AttemptLimits, address_key
from xs_core.errors import Conflict, InvalidInput, NotAllowed

ADDRESS = "192.0.2.10"
LIMIT = 2
STORES = {"memory": MemoryApiClientStore, "sqlite": SqlApiClientStore}
assert "55P03" in conflicts.TRANSIENT  # and the module registered ``storage.conflict``


@pytest.fixture(params=sorted(STORES))
def world(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[WebWorld]:
    """A world whose addresses get ``LIMIT`` failed attempts per 15-minute window."""
    mailer, limits = MemoryMailer(), AttemptLimits(per_address=LIMIT)
    if request.param == "memory":
        app = xs.bootstrap(
            storage="memory", clock=clock, mailer=mailer, secret_key=KEY, attempt_limits=limits
        )
    else:
        app = xs.bootstrap(
            request.getfixturevalue("sqlite_url"),
            clock=clock,
            migrate_database=True,
            mailer=mailer,
            secret_key=KEY,
            attempt_limits=limits,
        )
    yield build_world(app, mailer)
    app.close()


def _store(world: WebWorld) -> type[object]:
    """The class of the world's API-client store (the one to break)."""
    with world.app.container.uow() as uow:
        store: type[object] = type(uow.api_clients)
    assert store in STORES.values()
    return store


def _auth(world: WebWorld) -> ApiAuthentication:
    auth: ApiAuthentication = world.app.api_authentication
    return auth


def _counted(world: WebWorld, address: str | None = ADDRESS) -> int:
    """The attempts counted for ``address`` in the current window (probed, then rolled back)."""
    window = AttemptLimits().window_start(world.app.clock.now())
    with world.app.container.uow() as uow:
        count: int = uow.api_clients.count_attempt(address_key(address), window) - 1
        uow.rollback()
    return count


def _wrong(world: WebWorld, address: str | None = ADDRESS) -> None:
    with pytest.raises(NotAllowed) as refused:
        _auth(world).verify_secret(str(world.client_id), "wrong", address)
    assert refused.value.code == "api.invalid_client"


def _right(world: WebWorld, address: str | None = ADDRESS) -> ApiClient:
    client = _auth(world).verify_secret(str(world.client_id), world.secret, address)
    assert client.id == world.client_id
    return client


def test_r7_1_wrong_credentials_keep_counting(world: WebWorld) -> None:
    """The reference point: wrong secrets and unknown ids count; past the limit even the right
    secret is refused, unverified."""
    _wrong(world)
    with pytest.raises(NotAllowed):
        _auth(world).verify_secret(str(uuid.uuid4()), "wrong", ADDRESS)
    assert _counted(world) == LIMIT
    with pytest.raises(NotAllowed) as refused:
        _right(world)
    assert refused.value.code == "api.too_many_attempts"


@pytest.mark.parametrize("secret", ["\ud800", "geheim\udfff", "é" * 201, None, 42])
def test_r7_1_a_secret_no_hasher_takes_is_a_wrong_secret(world: WebWorld, secret: object) -> None:
    """R7.1: a secret that cannot be one — a lone surrogate (no UTF-8 for Argon2id), more than
    200 characters, no text at all — is a wrong credential for a known and an unknown id
    alike, and keeps counting; it is not an unexpected error whose attempt is taken back."""
    for client_id in (str(world.client_id), str(uuid.uuid4())):
        with pytest.raises(NotAllowed) as refused:
            _auth(world).verify_secret(client_id, secret, ADDRESS)  # type: ignore[arg-type]
        assert refused.value.code == "api.invalid_client"
    assert _counted(world) == 2


@pytest.mark.parametrize(
    "failure",
    [
        sa.exc.OperationalError("SELECT …", {}, Exception("server closed the connection")),
        RuntimeError("unexpected"),
    ],
    ids=["database error", "unexpected exception"],
)
def test_r7_1_an_error_during_the_lookup_takes_the_attempt_back(
    world: WebWorld, monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    """R7.1: a lookup that fails is no wrong credential — the error reaches the caller (as it
    is: the web host answers 500), and the attempt is taken back; more failures than the limit
    never lock the address out."""

    def broken(self: object, client_id: uuid.UUID) -> None:
        raise failure

    with monkeypatch.context() as patch:
        patch.setattr(_store(world), "find", broken)
        for _ in range(LIMIT + 2):
            with pytest.raises(type(failure)):
                _right(world)
    assert _counted(world) == 0
    _right(world)


def test_r7_1_an_unexpected_error_of_the_hasher_takes_the_attempt_back(
    world: WebWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(password_hash: str, password: str) -> bool:
        raise HashingError("Memory allocation error")  # what argon2 raises when out of memory

    auth = _auth(world)
    with monkeypatch.context() as patch:
        patch.setattr(auth._hasher, "verify", broken)
        for _ in range(LIMIT + 1):
            with pytest.raises(HashingError):
                _right(world)
    assert _counted(world) == 0
    _wrong(world)
    assert _counted(world) == 1


def test_r7_1_a_failing_withdrawal_never_hides_the_error_being_raised(
    world: WebWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the lookup failed because the database is gone, taking the attempt back fails too:
    the caller gets the lookup's error, not the withdrawal's."""
    lookup = sa.exc.OperationalError("SELECT …", {}, Exception("lookup"))

    def broken_find(self: object, client_id: uuid.UUID) -> None:
        raise lookup

    def broken_withdraw(self: object, key: str, window_start: _dt.datetime) -> None:
        raise RuntimeError("withdrawal")

    with monkeypatch.context() as patch:
        patch.setattr(_store(world), "find", broken_find)
        patch.setattr(_store(world), "withdraw_attempt", broken_withdraw)
        with pytest.raises(sa.exc.OperationalError) as raised:
            _right(world)
    assert raised.value is lookup
    assert _counted(world) == 1  # not taken back: one attempt more, nothing worse


def test_r7_1_attempts_without_a_peer_address_are_limited_together(world: WebWorld) -> None:
    """R7.1: a request whose peer address is unknown (``address=None``) is not exempt from the
    limit — all such requests count under one shared key, apart from every real address."""
    for _ in range(LIMIT):
        _wrong(world, None)
    assert _counted(world, None) == LIMIT
    with pytest.raises(NotAllowed) as refused:
        _right(world, None)
    assert refused.value.code == "api.too_many_attempts"
    _right(world, ADDRESS)  # a known address has its own count
    assert _counted(world, ADDRESS) == 0


def test_r7_1_a_right_secret_without_a_peer_address_takes_its_attempt_back(
    world: WebWorld,
) -> None:
    for _ in range(LIMIT + 2):
        _right(world, None)
    assert _counted(world, None) == 0


# -- R7.1: a right secret is answered even when its attempt cannot be taken back ---------------


@pytest.mark.parametrize(
    "failure",
    [
        Conflict("storage.conflict", {"reason": "busy", "sqlstate": ""}),
        Conflict("storage.conflict", {"reason": "lock_not_available", "sqlstate": "55P03"}),
        sa.exc.OperationalError("UPDATE token_attempts …", {}, Exception("database is locked")),
    ],
    ids=["busy", "lock timeout", "operational error"],
)
def test_r7_1_a_right_secret_is_answered_when_the_withdrawal_finds_the_database_busy(
    world: WebWorld,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failure: Exception,
) -> None:
    """R7.1: the secret was right, so the client is answered; the attempt that could not be
    taken back (busy or locked database) stays counted — one more than it should, logged."""

    def busy(self: object, key: str, window_start: _dt.datetime) -> None:
        raise failure

    caplog.set_level("WARNING", logger="xs.api")
    with monkeypatch.context() as patch:
        patch.setattr(_store(world), "withdraw_attempt", busy)
        _right(world)
    assert _counted(world) == 1
    (record,) = [r for r in caplog.records if r.name == "xs.api"]
    assert record.levelname == "WARNING"
    assert address_key(ADDRESS) in record.getMessage()


def test_r7_1_any_other_failure_of_the_withdrawal_is_raised(
    world: WebWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a busy or unreachable database is waved through: a bug is not."""

    def broken(self: object, key: str, window_start: _dt.datetime) -> None:
        raise RuntimeError("a bug")

    with monkeypatch.context() as patch:
        patch.setattr(_store(world), "withdraw_attempt", broken)
        with pytest.raises(RuntimeError):
            _right(world)


@pytest.fixture
def impatient_world(sqlite_url: str, clock: FixedClock) -> Iterator[WebWorld]:
    """A world on SQLite whose connections wait only 50 ms for the write lock."""
    mailer = MemoryMailer()
    app = xs.bootstrap(
        sqlite_url, clock=clock, migrate_database=True, mailer=mailer, secret_key=KEY
    )
    world = build_world(app, mailer)
    engine: sa.Engine = app.container.engine()

    @sa.event.listens_for(engine, "connect")
    def _short_wait(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout = 50")

    engine.dispose()  # every connection from now on has the short wait
    yield world
    app.close()


def test_r7_1_a_right_secret_is_answered_while_sqlite_holds_the_write_lock(
    impatient_world: WebWorld,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """R7.1 on a really busy database: another connection takes SQLite's write lock while the
    secret is being verified, so taking the attempt back waits past the busy timeout
    (``storage.conflict``); the client is answered all the same."""
    world = impatient_world
    holder = sqlite3.connect(sa.make_url(sqlite_url).database or "", isolation_level=None)
    auth = _auth(world)
    verify = auth._hasher.verify

    def verify_then_lock(password_hash: str, password: str) -> bool:
        right: bool = verify(password_hash, password)
        holder.execute("BEGIN IMMEDIATE")  # held until the client is answered
        return right

    caplog.set_level("WARNING", logger="xs.api")
    try:
        with monkeypatch.context() as patch:
            patch.setattr(auth._hasher, "verify", verify_then_lock)
            _right(world)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _counted(world) == 1
    (record,) = [r for r in caplog.records if r.name == "xs.api"]
    assert "storage.conflict" in record.getMessage()


# -- R7.1: limits that are no limits are refused when the application is built ---------------


@pytest.mark.parametrize(
    "limits",
    [20, 0, "20", {"per_address": 20}, _dt.timedelta(minutes=15), (20, 900)],
    ids=["int", "zero", "str", "dict", "timedelta", "tuple"],
)
def test_r7_1_bootstrap_refuses_attempt_limits_that_are_no_attempt_limits(
    clock: FixedClock, limits: object
) -> None:
    """R7.1: ``bootstrap(attempt_limits=20)`` is refused at start with a coded error, not at
    the first token request (nor, for a falsy value, replaced by the defaults unnoticed)."""
    with pytest.raises(InvalidInput) as refused:
        xs.bootstrap(storage="memory", clock=clock, secret_key=KEY, attempt_limits=limits)
    assert refused.value.code == "api.attempt_limits_invalid"
    assert "AttemptLimits" in refused.value.details["reason"]
    assert type(limits).__name__ in refused.value.details["reason"]
    assert refused.value.message("nl").startswith("De grenzen voor mislukte pogingen")


def test_r7_1_bootstrap_takes_attempt_limits(clock: FixedClock) -> None:
    limits = AttemptLimits(per_address=3)
    app = xs.bootstrap(storage="memory", clock=clock, secret_key=KEY, attempt_limits=limits)
    assert app.api_authentication._limits is limits
    default = xs.bootstrap(storage="memory", clock=clock, secret_key=KEY)
    assert default.api_authentication._limits == AttemptLimits(per_address=20)
