"""The ``xs reports`` commands (R3.1, R3.4): a report computed by the services and exported to
CSV or XLSX with a progress bar.

``--unit`` names an organisation unit by code — an employer code (``W1``), an employer code and
department code (``W1/VK``) — or by reference (``folder:<id>``, ``employer:<id>``,
``department:<id>``); it is repeatable. ``--until`` is the first day after the period (R0.2).
The file is written next to its target and renamed into place only when complete.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from xs_adapters.exports import ExportFormat, export_report
from xs_app.bootstrap import Xs
from xs_app.cli import AsOption, DatabaseOption, _actor, _open, app, console
from xs_app.cli_support import CliRefusal
from xs_app.cli_types import date_option
from xs_app.services.reports import AbsenceReport, FindReportUnit, WiaWorkFile
from xs_core.dates import DateRange
from xs_core.errors import InvalidInput, register_messages
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.progress import Progress as ProgressReport

register_messages(
    {
        "cli.unknown_unit_reference": (
            "'{value}' is geen eenheid: gebruik een code (W1, W1/AFD) of soort:id "
            "(folder:…, employer:…, department:…).",
            "'{value}' is not a unit: use a code (W1, W1/DEPT) or kind:id "
            "(folder:…, employer:…, department:…).",
        ),
    },
    kind=InvalidInput,
)

reports_app = typer.Typer(help="Reports (rapportages), R3.", no_args_is_help=True)
app.add_typer(reports_app, name="reports")

UnitOption = Annotated[
    list[str],
    typer.Option("--unit", help="unit: employer code, CODE/DEPT, or folder:<id> (repeatable)"),
]
OutOption = Annotated[Path, typer.Option("--out", help="the file to write")]
FormatOption = Annotated[
    ExportFormat | None,
    typer.Option("--format", help="csv or xlsx (default: from --out's suffix, else csv)"),
]
_KINDS = {k.value: k for k in (UnitKind.FOLDER, UnitKind.EMPLOYER, UnitKind.DEPARTMENT)}


def _unit(xs: Xs, actor: object, value: str) -> UnitRef:
    kind, colon, _ = value.partition(":")
    if colon:
        if kind not in _KINDS:
            raise CliRefusal("cli.unknown_unit_reference", {"value": value})
        try:
            return UnitRef.parse(value)
        except ValueError as error:
            raise CliRefusal("cli.unknown_unit_reference", {"value": value}) from error
    return xs.reports.find_unit(FindReportUnit(actor=actor, code=value))  # type: ignore[arg-type]


def _format(fmt: ExportFormat | None, out: Path) -> ExportFormat:
    if fmt is not None:
        return fmt
    return ExportFormat.XLSX if out.suffix.lower() == ".xlsx" else ExportFormat.CSV


class _Bar:
    """One rich progress bar per stage (employees read, rows written)."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, object] = {}

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        task = self._tasks.get(stage)
        if task is None:
            label = {"units": "Onderdelen", "employees": "Werknemers", "rows": "Rijen"}.get(
                stage, stage
            )
            task = self._tasks[stage] = self._progress.add_task(label, total=total)
        self._progress.update(task, completed=done, total=total)  # type: ignore[arg-type]


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}"),
        TimeElapsedColumn(),
        console=console,
    )


@reports_app.command("absence")
def absence(
    start: Annotated[_dt.date, date_option("--from", "first day of the period")],
    until: Annotated[_dt.date, date_option("--until", "first day after the period", end=True)],
    out: OutOption,
    unit: UnitOption,
    fmt: FormatOption = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """R3.1 Verzuim_per_org.eenheid_incl_verzuimduurcategorieën: absence per unit (and the units
    below it) with duration categories, exported to CSV or XLSX (with a chart)."""
    period = DateRange(start, until)
    with _open(database_url) as xs:
        actor = _actor(xs, as_email)
        units = tuple(_unit(xs, actor, value) for value in unit)
        with _progress() as progress:
            bar: ProgressReport = _Bar(progress)
            result = xs.reports.absence(AbsenceReport(actor=actor, period=period, units=units), bar)
            count = export_report(result.table(), out, _format(fmt, out), bar)
    console.print(f"{count} rijen geschreven naar {out}")


def _work_file(
    nn: bool,
    unit: list[str],
    out: Path,
    fmt: ExportFormat | None,
    on: _dt.date | None,
    as_email: str | None,
    database_url: str | None,
) -> None:
    with _open(database_url) as xs:
        actor = _actor(xs, as_email)
        units = tuple(_unit(xs, actor, value) for value in unit)
        with _progress() as progress:
            bar: ProgressReport = _Bar(progress)
            result = xs.reports.wia_work_file(WiaWorkFile(actor=actor, units=units, nn=nn, on=on))
            count = export_report(result.table(), out, _format(fmt, out), bar)
    console.print(f"{count} rijen geschreven naar {out}")


OnOption = Annotated[
    _dt.date | None, date_option("--on", "the day of the leading employment (default today)")
]


@reports_app.command("wia-werkbestand")
def wia_work_file(
    out: OutOption,
    unit: UnitOption,
    fmt: FormatOption = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """R3.2 Wia werkbestand: one row per WIA claim at the units' employers, with the WGA-ERD
    policy columns."""
    _work_file(False, unit, out, fmt, None, as_email, database_url)


@reports_app.command("wia-werkbestand-nn")
def wia_work_file_nn(
    out: OutOption,
    unit: UnitOption,
    fmt: FormatOption = None,
    on: OnOption = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """R3.3 Wia werkbestand tbv NN: R3.2 with the department of the leading employment and the
    end of own-risk bearing derived when empty (min(WIA start + 10 years, AOW date))."""
    _work_file(True, unit, out, fmt, on, as_email, database_url)
