"""The policy model beside the evaluation (R6.2–R6.4): condition names and overrides, manual
registrations and how they cut automatic ones, the facts read from the aggregates, and how the
storage holds conditions (a round trip through JSON for every value)."""

from __future__ import annotations

import datetime as _dt
import json
import uuid
from decimal import Decimal

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_adapters.policy_codec import (
    codes,
    conditions_from_json,
    conditions_json,
    notes_from_codes,
    overrides_from_json,
    overrides_json,
    reasons_from_codes,
)
from xs_core.dates import DateRange
from xs_core.errors import Conflict, InvalidInput
from xs_core.money import Money
from xs_core.organisation.model import Employee, Employment, EmploymentType
from xs_core.policies.conditions import (
    Age,
    AgeCondition,
    ConditionName,
    ConditionOverrides,
    Conditions,
    EmploymentTypeCondition,
    SalaryCondition,
    SicknessCondition,
    effective_conditions,
)
from xs_core.policies.facts import employee_facts
from xs_core.policies.model import (
    Policy,
    Registration,
    policy_period,
    refuse_manual_overlap,
)
from xs_core.policies.participation import ExclusionReason, Note, Source
from xs_core.protocols.model import Protocol, ProtocolKind, Trajectory

D = pendulum.Date
TODAY = D(2026, 11, 29)
POLICY = Policy.create(uuid.uuid4(), uuid.uuid4(), "P-1", DateRange(D(2026, 1, 1), D(2028, 1, 1)))

# -- strategies ------------------------------------------------------------------------------------

ages = st.builds(Age, st.integers(0, 120), st.integers(0, 11))


@st.composite
def age_conditions(draw: st.DrawFn) -> AgeCondition:
    younger, older = draw(st.one_of(st.none(), ages)), draw(st.one_of(st.none(), ages))
    if younger is not None and older is not None and older.in_months <= younger.in_months:
        younger, older = (older, younger) if older.in_months < younger.in_months else (None, older)
    active = draw(st.booleans()) and (younger is not None or older is not None)
    return AgeCondition(active=active, younger_than=younger, older_than=older)


@st.composite
def type_conditions(draw: st.DrawFn) -> EmploymentTypeCondition:
    excluded = draw(st.frozensets(st.sampled_from(EmploymentType)))
    return EmploymentTypeCondition(active=draw(st.booleans()) and bool(excluded), excluded=excluded)


conditions = st.builds(
    Conditions,
    age=age_conditions(),
    sickness=st.builds(SicknessCondition, active=st.booleans()),
    salary=st.builds(SalaryCondition, active=st.booleans()),
    employment_type=type_conditions(),
)
overrides = st.builds(
    ConditionOverrides,
    age=st.one_of(st.none(), age_conditions()),
    sickness=st.one_of(st.none(), st.builds(SicknessCondition, active=st.booleans())),
    salary=st.one_of(st.none(), st.builds(SalaryCondition, active=st.booleans())),
    employment_type=st.one_of(st.none(), type_conditions()),
)


# -- R6.3 inheritance ------------------------------------------------------------------------------


@given(conditions, overrides)
def test_r6_3_each_condition_is_the_policys_override_or_else_the_products(
    product: Conditions, own: ConditionOverrides
) -> None:
    effective = effective_conditions(product, own)
    for name in ConditionName:
        override = getattr(own, name.value)
        expected = getattr(product, name.value) if override is None else override
        assert getattr(effective, name.value) == expected
    assert own.overridden == {n for n in ConditionName if getattr(own, n.value) is not None}


@given(conditions, overrides, st.sampled_from(ConditionName))
def test_r6_3_clearing_an_override_falls_back_to_the_product(
    product: Conditions, own: ConditionOverrides, name: ConditionName
) -> None:
    cleared = own.without(name)
    assert name not in cleared.overridden
    assert getattr(effective_conditions(product, cleared), name.value) == getattr(
        product, name.value
    )
    assert cleared.overridden == own.overridden - {name}


# -- storage ---------------------------------------------------------------------------------------


@given(conditions)
def test_r6_2_conditions_round_trip_through_json(value: Conditions) -> None:
    stored = json.loads(json.dumps(conditions_json(value)))
    assert conditions_from_json(stored) == value


@given(overrides)
def test_r6_3_overrides_round_trip_through_json_holding_only_the_overridden(
    value: ConditionOverrides,
) -> None:
    stored = json.loads(json.dumps(overrides_json(value)))
    assert set(stored) == {n.value for n in value.overridden}
    assert overrides_from_json(stored) == value


@given(st.frozensets(st.sampled_from(ExclusionReason)), st.frozensets(st.sampled_from(Note)))
def test_r6_5_reasons_and_notes_round_trip_as_codes(
    reasons: frozenset[ExclusionReason], notes: frozenset[Note]
) -> None:
    assert reasons_from_codes(codes(reasons)) == reasons
    assert notes_from_codes(codes(notes)) == notes


def test_r6_2_stored_values_are_the_core_types() -> None:
    # the stored value of an employment type is accepted; anything else is refused
    condition = EmploymentTypeCondition(active=True, excluded=frozenset({"intern"}))
    assert condition.excluded == frozenset({EmploymentType.INTERN})
    with pytest.raises(InvalidInput) as refused:
        EmploymentTypeCondition(active=True, excluded="intern")  # type: ignore[arg-type]
    assert refused.value.code == "policies.invalid_condition"


# -- manual registrations (R6.4) -------------------------------------------------------------------


def _automatic(period: DateRange) -> Registration:
    return Registration(
        id=uuid.uuid4(),
        policy_id=POLICY.id,
        employee_id=uuid.uuid4(),
        period=period,
        included=False,
        reasons=frozenset({ExclusionReason.SALARY}),
        registered_on=TODAY,
    )


def test_r6_4_a_manual_exclusion_says_handmatig_and_lies_inside_the_policy() -> None:
    employee = uuid.uuid4()
    excluded = Registration.manual(
        POLICY, employee, DateRange(D(2026, 3, 1), D(2026, 4, 1)), False, TODAY, "  op  verzoek "
    )
    assert (excluded.source, excluded.reasons, excluded.note) == (
        Source.MANUAL,
        frozenset({ExclusionReason.MANUAL}),
        "op verzoek",
    )
    included = Registration.manual(POLICY, employee, POLICY.period, True, TODAY)
    assert (included.reasons, included.registered_on) == (frozenset(), TODAY)
    for outside in (DateRange(D(2025, 12, 31), D(2026, 2, 1)), DateRange(D(2027, 12, 1))):
        with pytest.raises(InvalidInput) as refused:
            Registration.manual(POLICY, employee, outside, False, TODAY)
        assert refused.value.code == "policies.registration_outside_policy"


def test_r6_4_manual_registrations_never_overlap_but_may_cover_automatic_ones() -> None:
    employee = uuid.uuid4()
    march = Registration.manual(
        POLICY, employee, DateRange(D(2026, 3, 1), D(2026, 4, 1)), False, TODAY
    )
    april = Registration.manual(
        POLICY, employee, DateRange(D(2026, 4, 1), D(2026, 5, 1)), True, TODAY
    )
    refuse_manual_overlap(april, [march, _automatic(DateRange(D(2026, 1, 1)))])
    late_march = Registration.manual(
        POLICY, employee, DateRange(D(2026, 3, 31), D(2026, 4, 1)), True, TODAY
    )
    with pytest.raises(Conflict) as refused:
        refuse_manual_overlap(late_march, [march])
    assert refused.value.details["other"] == str(march.period)


@given(
    st.integers(0, 400),
    st.integers(1, 400),
    st.integers(0, 400),
    st.one_of(st.none(), st.integers(1, 400)),
)
def test_r6_4_cutting_a_registration_keeps_exactly_the_days_not_covered(
    start: int, length: int, cut_start: int, cut_length: int | None
) -> None:
    base = D(2026, 1, 1)
    period = DateRange(base.add(days=start), base.add(days=start + length))
    cut = DateRange(
        base.add(days=cut_start),
        None if cut_length is None else base.add(days=cut_start + cut_length),
    )
    automatic = _automatic(period)
    pieces = automatic.without(cut)
    kept = {d for p in pieces for d in p.period.iter_days()}
    assert kept == {d for d in period.iter_days() if not cut.contains(d)}
    assert all(
        (p.included, p.reasons, p.source, p.registered_on)
        == (automatic.included, automatic.reasons, automatic.source, automatic.registered_on)
        for p in pieces
    )
    if not period.overlaps(cut):
        assert pieces == [automatic]


def test_r0_2_a_policy_ends_after_it_starts() -> None:
    assert policy_period(D(2026, 1, 1), None) == DateRange(D(2026, 1, 1))
    for end in (D(2026, 1, 1), D(2025, 12, 31)):
        with pytest.raises(InvalidInput) as refused:
            policy_period(D(2026, 1, 1), end)
        assert refused.value.code == "policies.end_not_after_start"


# -- the facts from the aggregates (R6.2) ----------------------------------------------------------


def test_r6_2_facts_are_the_employments_at_the_policys_employer_and_every_sickness() -> None:
    employer, other = uuid.uuid4(), uuid.uuid4()
    person = Employee.register("Anna", "Jansen", birth_date=_dt.date(1980, 6, 15))
    here = Employment.create(
        id=uuid.uuid4(),
        employer_id=employer,
        period=DateRange(D(2020, 1, 1)),
        employment_type=EmploymentType.INTERN,
        salary=Money("45000.00"),
        is_leading=True,
    )
    here.change(D(2026, 7, 1), salary=Money("82000.00"))
    person.add_employment(here)
    person.add_employment(
        Employment.create(id=uuid.uuid4(), employer_id=other, period=DateRange(D(2021, 1, 1)))
    )
    sickness = Protocol.create("Verzuim", ProtocolKind.SICKNESS)
    recovered = Trajectory.start_sickness(
        sickness, person.id, D(2025, 10, 1), TODAY, person.birth_date, D(2020, 1, 1)
    )
    recovered.report_recovery(D(2025, 11, 1), 50, TODAY)
    recovered.report_recovery(D(2025, 11, 20), 100, TODAY)
    closed = Trajectory.start_sickness(
        sickness, person.id, D(2026, 2, 1), TODAY, person.birth_date, D(2020, 1, 1)
    )
    closed.close(D(2026, 2, 28), TODAY, sickness)  # last day 28 February, no full recovery
    running = Trajectory.start_sickness(
        sickness, person.id, D(2026, 11, 1), TODAY, person.birth_date, D(2020, 1, 1)
    )
    pmo = Trajectory.start(
        Protocol.create("PMO", ProtocolKind.PMO), person.id, D(2026, 1, 5), TODAY
    )
    facts = employee_facts(person, employer, [running, pmo, closed, recovered])
    assert facts.birth_date == D(1980, 6, 15)
    (employment,) = facts.employments
    assert employment.id == here.id and employment.is_leading
    assert [(v.valid, v.salary, v.employment_type) for v in employment.versions] == [
        (DateRange(D(2020, 1, 1), D(2026, 7, 1)), Decimal("45000.00"), EmploymentType.INTERN),
        (DateRange(D(2026, 7, 1)), Decimal("82000.00"), EmploymentType.INTERN),
    ]
    assert [(s.first_day, s.recovered_on) for s in facts.sickness] == [
        (D(2025, 10, 1), D(2025, 11, 20)),  # the full recovery report
        (D(2026, 2, 1), D(2026, 3, 1)),  # closed: the day after its last day
        (D(2026, 11, 1), None),  # still sick
    ]
