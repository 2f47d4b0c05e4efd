"""The nightly evaluation (R6.6) attacked: a manual registration made and removed between two
runs (its days are evaluated again: the inputs are forgotten), runs of other users and scopes
(resumed only by their starter; superseded only by who sees all their policies), a chunk outside
the scope answered as an unknown run (R0.6)."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.apps import make_app, user_with
from tests.policies_world import PolicyWorld, policy_world
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.services.policies import (
    RegisterParticipation,
    RemoveRegistration,
)
from xs_app.services.policy_evaluation import EvaluatePolicies, RunEvaluationChunk
from xs_core.access.features import Feature
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.policies.conditions import Conditions, SalaryCondition
from xs_core.policies.participation import ExclusionReason, Source

D = _dt.date
SALARY = Conditions(salary=SalaryCondition(active=True))
SAL = frozenset({ExclusionReason.SALARY})
A = Source.AUTOMATIC


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    xs = make_app(request, clock, request.param)
    yield xs
    xs.close()


@pytest.fixture
def w(app: Xs) -> PolicyWorld:
    return policy_world(app)


def _periods(w: PolicyWorld, employee: uuid.UUID) -> list[tuple[Any, ...]]:
    with w.xs.unit_of_work(write=False) as uow:
        found = uow.registrations.for_participant(w.policy_a, employee)
    return [(r.period.start, r.period.end, r.included, r.source) for r in found]


def test_r6_6_a_manual_registration_made_and_removed_between_runs_is_not_skipped(
    w: PolicyWorld,
) -> None:
    """register_manually cuts the automatic registrations it covers; remove_registration gives
    the days back "to the run" (R6.4). Between two runs the inputs text is the same again, so
    the run skips the employee and the cut days stay unregistered for good."""
    w.set_conditions(SALARY)
    w.evaluate(D(2026, 1, 1))
    manual = w.xs.policies.register_manually(
        RegisterParticipation(
            actor=w.admin,
            policy_id=w.policy_a,
            employee_id=w.poor,
            period=DateRange(D(2026, 3, 1), D(2026, 4, 1)),
            included=True,
        )
    )
    w.xs.policies.remove_registration(RemoveRegistration(actor=w.admin, registration_id=manual))
    w.evaluate(D(2026, 2, 1))
    periods = _periods(w, w.poor)
    # every day from the policy start on is registered again (excluded: salary)
    covered = [
        p for p in periods if p[0] <= D(2026, 3, 15) and (p[1] is None or D(2026, 3, 15) < p[1])
    ]
    assert covered and covered[0][2:] == (False, A), periods


def _scoped(w: PolicyWorld, email: str, employer: uuid.UUID) -> uuid.UUID:
    return user_with(
        w.xs,
        w.admin,
        email,
        frozenset({Feature.RUN_POLICY_EVALUATION}),
        frozenset({UnitRef(UnitKind.EMPLOYER, employer)}),
    )


def test_r6_6_a_run_of_another_scope_is_not_resumed_as_ones_own(w: PolicyWorld) -> None:
    """start() resumes *any* unfinished run of the same date and limit, whoever planned it: a
    user of employer B evaluating while a user of employer A's run is unfinished is handed A's
    run (its id, chunk counts and totals: outside their scope), B's policy is never evaluated,
    and working A's chunks answers not_found half-way."""
    w.set_conditions(SALARY)
    at_a = _scoped(w, "a@example.nl", w.employer_a)
    at_b = _scoped(w, "b@example.nl", w.employer_b)
    mine = w.xs.policy_evaluation.start(EvaluatePolicies(actor=at_a, on=D(2026, 1, 1)))
    assert not mine.finished
    try:
        theirs = w.xs.policy_evaluation.evaluate(EvaluatePolicies(actor=at_b, on=D(2026, 1, 1)))
    except DomainError as error:
        pytest.fail(f"B's evaluation failed: {error.code} {error.details}")
    assert theirs.run_id != mine.run_id
    assert not theirs.resumed
    assert theirs.finished
    with w.xs.unit_of_work(write=False) as uow:
        assert uow.registrations.for_participant(w.policy_b, w.other)


def test_r6_6_the_nightly_run_does_not_silently_adopt_a_narrower_run(w: PolicyWorld) -> None:
    """Worse, silently: while a run planned by a user of employer A only is unfinished, the
    administrator's nightly run of that date 'resumes' it, finishes it, reports success — and
    employer B's policy is never evaluated."""
    w.set_conditions(SALARY)
    at_a = _scoped(w, "a@example.nl", w.employer_a)
    narrow = w.xs.policy_evaluation.start(EvaluatePolicies(actor=at_a, on=D(2026, 1, 1)))
    nightly = w.evaluate(D(2026, 1, 1))
    assert nightly.finished
    with w.xs.unit_of_work(write=False) as uow:
        assert uow.registrations.for_participant(w.policy_b, w.other), "B was never evaluated"
    # the narrower run is superseded by the nightly one (R6.6: one unfinished run per policy)
    superseded = [
        m.payload for m in w.xs.outbox.pending(1000) if m.name == "PolicyEvaluationSuperseded"
    ]
    assert superseded == [{"run_id": str(narrow.run_id), "by_run_id": str(nightly.run_id)}]


def _answer(call: Any) -> tuple[str, dict[str, Any]] | str:
    try:
        return f"ok: {call()!r}"
    except DomainError as error:
        return (error.code, dict(error.details))


def test_r6_6_a_chunk_outside_the_scope_answers_as_an_unknown_run(w: PolicyWorld) -> None:
    """R0.6: a user of employer B working a chunk of a run that touches only what they cannot
    see must get exactly the answer for an unknown run. run_chunk claims the chunk before the
    scope check: a chunk done already answers done_before=True, a chunk number past the end
    answers not_found policy_run_chunk — both tell that the run exists."""
    w.set_conditions(SALARY)
    run = w.xs.policy_evaluation.start(
        EvaluatePolicies(actor=w.admin, on=D(2026, 1, 1), policy_id=w.policy_a, chunk_size=1)
    )
    w.xs.policy_evaluation.run_chunk(RunEvaluationChunk(actor=w.admin, run_id=run.run_id, chunk=0))
    at_b = _scoped(w, "b@example.nl", w.employer_b)
    unknown = uuid.uuid4()

    def answer(run_id: uuid.UUID, chunk: int) -> Any:
        found = _answer(
            lambda: w.xs.policy_evaluation.run_chunk(
                RunEvaluationChunk(actor=at_b, run_id=run_id, chunk=chunk)
            )
        )
        return found if isinstance(found, str) else (found[0], found[1].get("kind"))

    expected = answer(unknown, 0)
    assert expected == ("not_found", "policy_run")
    assert answer(run.run_id, 1) == expected  # pending, outside the scope
    assert answer(run.run_id, 0) == expected  # done, outside the scope
    assert answer(run.run_id, 999) == expected  # no such chunk, outside the scope
