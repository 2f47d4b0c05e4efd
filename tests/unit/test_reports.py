"""R3.1 absence per organisation unit, computed by the pure core: hand-computed cases for every
figure, the duration categories, relapses, and hypothesis properties (a folder is the sum of its
employers; a percentage lies in [0, 100]).

Every expected value below was worked out by hand in the comment next to it: January 2026 has 31
days; the part-time factor is hours / 40; figures are rounded half up to two decimals.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.protocols.sickness import AbsenceSpell, RecoveryReport
from xs_core.reports import (
    DEFAULT_DURATION_CATEGORIES,
    AbsenceRow,
    DurationCategories,
    EmployeeAbsence,
    EmploymentSegment,
    SicknessReport,
    UnitTree,
    absence_per_unit,
    is_relapse,
    report_period,
)

D = _dt.date
JANUARY = DateRange(D(2026, 1, 1), D(2026, 2, 1))
E1, E2, A, B, F = (uuid.uuid4() for _ in range(5))


def employer_tree(*employers: uuid.UUID) -> UnitTree:
    tree = UnitTree()
    for i, e in enumerate(employers):
        tree.add(UnitRef(UnitKind.EMPLOYER, e), f"Werkgever {i}", f"W{i}")
    return tree


def segment(start: D, end: D | None, hours: str = "40", employer: uuid.UUID = E1,
            department: uuid.UUID | None = None) -> EmploymentSegment:  # fmt: skip
    return EmploymentSegment(DateRange(start, end), employer, department, Decimal(hours))


def sick(first: D, recovered: D, fraction: str = "1") -> SicknessReport:
    spell = AbsenceSpell(DateRange(first, recovered), Decimal(fraction))
    return SicknessReport(first, (spell,), recovered)  # type: ignore[arg-type]


def one(tree: UnitTree, *employees: EmployeeAbsence) -> list[AbsenceRow]:
    return absence_per_unit(JANUARY, tree, employees)


def test_r3_1_part_timer_absent_half_for_ten_days() -> None:
    """20 of 40 hours (factor 0.5), absent 50 % from 5 to 15 January (10 days)."""
    facts = EmployeeAbsence(
        uuid.uuid4(),
        (segment(D(2025, 6, 1), None, "20"),),
        (sick(D(2026, 1, 5), D(2026, 1, 15), "0.5"),),
    )  # fmt: skip
    [row] = one(employer_tree(E1), facts)
    assert row.available_days == Decimal("15.5")  # 31 days × 0.5
    assert row.absent_days == Decimal("2.5")  # 10 days × 0.5 absent × 0.5 factor
    assert row.absence_percentage == Decimal("16.13")  # 2.5 / 15.5 × 100 = 16.129…
    assert row.average_employees == Decimal("1.00")  # 31 employment days / 31
    assert row.new_reports == 1
    assert row.reporting_frequency == Decimal("11.77")  # 1 × 365 / 31 = 11.774…
    assert row.average_duration == Decimal("10.00")  # 15 Jan − 5 Jan
    assert row.per_category == (0, 1, 0, 0)  # 10 days: medium 8–42
    assert row.unit.code == "W0"


def test_r3_1_partial_recovery_steps_weigh_each_day_by_its_fraction() -> None:
    """Sick 5 January (100 %), 50 % recovered from 6 January, fully from 15 January: 1 day
    at 1 + 9 days at 0.5 = 5.5 absent days for a full-timer."""
    report = SicknessReport.of(
        D(2026, 1, 5),
        (RecoveryReport(D(2026, 1, 6), 50), RecoveryReport(D(2026, 1, 15), 100)),  # type: ignore[arg-type]
    )
    facts = EmployeeAbsence(uuid.uuid4(), (segment(D(2025, 1, 1), None),), (report,))
    [row] = one(employer_tree(E1), facts)
    assert row.absent_days == Decimal("5.5")
    assert row.absence_percentage == Decimal("17.74")  # 5.5 / 31 × 100 = 17.741…
    assert row.average_duration == Decimal("10.00")
    assert row.new_reports == 1  # going from full to partial absence is not a new report


def test_r3_1_a_spell_crossing_the_period_start_and_end() -> None:
    """Sick 20 December 2025 until 10 February 2026: all 31 January days absent, no report
    starts or ends in January."""
    facts = EmployeeAbsence(
        uuid.uuid4(), (segment(D(2025, 1, 1), None),), (sick(D(2025, 12, 20), D(2026, 2, 10)),)
    )
    [row] = one(employer_tree(E1), facts)
    assert (row.available_days, row.absent_days) == (Decimal(31), Decimal(31))
    assert row.absence_percentage == Decimal("100.00")
    assert row.new_reports == 0
    assert row.reporting_frequency == Decimal("0.00")
    assert row.average_duration is None  # no report ended in the period
    assert row.per_category == (0, 0, 0, 0)


def test_r3_1_a_relapse_is_a_new_report() -> None:
    """Sick 2–5 January (3 days), again from 10 January (within 28 days: a relapse) to 12
    January (2 days): two new reports, two ended ones."""
    assert is_relapse(D(2026, 1, 5), D(2026, 1, 10))
    assert not is_relapse(D(2026, 1, 5), D(2026, 2, 2))  # 28 days later: a new spell
    facts = EmployeeAbsence(
        uuid.uuid4(),
        (segment(D(2025, 1, 1), None),),
        (sick(D(2026, 1, 2), D(2026, 1, 5)), sick(D(2026, 1, 10), D(2026, 1, 12))),
    )
    [row] = one(employer_tree(E1), facts)
    assert row.absent_days == 5  # 3 + 2
    assert row.absence_percentage == Decimal("16.13")  # 5 / 31 × 100
    assert row.new_reports == 2
    assert row.reporting_frequency == Decimal("23.55")  # 2 × 365 / 31 = 23.548…
    assert row.average_duration == Decimal("2.50")  # (3 + 2) / 2
    assert row.per_category == (2, 0, 0, 0)


def test_r3_1_an_employee_changing_department_counts_in_each_for_their_days() -> None:
    """In department A 1–15 January, in B from 16 January; sick 14 January, recovered 19
    January (5 days: 2 in A, 3 in B). The report is new in A (first sick day) and ends in B
    (last day 18 January)."""
    tree = UnitTree()
    e = UnitRef(UnitKind.EMPLOYER, E1)
    tree.add(e, "Werkgever", "W")
    tree.add(UnitRef(UnitKind.DEPARTMENT, A), "Afdeling A", "A", (e,), E1)
    tree.add(UnitRef(UnitKind.DEPARTMENT, B), "Afdeling B", "B", (e,), E1)
    facts = EmployeeAbsence(
        uuid.uuid4(),
        (
            segment(D(2025, 1, 1), D(2026, 1, 16), department=A),
            segment(D(2026, 1, 16), None, department=B),
        ),
        (sick(D(2026, 1, 14), D(2026, 1, 19)),),
    )
    employer, in_a, in_b = one(tree, facts)
    assert (employer.available_days, employer.absent_days) == (31, 5)
    assert employer.new_reports == 1 and employer.per_category == (1, 0, 0, 0)
    assert (in_a.available_days, in_a.absent_days) == (15, 2)
    assert in_a.absence_percentage == Decimal("13.33")  # 2 / 15
    assert in_a.average_employees == Decimal("0.48")  # 15 / 31 = 0.4838…
    assert in_a.new_reports == 1
    assert in_a.reporting_frequency == Decimal("24.33")  # 1 × 365 / 15 = 24.333…
    assert in_a.average_duration is None
    assert (in_b.available_days, in_b.absent_days) == (16, 3)
    assert in_b.absence_percentage == Decimal("18.75")  # 3 / 16
    assert in_b.average_employees == Decimal("0.52")  # 16 / 31 = 0.5161…
    assert (in_b.new_reports, in_b.average_duration) == (0, Decimal("5.00"))
    assert in_b.per_category == (1, 0, 0, 0)


def test_r3_1_a_folder_row_has_an_empty_code_and_sums_its_employers() -> None:
    """Folder with two full-time employees at two employers; 4 and 6 absent days."""
    tree = UnitTree()
    f = UnitRef(UnitKind.FOLDER, F)
    tree.add(f, "Map", None)
    tree.add(UnitRef(UnitKind.EMPLOYER, E1), "Een", "E1", (f,))
    tree.add(UnitRef(UnitKind.EMPLOYER, E2), "Twee", "E2", (f,))
    first = EmployeeAbsence(
        uuid.uuid4(), (segment(D(2025, 1, 1), None),), (sick(D(2026, 1, 1), D(2026, 1, 5)),)
    )
    second = EmployeeAbsence(
        uuid.uuid4(),
        (segment(D(2025, 1, 1), None, employer=E2),),
        (sick(D(2026, 1, 20), D(2026, 1, 26)),),
    )
    folder, one_, two = one(tree, first, second)
    assert folder.cells()[:3] == (None, "Map", "Map")  # an empty Code
    assert folder.absent_days == 10 and folder.available_days == 62
    assert folder.absence_percentage == Decimal("16.13")  # 10 / 62 = 16.129…
    assert folder.average_employees == Decimal("2.00")
    assert folder.reporting_frequency == Decimal("11.77")  # 2 × 365 / 62
    assert folder.average_duration == Decimal("5.00")  # (4 + 6) / 2
    assert (one_.unit.code, one_.absent_days, two.absent_days) == ("E1", 4, 6)


def test_r3_1_an_employment_outside_the_units_and_absence_outside_employment_count_nowhere() -> (
    None
):
    """Employed at E1 until 11 January; sick from 9 January to 20 January: only 9 and 10
    January are absence of that employment."""
    facts = EmployeeAbsence(
        uuid.uuid4(),
        (segment(D(2025, 1, 1), D(2026, 1, 11)), segment(D(2025, 1, 1), None, employer=E2)),
        (sick(D(2026, 1, 9), D(2026, 1, 20)),),
    )
    [row] = one(employer_tree(E1), facts)
    assert (row.available_days, row.absent_days) == (10, 2)
    assert row.per_category == (0, 0, 0, 0)  # ended on 19 January, after the employment


def test_r3_1_a_trajectory_closed_before_recovery_ends_the_absence() -> None:
    report = SicknessReport.of(D(2026, 1, 5), (), closed_on=D(2026, 1, 8))
    assert report.recovered_on == D(2026, 1, 8) and report.duration == 3


def test_r3_1_duration_categories() -> None:
    c = DEFAULT_DURATION_CATEGORIES
    assert c.labels == ("1-7", "8-42", "43-365", "> 365")
    assert [c.index(d) for d in (1, 7, 8, 42, 43, 365, 366)] == [0, 0, 1, 1, 2, 2, 3]
    assert DurationCategories((14, 91, 365, 730)).labels[-1] == "> 730"


@pytest.mark.parametrize("bounds", [(), (0, 7), (7, 7), (42, 7)])
def test_r3_1_duration_categories_that_overlap_or_leave_gaps_are_refused(
    bounds: tuple[int, ...],
) -> None:
    with pytest.raises(DomainError) as refused:
        DurationCategories(bounds)
    assert refused.value.code == "reports.invalid_duration_categories"


def test_r3_1_an_open_period_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        report_period(DateRange(D(2026, 1, 1), None))
    assert refused.value.code == "reports.open_period"
    with pytest.raises(DomainError) as reversed_:
        DateRange(D(2026, 2, 1), D(2026, 1, 1))
    assert reversed_.value.code == "daterange.empty"


# -- properties -----------------------------------------------------------------------------------

_DAY0 = D(2025, 12, 1)


@st.composite
def employees(draw: st.DrawFn) -> EmployeeAbsence:
    """An employee with 1–3 employments at E1 or E2 (any hours) and non-overlapping reports."""
    segments = []
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, 80))
        length = draw(st.one_of(st.none(), st.integers(1, 80)))
        segments.append(
            EmploymentSegment(
                DateRange(_DAY0 + _dt.timedelta(start), None if length is None else
                          _DAY0 + _dt.timedelta(start + length)),
                draw(st.sampled_from([E1, E2])),
                None,
                Decimal(draw(st.integers(1, 6000))) / 100,
            )
        )  # fmt: skip
    reports = []
    day = draw(st.integers(0, 20))
    for _ in range(draw(st.integers(0, 3))):
        length = draw(st.integers(1, 40))
        fraction = Decimal(draw(st.integers(1, 100))) / 100
        first = _DAY0 + _dt.timedelta(day)
        recovered = first + _dt.timedelta(length)
        reports.append(sick(first, recovered, str(fraction)))
        day += length + draw(st.integers(0, 30))
    return EmployeeAbsence(uuid.uuid4(), tuple(segments), tuple(reports))


@given(st.lists(employees(), max_size=6))
def test_r3_1_a_folder_is_the_sum_of_its_employers_and_percentages_lie_in_0_100(
    people: list[EmployeeAbsence],
) -> None:
    tree = UnitTree()
    f = UnitRef(UnitKind.FOLDER, F)
    tree.add(f, "Map", None)
    tree.add(UnitRef(UnitKind.EMPLOYER, E1), "Een", "E1", (f,))
    tree.add(UnitRef(UnitKind.EMPLOYER, E2), "Twee", "E2", (f,))
    folder, *employers = absence_per_unit(JANUARY, tree, people)
    assert folder.absent_days == sum(e.absent_days for e in employers)
    assert folder.available_days == sum(e.available_days for e in employers)
    # a report of someone employed at both employers counts once in the folder, once in each
    assert max(e.new_reports for e in employers) <= folder.new_reports
    assert folder.new_reports <= sum(e.new_reports for e in employers)
    for position, count in enumerate(folder.per_category):
        assert count <= sum(e.per_category[position] for e in employers)
    for row in (folder, *employers):
        assert row.absence_percentage is None or 0 <= row.absence_percentage <= 100
