"""R3.1 from sums per (employer, department) — what the SQL adapter computes set-based — gives
the same rows as the per-employee tally (the reference), for random employees with several
employments, departments, part-time hours, partial recovery steps and closed trajectories."""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from xs_core.dates import DateRange
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.protocols.sickness import RecoveryReport
from xs_core.reports import (
    DEFAULT_DURATION_CATEGORIES,
    DurationCategories,
    EmployeeAbsence,
    EmploymentSegment,
    SicknessReport,
    UnitTree,
    absence_per_unit,
)
from xs_core.reports.sums import AbsenceSums, PairSums, absence_from_sums, sums_of_facts

D = _dt.date
DAY0 = D(2025, 12, 1)
PERIOD = DateRange(D(2026, 1, 1), D(2026, 3, 1))
F, E1, E2, E3 = (uuid.uuid4() for _ in range(4))
V1, V2, V3 = (uuid.uuid4() for _ in range(3))  # V1 and V2 at E1 (V2 below V1), V3 at E2
DEPARTMENTS = {V1: E1, V2: E1, V3: E2}


def tree() -> UnitTree:
    """Folder F with E1 (V1 with V2 below it) and E2 (V3); E3 is not in the report."""
    found = UnitTree()
    f, e1, e2 = (
        UnitRef(UnitKind.FOLDER, F),
        UnitRef(UnitKind.EMPLOYER, E1),
        UnitRef(UnitKind.EMPLOYER, E2),
    )
    v1, v2, v3 = (UnitRef(UnitKind.DEPARTMENT, v) for v in (V1, V2, V3))
    found.add(f, "Map", None)
    found.add(e1, "Een", "E1", (f,))
    found.add(v1, "Verkoop", "V1", (f, e1), E1)
    found.add(v2, "Binnendienst", "V2", (f, e1, v1), E1)
    found.add(e2, "Twee", "E2", (f,))
    found.add(v3, "Productie", "V3", (f, e2), E2)
    return found


def _day(offset: int) -> D:
    return DAY0 + _dt.timedelta(days=offset)


@st.composite
def employees(draw: st.DrawFn) -> EmployeeAbsence:
    """1–3 employments (at E1, E2 or E3, in a department or not, any hours), each with 1–2
    versions, and non-overlapping sickness reports with recovery steps, open or closed."""
    segments = []
    for _ in range(draw(st.integers(1, 3))):
        employer = draw(st.sampled_from([E1, E2, E3]))
        own = [v for v, e in DEPARTMENTS.items() if e == employer]
        start = draw(st.integers(0, 100))
        for _version in range(draw(st.integers(1, 2))):
            length = draw(st.one_of(st.none(), st.integers(1, 60)))
            end = None if length is None else start + length
            segments.append(
                EmploymentSegment(
                    DateRange(_day(start), None if end is None else _day(end)),
                    employer,
                    draw(st.sampled_from([None, *own])),
                    Decimal(draw(st.integers(0, 6000))) / 100,
                )
            )
            if end is None:
                break
            start = end
    reports = []
    day = draw(st.integers(0, 40))
    for _ in range(draw(st.integers(0, 3))):
        steps: list[RecoveryReport] = []
        step = day
        for _ in range(draw(st.integers(0, 3))):
            step += draw(st.integers(1, 30))
            steps.append(RecoveryReport(_day(step), draw(st.integers(1, 99))))  # type: ignore[arg-type]
        if draw(st.booleans()):
            step += draw(st.integers(1, 30))
            steps.append(RecoveryReport(_day(step), 100))  # type: ignore[arg-type]
        closed = None
        if draw(st.booleans()):
            closed = _day(day + draw(st.integers(1, 90)))
        report = SicknessReport.of(_day(day), tuple(steps), closed)
        reports.append(report)
        ends = [report.recovered_on] if report.recovered_on else []
        last = max([_day(step), *ends])
        day = (last - DAY0).days + draw(st.integers(0, 20))
        if report.recovered_on is None:
            break
    return EmployeeAbsence(uuid.uuid4(), tuple(segments), tuple(reports))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(employees(), max_size=8),
    st.sampled_from([DEFAULT_DURATION_CATEGORIES, DurationCategories((2, 10))]),
)
def test_r3_1_rows_from_sums_per_pair_equal_the_per_employee_tally(
    people: list[EmployeeAbsence], categories: DurationCategories
) -> None:
    units = tree()
    expected = absence_per_unit(PERIOD, units, people, categories)
    assert absence_from_sums(PERIOD, units, sums_of_facts(people, PERIOD, categories),
                             categories) == expected  # fmt: skip


def test_r3_1_a_report_of_someone_employed_twice_counts_once_in_the_rows_above() -> None:
    """Two employments at E1 (V1 and V2) on the first sick day: the report counts once in E1,
    V1 and the folder (shared), once in V2; the employment days count twice (per employment)."""
    person = EmployeeAbsence(
        uuid.uuid4(),
        (
            EmploymentSegment(DateRange(D(2025, 1, 1)), E1, V1, Decimal(20)),
            EmploymentSegment(DateRange(D(2025, 1, 1)), E1, V2, Decimal(20)),
        ),
        (SicknessReport.of(D(2026, 1, 5), (RecoveryReport(D(2026, 1, 9), 100),)),),  # type: ignore[arg-type]
    )
    sums = sums_of_facts([person], PERIOD)
    assert {p.new_reports for p in sums.pairs} == {0}
    assert len(sums.shared) == 4  # new and ended, in two segments each
    rows = absence_from_sums(PERIOD, tree(), sums)
    by_name = {row.unit.name: row for row in rows}
    assert [by_name[n].new_reports for n in ("Map", "Een", "Verkoop", "Binnendienst")] == [1] * 4
    assert by_name["Een"].per_category == (1, 0, 0, 0)
    assert by_name["Een"].average_duration == Decimal("4.00")
    assert by_name["Map"].available_days == 59  # 2 × 59 days × 0.5
    assert rows == absence_per_unit(PERIOD, tree(), [person])


def test_r3_1_pairs_outside_the_tree_count_nowhere() -> None:
    outside = PairSums(E3, None, 59, Decimal(59), Decimal(3), 1, 1, 3, [1, 0, 0, 0])
    rows = absence_from_sums(PERIOD, tree(), AbsenceSums((outside,)))
    assert all(row.available_days == 0 and row.new_reports == 0 for row in rows)
