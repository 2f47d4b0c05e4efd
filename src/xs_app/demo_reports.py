"""The reports part of ``xs demo`` (R3.1, R3.4): the absence report of a demo folder over the
last three months, shown and written as CSV and XLSX beside the demo database."""

from __future__ import annotations

import uuid
from pathlib import Path

from rich.console import Console
from rich.table import Table

from xs_adapters.exports import ExportFormat, export_report
from xs_app.bootstrap import Xs
from xs_app.services.reports import AbsenceReport
from xs_app.synthetic import SyntheticOrganisation
from xs_core.dates import DateRange
from xs_core.organisation.units import UnitKind, UnitRef


def reports_demo(
    xs: Xs,
    admin: uuid.UUID,
    organisation: SyntheticOrganisation,
    console: Console,
    files: tuple[Path, Path] | None,
) -> None:
    """R3.1 for the folder of the most employers; the folder and employer rows are shown."""
    today = xs.clock.today()
    period = DateRange(today.subtract(months=3), today.add(days=1))
    counts: dict[uuid.UUID, int] = {}
    for employer in organisation.employers:
        if employer.folder_id is not None:
            counts[employer.folder_id] = counts.get(employer.folder_id, 0) + 1
    folder = min(counts, key=lambda f: (-counts[f], str(f)))
    result = xs.reports.absence(
        AbsenceReport(actor=admin, period=period, units=(UnitRef(UnitKind.FOLDER, folder),))
    )
    table = Table(
        title=f"R3.1 Verzuim per organisatieonderdeel {period.display_nl()} (mappen en werkgevers)"
    )
    for column in ("Code", "Naam", "Gem. werknemers", "Verzuim %", "Meldingsfrequentie",
                   *result.categories.labels):  # fmt: skip
        table.add_column(column)
    for row in result.rows:
        if row.unit.kind is UnitKind.DEPARTMENT:
            continue
        table.add_row(
            row.unit.code or "",
            row.unit.name,
            str(row.average_employees).replace(".", ","),
            "" if row.absence_percentage is None else str(row.absence_percentage).replace(".", ","),
            ""
            if row.reporting_frequency is None
            else str(row.reporting_frequency).replace(".", ","),
            *(str(n) for n in row.per_category),
        )
    console.print(table)
    if files is None:
        return
    for path, fmt in zip(files, (ExportFormat.CSV, ExportFormat.XLSX), strict=True):
        count = export_report(result.table(), path, fmt)
        console.print(f"R3.4 {count} rijen geschreven naar {path.name}")
