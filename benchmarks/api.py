"""Benchmark: the external API over real HTTP (R7.1, R1.3): ``xs serve`` with ``--workers``
uvicorn processes on 127.0.0.1, driven by ``--clients`` concurrent HTTP clients (httpx, one event
loop) for ``--seconds`` per scenario — a bounded load on the loopback address only.

Scenarios: ``GET /api/v1/search?term=…`` (R1.3, over a generated organisation of ``--employees``
employees) and ``POST /api/v1/employers/{code}/users`` (R7.1, a new address each, with an
``Idempotency-Key``; the invitation is written to the outbox). Reported per scenario: requests,
errors, requests per second, p50/p95/p99 latency in milliseconds.

    python -m benchmarks.api [--engine postgres|sqlite] [--workers 2] [--clients 50]
                             [--seconds 30] [--employees 2000]

Figures are printed and written to ``benchmarks/results/api.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from tests.smtp_server import free_port

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
        return str(client.client_id), client.secret, codes[0]
    finally:
        xs.close()


async def _load(
    base: str, token: str, clients: int, seconds: float, request: Any
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    counter = itertools.count()
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as http:

        async def one_client() -> None:
            nonlocal errors
            while time.monotonic() < deadline:
                started = time.perf_counter()
                answer = await request(http, next(counter))
                latencies.append((time.perf_counter() - started) * 1000)
                if answer.status_code >= 400:
                    errors += 1

        began = time.monotonic()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        elapsed = time.monotonic() - began
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))], 1)

    return {
        "requests": len(ordered),
        "errors": errors,
        "requests_per_second": round(len(ordered) / elapsed, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(ordered), 1),
    }


def run(engine: str, workers: int, clients: int, seconds: float, employees: int) -> dict[str, Any]:
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
                for _ in range(300):  # at most 60 s to start
                    try:
                        if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    time.sleep(0.2)
                token = httpx.post(
                    f"{base}/oauth/token",
                    data={"grant_type": "client_credentials"},
                    auth=(client_id, secret),
                ).json()["access_token"]

                async def search(http: httpx.AsyncClient, n: int) -> httpx.Response:
                    return await http.get("/api/v1/search", params={"term": "de", "page_size": 20})

                async def create(http: httpx.AsyncClient, n: int) -> httpx.Response:
                    person = {"name": f"Gebruiker {n}", "email": f"b{n}@bench.nl", "role": ROLE}
                    return await http.post(
                        f"/api/v1/employers/{code}/users",
                        json=person,
                        headers={"Idempotency-Key": f"bench-{n}"},
                    )

                figures = {
                    "engine": engine,
                    "workers": workers,
                    "clients": clients,
                    "seconds": seconds,
                    "employees": employees,
                    "search": asyncio.run(_load(base, token, clients, seconds, search)),
                    "create_user": asyncio.run(_load(base, token, clients, seconds, create)),
                }
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
    args = parser.parse_args()
    if not (1 <= args.clients <= 200 and 1 <= args.seconds <= 120 and 1 <= args.workers <= 8):
        parser.error("--clients 1..200, --seconds 1..120, --workers 1..8 (a bounded load)")
    figures = run(args.engine, args.workers, args.clients, args.seconds, args.employees)
    print(json.dumps(figures, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "api.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
