"""Benchmark: use cases on the in-memory store, the storage property-based suites run on (R0.5).

(a) 10,000 use cases on a store that already holds 100,000 employees (bulk loaded);
    target: seconds, not minutes.
(b) The suite scenario: one shared in-memory application holding 10,000 employees, 200
    "examples" of 10 use cases each; target: <= 2 s in all.
(c) The same with an independent copy of the loaded store per example: a fork (a new
    application over ``fork(store)``) and a restore (the one application, ``store.restore``).

Every use case goes through ``xs_app.bootstrap(storage="memory", clock=FixedClock…)`` and the
services, in a realistic mix: register an employee, add an employment, report sickness, request
an appointment, plan an availability, register an activity, read an employee, read their
trajectories, list an employer's departments, search (a super administrator or a folder user).

    python -m benchmarks.memory_store [--employees N] [--use-cases N]
                                      [--suite-employees N] [--examples N] [--per-example N]

Figures are printed and written to ``benchmarks/results/memory_store.json``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import random
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pendulum

from xs_adapters.clock import FixedClock
from xs_adapters.memory import MemoryStore, fork
from xs_app import Xs, bootstrap
from xs_app.services.access import CreateRole, CreateUser
from xs_app.services.agenda import (
    CreateLocation,
    PlanAvailability,
    RegisterActivity,
    RequestAppointment,
)
from xs_app.services.organisation import (
    AddEmployment,
    AdvancedSearch,
    EmploymentTerms,
    GetEmployee,
    ListDepartments,
    RegisterEmployee,
)
from xs_app.services.protocols import CreateProtocol, ReportSickness, TrajectoriesOf
from xs_app.synthetic import SyntheticGenerator, SyntheticSize
from xs_core.access.features import Feature
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.organisation.search import normalise
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.protocols.model import ProtocolKind

ROOT = Path(__file__).parent
RESULTS = ROOT / "results"
SEED = 2021
TODAY = pendulum.Date(2026, 11, 29)
CLOCK = FixedClock.on(TODAY)
FIRST_DAY = pendulum.datetime(2027, 1, 4, tz="Europe/Amsterdam")

#: The mix of one example (and of the long run): each name once per ten use cases.
MIX = (
    "register_employee",
    "add_employment",
    "report_sickness",
    "request_appointment",
    "plan_availability",
    "register_activity",
    "read_employee",
    "trajectories",
    "departments",
    "search",
)


@attrs.define
class World:
    """What the use cases pick from; ``employees`` grows as employees are registered."""

    admin: uuid.UUID
    folder_user: uuid.UUID
    protocol: uuid.UUID
    locations: list[uuid.UUID]
    professionals: list[uuid.UUID]
    employers: list[uuid.UUID]
    departments: dict[uuid.UUID, list[uuid.UUID]]
    employees: list[uuid.UUID]
    folder_employees: list[uuid.UUID]
    terms: list[str]

    def copy(self) -> World:
        return attrs.evolve(self, employees=list(self.employees))


# -- the service calls: the only code here that knows the services' API (adapt it here) ----------


def prepare(
    xs: Xs, folder_id: uuid.UUID
) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID, list[uuid.UUID], list[uuid.UUID]]:
    """The super administrator, a user for one folder, a sickness protocol, two locations and
    fifty professionals."""
    admin = xs.installation.create_super_administrator("Bench", "bench@example.nl")
    role = xs.access.create_role(
        CreateRole(actor=admin, name="Casemanager", features=frozenset(Feature))
    )
    folder_user = xs.access.create_user(
        CreateUser(
            actor=admin,
            name="Map",
            email="map@example.nl",
            role_ids=frozenset({role}),
            scope=frozenset({UnitRef(UnitKind.FOLDER, folder_id)}),
        )
    )
    protocol = xs.protocols.create_protocol(
        CreateProtocol(actor=admin, name="Verzuim", kind=ProtocolKind.SICKNESS)
    )
    locations = [
        xs.agenda.create_location(CreateLocation(actor=admin, name=f"Locatie {n}", max_parallel=3))
        for n in (1, 2)
    ]
    doctor = xs.access.create_role(
        CreateRole(actor=admin, name="Arts", features=frozenset({Feature.HOLD_AVAILABILITIES}))
    )
    professionals = [
        xs.access.create_user(
            CreateUser(
                actor=admin,
                name=f"Arts {n}",
                email=f"arts{n}@example.nl",
                role_ids=frozenset({doctor}),
            )
        )
        for n in range(50)
    ]
    return admin, folder_user, protocol, locations, professionals


def use_case(xs: Xs, world: World, name: str, rng: random.Random) -> None:
    """One use case of the mix through the services; a refusal raises a DomainError."""
    admin = world.admin
    employee = rng.choice(world.employees)
    day = TODAY.add(days=rng.randrange(-200, 200))
    if name == "register_employee":
        employer = rng.choice(world.employers)
        departments = world.departments.get(employer, [])
        world.employees.append(
            xs.organisation.register_employee(
                RegisterEmployee(
                    actor=admin,
                    first_name=rng.choice(["Anna", "Bram", "Chloë", "Daan", "Eva"]),
                    last_name=rng.choice(["Jansen", "de Vries", "Öztürk", "Bakker"]),
                    birth_date=_dt.date(1960 + rng.randrange(40), 1 + rng.randrange(12), 1),
                    employment=EmploymentTerms(
                        employer_id=employer,
                        start=day,
                        department_id=rng.choice(departments) if departments else None,
                        hours_per_week=Decimal(32),
                        leading=True,
                    ),
                )
            )
        )
    elif name == "add_employment":
        xs.organisation.add_employment(
            AddEmployment(
                actor=admin,
                employee_id=employee,
                terms=EmploymentTerms(employer_id=rng.choice(world.employers), start=day),
            )
        )
    elif name == "report_sickness":
        xs.trajectories.report_sickness(
            ReportSickness(
                actor=admin, protocol_id=world.protocol, employee_id=employee, first_sick_day=day
            )
        )
    elif name == "request_appointment":
        xs.agenda.request_appointment(
            RequestAppointment(
                actor=admin,
                employee_id=employee,
                purpose="Spreekuur",
                desired_period=DateRange(TODAY, TODAY.add(days=14)),
            )
        )
    elif name == "plan_availability":
        start = FIRST_DAY.add(days=rng.randrange(60), hours=8 + rng.randrange(8))
        xs.agenda.plan_availability(
            PlanAvailability(
                actor=admin,
                professional_id=rng.choice(world.professionals),
                location_id=rng.choice(world.locations),
                start=start,
                end=start.add(hours=1),
            )
        )
    elif name == "register_activity":
        xs.agenda.register_activity(
            RegisterActivity(
                actor=admin, employee_id=employee, activity_type="Consult", performed_on=TODAY
            )
        )
    elif name == "read_employee":  # half of the time by the folder user, inside their folder
        if world.folder_employees and rng.random() < 0.5:
            xs.organisation.employee(
                GetEmployee(actor=world.folder_user, employee_id=rng.choice(world.folder_employees))
            )
        else:
            xs.organisation.employee(GetEmployee(actor=admin, employee_id=employee))
    elif name == "trajectories":
        xs.trajectories.trajectories_of(TrajectoriesOf(actor=admin, employee_id=employee))
    elif name == "departments":
        xs.organisation.departments(
            ListDepartments(actor=admin, employer_id=rng.choice(world.employers))
        )
    elif name == "search":  # half of the time by the folder user
        actor = world.folder_user if rng.random() < 0.5 else admin
        xs.organisation.search(AdvancedSearch(actor=actor, term=rng.choice(world.terms)))
    else:
        raise ValueError(name)


# -- the world and the runs -----------------------------------------------------------------------


def _size(employees: int) -> SyntheticSize:
    """The search benchmark's proportions: 1 employer per 100 employees, 10 departments each."""
    return SyntheticSize(
        folders=max(5, employees // 10_000),
        employers=max(10, employees // 100),
        departments=max(50, employees // 10),
        branches=max(10, employees // 50),
        employees=employees,
    )


def build(employees: int) -> tuple[Xs, World, float]:
    """An in-memory application holding a synthetic organisation, loaded set-based."""
    started = time.perf_counter()
    xs = bootstrap(storage="memory", clock=CLOCK)
    generator = SyntheticGenerator(SEED, _size(employees))
    organisation = generator.organisation()
    with xs.unit_of_work() as uow:
        uow.bulk.add_all(
            folders=organisation.folders,
            employers=organisation.employers,
            departments=organisation.departments,
            branches=organisation.branches,
            dossiers=organisation.dossiers,
        )
        uow.commit()
    folder = organisation.folders[0].id
    in_folder = {e.id for e in organisation.employers if e.folder_id == folder}
    employee_ids: list[uuid.UUID] = []
    folder_employees: list[uuid.UUID] = []
    names: list[str] = []
    for batch in generator.employees():
        with xs.unit_of_work() as uow:
            uow.bulk.add_all(employees=batch)
            uow.commit()
        employee_ids += [e.id for e in batch]
        folder_employees += [
            e.id for e in batch if any(m.employer_id in in_folder for m in e.employments)
        ]
        names += [e.full_name for e in batch[:: max(1, len(batch) // 200)]]
    admin, folder_user, protocol, locations, professionals = prepare(xs, folder)
    departments: dict[uuid.UUID, list[uuid.UUID]] = {}
    for department in organisation.departments:
        departments.setdefault(department.employer_id, []).append(department.id)
    world = World(
        admin=admin,
        folder_user=folder_user,
        protocol=protocol,
        locations=locations,
        professionals=professionals,
        employers=[e.id for e in organisation.employers],
        departments=departments,
        employees=employee_ids,
        folder_employees=folder_employees,
        terms=_terms(names, random.Random(SEED)),
    )
    gc.collect()
    return xs, world, time.perf_counter() - started


def _terms(names: list[str], rng: random.Random, count: int = 40) -> list[str]:
    """3-letter substrings of real names (common and rare ones), plus accented spellings."""
    terms: set[str] = set()
    while len(terms) < count - 4:
        name = rng.choice(names)
        start = rng.randrange(len(name) - 2)
        piece = name[start : start + 3]
        if len(normalise(piece)) == 3 and piece.strip() == piece:
            terms.add(piece)
    return [*sorted(terms), "Mül", "ÇEL", "zoë", "qxz"]


@attrs.define
class Tally:
    """Seconds per use case name, and refusals."""

    seconds: dict[str, list[float]] = attrs.field(factory=dict)
    refused: Counter[str] = attrs.field(factory=Counter)

    def run(self, xs: Xs, world: World, name: str, rng: random.Random) -> None:
        started = time.perf_counter()
        try:
            use_case(xs, world, name, rng)
        except DomainError:
            self.refused[name] += 1
        self.seconds.setdefault(name, []).append(time.perf_counter() - started)

    def summary(self) -> dict[str, Any]:
        return {
            name: {
                "count": len(times),
                "mean_ms": round(statistics.fmean(times) * 1000, 3),
                "max_ms": round(max(times) * 1000, 3),
                "refused": self.refused[name],
            }
            for name, times in sorted(self.seconds.items())
        }


def long_run(employees: int, use_cases: int) -> dict[str, Any]:
    """(a) ``use_cases`` use cases one after another on a store holding ``employees``."""
    print(f"(a) loading {employees:,} employees …")
    xs, world, load_seconds = build(employees)
    print(f"(a) loaded in {load_seconds:.1f} s; {use_cases:,} use cases …")
    rng = random.Random(SEED)
    tally = Tally()
    started = time.perf_counter()
    for number in range(use_cases):
        tally.run(xs, world, MIX[number % len(MIX)], rng)
    seconds = time.perf_counter() - started
    print(f"(a) {use_cases:,} use cases next to {employees:,} employees: {seconds:.2f} s")
    _print_tally(tally)
    return {
        "employees": employees,
        "use_cases": use_cases,
        "load_seconds": round(load_seconds, 2),
        "seconds": round(seconds, 2),
        "per_use_case": tally.summary(),
    }


#: How an example gets its application: (the shared one, its store, the loaded state) → app
Fresh = Callable[[Xs, MemoryStore, MemoryStore], Xs]


def _shared(xs: Xs, store: MemoryStore, loaded: MemoryStore) -> Xs:
    return xs


def _forked(xs: Xs, store: MemoryStore, loaded: MemoryStore) -> Xs:
    return bootstrap(storage="memory", clock=CLOCK, memory_store=fork(loaded))


def _restored(xs: Xs, store: MemoryStore, loaded: MemoryStore) -> Xs:
    store.restore(loaded)
    return xs


def suite(employees: int, examples: int, per_example: int) -> dict[str, Any]:
    """(b) and (c): ``examples`` examples of ``per_example`` use cases on one loaded world."""
    print(f"(b, c) loading {employees:,} employees …")
    xs, world, load_seconds = build(employees)
    store: MemoryStore = xs.container.memory_store()
    loaded, pristine = store.snapshot(), world.copy()
    print(f"(b, c) loaded in {load_seconds:.1f} s")
    report: dict[str, Any] = {
        "employees": employees,
        "examples": examples,
        "use_cases_per_example": per_example,
        "load_seconds": round(load_seconds, 2),
    }
    modes: dict[str, Fresh] = {
        "shared": _shared,
        "fork per example": _forked,
        "restore per example": _restored,
    }
    for label, fresh in modes.items():
        rng = random.Random(SEED)
        tally = Tally()
        copying = 0.0
        started = time.perf_counter()
        for _ in range(examples):
            began = time.perf_counter()
            app = fresh(xs, store, loaded)
            mine = world if fresh is _shared else pristine.copy()
            copying += time.perf_counter() - began
            for _ in range(per_example):
                tally.run(app, mine, rng.choice(MIX), rng)
        seconds = time.perf_counter() - started
        print(
            f"({'b' if fresh is _shared else 'c'}) {label}: {examples} examples × {per_example} "
            f"use cases next to {employees:,} employees: {seconds:.2f} s "
            f"(of which copies {copying:.2f} s)"
        )
        _print_tally(tally)
        report[label] = {
            "seconds": round(seconds, 3),
            "copy_seconds": round(copying, 3),
            "per_use_case": tally.summary(),
        }
    return report


def _print_tally(tally: Tally) -> None:
    for name, row in tally.summary().items():
        print(
            f"    {name:<20} {row['count']:>6} × mean {row['mean_ms']:>7.3f} ms, "
            f"max {row['max_ms']:>8.3f} ms, refused {row['refused']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--use-cases", type=int, default=10_000)
    parser.add_argument("--suite-employees", type=int, default=10_000)
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--per-example", type=int, default=10)
    args = parser.parse_args()
    report = {
        "long_run": long_run(args.employees, args.use_cases),
        "suite": suite(args.suite_employees, args.examples, args.per_example),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "memory_store.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"written {out}")


if __name__ == "__main__":
    main()
