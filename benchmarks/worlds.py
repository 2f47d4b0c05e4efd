"""Benchmark: what a property over ``xs.testing.worlds`` costs per example (R0.5).

(a) memory, a fork of a loaded application per example: N examples of ``worlds(base.fork)``
    with the default sizes, the world drawn and built through the services;
(b) the same with one command of ``commands_for(world)`` run on it;
(c) SQLite, worlds accumulating in one database file: fewer examples.

The base application holds ``--employees`` employees (a synthetic organisation), so a fork
costs what it costs in a real suite.

    python -m benchmarks.worlds [--examples N] [--sqlite-examples N] [--employees N]

Figures are printed and written to ``benchmarks/results/worlds.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import pendulum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xs import testing
from xs_adapters.clock import FixedClock
from xs_app import Xs, bootstrap
from xs_app.synthetic import SyntheticGenerator, SyntheticSize

ROOT = Path(__file__).parent
RESULTS = ROOT / "results"
CLOCK = FixedClock.on(pendulum.Date(2026, 11, 29))
KINDS = ("employers", "departments", "employees", "employments", "availabilities", "agreements")


def _run(label: str, examples: int, body: Any, strategy: st.SearchStrategy[Any]) -> dict[str, Any]:
    entities: list[int] = []

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(value: Any) -> None:
        entities.append(body(value))

    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    per_example = seconds / len(entities) * 1000
    mean = statistics.fmean(entities)
    print(
        f"{label}: {len(entities)} examples in {seconds:.2f} s, {per_example:.1f} ms per example "
        f"(mean {mean:.1f} entities per world)"
    )
    return {"examples": len(entities), "seconds": seconds, "ms_per_example": per_example}


def _size(world: testing.World) -> int:
    return sum(len(getattr(world, kind)) for kind in KINDS)


def _with_command(data: st.DataObject, world: testing.World) -> int:
    use_case, command = data.draw(testing.commands_for(world))
    testing.invoke(world, use_case, command)
    return _size(world)


def loaded(employees: int) -> Xs:
    """A memory application holding a synthetic organisation (the memory_store benchmark's
    proportions), loaded set-based."""
    base = bootstrap(storage="memory", clock=CLOCK)
    size = SyntheticSize(
        folders=max(5, employees // 10_000),
        employers=max(10, employees // 100),
        departments=max(50, employees // 10),
        branches=max(10, employees // 50),
        employees=employees,
    )
    generator = SyntheticGenerator(2021, size)
    organisation = generator.organisation()
    with base.unit_of_work() as uow:
        uow.bulk.add_all(
            folders=organisation.folders,
            employers=organisation.employers,
            departments=organisation.departments,
            branches=organisation.branches,
        )
        uow.commit()
    for batch in generator.employees():
        with base.unit_of_work() as uow:
            uow.bulk.add_all(employees=batch)
            uow.commit()
    return base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--sqlite-examples", type=int, default=20)
    parser.add_argument("--employees", type=int, default=10_000)
    args = parser.parse_args()
    print(f"loading {args.employees:,} employees …")
    base = loaded(args.employees)
    report: dict[str, Any] = {"employees": args.employees}
    report["memory_fork"] = _run(
        "(a) memory, a world per example on a fork",
        args.examples,
        _size,
        testing.worlds(base.fork),
    )
    report["memory_fork_command"] = _run(
        "(b) memory, a world and a command per example",
        args.examples,
        lambda pair: _with_command(*pair),
        st.tuples(st.data(), testing.worlds(base.fork)),
    )
    with tempfile.TemporaryDirectory() as directory:
        app = bootstrap(database_url=f"sqlite:///{directory}/worlds.sqlite3", clock=CLOCK)
        report["sqlite_shared"] = _run(
            "(c) SQLite, worlds accumulating in one database",
            args.sqlite_examples,
            _size,
            testing.worlds(app),
        )
        app.close()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "worlds.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"written {out}")


if __name__ == "__main__":
    main()
