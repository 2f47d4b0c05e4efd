"""R3.1 from sums: what a database adds up set-based, per employer and department, and how the
report's rows follow from it (DOMAIN §8; the definitions are those of
:mod:`xs_core.reports.absence`).

Every figure of R3.1 but the report counts is additive over employment segments: the employment
days, the available days (days × part-time factor) and the absent days (days of a spell step ×
absent fraction × part-time factor) of a unit are the sums over the segments whose employer or
department rolls up into it. So the database adds them up per *pair* (employer, department or
none) — a few rows per unit, whatever the number of employees — and the rows follow by adding
each pair's sums to the rows of the unit tree it rolls up into (:meth:`UnitTree.rows_for`: its
employer and the folder above, its department and the departments above).

A report (ziekmelding) is counted once in a row, however many of the employee's segments on its
day roll up there (R3.1: someone employed twice counts once in the folder). A report whose day
lies in exactly one segment — nearly all — is therefore counted in that pair's sums; one whose day
lies in several segments (several employments at the report's employers) comes back as
:class:`SharedReport` hits, one per segment, and is counted once in the union of their rows.

:func:`sums_of_facts` computes the sums from per-employee facts in Python (the memory adapter,
and the reference the SQL adapter is tested against); the SQL adapter computes the same sums with
``GROUP BY`` queries. :func:`absence_from_sums` gives the same rows as
:func:`~xs_core.reports.absence.absence_per_unit` over the facts (property-tested).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

import attrs

from xs_core.dates import DateRange
from xs_core.reports.absence import (
    AbsenceRow,
    AbsenceTally,
    EmployeeAbsence,
    EmploymentSegment,
    UnitTree,
    absence_row,
    report_period,
)
from xs_core.reports.categories import DEFAULT_DURATION_CATEGORIES, DurationCategories

#: An employer and a department (or none): the leaves the database groups by.
Pair = tuple[uuid.UUID, uuid.UUID | None]


@attrs.define
class PairSums:
    """The exact sums of one pair over the period (R3.1): employment days, available and absent
    calendar days, and the reports counted in this pair alone (their day in no other segment)."""

    employer_id: uuid.UUID
    department_id: uuid.UUID | None
    employment_days: int = 0
    available_days: Decimal = Decimal(0)
    absent_days: Decimal = Decimal(0)
    new_reports: int = 0
    ended_reports: int = 0
    ended_days: int = 0
    per_category: list[int] = attrs.field(factory=list)

    @property
    def pair(self) -> Pair:
        return (self.employer_id, self.department_id)


@attrs.frozen
class SharedReport:
    """One segment of a report whose day (the first sick day of a new report, the last day of
    absence of an ended one) lies in several of the employee's segments (R3.1)."""

    report_id: str
    ended: bool
    employer_id: uuid.UUID
    department_id: uuid.UUID | None
    duration: int = 0


@attrs.frozen
class AbsenceSums:
    """What a database returns for R3.1: the sums per pair and the shared reports' hits."""

    pairs: tuple[PairSums, ...]
    shared: tuple[SharedReport, ...] = ()


def _days(period: DateRange) -> int:
    return period.days or 0


def _on(segments: Iterable[EmploymentSegment], day: object) -> list[EmploymentSegment]:
    return [s for s in segments if day in s.period]


def sums_of_facts(
    facts: Iterable[EmployeeAbsence],
    period: DateRange,
    categories: DurationCategories = DEFAULT_DURATION_CATEGORIES,
) -> AbsenceSums:
    """The sums per pair from per-employee facts, as the database computes them (R3.1)."""
    report_period(period)
    sums: dict[Pair, PairSums] = {}

    def of(segment: EmploymentSegment) -> PairSums:
        key = (segment.employer_id, segment.department_id)
        found = sums.get(key)
        if found is None:
            found = sums[key] = PairSums(*key, per_category=[0] * len(categories))
        return found

    shared: list[SharedReport] = []
    for employee in facts:
        for segment in employee.segments:
            clipped = segment.period.intersection(period)
            if clipped is None:
                continue
            days = _days(clipped)
            absent = Decimal(0)
            for report in employee.reports:
                for spell in report.spells:
                    overlap = spell.period.intersection(clipped)
                    if overlap is not None:
                        absent += _days(overlap) * spell.absent_fraction
            into = of(segment)
            into.employment_days += days
            into.available_days += days * segment.part_time_factor
            into.absent_days += absent * segment.part_time_factor
        for number, report in enumerate(employee.reports):
            report_id = f"{employee.employee_id}/{number}"
            if report.first_sick_day in period:
                running = _on(employee.segments, report.first_sick_day)
                if len(running) == 1:
                    of(running[0]).new_reports += 1
                for segment in running if len(running) > 1 else ():
                    shared.append(
                        SharedReport(report_id, False, segment.employer_id, segment.department_id)
                    )
            duration = report.duration
            if report.recovered_on is None or duration is None:
                continue
            last_day = report.recovered_on.subtract(days=1)
            if last_day not in period:
                continue
            running = _on(employee.segments, last_day)
            if len(running) == 1:
                into = of(running[0])
                into.ended_reports += 1
                into.ended_days += duration
                into.per_category[categories.index(duration)] += 1
            for segment in running if len(running) > 1 else ():
                shared.append(
                    SharedReport(
                        report_id, True, segment.employer_id, segment.department_id, duration
                    )
                )
    return AbsenceSums(tuple(sums.values()), tuple(shared))


def absence_from_sums(
    period: DateRange,
    tree: UnitTree,
    sums: AbsenceSums,
    categories: DurationCategories = DEFAULT_DURATION_CATEGORIES,
) -> list[AbsenceRow]:
    """R3.1's rows from the sums per pair: each pair's sums added to the rows it rolls up into,
    each shared report counted once in the union of its segments' rows. Memory and time
    proportional to the pairs and units, not to the employees."""
    report_period(period)
    tallies = [AbsenceTally(per_category=[0] * len(categories)) for _ in tree.units]
    for pair in sums.pairs:
        for row in tree.rows_for(pair.employer_id, pair.department_id):
            tally = tallies[row]
            tally.employment_days += pair.employment_days
            tally.available_days += pair.available_days
            tally.absent_days += pair.absent_days
            tally.new_reports += pair.new_reports
            tally.ended_reports += pair.ended_reports
            tally.ended_days += pair.ended_days
            for position, count in enumerate(pair.per_category):
                tally.per_category[position] += count
    hits: dict[tuple[str, bool], tuple[set[int], int]] = defaultdict(lambda: (set(), 0))
    for hit in sums.shared:
        rows, _ = hits[(hit.report_id, hit.ended)]
        rows.update(tree.rows_for(hit.employer_id, hit.department_id))
        hits[(hit.report_id, hit.ended)] = (rows, hit.duration)
    for (_, ended), (rows, duration) in hits.items():
        for row in rows:
            tally = tallies[row]
            if not ended:
                tally.new_reports += 1
                continue
            tally.ended_reports += 1
            tally.ended_days += duration
            tally.per_category[categories.index(duration)] += 1
    days = _days(period)
    return [absence_row(u, t, period, days) for u, t in zip(tree.units, tallies, strict=True)]
