"""The nightly evaluation of participation (R6.6): plan a run, work its chunks, report on it; a
dry run that writes nothing.

A run re-evaluates, as of its date, every employee of every policy in the starter's scope whose
effective conditions are active (R6.2, R6.3), through the single source of truth
(:func:`~xs_core.policies.participation.participation_timeline`), and writes only what changed
(:func:`~xs_core.policies.run.reconcile`): applying it twice equals applying it once.

The run is cut into chunks (a policy's employees by id range). A chunk's writes, its events and
its done mark commit in one transaction; a chunk taken twice is worked once (its row is locked).
So a run killed at any moment is resumed by starting it again — :meth:`start` returns the
unfinished run of the same date and limit — and ends exactly as an uninterrupted run. In process
(:meth:`evaluate`, SQLite and memory) the chunks run one after another; on PostgreSQL they can run
as jobs of ``xs worker`` processes (:mod:`xs_app.worker`).

R6.1: while ``BusinessRules`` is 0 nothing is evaluated: starting a run is refused with
``policies.business_rules_off``; a chunk of a run planned before it was switched off writes
nothing.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import attrs
import pendulum

from xs_app.services.base import Service, collector_paused, employer, hidden
from xs_app.services.command import Command
from xs_app.services.policies import require_business_rules
from xs_core import limits
from xs_core.access.authoriser import Authoriser
from xs_core.access.features import Feature
from xs_core.access.model import Principal
from xs_core.dates import as_date
from xs_core.errors import Conflict, register_messages
from xs_core.parameters import max_sv_wage_table
from xs_core.policies.conditions import Conditions, effective_conditions
from xs_core.policies.model import Policy
from xs_core.policies.participation import (
    ExclusionReason,
    MaxSvWage,
    Note,
    max_sv_wage_by_year,
    participation_timeline,
)
from xs_core.policies.ports import ChunkState, RunRecord
from xs_core.policies.run import (
    ChunkPlan,
    ParticipantChange,
    PolicyEvaluationFinished,
    PolicyEvaluationStarted,
    PolicyEvaluationSuperseded,
    evaluation_key,
    manual_inputs,
    plan_chunks,
    reconcile,
    window,
)
from xs_core.progress import Progress, silent
from xs_core.settings import Parameter
from xs_core.uow import UnitOfWork

#: Employees per chunk, by default.
DEFAULT_CHUNK_SIZE = 1_000
#: The largest chunk a run may ask for.
MAX_CHUNK_SIZE = 20_000


register_messages(
    {
        "policies.evaluation_unfinished": (
            "Er is een onafgemaakte evaluatie (peildatum {on}) van polissen buiten uw bereik; "
            "laat die eerst afmaken.",
            "An unfinished evaluation (as of {on}) covers policies outside your scope; have it "
            "finished first.",
        ),
    },
    kind=Conflict,
)


# -- commands --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class EvaluatePolicies(Command):
    """R6.6: evaluate participation as of ``on``, for one policy or every policy in the actor's
    scope; ``chunk_size`` employees per chunk."""

    actor: uuid.UUID
    on: _dt.date
    policy_id: uuid.UUID | None = None
    chunk_size: int = DEFAULT_CHUNK_SIZE


@attrs.frozen(kw_only=True)
class RunEvaluationChunk(Command):
    """Work one chunk of a run (what a worker does)."""

    actor: uuid.UUID
    run_id: uuid.UUID
    #: the chunk's number in the run (from 0)
    chunk: int


@attrs.frozen(kw_only=True)
class GetPolicyEvaluation(Command):
    actor: uuid.UUID
    run_id: uuid.UUID


# -- results ---------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PolicyEvaluationStatus:
    """Where a run stands: its chunks done of all, and what it changed so far; ``resumed`` when
    starting it found the unfinished run of the same date and limit."""

    run_id: uuid.UUID
    on: pendulum.Date
    policy_id: uuid.UUID | None
    started_at: pendulum.DateTime
    finished_at: pendulum.DateTime | None
    chunks: int
    chunks_done: int
    changed: int
    added: int
    removed: int
    pending: tuple[int, ...]
    resumed: bool = False

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


@attrs.frozen(kw_only=True)
class ChunkOutcome:
    """What working a chunk did; ``done_before`` when another worker (or an earlier attempt)
    had finished it."""

    number: int
    done_before: bool
    changed: int = 0
    added: int = 0
    removed: int = 0
    run_finished: bool = False


@attrs.frozen(kw_only=True)
class PlannedChange:
    """A line of a dry run: from ``start`` (to ``end``) the employee would be included or
    excluded for ``reasons``; ``previous``: what is registered there now (``None``: nothing)."""

    policy_id: uuid.UUID
    policy_number: str
    employee_id: uuid.UUID
    start: pendulum.Date
    end: pendulum.Date | None
    included: bool
    reasons: tuple[ExclusionReason, ...]
    notes: tuple[Note, ...]
    previously_included: bool | None
    previous_reasons: tuple[ExclusionReason, ...]


@attrs.frozen(kw_only=True)
class DryRunSummary:
    """What a dry run found: employees that would change, periods that would be registered,
    of which included, and per reason the excluded periods naming it."""

    on: pendulum.Date
    policies: int
    employees_changed: int
    periods: int
    included: int
    by_reason: dict[ExclusionReason, int]


def _ordered(values: frozenset[ExclusionReason]) -> tuple[ExclusionReason, ...]:
    return tuple(sorted(values, key=lambda r: r.value))


# -- the service -----------------------------------------------------------------------------------


class PolicyEvaluationService(Service):
    """R6.6 use cases: :meth:`evaluate` (in process), :meth:`start` + :meth:`run_chunk` (for
    workers), :meth:`status`, :meth:`dry_run`."""

    _wages: tuple[MaxSvWage, int, tuple[tuple[_dt.date, Decimal], ...]] | None = None

    def _max_sv_wage(self) -> tuple[MaxSvWage, int, tuple[tuple[_dt.date, Decimal], ...]]:
        """The maximum SV-wage by year, the last year of the table, and the table (R0.4)."""
        if self._wages is None:
            table = max_sv_wage_table()
            self._wages = (
                max_sv_wage_by_year(table),
                table.values[-1].applies_from.year,
                tuple((v.applies_from, v.value) for v in table.values),
            )
        return self._wages

    # -- planning ------------------------------------------------------------------------------

    def _policies(
        self,
        uow: UnitOfWork,
        auth: Authoriser,
        principal: Principal,
        on: pendulum.Date,
        policy_id: uuid.UUID | None,
    ) -> list[Policy]:
        """The policies a run evaluates: the one asked for (if visible) or those of employers
        in scope, whose effective conditions are active and whose period runs after ``on``."""
        if policy_id is not None:
            policy = uow.policies.get(policy_id)
            auth.require_visible(
                principal, employer(policy.employer_id), hidden("policy", policy_id)
            )
            candidates = [policy]
        else:
            scope = auth.resolved_scope(principal)
            candidates = uow.policies.list(None if scope.everything else scope.employer_ids)
        chosen = []
        for policy in candidates:
            if window(policy.period, on) is None:
                continue
            if self._conditions(uow, policy).any_active:
                chosen.append(policy)
        return chosen

    @staticmethod
    def _conditions(uow: UnitOfWork, policy: Policy) -> Conditions:
        product = uow.products.get(policy.product_id)
        return effective_conditions(product.conditions, policy.overrides)

    def _plan(self, uow: UnitOfWork, policies: list[Policy], chunk_size: int) -> list[ChunkPlan]:
        employers = {p.employer_id for p in policies}
        ids = {e: uow.policy_runs.employee_ids(e) for e in sorted(employers, key=str)}
        return plan_chunks(policies, ids, chunk_size)

    def start(self, cmd: EvaluatePolicies) -> PolicyEvaluationStatus:
        """R6.6: plan a run as of ``cmd.on`` — or find the unfinished run of that date and limit
        and resume it. Refused while ``BusinessRules`` is 0 (R6.1). Locks the ``BusinessRules``
        parameter, so that two starts at once plan one run."""
        on = as_date(cmd.on)
        limits.bounded_int(cmd.chunk_size, "chunk_size", 1, MAX_CHUNK_SIZE)
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.RUN_POLICY_EVALUATION)
            require_business_rules(uow.settings.lock(Parameter.BUSINESS_RULES))
            policies = self._policies(uow, auth, principal, on, cmd.policy_id)
            open_runs = uow.policy_runs.unfinished()
            for existing in open_runs:
                if (existing.on, existing.policy_id, existing.started_by) == (
                    on,
                    cmd.policy_id,
                    principal.user_id,
                ):
                    return self._status(uow, existing, resumed=True)
            run_id = uuid.uuid4()
            self._supersede(uow, auth, principal, open_runs, {p.id for p in policies}, run_id)
            chunks = self._plan(uow, policies, cmd.chunk_size)
            run = RunRecord(
                id=run_id,
                on=on,
                policy_id=cmd.policy_id,
                started_by=principal.user_id,
                started_at=self._clock.now(),
                chunk_size=cmd.chunk_size,
            )
            uow.policy_runs.add_run(run, chunks)
            uow.publish(
                PolicyEvaluationStarted(
                    run_id=run.id, on=on, policy_id=cmd.policy_id, chunks=len(chunks)
                )
            )
            if not chunks:
                uow.policy_runs.finish_run(run.id, run.started_at)
                uow.publish(
                    PolicyEvaluationFinished(run_id=run.id, on=on, changed=0, added=0, removed=0)
                )
            status = self._status(uow, run, resumed=False)
            uow.commit()
            return status

    def _supersede(
        self,
        uow: UnitOfWork,
        auth: Authoriser,
        principal: Principal,
        open_runs: list[RunRecord],
        policies: set[uuid.UUID],
        by: uuid.UUID,
    ) -> None:
        """One unfinished run per policy at a time: an unfinished run with open chunks of these
        policies is superseded when the actor may see all its open chunks' policies (the new run
        evaluates them), else the start is refused with ``policies.evaluation_unfinished``."""
        for existing in open_runs:
            open_policies = {
                c.plan.policy_id for c in uow.policy_runs.chunks(existing.id) if not c.done
            }
            if not open_policies & policies:
                continue
            for policy_id in sorted(open_policies, key=str):
                policy = uow.policies.get(policy_id)
                if not auth.visible(principal, employer(policy.employer_id)):
                    raise Conflict(
                        "policies.evaluation_unfinished",
                        {"rule": "R6.6", "on": existing.on.isoformat()},
                    )
            uow.policy_runs.supersede(existing.id, self._clock.now())
            uow.publish(PolicyEvaluationSuperseded(run_id=existing.id, by_run_id=by))

    @staticmethod
    def _visible_run(
        uow: UnitOfWork, auth: Authoriser, principal: Principal, run: RunRecord
    ) -> None:
        """A run limited to a policy is seen by those who see the policy's employer; one of
        every policy in a scope by its starter and by users with the whole organisation
        (``not_found`` alike otherwise)."""
        if run.policy_id is not None:
            policy = uow.policies.get(run.policy_id)
            auth.require_visible(
                principal, employer(policy.employer_id), hidden("policy_run", run.id)
            )
        elif run.started_by != principal.user_id and not principal.scope.everything:
            raise hidden("policy_run", run.id)

    # -- working a chunk -----------------------------------------------------------------------

    def _evaluate_chunk(
        self,
        uow: UnitOfWork,
        policy: Policy,
        conditions: Conditions,
        plan: ChunkPlan,
        on: pendulum.Date,
        remember: bool,
    ) -> list[ParticipantChange]:
        """The changes of the chunk's employees: each one whose inputs changed since their last
        evaluation (:meth:`PolicyRunStore.stale`) has their timeline (R6.2–R6.4) reconciled with
        what is stored (R6.6); with ``remember``, their inputs are stored as evaluated."""
        days = window(policy.period, on)
        if days is None:
            return []
        wages, last_year, table = self._max_sv_wage()
        key = evaluation_key(policy, conditions, table)
        store = uow.policy_runs
        inputs = store.stale(policy.id, policy.employer_id, plan.after, plan.last, key, days.start)
        if not inputs:
            return []
        ids = list(inputs)
        stored = store.registrations(policy.id, ids)
        changes = []
        for facts in store.facts(policy.employer_id, ids, inputs):
            mine = stored.get(facts.employee_id, ())
            timeline = participation_timeline(
                facts, policy.period, conditions, wages, manual_inputs(mine), last_year
            )
            change = reconcile(policy, facts.employee_id, mine, timeline, on)
            if change is not None:
                changes.append(change)
        if remember:
            store.replace(
                [r.id for c in changes for r in c.removed],
                [r for c in changes for r in (*c.kept, *c.added)],
            )
            store.remember(policy.id, inputs, days.start)
        return changes

    def run_chunk(self, cmd: RunEvaluationChunk) -> ChunkOutcome:
        """Work one chunk: its writes, their ``ParticipationChanged`` events and its done mark in
        one transaction; a chunk done before is left alone. The chunk that completes the run
        marks it finished (``PolicyEvaluationFinished``)."""
        limits.bounded_int(cmd.chunk, "chunk", 0, limits.INTEGER_MAX)
        with collector_paused(), self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.RUN_POLICY_EVALUATION)
            run = uow.policy_runs.run(cmd.run_id)
            self._visible_run(uow, auth, principal, run)
            planned = uow.policy_runs.chunk(run.id, cmd.chunk)
            if planned is None:
                raise hidden("policy_run", run.id)
            policy = uow.policies.get(planned.policy_id)
            auth.require_visible(
                principal, employer(policy.employer_id), hidden("policy_run", run.id)
            )
            plan = uow.policy_runs.claim_chunk(run.id, cmd.chunk)
            if plan is None:
                return ChunkOutcome(number=cmd.chunk, done_before=True)
            state = ChunkState(plan=plan, done=True)
            conditions = self._conditions(uow, policy)
            if uow.settings.value(Parameter.BUSINESS_RULES) == 1 and conditions.any_active:
                changes = self._evaluate_chunk(
                    uow, policy, conditions, plan, as_date(run.on), remember=True
                )
                for change in changes:
                    for registration in change.added:
                        uow.publish(registration.changed_event())
                state = ChunkState(
                    plan=plan,
                    done=True,
                    changed=len(changes),
                    added=sum(len(c.added) for c in changes),
                    removed=sum(len(c.removed) for c in changes),
                )
            uow.policy_runs.finish_chunk(run.id, state)
            finished = uow.policy_runs.finish_run(run.id, self._clock.now())
            if finished:
                totals = uow.policy_runs.chunks(run.id)
                uow.publish(
                    PolicyEvaluationFinished(
                        run_id=run.id,
                        on=run.on,
                        changed=sum(c.changed for c in totals),
                        added=sum(c.added for c in totals),
                        removed=sum(c.removed for c in totals),
                    )
                )
            uow.commit()
            return ChunkOutcome(
                number=cmd.chunk,
                done_before=False,
                changed=state.changed,
                added=state.added,
                removed=state.removed,
                run_finished=finished,
            )

    # -- in process ----------------------------------------------------------------------------

    def evaluate(
        self, cmd: EvaluatePolicies, progress: Progress | None = None
    ) -> PolicyEvaluationStatus:
        """R6.6: start (or resume) the run and work its pending chunks one after another, telling
        ``progress`` after each (stage ``"chunks"``)."""
        tell = progress or silent
        status = self.start(cmd)
        done = status.chunks_done
        tell("chunks", done, status.chunks)
        for number in status.pending:
            self.run_chunk(RunEvaluationChunk(actor=cmd.actor, run_id=status.run_id, chunk=number))
            done += 1
            tell("chunks", done, status.chunks)
        return attrs.evolve(
            self.status(GetPolicyEvaluation(actor=cmd.actor, run_id=status.run_id)),
            resumed=status.resumed,
        )

    def status(self, cmd: GetPolicyEvaluation) -> PolicyEvaluationStatus:
        """Where a run stands (``not_found`` for a run of a policy outside the scope)."""
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.RUN_POLICY_EVALUATION)
            run = uow.policy_runs.run(cmd.run_id)
            self._visible_run(uow, auth, principal, run)
            return self._status(uow, run, resumed=False)

    @staticmethod
    def _status(uow: UnitOfWork, run: RunRecord, resumed: bool) -> PolicyEvaluationStatus:
        chunks = uow.policy_runs.chunks(run.id)
        return PolicyEvaluationStatus(
            run_id=run.id,
            on=as_date(run.on),
            policy_id=run.policy_id,
            started_at=run.started_at,
            finished_at=run.finished_at,
            chunks=len(chunks),
            chunks_done=sum(1 for c in chunks if c.done),
            changed=sum(c.changed for c in chunks),
            added=sum(c.added for c in chunks),
            removed=sum(c.removed for c in chunks),
            pending=tuple(c.plan.number for c in chunks if not c.done),
            resumed=resumed,
        )

    # -- dry run -------------------------------------------------------------------------------

    def dry_run(
        self,
        cmd: EvaluatePolicies,
        sink: Callable[[PlannedChange], None] | None = None,
        progress: Progress | None = None,
    ) -> DryRunSummary:
        """R6.6: what a run as of ``cmd.on`` would change and why — each planned period to
        ``sink`` as it is found, chunk by chunk (memory stays flat) — writing nothing."""
        on = as_date(cmd.on)
        limits.bounded_int(cmd.chunk_size, "chunk_size", 1, MAX_CHUNK_SIZE)
        tell = progress or silent
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.RUN_POLICY_EVALUATION)
            require_business_rules(uow.settings.value(Parameter.BUSINESS_RULES))
            policies = self._policies(uow, auth, principal, on, cmd.policy_id)
            chunks = self._plan(uow, policies, cmd.chunk_size)
        by_id = {p.id: p for p in policies}
        employees = periods = included = 0
        reasons: Counter[ExclusionReason] = Counter()
        tell("chunks", 0, len(chunks))
        for done, plan in enumerate(chunks, start=1):
            with collector_paused(), self._uow(write=False) as uow:
                policy = by_id[plan.policy_id]
                conditions = self._conditions(uow, policy)
                for change in self._evaluate_chunk(
                    uow, policy, conditions, plan, on, remember=False
                ):
                    employees += 1
                    for registration in change.added:
                        periods += 1
                        included += registration.included
                        reasons.update(registration.reasons)
                        if sink is not None:
                            before = change.previous(registration.period.start)
                            sink(
                                PlannedChange(
                                    policy_id=policy.id,
                                    policy_number=policy.number,
                                    employee_id=change.employee_id,
                                    start=registration.period.start,
                                    end=registration.period.end,
                                    included=registration.included,
                                    reasons=_ordered(registration.reasons),
                                    notes=tuple(sorted(registration.notes, key=lambda n: n.value)),
                                    previously_included=None if before is None else before.included,
                                    previous_reasons=()
                                    if before is None
                                    else _ordered(before.reasons),
                                )
                            )
            tell("chunks", done, len(chunks))
        return DryRunSummary(
            on=on,
            policies=len(policies),
            employees_changed=employees,
            periods=periods,
            included=included,
            by_reason=dict(sorted(reasons.items(), key=lambda kv: kv[0].value)),
        )


__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "MAX_CHUNK_SIZE",
    "ChunkOutcome",
    "DryRunSummary",
    "EvaluatePolicies",
    "GetPolicyEvaluation",
    "PlannedChange",
    "PolicyEvaluationService",
    "PolicyEvaluationStatus",
    "RunEvaluationChunk",
]
