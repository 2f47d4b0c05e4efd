"""The ports of the reports context (R3.1–R3.3)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Protocol

from xs_core.dates import DateRange
from xs_core.reports.absence import EmployeeAbsence
from xs_core.reports.categories import DurationCategories
from xs_core.reports.sums import AbsenceSums
from xs_core.reports.wia import WiaClaim


class AbsenceFacts(Protocol):
    """What R3.1 reads. The report itself reads :meth:`absence_sums`: the sums per employer and
    department, added up set-based (in SQL by the database). :meth:`absence_facts` gives the
    facts per employee — the employees with an employment at one of the employers during the
    period, each with the employment segments (versions) overlapping it and their sickness
    reports, streamed in chunks ordered by employee id — from which the reference tally
    (:func:`~xs_core.reports.absence.absence_per_unit`) computes the same rows."""

    def absence_sums(
        self,
        employer_ids: Sequence[uuid.UUID],
        period: DateRange,
        categories: DurationCategories,
    ) -> AbsenceSums:
        """The sums of R3.1 per (employer, department) pair over the segments at
        ``employer_ids`` (:mod:`xs_core.reports.sums`); pairs at other employers may be
        included (they count in no row of the report)."""
        ...

    def absence_facts(
        self, employer_ids: Sequence[uuid.UUID], period: DateRange
    ) -> Iterator[EmployeeAbsence]:
        """Every employee with an employment at one of ``employer_ids`` overlapping ``period``:
        only those segments (at those employers), and every sickness report whose absence
        overlaps the period."""
        ...


class WiaClaimRepository(Protocol):
    """The WIA claims (R3.2, R3.3)."""

    def add(self, claim: WiaClaim) -> None: ...

    def get(self, claim_id: uuid.UUID) -> WiaClaim: ...

    def lock(self, claim_id: uuid.UUID) -> WiaClaim:
        """The claim, locked until the transaction ends (read-check-write)."""
        ...

    def save(self, claim: WiaClaim) -> None: ...

    def for_employers(self, employer_ids: Sequence[uuid.UUID]) -> Iterator[WiaClaim]:
        """The claims at these employers, by employer, start date and id, streamed."""
        ...
