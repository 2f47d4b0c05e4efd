"""The ports of the reports context (R3.1)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Protocol

from xs_core.dates import DateRange
from xs_core.reports.absence import EmployeeAbsence


class AbsenceFacts(Protocol):
    """What R3.1 reads, set-based: the employees with an employment at one of the employers
    during the period, each with the employment segments (versions) overlapping it and their
    sickness reports, streamed in chunks ordered by employee id so that memory stays flat."""

    def absence_facts(
        self, employer_ids: Sequence[uuid.UUID], period: DateRange
    ) -> Iterator[EmployeeAbsence]:
        """Every employee with an employment at one of ``employer_ids`` overlapping ``period``:
        only those segments (at those employers), and every sickness report whose absence
        overlaps the period."""
        ...
