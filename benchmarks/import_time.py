"""Benchmark: how long ``import xs`` (and ``xs_app``, ``xs_core``) and a memory bootstrap take.

Every figure comes from a fresh interpreter (``python -c …``), so nothing is cached in the
process; the operating system's file cache is warm after the first run. Per module: the time of
the ``import`` statement itself, measured inside the process (interpreter start-up excluded,
reported apart), over ``--runs`` runs, median and p95. Then ``xs.bootstrap(storage="memory")``
in a fresh process after ``import xs``. One ``-X importtime`` run per module names the top
offenders: the packages whose own module code takes longest (self time summed per top-level
package), and whether SQLAlchemy, Alembic and the SQL adapters are loaded at all.

    python -m benchmarks.import_time [--runs N]

Figures are printed and written to ``benchmarks/results/import_time.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import attrs

#: ``xs_core`` alone is an empty package; its contexts are what ``import xs`` pulls in of it.
MODULES = (
    "xs",
    "xs_app",
    "xs_core",
    "xs_core.access, xs_core.organisation, xs_core.protocols, xs_core.agenda, xs_core.billing",
)
RESULTS = Path(__file__).resolve().parent / "results" / "import_time.json"
#: Loaded by ``import xs`` only if the SQL storage is wired in eagerly.
HEAVY = ("sqlalchemy", "alembic", "xs_adapters.sql", "psycopg")

_TIMED = """
import sys, time
t0, c0 = time.perf_counter(), time.process_time()
import {module}
t1, c1 = time.perf_counter(), time.process_time()
{after}
t2, c2 = time.perf_counter(), time.process_time()
print(t1 - t0, t2 - t1, c1 - c0, c2 - c1, ",".join(m for m in {heavy!r} if m in sys.modules))
"""


def _python(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, "-c", code], capture_output=True, text=True, check=True
    )


@attrs.frozen
class Run:
    """One fresh interpreter: wall and CPU seconds of the import and of what follows it."""

    import_wall: float
    after_wall: float
    import_cpu: float
    after_cpu: float
    loaded: list[str]


def timed(module: str, after: str = "pass") -> Run:
    """``import module``, then ``after``, in a fresh interpreter; the heavy modules loaded by the
    end. CPU time is the steadier figure on a shared machine (other processes stretch the wall
    clock, not the process's own CPU time)."""
    out = _python(_TIMED.format(module=module, after=after, heavy=HEAVY)).stdout.split()
    loaded = out[4].split(",") if len(out) > 4 else []
    return Run(*(float(x) for x in out[:4]), loaded=loaded)


def startup() -> float:
    """Seconds for a bare interpreter to start and exit (context for the import figures)."""
    import time

    start = time.perf_counter()
    _python("pass")
    return time.perf_counter() - start


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = statistics.quantiles(ordered, n=20, method="inclusive")[18] if len(ordered) > 1 else 0
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round((p95 or ordered[-1]) * 1000, 1),
        "min_ms": round(ordered[0] * 1000, 1),
    }


def offenders(module: str, top: int = 12) -> list[tuple[str, float]]:
    """``-X importtime``: self time (ms) summed per top-level package, largest first."""
    stderr = _python(f"import {module}", "-X", "importtime").stderr
    per_package: dict[str, float] = defaultdict(float)
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = (part.strip() for part in line[len("import time:") :].split("|"))
        per_package[name.split(".")[0]] += int(self_us) / 1000
    ranked = sorted(per_package.items(), key=lambda item: -item[1])
    return [(name, round(ms, 1)) for name, ms in ranked[:top]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    results: dict[str, Any] = {"runs": args.runs, "python": sys.version.split()[0]}
    starts = [startup() for _ in range(args.runs)]
    results["interpreter_startup"] = summary(starts)
    print(f"interpreter start-up: median {results['interpreter_startup']['median_ms']} ms")
    for module in MODULES:
        runs = [timed(module) for _ in range(args.runs)]
        figures: dict[str, Any] = summary([r.import_wall for r in runs])
        figures["cpu"] = summary([r.import_cpu for r in runs])
        figures["loads"] = runs[0].loaded
        figures["top_offenders_self_ms"] = offenders(module)
        results[f"import {module}"] = figures
        label = module if len(module) < 20 else "xs_core contexts"
        print(
            f"import {label:16}  median {figures['median_ms']:7.1f} ms  "
            f"p95 {figures['p95_ms']:7.1f} ms  (CPU median {figures['cpu']['median_ms']:6.1f} "
            f"ms, p95 {figures['cpu']['p95_ms']:6.1f} ms)  "
            f"loads {', '.join(figures['loads']) or '-'}"
        )
        top = ", ".join(f"{name} {ms}" for name, ms in figures["top_offenders_self_ms"][:8])
        print(f"    top offenders (self ms per package): {top}")
    boots = [timed("xs", 'xs.bootstrap(storage="memory")') for _ in range(args.runs)]
    results["bootstrap memory"] = boot = {
        **summary([b.after_wall for b in boots]),
        "cpu": summary([b.after_cpu for b in boots]),
        "loads_after": boots[0].loaded,
        "import_and_bootstrap": summary([b.import_wall + b.after_wall for b in boots]),
        "import_and_bootstrap_cpu": summary([b.import_cpu + b.after_cpu for b in boots]),
    }
    print(
        f"bootstrap(storage='memory') after import xs: median {boot['median_ms']} ms, "
        f"p95 {boot['p95_ms']} ms; import + bootstrap median "
        f"{boot['import_and_bootstrap']['median_ms']} ms (CPU "
        f"{boot['import_and_bootstrap_cpu']['median_ms']} ms); "
        f"loads {', '.join(boot['loads_after']) or '-'}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
