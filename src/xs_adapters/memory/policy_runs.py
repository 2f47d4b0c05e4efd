"""The nightly evaluation's store in memory (R6.6), held to the SQL adapter's contract: facts
from the aggregates (:mod:`xs_core.policies.facts`), registrations replaced in the store, and the
run's chunks with their done marks (one unit of work at a time: the store's lock)."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence

import attrs
import pendulum

from xs_adapters.memory.store import MemoryStore
from xs_core.errors import NotFound
from xs_core.policies.facts import employee_facts
from xs_core.policies.model import Registration
from xs_core.policies.participation import EmployeeFacts
from xs_core.policies.ports import ChunkState, RunRecord
from xs_core.policies.run import ChunkPlan


def _within(ident: uuid.UUID, after: uuid.UUID | None, last: uuid.UUID | None) -> bool:
    return (after is None or ident > after) and (last is None or ident <= last)


class MemoryPolicyRunStore:
    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    def employee_ids(self, employer_id: uuid.UUID) -> list[uuid.UUID]:
        return sorted(
            e.id
            for e in self._s.employees.values()
            if any(x.employer_id == employer_id for x in e.employments)
        )

    def facts(
        self,
        employer_id: uuid.UUID,
        employee_ids: Sequence[uuid.UUID],
        inputs: Mapping[uuid.UUID, str] | None = None,
    ) -> list[EmployeeFacts]:
        found = []
        for ident in sorted(set(employee_ids)):
            person = self._s.employees.get(ident)
            if person is None or not any(e.employer_id == employer_id for e in person.employments):
                continue
            trajectories = self._s.trajectories.find("employee", ident)
            found.append(employee_facts(person, employer_id, trajectories))
        return found

    def registrations(
        self, policy_id: uuid.UUID, employee_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[Registration]]:
        wanted = set(employee_ids)
        found: dict[uuid.UUID, list[Registration]] = defaultdict(list)
        for r in self._s.policy_registrations.find("policy", policy_id):
            if r.employee_id in wanted:
                found[r.employee_id].append(r)
        return {k: sorted(v, key=lambda r: r.period.start) for k, v in found.items()}

    def _inputs(
        self, policy_id: uuid.UUID, employer_id: uuid.UUID, ident: uuid.UUID, key: str
    ) -> str:
        facts = self.facts(employer_id, [ident])
        manual = sorted(
            (r.period.start, r.period.end, r.included, r.note)
            for r in self._s.policy_registrations.find("participant", (policy_id, ident))
            if r.is_manual
        )
        return repr((key, facts, manual))

    def stale(
        self,
        policy_id: uuid.UUID,
        employer_id: uuid.UUID,
        after: uuid.UUID | None,
        last: uuid.UUID | None,
        key: str,
        evaluated_from: _dt.date,
    ) -> dict[uuid.UUID, str]:
        found = {}
        for ident in self.employee_ids(employer_id):
            if not _within(ident, after, last):
                continue
            stored = self._s.policy_participant_inputs.get((policy_id, ident))
            inputs = self._inputs(policy_id, employer_id, ident, key)
            if stored is None or stored[1] > evaluated_from or stored[0] != inputs:
                found[ident] = inputs
        return found

    def remember(
        self, policy_id: uuid.UUID, inputs: Mapping[uuid.UUID, str], evaluated_from: _dt.date
    ) -> None:
        for ident, text in inputs.items():
            self._s.policy_participant_inputs.put((policy_id, ident), (text, evaluated_from))

    def forget(self, policy_id: uuid.UUID, employee_id: uuid.UUID) -> None:
        if (policy_id, employee_id) in self._s.policy_participant_inputs:
            self._s.policy_participant_inputs.delete((policy_id, employee_id))

    def replace(self, remove: Sequence[uuid.UUID], add: Sequence[Registration]) -> None:
        for ident in remove:
            self._s.policy_registrations.delete(ident)
        for registration in add:
            self._s.policy_registrations.put(registration.id, registration)

    def add_run(self, run: RunRecord, chunks: Sequence[ChunkPlan]) -> None:
        self._s.policy_runs.put(run.id, run)
        for chunk in chunks:
            self._s.policy_run_chunks.put(
                (run.id, chunk.number), (run.id, ChunkState(plan=chunk, done=False))
            )

    def run(self, run_id: uuid.UUID) -> RunRecord:
        found: RunRecord | None = self._s.policy_runs.get(run_id)
        if found is None:
            raise NotFound("not_found", {"kind": "policy_run", "id": str(run_id)})
        return found

    def unfinished(self) -> list[RunRecord]:
        return sorted(
            (r for r in self._s.policy_runs.values() if r.finished_at is None),
            key=lambda r: (r.started_at, r.id),
        )

    def chunk(self, run_id: uuid.UUID, number: int) -> ChunkPlan | None:
        found = self._s.policy_run_chunks.get((run_id, number))
        return None if found is None else found[1].plan

    def supersede(self, run_id: uuid.UUID, at: pendulum.DateTime) -> None:
        for state in self.chunks(run_id):
            if not state.done:
                self.finish_chunk(run_id, state)
        run = self._s.policy_runs.get(run_id)
        if run is not None and run.finished_at is None:
            self._s.policy_runs.put(run_id, attrs.evolve(run, finished_at=at))

    def chunks(self, run_id: uuid.UUID) -> list[ChunkState]:
        return sorted(
            (state for _, state in self._s.policy_run_chunks.find("run", run_id)),
            key=lambda s: s.plan.number,
        )

    def claim_chunk(self, run_id: uuid.UUID, number: int) -> ChunkPlan | None:
        found = self._s.policy_run_chunks.get((run_id, number))
        if found is None:
            raise NotFound("not_found", {"kind": "policy_run_chunk", "id": f"{run_id}/{number}"})
        state: ChunkState = found[1]
        return None if state.done else state.plan

    def finish_chunk(self, run_id: uuid.UUID, state: ChunkState) -> None:
        key = (run_id, state.plan.number)
        self._s.policy_run_chunks.put(key, (run_id, attrs.evolve(state, done=True)))

    def finish_run(self, run_id: uuid.UUID, at: pendulum.DateTime) -> bool:
        run = self._s.policy_runs.get(run_id)
        if run is None or run.finished_at is not None:
            return False
        if any(not state.done for state in self.chunks(run_id)):
            return False
        self._s.policy_runs.put(run_id, attrs.evolve(run, finished_at=at))
        return True
