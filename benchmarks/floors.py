"""What every benchmark measures beside its use case: the floor (the bare SQL a perfect
implementation could not beat, timed in the same run on the same data), the ratio to it, and the
process's peak memory.

The write floors copy the rows the use case wrote into a scratch table with the same columns,
primary key, unique constraints and indexes (no references, checks or exclusion constraints),
with one ``INSERT … SELECT``, inside a transaction that is rolled back.
"""

from __future__ import annotations

import resource
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa


def peak_rss_mib() -> float:
    """The process's peak resident set size so far, in MiB (``ru_maxrss``: KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def current_rss_mib() -> float:
    """The process's resident set size now, in MiB (Linux: ``/proc/self/statm``)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return round(pages * resource.getpagesize() / (1024 * 1024), 1)


class PeakMemory:
    """The peaks of this process's private memory (``RssAnon``: heap, stacks) and of its file
    pages (``RssFile``: code, and the database file SQLite maps, which is the operating
    system's page cache) while the ``with`` block runs, sampled from ``/proc/self/status``
    every 20 ms by a thread (SQLite and the drivers release the GIL while they work). Linux
    only; elsewhere both stay 0. ``ru_maxrss`` counts the mapped file too: with SQLite's memory
    map it grows with the database read, not with what the process holds."""

    _FIELDS = ("RssAnon", "RssFile")

    def __init__(self) -> None:
        self._peaks = dict.fromkeys(self._FIELDS, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _read(self) -> None:
        try:
            lines = Path("/proc/self/status").read_text().splitlines()
        except OSError:
            return
        for line in lines:
            name, _, value = line.partition(":")
            if name in self._peaks:
                self._peaks[name] = max(self._peaks[name], int(value.split()[0]))

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self._read()

    def __enter__(self) -> PeakMemory:
        self._read()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read()

    @property
    def private_mib(self) -> float:
        return round(self._peaks["RssAnon"] / 1024, 1)

    @property
    def file_mib(self) -> float:
        return round(self._peaks["RssFile"] / 1024, 1)


def ratio(use_case: float, floor: float) -> float:
    """``use case / floor``, rounded for the reports."""
    return round(use_case / floor, 2) if floor > 0 else float("inf")


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank percentile ``p`` (0–100) of ``values``."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def latency(values_ms: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99 and max of timings in milliseconds."""
    return {
        "p50_ms": round(statistics.median(values_ms), 3),
        "p95_ms": round(percentile(values_ms, 95), 3),
        "p99_ms": round(percentile(values_ms, 99), 3),
        "max_ms": round(max(values_ms), 3),
    }


def scratch_like(table: sa.Table, name: str, references: bool = False) -> sa.Table:
    """A table called ``name`` with ``table``'s columns, primary key, unique constraints and
    plain column indexes — the keys and indexes every written row must maintain — and, with
    ``references``, its foreign keys too (to the same referenced tables)."""
    scratch = sa.Table(
        name,
        sa.MetaData(),
        *(
            sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
            for c in table.columns
        ),
    )
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint) and constraint.columns:
            scratch.append_constraint(
                sa.UniqueConstraint(*(scratch.c[c.name] for c in constraint.columns))
            )
    for index in table.indexes:
        columns = list(index.columns)
        if columns and len(columns) == len(index.expressions):
            sa.Index(
                f"bf_{index.name}"[:63],
                *(scratch.c[c.name] for c in columns),
                unique=bool(index.unique),
            )
    if references:
        for foreign in table.foreign_key_constraints:
            scratch.append_constraint(
                sa.ForeignKeyConstraint(
                    [scratch.c[c.name] for c in foreign.columns],
                    [element.column for element in foreign.elements],
                )
            )
    return scratch


def copy_floor(
    engine: sa.Engine, table: sa.Table, where: Any = None, references: bool = False
) -> tuple[int, float]:
    """The floor of writing ``table``'s rows (those matching ``where``): one bare
    ``INSERT … SELECT`` of them into a scratch table like it (with its foreign keys too when
    ``references``: every row then pays the same reference checks as the real table's),
    created and filled in a transaction that is rolled back. Returns (rows, seconds of the
    INSERT … SELECT)."""
    scratch = scratch_like(table, f"bench_floor_{table.name}", references)
    names = [c.name for c in table.columns]
    select = sa.select(*(table.c[n] for n in names))
    if where is not None:
        select = select.where(where)
    statement = scratch.insert().from_select(names, select)
    with engine.connect() as connection:
        transaction = connection.begin()
        scratch.create(connection)
        started = time.perf_counter()
        rows = connection.execute(statement.execution_options(preserve_rowcount=True)).rowcount
        seconds = time.perf_counter() - started
        transaction.rollback()
    return int(rows), seconds
