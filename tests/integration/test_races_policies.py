"""Policy registration's read-check-write use cases under real concurrent connections
(R6.1–R6.4), on SQLite and PostgreSQL; see docs/concurrency.md."""

from __future__ import annotations

import datetime as _dt
import itertools
from collections.abc import Iterator
from functools import partial

import pytest

from tests.policies_world import PolicyWorld, policy_world
from tests.races import ENGINES, codes, events, race, sql_app
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.services.configuration import GetParameterHistory, SetParameter
from xs_app.services.policies import (
    CreateInsurer,
    GetPolicyConditions,
    RegisterParticipation,
    SetPolicyOverrides,
    SetProductConditions,
)
from xs_app.services.policy_evaluation import (
    EvaluatePolicies,
    GetPolicyEvaluation,
    RunEvaluationChunk,
)
from xs_core.dates import DateRange
from xs_core.policies.conditions import (
    Age,
    AgeCondition,
    ConditionOverrides,
    Conditions,
    SalaryCondition,
    SicknessCondition,
)
from xs_core.policies.participation import ExclusionReason, Source
from xs_core.settings import Parameter

D = _dt.date
RACERS = 4
SALARY = Conditions(salary=SalaryCondition(active=True))


@pytest.fixture(params=ENGINES)
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    yield from sql_app(request, clock)


@pytest.fixture
def w(app: Xs) -> PolicyWorld:
    return policy_world(app)


def _register(w: PolicyWorld, period: DateRange, included: bool = False) -> object:
    return w.xs.policies.register_manually(
        RegisterParticipation(
            actor=w.admin,
            policy_id=w.policy_a,
            employee_id=w.poor,
            period=period,
            included=included,
        )
    )


def _stored(w: PolicyWorld) -> list[tuple[DateRange, Source]]:
    with w.xs.unit_of_work(write=False) as uow:
        return [(r.period, r.source) for r in uow.registrations.for_participant(w.policy_a, w.poor)]


def test_r6_4_racing_overlapping_manual_registrations_give_one(w: PolicyWorld) -> None:
    periods = [DateRange(D(2026, 3, 1 + n), D(2026, 6, 1 + n)) for n in range(RACERS)]
    outcomes = race(*(partial(_register, w, p) for p in periods))
    assert codes(outcomes) == ["ok"] + ["policies.registrations_overlap"] * (RACERS - 1)
    (won,) = [p for p, o in zip(periods, outcomes, strict=True) if o.ok]
    assert _stored(w) == [(won, Source.MANUAL)]
    assert len([e for e in events(w.xs, "ParticipationChanged") if e["source"] == "manual"]) == 1


def test_r6_4_racing_manual_registrations_cut_one_automatic_registration_once(
    w: PolicyWorld,
) -> None:
    """Each racer cuts the same automatic registration around its own period: without the
    policy's lock two of them would both read it whole and write overlapping pieces."""
    w.automatic(
        w.policy_a, w.poor, DateRange(D(2026, 1, 1)), False, frozenset({ExclusionReason.SALARY})
    )
    months = [DateRange(D(2026, 2 + 2 * n, 1), D(2026, 3 + 2 * n, 1)) for n in range(RACERS)]
    outcomes = race(*(partial(_register, w, m, True) for m in months))
    assert codes(outcomes) == ["ok"] * RACERS
    stored = _stored(w)
    # the registrations cover the policy from its start exactly once, in order
    assert stored[0][0].start == D(2026, 1, 1) and stored[-1][0].end is None
    for (before, _), (after, _) in itertools.pairwise(stored):
        assert before.end == after.start
    assert [p for p, s in stored if s is Source.MANUAL] == months
    assert len(stored) == 2 * RACERS + 1  # automatic pieces around and between the months


def test_r6_1_racing_parameter_changes_each_start_from_the_value_before(w: PolicyWorld) -> None:
    values = [n % 2 for n in range(RACERS)]
    outcomes = race(
        *(
            partial(
                w.xs.configuration.set_parameter,
                SetParameter(actor=w.admin, parameter=Parameter.BUSINESS_RULES, value=v),
            )
            for v in values
        )
    )
    assert codes(outcomes) == ["ok"] * RACERS
    history = w.xs.configuration.history(
        GetParameterHistory(actor=w.admin, parameter=Parameter.BUSINESS_RULES)
    )
    assert len(history) == RACERS + 1  # policy_world's own, then the racers'
    for before, after in itertools.pairwise(history):
        assert after.old_value == before.new_value  # no change read a stale value
    assert sorted(o.value for o in outcomes) == sorted(c.old_value for c in history[1:])  # type: ignore[type-var]


def test_r6_1_switching_business_rules_off_while_conditions_are_set(w: PolicyWorld) -> None:
    """Conditions are set only while the switch is on: a change of conditions either commits
    before the switch goes off, or is refused after."""
    p = w.xs.policies
    outcomes = race(
        partial(
            p.set_product_conditions,
            SetProductConditions(
                actor=w.admin,
                product_id=w.product,
                conditions=Conditions(salary=SalaryCondition(active=True)),
            ),
        ),
        partial(
            p.set_policy_overrides,
            SetPolicyOverrides(
                actor=w.admin,
                policy_id=w.policy_a,
                overrides=ConditionOverrides(sickness=SicknessCondition(active=True)),
            ),
        ),
        partial(
            w.xs.configuration.set_parameter,
            SetParameter(actor=w.admin, parameter=Parameter.BUSINESS_RULES, value=0),
        ),
    )
    assert outcomes[2].ok
    assert {o.code for o in outcomes[:2]} <= {"ok", "policies.business_rules_off"}
    messages = w.xs.outbox.pending(10_000)
    switched = max(m.id for m in messages if m.name == "ConfigurationParameterChanged")
    changed = [m.id for m in messages if m.name == "ConditionsChanged"]
    assert len(changed) == sum(o.ok for o in outcomes[:2])
    assert all(c < switched for c in changed)  # every change committed while still on


def test_r6_3_racing_condition_changes_of_one_policy_all_commit_whole(w: PolicyWorld) -> None:
    overrides = [
        ConditionOverrides(age=AgeCondition(active=True, older_than=Age(60 + n)))
        for n in range(RACERS)
    ]
    outcomes = race(
        *(
            partial(
                w.xs.policies.set_policy_overrides,
                SetPolicyOverrides(actor=w.admin, policy_id=w.policy_a, overrides=o),
            )
            for o in overrides
        )
    )
    assert codes(outcomes) == ["ok"] * RACERS
    seen = w.xs.policies.conditions(GetPolicyConditions(actor=w.admin, policy_id=w.policy_a))
    assert seen.overrides in overrides
    assert len(events(w.xs, "ConditionsChanged")) == RACERS


def test_r6_racing_insurers_with_one_code_are_created_once(w: PolicyWorld) -> None:
    outcomes = race(
        *(
            partial(
                w.xs.policies.create_insurer,
                CreateInsurer(actor=w.admin, name=f"Verzekeraar {n}", code="DUBBEL"),
            )
            for n in range(RACERS)
        )
    )
    assert codes(outcomes) == ["ok"] + ["policies.insurer_code_in_use"] * (RACERS - 1)


# -- the nightly evaluation (R6.6) -----------------------------------------------------------------


def _evaluation(w: PolicyWorld) -> EvaluatePolicies:
    return EvaluatePolicies(actor=w.admin, on=D(2026, 1, 1), chunk_size=1)


def test_r6_6_racing_starts_of_one_run_plan_it_once(w: PolicyWorld) -> None:
    """Without the parameter's lock each racer would find no unfinished run and plan its own."""
    w.xs.policies.set_product_conditions(
        SetProductConditions(actor=w.admin, product_id=w.product, conditions=SALARY)
    )
    outcomes = race(*(partial(w.xs.policy_evaluation.start, _evaluation(w)) for _ in range(RACERS)))
    assert codes(outcomes) == ["ok"] * RACERS
    runs = {o.value.run_id for o in outcomes}  # type: ignore[attr-defined]
    assert len(runs) == 1
    assert sorted(o.value.resumed for o in outcomes) == [False] + [True] * (RACERS - 1)  # type: ignore[attr-defined]
    assert len(events(w.xs, "PolicyEvaluationStarted")) == 1


def test_r6_6_racing_workers_on_one_chunk_work_it_once(w: PolicyWorld) -> None:
    """Every racer takes every chunk: each chunk is worked by one of them, the others find it
    done (its row is locked while it is worked); the run finishes once."""
    w.xs.policies.set_product_conditions(
        SetProductConditions(actor=w.admin, product_id=w.product, conditions=SALARY)
    )
    status = w.xs.policy_evaluation.start(_evaluation(w))
    assert status.chunks >= 3

    def work_all() -> list[bool]:
        return [
            w.xs.policy_evaluation.run_chunk(
                RunEvaluationChunk(actor=w.admin, run_id=status.run_id, chunk=n)
            ).done_before
            for n in status.pending
        ]

    outcomes = race(*(work_all for _ in range(RACERS)))
    assert codes(outcomes) == ["ok"] * RACERS
    worked = [flags.count(False) for flags in (o.value for o in outcomes)]  # type: ignore[attr-defined]
    assert sum(worked) == status.chunks
    final = w.xs.policy_evaluation.status(GetPolicyEvaluation(actor=w.admin, run_id=status.run_id))
    assert final.finished and (final.changed, final.added) == (3, 6)
    assert len(events(w.xs, "ParticipationChanged")) == 6
    assert len(events(w.xs, "PolicyEvaluationFinished")) == 1
