"""Automatic participation in insurance policies, the pure evaluation (R6.2–R6.5).

Expected dates are worked out by hand in the comments; the maximum SV-wage figures are DOMAIN §8's.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import uuid
from decimal import Decimal

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_core.dates import DateRange
from xs_core.errors import InvalidInput
from xs_core.organisation.model import EmploymentType
from xs_core.parameters import max_sv_wage_table
from xs_core.policies.conditions import (
    Age,
    AgeCondition,
    ConditionOverrides,
    Conditions,
    EmploymentTypeCondition,
    SalaryCondition,
    SicknessCondition,
    effective_conditions,
)
from xs_core.policies.participation import (
    EmployeeFacts,
    EmploymentFacts,
    EmploymentVersionFacts,
    ExclusionReason,
    ManualRegistration,
    Note,
    Participation,
    SicknessSpell,
    Source,
    max_sv_wage_by_year,
    participation_on,
    participation_timeline,
    sickness_exclusion_end,
)

D = pendulum.Date
AGE, SICK, SALARY, TYPE = (
    ExclusionReason.AGE,
    ExclusionReason.SICK_AT_POLICY_START,
    ExclusionReason.SALARY,
    ExclusionReason.EMPLOYMENT_TYPE,
)
POLICY = DateRange(D(2026, 1, 1), D(2028, 1, 1))
TABLE = max_sv_wage_table()
LAST_YEAR = TABLE.values[-1].applies_from.year
max_sv_wage = max_sv_wage_by_year(TABLE)


BORN = D(1980, 6, 15)
EMPLOYED = DateRange(D(2020, 1, 1))


def facts(
    birth: _dt.date | None = BORN,
    salary: Decimal | None = Decimal(90_000),
    kind: EmploymentType = EmploymentType.PERMANENT,
    employed: DateRange = EMPLOYED,
    sickness: tuple[SicknessSpell, ...] = (),
    versions: tuple[EmploymentVersionFacts, ...] | None = None,
) -> EmployeeFacts:
    return EmployeeFacts(
        employee_id=uuid.uuid4(),
        birth_date=None if birth is None else D(birth.year, birth.month, birth.day),
        employments=(
            EmploymentFacts(
                id=uuid.uuid4(),
                period=employed,
                is_leading=True,
                versions=versions
                or (EmploymentVersionFacts(valid=employed, employment_type=kind, salary=salary),),
            ),
        ),
        sickness=sickness,
    )


def timeline(
    f: EmployeeFacts,
    conditions: Conditions,
    policy: DateRange = POLICY,
    manual: tuple[ManualRegistration, ...] = (),
) -> list[tuple[str, bool, set[ExclusionReason]]]:
    found = participation_timeline(f, policy, conditions, max_sv_wage, manual, LAST_YEAR)
    return [(str(p.period), p.included, set(p.reasons)) for p in found.periods]


def age(younger: Age | None = None, older: Age | None = None) -> Conditions:
    return Conditions(age=AgeCondition(active=True, younger_than=younger, older_than=older))


# -- R6.2 (1) age ---------------------------------------------------------------------------------


def test_r6_2_excluded_until_the_day_the_lower_age_is_reached() -> None:
    # born 15 June 2005: 21 years on 15 June 2026; excluded the day before, included on the day
    assert timeline(facts(D(2005, 6, 15)), age(younger=Age(21))) == [
        ("[2026-01-01,2026-06-15)", False, {AGE}),
        ("[2026-06-15,2028-01-01)", True, set()),
    ]


def test_r6_2_excluded_from_the_day_the_upper_age_is_reached() -> None:
    # born 31 May 1960: 66 y 3 m is 31 August 2026 (exists); 66 y 4 m would be 31 September,
    # which does not exist: 1 October 2026 (as for the AOW date)
    assert timeline(facts(D(1960, 5, 31)), age(older=Age(66, 3))) == [
        ("[2026-01-01,2026-08-31)", True, set()),
        ("[2026-08-31,2028-01-01)", False, {AGE}),
    ]
    assert timeline(facts(D(1960, 5, 31)), age(older=Age(66, 4)))[1][0] == (
        "[2026-10-01,2028-01-01)"
    )


def test_r6_2_a_29_february_birthday_reaches_an_age_on_1_march_in_other_years() -> None:
    # born 29 February 2008: 18 in 2026, which has no 29 February: reached on 1 March 2026
    assert timeline(facts(D(2008, 2, 29)), age(younger=Age(18))) == [
        ("[2026-01-01,2026-03-01)", False, {AGE}),
        ("[2026-03-01,2028-01-01)", True, set()),
    ]


def test_r6_2_an_unknown_birth_date_excludes_with_a_note() -> None:
    found = participation_timeline(
        facts(birth=None), POLICY, age(older=Age(67)), max_sv_wage, (), LAST_YEAR
    )
    (only,) = found.periods
    assert (only.included, only.reasons, only.notes) == (
        False,
        frozenset({AGE}),
        frozenset({Note.BIRTH_DATE_UNKNOWN}),
    )


@pytest.mark.parametrize(
    ("years", "months"), [(-1, 0), (121, 0), (66, 12), (66, -1), (True, 0), (66, 1.5)]
)
def test_r6_2_absurd_ages_are_refused(years: object, months: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        Age(years, months)  # type: ignore[arg-type]
    assert refused.value.code == "policies.invalid_age"


def test_r6_2_the_upper_bound_lies_above_the_lower_one() -> None:
    with pytest.raises(InvalidInput) as refused:
        AgeCondition(active=True, younger_than=Age(30), older_than=Age(30))
    assert refused.value.code == "policies.age_bounds_reversed"
    with pytest.raises(InvalidInput):
        AgeCondition(active=True)


# -- R6.2 (2) sick on the policy start date -------------------------------------------------------

SICKNESS = Conditions(sickness=SicknessCondition(active=True))


def test_r6_2_recovered_exactly_42_days_before_the_start_is_excluded_for_a_day() -> None:
    # P = 1 January 2026; R = 20 November 2025 is 42 days before P: excluded, included from
    # R + 43 = 2 January 2026
    spell = SicknessSpell(first_day=D(2025, 10, 1), recovered_on=D(2025, 11, 20))
    assert (D(2026, 1, 1) - D(2025, 11, 20)).days == 42
    assert timeline(facts(sickness=(spell,)), SICKNESS) == [
        ("[2026-01-01,2026-01-02)", False, {SICK}),
        ("[2026-01-02,2028-01-01)", True, set()),
    ]


def test_r6_2_recovered_43_days_before_the_start_is_not_excluded() -> None:
    spell = SicknessSpell(first_day=D(2025, 10, 1), recovered_on=D(2025, 11, 19))
    assert sickness_exclusion_end(D(2026, 1, 1), [spell]) is False
    assert timeline(facts(sickness=(spell,)), SICKNESS) == [
        ("[2026-01-01,2028-01-01)", True, set())
    ]


def test_r6_2_sick_on_the_start_date_until_recovered_for_more_than_42_days() -> None:
    spell = SicknessSpell(first_day=D(2025, 12, 1), recovered_on=D(2026, 3, 2))
    # R = 2 March 2026, R + 43 = 14 April 2026
    assert timeline(facts(sickness=(spell,)), SICKNESS) == [
        ("[2026-01-01,2026-04-14)", False, {SICK}),
        ("[2026-04-14,2028-01-01)", True, set()),
    ]
    running = SicknessSpell(first_day=D(2025, 12, 1))
    assert timeline(facts(sickness=(running,)), SICKNESS) == [
        ("[2026-01-01,2028-01-01)", False, {SICK})
    ]


def test_r6_2_a_relapse_within_the_42_days_restarts_the_count() -> None:
    first = SicknessSpell(first_day=D(2025, 12, 1), recovered_on=D(2026, 1, 15))
    # lapse would be 27 February 2026; a relapse on 10 February, recovered 1 March 2026:
    # included from 1 March + 43 days = 13 April 2026
    relapse = SicknessSpell(first_day=D(2026, 2, 10), recovered_on=D(2026, 3, 1))
    assert sickness_exclusion_end(D(2026, 1, 1), [first, relapse]) == D(2026, 4, 13)
    # a new sickness after the lapse changes nothing (the condition is about the start date)
    later = SicknessSpell(first_day=D(2026, 2, 27), recovered_on=D(2026, 6, 1))
    assert sickness_exclusion_end(D(2026, 1, 1), [first, later]) == D(2026, 2, 27)


# -- R6.2 (3) salary ------------------------------------------------------------------------------

SALARY_ONLY = Conditions(salary=SalaryCondition(active=True))


def test_r6_2_a_salary_equal_to_the_maximum_sv_wage_is_excluded() -> None:
    policy = DateRange(D(2026, 1, 1), D(2027, 1, 1))
    assert timeline(facts(salary=Decimal(79_409)), SALARY_ONLY, policy) == [
        ("[2026-01-01,2027-01-01)", False, {SALARY})
    ]
    assert timeline(facts(salary=Decimal("79409.01")), SALARY_ONLY, policy) == [
        ("[2026-01-01,2027-01-01)", True, set())
    ]


def test_r6_2_the_maximum_sv_wage_changes_on_1_january() -> None:
    # 76,000 is above 2025's 75,864 and below 2026's 79,409
    policy = DateRange(D(2025, 7, 1), D(2026, 7, 1))
    assert timeline(facts(salary=Decimal(76_000)), SALARY_ONLY, policy) == [
        ("[2025-07-01,2026-01-01)", True, set()),
        ("[2026-01-01,2026-07-01)", False, {SALARY}),
    ]


def test_r6_2_an_unknown_salary_excludes_and_a_year_without_maximum_is_provisional() -> None:
    found = participation_timeline(
        facts(salary=None), POLICY, SALARY_ONLY, max_sv_wage, (), LAST_YEAR
    )
    assert [(p.reasons, p.notes) for p in found.periods] == [
        (frozenset({SALARY}), frozenset({Note.SALARY_UNKNOWN})),
        (frozenset({SALARY}), frozenset({Note.SALARY_UNKNOWN, Note.MAX_SV_WAGE_PROVISIONAL})),
    ]
    assert str(found.periods[1].period.start) == f"{LAST_YEAR + 1}-01-01"


def test_r6_2_a_salary_change_is_followed() -> None:
    versions = (
        EmploymentVersionFacts(
            valid=DateRange(D(2020, 1, 1), D(2026, 5, 1)),
            employment_type=EmploymentType.PERMANENT,
            salary=Decimal(70_000),
        ),
        EmploymentVersionFacts(
            valid=DateRange(D(2026, 5, 1)),
            employment_type=EmploymentType.PERMANENT,
            salary=Decimal(85_000),
        ),
    )
    policy = DateRange(D(2026, 1, 1), D(2027, 1, 1))
    assert timeline(facts(versions=versions), SALARY_ONLY, policy) == [
        ("[2026-01-01,2026-05-01)", False, {SALARY}),
        ("[2026-05-01,2027-01-01)", True, set()),
    ]


# -- R6.2 (4) employment type, several reasons, R6.3, R6.4 ----------------------------------------


def test_r6_2_excluded_employment_types_and_several_reasons_at_once() -> None:
    conditions = Conditions(
        employment_type=EmploymentTypeCondition(
            active=True, excluded=frozenset({EmploymentType.ON_CALL, EmploymentType.INTERN})
        ),
        salary=SalaryCondition(active=True),
        age=AgeCondition(active=True, younger_than=Age(21)),
    )
    young_on_call = facts(D(2010, 1, 1), Decimal(20_000), EmploymentType.ON_CALL)
    # the same reasons in 2027, where the maximum SV-wage is provisional (noted, so a period)
    assert timeline(young_on_call, conditions) == [
        ("[2026-01-01,2027-01-01)", False, {AGE, SALARY, TYPE}),
        ("[2027-01-01,2028-01-01)", False, {AGE, SALARY, TYPE}),
    ]
    with pytest.raises(InvalidInput) as refused:
        EmploymentTypeCondition(active=True)
    assert refused.value.code == "policies.no_employment_types"


def test_r6_2_days_without_an_employment_at_the_employer_are_not_employed() -> None:
    employed = DateRange(D(2026, 3, 1), D(2026, 9, 1))
    assert timeline(facts(employed=employed), Conditions()) == [
        ("[2026-01-01,2026-03-01)", False, {ExclusionReason.NOT_EMPLOYED}),
        ("[2026-03-01,2026-09-01)", True, set()),
        ("[2026-09-01,2028-01-01)", False, {ExclusionReason.NOT_EMPLOYED}),
    ]


def test_r6_3_a_policy_overrides_single_conditions_of_its_product() -> None:
    product = Conditions(
        age=AgeCondition(active=True, older_than=Age(67)),
        salary=SalaryCondition(active=True),
    )
    overrides = ConditionOverrides(salary=SalaryCondition(active=False))
    effective = effective_conditions(product, overrides)
    assert effective.age == product.age and not effective.salary.active
    assert effective_conditions(product, ConditionOverrides()) == product


def test_r6_4_manual_registrations_win_on_the_days_they_cover() -> None:
    manual = (
        ManualRegistration(
            period=DateRange(D(2026, 3, 1), D(2026, 5, 1)), included=False, note="op verzoek"
        ),
    )
    found = participation_timeline(
        facts(D(2005, 6, 15)), POLICY, age(younger=Age(21)), max_sv_wage, manual, LAST_YEAR
    )
    assert [(str(p.period), p.source, p.included) for p in found.periods] == [
        ("[2026-01-01,2026-03-01)", Source.AUTOMATIC, False),
        ("[2026-03-01,2026-05-01)", Source.MANUAL, False),
        ("[2026-05-01,2026-06-15)", Source.AUTOMATIC, False),
        ("[2026-06-15,2028-01-01)", Source.AUTOMATIC, True),
    ]
    assert found.periods[1].reasons == frozenset({ExclusionReason.MANUAL})
    assert found.periods[1].note == "op verzoek"


# -- properties -----------------------------------------------------------------------------------

days = st.dates(min_value=_dt.date(2000, 1, 1), max_value=_dt.date(2035, 12, 31)).map(
    lambda d: D(d.year, d.month, d.day)
)


@st.composite
def ranges(draw: st.DrawFn, open_end: bool = True) -> DateRange:
    start = draw(days)
    if open_end and draw(st.booleans()):
        return DateRange(start)
    return DateRange(start, start.add(days=draw(st.integers(1, 4000))))


@st.composite
def spells(draw: st.DrawFn) -> SicknessSpell:
    first = draw(days)
    recovered = draw(st.one_of(st.none(), st.integers(1, 400)))
    return SicknessSpell(
        first_day=first, recovered_on=None if recovered is None else first.add(days=recovered)
    )


@st.composite
def employee_facts(draw: st.DrawFn) -> EmployeeFacts:
    employments = []
    for n in range(draw(st.integers(0, 2))):
        period = draw(ranges())
        cut = draw(st.one_of(st.none(), st.integers(1, 2000)))
        kinds = st.sampled_from(list(EmploymentType))
        salaries = st.one_of(st.none(), st.integers(30_000, 120_000).map(Decimal))
        if cut is not None and (period.end is None or period.start.add(days=cut) < period.end):
            middle = period.start.add(days=cut)
            versions = (
                EmploymentVersionFacts(
                    valid=DateRange(period.start, middle),
                    employment_type=draw(kinds),
                    salary=draw(salaries),
                ),
                EmploymentVersionFacts(
                    valid=DateRange(middle, period.end),
                    employment_type=draw(kinds),
                    salary=draw(salaries),
                ),
            )
        else:
            versions = (
                EmploymentVersionFacts(
                    valid=period, employment_type=draw(kinds), salary=draw(salaries)
                ),
            )
        employments.append(
            EmploymentFacts(
                id=uuid.UUID(int=n), period=period, is_leading=n == 0, versions=versions
            )
        )
    birth = draw(st.one_of(st.none(), st.dates(_dt.date(1940, 1, 1), _dt.date(2010, 12, 31))))
    return EmployeeFacts(
        employee_id=uuid.UUID(int=99),
        birth_date=None if birth is None else D(birth.year, birth.month, birth.day),
        employments=tuple(employments),
        sickness=tuple(draw(st.lists(spells(), max_size=3))),
    )


@st.composite
def conditions(draw: st.DrawFn) -> Conditions:
    lower = draw(st.one_of(st.none(), st.integers(16 * 12, 30 * 12)))
    upper = draw(st.one_of(st.none(), st.integers(55 * 12, 70 * 12)))
    age_on = draw(st.booleans()) and (lower is not None or upper is not None)
    return Conditions(
        age=AgeCondition(
            active=age_on,
            younger_than=None if lower is None else Age(lower // 12, lower % 12),
            older_than=None if upper is None else Age(upper // 12, upper % 12),
        ),
        sickness=SicknessCondition(active=draw(st.booleans())),
        salary=SalaryCondition(active=draw(st.booleans())),
        employment_type=EmploymentTypeCondition(
            active=True,
            excluded=frozenset(draw(st.lists(st.sampled_from(list(EmploymentType)), min_size=1))),
        )
        if draw(st.booleans())
        else EmploymentTypeCondition(),
    )


@st.composite
def manual_registrations(draw: st.DrawFn, policy: DateRange) -> tuple[ManualRegistration, ...]:
    found: list[ManualRegistration] = []
    start = policy.start
    for _ in range(draw(st.integers(0, 2))):
        start = start.add(days=draw(st.integers(0, 300)))
        end = start.add(days=draw(st.integers(1, 300)))
        if policy.end is not None and end > policy.end:
            break
        found.append(ManualRegistration(period=DateRange(start, end), included=draw(st.booleans())))
        start = end
    return tuple(found)


def _equal_outcome(a: Participation, b: Participation) -> bool:
    return (a.included, a.reasons, a.source, a.notes) == (b.included, b.reasons, b.source, b.notes)


@given(employee_facts(), conditions(), ranges(open_end=True), st.data())
def test_r6_6_the_timeline_covers_the_policy_exactly_and_equals_evaluation_day_by_day(
    f: EmployeeFacts, c: Conditions, policy: DateRange, data: st.DataObject
) -> None:
    manual = data.draw(manual_registrations(policy))
    found = participation_timeline(f, policy, c, max_sv_wage, manual, LAST_YEAR)
    periods = found.periods
    assert periods[0].period.start == policy.start
    assert periods[-1].period.end == policy.end
    for before, after in itertools.pairwise(periods):
        assert before.period.end == after.period.start  # contiguous, never overlapping
        assert not before.same_outcome(after)  # merged where nothing changes
    # every day of the first years, and the edges of every period, read from the timeline
    probe = {p.period.start for p in periods} | {
        p.period.last_day for p in periods if p.period.end is not None
    }
    probe |= {policy.start.add(days=n) for n in range(0, 800, 7)}
    for day in sorted(d for d in probe if d is not None and policy.contains(d)):
        direct = participation_on(f, policy, c, max_sv_wage, day, manual)
        read = found.on(day)
        assert direct is not None and read is not None
        assert _equal_outcome(direct, read), day
