"""Benchmark: the nightly evaluation of participation (R6.6) on 1,000,000 employees.

Three employers share the employees; each has a policy on one product with all four conditions
active (age 21 to 66 y 3 m, sick at the policy start, salary above the maximum SV-wage, interns
excluded). Salaries are spread around the maximum SV-wage (€ 40,000 – 120,000), one employee in
ten has a sickness trajectory around the policy start, one in twenty two employments.

Measured per engine, on the same data:

* a dry run of the whole population (a separate process: its peak memory, RSS, is the figure;
  target < 1 GiB), writing its CSV to a file; beside it the peaks of the process's private
  memory and of its file pages (on SQLite the memory-mapped database file, page cache);
* the first full run — SQLite in one process; PostgreSQL with two ``xs worker`` processes
  (``--workers``) — target ≤ 120 s;
* a second run on the same date: writes 0 rows, target ≤ 25 % of the first.

    python -m benchmarks.policies [--engines sqlite,postgres] [--employees N] [--workers 2]

Figures are printed and written to ``benchmarks/results/policies.json``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pendulum
import sqlalchemy as sa

from benchmarks.engines import run_on, settle
from xs_adapters.clock import FixedClock
from xs_adapters.sql import tables as t
from xs_app import Xs, bootstrap
from xs_app.services.configuration import SetParameter
from xs_app.services.policies import (
    CreateInsuranceProduct,
    CreateInsurer,
    CreatePolicy,
    SetProductConditions,
)
from xs_app.services.policy_evaluation import EvaluatePolicies, GetPolicyEvaluation
from xs_app.services.protocols import CreateProtocol
from xs_app.worker import enqueue
from xs_core.dates import DateRange
from xs_core.money import Money
from xs_core.organisation.model import Employee, Employer, Employment, EmploymentType, Gender
from xs_core.policies.conditions import (
    Age,
    AgeCondition,
    Conditions,
    EmploymentTypeCondition,
    SalaryCondition,
    SicknessCondition,
)
from xs_core.policies.model import ProductKind
from xs_core.protocols.model import ProtocolKind
from xs_core.settings import Parameter

ROOT = Path(__file__).parent
RESULTS = ROOT / "results"
CLOCK = FixedClock.on(_dt.date(2026, 11, 29))
POLICY_START = _dt.date(2025, 1, 1)
ON = _dt.date(2026, 1, 1)
CHUNK = 5_000
BATCH = 50_000
EMAIL = "beheer@example.nl"
TYPES = list(EmploymentType)


def _people(firms: list[Employer], employees: int) -> Any:
    """Employees in batches: deterministic (seeded), spread over the employers."""
    rng = random.Random(2026)

    def ident() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    batch: list[Employee] = []
    for number in range(employees):
        person = Employee(
            id=ident(),
            first_name=f"Voornaam{number}",
            last_name="Achternaam",
            gender=Gender.UNKNOWN,
            birth_date=pendulum.Date(
                1955 + rng.randrange(50), 1 + rng.randrange(12), 1 + rng.randrange(28)
            ),
        )
        firm = firms[number % len(firms)]
        for n in range(2 if number % 20 == 0 else 1):
            person.employments.append(
                Employment.create(
                    id=ident(),
                    employer_id=firm.id,
                    period=DateRange(
                        _dt.date(2010 + rng.randrange(16), 1 + rng.randrange(12), 1),
                        None if rng.random() < 0.9 else _dt.date(2026 + rng.randrange(3), 6, 1),
                    ),
                    employment_type=TYPES[rng.randrange(len(TYPES))],
                    hours_per_week=Decimal(32),
                    salary=Money(Decimal(40_000 + rng.randrange(80_000))),
                    is_leading=n == 0,
                )
            )
        batch.append(person)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _world(url: str, employees: int) -> tuple[int, float]:
    """Load the organisation, the sickness trajectories and the policies; (rows, seconds)."""
    began = time.perf_counter()
    xs = bootstrap(database_url=url, clock=CLOCK, migrate_database=True)
    admin = xs.installation.create_super_administrator("Beheer", EMAIL)
    firms = [Employer(id=uuid.uuid4(), name=f"Werkgever {i}", code=f"PW{i}") for i in range(3)]
    with xs.unit_of_work() as uow:
        uow.bulk.add_all(employers=firms)
        uow.commit()
    sick_rows: list[dict[str, Any]] = []
    protocol = xs.protocols.create_protocol(
        CreateProtocol(
            actor=admin,
            name="Verzuim",
            kind=ProtocolKind.SICKNESS,
        )
    )
    rng = random.Random(7)
    loaded = 0
    for batch in _people(firms, employees):
        with xs.unit_of_work() as uow:
            uow.bulk.add_all(employees=batch)
            uow.commit()
        loaded += len(batch)
        for person in batch[::10]:
            first = POLICY_START - _dt.timedelta(days=rng.randrange(120))
            sick_rows.append(
                {
                    "id": uuid.uuid4(),
                    "protocol_id": protocol,
                    "kind": ProtocolKind.SICKNESS.value,
                    "employee_id": person.id,
                    "employment_id": person.employments[0].id,
                    "start_date": first,
                    "end_date": None
                    if rng.random() < 0.2
                    else first + _dt.timedelta(days=1 + rng.randrange(150)),
                }
            )
        print(f"  loaded {loaded:,} employees", end="\r", flush=True)
    engine = xs.container.engine()
    with engine.begin() as connection:
        for start in range(0, len(sick_rows), BATCH):
            connection.execute(t.trajectories.insert(), sick_rows[start : start + BATCH])
    xs.configuration.set_parameter(
        SetParameter(actor=admin, parameter=Parameter.BUSINESS_RULES, value=1)
    )
    insurer = xs.policies.create_insurer(CreateInsurer(actor=admin, name="Verzekeraar"))
    product = xs.policies.create_product(
        CreateInsuranceProduct(
            actor=admin, insurer_id=insurer, name="Pensioen", kind=ProductKind.PENSION
        )
    )
    xs.policies.set_product_conditions(
        SetProductConditions(
            actor=admin,
            product_id=product,
            conditions=Conditions(
                age=AgeCondition(active=True, younger_than=Age(21), older_than=Age(66, 3)),
                sickness=SicknessCondition(active=True),
                salary=SalaryCondition(active=True),
                employment_type=EmploymentTypeCondition(
                    active=True, excluded=frozenset({EmploymentType.INTERN})
                ),
            ),
        )
    )
    for n, firm in enumerate(firms):
        xs.policies.create_policy(
            CreatePolicy(
                actor=admin,
                employer_id=firm.id,
                product_id=product,
                number=f"POLIS-{n}",
                start=POLICY_START,
            )
        )
    # PostgreSQL: statistics for the planner, as autovacuum would have them in production
    # (autovacuum is off on the benchmark machine; without them the 1M run's plans read far
    # more than they needed). SQLite's figures were measured without ANALYZE and stay so.
    engine = xs.container.engine()
    if engine.dialect.name == "postgresql":
        settle(engine)
    xs.close()
    print()
    return len(sick_rows), time.perf_counter() - began


def _registrations(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    sa.select(sa.func.count()).select_from(t.policy_registrations)
                ).scalar_one()
            )
    finally:
        engine.dispose()


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "xs_app.cli", *args]


#: What :func:`_watched` reads of a process (``/proc/<pid>/status``, KiB): the high-water mark of
#: its resident memory since it started its program, and of that its private memory (heap,
#: stacks) and its file pages (code, and SQLite's memory-mapped database: page cache).
_WATCHED = ("VmHWM", "RssAnon", "RssFile")


def _status_kib(pid: int) -> dict[str, int]:
    """:data:`_WATCHED` of a process, in KiB (Linux ``/proc``; empty elsewhere)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    found = {}
    for line in lines:
        name, _, value = line.partition(":")
        if name in _WATCHED:
            found[name] = int(value.split()[0])
    return found


def _watched(command: list[str]) -> dict[str, int]:
    """Run ``command``; the peaks of :data:`_WATCHED`, sampled every 50 ms.

    Not ``getrusage(RUSAGE_CHILDREN).ru_maxrss``: Linux keeps in it the resident size of the
    child before it started its program, a copy of this process at the fork — after loading a
    1M world, more than the dry run itself ever holds (a 1 GiB parent running ``python -c pass``
    reports 1,035 MiB)."""
    peaks = dict.fromkeys(_WATCHED, 0)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None:
        for name, value in _status_kib(process.pid).items():
            peaks[name] = max(peaks[name], value)
        time.sleep(0.05)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command)
    return peaks


def _dry_run(url: str) -> dict[str, Any]:
    """A dry run in its own process: seconds, peak RSS (MiB) — and of it the peaks of the
    process's private memory and of its file pages (SQLite maps its database file: those pages
    are the operating system's page cache, shared and dropped under pressure) —, CSV lines."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "dry-run.csv"
        began = time.perf_counter()
        peaks = _watched(
            _cli(
                "policies",
                "evaluate",
                "--on",
                ON.isoformat(),
                "--dry-run",
                "--csv",
                str(out),
                "--chunk-size",
                str(CHUNK),
                "--as",
                EMAIL,
                "--database-url",
                url,
            )
        )
        seconds = time.perf_counter() - began
        with out.open() as lines:
            count = sum(1 for _ in lines) - 1
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mib": round(peaks["VmHWM"] / 1024, 1),
        "peak_private_mib": round(peaks["RssAnon"] / 1024, 1),
        "peak_file_pages_mib": round(peaks["RssFile"] / 1024, 1),
        "lines": count,
    }


def _in_process(xs: Xs, admin: uuid.UUID) -> tuple[float, Any, float]:
    """The run in this process: wall seconds, status, and the process's CPU seconds (SQLite
    works in the process too: steadier than the wall clock on a shared machine)."""
    began, cpu = time.perf_counter(), time.process_time()
    status = xs.policy_evaluation.evaluate(EvaluatePolicies(actor=admin, on=ON, chunk_size=CHUNK))
    return time.perf_counter() - began, status, time.process_time() - cpu


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _with_workers(xs: Xs, url: str, admin: uuid.UUID, workers: int) -> tuple[float, Any, float]:
    """Start the run, enqueue its chunks, let ``workers`` ``xs worker --once`` processes work
    them; the time until the run is finished, and the workers' CPU seconds (PostgreSQL's
    backends not included)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    began, cpu = time.perf_counter(), _children_cpu()
    status = xs.policy_evaluation.start(EvaluatePolicies(actor=admin, on=ON, chunk_size=CHUNK))
    enqueue(url, admin, status)
    processes = [
        subprocess.Popen(_cli("worker", "--once", "--database-url", url), env=env)
        for _ in range(workers)
    ]
    for process in processes:
        process.wait()
    seconds = time.perf_counter() - began
    final = xs.policy_evaluation.status(GetPolicyEvaluation(actor=admin, run_id=status.run_id))
    assert final.finished, "the workers stopped before the run finished"
    return seconds, final, _children_cpu() - cpu


def run_engine(name: str, url: str, employees: int, workers: int) -> dict[str, Any]:
    sick, load_seconds = _world(url, employees)
    print(
        f"  world: {employees:,} employees, {sick:,} sickness trajectories ({load_seconds:.0f} s)"
    )
    dry = _dry_run(url)
    print(
        f"  dry run: {dry['seconds']} s, peak RSS {dry['peak_rss_mib']} MiB (private "
        f"{dry['peak_private_mib']} MiB, file pages {dry['peak_file_pages_mib']} MiB), "
        f"{dry['lines']:,} lines"
    )
    xs = bootstrap(database_url=url, clock=CLOCK)
    try:
        admin = xs.installation.user_id(EMAIL)
        assert admin is not None
        runs = []
        for label in ("first", "second"):
            cpu: float | None = None
            if name == "postgres":
                seconds, status, cpu = _with_workers(xs, url, admin, workers)
            else:
                seconds, status, cpu = _in_process(xs, admin)
            rows = _registrations(url)
            runs.append(
                {
                    "run": label,
                    "seconds": round(seconds, 2),
                    "cpu_seconds": None if cpu is None else round(cpu, 2),
                    "ms_per_employee": round(1000 * seconds / employees, 3),
                    "cpu_ms_per_employee": None
                    if cpu is None
                    else round(1000 * cpu / employees, 3),
                    "load_average": [round(x, 2) for x in os.getloadavg()],
                    "employees_changed": status.changed,
                    "registrations_added": status.added,
                    "registrations_removed": status.removed,
                    "registrations_stored": rows,
                    "chunks": status.chunks,
                }
            )
            spent = f" ({cpu:.1f} s CPU{'' if name == 'sqlite' else ' in the workers'})"
            print(
                f"  {label} run: {seconds:.1f} s{spent}, {status.changed:,} employees changed, "
                f"{status.added:,} added, {status.removed:,} removed ({rows:,} stored)"
            )
    finally:
        xs.close()
    ratio = runs[1]["seconds"] / runs[0]["seconds"]
    print(f"  second / first: {ratio:.1%}")
    return {
        "engine": name,
        "employees": employees,
        "sickness_trajectories": sick,
        "workers": workers if name == "postgres" else 1,
        "chunk_size": CHUNK,
        "dry_run": dry,
        "runs": runs,
        "second_over_first": round(ratio, 4),
    }


def _engine(name: str, args: argparse.Namespace, url: str) -> dict[str, Any]:
    return run_engine(name, url, args.employees, args.workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--employees", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    results = []
    for name in args.engines.split(","):
        print(f"{name}:")
        results.append(run_on(name, "policies", partial(_engine, name, args)))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "policies.json"
    # the figures of other engines and sizes stay (each run replaces its own)
    kept = json.loads(path.read_text()) if path.exists() else []
    ran = {(r["engine"], r["employees"]) for r in results}
    kept = [r for r in kept if (r.get("engine"), r.get("employees")) not in ran]
    path.write_text(json.dumps([*kept, *results], indent=2) + "\n")


if __name__ == "__main__":
    main()
