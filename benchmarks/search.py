"""Benchmark: advanced search (R1.3) over 10k employers, 100k departments and 1M employees.

Target: a 3-letter, accent-insensitive substring search answers its first page in p95 <= 50 ms,
with correct ranking and scope, on SQLite and PostgreSQL. Every measured page is also checked
against a plain reference query (one ORDER BY over every match), so speed never hides a wrong
answer.

    python -m benchmarks.search [--engines sqlite,postgres] [--employees N] [--rounds R]

Figures are printed and written to ``benchmarks/results/search.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.engines import run_on, settle
from benchmarks.floors import latency, peak_rss_mib, percentile, ratio
from xs_adapters.clock import FixedClock
from xs_adapters.sql.tables import search_entries as e
from xs_adapters.sql.tables import search_entry_scopes as s
from xs_app import Xs, bootstrap
from xs_app.services.access import CreateRole, CreateUser
from xs_app.services.organisation import AdvancedSearch
from xs_app.synthetic import SyntheticGenerator, SyntheticOrganisation, SyntheticSize, load
from xs_core.access.features import Feature
from xs_core.organisation.search import normalise
from xs_core.organisation.units import UnitKind, UnitRef

ROOT = Path(__file__).parent
DATA = ROOT / "data"
RESULTS = ROOT / "results"
SEED = 2021
TODAY = FixedClock.on(__import__("datetime").date(2026, 11, 29))


def _size(employees: int) -> SyntheticSize:
    full = SyntheticSize.benchmark()
    factor = employees / full.employees
    return SyntheticSize(
        folders=full.folders,
        employers=max(10, int(full.employers * factor)),
        departments=max(50, int(full.departments * factor)),
        branches=max(10, int(full.branches * factor)),
        employees=employees,
    )


def _load(url: str, size: SyntheticSize) -> tuple[Xs, SyntheticOrganisation, float]:
    xs = bootstrap(database_url=url, clock=TODAY, migrate_database=True)
    with xs.container.engine().connect() as connection:
        loaded = connection.execute(sa.text("SELECT count(*) FROM employees")).scalar_one()
    if loaded == size.employees:  # a kept database (--keep): the same seed, the same data
        return xs, SyntheticGenerator(SEED, size).organisation(), 0.0
    started = time.perf_counter()
    done = 0

    def progress(n: int) -> None:
        nonlocal done
        done += n
        print(f"  loaded {done:,}/{size.employees:,} employees", end="\r", flush=True)

    organisation = load(xs.unit_of_work, SyntheticGenerator(SEED, size), progress)
    print()
    _settle(xs)
    return xs, organisation, time.perf_counter() - started


def _settle(xs: Xs) -> None:
    """After a bulk load: statistics for the planner (and on PostgreSQL the visibility map,
    as autovacuum would set it in production)."""
    engine = xs.container.engine()
    settle(engine)


#: fixed terms beside the drawn ones: the shortest allowed (two letters, R1.3), terms with a
#: space or a hyphen across words, accented and upper-case spellings, one that matches nothing
FIXED_TERMS = ["de", "an", "öz", "Ij", "a d", "e v", "g-K", "Mül", "ÇEL", "zoë", "JOS", "qxz"]


def _terms(xs: Xs, rng: random.Random, count: int) -> list[str]:
    """3-letter terms: substrings of real names (common and rare), drawn with a fixed seed, plus
    :data:`FIXED_TERMS`."""
    with xs.container.engine().connect() as connection:
        names = list(
            connection.execute(
                sa.select(e.c.name).where(e.c.id % 997 == 0).order_by(e.c.id).limit(2000)
            ).scalars()
        )
    terms: set[str] = set()
    while len(terms) < count - len(FIXED_TERMS):
        name = rng.choice(names)
        if len(name) >= 3:
            start = rng.randrange(len(name) - 2)
            piece = name[start : start + 3]
            if len(normalise(piece)) == 3 and piece.strip() == piece:
                terms.add(piece)
    return sorted(terms) + FIXED_TERMS


def _reference(
    connection: sa.Connection, term: str, employer_ids: list[uuid.UUID] | None, limit: int
) -> list[tuple[str, uuid.UUID]]:
    """One plain query over every match: the answer the fast plans must give."""
    top = "\U0010ffff"
    code_prefix = sa.and_(e.c.code_norm >= term, e.c.code_norm < term + top)
    rank = sa.case(
        (e.c.code_norm == term, 0),
        (code_prefix, 1),
        (sa.and_(e.c.name_norm >= term, e.c.name_norm < term + top), 2),
        else_=3,
    )
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = sa.select(e.c.kind, e.c.unit_id).where(
        sa.or_(code_prefix, e.c.name_norm.like(f"%{escaped}%", escape="\\"))
    )
    if employer_ids is not None:
        query = query.where(
            e.c.id.in_(sa.select(s.c.entry_id).where(s.c.employer_id.in_(employer_ids)))
        )
    query = query.order_by(rank, e.c.name_norm, e.c.kind_order, e.c.unit_id).limit(limit)
    return [(r.kind, r.unit_id) for r in connection.execute(query)]


def _server_cpu_seconds(connection: sa.Connection) -> float:
    """PostgreSQL: CPU seconds (user + system) used so far by every backend connected to this
    database, read from ``/proc`` (the server runs on this machine); 0 when unreadable."""
    if connection.dialect.name != "postgresql":
        return 0.0
    pids = connection.execute(
        sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
    ).scalars()
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    connection.rollback()  # a new snapshot of pg_stat_activity next time
    return total


def run_engine(
    name: str, url: str, size: SyntheticSize, rounds: int, terms_count: int
) -> dict[str, Any]:
    print(
        f"[{name}] loading {size.employers:,} employers, {size.departments:,} departments, "
        f"{size.employees:,} employees …"
    )
    xs, organisation, load_seconds = _load(url, size)
    print(f"[{name}] loaded in {load_seconds:.1f} s")
    rng = random.Random(SEED)
    admin = xs.installation.create_super_administrator(
        "Bench", f"bench-{uuid.uuid4().hex}@example.nl"
    )
    role = xs.access.create_role(
        CreateRole(actor=admin, name="Viewer", features=frozenset({Feature.VIEW_ORGANISATION}))
    )
    employer = organisation.employers[len(organisation.employers) // 2]
    folder = organisation.folders[0]
    folder_employers = [x.id for x in organisation.employers if x.folder_id == folder.id]
    ten_folders = organisation.folders[1:11]
    in_ten = {f.id for f in ten_folders}
    ten_folder_employers = [x.id for x in organisation.employers if x.folder_id in in_ten]
    half_folders = organisation.folders[11 : 11 + len(organisation.folders) // 2]
    in_half = {f.id for f in half_folders}
    half_employers = [x.id for x in organisation.employers if x.folder_id in in_half]

    def viewer(units: frozenset[UnitRef]) -> uuid.UUID:
        return xs.access.create_user(
            CreateUser(
                actor=admin,
                name="Viewer",
                email=f"v-{uuid.uuid4().hex}@example.nl",
                role_ids=frozenset({role}),
                scope=units,
            )
        )

    users = {
        "super administrator (everything)": (admin, None),
        "employer user (1 employer)": (
            viewer(frozenset({UnitRef(UnitKind.EMPLOYER, employer.id)})),
            [employer.id],
        ),
        f"folder user ({len(folder_employers)} employers)": (
            viewer(frozenset({UnitRef(UnitKind.FOLDER, folder.id)})),
            folder_employers,
        ),
        f"ten-folder user ({len(ten_folder_employers)} employers)": (
            viewer(frozenset({UnitRef(UnitKind.FOLDER, f.id) for f in ten_folders})),
            ten_folder_employers,
        ),
        f"half-organisation user ({len(half_employers)} employers)": (
            viewer(frozenset({UnitRef(UnitKind.FOLDER, f.id) for f in half_folders})),
            half_employers,
        ),
    }
    terms = _terms(xs, rng, terms_count)
    report: dict[str, Any] = {
        "engine": name,
        "load_seconds": round(load_seconds, 1),
        "terms": terms,
        "users": {},
    }
    engine = xs.container.engine()
    monitor = engine.connect()
    for label, (user, employer_ids) in users.items():
        timings: list[float] = []
        cpu: list[float] = []  # this process's CPU per search (all of it on SQLite)
        server_cpu = 0.0  # PostgreSQL backends' CPU over the measured searches
        floor: list[float] = []
        per_term: dict[str, float] = {}
        wrong = 0
        for term in terms:
            command = AdvancedSearch(actor=user, term=term, page_size=20)
            xs.organisation.search(command)  # warm the plan cache for this term
            mine: list[float] = []
            server_before = _server_cpu_seconds(monitor)
            for _ in range(rounds):
                cpu_started, started = time.process_time(), time.perf_counter()
                page = xs.organisation.search(command)
                mine.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
            server_cpu += _server_cpu_seconds(monitor) - server_before
            timings.extend(mine)
            per_term[term] = max(mine)
            # the floor: the same page by one plain statement (the planner's cheapest plan for
            # it), on its own connection, as many rounds as the use case; and the check
            with engine.connect() as connection:
                expected = _reference(connection, normalise(term), employer_ids, 20)
                for _ in range(rounds):
                    started = time.perf_counter()
                    _reference(connection, normalise(term), employer_ids, 20)
                    floor.append((time.perf_counter() - started) * 1000)
            if [(r.kind.value, r.id) for r in page.results] != expected:
                wrong += 1
                print(f"  WRONG page for {term!r} as {label}")
        bare = latency(floor)
        figures = {
            "queries": len(timings),
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(percentile(timings, 95), 2),
            "p99_ms": round(percentile(timings, 99), 2),
            "max_ms": round(max(timings), 2),
            "cpu_p50_ms": round(statistics.median(cpu), 2),
            "cpu_p95_ms": round(percentile(cpu, 95), 2),
            "server_cpu_mean_ms": round(server_cpu * 1000 / len(timings), 2),
            "load_average": round(os.getloadavg()[0], 2),
            "floor": bare,
            "ratio_p50": ratio(statistics.median(timings), bare["p50_ms"]),
            "ratio_p95": ratio(percentile(timings, 95), bare["p95_ms"]),
            "wrong_pages": wrong,
            "slowest_terms": {
                t: round(ms, 2) for t, ms in sorted(per_term.items(), key=lambda kv: -kv[1])[:5]
            },
        }
        report["users"][label] = figures
        print(
            f"[{name}] {label:40s} p50 {figures['p50_ms']:7.2f} ms  p95 "
            f"{figures['p95_ms']:7.2f} ms  p99 {figures['p99_ms']:7.2f} ms  "
            f"wrong pages {wrong}; floor p50 {bare['p50_ms']:.2f} ms p95 {bare['p95_ms']:.2f} ms "
            f"-> ratio {figures['ratio_p50']} (p50) {figures['ratio_p95']} (p95); CPU p50 "
            f"{figures['cpu_p50_ms']:.2f} ms p95 {figures['cpu_p95_ms']:.2f} ms, server CPU "
            f"{figures['server_cpu_mean_ms']:.2f} ms/search; load {figures['load_average']}",
            flush=True,
        )
    monitor.close()
    report["peak_rss_mib"] = peak_rss_mib()
    print(f"[{name}] peak RSS {report['peak_rss_mib']} MiB", flush=True)
    xs.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--employees", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--terms", type=int, default=40)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the generated databases and reuse them on the next run",
    )
    args = parser.parse_args()
    size = _size(args.employees)
    reports = [
        run_on(
            name,
            f"search_{args.employees}",
            lambda url, n=name: run_engine(n, url, size, args.rounds, args.terms),
            keep=args.keep,
        )
        for name in args.engines.split(",")
    ]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "search.json"
    out.write_text(
        json.dumps(
            {"size": vars(size) if hasattr(size, "__dict__") else str(size), "reports": reports},
            indent=2,
            default=str,
        )
    )
    print(f"written {out}")


if __name__ == "__main__":
    main()
