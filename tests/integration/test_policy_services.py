"""Policy registration through the services (R6.1–R6.6), on memory, SQLite and PostgreSQL.

Expected periods are worked out by hand: the maximum SV-wage is € 79.409 in 2026 (DOMAIN §8)
and provisional (the last published one) from 2027; "Rijk" earns € 90.000 and was born on
5 May 1960, so reaches 66 years and 3 months on 5 August 2026; "Arm" earns € 50.000, on call.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.apps import make_app, user_with
from tests.policies_world import PolicyWorld, policy_world
from tests.usecases import fingerprint
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.services.configuration import GetParameterHistory, ListParameters, SetParameter
from xs_app.services.policies import (
    ClearPolicyOverride,
    CreateInsuranceProduct,
    CreateInsurer,
    CreatePolicy,
    GetParticipants,
    GetParticipantTimeline,
    GetPolicyConditions,
    GetProductConditions,
    ListPolicies,
    ParticipantTimeline,
    RegisterParticipation,
    RegistrationLine,
    RemoveRegistration,
    SetPolicyOverrides,
    SetProductConditions,
)
from xs_core.access.features import Feature
from xs_core.dates import DateRange
from xs_core.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from xs_core.organisation.model import EmploymentType
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.policies.conditions import (
    Age,
    AgeCondition,
    ConditionName,
    ConditionOverrides,
    Conditions,
    EmploymentTypeCondition,
    SalaryCondition,
)
from xs_core.policies.model import ProductKind
from xs_core.policies.participation import ExclusionReason
from xs_core.settings import Parameter

D = _dt.date
OPEN_FROM_2026 = DateRange(D(2026, 1, 1))
SALARY = Conditions(salary=SalaryCondition(active=True))
PENSION_AGE = AgeCondition(active=True, older_than=Age(66, 3))


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    xs = make_app(request, clock, request.param)
    yield xs
    xs.close()


@pytest.fixture
def w(app: Xs) -> PolicyWorld:
    return policy_world(app)


def _refused(xs: Xs, code: str, call: Callable[[], object]) -> DomainError:
    """``call`` is refused with ``code`` and changes nothing at all (outbox included)."""
    before = fingerprint(xs)
    with pytest.raises(DomainError) as refused:
        call()
    assert refused.value.code == code, repr(refused.value)
    assert fingerprint(xs) == before
    return refused.value


def _timeline(
    w: PolicyWorld, employee: uuid.UUID, policy: uuid.UUID | None = None
) -> ParticipantTimeline:
    return w.xs.policies.timeline(
        GetParticipantTimeline(actor=w.admin, policy_id=policy or w.policy_a, employee_id=employee)
    )


def _periods(lines: tuple[RegistrationLine, ...] | None) -> list[tuple[Any, ...]]:
    """(first day, exclusive end, included, reason codes, source) of each line."""
    assert lines is not None
    return [
        (
            line.period.start,
            line.period.end,
            line.included,
            {r.code for r in line.reasons},
            line.source.code,
        )
        for line in lines
    ]


def _set_product(w: PolicyWorld, conditions: Conditions) -> None:
    w.xs.policies.set_product_conditions(
        SetProductConditions(actor=w.admin, product_id=w.product, conditions=conditions)
    )


def _override(
    w: PolicyWorld, overrides: ConditionOverrides, policy: uuid.UUID | None = None
) -> None:
    w.xs.policies.set_policy_overrides(
        SetPolicyOverrides(actor=w.admin, policy_id=policy or w.policy_a, overrides=overrides)
    )


def _events(xs: Xs, name: str) -> list[dict[str, Any]]:
    return [m.payload for m in xs.outbox.pending(10_000) if m.name == name]


# -- R6.1 the switch -------------------------------------------------------------------------------


def test_r6_1_conditions_cannot_be_set_or_shown_while_business_rules_is_0(app: Xs) -> None:
    w = policy_world(app, business_rules=0)
    xs, p = app, app.policies
    for call in (
        lambda: _set_product(w, SALARY),
        lambda: p.product_conditions(GetProductConditions(actor=w.admin, product_id=w.product)),
        lambda: _override(w, ConditionOverrides(salary=SalaryCondition(active=True))),
        lambda: p.clear_policy_override(
            ClearPolicyOverride(actor=w.admin, policy_id=w.policy_a, condition=ConditionName.AGE)
        ),
        lambda: p.conditions(GetPolicyConditions(actor=w.admin, policy_id=w.policy_a)),
    ):
        refused = _refused(xs, "policies.business_rules_off", call)
        assert isinstance(refused, Conflict)
        assert "BusinessRules" in refused.message("nl")
    # manual registration existed before the feature and stays possible; nothing is evaluated
    p.register_manually(
        RegisterParticipation(
            actor=w.admin,
            policy_id=w.policy_a,
            employee_id=w.poor,
            period=DateRange(D(2026, 2, 1), D(2026, 3, 1)),
            included=False,
        )
    )
    assert _timeline(w, w.poor).evaluation is None
    w.business_rules(1)
    _set_product(w, SALARY)
    assert p.product_conditions(GetProductConditions(actor=w.admin, product_id=w.product)) == SALARY
    assert _timeline(w, w.poor).evaluation is not None
    w.business_rules(0)  # switched off again: hidden, not evaluated, but kept
    _refused(
        xs,
        "policies.business_rules_off",
        lambda: p.conditions(GetPolicyConditions(actor=w.admin, policy_id=w.policy_a)),
    )
    assert _timeline(w, w.poor).evaluation is None
    w.business_rules(1)
    assert (
        p.conditions(GetPolicyConditions(actor=w.admin, policy_id=w.policy_a)).effective == SALARY
    )


def test_r6_1_conditions_are_evaluated_only_when_one_is_active(w: PolicyWorld) -> None:
    assert _timeline(w, w.poor).evaluation is None  # all off at first (R6.1)
    _set_product(w, SALARY)
    assert _timeline(w, w.poor).evaluation is not None


def test_r6_1_a_parameter_is_set_by_the_whole_organisation_and_every_change_is_audited(
    w: PolicyWorld,
) -> None:
    xs = w.xs
    scoped = user_with(
        xs,
        w.admin,
        "instellingen@example.nl",
        frozenset({Feature.MANAGE_CONFIGURATION}),
        frozenset({UnitRef(UnitKind.EMPLOYER, w.employer_a)}),
    )
    refused = _refused(
        xs,
        "access.scope_required",
        lambda: xs.configuration.set_parameter(
            SetParameter(actor=scoped, parameter=Parameter.BUSINESS_RULES, value=0)
        ),
    )
    assert isinstance(refused, NotAllowed)
    refused = _refused(
        xs,
        "settings.invalid_value",
        lambda: xs.configuration.set_parameter(
            SetParameter(actor=w.admin, parameter=Parameter.BUSINESS_RULES, value=2)
        ),
    )
    assert isinstance(refused, InvalidInput)
    assert (
        xs.configuration.set_parameter(
            SetParameter(actor=w.admin, parameter=Parameter.BUSINESS_RULES, value=0)
        )
        == 1
    )
    # BusinessRules and R3.1's three duration categories
    setting, *durations = xs.configuration.parameters(ListParameters(actor=w.admin))
    assert (setting.parameter, setting.value, setting.default, setting.allowed) == (
        Parameter.BUSINESS_RULES,
        0,
        0,
        (0, 1),
    )
    assert [(d.parameter.value, d.value) for d in durations] == [
        ("AbsenceDurationShort", 7),
        ("AbsenceDurationMedium", 42),
        ("AbsenceDurationLong", 365),
    ]
    history = xs.configuration.history(
        GetParameterHistory(actor=w.admin, parameter=Parameter.BUSINESS_RULES)
    )
    assert [(c.old_value, c.new_value, c.changed_by) for c in history] == [
        (0, 1, w.admin),  # policy_world switched it on
        (1, 0, w.admin),
    ]
    assert history[-1].changed_at == xs.clock.now()
    assert _events(xs, "ConfigurationParameterChanged")[-1] == {
        "parameter_id": "BusinessRules",
        "old_value": 1,
        "new_value": 0,
        "changed_by": str(w.admin),
    }


# -- R6.2 the conditions, evaluated through the pure function --------------------------------------


def test_r6_2_the_salary_condition_includes_only_above_the_maximum_sv_wage(w: PolicyWorld) -> None:
    _set_product(w, SALARY)
    assert _periods(_timeline(w, w.rich).evaluation) == [
        (D(2026, 1, 1), D(2027, 1, 1), True, set(), "automatic"),
        (D(2027, 1, 1), None, True, set(), "automatic"),  # the 2026 maximum, provisional
    ]
    poor = _timeline(w, w.poor).evaluation
    assert _periods(poor) == [
        (D(2026, 1, 1), D(2027, 1, 1), False, {"salary"}, "automatic"),
        (D(2027, 1, 1), None, False, {"salary"}, "automatic"),
    ]
    assert poor is not None
    assert [(r.nl, r.en) for r in poor[0].reasons] == [("Salaris", "Salary")]
    assert [n.code for n in poor[1].notes] == ["max_sv_wage_provisional"]


def test_r6_2_the_pension_age_of_66_years_and_3_months_excludes_from_the_day_it_is_reached(
    w: PolicyWorld,
) -> None:
    _set_product(w, Conditions(age=PENSION_AGE))
    assert _periods(_timeline(w, w.rich).evaluation) == [
        (D(2026, 1, 1), D(2026, 8, 5), True, set(), "automatic"),
        (D(2026, 8, 5), None, False, {"age"}, "automatic"),
    ]


# -- R6.3 inheritance and override -----------------------------------------------------------------


def test_r6_3_a_policy_inherits_its_product_overrides_single_conditions_and_falls_back(
    w: PolicyWorld,
) -> None:
    p = w.xs.policies
    _set_product(w, SALARY)
    _override(w, ConditionOverrides(age=PENSION_AGE))
    seen = p.conditions(GetPolicyConditions(actor=w.admin, policy_id=w.policy_a))
    assert seen.effective == Conditions(age=PENSION_AGE, salary=SalaryCondition(active=True))
    assert seen.overridden == frozenset({ConditionName.AGE})
    assert _periods(_timeline(w, w.rich).evaluation) == [
        (D(2026, 1, 1), D(2026, 8, 5), True, set(), "automatic"),
        (D(2026, 8, 5), D(2027, 1, 1), False, {"age"}, "automatic"),
        (D(2027, 1, 1), None, False, {"age"}, "automatic"),
    ]
    # changing the product changes every policy that did not override that condition
    on_call = EmploymentTypeCondition(active=True, excluded=frozenset({EmploymentType.ON_CALL}))
    _set_product(w, Conditions(salary=SalaryCondition(active=True), employment_type=on_call))
    effective_a = p.conditions(GetPolicyConditions(actor=w.admin, policy_id=w.policy_a)).effective
    effective_b = p.conditions(GetPolicyConditions(actor=w.admin, policy_id=w.policy_b)).effective
    assert effective_a == Conditions(
        age=PENSION_AGE, salary=SalaryCondition(active=True), employment_type=on_call
    )
    assert effective_b == Conditions(salary=SalaryCondition(active=True), employment_type=on_call)
    # several reasons at once (R6.5)
    assert _periods(_timeline(w, w.poor).evaluation)[0] == (
        D(2026, 1, 1),
        D(2027, 1, 1),
        False,
        {"salary", "employment_type"},
        "automatic",
    )
    # an override of the product's own condition wins; clearing it falls back to the product
    _override(w, ConditionOverrides(age=PENSION_AGE, salary=SalaryCondition(active=False)))
    assert _periods(_timeline(w, w.poor).evaluation) == [  # born 1 January 1990
        (D(2026, 1, 1), D(2056, 4, 1), False, {"employment_type"}, "automatic"),
        (D(2056, 4, 1), None, False, {"age", "employment_type"}, "automatic"),
    ]
    p.clear_policy_override(
        ClearPolicyOverride(actor=w.admin, policy_id=w.policy_a, condition=ConditionName.SALARY)
    )
    p.clear_policy_override(
        ClearPolicyOverride(actor=w.admin, policy_id=w.policy_a, condition=ConditionName.AGE)
    )
    seen = p.conditions(GetPolicyConditions(actor=w.admin, policy_id=w.policy_a))
    assert seen.overridden == frozenset()
    assert seen.effective == effective_b
    changed = _events(w.xs, "ConditionsChanged")
    assert {"product_id": str(w.product), "policy_id": None} in changed
    assert {"product_id": None, "policy_id": str(w.policy_a)} in changed


def test_r6_3_setting_what_is_already_set_writes_no_event(w: PolicyWorld) -> None:
    _set_product(w, SALARY)
    before = len(_events(w.xs, "ConditionsChanged"))
    _set_product(w, SALARY)
    w.xs.policies.clear_policy_override(
        ClearPolicyOverride(actor=w.admin, policy_id=w.policy_a, condition=ConditionName.AGE)
    )
    assert len(_events(w.xs, "ConditionsChanged")) == before


# -- R6.4 manual precedence ------------------------------------------------------------------------


def _manual(
    w: PolicyWorld, period: DateRange, included: bool, employee: uuid.UUID | None = None
) -> uuid.UUID:
    return w.xs.policies.register_manually(
        RegisterParticipation(
            actor=w.admin,
            policy_id=w.policy_a,
            employee_id=employee or w.poor,
            period=period,
            included=included,
            note="Toegezegd door de verzekeraar" if included else None,
        )
    )


def test_r6_4_a_manual_registration_wins_over_the_automatic_ones_it_covers(
    w: PolicyWorld,
) -> None:
    xs = w.xs
    _set_product(w, SALARY)
    automatic = w.automatic(
        w.policy_a, w.poor, OPEN_FROM_2026, False, frozenset({ExclusionReason.SALARY})
    )
    march_to_june = DateRange(D(2026, 3, 1), D(2026, 6, 1))
    manual = _manual(w, march_to_june, included=True)
    timeline = _timeline(w, w.poor)
    assert _periods(timeline.registrations) == [
        (D(2026, 1, 1), D(2026, 3, 1), False, {"salary"}, "automatic"),
        (D(2026, 3, 1), D(2026, 6, 1), True, set(), "manual"),
        (D(2026, 6, 1), None, False, {"salary"}, "automatic"),
    ]
    assert automatic.id not in {line.id for line in timeline.registrations}
    assert _periods(timeline.evaluation) == [
        (D(2026, 1, 1), D(2026, 3, 1), False, {"salary"}, "automatic"),
        (D(2026, 3, 1), D(2026, 6, 1), True, set(), "manual"),
        (D(2026, 6, 1), D(2027, 1, 1), False, {"salary"}, "automatic"),
        (D(2027, 1, 1), None, False, {"salary"}, "automatic"),
    ]
    assert timeline.registrations[1].note == "Toegezegd door de verzekeraar"
    (event,) = [e for e in _events(xs, "ParticipationChanged") if e["start"] == "2026-03-01"]
    assert (event["included"], event["source"], event["reasons"]) == (True, "manual", [])
    # manual registrations never overlap (R6.4); one that touches is fine
    refused = _refused(
        xs,
        "policies.registrations_overlap",
        lambda: _manual(w, DateRange(D(2026, 5, 1), D(2026, 7, 1)), included=False),
    )
    assert refused.details["other"] == str(march_to_june)
    excluded = _manual(w, DateRange(D(2026, 6, 1), D(2026, 7, 1)), included=False)
    line = next(r for r in _timeline(w, w.poor).registrations if r.id == excluded)
    assert [(r.code, r.nl, r.en) for r in line.reasons] == [("manual", "Handmatig", "Manual")]
    # only manual registrations are removed by hand; their days follow the evaluation again
    automatic_piece = _timeline(w, w.poor).registrations[0].id
    assert automatic_piece is not None
    _refused(
        xs,
        "policies.not_a_manual_registration",
        lambda: xs.policies.remove_registration(
            RemoveRegistration(actor=w.admin, registration_id=automatic_piece)
        ),
    )
    xs.policies.remove_registration(RemoveRegistration(actor=w.admin, registration_id=manual))
    after = _timeline(w, w.poor)
    assert manual not in {line.id for line in after.registrations}
    assert _periods(after.evaluation)[:2] == [
        (D(2026, 1, 1), D(2026, 6, 1), False, {"salary"}, "automatic"),
        (D(2026, 6, 1), D(2026, 7, 1), False, {"manual"}, "manual"),
    ]
    assert _events(xs, "RegistrationRemoved")[-1]["registration_id"] == str(manual)
    _refused(
        xs,
        "not_found",
        lambda: xs.policies.remove_registration(
            RemoveRegistration(actor=w.admin, registration_id=manual)
        ),
    )


def test_r6_4_a_manual_registration_lies_inside_the_policy_and_is_for_its_employer(
    app: Xs,
) -> None:
    w = policy_world(app)
    xs = w.xs
    ended = xs.policies.create_policy(
        CreatePolicy(
            actor=w.admin,
            employer_id=w.employer_a,
            product_id=w.product,
            number="TIJDELIJK",
            start=D(2026, 1, 1),
            end=D(2027, 1, 1),
        )
    )
    for period in (
        DateRange(D(2025, 12, 31), D(2026, 2, 1)),
        DateRange(D(2026, 12, 1), D(2027, 1, 2)),
        DateRange(D(2026, 12, 1)),
    ):
        _refused(
            xs,
            "policies.registration_outside_policy",
            lambda period=period: xs.policies.register_manually(  # type: ignore[misc]
                RegisterParticipation(
                    actor=w.admin,
                    policy_id=ended,
                    employee_id=w.poor,
                    period=period,
                    included=False,
                )
            ),
        )
    xs.policies.register_manually(  # the whole policy is inside it
        RegisterParticipation(
            actor=w.admin,
            policy_id=ended,
            employee_id=w.poor,
            period=DateRange(D(2026, 1, 1), D(2027, 1, 1)),
            included=False,
        )
    )
    _refused(
        xs,
        "policies.not_employed_by_policy_holder",
        lambda: _manual(w, OPEN_FROM_2026, False, w.other),
    )
    _refused(
        xs,
        "input.too_long",
        lambda: xs.policies.register_manually(
            RegisterParticipation(
                actor=w.admin,
                policy_id=w.policy_a,
                employee_id=w.poor,
                period=OPEN_FROM_2026,
                included=False,
                note="x" * 201,
            )
        ),
    )


# -- R6.5, R6.6 the participant page ---------------------------------------------------------------


def test_r6_6_the_participant_page_shows_reasons_in_dutch_and_english_only_in_scope(
    w: PolicyWorld,
) -> None:
    xs = w.xs
    w.automatic(w.policy_a, w.poor, OPEN_FROM_2026, False, frozenset({ExclusionReason.SALARY}))
    w.automatic(w.policy_a, w.rich, OPEN_FROM_2026, True)
    w.automatic(w.policy_b, w.other, OPEN_FROM_2026, True)
    clerk = user_with(
        xs,
        w.admin,
        "polissen@example.nl",
        frozenset({Feature.REGISTER_PARTICIPANTS}),
        frozenset({UnitRef(UnitKind.EMPLOYER, w.employer_a)}),
    )
    page = xs.policies.participants(GetParticipants(actor=clerk, policy_id=w.policy_a))
    assert page.total == 2
    assert [p.name for p in page.participants] == ["Arm Jansen", "Rijk Jansen"]
    (poor,) = page.participants[0].registrations
    assert (poor.included, [(r.nl, r.en) for r in poor.reasons]) == (
        False,
        [("Salaris", "Salary")],
    )
    assert (poor.source.nl, poor.source.en, poor.registered_on) == (
        "Automatisch",
        "Automatic",
        xs.clock.today(),
    )
    second = xs.policies.participants(
        GetParticipants(actor=clerk, policy_id=w.policy_a, page=2, page_size=1)
    )
    assert [p.name for p in second.participants] == ["Rijk Jansen"]
    # B's policy is answered as an unknown one
    for policy in (w.policy_b, uuid.uuid4()):
        refused = _refused(
            xs,
            "not_found",
            lambda policy=policy: xs.policies.participants(  # type: ignore[misc]
                GetParticipants(actor=clerk, policy_id=policy)
            ),
        )
        assert isinstance(refused, NotFound)
        assert refused.details == {"kind": "policy", "id": str(policy)}
    assert [p.id for p in xs.policies.policies(ListPolicies(actor=clerk))] == [w.policy_a]
    for page_number, size in ((0, 10), (1, 0), (1, 201), (10_001, 1)):
        _refused(
            xs,
            "input.out_of_range",
            lambda n=page_number, k=size: xs.policies.participants(  # type: ignore[misc]
                GetParticipants(actor=clerk, policy_id=w.policy_a, page=n, page_size=k)
            ),
        )


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (lambda: Age(66, 12), "policies.invalid_age"),
        (lambda: Age(-1), "policies.invalid_age"),
        (lambda: Age(121), "policies.invalid_age"),
        (
            lambda: AgeCondition(active=True, younger_than=Age(67), older_than=Age(66, 3)),
            "policies.age_bounds_reversed",
        ),
        (
            lambda: AgeCondition(active=True, younger_than=Age(18), older_than=Age(18)),
            "policies.age_bounds_reversed",
        ),
        (lambda: AgeCondition(active=True), "policies.age_condition_empty"),
        (
            lambda: EmploymentTypeCondition(active=True, excluded=frozenset({"zzp"})),
            "policies.unknown_employment_type",
        ),
        (lambda: EmploymentTypeCondition(active=True), "policies.no_employment_types"),
        (lambda: SalaryCondition(active=1), "policies.invalid_condition"),  # type: ignore[arg-type]
    ],
)
def test_r6_2_absurd_conditions_are_refused_before_anything_is_looked_up(
    build: Callable[[], object], code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        build()
    assert refused.value.code == code


def test_r6_bad_input_is_refused_with_a_code_and_writes_nothing(w: PolicyWorld) -> None:
    xs, p = w.xs, w.xs.policies

    def policy(**changes: Any) -> Callable[[], object]:
        fields: dict[str, Any] = {
            "actor": w.admin,
            "employer_id": w.employer_a,
            "product_id": w.product,
            "number": "NIEUW",
            "start": D(2026, 1, 1),
            **changes,
        }
        return lambda: p.create_policy(CreatePolicy(**fields))

    _refused(xs, "policies.end_not_after_start", policy(end=D(2025, 12, 31)))
    _refused(xs, "policies.end_not_after_start", policy(end=D(2026, 1, 1)))
    _refused(xs, "policies.run_in_outside_policy", policy(run_in_damage_date=D(2025, 6, 1)))
    _refused(xs, "policies.number_in_use", policy(number="POLIS-A"))
    _refused(xs, "input.required", policy(number="  "))
    _refused(xs, "not_found", policy(product_id=uuid.uuid4()))
    _refused(
        xs,
        "policies.insurer_code_in_use",
        lambda: p.create_insurer(CreateInsurer(actor=w.admin, name="Ander", code="v")),
    )
    p.create_product(
        CreateInsuranceProduct(
            actor=w.admin,
            insurer_id=w.insurer,
            name="Pensioen",
            kind=ProductKind.PENSION,
            code="P1",
        )
    )
    _refused(
        xs,
        "policies.product_code_in_use",
        lambda: p.create_product(
            CreateInsuranceProduct(
                actor=w.admin, insurer_id=w.insurer, name="X", kind=ProductKind.OTHER, code="p1"
            )
        ),
    )
    _refused(
        xs,
        "input.invalid_type",
        lambda: p.set_product_conditions(
            SetProductConditions(actor=w.admin, product_id=w.product, conditions="leeftijd")  # type: ignore[arg-type]
        ),
    )
