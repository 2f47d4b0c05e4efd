"""Reports (Rapportages, R3): typed rows and columns produced by the core and exported by the
adapters (R3.4); R3.1 absence per organisation unit with absence-duration categories."""

from xs_core.reports.absence import (
    ABSENCE_REPORT_NAME,
    AbsenceRow,
    AbsenceTally,
    EmployeeAbsence,
    EmploymentSegment,
    ReportUnit,
    SicknessReport,
    UnitTree,
    absence_columns,
    absence_per_unit,
    absence_row,
    absence_table,
    employee_absence,
    is_relapse,
    part_time_factor,
    report_period,
)
from xs_core.reports.categories import DEFAULT_DURATION_CATEGORIES, DurationCategories
from xs_core.reports.columns import Cell, Chart, Column, ColumnKind, ReportTable
from xs_core.reports.ports import AbsenceFacts

__all__ = [
    "ABSENCE_REPORT_NAME",
    "DEFAULT_DURATION_CATEGORIES",
    "AbsenceFacts",
    "AbsenceRow",
    "AbsenceTally",
    "Cell",
    "Chart",
    "Column",
    "ColumnKind",
    "DurationCategories",
    "EmployeeAbsence",
    "EmploymentSegment",
    "ReportTable",
    "ReportUnit",
    "SicknessReport",
    "UnitTree",
    "absence_columns",
    "absence_per_unit",
    "absence_row",
    "absence_table",
    "employee_absence",
    "is_relapse",
    "part_time_factor",
    "report_period",
]
