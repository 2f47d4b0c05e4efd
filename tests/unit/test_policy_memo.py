"""The nightly run's memoised evaluation (R6.6): equal keys give equal timelines.

:class:`~xs_core.policies.memo.TimelineMemo` evaluates the participation timeline (R6.2–R6.5) once
per canonical key of the facts; these tests hold it to the direct evaluation.
"""

from __future__ import annotations

import datetime as _dt
import operator
import uuid
from decimal import Decimal
from functools import partial

import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_policies import conditions as any_conditions
from xs_core.dates import DateRange
from xs_core.organisation.model import EmploymentType
from xs_core.parameters import max_sv_wage_table
from xs_core.policies.conditions import (
    Age,
    AgeCondition,
    Conditions,
    EmploymentTypeCondition,
    SalaryCondition,
    SicknessCondition,
)
from xs_core.policies.memo import TimelineMemo, window_target
from xs_core.policies.participation import (
    EmployeeFacts,
    EmploymentFacts,
    EmploymentVersionFacts,
    ExclusionReason,
    ManualRegistration,
    SicknessSpell,
    max_sv_wage_by_year,
    participation_timeline,
)

D = pendulum.Date
TABLE = max_sv_wage_table()
LAST_YEAR = TABLE.values[-1].applies_from.year
max_sv_wage = max_sv_wage_by_year(TABLE)
MAXIMUM_2026 = max_sv_wage(2026)[0]
ALL = Conditions(
    age=AgeCondition(active=True, younger_than=Age(21), older_than=Age(66, 3)),
    sickness=SicknessCondition(active=True),
    salary=SalaryCondition(active=True),
    employment_type=EmploymentTypeCondition(
        active=True, excluded=frozenset({EmploymentType.INTERN})
    ),
)
POLICY = DateRange(D(2025, 1, 1))
STARTED, BORN = D(2015, 3, 1), D(1970, 5, 17)


def one(
    salary: Decimal | None,
    start: _dt.date = STARTED,
    born: _dt.date = BORN,
    kind: EmploymentType = EmploymentType.PERMANENT,
) -> EmployeeFacts:
    period = DateRange(start)
    return EmployeeFacts(
        employee_id=uuid.uuid4(),
        birth_date=D(born.year, born.month, born.day),
        employments=(
            EmploymentFacts(
                id=uuid.uuid4(),
                period=period,
                is_leading=True,
                versions=(
                    EmploymentVersionFacts(valid=period, employment_type=kind, salary=salary),
                ),
            ),
        ),
    )


def test_r6_6_employees_of_one_shape_are_evaluated_once() -> None:
    # both started before the policy, both earn more than every year's maximum, both permanent:
    # the same days change, with the same verdicts (R6.2)
    memo = TimelineMemo(POLICY, ALL, max_sv_wage, LAST_YEAR)
    first = memo.timeline(one(Decimal(100_000), start=D(2012, 1, 1)))
    second = memo.timeline(one(Decimal(110_000), start=D(2019, 7, 1)))
    assert (memo.hits, memo.misses) == (1, 1)
    assert second == first
    assert first == participation_timeline(
        one(Decimal(110_000), start=D(2019, 7, 1)), POLICY, ALL, max_sv_wage, (), LAST_YEAR
    )


def test_r6_2_a_salary_equal_to_the_maximum_is_a_shape_of_its_own() -> None:
    memo = TimelineMemo(POLICY, ALL, max_sv_wage, LAST_YEAR)
    assert MAXIMUM_2026 is not None
    equal = memo.timeline(one(MAXIMUM_2026))
    above = memo.timeline(one(MAXIMUM_2026 + Decimal("0.01")))
    assert memo.misses == 2
    in_2026 = [p for p in equal.periods if p.period.contains(D(2026, 6, 1))]
    assert ExclusionReason.SALARY in in_2026[0].reasons
    assert ExclusionReason.SALARY not in above.on(D(2026, 6, 1)).reasons  # type: ignore[union-attr]


def test_r6_2_birth_dates_are_one_shape_only_where_the_age_bounds_agree() -> None:
    memo = TimelineMemo(POLICY, ALL, max_sv_wage, LAST_YEAR)
    # 66 y 3 m reached before the policy start by both: excluded from its start
    memo.timeline(one(Decimal(90_000), born=D(1950, 1, 1)))
    memo.timeline(one(Decimal(90_000), born=D(1952, 8, 31)))
    assert (memo.hits, memo.misses) == (1, 1)
    # reached one day apart inside the policy: two shapes
    memo.timeline(one(Decimal(90_000), born=D(1970, 5, 17)))
    memo.timeline(one(Decimal(90_000), born=D(1970, 5, 18)))
    assert memo.misses == 3


# -- property: a shared memo over a small world of employees equals the direct evaluation --------

near = st.sampled_from(
    [D(2010, 1, 1), D(2024, 12, 31), D(2025, 1, 1), D(2025, 1, 2), D(2025, 3, 1), D(2026, 1, 1)]
)
births = (
    st.sampled_from([D(1950, 1, 1), D(1958, 10, 1), D(1958, 10, 2), D(1960, 2, 29)]) | st.none()
)
assert MAXIMUM_2026 is not None
salaries = st.sampled_from(
    [None, Decimal(40_000), MAXIMUM_2026, MAXIMUM_2026 + 1, Decimal(75_000), Decimal(120_000)]
)


@st.composite
def small_facts(draw: st.DrawFn) -> EmployeeFacts:
    employments = []
    for _ in range(draw(st.integers(0, 2))):
        start = draw(near)
        end = draw(st.none() | near.filter(partial(operator.lt, start)))
        period = DateRange(start, end)
        versions = [
            EmploymentVersionFacts(
                valid=period,
                employment_type=draw(st.sampled_from(list(EmploymentType)[:3])),
                salary=draw(salaries),
            )
        ]
        cut = draw(st.none() | near)
        if cut is not None and period.start < cut and (end is None or cut < end):
            versions = [
                EmploymentVersionFacts(
                    valid=DateRange(start, cut),
                    employment_type=versions[0].employment_type,
                    salary=versions[0].salary,
                ),
                EmploymentVersionFacts(
                    valid=DateRange(cut, end),
                    employment_type=draw(st.sampled_from(list(EmploymentType)[:3])),
                    salary=draw(salaries),
                ),
            ]
        employments.append(
            EmploymentFacts(
                id=uuid.UUID(int=draw(st.integers(0, 3))),
                period=period,
                is_leading=draw(st.booleans()),
                versions=tuple(versions),
            )
        )
    sickness = []
    for _ in range(draw(st.integers(0, 2))):
        first = draw(near).subtract(days=draw(st.integers(0, 60)))
        recovered = draw(st.none() | st.integers(1, 100))
        sickness.append(
            SicknessSpell(
                first_day=first,
                recovered_on=None if recovered is None else first.add(days=recovered),
            )
        )
    return EmployeeFacts(
        employee_id=uuid.uuid4(),
        birth_date=draw(births),
        employments=tuple(employments),
        sickness=tuple(sickness),
    )


@settings(max_examples=60, deadline=None)
@given(
    any_conditions(),
    st.sampled_from([POLICY, DateRange(D(2025, 1, 1), D(2026, 1, 1)), DateRange(D(2024, 3, 1))]),
    st.lists(small_facts(), min_size=1, max_size=40),
    st.booleans(),
)
def test_r6_6_the_memoised_timeline_equals_the_direct_one(
    c: Conditions, policy: DateRange, people: list[EmployeeFacts], manual_too: bool
) -> None:
    days = DateRange(max(policy.start, D(2026, 1, 1)), policy.end) if policy.end is None else policy
    memo = TimelineMemo(policy, c, max_sv_wage, LAST_YEAR, days)
    manual = (
        (
            ManualRegistration(
                period=DateRange(policy.start, policy.start.add(days=40)), included=False
            ),
        )
        if manual_too
        else ()
    )
    for person in people * 2:  # each shape is met again: hits as well as misses
        direct = participation_timeline(person, policy, c, max_sv_wage, manual, LAST_YEAR)
        timeline, target = memo.evaluate(person, manual)
        assert timeline == direct
        assert target == window_target(direct, days)
    assert memo.hits >= len(people)


def test_r2_3_the_leading_employment_decides_even_when_both_started_before_the_policy() -> None:
    # no flag: the one that started first leads (R2.3); both start before the policy, so their
    # clipped periods are alike — only their order tells them apart
    def two(rich_first: bool) -> EmployeeFacts:
        # listed alike (the rich one first); only which of them started first differs
        starts = (D(2012, 1, 1), D(2016, 1, 1)) if rich_first else (D(2016, 1, 1), D(2012, 1, 1))
        found = []
        for n, (start, salary) in enumerate(
            zip(starts, (Decimal(120_000), Decimal(40_000)), strict=True)
        ):
            period = DateRange(start)
            found.append(
                EmploymentFacts(
                    id=uuid.UUID(int=n),
                    period=period,
                    is_leading=False,
                    versions=(
                        EmploymentVersionFacts(
                            valid=period, employment_type=EmploymentType.PERMANENT, salary=salary
                        ),
                    ),
                )
            )
        return EmployeeFacts(
            employee_id=uuid.uuid4(), birth_date=D(1980, 1, 1), employments=tuple(found)
        )

    memo = TimelineMemo(POLICY, ALL, max_sv_wage, LAST_YEAR)
    for rich_first in (True, False):
        person = two(rich_first)
        expected = participation_timeline(person, POLICY, ALL, max_sv_wage, (), LAST_YEAR)
        assert memo.timeline(person) == expected
    assert memo.misses == 2
