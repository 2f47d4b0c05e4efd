"""Benchmark: bulk start (R2.2) of 100,000 employees, set-based, against a naive
one-row-at-a-time baseline in the same run, on SQLite and PostgreSQL; and the bulk start of a
sickness protocol, which also decides R2.5 per employee (set-based facts, no baseline).

Target: at least 20x faster than the baseline, and under 10 s on SQLite.

    python -m benchmarks.bulk_start [--engines sqlite,postgres] [--employees N] [--skip-naive]

Figures are printed and written to ``benchmarks/results/bulk_start.json``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import random
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.engines import run_on
from benchmarks.floors import copy_floor, peak_rss_mib, ratio
from xs_adapters.clock import FixedClock
from xs_adapters.sql import tables as t
from xs_app import Xs, bootstrap
from xs_app.services.protocols import BulkStart, CreateProtocol
from xs_core.access.model import ResolvedScope
from xs_core.dates import DateRange
from xs_core.organisation.model import Employee, Employer, Employment, Gender
from xs_core.protocols.bulk import BulkStartRequest, BulkUnit
from xs_core.protocols.model import ProtocolCharacteristics, ProtocolKind, TaskTemplate, Trajectory

ROOT = Path(__file__).parent
RESULTS = ROOT / "results"
CLOCK = FixedClock.on(_dt.date(2026, 11, 29))
START = _dt.date(2026, 12, 1)
END = _dt.date(2027, 11, 30)
TASKS = (
    TaskTemplate(code="VRAGENLIJST", title="Vragenlijst PMO"),
    TaskTemplate(code="ONDERZOEK", title="Onderzoek"),
)


def _organisation(employers: int, employees: int) -> tuple[list[Employer], list[Employee]]:
    rng = random.Random(2021)

    def ident() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    firms = [
        Employer(id=ident(), name=f"Werkgever {i}", code=f"BW{i:04d}") for i in range(employers)
    ]
    people = []
    for number in range(employees):
        person = Employee(
            id=ident(),
            first_name=f"Voornaam{number}",
            last_name="Achternaam",
            gender=Gender.UNKNOWN,
            # R2.5 needs it for sickness: one in ten unknown, the others born 1955–1974
            birth_date=None
            if number % 10 == 0
            else _dt.date(1955 + number % 20, 1 + number % 12, 1 + number % 28),
        )
        person.employments.append(
            Employment.create(
                id=ident(),
                employer_id=firms[number % employers].id,
                period=DateRange(_dt.date(2018 + number % 8, 1, 1)),
                hours_per_week=Decimal(32),
                is_leading=True,
            )
        )
        people.append(person)
    return firms, people


def _naive(xs: Xs, protocol_id: uuid.UUID, employer_ids: frozenset[uuid.UUID]) -> int:
    """The baseline: per employee one check query and one insert per row (plus its tasks)."""
    started = 0
    with xs.unit_of_work() as uow:
        protocol = uow.protocols.get(protocol_id)
        candidates = uow.bulk_starts.proposal(
            BulkUnit(employer_ids=employer_ids), START, ResolvedScope(everything=True)
        )
        period = DateRange.from_inclusive(START, END)
        for candidate in candidates:
            existing = uow.trajectories.for_employee(candidate.employee_id)
            if any(x.protocol_id == protocol_id and x.period.overlaps(period) for x in existing):
                continue
            uow.trajectories.add(
                Trajectory.start(
                    protocol,
                    candidate.employee_id,
                    START,
                    CLOCK.today(),
                    None,
                    candidate.employment_id,
                )
            )
            started += 1
        uow.commit()
    return started


def run_engine(name: str, url: str, employees: int, skip_naive: bool = False) -> dict[str, Any]:
    xs = bootstrap(database_url=url, clock=CLOCK, migrate_database=True)
    firms, people = _organisation(100, employees)
    started_at = time.perf_counter()
    with xs.unit_of_work() as uow:
        uow.bulk.add_all(employers=firms, employees=people)
        uow.commit()
    load = time.perf_counter() - started_at
    # the loaded aggregates are the harness's, not the use case's: a process serving a bulk
    # start does not hold them, and every full collection of the garbage collector during the
    # timed calls would walk them (about 220,000 objects at 20,000 employees)
    del people
    gc.collect()
    if name == "postgres":
        with xs.container.engine().begin() as connection:
            connection.execute(sa.text("ANALYZE"))
    admin = xs.installation.create_super_administrator("Bench", f"b-{uuid.uuid4().hex}@example.nl")
    allowed = ProtocolCharacteristics(may_start_in_bulk=True)
    fast_protocol = xs.protocols.create_protocol(
        CreateProtocol(
            actor=admin,
            name="PMO bulk",
            kind=ProtocolKind.PMO,
            task_templates=TASKS,
            characteristics=allowed,
        )
    )
    naive_protocol = xs.protocols.create_protocol(
        CreateProtocol(
            actor=admin,
            name="PMO naive",
            kind=ProtocolKind.PMO,
            task_templates=TASKS,
            characteristics=allowed,
        )
    )
    employer_ids = frozenset(f.id for f in firms)
    request = BulkStartRequest(
        request_id=uuid.uuid4(),
        protocol_id=fast_protocol,
        unit=BulkUnit(employer_ids=employer_ids),
        start=START,
        end_date=END,
    )
    t0 = time.perf_counter()
    result = xs.bulk_start.start(BulkStart(actor=admin, request=request))
    fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    repeated = xs.bulk_start.start(BulkStart(actor=admin, request=request))
    repeat = time.perf_counter() - t0
    # a repeat answers with outcomes made as they are read: reading them all is timed apart
    t0 = time.perf_counter()
    read_started = sum(1 for outcome in repeated.outcomes if outcome.started)
    repeat_read = time.perf_counter() - t0
    assert read_started == employees
    # the floor: the same trajectories and their tasks, bare, into tables with the same keys
    # (foreign keys included) and indexes (no exclusion constraint); and without the foreign
    # keys, as the floor was measured before
    engine = xs.container.engine()
    x, tasks = t.trajectories, t.trajectory_tasks
    ours = x.c.protocol_id == fast_protocol
    their_tasks = tasks.c.trajectory_id.in_(sa.select(x.c.id).where(ours))
    trajectory_rows, trajectories_floor = copy_floor(engine, x, ours, references=True)
    task_rows, tasks_floor = copy_floor(engine, tasks, their_tasks, references=True)
    assert (trajectory_rows, task_rows) == (employees, employees * len(TASKS))
    floor = trajectories_floor + tasks_floor
    bare_floor = copy_floor(engine, x, ours)[1] + copy_floor(engine, tasks, their_tasks)[1]
    sickness_protocol = xs.protocols.create_protocol(
        CreateProtocol(
            actor=admin,
            name="Verzuim bulk",
            kind=ProtocolKind.SICKNESS,
            task_templates=TASKS[:1],
            characteristics=ProtocolCharacteristics(
                may_start_in_bulk=True, bulk_end_date_may_be_empty=True
            ),
        )
    )
    t0 = time.perf_counter()
    sick = xs.bulk_start.start(
        BulkStart(
            actor=admin,
            request=BulkStartRequest(
                request_id=uuid.uuid4(),
                protocol_id=sickness_protocol,
                unit=BulkUnit(employer_ids=employer_ids),
                start=START,
            ),
        )
    )
    sickness = time.perf_counter() - t0
    assert sick.started == employees
    naive = float("nan")
    if not skip_naive:
        t0 = time.perf_counter()
        naive_started = _naive(xs, naive_protocol, employer_ids)
        naive = time.perf_counter() - t0
        assert result.started == employees == naive_started, (result.started, naive_started)
    assert repeated.repeated and repeated.started == employees
    report = {
        "engine": name,
        "employees": employees,
        "load_seconds": round(load, 2),
        "bulk_start_seconds": round(fast, 2),
        "repeated_request_seconds": round(repeat, 2),
        "repeated_outcomes_read_seconds": round(repeat_read, 2),
        "sickness_bulk_start_seconds": round(sickness, 2),
        "naive_seconds": round(naive, 2),
        "speedup": round(naive / fast, 1),
        "floor_seconds": round(floor, 2),
        "ratio": ratio(fast, floor),
        "floor_without_references_seconds": round(bare_floor, 2),
        "ratio_without_references": ratio(fast, bare_floor),
        "repeat_vs_first": round(repeat / fast, 3),
        "peak_rss_mib": peak_rss_mib(),
    }
    baseline = (
        ""
        if skip_naive
        else f", {naive:.2f} s naive one-row-at-a-time -> {naive / fast:.1f}x faster"
    )
    print(
        f"[{name}] bulk start of {employees:,}: {fast:.2f} s set-based{baseline}; repeating the "
        f"request {repeat:.2f} s (starts nothing; reading its outcomes {repeat_read:.2f} s); a "
        f"sickness protocol (R2.5 decided per employee) {sickness:.2f} s\n[{name}] floor (bare "
        f"INSERT … SELECT of the same {trajectory_rows:,} trajectories and {task_rows:,} tasks, "
        "foreign keys included): "
        f"{floor:.2f} s -> ratio = use case / floor = {report['ratio']} (without the foreign "
        f"keys: {bare_floor:.2f} s, ratio {report['ratio_without_references']}); repeat "
        f"{report['repeat_vs_first']:.1%} of the first; peak RSS {report['peak_rss_mib']} MiB",
        flush=True,
    )
    xs.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--skip-naive", action="store_true", help="leave the baseline out")
    args = parser.parse_args()
    reports = [
        run_on(
            name,
            "bulk_start",
            lambda url, n=name: run_engine(n, url, args.employees, args.skip_naive),
        )
        for name in args.engines.split(",")
    ]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "bulk_start.json"
    out.write_text(json.dumps(reports, indent=2))
    print(f"written {out}")


if __name__ == "__main__":
    main()
