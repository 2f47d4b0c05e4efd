"""R3.1 set-based: the database adds up the sums per (employer, department) pair
(:mod:`xs_core.reports.sums`) with three ``GROUP BY`` queries; no employee is loaded into Python.

*Segments* are the employment versions at the report's employers overlapping the period, clipped
to it: ``seg_from``/``seg_until`` (exclusive) and the hours in hundredths, at most 4,000 (the
part-time factor is hours / 40, at most 1). Then per pair:

1. the employment days ``Σ days`` and ``Σ days × hours`` (÷ 4,000: the available days);
2. the absent days: the *steps* of each sickness report — 100 % absent from the first sick day
   up to the first recovery report, then ``100 − recovered %`` from each report up to the next
   (``LEAD``), each step cut at the trajectory's closing (its exclusive end) — intersected with
   the segments of the same employee: ``Σ overlap days × hours × absent %`` (÷ 400,000);
3. the reports: a new one (first sick day in the period) counts in the pair of the segment that
   runs on that day, an ended one (its last day of absence, the day before the recovery date, in
   the period) in the pair of the segment running on its last day, with its duration's category
   and days. A report whose day lies in several segments comes back once per segment
   (``COUNT(*) OVER (PARTITION BY report)``), and the core counts it once per row.

The recovery date is the date of the last recovery report when that one is a full recovery, or
the trajectory's (exclusive) end when it closed before that — as
:meth:`xs_core.reports.absence.SicknessReport.of`.

Dates: SQLite stores them as ISO text (``julianday`` for day counts, ``max``/``min`` with two
arguments for the later/earlier date); PostgreSQL subtracts dates and has ``GREATEST``/``LEAST``.
The integers are summed exactly (``BIGINT``); the decimals follow in Python.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from xs_adapters.sql import tables as t
from xs_adapters.sql.types import PendulumDate
from xs_core.dates import DateRange
from xs_core.protocols.model import ProtocolKind
from xs_core.reports.categories import DurationCategories
from xs_core.reports.sums import AbsenceSums, PairSums, SharedReport

#: Up to this many employers the queries name them (``IN``, by the employer indexes); for more,
#: every segment is summed and the pairs outside the report's units count nowhere (a scan is
#: what the database does for so many employers anyway, and it keeps the statement small).
EMPLOYERS_NAMED = 1000
#: Hours per week in hundredths for a full-time employment (40 hours).
_FULL_TIME = 4000
#: Σ days × hours in hundredths ÷ this = available days; Σ … × absent % ÷ (this × 100).
_AVAILABLE = Decimal(_FULL_TIME)
_ABSENT = Decimal(_FULL_TIME * 100)


class _Days(FunctionElement[int]):
    """Calendar days from the first date to the second (an integer)."""

    type = sa.Integer()
    inherit_cache = True
    name = "xs_days"


class _Later(FunctionElement[Any]):
    """The later of two dates."""

    inherit_cache = True
    name = "xs_later"


class _Earlier(FunctionElement[Any]):
    """The earlier of two dates."""

    inherit_cache = True
    name = "xs_earlier"


def _two(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    first, second = list(element.clauses)
    return compiler.process(first, **kw), compiler.process(second, **kw)


@compiles(_Days)
def _days_postgresql(element: _Days, compiler: SQLCompiler, **kw: Any) -> str:
    first, second = _two(element, compiler, **kw)
    return f"({second} - {first})"


@compiles(_Days, "sqlite")
def _days_sqlite(element: _Days, compiler: SQLCompiler, **kw: Any) -> str:
    first, second = _two(element, compiler, **kw)
    return f"CAST(julianday({second}) - julianday({first}) AS INTEGER)"


@compiles(_Later)
def _later_postgresql(element: _Later, compiler: SQLCompiler, **kw: Any) -> str:
    return "GREATEST({}, {})".format(*_two(element, compiler, **kw))


@compiles(_Later, "sqlite")
def _later_sqlite(element: _Later, compiler: SQLCompiler, **kw: Any) -> str:
    return "max({}, {})".format(*_two(element, compiler, **kw))


@compiles(_Earlier)
def _earlier_postgresql(element: _Earlier, compiler: SQLCompiler, **kw: Any) -> str:
    return "LEAST({}, {})".format(*_two(element, compiler, **kw))


@compiles(_Earlier, "sqlite")
def _earlier_sqlite(element: _Earlier, compiler: SQLCompiler, **kw: Any) -> str:
    return "min({}, {})".format(*_two(element, compiler, **kw))


class _Unindexed(FunctionElement[Any]):
    """A column the SQLite planner may not look up by index here (unary ``+``, the documented
    way to disqualify a term); the column itself elsewhere."""

    inherit_cache = True
    name = "xs_unindexed"


@compiles(_Unindexed)
def _unindexed_postgresql(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return str(compiler.process(column, **kw))


@compiles(_Unindexed, "sqlite")
def _unindexed_sqlite(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return f"+{compiler.process(column, **kw)}"


def _date(value: object) -> Any:
    return sa.literal(value, PendulumDate())


def _big(value: Any) -> Any:
    return sa.cast(value, sa.BigInteger)


class SqlAbsenceSums:
    """The sums of R3.1 per pair, computed by the database (see the module's docstring)."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def absence_sums(
        self,
        employer_ids: Sequence[uuid.UUID],
        period: DateRange,
        categories: DurationCategories,
    ) -> AbsenceSums:
        if not employer_ids or period.end is None:
            return AbsenceSums(())
        start, end = _date(period.start), _date(period.end)
        employers = sorted(set(employer_ids))
        segments = self._segments(employers, start, end)
        sums: dict[tuple[object, object], PairSums] = {}
        idents: dict[object, uuid.UUID] = {}

        def ident(value: object) -> uuid.UUID:
            """A stored id as a UUID (SQLite stores hex text; PostgreSQL gives UUIDs)."""
            found = idents.get(value)
            if found is None:
                found = idents[value] = (
                    value if isinstance(value, uuid.UUID) else uuid.UUID(hex=str(value))
                )
            return found

        def pair(employer_id: object, department_id: object) -> PairSums:
            found = sums.get((employer_id, department_id))
            if found is None:
                found = sums[(employer_id, department_id)] = PairSums(
                    ident(employer_id),
                    None if department_id is None else ident(department_id),
                    per_category=[0] * len(categories),
                )
            return found

        every = self._segments(employers, start, end, every=True)
        for row in self._c.execute(self._days_query(every)):
            into = pair(row.employer_id, row.department_id)
            into.employment_days = int(row.days)
            into.available_days = Decimal(int(row.available)) / _AVAILABLE
        for row in self._c.execute(self._absent_query(segments, start, end)):
            pair(row.employer_id, row.department_id).absent_days = (
                Decimal(int(row.absent)) / _ABSENT
            )
        shared: list[SharedReport] = []
        for ended in (False, True):
            for row in self._c.execute(
                self._reports_query(segments, start, end, ended, categories)
            ):
                if row.report_id is not None:
                    shared.append(
                        SharedReport(
                            str(row.report_id),
                            ended,
                            ident(row.employer_id),
                            None if row.department_id is None else ident(row.department_id),
                            int(row.duration),
                        )
                    )
                    continue
                into = pair(row.employer_id, row.department_id)
                if not ended:
                    into.new_reports = int(row.reports)
                    continue
                into.ended_reports += int(row.reports)
                into.ended_days += int(row.duration)
                into.per_category[int(row.category)] += int(row.reports)
        return AbsenceSums(tuple(sums.values()), tuple(shared))

    def _segments(
        self, employers: list[uuid.UUID], start: Any, end: Any, every: bool = False
    ) -> Any:
        """The segments, inlined where they are used (``NOT MATERIALIZED``): joined to the
        sickness reports they are looked up per employee (``employments.employee_id``). With
        ``every`` (the employment days, which read every segment) and more employers than
        :data:`EMPLOYERS_NAMED` the versions are read first, each employment found by its key:
        SQLite would otherwise walk the employments by employer and look each version up, twice
        as slow (for named employers their index is the way in)."""
        e, v = t.employments, t.employment_versions
        named = len(employers) <= EMPLOYERS_NAMED
        employment_id = v.c.employment_id if named or not every else _Unindexed(v.c.employment_id)
        hours = sa.case(
            (v.c.hours_per_week >= 40, _FULL_TIME),
            else_=sa.cast(sa.func.round(v.c.hours_per_week * 100), sa.Integer),
        )
        query = (
            sa.select(
                e.c.employee_id,
                # as stored (no conversion per row): ``ident()`` turns each id into a UUID once
                sa.type_coerce(e.c.employer_id, sa.String).label("employer_id"),
                sa.type_coerce(v.c.department_id, sa.String).label("department_id"),
                _Later(v.c.valid_from, start).label("seg_from"),
                _Earlier(sa.func.coalesce(v.c.valid_until, end), end).label("seg_until"),
                hours.label("hours"),
            )
            .select_from(v.join(e, e.c.id == employment_id))
            .where(
                e.c.start_date < end,
                sa.or_(e.c.end_date.is_(None), e.c.end_date > start),
                v.c.valid_from < end,
                sa.or_(v.c.valid_until.is_(None), v.c.valid_until > start),
            )
        )
        if named:
            query = query.where(e.c.employer_id.in_(employers))
        return query.cte("segments").prefix_with("NOT MATERIALIZED")

    def _days_query(self, segments: Any) -> Any:
        days = _big(_Days(segments.c.seg_from, segments.c.seg_until))
        return sa.select(
            segments.c.employer_id,
            segments.c.department_id,
            sa.func.sum(days).label("days"),
            sa.func.sum(days * segments.c.hours).label("available"),
        ).group_by(segments.c.employer_id, segments.c.department_id)

    def _absent_query(self, segments: Any, start: Any, end: Any) -> Any:
        tr, rr = t.trajectories, t.recovery_reports
        sick = [tr.c.kind == ProtocolKind.SICKNESS.value, tr.c.start_date < end]
        first_report = (
            sa.select(sa.func.min(rr.c.date)).where(rr.c.trajectory_id == tr.c.id).scalar_subquery()
        )
        # 100 % absent from the first sick day up to the first recovery report (or open) …
        opening = sa.select(
            tr.c.employee_id,
            tr.c.start_date.label("step_from"),
            first_report.label("step_until"),
            sa.literal(100).label("absent"),
            tr.c.end_date.label("closed"),
        ).where(*sick)
        # … then 100 − recovered % from each report up to the next one (or open)
        following = (
            sa.select(
                tr.c.employee_id,
                rr.c.date.label("step_from"),
                sa.func.lead(rr.c.date)
                .over(partition_by=rr.c.trajectory_id, order_by=rr.c.date)
                .label("step_until"),
                (100 - rr.c.recovered_percentage).label("absent"),
                tr.c.end_date.label("closed"),
            )
            .select_from(rr.join(tr, tr.c.id == rr.c.trajectory_id))
            .where(*sick)
        )
        steps = sa.union_all(opening, following).subquery("steps")
        step_until = _Earlier(
            sa.func.coalesce(steps.c.step_until, end), sa.func.coalesce(steps.c.closed, end)
        )
        overlap_from = _Later(steps.c.step_from, segments.c.seg_from)
        overlap_until = _Earlier(step_until, segments.c.seg_until)
        overlap = _big(_Days(overlap_from, overlap_until))
        return (
            sa.select(
                segments.c.employer_id,
                segments.c.department_id,
                sa.func.sum(overlap * segments.c.hours * steps.c.absent).label("absent"),
            )
            .select_from(steps.join(segments, segments.c.employee_id == steps.c.employee_id))
            .where(
                steps.c.absent > 0,
                steps.c.step_from < end,
                overlap_from < overlap_until,
            )
            .group_by(segments.c.employer_id, segments.c.department_id)
        )

    def _reports_query(
        self, segments: Any, start: Any, end: Any, ended: bool, categories: DurationCategories
    ) -> Any:
        tr, rr = t.trajectories, t.recovery_reports
        # the last recovery report of each trajectory, when it is a full recovery: joined once
        # (a correlated subquery here would be evaluated again in every join filter)
        last = (
            sa.select(rr.c.trajectory_id, sa.func.max(rr.c.date).label("last_date"))
            .group_by(rr.c.trajectory_id)
            .subquery("last_report")
        )
        recovered = (
            sa.select(rr.c.trajectory_id, rr.c.date.label("full_date"))
            .select_from(
                rr.join(
                    last,
                    sa.and_(
                        last.c.trajectory_id == rr.c.trajectory_id, last.c.last_date == rr.c.date
                    ),
                )
            )
            .where(rr.c.recovered_percentage == 100)
            .subquery("full_recovery")
        )
        full = recovered.c.full_date
        reports = (
            sa.select(
                tr.c.id,
                tr.c.employee_id,
                tr.c.start_date.label("first_day"),
                sa.case(
                    (full.is_(None), tr.c.end_date),
                    (tr.c.end_date.is_(None), full),
                    else_=_Earlier(full, tr.c.end_date),
                ).label("recovered_on"),
            )
            .select_from(tr.outerjoin(recovered, recovered.c.trajectory_id == tr.c.id))
            .where(tr.c.kind == ProtocolKind.SICKNESS.value, tr.c.start_date < end)
            .cte("reports")
        )
        if ended:
            # the last day of absence (the day before the recovery date) in the period and in
            # the segment: seg_from <= recovered_on - 1 < seg_until
            running = sa.and_(
                reports.c.recovered_on > start,
                reports.c.recovered_on <= end,
                segments.c.seg_from < reports.c.recovered_on,
                reports.c.recovered_on <= segments.c.seg_until,
            )
            duration: Any = _Days(reports.c.first_day, reports.c.recovered_on)
        else:
            running = sa.and_(
                reports.c.first_day >= start,
                segments.c.seg_from <= reports.c.first_day,
                reports.c.first_day < segments.c.seg_until,
            )
            duration = sa.literal(0)
        category = sa.case(
            *((duration <= last, position) for position, last in enumerate(categories.last_days)),
            else_=len(categories.last_days),
        )
        hits = (
            sa.select(
                reports.c.id.label("report_id"),
                segments.c.employer_id,
                segments.c.department_id,
                duration.label("duration"),
                category.label("category"),
                sa.func.count().over(partition_by=reports.c.id).label("segments"),
            )
            .select_from(reports.join(segments, segments.c.employee_id == reports.c.employee_id))
            .where(running)
            .cte("hits")
        )
        alone = (
            sa.select(
                hits.c.employer_id,
                hits.c.department_id,
                sa.null().label("report_id"),
                hits.c.category,
                sa.func.count().label("reports"),
                sa.func.sum(_big(hits.c.duration)).label("duration"),
            )
            .where(hits.c.segments == 1)
            .group_by(hits.c.employer_id, hits.c.department_id, hits.c.category)
        )
        several = sa.select(
            hits.c.employer_id,
            hits.c.department_id,
            hits.c.report_id,
            hits.c.category,
            sa.literal(1).label("reports"),
            _big(hits.c.duration).label("duration"),
        ).where(hits.c.segments > 1)
        return sa.union_all(alone, several)
