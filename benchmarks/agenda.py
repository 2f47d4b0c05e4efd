"""Benchmark: planning one availability (R4.3) at a location that already holds 100,000
availabilities, through the whole use case (authorisation, the professional's lock and overlap
check, location lock, indexed overlap query, peak check, insert, outbox, commit), on SQLite
and PostgreSQL — on PostgreSQL in two round trips (the locks and reads; the writes and the
commit).

Target: p99 <= 5 ms; issue #11: p99 <= 3 ms on PostgreSQL.

    python -m benchmarks.agenda [--engines sqlite,postgres] [--existing N] [--plans N]

Figures are printed and written to ``benchmarks/results/agenda.json``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import random
import time
import uuid
from pathlib import Path
from typing import Any

import pendulum
import sqlalchemy as sa

from benchmarks.engines import run_on, settle
from benchmarks.floors import latency, peak_rss_mib, ratio
from xs_adapters.clock import FixedClock
from xs_adapters.sql import tables as t
from xs_app import Xs, bootstrap
from xs_app.services.access import CreateRole, CreateUser
from xs_app.services.agenda import CreateLocation, PlanAvailability
from xs_core.access.features import Feature
from xs_core.agenda.model import MAX_AVAILABILITY, Availability
from xs_core.agenda.spans import TimeSpan
from xs_core.errors import DomainError

ROOT = Path(__file__).parent
RESULTS = ROOT / "results"
CLOCK = FixedClock.on(pendulum.Date(2026, 11, 29))
FIRST_DAY = pendulum.datetime(2000, 1, 3, tz="Europe/Amsterdam")


def _span(day: int, slot: int) -> TimeSpan:
    start = FIRST_DAY.add(days=day, hours=8 + slot)
    return TimeSpan(start, start.add(hours=1))


def _load(xs: Xs, location: uuid.UUID, existing: int) -> None:
    with xs.unit_of_work() as uow:
        uow.availabilities.add_all(
            [
                Availability(
                    id=uuid.uuid4(),
                    professional_id=uuid.uuid4(),
                    location_id=location,
                    span=_span(i // 8, i % 8),
                )
                for i in range(existing)
            ]
        )
        uow.commit()


def run_engine(name: str, url: str, existing: int, plans: int) -> dict[str, Any]:
    xs = bootstrap(database_url=url, clock=CLOCK, migrate_database=True)
    admin = xs.installation.create_super_administrator("Bench", f"b-{uuid.uuid4().hex}@example.nl")
    location = xs.agenda.create_location(
        CreateLocation(actor=admin, name="Locatie A", max_parallel=3)
    )
    role = xs.access.create_role(
        CreateRole(actor=admin, name="Arts", features=frozenset({Feature.HOLD_AVAILABILITIES}))
    )
    # one professional per plan: the benchmark measures the location limit, not double bookings
    professionals = [
        xs.access.create_user(
            CreateUser(
                actor=admin,
                name=f"Arts {n}",
                email=f"arts{n}-{uuid.uuid4().hex[:8]}@example.nl",
                role_ids=frozenset({role}),
            )
        )
        for n in range(plans)
    ]
    rng = random.Random(2021)
    days = existing // 8
    _load(xs, location, existing)
    # the loaded aggregates are garbage now: collect them before measuring, so that the heap is
    # that of a service planning availabilities, not of one that just built 100,000 objects
    gc.collect()
    engine = xs.container.engine()
    settle(engine)
    timings: list[float] = []
    floor: list[float] = []
    refused = 0
    # the floor: one round trip of the overlap query alone (the location's availabilities
    # overlapping the span), on its own connection, beside every plan
    a = t.availabilities
    moment = a.c.starts_at.type
    overlap = sa.select(a.c.id, a.c.starts_at, a.c.ends_at).where(
        a.c.location_id == sa.bindparam("location_id", type_=sa.Uuid),
        a.c.starts_at > sa.bindparam("earliest", type_=moment),
        a.c.starts_at < sa.bindparam("end", type_=moment),
        a.c.ends_at > sa.bindparam("start", type_=moment),
    )
    # the commit floor: one row into a scratch table and a commit (the WAL flush every plan
    # pays once), on the same connection, beside every plan
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE bench_commit_floor (id CHAR(32) PRIMARY KEY)")
    scratch = sa.text("INSERT INTO bench_commit_floor (id) VALUES (:id)")
    committed: list[float] = []
    bare = engine.connect()
    for professional in professionals:
        day, slot = rng.randrange(days), rng.randrange(8)
        span = _span(day, slot).shifted(pendulum.duration(minutes=rng.choice([0, 15, 30, 45])))
        command = PlanAvailability(
            actor=admin,
            professional_id=professional,
            location_id=location,
            start=span.start,
            end=span.end,
        )
        values = {
            "location_id": location,
            "earliest": _dt.datetime.__sub__(span.start, MAX_AVAILABILITY),
            "end": _dt.datetime.__add__(span.end, _dt.timedelta()),
            "start": _dt.datetime.__add__(span.start, _dt.timedelta()),
        }
        started = time.perf_counter()
        bare.execute(overlap, values).all()
        floor.append((time.perf_counter() - started) * 1000)
        bare.rollback()
        started = time.perf_counter()
        bare.execute(scratch, {"id": uuid.uuid4().hex})
        bare.commit()
        committed.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        try:
            xs.agenda.plan_availability(command)
        except DomainError:
            refused += 1
        timings.append((time.perf_counter() - started) * 1000)
    bare.close()
    use_case, bare_query, commit_floor = latency(timings), latency(floor), latency(committed)
    report = {
        "engine": name,
        "existing_availabilities": existing,
        "plans": plans,
        "refused": refused,
        **use_case,
        "floor": bare_query,
        "commit_floor": commit_floor,
        "ratio_p50": ratio(use_case["p50_ms"], bare_query["p50_ms"]),
        "ratio_p99": ratio(use_case["p99_ms"], bare_query["p99_ms"]),
        "peak_rss_mib": peak_rss_mib(),
    }
    print(
        f"[{name}] plan one availability next to {existing:,}: p50 {report['p50_ms']} ms, "
        f"p95 {report['p95_ms']} ms, p99 {report['p99_ms']} ms ({plans} plans, "
        f"{refused} refused by the limit)\n[{name}] floor (the overlap query alone, one round "
        f"trip): p50 {bare_query['p50_ms']} ms, p99 {bare_query['p99_ms']} ms -> ratio = use "
        f"case / floor = {report['ratio_p50']} (p50), {report['ratio_p99']} (p99); peak RSS "
        f"{report['peak_rss_mib']} MiB\n[{name}] commit floor (one row into a scratch table and "
        f"a commit): p50 {commit_floor['p50_ms']} ms, p99 {commit_floor['p99_ms']} ms",
        flush=True,
    )
    xs.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--existing", type=int, default=100_000)
    parser.add_argument("--plans", type=int, default=1_000)
    args = parser.parse_args()
    reports = [
        run_on(name, "agenda", lambda url, n=name: run_engine(n, url, args.existing, args.plans))
        for name in args.engines.split(",")
    ]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "agenda.json"
    out.write_text(json.dumps(reports, indent=2))
    print(f"written {out}")


if __name__ == "__main__":
    main()
