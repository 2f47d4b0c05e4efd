"""The in-memory absence facts of R3.1, held to the same contract as the SQL adapter."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence

from xs_adapters.memory.store import MemoryStore, _copy, _missing
from xs_core.dates import DateRange
from xs_core.events import Aggregate
from xs_core.protocols.model import ProtocolKind
from xs_core.reports.absence import EmployeeAbsence, employee_absence
from xs_core.reports.categories import DurationCategories
from xs_core.reports.sums import AbsenceSums, sums_of_facts
from xs_core.reports.wia import WiaClaim


class MemoryAbsenceFacts:
    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    def absence_sums(
        self,
        employer_ids: Sequence[uuid.UUID],
        period: DateRange,
        categories: DurationCategories,
    ) -> AbsenceSums:
        """The sums per pair from the facts per employee (the reference, R3.1)."""
        return sums_of_facts(self.absence_facts(employer_ids, period), period, categories)

    def absence_facts(
        self, employer_ids: Sequence[uuid.UUID], period: DateRange
    ) -> Iterator[EmployeeAbsence]:
        wanted = set(employer_ids)
        for employee in sorted(self._s.employees.values(), key=lambda e: e.id):
            versions = [
                (employment.employer_id, v.valid, v.conditions.department_id,
                 v.conditions.hours_per_week)
                for employment in employee.employments
                if employment.employer_id in wanted and employment.period.overlaps(period)
                for v in employment.versions
            ]  # fmt: skip
            if not any(valid.overlaps(period) for _, valid, _, _ in versions):
                continue
            sickness = [
                (t.period.start, t.recovery_reports, t.period.end)
                for t in self._s.trajectories.find("employee", employee.id)
                if t.kind is ProtocolKind.SICKNESS
            ]
            yield employee_absence(employee.id, versions, sickness, period)


class MemoryWiaClaimRepository:
    def __init__(self, store: MemoryStore, track: Callable[[Aggregate], None]) -> None:
        self._s = store
        self._track = track

    def _put(self, claim: WiaClaim) -> None:
        self._s.wia_claims.put(claim.id, _copy(claim))
        self._track(claim)

    add = save = _put

    def get(self, claim_id: uuid.UUID) -> WiaClaim:
        if claim_id not in self._s.wia_claims:
            raise _missing("wia_claim", claim_id)
        return _copy(self._s.wia_claims[claim_id])

    lock = get  # one writer at a time: the store's lock is held

    def for_employers(self, employer_ids: Sequence[uuid.UUID]) -> Iterator[WiaClaim]:
        found = [
            claim
            for employer in set(employer_ids)
            for claim in self._s.wia_claims.find("employer", employer)
        ]
        for claim in sorted(found, key=lambda c: (str(c.employer_id), c.start, str(c.id))):
            yield _copy(claim)
