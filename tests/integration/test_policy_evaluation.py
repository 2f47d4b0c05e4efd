"""The nightly evaluation of participation through the service (R6.6), on memory, SQLite and
PostgreSQL.

Expected periods are worked out by hand (as in test_policy_services.py): the maximum SV-wage is
€ 79.409 in 2026 (DOMAIN §8) and the last published one, so provisional, from 2027; "Rijk" earns
€ 90.000 (above it) and reaches 66 years and 3 months on 5 August 2026 (born 5 May 1960);
"Arm" earns € 50.000 (below it), on call; "Ander" earns € 60.000 at the other employer.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from tests.apps import make_app, user_with
from tests.policies_world import PolicyWorld, policy_world
from tests.usecases import fingerprint
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.services.employments import ChangeEmployment
from xs_app.services.organisation import EmploymentTerms, RegisterEmployee
from xs_app.services.policies import (
    RegisterParticipation,
    RemoveRegistration,
)
from xs_app.services.policy_evaluation import (
    EvaluatePolicies,
    GetPolicyEvaluation,
    PlannedChange,
    RunEvaluationChunk,
)
from xs_core.access.features import Feature
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.policies.conditions import Age, AgeCondition, Conditions, SalaryCondition
from xs_core.policies.participation import ExclusionReason, Note, Source

D = _dt.date
SALARY = Conditions(salary=SalaryCondition(active=True))
SALARY_AND_PENSION_AGE = Conditions(
    salary=SalaryCondition(active=True), age=AgeCondition(active=True, older_than=Age(66, 3))
)
SAL = frozenset({ExclusionReason.SALARY})
AGE = frozenset({ExclusionReason.AGE})
NONE: frozenset[ExclusionReason] = frozenset()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    xs = make_app(request, clock, request.param)
    yield xs
    xs.close()


@pytest.fixture
def w(app: Xs) -> PolicyWorld:
    return policy_world(app)


def _stored(w: PolicyWorld, employee: uuid.UUID, policy: uuid.UUID | None = None) -> list[Any]:
    """(start, end, included, reasons, source, registered_on) of the stored registrations."""
    with w.xs.unit_of_work(write=False) as uow:
        found = uow.registrations.for_participant(policy or w.policy_a, employee)
    return [
        (r.period.start, r.period.end, r.included, r.reasons, r.source, r.registered_on)
        for r in found
    ]


def _notes(w: PolicyWorld, employee: uuid.UUID) -> list[frozenset[Note]]:
    with w.xs.unit_of_work(write=False) as uow:
        return [r.notes for r in uow.registrations.for_participant(w.policy_a, employee)]


A = Source.AUTOMATIC


def test_r6_6_a_run_registers_the_timeline_from_its_date(w: PolicyWorld) -> None:
    w.set_conditions(SALARY)
    status = w.evaluate(D(2026, 1, 1))
    assert status.finished
    on = D(2026, 1, 1)
    assert _stored(w, w.rich) == [
        (D(2026, 1, 1), D(2027, 1, 1), True, NONE, A, on),
        (D(2027, 1, 1), None, True, NONE, A, on),
    ]
    assert _notes(w, w.rich) == [frozenset(), frozenset({Note.MAX_SV_WAGE_PROVISIONAL})]
    assert _stored(w, w.poor) == [
        (D(2026, 1, 1), D(2027, 1, 1), False, SAL, A, on),
        (D(2027, 1, 1), None, False, SAL, A, on),
    ]
    # the other employer's policy on the same product is evaluated too
    assert _stored(w, w.other, w.policy_b) == [
        (D(2026, 1, 1), D(2027, 1, 1), False, SAL, A, on),
        (D(2027, 1, 1), None, False, SAL, A, on),
    ]
    assert (status.changed, status.added, status.removed) == (3, 6, 0)
    events = [m.name for m in w.xs.outbox.pending()]
    assert events.count("ParticipationChanged") == 6
    assert events[-1] == "PolicyEvaluationFinished"
    assert "PolicyEvaluationStarted" in events


def test_r6_6_a_second_run_on_the_same_date_writes_nothing(w: PolicyWorld) -> None:
    w.set_conditions(SALARY)
    w.evaluate(D(2026, 1, 1))
    before = fingerprint(w.xs)
    again = w.evaluate(D(2026, 1, 1))
    assert (again.changed, again.added, again.removed) == (0, 0, 0)
    after = fingerprint(w.xs)
    # only the run's own bookkeeping and its two events are new
    for table in after:
        if table in ("policy_runs", "policy_run_chunks", "outbox"):
            continue
        assert after[table] == before[table], table
    # and a run on a later day with the same facts writes nothing either
    later = w.evaluate(D(2026, 2, 1))
    assert (later.changed, later.added, later.removed) == (0, 0, 0)


def test_r6_6_a_later_run_keeps_the_past_and_rewrites_from_its_date(w: PolicyWorld) -> None:
    w.set_conditions(SALARY)
    w.evaluate(D(2026, 1, 1))
    w.set_conditions(SALARY_AND_PENSION_AGE)
    status = w.evaluate(D(2026, 3, 1))
    first, later = D(2026, 1, 1), D(2026, 3, 1)
    assert _stored(w, w.rich) == [
        (D(2026, 1, 1), D(2026, 3, 1), True, NONE, A, first),
        (D(2026, 3, 1), D(2026, 8, 5), True, NONE, A, later),
        (D(2026, 8, 5), D(2027, 1, 1), False, AGE, A, later),
        (D(2027, 1, 1), None, False, AGE, A, later),
    ]
    # Arm (born 1 January 1990) reaches 66 years and 3 months on 1 April 2056: only from then
    # does their outcome change (salary and age); their 2026 registration stays as it was
    assert _stored(w, w.poor) == [
        (D(2026, 1, 1), D(2027, 1, 1), False, SAL, A, first),
        (D(2027, 1, 1), D(2056, 4, 1), False, SAL, A, later),
        (D(2056, 4, 1), None, False, SAL | AGE, A, later),
    ]
    # Rich: 2 removed, 3 added; Arm and Ander (66 y 3 m on 3 June 2051): 1 removed, 2 added each
    assert (status.changed, status.added, status.removed) == (3, 7, 4)


def test_r6_4_the_run_never_overwrites_a_manual_registration(w: PolicyWorld) -> None:
    manual = w.xs.policies.register_manually(
        RegisterParticipation(
            actor=w.admin,
            policy_id=w.policy_a,
            employee_id=w.poor,
            period=DateRange(D(2026, 2, 1), D(2026, 6, 1)),
            included=True,
        )
    )
    w.set_conditions(SALARY)
    w.evaluate(D(2026, 1, 1))
    on = D(2026, 1, 1)
    stored = _stored(w, w.poor)
    assert stored == [
        (D(2026, 1, 1), D(2026, 2, 1), False, SAL, A, on),
        (D(2026, 2, 1), D(2026, 6, 1), True, NONE, Source.MANUAL, w.xs.clock.today()),
        (D(2026, 6, 1), D(2027, 1, 1), False, SAL, A, on),
        (D(2027, 1, 1), None, False, SAL, A, on),
    ]
    with w.xs.unit_of_work(write=False) as uow:
        assert manual in {r.id for r in uow.registrations.for_participant(w.policy_a, w.poor)}
    again = w.evaluate(D(2026, 1, 1))
    assert again.added == 0


def test_r6_6_a_dry_run_writes_nothing_and_says_what_and_why(w: PolicyWorld) -> None:
    w.set_conditions(SALARY)
    before = fingerprint(w.xs)
    lines: list[PlannedChange] = []
    summary = w.xs.policy_evaluation.dry_run(
        EvaluatePolicies(actor=w.admin, on=D(2026, 1, 1)), lines.append
    )
    assert fingerprint(w.xs) == before
    assert summary.employees_changed == 3
    assert summary.periods == 6
    assert summary.included == 2
    assert summary.by_reason == {ExclusionReason.SALARY: 4}
    poor = [line for line in lines if line.employee_id == w.poor]
    assert [(p.start, p.included, p.reasons, p.previously_included) for p in poor] == [
        (D(2026, 1, 1), False, (ExclusionReason.SALARY,), None),
        (D(2027, 1, 1), False, (ExclusionReason.SALARY,), None),
    ]
    # after the real run, a dry run finds nothing; with another condition, it names the change
    w.evaluate(D(2026, 1, 1))
    assert (
        w.xs.policy_evaluation.dry_run(EvaluatePolicies(actor=w.admin, on=D(2026, 1, 1))).periods
        == 0
    )
    w.set_conditions(SALARY_AND_PENSION_AGE)
    lines.clear()
    w.xs.policy_evaluation.dry_run(EvaluatePolicies(actor=w.admin, on=D(2026, 3, 1)), lines.append)
    rich = [
        (p.start, p.included, p.reasons, p.previously_included)
        for p in lines
        if p.employee_id == w.rich
    ]
    assert rich == [
        (D(2026, 3, 1), True, (), True),
        (D(2026, 8, 5), False, (ExclusionReason.AGE,), True),
        (D(2027, 1, 1), False, (ExclusionReason.AGE,), True),
    ]


def test_r6_6_a_run_interrupted_between_chunks_resumes_to_the_same_end(w: PolicyWorld) -> None:
    w.set_conditions(SALARY)
    service = w.xs.policy_evaluation
    started = service.start(EvaluatePolicies(actor=w.admin, on=D(2026, 1, 1), chunk_size=1))
    assert started.chunks >= 3 and not started.resumed
    service.run_chunk(RunEvaluationChunk(actor=w.admin, run_id=started.run_id, chunk=0))
    # a chunk taken again is left alone
    again = service.run_chunk(RunEvaluationChunk(actor=w.admin, run_id=started.run_id, chunk=0))
    assert again.done_before
    resumed = w.evaluate(D(2026, 1, 1), chunk_size=1)
    assert resumed.resumed and resumed.run_id == started.run_id and resumed.finished
    assert (resumed.changed, resumed.added) == (3, 6)
    assert _stored(w, w.poor)[0][:4] == (D(2026, 1, 1), D(2027, 1, 1), False, SAL)
    status = service.status(GetPolicyEvaluation(actor=w.admin, run_id=started.run_id))
    assert status.chunks_done == status.chunks and status.pending == ()


def test_r6_1_no_run_while_business_rules_is_off(w: PolicyWorld) -> None:
    w.set_conditions(SALARY)
    w.business_rules(0)
    before = fingerprint(w.xs)
    with pytest.raises(DomainError) as refused:
        w.evaluate(D(2026, 1, 1))
    assert refused.value.code == "policies.business_rules_off"
    assert fingerprint(w.xs) == before


def test_r6_6_no_active_condition_means_nothing_to_evaluate(w: PolicyWorld) -> None:
    status = w.evaluate(D(2026, 1, 1))
    assert status.finished and status.chunks == 0 and status.added == 0


def test_r0_6_a_run_covers_only_the_policies_in_the_actors_scope(w: PolicyWorld) -> None:
    w.set_conditions(SALARY)
    scoped = user_with(
        w.xs,
        w.admin,
        "evaluator@example.nl",
        frozenset({Feature.RUN_POLICY_EVALUATION}),
        frozenset({UnitRef(UnitKind.EMPLOYER, w.employer_a)}),
    )
    status = w.xs.policy_evaluation.evaluate(EvaluatePolicies(actor=scoped, on=D(2026, 1, 1)))
    assert status.changed == 2
    assert _stored(w, w.other, w.policy_b) == []
    with pytest.raises(DomainError) as hidden:
        w.xs.policy_evaluation.evaluate(
            EvaluatePolicies(actor=scoped, on=D(2026, 1, 1), policy_id=w.policy_b)
        )
    assert hidden.value.code == "not_found"
    with pytest.raises(DomainError) as unknown:
        w.xs.policy_evaluation.evaluate(
            EvaluatePolicies(actor=scoped, on=D(2026, 1, 1), policy_id=uuid.uuid4())
        )
    assert unknown.value.code == "not_found"
    assert unknown.value.details["kind"] == hidden.value.details["kind"]


def test_r6_6_bad_input_is_refused_and_changes_nothing(w: PolicyWorld) -> None:
    w.set_conditions(SALARY)
    before = fingerprint(w.xs)
    for bad in (
        EvaluatePolicies(actor=w.admin, on=D(2026, 1, 1), chunk_size=0),
        EvaluatePolicies(actor=w.admin, on=D(1800, 1, 1)),
    ):
        with pytest.raises(DomainError):
            w.xs.policy_evaluation.evaluate(bad)
    with pytest.raises(DomainError) as missing:
        w.xs.policy_evaluation.run_chunk(
            RunEvaluationChunk(actor=w.admin, run_id=uuid.uuid4(), chunk=0)
        )
    assert missing.value.code == "not_found"
    assert fingerprint(w.xs) == before


@pytest.mark.parametrize("edge", ["employment", "manual registration"])
def test_r6_6_an_end_at_the_end_of_the_window_does_not_stop_a_run(
    w: PolicyWorld, edge: str
) -> None:
    """R0.1, R0.2, R6.6: 2200-01-01 is a valid exclusive end (of an employment, of a manual
    registration), yet no day of the window: it ends no period of a timeline. A chunk that
    made it a period boundary was refused (``date.outside_window``) after the run's start had
    committed — a refused ``evaluate`` that wrote its run, and a run that could never finish."""
    w.set_conditions(SALARY)
    if edge == "employment":
        ended = w.xs.organisation.register_employee(
            RegisterEmployee(
                actor=w.admin,
                first_name="Eind",
                last_name="Jansen",
                birth_date=D(1980, 1, 1),
                employment=EmploymentTerms(
                    employer_id=w.employer_a,
                    start=D(2020, 1, 1),
                    end=D(2200, 1, 1),
                    yearly_salary=Decimal(90_000),
                ),
            )
        )
    else:
        ended = w.rich
        w.xs.policies.register_manually(
            RegisterParticipation(
                actor=w.admin,
                policy_id=w.policy_a,
                employee_id=w.rich,
                period=DateRange(D(2030, 1, 1), D(2200, 1, 1)),
                included=False,
            )
        )
    status = w.evaluate(D(2026, 1, 1))
    assert status.finished and status.pending == ()
    periods = [row[:3] for row in _stored(w, ended)]
    if edge == "employment":
        assert periods == [
            (D(2026, 1, 1), D(2027, 1, 1), True),
            (D(2027, 1, 1), None, True),
        ]
    else:  # the automatic periods around the manual one, which runs to the end
        assert periods == [
            (D(2026, 1, 1), D(2027, 1, 1), True),
            (D(2027, 1, 1), D(2030, 1, 1), True),
            (D(2030, 1, 1), D(2200, 1, 1), False),
        ]


def _employment(w: PolicyWorld, employee: uuid.UUID) -> uuid.UUID:
    with w.xs.unit_of_work(write=False) as uow:
        return uow.employees.get(employee).employments[0].id


def test_r6_6_a_run_after_a_change_of_facts_evaluates_the_changed_employee(
    w: PolicyWorld,
) -> None:
    """A run skips the employees whose inputs did not change; a new salary is such a change."""
    w.set_conditions(SALARY)
    w.evaluate(D(2026, 1, 1))
    w.xs.employments.change_employment(
        ChangeEmployment(
            actor=w.admin,
            employee_id=w.poor,
            employment_id=_employment(w, w.poor),
            effective=D(2026, 3, 1),
            yearly_salary=Decimal(90_000),
        )
    )
    status = w.evaluate(D(2026, 2, 1))
    # both stored periods of Arm differ from 1 February on: 2 removed, 3 added (and the days
    # before 1 February kept); Rijk and Ander are not evaluated at all
    assert (status.changed, status.added, status.removed) == (1, 3, 2)
    assert [row[:4] for row in _stored(w, w.poor)] == [
        (D(2026, 1, 1), D(2026, 2, 1), False, SAL),  # the past, kept
        (D(2026, 2, 1), D(2026, 3, 1), False, SAL),
        (D(2026, 3, 1), D(2027, 1, 1), True, NONE),
        (D(2027, 1, 1), None, True, NONE),
    ]


def test_r6_4_removing_a_manual_registration_gives_its_days_back_to_the_run(
    w: PolicyWorld,
) -> None:
    w.set_conditions(SALARY)
    manual = w.xs.policies.register_manually(
        RegisterParticipation(
            actor=w.admin,
            policy_id=w.policy_a,
            employee_id=w.poor,
            period=DateRange(D(2026, 2, 1), D(2026, 6, 1)),
            included=True,
        )
    )
    w.evaluate(D(2026, 1, 1))
    w.xs.policies.remove_registration(RemoveRegistration(actor=w.admin, registration_id=manual))
    status = w.evaluate(D(2026, 1, 1))
    assert status.changed == 1
    assert [row[:4] for row in _stored(w, w.poor)] == [
        (D(2026, 1, 1), D(2027, 1, 1), False, SAL),
        (D(2027, 1, 1), None, False, SAL),
    ]
