"""What ``xs policies evaluate`` shows (R6.6): the CSV of a dry run, its summary per reason, and
a run's status — in the language of ``XS_LANG``."""

from __future__ import annotations

import csv
from typing import TextIO

from rich.table import Table

from xs_app.cli_support import language
from xs_app.services.policy_evaluation import (
    DryRunSummary,
    PlannedChange,
    PolicyEvaluationStatus,
)
from xs_core.policies.participation import ExclusionReason

#: The columns of a dry run's CSV.
CSV_COLUMNS = (
    "policy_id",
    "policy_number",
    "employee_id",
    "start",
    "end",
    "included",
    "reasons",
    "notes",
    "previously_included",
    "previous_reasons",
)


def _labels(reasons: tuple[ExclusionReason, ...], nl: bool) -> str:
    return "; ".join(r.label_nl if nl else r.label_en for r in reasons)


class ChangeWriter:
    """Writes the lines of a dry run as CSV, one by one (a dry run of a million employees
    never holds its lines in memory)."""

    def __init__(self, stream: TextIO) -> None:
        self._csv = csv.writer(stream)
        self._csv.writerow(CSV_COLUMNS)
        self._nl = language() == "nl"

    def __call__(self, line: PlannedChange) -> None:
        self._csv.writerow(
            (
                line.policy_id,
                line.policy_number,
                line.employee_id,
                line.start.isoformat(),
                "" if line.end is None else line.end.isoformat(),
                "1" if line.included else "0",
                _labels(line.reasons, self._nl),
                "; ".join(n.label_nl if self._nl else n.label_en for n in line.notes),
                "" if line.previously_included is None else str(int(line.previously_included)),
                _labels(line.previous_reasons, self._nl),
            )
        )


def summary_table(summary: DryRunSummary) -> Table:
    """Counts of a dry run: employees and periods that would change, per reason."""
    nl = language() == "nl"
    table = Table(
        title=f"Proefrun {summary.on.isoformat()}: {summary.policies} polissen, "
        f"{summary.employees_changed} werknemers, {summary.periods} perioden"
    )
    table.add_column("Uitkomst" if nl else "Outcome")
    table.add_column("Perioden" if nl else "Periods", justify="right")
    table.add_row("Deelname" if nl else "Included", str(summary.included))
    for reason, count in summary.by_reason.items():
        label = reason.label_nl if nl else reason.label_en
        table.add_row(f"{'Uitgesloten' if nl else 'Excluded'}: {label}", str(count))
    return table


def status_line(status: PolicyEvaluationStatus, with_id: bool = True) -> str:
    """One line on where a run stands (``with_id``: naming the run)."""
    state = "klaar" if status.finished else "loopt"
    run = f"Evaluatie {status.run_id}" if with_id else "Evaluatie"
    return (
        f"{run} op {status.on.isoformat()} ({state}): "
        f"{status.chunks_done}/{status.chunks} delen, {status.changed} werknemers gewijzigd, "
        f"{status.added} registraties toegevoegd, {status.removed} vervangen"
    )
