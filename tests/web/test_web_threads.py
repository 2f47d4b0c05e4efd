"""The web host's worker threads (R7.1): every use case a request reaches — from a synchronous
handler or handed to a thread by an asynchronous one — runs in one of ``threads`` threads per
process, never more — so a process never needs more database connections than its
pool keeps open, and none is opened and closed again per request under load."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

import xs
from tests.web.world import KEY, ROLE, WebWorld, world_on
from xs_adapters.clock import FixedClock
from xs_app.web import create_app
from xs_app.web.app import THREADS
from xs_app.web.tokens import token_slots

BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
#: How long each search holds its thread (and its connection): long enough for every request
#: of a burst to be in flight at once.
HOLD = 0.05
BURST = 16


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[WebWorld]:
    yield from world_on(request, clock, request.param)


class Overlap:
    """The most use cases running at once, and the threads that ran them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.threads: set[str] = set()

    def around(self, call: Callable[..., Any]) -> Callable[..., Any]:
        def held(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.running += 1
                self.most = max(self.most, self.running)
                self.threads.add(threading.current_thread().name)
            try:
                time.sleep(HOLD)
                return call(*args, **kwargs)
            finally:
                with self._lock:
                    self.running -= 1

        return held


def _requests(headers: dict[str, str]) -> list[Callable[[TestClient[Any], int], int]]:
    """The three ways a request reaches a use case: a synchronous handler (search), an
    asynchronous one handing its use case to a thread (creating a user, the invitation page)."""

    def search(client: TestClient[Any], n: int) -> int:
        return client.get("/api/v1/search?term=erij", headers=headers).status_code

    def create(client: TestClient[Any], n: int) -> int:
        person = {"name": f"Gebruiker {n}", "email": f"g{n}-{uuid.uuid4().hex}@example.nl"}
        answer = client.post(
            "/api/v1/employers/A1/users", headers=headers, json=person | {"role": ROLE}
        )
        return answer.status_code

    def invitation(client: TestClient[Any], n: int) -> int:
        return client.get(f"/invitation/{uuid.uuid4().hex}").status_code  # unknown: 410

    return [search, create, invitation]


def _bursts(world: WebWorld, threads: int | None, bursts: int = 2) -> list[int]:
    """``bursts`` times ``BURST`` requests at once through a new application (one event loop,
    the requests sent from as many threads), the three kinds in turn; their statuses."""
    kinds = _requests(world.auth())
    app = create_app(world.app) if threads is None else create_app(world.app, threads=threads)
    statuses: list[int] = []
    with TestClient(app) as client, ThreadPoolExecutor(BURST) as senders:
        for burst in range(bursts):
            answers = senders.map(
                lambda n: kinds[n % len(kinds)](client, n),
                range(burst * BURST, (burst + 1) * BURST),
            )
            statuses += list(answers)
    return statuses


def _expected(bursts: int) -> list[int]:
    return [(200, 201, 410)[n % 3] for n in range(bursts * BURST)]


def _held(world: WebWorld, monkeypatch: pytest.MonkeyPatch) -> Overlap:
    """Every use case the requests reach, held for :data:`HOLD` and counted."""
    overlap = Overlap()
    for service, name in (
        (world.app.organisation, "search"),
        (world.app.employer_users, "create_employer_user"),
        (world.app.credentials, "check_token"),
    ):
        monkeypatch.setattr(service, name, overlap.around(getattr(service, name)))
    return overlap


@pytest.mark.parametrize("threads", [1, 3])
def test_r7_1_no_more_use_cases_run_at_once_than_the_host_has_threads(
    world: WebWorld, monkeypatch: pytest.MonkeyPatch, threads: int
) -> None:
    """Litestar runs synchronous handlers in the event loop's default executor (six threads on
    two cores), and the asynchronous ones hand their use cases to the same threads: the host
    gives the loop an executor of ``threads`` threads."""
    overlap = _held(world, monkeypatch)
    assert _bursts(world, threads) == _expected(2)
    assert overlap.most == threads  # every thread was busy at once, never one more
    assert len(overlap.threads) == threads


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql_world(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[WebWorld]:
    yield from world_on(request, clock, request.param)


def test_r7_1_under_load_the_pool_opens_no_connection_beyond_its_size(
    sql_world: WebWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the default threads, bursts of every kind of request use the pool's connections
    and open no overflow connection (each would start a PostgreSQL backend and close it)."""
    world = sql_world
    engine: sa.Engine = world.app.container.engine()
    opened: list[object] = []

    def count(*_: object) -> None:
        opened.append(_)

    overlap = _held(world, monkeypatch)
    sa.event.listen(engine, "connect", count)
    try:
        assert _bursts(world, None, bursts=3) == _expected(3)
    finally:
        sa.event.remove(engine, "connect", count)
    pool = engine.pool
    assert isinstance(pool, sa.pool.QueuePool)
    assert overlap.most == THREADS <= pool.size()
    assert len(opened) <= pool.size()


def test_r7_1_the_served_application_is_frozen_out_of_the_collector(tmp_path: Path) -> None:
    """``xs serve``'s application factory moves the worker's long-lived objects out of the
    garbage collector's reach (:func:`gc.freeze`): a full collection then does not walk them."""
    url = f"sqlite:///{tmp_path / 'xs.db'}"
    xs.bootstrap(url, migrate_database=True).close()
    script = (
        "import gc\n"
        "from xs_app.web.server import app_from_environ\n"
        "assert gc.get_freeze_count() == 0\n"
        "app_from_environ()\n"
        "print(gc.get_freeze_count())\n"
    )
    env = {**os.environ, "XS_DATABASE_URL": url, "XS_SECRET_KEY": KEY.decode()}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) > 10_000


def _credentials(world: WebWorld) -> dict[str, str]:
    """The form of a token request with the world's client's right secret."""
    return {
        "grant_type": "client_credentials",
        "client_id": str(world.client_id),
        "client_secret": world.secret,
    }


def test_r7_1_client_secrets_are_verified_in_few_threads_at_once(
    world: WebWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``POST /oauth/token`` verifies at most ``token_slots(threads)`` secrets at once (each an
    Argon2 hash): a burst of token requests leaves the other threads to the searches."""
    tokens, searches = Overlap(), Overlap()
    auth = world.app.api_authentication
    monkeypatch.setattr(auth, "verify_secret", tokens.around(auth.verify_secret))
    search = world.app.organisation.search
    monkeypatch.setattr(world.app.organisation, "search", searches.around(search))
    headers = world.auth()
    form = _credentials(world)

    def one(client: TestClient[Any], n: int) -> int:
        if n % 2:
            return client.post("/oauth/token", data=form).status_code
        return client.get("/api/v1/search?term=erij", headers=headers).status_code

    with TestClient(create_app(world.app, threads=3)) as client, ThreadPoolExecutor(12) as senders:
        statuses = list(senders.map(lambda n: one(client, n), range(12)))
    assert statuses == [200] * 12
    assert tokens.most == token_slots(3) == 1
    assert searches.most >= 2  # the threads the token requests left


def test_r7_1_served_without_the_lifespan_the_token_route_still_answers(world: WebWorld) -> None:
    """An ASGI server that sends no lifespan events runs no startup hook: the token route makes
    its slots on first use instead of failing."""
    app = create_app(world.app)
    form = _credentials(world)

    async def ask() -> list[int]:
        transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 4711))
        async with httpx.AsyncClient(transport=transport, base_url="http://xs") as client:
            answers = [await client.post("/oauth/token", data=form) for _ in range(2)]
        return [a.status_code for a in answers]

    assert asyncio.run(ask()) == [200, 200]
    assert "xs_token_slots" in app.state
