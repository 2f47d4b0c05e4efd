"""Races of the nightly evaluation (R6.6) on SQLite and PostgreSQL: two runs of one policy (the
second supersedes the first: one unfinished run per policy), and a change that commits while a
chunk reads (the inputs stored are those read before the facts, so the next run sees it)."""

from __future__ import annotations

import datetime as _dt
import itertools
import threading
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from tests.policies_world import PolicyWorld, policy_world
from tests.races import ENGINES, codes, race, sql_app
from xs_adapters.clock import FixedClock
from xs_adapters.sql.policy_runs import SqlPolicyRunStore
from xs_app import Xs
from xs_app.services.employments import ChangeEmployment
from xs_app.services.policies import SetProductConditions
from xs_app.services.policy_evaluation import EvaluatePolicies, RunEvaluationChunk
from xs_core.organisation.model import EmploymentType
from xs_core.policies.conditions import (
    Age,
    AgeCondition,
    Conditions,
    EmploymentTypeCondition,
    SalaryCondition,
)

D = _dt.date
SALARY = Conditions(salary=SalaryCondition(active=True))


@pytest.fixture(params=ENGINES)
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    yield from sql_app(request, clock)


@pytest.fixture
def w(app: Xs) -> PolicyWorld:
    return policy_world(app)


def _work_all(w: PolicyWorld, run_id: uuid.UUID, pending: tuple[int, ...]) -> None:
    for number in pending:
        w.xs.policy_evaluation.run_chunk(
            RunEvaluationChunk(actor=w.admin, run_id=run_id, chunk=number)
        )


def _overlaps(w: PolicyWorld) -> list[str]:
    found = []
    with w.xs.unit_of_work(write=False) as uow:
        for policy in (w.policy_a, w.policy_b):
            for employee in (w.rich, w.poor, w.other):
                regs = sorted(
                    uow.registrations.for_participant(policy, employee),
                    key=lambda r: r.period.start,
                )
                for one, two in itertools.pairwise(regs):
                    if one.period.overlaps(two.period):
                        found.append(f"{one.period} / {two.period}")
    return found


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((D(2026, 1, 1), None), (D(2026, 2, 1), None)),  # two dates
        ((D(2026, 1, 1), None), (D(2026, 1, 1), "policy_a")),  # one date, two limits
    ],
    ids=["two-dates", "two-limits"],
)
def test_r6_6_two_runs_working_one_policy_at_once_neither_crash_nor_overlap(
    w: PolicyWorld, first: tuple[_dt.date, str | None], second: tuple[_dt.date, str | None]
) -> None:
    """A chunk share-locks its policy (FOR SHARE), so chunks of two *different* runs on the same
    policy and employees run side by side on PostgreSQL: both read the same stored state, both
    write (exclusion violation → policies.registrations_overlap, or a raw unique violation on
    pk_policy_participant_inputs). Expected: both runs end, nothing overlaps. A few rounds, the
    conditions alternating so that every round writes."""
    alternate = [
        SALARY,
        Conditions(
            salary=SalaryCondition(active=True),
            employment_type=EmploymentTypeCondition(
                active=True, excluded=frozenset({EmploymentType.ON_CALL})
            ),
        ),
    ]
    for attempt in range(6):
        w.xs.policies.set_product_conditions(
            SetProductConditions(
                actor=w.admin, product_id=w.product, conditions=alternate[attempt % 2]
            )
        )
        runs = [
            w.xs.policy_evaluation.start(
                EvaluatePolicies(
                    actor=w.admin,
                    on=on + _dt.timedelta(days=attempt),
                    policy_id=None if limit is None else getattr(w, limit),
                    chunk_size=1,
                )
            )
            for on, limit in (first, second)
        ]
        outcomes = race(*(lambda r=r: _work_all(w, r.run_id, r.pending) for r in runs))
        assert codes(outcomes) == ["ok", "ok"], (attempt, [o.code for o in outcomes])
        assert _overlaps(w) == []


def test_r6_6_two_runs_remembering_one_participant_at_once_do_not_crash(w: PolicyWorld) -> None:
    """When the outcome does not change (here: an inactive condition's parameter changed, so
    every participant is stale but nothing is written) both runs' chunks only *remember* the
    inputs: DELETE + INSERT of the same (policy, employee) row under READ COMMITTED — the
    second INSERT hits pk_policy_participant_inputs: a raw IntegrityError (a crash, no code)."""
    w.xs.policies.set_product_conditions(
        SetProductConditions(actor=w.admin, product_id=w.product, conditions=SALARY)
    )
    w.xs.policy_evaluation.evaluate(EvaluatePolicies(actor=w.admin, on=D(2026, 1, 1)))
    for attempt in range(8):  # a race: a few rounds make it show every time
        w.xs.policies.set_product_conditions(
            SetProductConditions(
                actor=w.admin,
                product_id=w.product,
                conditions=Conditions(
                    salary=SalaryCondition(active=True),
                    age=AgeCondition(active=False, older_than=Age(70 + attempt, 0)),
                ),
            )
        )
        runs = [
            w.xs.policy_evaluation.start(
                EvaluatePolicies(actor=w.admin, on=D(2026, 2, 1), policy_id=limit, chunk_size=1)
            )
            for limit in (None, w.policy_a)
        ]
        outcomes = race(*(lambda r=r: _work_all(w, r.run_id, r.pending) for r in runs))
        assert codes(outcomes) == ["ok", "ok"], (attempt, [o.code for o in outcomes])


def test_r6_6_a_change_committed_while_a_chunk_reads_is_not_lost(
    w: PolicyWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk reads the facts in one statement and, later, stores the inputs text computed by
    another statement (remember). Under READ COMMITTED a salary change that commits in between
    is in the stored text but not in what was evaluated: the next run finds the text unchanged,
    skips the employee, and the new salary is never evaluated. (On SQLite the chunk holds the
    single write lock, so the change waits until the chunk commits and the next run sees it.)"""
    w.xs.policies.set_product_conditions(
        SetProductConditions(actor=w.admin, product_id=w.product, conditions=SALARY)
    )
    with w.xs.unit_of_work(write=False) as uow:
        employment = uow.employees.get(w.poor).employments[0].id
    original = SqlPolicyRunStore.facts
    changed = threading.Event()

    def change() -> None:
        w.xs.employments.change_employment(
            ChangeEmployment(
                actor=w.admin,
                employee_id=w.poor,
                employment_id=employment,
                effective=D(2026, 3, 1),
                yearly_salary=Decimal(90_000),
            )
        )
        changed.set()

    def facts(self: SqlPolicyRunStore, employer_id: uuid.UUID, ids: Any, inputs: Any = None) -> Any:
        found = original(self, employer_id, ids, inputs)
        if w.poor in ids and not changed.is_set():
            threading.Thread(target=change).start()
            changed.wait(3)  # PostgreSQL: commits now; SQLite: waits for the chunk's commit
        return found

    monkeypatch.setattr(SqlPolicyRunStore, "facts", facts)
    w.xs.policy_evaluation.evaluate(EvaluatePolicies(actor=w.admin, on=D(2026, 1, 1)))
    assert changed.wait(30)
    monkeypatch.setattr(SqlPolicyRunStore, "facts", original)
    w.xs.policy_evaluation.evaluate(EvaluatePolicies(actor=w.admin, on=D(2026, 2, 1)))
    with w.xs.unit_of_work(write=False) as uow:
        found = uow.registrations.for_participant(w.policy_a, w.poor)
    on_april = [r for r in found if r.period.contains(D(2026, 4, 1))]
    assert on_april and on_april[0].included, [(r.period, r.included) for r in found]
