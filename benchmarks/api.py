"""Benchmark: the external API over real HTTP (R7.1, R1.3): ``xs serve`` with ``--workers``
uvicorn processes on 127.0.0.1, driven by ``--clients`` concurrent keep-alive connections for
``--seconds`` per scenario (a closed loop: each client sends its next request when the answer to
the previous one is read) — a bounded load on the loopback address only.

Scenarios: ``GET /api/v1/search?term=de`` (R1.3, over a generated organisation of
``--employees`` employees; the client is entitled to every employer) and
``POST /api/v1/employers/{code}/users`` (R7.1, a new address each, with an ``Idempotency-Key``;
the invitation is written to the outbox). Each is first run for ``--warmup`` unmeasured seconds
(both workers up, caches warm), and each measured scenario starts from a settled database
(``VACUUM ANALYZE`` on PostgreSQL, ``ANALYZE`` on SQLite): the thousands of users the scenario
before created are not vacuumed during the next one's measurement.

The load comes from :mod:`benchmarks.http_load` (asyncio, prepared request bytes, about 0.2 ms of
CPU per request; an ``httpx`` client cost about 10 ms per request on the same two cores, as much
as the server). Reported per scenario: requests, errors (status >= 400), dropped connections,
requests per second, p50/p95/p99 latency in milliseconds, and the CPU milliseconds per request
of the load generator, the server's processes and the PostgreSQL backends, with the load
average. With a closed loop, mean latency = clients / throughput (Little's law); so the search
is also run *paced* at ``--rate`` requests per second in all (default 300, the aim): the same
clients send at fixed moments and each latency counts from its scheduled moment — the latency
at that throughput.

    python -m benchmarks.api [--engine postgres|sqlite] [--workers 2] [--clients 50]
                             [--seconds 30] [--employees 2000] [--warmup 3] [--rate 300]

Figures are printed and written to ``benchmarks/results/api.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from tests.smtp_server import free_port

from benchmarks.engines import settle
from benchmarks.http_load import closed_loop, process_tree, request_bytes
from benchmarks.mail import _database, _drop
from xs_app import bootstrap
from xs_app.services.api import RegisterApiClient
from xs_app.synthetic import SyntheticGenerator, SyntheticSize, load
from xs_core.access.features import Feature
from xs_core.access.model import RoleKind

RESULTS = Path(__file__).resolve().parent / "results"
KEY = "benchmark-secret-key-of-at-least-32-characters"
ROLE = "Werkgever HR"


def _prepare(url: str, employees: int) -> tuple[str, str, str]:
    """A generated organisation, an employer role and a client entitled to every employer."""
    from xs import CreateRole

    xs = bootstrap(url, migrate_database=True)
    try:
        admin = xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
        size = SyntheticSize(
            folders=2,
            employers=max(employees // 100, 2),
            departments=max(employees // 20, 2),
            branches=max(employees // 50, 2),
            employees=employees,
        )
        load(xs.unit_of_work, SyntheticGenerator(seed=1, size=size))
        xs.access.create_role(
            CreateRole(
                actor=admin,
                name=ROLE,
                features=frozenset({Feature.VIEW_ORGANISATION}),
                kind=RoleKind.EMPLOYER,
            )
        )
        with xs.unit_of_work(write=False) as uow:
            codes = sorted(e.code for e in uow.employers.list() if e.code)
        client = xs.api_clients.register(
            RegisterApiClient(actor=admin, name="Benchmark", employer_codes=frozenset(codes))
        )
        # statistics for the planner, as autovacuum would have them within a minute in
        # production (without them PostgreSQL ranked the search's scope rows by a sort)
        settle(xs.container.engine())
        return str(client.client_id), client.secret, codes[0]
    finally:
        xs.close()


def _settle(url: str) -> None:
    """:func:`benchmarks.engines.settle` on a connection of its own."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        settle(engine)
    finally:
        engine.dispose()


def _database_pids(url: str) -> Callable[[], list[int]]:
    """The PostgreSQL backends serving the benchmark's database (none on SQLite)."""
    if not url.startswith("postgresql"):
        return list
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    name = url.rsplit("/", 1)[1]

    def pids() -> list[int]:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    sa.text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = :name "
                        "AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                ).scalars()
            )

    return pids


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(600):  # at most 120 s to start on a loaded machine
        if server.poll() is not None:
            raise RuntimeError(f"xs serve exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("xs serve did not answer /health within 120 s")


def run(
    engine: str,
    workers: int,
    clients: int,
    seconds: float,
    employees: int,
    warmup: float,
    rates: tuple[float, ...] = (),
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        url, created = _database(engine, Path(tmp))
        try:
            client_id, secret, code = _prepare(url, employees)
            port = free_port()
            env = {**os.environ, "XS_DATABASE_URL": url, "XS_SECRET_KEY": KEY}
            server = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "xs"),
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            base = f"http://127.0.0.1:{port}"
            try:
                _wait_until_up(base, server)
                token = httpx.post(
                    f"{base}/oauth/token",
                    data={"grant_type": "client_credentials"},
                    auth=(client_id, secret),
                ).json()["access_token"]
                bearer = {"authorization": f"Bearer {token}"}
                search = request_bytes("GET", "/api/v1/search?term=de&page_size=20", bearer)

                def searching(n: int) -> bytes:
                    return search

                def creating(prefix: str) -> Callable[[int], bytes]:
                    def make(n: int) -> bytes:
                        person = {
                            "name": f"Gebruiker {prefix}{n}",
                            "email": f"b{prefix}{n}@bench.nl",
                            "role": ROLE,
                        }
                        return request_bytes(
                            "POST",
                            f"/api/v1/employers/{code}/users",
                            {
                                **bearer,
                                "content-type": "application/json",
                                "idempotency-key": f"bench-{prefix}{n}",
                            },
                            json.dumps(person).encode(),
                        )

                    return make

                def measure(
                    make: Callable[[int], bytes], span: float, rate: float | None = None
                ) -> dict[str, Any]:
                    return closed_loop(
                        "127.0.0.1",
                        port,
                        clients,
                        span,
                        make,
                        server_pids=lambda: process_tree(server.pid),
                        database_pids=_database_pids(url),
                        rate=rate,
                    )

                def settled(
                    make: Callable[[int], bytes], span: float, rate: float | None = None
                ) -> dict[str, Any]:
                    # each scenario starts from a settled database: the rows the scenario
                    # before wrote vacuumed and analysed (as autovacuum would do within its
                    # minute, then competing with this scenario for the two cores)
                    _settle(url)
                    return measure(make, span, rate)

                if warmup:  # both workers up, caches warm: not measured
                    measure(searching, warmup)
                    measure(creating("w"), warmup)
                figures = {
                    "engine": engine,
                    "workers": workers,
                    "clients": clients,
                    "seconds": seconds,
                    "employees": employees,
                    "warmup_seconds": warmup,
                    "load_generator": "benchmarks.http_load (asyncio, keep-alive, closed loop)",
                    "settled_before_each_scenario": True,
                    "search": settled(searching, seconds),
                    "create_user": settled(creating("m"), seconds),
                }
                for rate in rates:  # the latency at a given throughput (paced clients)
                    figures[f"search_at_{rate:g}_per_second"] = settled(searching, seconds, rate)
            finally:
                server.terminate()
                server.wait(30)
        finally:
            _drop(created)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds first")
    parser.add_argument(
        "--rate",
        type=float,
        action="append",
        default=None,
        help="also search paced at this many requests per second in all (repeatable; "
        "default 300, the aim)",
    )
    args = parser.parse_args()
    rates = tuple(args.rate) if args.rate is not None else (300.0,)
    if not all(1 <= rate <= 5_000 for rate in rates):
        parser.error("--rate 1..5000")
    if not (1 <= args.clients <= 200 and 1 <= args.seconds <= 120 and 1 <= args.workers <= 8):
        parser.error("--clients 1..200, --seconds 1..120, --workers 1..8 (a bounded load)")
    if not 0 <= args.warmup <= 30:
        parser.error("--warmup 0..30")
    figures = run(
        args.engine, args.workers, args.clients, args.seconds, args.employees, args.warmup, rates
    )
    print(json.dumps(figures, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "api.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
