"""R3.1 ``Verzuim_per_org.eenheid_incl_verzuimduurcategorieën``: absence per organisation unit,
with absence-duration categories, by the Dutch absence-registration standard of 1996 (DOMAIN §8).

For a period ``[start, end)`` (R0.2) and a tree of organisation units (folders, employers,
departments with their sub-departments), one row per unit:

* **available calendar days** — every calendar day of an employment in the unit, weighted by the
  employment's part-time factor on that day;
* **absent calendar days** — every calendar day of absence of such an employment, weighted by
  the part-time factor and by the absent fraction (50 % recovered = 0.5 absent);
* **absence percentage** = absent / available × 100;
* **average number of employees** = employment days in the unit / calendar days of the period;
* **reporting frequency** = new reports (first sick day in the period) / average number of
  employees, annualised (× 365 / days in the period);
* **average duration** — over the reports that *ended* in the period (their last day of absence
  lies in it): calendar days from the first sick day up to the recovery date, unweighted;
* **reports per duration category** — the same ended reports, by their duration
  (:class:`~xs_core.reports.categories.DurationCategories`).

Units follow the employment running on each day: an employee who moves to another department
counts in each for their days there. A new report belongs to the units of the employments running
on its first sick day, an ended report to those running on its last day of absence.

**Decisions** (documented in ``docs/reports.md``): the part-time factor is hours per week / 40,
at most 1; figures are counted per employment (two employments in one unit count twice, as the
standard counts *dienstverbanden*); a relapse — a new report within 28 days of full recovery — is
a new report (frequency, duration) like any other, as the standard prescribes, and a step from
full to partial absence is not a report; a sickness trajectory closed without a full recovery
ends its absence on its closing.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal

import attrs
import pendulum

from xs_core.dates import DateRange, as_date
from xs_core.errors import DomainError, InvalidInput, register_messages
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.protocols.sickness import AbsenceSpell, RecoveryReport, absence_spells
from xs_core.reports.categories import DEFAULT_DURATION_CATEGORIES, DurationCategories
from xs_core.reports.columns import Cell, Chart, Column, ColumnKind, ReportTable

register_messages(
    {
        "reports.open_period": (
            "Een rapportageperiode heeft een einddatum.",
            "A report period has an end date.",
        ),
        "reports.period_too_long": (
            "Een rapportageperiode is hoogstens {maximum} dagen lang, niet {days}.",
            "A report period is at most {maximum} days long, not {days}.",
        ),
        "reports.no_units": (
            "Kies minstens één organisatieonderdeel.",
            "Choose at least one organisation unit.",
        ),
        "reports.unsupported_unit": (
            "Een verzuimrapportage gaat over mappen, werkgevers of afdelingen, niet over {kind}.",
            "An absence report covers folders, employers or departments, not {kind}.",
        ),
    },
    kind=InvalidInput,
)

#: Full-time hours per week: the part-time factor is hours / 40, at most 1 (R3.1).
FULL_TIME_HOURS = Decimal(40)
#: A new report within this many days of full recovery is a relapse (R3.1, DOMAIN §8).
RELAPSE_DAYS = 28
#: The frequency is annualised to a year of 365 days.
DAYS_IN_YEAR = 365
#: The longest report period, in days (ten years and leap days).
MAX_PERIOD_DAYS = 3660
_CENTS = Decimal("0.01")


def report_period(period: DateRange) -> DateRange:
    """A report's period: closed (an end date) and at most :data:`MAX_PERIOD_DAYS` long; a
    reversed or empty one is already refused by :class:`~xs_core.dates.DateRange` (R0.2)."""
    if period.end is None:
        raise DomainError("reports.open_period", {"rule": "R3.1", "period": str(period)})
    days = period.days or 0
    if days > MAX_PERIOD_DAYS:
        raise DomainError(
            "reports.period_too_long",
            {"rule": "R3.1", "days": days, "maximum": MAX_PERIOD_DAYS},
        )
    return period


def part_time_factor(hours_per_week: Decimal) -> Decimal:
    """Hours per week / 40, at most 1 (R3.1)."""
    return min(hours_per_week / FULL_TIME_HOURS, Decimal(1))


def is_relapse(previous_recovery: _dt.date | None, first_sick_day: _dt.date) -> bool:
    """A report within 28 days of the previous full recovery is a relapse (R3.1): it still
    counts as a new report (the 1996 standard), unlike a step from full to partial absence."""
    if previous_recovery is None:
        return False
    return 0 <= (first_sick_day - previous_recovery).days < RELAPSE_DAYS


@attrs.frozen
class EmploymentSegment:
    """A stretch of an employment with the same employer, department and hours (one version)."""

    period: DateRange
    employer_id: uuid.UUID
    department_id: uuid.UUID | None
    hours_per_week: Decimal

    @property
    def part_time_factor(self) -> Decimal:
        return part_time_factor(self.hours_per_week)


def _spells(value: Iterable[AbsenceSpell]) -> tuple[AbsenceSpell, ...]:
    return tuple(value)


def _optional_date(value: _dt.date | None) -> pendulum.Date | None:
    return None if value is None else as_date(value)


@attrs.frozen
class SicknessReport:
    """One sickness report (ziekmelding): the first sick day, the absence spells with their
    fractions, and the recovery date (the first day no longer absent) once it is known."""

    first_sick_day: pendulum.Date = attrs.field(converter=as_date)
    spells: tuple[AbsenceSpell, ...] = attrs.field(converter=_spells)
    recovered_on: pendulum.Date | None = attrs.field(converter=_optional_date)

    @classmethod
    def of(
        cls,
        first_sick_day: _dt.date,
        reports: tuple[RecoveryReport, ...],
        closed_on: _dt.date | None = None,
    ) -> SicknessReport:
        """From a sickness trajectory: its first sick day, recovery reports and (exclusive)
        end; a trajectory closed before full recovery ends its absence on closing."""
        first = as_date(first_sick_day)
        spells = absence_spells(first, reports)
        full = reports[-1].date if reports and reports[-1].is_full else None
        if closed_on is not None and (full is None or closed_on < full):
            limit = DateRange(first, as_date(closed_on))
            spells = [
                AbsenceSpell(clipped, s.absent_fraction)
                for s in spells
                if (clipped := s.period.intersection(limit)) is not None
            ]
            full = as_date(closed_on)
        return cls(first, tuple(spells), full)

    @property
    def duration(self) -> int | None:
        """Calendar days from the first sick day up to the recovery date (unweighted)."""
        return None if self.recovered_on is None else (self.recovered_on - self.first_sick_day).days


@attrs.frozen
class EmployeeAbsence:
    """What R3.1 reads of one employee: their employment segments and sickness reports."""

    employee_id: uuid.UUID
    segments: tuple[EmploymentSegment, ...]
    reports: tuple[SicknessReport, ...] = ()


@attrs.frozen
class ReportUnit:
    """A row's unit: the Code column is the employer code or department code, empty for a
    folder (R3.1, the release note's "Structuurcode")."""

    ref: UnitRef
    name: str
    code: str | None
    depth: int = 0

    @property
    def kind(self) -> UnitKind:
        return self.ref.kind


_KIND_NL = {UnitKind.FOLDER: "Map", UnitKind.EMPLOYER: "Werkgever", UnitKind.DEPARTMENT: "Afdeling"}


class UnitTree:
    """The units of one report in row order, and which rows an employment segment counts in:
    its employer's row and every row above it, its department's row and every row above it."""

    def __init__(self) -> None:
        self.units: list[ReportUnit] = []
        self._seen: dict[UnitRef, int] = {}
        self._by_employer: dict[uuid.UUID, frozenset[int]] = {}
        self._by_department: dict[uuid.UUID, frozenset[int]] = {}
        self._memo: dict[tuple[uuid.UUID, uuid.UUID | None], tuple[int, ...]] = {}
        self.employer_ids: set[uuid.UUID] = set()

    def __contains__(self, ref: object) -> bool:
        return ref in self._seen

    def __len__(self) -> int:
        return len(self.units)

    def add(
        self,
        ref: UnitRef,
        name: str,
        code: str | None,
        above: tuple[UnitRef, ...] = (),
        employer_id: uuid.UUID | None = None,
    ) -> None:
        """Add a unit below the units ``above`` (already added, nearest last). A department
        names its ``employer_id``; a unit already in the tree is not added twice."""
        if ref.kind not in _KIND_NL:
            raise DomainError("reports.unsupported_unit", {"rule": "R3.1", "kind": ref.kind.value})
        if ref in self._seen:
            return
        index = len(self.units)
        self._seen[ref] = index
        self.units.append(ReportUnit(ref, name, code, len(above)))
        rows = frozenset({index, *(self._seen[a] for a in above if a in self._seen)})
        if ref.kind is UnitKind.EMPLOYER:
            self._by_employer[ref.id] = rows
            self.employer_ids.add(ref.id)
        elif ref.kind is UnitKind.DEPARTMENT:
            self._by_department[ref.id] = rows
            if employer_id is not None:
                self.employer_ids.add(employer_id)

    def rows_of(self, segment: EmploymentSegment) -> tuple[int, ...]:
        """The rows an employment segment counts in (each once)."""
        return self.rows_for(segment.employer_id, segment.department_id)

    def rows_for(self, employer_id: uuid.UUID, department_id: uuid.UUID | None) -> tuple[int, ...]:
        """The rows a segment at this employer and department counts in (each once): the
        employer's row and those above it, the department's row and those above it."""
        key = (employer_id, department_id)
        found = self._memo.get(key)
        if found is None:
            rows = self._by_employer.get(employer_id, frozenset())
            if department_id is not None:
                rows = rows | self._by_department.get(department_id, frozenset())
            found = self._memo[key] = tuple(sorted(rows))
        return found


@attrs.define
class AbsenceTally:
    """The exact sums of one unit, before the figures are derived."""

    employment_days: int = 0
    available_days: Decimal = Decimal(0)
    absent_days: Decimal = Decimal(0)
    new_reports: int = 0
    ended_reports: int = 0
    ended_days: int = 0
    per_category: list[int] = attrs.field(factory=list)


@attrs.frozen
class AbsenceRow:
    """One row of R3.1. Days are exact; the derived figures are rounded to two decimals
    (half up) and empty (``None``) where their denominator is zero."""

    unit: ReportUnit
    average_employees: Decimal
    available_days: Decimal
    absent_days: Decimal
    absence_percentage: Decimal | None
    new_reports: int
    reporting_frequency: Decimal | None
    average_duration: Decimal | None
    per_category: tuple[int, ...]

    def cells(self) -> tuple[Cell, ...]:
        return (
            self.unit.code,
            self.unit.name,
            _KIND_NL[self.unit.kind],
            self.average_employees,
            self.available_days,
            self.absent_days,
            self.absence_percentage,
            self.new_reports,
            self.reporting_frequency,
            self.average_duration,
            *self.per_category,
        )


def _round(value: Decimal) -> Decimal:
    return value.quantize(_CENTS, rounding=ROUND_HALF_UP)


def _days(period: DateRange) -> int:
    return period.days or 0


def tally_employee(
    facts: EmployeeAbsence,
    period: DateRange,
    tree: UnitTree,
    tallies: list[AbsenceTally],
    categories: DurationCategories,
) -> None:
    """Add one employee's days and reports to the tallies of the rows they count in."""
    for segment in facts.segments:
        clipped = segment.period.intersection(period)
        if clipped is None:
            continue
        rows = tree.rows_of(segment)
        if not rows:
            continue
        factor = segment.part_time_factor
        days = _days(clipped)
        absent = Decimal(0)
        for report in facts.reports:
            for spell in report.spells:
                overlap = spell.period.intersection(clipped)
                if overlap is not None:
                    absent += _days(overlap) * spell.absent_fraction
        for row in rows:
            tally = tallies[row]
            tally.employment_days += days
            tally.available_days += days * factor
            tally.absent_days += absent * factor
    for report in facts.reports:
        if report.first_sick_day in period:
            for row in _rows_on(facts, tree, report.first_sick_day):
                tallies[row].new_reports += 1
        duration = report.duration
        if report.recovered_on is None or duration is None:
            continue
        last_day = report.recovered_on.subtract(days=1)
        if last_day in period:
            category = categories.index(duration)
            for row in _rows_on(facts, tree, last_day):
                tally = tallies[row]
                tally.ended_reports += 1
                tally.ended_days += duration
                tally.per_category[category] += 1


def _rows_on(facts: EmployeeAbsence, tree: UnitTree, day: _dt.date) -> set[int]:
    rows: set[int] = set()
    for segment in facts.segments:
        if day in segment.period:
            rows.update(tree.rows_of(segment))
    return rows


def absence_row(
    unit: ReportUnit, tally: AbsenceTally, period: DateRange, period_days: int | None = None
) -> AbsenceRow:
    """The figures of one unit from its tally (R3.1, DOMAIN §8); ``period_days`` is the
    period's length when the caller already knows it (many rows)."""
    period_days = _days(period) if period_days is None else period_days
    emp_days = tally.employment_days
    return AbsenceRow(
        unit=unit,
        average_employees=_round(Decimal(emp_days) / period_days),
        available_days=tally.available_days,
        absent_days=tally.absent_days,
        absence_percentage=(
            _round(tally.absent_days / tally.available_days * 100) if tally.available_days else None
        ),
        new_reports=tally.new_reports,
        # new / (employment days / period days) × 365 / period days = new × 365 / employment days
        reporting_frequency=(
            _round(Decimal(tally.new_reports * DAYS_IN_YEAR) / emp_days) if emp_days else None
        ),
        average_duration=(
            _round(Decimal(tally.ended_days) / tally.ended_reports) if tally.ended_reports else None
        ),
        per_category=tuple(tally.per_category),
    )


def absence_per_unit(
    period: DateRange,
    tree: UnitTree,
    employees: Iterable[EmployeeAbsence],
    categories: DurationCategories = DEFAULT_DURATION_CATEGORIES,
) -> list[AbsenceRow]:
    """R3.1 over a stream of employees: one pass, memory proportional to the units only."""
    report_period(period)
    tallies = [AbsenceTally(per_category=[0] * len(categories)) for _ in tree.units]
    for facts in employees:
        tally_employee(facts, period, tree, tallies, categories)
    return [absence_row(u, t, period) for u, t in zip(tree.units, tallies, strict=True)]


def absence_columns(categories: DurationCategories) -> tuple[Column, ...]:
    """The columns of R3.1 with the suite's Dutch titles."""
    return (
        Column("code", "Code"),
        Column("name", "Naam"),
        Column("kind", "Soort"),
        Column("average_employees", "Gemiddeld aantal werknemers", ColumnKind.DECIMAL),
        Column("available_days", "Beschikbare kalenderdagen", ColumnKind.DECIMAL),
        Column("absent_days", "Verzuimde kalenderdagen", ColumnKind.DECIMAL),
        Column("absence_percentage", "Verzuimpercentage", ColumnKind.PERCENTAGE),
        Column("new_reports", "Aantal ziekmeldingen", ColumnKind.INTEGER),
        Column("reporting_frequency", "Meldingsfrequentie", ColumnKind.DECIMAL),
        Column("average_duration", "Gemiddelde verzuimduur", ColumnKind.DECIMAL),
        *(
            Column(f"duration_{i}", f"Verzuimduur {label} dagen", ColumnKind.INTEGER)
            for i, label in enumerate(categories.labels)
        ),
    )


#: The suite's name of R3.1.
ABSENCE_REPORT_NAME = "Verzuim_per_org.eenheid_incl_verzuimduurcategorieën"


def absence_table(rows: list[AbsenceRow], categories: DurationCategories) -> ReportTable:
    """R3.1 as a table for the exporters (R3.4)."""
    cells: Iterator[tuple[Cell, ...]] = (row.cells() for row in rows)
    chart = Chart("Verzuimpercentage per organisatieonderdeel", "name", "absence_percentage")
    return ReportTable(ABSENCE_REPORT_NAME, absence_columns(categories), cells, len(rows), chart)


def employee_absence(
    employee_id: uuid.UUID,
    employments: Iterable[tuple[uuid.UUID, DateRange, uuid.UUID | None, Decimal]],
    sickness: Iterable[tuple[_dt.date, tuple[RecoveryReport, ...], _dt.date | None]],
    period: DateRange,
) -> EmployeeAbsence:
    """One employee's facts from their employment versions ``(employer, valid, department,
    hours)`` and sickness trajectories ``(first sick day, recovery reports, exclusive end)``:
    only the segments overlapping the period and the reports whose absence can touch it (their
    first sick day before the period's end). Both adapters build the facts with it."""
    segments = tuple(
        sorted(
            (
                EmploymentSegment(valid, employer, department, hours)
                for employer, valid, department, hours in employments
                if valid.overlaps(period)
            ),
            key=lambda s: (s.period.start, str(s.employer_id), str(s.department_id)),
        )
    )
    end = period.end
    reports = tuple(
        sorted(
            (
                SicknessReport.of(first, recoveries, closed)
                for first, recoveries, closed in sickness
                if end is None or first < end
            ),
            key=lambda r: r.first_sick_day,
        )
    )
    return EmployeeAbsence(employee_id, segments, reports)
