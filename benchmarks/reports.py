"""Benchmark: R3.1 absence per organisation unit over a large synthetic organisation, and the
XLSX export of a large table, on SQLite and PostgreSQL.

    python -m benchmarks.reports [--engines sqlite,postgres] [--employees N] [--employers N]
        [--departments N] [--spells N] [--xlsx-rows N] [--xlsx-only] [--keep] [--load-only]

The data: the synthetic organisation (``xs_app.synthetic``, as the search benchmark) with
``--spells`` sickness reports on distinct employees: first sick days spread over 2025–2026; six in
ten fully recovered after 1–400 days, two in ten with a 50 % step first, two in ten still open.
Measured, through the use case (authorisation, the unit tree, the sums per employer and
department computed by the database, the roll-up of the sums into the rows):

1. R3.1 for 2026 for the folder with the most employers (its employers and their departments);
2. R3.1 for 2026 for every employer at once (every employer and department a row);
3. the XLSX export of a table of ``--xlsx-rows`` rows (R3.1's columns), its wall and CPU time
   and the growth of the peak RSS while writing (XlsxWriter's constant-memory mode: flat);
   ``--xlsx-only`` measures this alone (no database, results not written).

Printed: seconds, the CPU seconds of this process and of the PostgreSQL backend that served it,
the load average before and after, rows, peak RSS (``ru_maxrss``). Written to
``benchmarks/results/reports.json``. ``--keep`` keeps the databases (named after
``--employees``) and reuses a loaded one; ``--load-only`` builds it without measuring.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import random
import resource
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum
import sqlalchemy as sa

from benchmarks.engines import run_on, settle
from xs_adapters.clock import FixedClock
from xs_adapters.exports import ExportFormat, export_report
from xs_adapters.sql import tables as t
from xs_adapters.sql.copy import insert_rows
from xs_app import Xs, bootstrap
from xs_app.services.protocols import CreateProtocol
from xs_app.services.reports import AbsenceReport
from xs_app.synthetic import SyntheticGenerator, SyntheticSize, load
from xs_core.dates import DateRange
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.protocols.model import ProtocolKind
from xs_core.reports import DEFAULT_DURATION_CATEGORIES, ReportTable, absence_columns

ROOT = Path(__file__).parent
RESULTS = ROOT / "results"
CLOCK = FixedClock.on(pendulum.Date(2026, 11, 29))
YEAR = DateRange(_dt.date(2026, 1, 1), _dt.date(2027, 1, 1))
CHUNK = 50_000


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _kept(xs: Xs, size: SyntheticSize) -> bool:
    """Whether the database already holds this world (``--keep``: the same seeds, the same
    data), so that it is not loaded again."""
    with xs.container.engine().connect() as connection:
        employees = connection.execute(sa.text("SELECT count(*) FROM employees")).scalar_one()
        sick = connection.execute(sa.text("SELECT count(*) FROM trajectories")).scalar_one()
    return bool(employees == size.employees and sick)


def _folders(xs: Xs) -> list[uuid.UUID]:
    """The folders, the one with the most employers first."""
    e = t.employers
    query = (
        sa.select(e.c.folder_id)
        .where(e.c.folder_id.is_not(None))
        .group_by(e.c.folder_id)
        .order_by(sa.func.count().desc(), e.c.folder_id)
    )
    with xs.container.engine().connect() as connection:
        return list(connection.scalars(query))


def _settle(xs: Xs) -> None:
    """After the bulk load: statistics for the planner (and on PostgreSQL the visibility map,
    as autovacuum would set it in production)."""
    engine = xs.container.engine()
    settle(engine)


def _load(url: str, size: SyntheticSize, spells: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    xs = bootstrap(database_url=url, clock=CLOCK, migrate_database=True)
    admin = xs.installation.create_super_administrator("Bench", f"b-{uuid.uuid4().hex}@example.nl")
    if _kept(xs, size):
        print("  kept database: not loaded again", flush=True)
        folders = _folders(xs)
        xs.close()
        return admin, folders
    protocol = xs.protocols.create_protocol(
        CreateProtocol(actor=admin, name="Verzuim", kind=ProtocolKind.SICKNESS)
    )
    load(xs.unit_of_work, SyntheticGenerator(size=size))
    print(f"  loaded {size.employees:,} employees", flush=True)
    rng = random.Random(2026)
    engine = xs.container.engine()
    with engine.connect() as connection:
        people = [row[0] for row in connection.execute(t.employees.select().with_only_columns(
            t.employees.c.id))]  # fmt: skip
    chosen = rng.sample(people, min(spells, len(people)))
    first_day = _dt.date(2025, 1, 1)
    for start in range(0, len(chosen), CHUNK):
        trajectories, reports = [], []
        for person in chosen[start : start + CHUNK]:
            ident = uuid.uuid4()
            first = first_day + _dt.timedelta(days=rng.randrange(700))
            trajectories.append(
                {
                    "id": ident, "protocol_id": protocol, "kind": "sickness",
                    "employee_id": person, "employment_id": None, "start_date": first,
                    "end_date": None, "bulk_request_id": None, "compensation_added": False,
                    "compensation_reason": None,
                }
            )  # fmt: skip
            draw = rng.random()
            length = rng.randint(1, 400)
            if draw < 0.2:
                step = max(1, length // 2)
                reports.append({"trajectory_id": ident, "date": first + _dt.timedelta(days=step),
                                "recovered_percentage": 50})  # fmt: skip
                if step < length:
                    reports.append({"trajectory_id": ident,
                                    "date": first + _dt.timedelta(days=length),
                                    "recovered_percentage": 100})  # fmt: skip
            elif draw < 0.8:
                reports.append({"trajectory_id": ident, "date": first + _dt.timedelta(days=length),
                                "recovered_percentage": 100})  # fmt: skip
        with xs.unit_of_work() as uow:
            insert_rows(uow.connection, t.trajectories, trajectories)  # type: ignore[attr-defined]
            insert_rows(uow.connection, t.recovery_reports, reports)  # type: ignore[attr-defined]
            uow.commit()
    print(f"  loaded {len(chosen):,} sickness reports", flush=True)
    _settle(xs)
    folders = _folders(xs)
    xs.close()
    return admin, folders


def _backend(xs: Xs) -> int | None:
    """The process id of the PostgreSQL backend of the application's (pooled) connection."""
    engine = xs.container.engine()
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        pid: int = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        return pid


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process on this machine (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _absence(url: str, admin: uuid.UUID, units: tuple[UnitRef, ...]) -> dict[str, Any]:
    xs = bootstrap(database_url=url, clock=CLOCK, migrate_database=False)
    backend = _backend(xs)
    backend_before = None if backend is None else _process_cpu(backend)
    load_before = os.getloadavg()[0]
    started, cpu = time.perf_counter(), time.process_time()
    result = xs.reports.absence(AbsenceReport(actor=admin, period=YEAR, units=units))
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu
    backend_seconds = None
    # the same pooled connection again: its backend's CPU is the database's share (parallel
    # workers, if the planner starts any, are not counted)
    if backend is not None and backend_before is not None and _backend(xs) == backend:
        backend_seconds = round(_process_cpu(backend) - backend_before, 2)
    xs.close()
    return {
        "rows": len(result.rows),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "backend_cpu_seconds": backend_seconds,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "peak_rss_mb": round(_peak_mb()),
    }


def _xlsx(rows: int) -> dict[str, Any]:
    columns = absence_columns(DEFAULT_DURATION_CATEGORIES)
    line = (
        "WG00001",
        "Bakkerij Jansen B.V.",
        "Werkgever",
        Decimal("123.45"),
        Decimal("45000.5"),
        Decimal("2250.25"),
        Decimal("5.00"),
        42,
        Decimal("1.23"),
        Decimal("12.5"),
        1,
        2,
        3,
        4,
    )
    before = _peak_mb()
    table = ReportTable("Verzuim", columns, (line for _ in range(rows)), rows)
    with tempfile.TemporaryDirectory() as directory:
        started, cpu = time.perf_counter(), time.process_time()
        export_report(table, Path(directory) / "verzuim.xlsx", ExportFormat.XLSX)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "rows_per_second": round(rows / seconds),
        "peak_rss_mb_before": round(before),
        "peak_rss_mb_after": round(_peak_mb()),
    }


def run_engine(
    name: str, url: str, size: SyntheticSize, spells: int, load_only: bool = False
) -> dict[str, Any]:
    loaded = time.perf_counter()
    admin, folders = _load(url, size, spells)
    print(f"[{name}] data loaded in {time.perf_counter() - loaded:.0f} s", flush=True)
    if load_only:
        return {"engine": name, "loaded": True}
    engine = bootstrap(database_url=url, clock=CLOCK, migrate_database=False)
    with engine.container.engine().connect() as connection:
        employers = tuple(
            UnitRef(UnitKind.EMPLOYER, row[0])
            for row in connection.execute(t.employers.select().with_only_columns(t.employers.c.id))
        )
    engine.close()
    one_folder = _absence(url, admin, (UnitRef(UnitKind.FOLDER, folders[0]),))
    print(f"[{name}] one folder: {one_folder}", flush=True)
    every_employer = _absence(url, admin, employers)
    print(f"[{name}] every employer: {every_employer}", flush=True)
    return {
        "engine": name,
        "employees": size.employees,
        "employers": size.employers,
        "departments": size.departments,
        "spells": spells,
        "period": str(YEAR),
        "one_folder": one_folder,
        "every_employer": every_employer,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--employees", type=int, default=1_000_000)
    parser.add_argument("--employers", type=int, default=10_000)
    parser.add_argument("--departments", type=int, default=100_000)
    parser.add_argument("--spells", type=int, default=100_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--xlsx-only", action="store_true", help="measure the XLSX export alone")
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases and reuse them on the next run"
    )
    parser.add_argument(
        "--load-only", action="store_true", help="build the data only (with --keep), no run"
    )
    args = parser.parse_args()
    size = SyntheticSize(
        folders=100,
        employers=args.employers,
        departments=args.departments,
        branches=0,
        employees=args.employees,
    )
    xlsx: dict[str, Any] = {}
    if not args.load_only:
        xlsx = _xlsx(args.xlsx_rows)
        print(f"XLSX export: {xlsx}", flush=True)
    if args.xlsx_only:
        return
    reports: dict[str, Any] = {"xlsx": xlsx, "engines": []}
    for name in args.engines.split(","):

        def run(url: str, engine: str = name) -> dict[str, Any]:
            return run_engine(engine, url, size, args.spells, args.load_only)

        label = f"reports_{args.employees}"
        reports["engines"].append(run_on(name, label, run, keep=args.keep))
    if args.load_only:
        return
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "reports.json"
    out.write_text(json.dumps(reports, indent=2))
    print(f"written {out}")


if __name__ == "__main__":
    main()
