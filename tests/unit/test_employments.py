"""R2.3 (end and change an employment, with history) and R1.2 (the leading employment)."""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.money import Money
from xs_core.organisation.model import (
    Employee,
    Employment,
    EmploymentType,
    EndReason,
)

D = _dt.date
DEPT_A, DEPT_B = uuid.uuid4(), uuid.uuid4()


START = D(2020, 1, 1)


def employment(start: _dt.date = START, end: _dt.date | None = None) -> Employment:
    return Employment.create(
        id=uuid.uuid4(),
        employer_id=uuid.uuid4(),
        period=DateRange(start, end),
        department_id=DEPT_A,
        hours_per_week=Decimal(40),
        salary=Money("40000.00"),
        job_title="Bakker",
    )


def test_r2_3_change_keeps_history_as_non_overlapping_versions() -> None:
    m = employment()
    m.change(D(2023, 1, 1), hours_per_week=Decimal(32), department_id=DEPT_B)
    m.change(D(2024, 6, 1), job_title="Meesterbakker")
    assert [str(v.valid) for v in m.versions] == [
        "[2020-01-01,2023-01-01)",
        "[2023-01-01,2024-06-01)",
        "[2024-06-01,)",
    ]
    assert m.conditions_on(D(2022, 12, 31)).hours_per_week == 40  # type: ignore[union-attr]
    assert m.conditions_on(D(2023, 1, 1)).department_id == DEPT_B  # type: ignore[union-attr]
    assert (m.hours_per_week, m.job_title, m.department_id) == (32, "Meesterbakker", DEPT_B)
    assert m.department_ids == {DEPT_A, DEPT_B}


def test_r2_3_a_change_before_a_later_version_carries_into_it() -> None:
    m = employment()
    m.change(D(2024, 1, 1), job_title="Meesterbakker")
    m.change(D(2022, 1, 1), hours_per_week=Decimal(24))
    assert [
        (str(v.valid), v.conditions.hours_per_week, v.conditions.job_title) for v in m.versions
    ] == [
        ("[2020-01-01,2022-01-01)", 40, "Bakker"),
        ("[2022-01-01,2024-01-01)", 24, "Bakker"),
        ("[2024-01-01,)", 24, "Meesterbakker"),
    ]


def test_r2_3_effective_date_lies_inside_the_employment() -> None:
    m = employment(D(2020, 1, 1), D(2025, 1, 1))
    for day in (D(2019, 12, 31), D(2025, 1, 1)):
        with pytest.raises(DomainError) as refused:
            m.change(day, hours_per_week=Decimal(8))
        assert refused.value.code == "employment.effective_date_outside"
    with pytest.raises(DomainError) as unknown:
        m.change(D(2021, 1, 1), employer_id=uuid.uuid4())
    assert unknown.value.code == "employment.unknown_field"
    with pytest.raises(DomainError):
        m.change(D(2021, 1, 1), hours_per_week=Decimal(0))  # hours must stay valid
    assert len(m.versions) == 1


def test_r2_3_ending_an_employment() -> None:
    m = employment()
    m.change(D(2024, 1, 1), hours_per_week=Decimal(20))
    m.change(D(2026, 1, 1), hours_per_week=Decimal(16))
    m.end(D(2025, 7, 1), EndReason.RESIGNATION)  # first day no longer employed
    assert m.period == DateRange(D(2020, 1, 1), D(2025, 7, 1))
    assert [str(v.valid) for v in m.versions] == [
        "[2020-01-01,2024-01-01)",
        "[2024-01-01,2025-07-01)",
    ]
    assert m.end_reason is EndReason.RESIGNATION
    with pytest.raises(DomainError) as again:
        m.end(D(2025, 8, 1), EndReason.OTHER)
    assert again.value.code == "employment.already_ended"


def test_r2_3_end_must_be_after_the_start() -> None:
    m = employment(D(2020, 1, 1))
    for end in (D(2020, 1, 1), D(2019, 6, 1)):
        with pytest.raises(DomainError) as refused:
            m.end(end, EndReason.OTHER)
        assert refused.value.code == "employment.end_not_after_start"
    assert m.period.is_open


def test_r1_2_leading_employment_and_department_as_of_a_date() -> None:
    person = Employee.register("Jan", "Jansen")
    first = person.add_employment(employment(D(2015, 1, 1), D(2021, 1, 1)))
    second = employment(D(2020, 6, 1))
    second.change(D(2022, 1, 1), department_id=DEPT_B)
    person.add_employment(second)
    assert first.is_leading and not second.is_leading
    assert person.leading_employment_on(D(2020, 7, 1)) is first
    # the flagged one has ended: the running employment leads
    assert person.leading_employment_on(D(2021, 6, 1)) is second
    assert person.department_on(D(2021, 6, 1)) == DEPT_A
    assert person.department_on(D(2023, 1, 1)) == DEPT_B
    assert person.leading_employment_on(D(2014, 1, 1)) is None
    person.set_leading_employment(second.id)
    assert person.leading_employment_on(D(2020, 7, 1)) is second


@given(st.lists(st.tuples(st.integers(1, 2000), st.integers(1, 60)), max_size=8))
def test_r2_3_versions_always_cover_the_period_without_overlap(
    changes: list[tuple[int, int]],
) -> None:
    m = employment(D(2020, 1, 1), D(2026, 1, 1))
    for offset, hours in changes:
        m.change(D(2020, 1, 1) + _dt.timedelta(days=offset), hours_per_week=Decimal(hours))
    assert m.versions[0].valid.start == m.period.start
    assert m.versions[-1].valid.end == m.period.end
    for before, after in zip(m.versions, m.versions[1:], strict=False):
        assert before.valid.end == after.valid.start
        assert before.conditions != after.conditions  # adjacent equal versions are merged
    # reference: a change sets the hours for every day from its date on, so on any day the
    # hours are those of the last applied change dated on or before it (else the initial 40)
    for offset in range(0, 2190, 37):
        day = D(2020, 1, 1) + _dt.timedelta(days=offset)
        expected = [h for o, h in changes if o <= offset]
        hours = m.conditions_on(day).hours_per_week  # type: ignore[union-attr]
        assert hours == (expected[-1] if expected else 40)
    assert m.employment_type is EmploymentType.PERMANENT
