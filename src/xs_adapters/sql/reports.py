"""The absence facts of R3.1 per employee (R3.1, R3.4): the reference the set-based sums of
:mod:`xs_adapters.sql.absence_sums` (what the report reads) are tested against.

The employees with an employment at the report's employers during the period are read in chunks
of :data:`CHUNK` by employee id (keyset over the employees' primary key, each probed for such an
employment): per chunk three queries — the employment versions
overlapping the period, the sickness trajectories, their recovery reports — never a query per
employee, and memory holds one chunk at a time.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import pendulum
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xs_adapters.sql import tables as t
from xs_adapters.sql.absence_sums import SqlAbsenceSums
from xs_adapters.sql.locking import lock_row
from xs_core.dates import DateRange
from xs_core.errors import NotFound
from xs_core.events import Aggregate
from xs_core.money import Money
from xs_core.protocols.model import ProtocolKind
from xs_core.protocols.sickness import RecoveryReport
from xs_core.reports.absence import EmployeeAbsence, employee_absence
from xs_core.reports.wia import OutflowReason, WiaBenefit, WiaClaim

#: Employees per chunk.
CHUNK = 2000


class SqlAbsenceFacts(SqlAbsenceSums):
    """The sums per pair (the report) and the facts per employee (the reference)."""

    def absence_facts(
        self, employer_ids: Sequence[uuid.UUID], period: DateRange
    ) -> Iterator[EmployeeAbsence]:
        if not employer_ids or period.end is None:
            return
        employers = sorted(set(employer_ids))
        e, emp = t.employments, t.employees
        overlapping = [
            e.c.employer_id.in_(employers),
            e.c.start_date < period.end,
            sa.or_(e.c.end_date.is_(None), e.c.end_date > period.start),
        ]
        # the employees in id order (the primary key), each probed for an employment of the
        # report (by ix_employments_employee_id): a chunk stops at CHUNK hits, so every chunk
        # costs what it returns and never sorts all employments again
        employed = sa.exists().where(e.c.employee_id == emp.c.id, *overlapping)
        after: uuid.UUID | None = None
        while True:
            query = sa.select(emp.c.id).where(employed)
            if after is not None:
                query = query.where(emp.c.id > after)
            ids = list(self._c.scalars(query.order_by(emp.c.id).limit(CHUNK)))
            if not ids:
                return
            yield from self._chunk(ids, employers, period, overlapping)
            if len(ids) < CHUNK:
                return
            after = ids[-1]

    def _chunk(
        self,
        ids: list[uuid.UUID],
        employers: list[uuid.UUID],
        period: DateRange,
        overlapping: list[Any],
    ) -> Iterator[EmployeeAbsence]:
        e, v = t.employments, t.employment_versions
        tr, rr = t.trajectories, t.recovery_reports
        end = period.end
        assert end is not None
        first, last = ids[0], ids[-1]
        in_chunk = [e.c.employee_id >= first, e.c.employee_id <= last, *overlapping]
        versions: dict[uuid.UUID, list[tuple[uuid.UUID, DateRange, uuid.UUID | None, Decimal]]]
        versions = defaultdict(list)
        for row in self._c.execute(
            sa.select(
                e.c.employee_id,
                e.c.employer_id,
                v.c.valid_from,
                v.c.valid_until,
                v.c.department_id,
                v.c.hours_per_week,
            )
            .join(e, e.c.id == v.c.employment_id)
            .where(
                *in_chunk,
                v.c.valid_from < end,
                sa.or_(v.c.valid_until.is_(None), v.c.valid_until > period.start),
            )
        ):
            versions[row.employee_id].append(
                (
                    row.employer_id,
                    DateRange(row.valid_from, row.valid_until),
                    row.department_id,
                    Decimal(row.hours_per_week),
                )
            )
        sick = [
            tr.c.kind == ProtocolKind.SICKNESS.value,
            tr.c.employee_id >= first,
            tr.c.employee_id <= last,
            tr.c.start_date < end,
        ]
        recoveries: dict[uuid.UUID, list[RecoveryReport]] = defaultdict(list)
        for report in self._c.execute(
            sa.select(rr.c.trajectory_id, rr.c.date, rr.c.recovered_percentage)
            .join(tr, tr.c.id == rr.c.trajectory_id)
            .where(*sick)
            .order_by(rr.c.trajectory_id, rr.c.date)
        ):
            recoveries[report.trajectory_id].append(
                RecoveryReport(report.date, report.recovered_percentage)
            )
        sickness: dict[
            uuid.UUID, list[tuple[pendulum.Date, tuple[RecoveryReport, ...], pendulum.Date | None]]
        ] = defaultdict(list)
        for trajectory in self._c.execute(
            sa.select(tr.c.id, tr.c.employee_id, tr.c.start_date, tr.c.end_date).where(*sick)
        ):
            sickness[trajectory.employee_id].append(
                (
                    trajectory.start_date,
                    tuple(recoveries.get(trajectory.id, ())),
                    trajectory.end_date,
                )
            )
        for employee_id in ids:
            yield employee_absence(
                employee_id, versions[employee_id], sickness.get(employee_id, ()), period
            )


# -- WIA claims (R3.2, R3.3) ----------------------------------------------------------------------


def _claim_values(claim: WiaClaim) -> dict[str, Any]:
    return {
        "employee_id": claim.employee_id,
        "employer_id": claim.employer_id,
        "start_date": claim.start,
        "benefit": claim.benefit.value,
        "monthly_wage": claim.monthly_wage.amount,
        "income_from_work": None
        if claim.income_from_work is None
        else claim.income_from_work.amount,
        "own_risk_end": claim.own_risk_end,
        "outflow_date": claim.outflow_date,
        "outflow_reason": None if claim.outflow_reason is None else claim.outflow_reason.value,
    }


def _claim(row: Any) -> WiaClaim:
    return WiaClaim(
        id=row.id,
        employee_id=row.employee_id,
        employer_id=row.employer_id,
        start=row.start_date,
        benefit=WiaBenefit(row.benefit),
        monthly_wage=Money(row.monthly_wage),
        income_from_work=None if row.income_from_work is None else Money(row.income_from_work),
        own_risk_end=row.own_risk_end,
        outflow_date=row.outflow_date,
        outflow_reason=None if row.outflow_reason is None else OutflowReason(row.outflow_reason),
    )


class SqlWiaClaimRepository:
    def __init__(self, connection: Connection, track: Callable[[Aggregate], None]) -> None:
        self._c = connection
        self._track = track

    def add(self, claim: WiaClaim) -> None:
        self._c.execute(t.wia_claims.insert().values(id=claim.id, **_claim_values(claim)))
        self._track(claim)

    def save(self, claim: WiaClaim) -> None:
        w = t.wia_claims
        self._c.execute(w.update().where(w.c.id == claim.id).values(**_claim_values(claim)))
        self._track(claim)

    def get(self, claim_id: uuid.UUID) -> WiaClaim:
        w = t.wia_claims
        row = self._c.execute(sa.select(w).where(w.c.id == claim_id)).first()
        if row is None:
            raise NotFound("not_found", {"kind": "wia_claim", "id": str(claim_id)})
        return _claim(row)

    def lock(self, claim_id: uuid.UUID) -> WiaClaim:
        lock_row(self._c, t.wia_claims, claim_id)
        return self.get(claim_id)

    def for_employers(self, employer_ids: Sequence[uuid.UUID]) -> Iterator[WiaClaim]:
        w = t.wia_claims
        wanted = sorted(set(employer_ids))
        for start in range(0, len(wanted), CHUNK):
            part = wanted[start : start + CHUNK]
            query = (
                sa.select(w)
                .where(w.c.employer_id.in_(part))
                .order_by(w.c.employer_id, w.c.start_date, w.c.id)
            )
            for row in self._c.execute(query):
                yield _claim(row)
