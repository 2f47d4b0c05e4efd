"""In-memory protocols, trajectories and bulk start, held to the SQL adapters' contract."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable, Iterable, Mapping

from xs_adapters.memory.search import SearchEntry
from xs_adapters.memory.store import MemoryStore, _copy, _missing, subtrees
from xs_core.access.model import ResolvedScope
from xs_core.dates import DateRange, as_date
from xs_core.errors import Conflict
from xs_core.events import Aggregate
from xs_core.organisation.search import index_name
from xs_core.protocols.bulk import (
    BulkOutcome,
    BulkStartPlan,
    BulkUnit,
    Candidate,
    SicknessFacts,
)
from xs_core.protocols.model import Protocol, ProtocolKind, Task, Trajectory
from xs_core.protocols.ports import StoredBulkRequest


class MemoryProtocolRepository:
    def __init__(self, store: MemoryStore, track: Callable[[Aggregate], None]) -> None:
        self._s = store
        self._track = track

    def add(self, protocol: Protocol) -> None:
        self._s.protocols.put(protocol.id, _copy(protocol))
        self._track(protocol)

    save = add

    def get(self, protocol_id: uuid.UUID) -> Protocol:
        if protocol_id not in self._s.protocols:
            raise _missing("protocol", protocol_id)
        return _copy(self._s.protocols[protocol_id])

    lock = get  # one writer at a time: the store's lock is held

    def list(self) -> list[Protocol]:
        return [_copy(p) for p in sorted(self._s.protocols.values(), key=lambda p: p.name)]


def _refuse_overlap(store: MemoryStore, trajectory: Trajectory) -> None:
    """R2.2, as PostgreSQL's exclusion constraint and the SQLite repository hold it: no other
    trajectory of the protocol for the employee overlaps."""
    for other in store.trajectories.find("employee", trajectory.employee_id):
        if (
            other.id != trajectory.id
            and other.protocol_id == trajectory.protocol_id
            and other.period.overlaps(trajectory.period)
        ):
            raise Conflict(
                "trajectory.overlaps",
                {"rule": "R2.2", "trajectory_id": str(other.id), "period": str(other.period)},
            )


class MemoryTrajectoryRepository:
    def __init__(self, store: MemoryStore, track: Callable[[Aggregate], None]) -> None:
        self._s = store
        self._track = track

    def add(self, trajectory: Trajectory) -> None:
        _refuse_overlap(self._s, trajectory)
        self._s.trajectories.put(trajectory.id, _copy(trajectory))
        self._track(trajectory)

    save = add

    def get(self, trajectory_id: uuid.UUID) -> Trajectory:
        if trajectory_id not in self._s.trajectories:
            raise _missing("trajectory", trajectory_id)
        return _copy(self._s.trajectories[trajectory_id])

    lock = get  # one writer at a time: the store's lock is held

    def for_employee(self, employee_id: uuid.UUID) -> list[Trajectory]:
        found = self._s.trajectories.find("employee", employee_id)
        return [_copy(x) for x in sorted(found, key=lambda x: (x.period.start, str(x.id)))]


class MemoryBulkStartStore:
    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    def _departments(self, root: uuid.UUID | None) -> set[uuid.UUID]:
        return subtrees(self._s, [root] if root is not None and root in self._s.departments else [])

    def _employment_in_unit(
        self, employee_id: uuid.UUID, unit: BulkUnit, start: _dt.date
    ) -> uuid.UUID | None:
        employee = self._s.employees.get(employee_id)
        if employee is None:
            return None
        tree = self._departments(unit.department_id) if unit.department_id else set()
        matches = []
        for m in employee.employments_on(start):
            if unit.employer_ids:
                if m.employer_id in unit.employer_ids:
                    matches.append(m)
            else:
                conditions = m.conditions_on(start)
                if conditions is not None and conditions.department_id in tree:
                    matches.append(m)
        if not matches:
            return None
        return min(matches, key=lambda m: (not m.is_leading, str(m.id))).id

    def _visible(self, employee_id: uuid.UUID, scope: ResolvedScope) -> bool:
        if scope.everything:
            return True
        entry: SearchEntry | None = self._s.employees.derived("search").get(employee_id)
        if entry is None:
            return False
        return any(
            employer in scope.employer_ids or department in scope.department_ids
            for employer, department in entry.document.places
        )

    def proposal(
        self, unit: BulkUnit, start: _dt.date, scope: ResolvedScope, with_names: bool = True
    ) -> list[Candidate]:
        found = []
        for employee in self._s.employees.values():
            employment = self._employment_in_unit(employee.id, unit, start)
            if employment is not None and self._visible(employee.id, scope):
                found.append(
                    (
                        index_name(employee.full_name),
                        str(employee.id),
                        Candidate(employee.id, employment, employee.full_name),
                    )
                )
        return [c for _, _, c in sorted(found, key=lambda f: (f[0], f[1]))]

    def proposed_ids(
        self, unit: BulkUnit, start: _dt.date, scope: ResolvedScope
    ) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
        ordered = sorted(self.proposal(unit, start, scope), key=lambda c: c.employee_id.int)
        return [c.employee_id for c in ordered], [c.employment_id for c in ordered]

    def in_scope(
        self, employee_ids: Iterable[uuid.UUID], scope: ResolvedScope
    ) -> frozenset[uuid.UUID]:
        return frozenset(e for e in employee_ids if self._visible(e, scope))

    def employments_in_unit(
        self, employee_ids: Iterable[uuid.UUID], unit: BulkUnit, start: _dt.date
    ) -> dict[uuid.UUID, uuid.UUID]:
        found = {}
        for employee_id in employee_ids:
            employment = self._employment_in_unit(employee_id, unit, start)
            if employment is not None:
                found[employee_id] = employment
        return found

    def open_trajectories(self, protocol_id: uuid.UUID, period: DateRange) -> frozenset[uuid.UUID]:
        return frozenset(
            x.employee_id
            for x in self._s.trajectories.find("protocol", protocol_id)
            if x.period.overlaps(period)
        )

    def absent_from(self, employee_ids: Iterable[uuid.UUID], day: _dt.date) -> frozenset[uuid.UUID]:
        found = set()
        for employee_id in set(employee_ids):
            for x in self._s.trajectories.find("employee", employee_id):
                if x.kind is not ProtocolKind.SICKNESS:
                    continue
                end = x.absence_period().end
                if end is None or end > day:
                    found.add(employee_id)
        return frozenset(found)

    def sickness_facts(
        self, employments: Mapping[uuid.UUID, uuid.UUID]
    ) -> dict[uuid.UUID, SicknessFacts]:
        found: dict[uuid.UUID, SicknessFacts] = {}
        for employee_id, employment_id in employments.items():
            employee = self._s.employees.get(employee_id)
            if employee is None:
                continue
            for employment in employee.employments:
                if employment.id == employment_id:
                    found[employee_id] = SicknessFacts(employee.birth_date, employment.period.start)
        return found

    def claim(
        self,
        request_id: uuid.UUID,
        fingerprint: str,
        requested_by: uuid.UUID,
        protocol_id: uuid.UUID,
    ) -> StoredBulkRequest | None:
        if request_id in self._s.bulk_requests:
            return self._s.bulk_requests[request_id]
        self._s.bulk_requests.put(request_id, StoredBulkRequest(request_id, fingerprint, ()))
        return None

    def start_all(self, plan: BulkStartPlan) -> None:
        period = plan.request.period
        blocked = self.open_trajectories(plan.protocol.id, period)
        for outcome in plan.outcomes:
            if outcome.trajectory_id is not None and outcome.employee_id in blocked:
                raise Conflict(
                    "trajectory.overlaps",
                    {"rule": "R2.2", "trajectory_id": "", "period": str(period)},
                )
        for outcome in plan.outcomes:
            if outcome.trajectory_id is None:
                continue
            trajectory = Trajectory(
                id=outcome.trajectory_id,
                protocol_id=plan.protocol.id,
                kind=plan.protocol.kind,
                employee_id=outcome.employee_id,
                employment_id=plan.employments.get(outcome.employee_id),
                period=period,
                tasks=[
                    Task(
                        id=uuid.uuid4(),
                        code=t.code,
                        title=t.title,
                        added_on=as_date(plan.today),
                        reason=reason,
                    )
                    for t, reason in plan.tasks_for(outcome.employee_id)
                ],
                bulk_request_id=plan.request.request_id,
                compensation=plan.compensation.get(outcome.employee_id),
            )
            self._s.trajectories.put(trajectory.id, trajectory)
        stored = self._s.bulk_requests[plan.request.request_id]
        self._s.bulk_requests.put(
            plan.request.request_id,
            StoredBulkRequest(
                stored.request_id,
                stored.fingerprint,
                tuple(sorted(plan.outcomes, key=lambda o: o.employee_id.int)),
            ),
        )


__all__ = [
    "BulkOutcome",
    "MemoryBulkStartStore",
    "MemoryProtocolRepository",
    "MemoryTrajectoryRepository",
]
