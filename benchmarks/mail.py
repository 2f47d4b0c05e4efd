"""Benchmark: the mail dispatcher delivering 10,000 pending password-change e-mails to a local
SMTP server (aiosmtpd, in a thread of this process), and one Argon2id verification (R2.6, R0.7).

10,000 ``PasswordChanged`` events (over 100 users) are committed to the outbox; the dispatcher
then claims batches (``--batch``) for the ``mail`` subscription, renders each mail (standard
text) and sends it over one SMTP connection per batch, until nothing is pending. Reported: mails
per second, and the process's resident memory after every 1,000 mails (flat memory: batches are
claimed, sent and acknowledged, nothing accumulates). Argon2id: the median and p95 of
``--verifications`` verifications with the parameters xs uses.

    python -m benchmarks.mail [--engine sqlite|postgres] [--mails N] [--batch N]

Figures are printed and written to ``benchmarks/results/mail.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from tests.smtp_server import smtp_server

from xs_adapters.mail.smtp import SmtpMailer
from xs_adapters.passwords import ITERATIONS, MEMORY_KIB, PARALLELISM, Argon2Hasher
from xs_app import bootstrap
from xs_core.access.passwords import PasswordChanged

RESULTS = Path(__file__).resolve().parent / "results" / "mail.json"


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * 4096 / 2**20


def _database(engine: str, directory: Path) -> tuple[str, Any]:
    if engine == "sqlite":
        return f"sqlite:///{directory / 'mail.sqlite3'}", None
    server = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    name = f"xs_bench_mail_{uuid.uuid4().hex[:8]}"
    with server.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", (server, name)


def _drop(created: Any) -> None:
    if created is None:
        return
    server, name = created
    with server.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def dispatch(engine: str, mails: int, batch: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, smtp_server(keep=False) as (handler, port):
        url, created = _database(engine, Path(tmp))
        try:
            xs = bootstrap(
                url, migrate_database=True, mailer=SmtpMailer.from_url(f"smtp://127.0.0.1:{port}")
            )
            admin = xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
            from xs import CreateUser

            users = [
                xs.access.create_user(
                    CreateUser(actor=admin, name=f"Gebruiker {n}", email=f"u{n}@example.nl")
                )
                for n in range(100)
            ]
            now = xs.clock.now()
            with xs.unit_of_work() as uow:
                for n in range(mails):
                    uow.publish(
                        PasswordChanged(
                            user_id=users[n % len(users)], changed_at=now, changed_by="user"
                        )
                    )
                uow.commit()
            xs.mail_dispatcher.dispatch(limit=110)  # warm up: the users' events and 10 mails
            sent_before = handler.count
            memory: list[tuple[int, float]] = [(handler.count, _rss_mib())]
            start = time.perf_counter()
            while True:
                report = xs.mail_dispatcher.dispatch(limit=batch, consumer="bench")
                if handler.count // 1000 > memory[-1][0] // 1000:
                    memory.append((handler.count, _rss_mib()))
                if report.claimed == 0:
                    break
            elapsed = time.perf_counter() - start
            delivered = handler.count - sent_before
            assert handler.count == mails, (handler.count, mails)  # every mail, once
            xs.close()
        finally:
            _drop(created)
    return {
        "engine": engine,
        "mails": mails,
        "batch": batch,
        "seconds": round(elapsed, 2),
        "mails_per_second": round(delivered / elapsed, 1),
        "rss_mib_by_mails_sent": [(n, round(m, 1)) for n, m in memory],
    }


def argon2(verifications: int) -> dict[str, Any]:
    hasher = Argon2Hasher()
    stored = hasher.hash("paarden eten graag hooi")
    times = []
    for _ in range(verifications):
        start = time.perf_counter()
        assert hasher.verify(stored, "paarden eten graag hooi")
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "memory_kib": MEMORY_KIB,
        "iterations": ITERATIONS,
        "parallelism": PARALLELISM,
        "verifications": verifications,
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgres"], action="append")
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--verifications", type=int, default=50)
    args = parser.parse_args()
    results: dict[str, Any] = {"dispatch": [], "argon2id": argon2(args.verifications)}
    print("argon2id:", results["argon2id"])
    for engine in args.engine or ["sqlite", "postgres"]:
        figures = dispatch(engine, args.mails, args.batch)
        print("dispatch:", figures)
        results["dispatch"].append(figures)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
