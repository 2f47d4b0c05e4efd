"""The SQL side of the nightly evaluation (R6.6): the facts of a chunk of employees in a few
set-based queries, registrations replaced in bulk, and the run's chunks with their done marks.

Locks (docs/concurrency.md): a chunk's row is locked (``FOR UPDATE``) for its whole transaction,
so a chunk taken twice is worked once; its policy is share-locked (``FOR SHARE``), so a manual
registration (which locks the policy ``FOR UPDATE``) and a chunk never interleave; the run's row is
locked before its remaining chunks are counted, so exactly one chunk finishes the run. SQLite's
single writer (``BEGIN IMMEDIATE``) gives the same order.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import pendulum
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from xs_adapters.policy_codec import codes
from xs_adapters.sql import tables as t
from xs_adapters.sql.conflicts import EXCLUSION_VIOLATION, sqlstate
from xs_adapters.sql.copy import COPY_FROM, COPY_NULL, copy_lines, copy_text
from xs_adapters.sql.policies import overlap, registration_from_row
from xs_adapters.sql.policy_inputs import stale_query
from xs_adapters.sql.types import Cents, PendulumDate
from xs_core.dates import date_range
from xs_core.errors import NotFound
from xs_core.organisation.model import EmploymentType
from xs_core.policies.model import Registration
from xs_core.policies.participation import (
    EmployeeFacts,
    EmploymentFacts,
    EmploymentVersionFacts,
    SicknessSpell,
)
from xs_core.policies.ports import ChunkState, RunRecord
from xs_core.policies.run import ChunkPlan
from xs_core.protocols.model import ProtocolKind
from xs_core.uuids import uuid_from_stored

_CENTS = Cents()
_TYPES = {kind.value: kind for kind in EmploymentType}

#: Ids per ``IN (…)`` list of a delete.
_IDS = 5_000


def _uuid_array(ids: Sequence[uuid.UUID]) -> str:
    """The text of a PostgreSQL ``uuid[]`` of ``ids`` (32 hex digits each, as PostgreSQL
    reads them)."""
    return "{" + ",".join([format(i.int, "032x") for i in ids]) + "}"


def _chunk_plan(row: Any) -> ChunkPlan:
    return ChunkPlan(
        number=row.number,
        policy_id=row.policy_id,
        employer_id=row.employer_id,
        after=row.after_id,
        last=row.last_id,
    )


def _run(row: Any) -> RunRecord:
    return RunRecord(
        id=row.id,
        on=row.on_date,
        policy_id=row.policy_id,
        started_by=row.started_by,
        started_at=row.started_at,
        chunk_size=row.chunk_size,
        finished_at=row.finished_at,
    )


class _Days:
    """Dates as the driver returns them (SQLite: ISO text) to :class:`pendulum.Date`, each
    distinct one converted once (what :class:`~xs_adapters.sql.types.PendulumDate` does)."""

    def __init__(self) -> None:
        self._seen: dict[Any, pendulum.Date] = {}

    def __call__(self, value: Any) -> Any:
        if value is None:
            return None
        found = self._seen.get(value)
        if found is None:
            day = _dt.date.fromisoformat(value) if isinstance(value, str) else value
            found = self._seen[value] = pendulum.Date(day.year, day.month, day.day)
        return found


def _day_or_none(day: _Days, text: str) -> Any:
    """A date of an inputs' text (``-``: none)."""
    return None if text == "-" else day(text)


def _cents(connection: Connection) -> Callable[[Any], Decimal | None]:
    """The salary column's own conversion of a driver value (:class:`Cents`)."""
    dialect = connection.dialect
    return lambda value: _CENTS.process_result_value(value, dialect)


def _with_id_texts(
    registrations: Iterable[Registration],
) -> Iterator[tuple[Registration, str, str]]:
    """Each registration with its policy's and its employee's id as 32 hex digits, each written
    once for consecutive registrations: a run's registrations of an employee share the same id
    object (an identity test, no comparison of values; a run writes millions)."""
    employee: uuid.UUID | None = None
    policy: uuid.UUID | None = None
    employee_hex = policy_hex = ""
    for r in registrations:
        if r.employee_id is not employee:
            employee, employee_hex = r.employee_id, r.employee_id.hex
        if r.policy_id is not policy:
            policy, policy_hex = r.policy_id, r.policy_id.hex
        yield r, policy_hex, employee_hex


class SqlPolicyRunStore:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._dialect = connection.dialect.name
        self._postgres = self._dialect == "postgresql"
        self._codes: dict[frozenset[Any], str] = {}

    def _code(self, values: frozenset[Any]) -> str:
        """:func:`codes` of reasons or notes, each distinct set once (a run writes millions)."""
        found = self._codes.get(values)
        if found is None:
            found = self._codes[values] = codes(values)
        return found

    # -- reads of a chunk ----------------------------------------------------------------------

    def employee_ids(self, employer_id: uuid.UUID) -> list[uuid.UUID]:
        m = "%s" if self._postgres else "?"
        rows = self._c.exec_driver_sql(
            "SELECT DISTINCT employee_id FROM employments WHERE employer_id = "
            f"{m} ORDER BY employee_id",
            (self._key(employer_id),),
        )
        return [uuid_from_stored(row[0]) for row in rows]

    def _key(self, ident: uuid.UUID) -> Any:
        """An id as the driver binds and returns it (SQLite: 32 hex digits)."""
        return ident if self._postgres else ident.hex

    def _among_clause(self, column: sa.Column[Any], ids: Sequence[uuid.UUID]) -> Any:
        """:meth:`_among` for a statement SQLAlchemy builds."""
        if self._postgres:
            return column == sa.func.any(
                sa.cast(sa.literal(_uuid_array(ids), sa.Text()), postgresql.ARRAY(sa.Uuid()))
            )
        return column.in_(ids)

    def _among(self, keys: Sequence[Any]) -> tuple[Callable[[str], str], tuple[Any, ...]]:
        """ "A column is one of ``keys``" (ids as :meth:`_key` gives them): the condition for a
        column, and its parameters. On PostgreSQL one ``uuid[]`` parameter written as its text,
        not a list of thousands of parameters — the driver splits and binds such a statement on
        every call (not cached: it is long), and the server parses each parameter: for a
        chunk's 5,000 ids 12 → 3 ms of the worker's CPU, 26 → 14 ms in all, per read
        (docs/benchmarks.md). SQLite binds a list in C."""
        if self._postgres:
            return (lambda column: f"{column} = ANY(CAST(%s AS uuid[]))"), (_uuid_array(keys),)
        marks = ", ".join(["?"] * len(keys))
        return (lambda column: f"{column} IN ({marks})"), tuple(keys)

    def facts(
        self,
        employer_id: uuid.UUID,
        employee_ids: Sequence[uuid.UUID],
        inputs: Mapping[uuid.UUID, str] | None = None,
    ) -> list[EmployeeFacts]:
        """Read through the driver: the values of a chunk's few thousand rows are converted here
        once (ids by the chunk's own id objects, each distinct date once), not per column by
        SQLAlchemy — this is the nightly run's largest read (docs/benchmarks.md).

        With ``inputs`` (what :meth:`stale` returned, in this transaction) holding every one of
        the employees, the facts are read from those texts instead: they hold every fact, made
        by the same statement's reads (:mod:`~xs_adapters.sql.policy_inputs`)."""
        if not employee_ids:
            return []
        ids = sorted(set(employee_ids))
        if inputs is not None and all(i in inputs for i in ids):
            return self._facts_from_inputs(ids, inputs)
        employee = {self._key(i): i for i in ids}
        day = _Days()
        salary_of = _cents(self._c)
        m = "%s" if self._postgres else "?"
        # Each read also bounds the employee by the chunk's first and last id: an index range
        # of the chunk. With the list alone, PostgreSQL at 1M employees read the whole
        # employees and employment tables for every chunk (parallel sequential scans, 60-110 ms
        # a read); with the range, 6-20 ms (docs/benchmarks.md).
        span = (self._key(ids[0]), self._key(ids[-1]))
        among, among_params = self._among(list(employee))
        at_employer = (
            f"e.employer_id = {m} AND e.employee_id BETWEEN {m} AND {m} "
            f"AND {among('e.employee_id')}",
            (self._key(employer_id), *span, *among_params),
        )
        versions: dict[Any, list[EmploymentVersionFacts]] = defaultdict(list)
        for employment, valid_from, valid_until, kind, salary in self._c.exec_driver_sql(
            "SELECT v.employment_id, v.valid_from, v.valid_until, v.employment_type, v.salary "
            "FROM employment_versions v JOIN employments e ON e.id = v.employment_id "
            f"WHERE {at_employer[0]} ORDER BY v.employment_id, v.valid_from",
            at_employer[1],
        ):
            versions[employment].append(
                EmploymentVersionFacts(
                    valid=date_range(day(valid_from), day(valid_until)),
                    employment_type=_TYPES[kind],
                    salary=salary_of(salary),
                )
            )
        employments: dict[uuid.UUID, list[EmploymentFacts]] = defaultdict(list)
        for ident, person, start, end, leading in self._c.exec_driver_sql(
            "SELECT e.id, e.employee_id, e.start_date, e.end_date, e.is_leading "
            f"FROM employments e WHERE {at_employer[0]} "
            "ORDER BY e.employee_id, e.start_date, e.id",
            at_employer[1],
        ):
            employments[employee[person]].append(
                EmploymentFacts(
                    id=uuid_from_stored(ident),
                    period=date_range(day(start), day(end)),
                    is_leading=bool(leading),
                    versions=tuple(versions.get(ident, ())),
                )
            )
        sickness = self._sickness(employee, span, among, among_params, day)
        births = self._c.exec_driver_sql(
            f"SELECT id, birth_date FROM employees WHERE id BETWEEN {m} AND {m} "
            f"AND {among('id')} ORDER BY id",
            (*span, *among_params),
        )
        found = []
        for key, birth in births:
            person = employee[key]
            if person in employments:
                found.append(
                    EmployeeFacts(
                        employee_id=person,
                        birth_date=day(birth),
                        employments=tuple(employments[person]),
                        sickness=tuple(sickness.get(person, ())),
                    )
                )
        return found

    def _facts_from_inputs(
        self, ids: Sequence[uuid.UUID], inputs: Mapping[uuid.UUID, str]
    ) -> list[EmployeeFacts]:
        """The facts of ``ids`` from their inputs' texts (:func:`inputs_expression`): what
        :meth:`facts` reads, without reading the same rows a second time — on PostgreSQL a
        chunk's employees lie on pages all over each table, and at 1M employees the second
        read cost more than the first (docs/benchmarks.md). The values are the same columns
        as text: dates ISO (on PostgreSQL :meth:`stale` sets ``DateStyle``), absent ones
        ``-``; ``is_leading`` ``true``/``1``; a salary as the column holds it (PostgreSQL's
        numeric, SQLite's integer cents), converted by the column's own type."""
        day = _Days()
        salary_of = _cents(self._c)
        amount: Callable[[str], Any] = Decimal if self._postgres else int

        def version(text: str) -> EmploymentVersionFacts:
            valid_from, valid_until, kind, salary = text.split(",")
            return EmploymentVersionFacts(
                valid=date_range(day(valid_from), _day_or_none(day, valid_until)),
                employment_type=_TYPES[kind],
                salary=None if salary == "-" else salary_of(amount(salary)),
            )

        def employment(text: str) -> EmploymentFacts:
            head, versions = text.split(":", 1)
            ident, start, end, leading = head.split(",")
            return EmploymentFacts(
                id=uuid_from_stored(ident),
                period=date_range(day(start), _day_or_none(day, end)),
                is_leading=leading in ("true", "1"),
                versions=tuple(map(version, versions.split("/"))) if versions else (),
            )

        def spell(text: str) -> SicknessSpell:
            start, end, *report = text.split(",")
            recovered = report[0] if len(report) == 2 and int(report[1]) == 100 else end
            return SicknessSpell(first_day=day(start), recovered_on=_day_or_none(day, recovered))

        found = []
        for person in ids:
            text = inputs[person]
            birth, employed, sick, _manual = text[text.index("#") + 1 :].split("|", 3)
            found.append(
                EmployeeFacts(
                    employee_id=person,
                    birth_date=_day_or_none(day, birth),
                    employments=tuple(map(employment, employed.split(";"))),
                    sickness=tuple(map(spell, sick.split(";"))) if sick else (),
                )
            )
        return found

    def _sickness(
        self,
        employee: dict[Any, uuid.UUID],
        span: tuple[Any, Any],
        among: Callable[[str], str],
        among_params: tuple[Any, ...],
        day: _Days,
    ) -> dict[uuid.UUID, list[SicknessSpell]]:
        """Sickness trajectories as spells (xs_core.policies.facts): recovered on the date of a
        last recovery report of 100 %, else on the trajectory's exclusive end; ``span``: the
        first and last of the (sorted) employees, an index range as in :meth:`facts`;
        ``among``: :meth:`_among` of the employees."""
        m = "%s" if self._postgres else "?"
        sick = (
            f"tr.kind = {m} AND tr.employee_id BETWEEN {m} AND {m} AND {among('tr.employee_id')}",
            (ProtocolKind.SICKNESS.value, *span, *among_params),
        )
        last_report: dict[Any, tuple[Any, int]] = {}
        for trajectory, date, percentage in self._c.exec_driver_sql(
            "SELECT rr.trajectory_id, rr.date, rr.recovered_percentage "
            "FROM recovery_reports rr JOIN trajectories tr ON tr.id = rr.trajectory_id "
            f"WHERE {sick[0]} ORDER BY rr.trajectory_id, rr.date",
            sick[1],
        ):
            last_report[trajectory] = (date, percentage)
        spells: dict[uuid.UUID, list[SicknessSpell]] = defaultdict(list)
        for ident, person, start, end in self._c.exec_driver_sql(
            "SELECT tr.id, tr.employee_id, tr.start_date, tr.end_date FROM trajectories tr "
            f"WHERE {sick[0]} ORDER BY tr.employee_id, tr.start_date, tr.id",
            sick[1],
        ):
            report = last_report.get(ident)
            recovered = report[0] if report is not None and report[1] == 100 else end
            spells[employee[person]].append(
                SicknessSpell(first_day=day(start), recovered_on=day(recovered))
            )
        return spells

    def registrations(
        self, policy_id: uuid.UUID, employee_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[Registration]]:
        r = t.policy_registrations
        found: dict[uuid.UUID, list[Registration]] = defaultdict(list)
        if not employee_ids:
            return {}
        ids = sorted(set(employee_ids))
        # the ids' range too: an index range of the chunk, whatever the planner's statistics
        # say (without them, PostgreSQL read every registration of the policy for each chunk
        # of a first run, a cost growing with every chunk: docs/benchmarks.md)
        for row in self._c.execute(
            sa.select(r)
            .where(
                r.c.policy_id == policy_id,
                r.c.employee_id.between(ids[0], ids[-1]),
                self._among_clause(r.c.employee_id, ids),
            )
            .order_by(r.c.employee_id, r.c.start_date)
        ):
            found[row.employee_id].append(registration_from_row(row))
        return dict(found)

    def stale(
        self,
        policy_id: uuid.UUID,
        employer_id: uuid.UUID,
        after: uuid.UUID | None,
        last: uuid.UUID | None,
        key: str,
        evaluated_from: _dt.date,
    ) -> dict[uuid.UUID, str]:
        if self._postgres:
            # The chunk's reads begin here, in its transaction. The planner prices the inputs'
            # correlated subqueries per chunk far above their cost (100,000+ at 200,000
            # employees, more as the tables grow), over the JIT thresholds: compiling the plan
            # took 70 of a chunk's 170-210 ms, every chunk, for a statement that runs once.
            # Without JIT for the rest of this transaction only (docs/benchmarks.md).
            self._c.exec_driver_sql("SET LOCAL jit = off")
            # the inputs' dates as ISO text whatever the server's DateStyle: :meth:`facts` reads
            # them back (and a stored text compares with one made the same way)
            self._c.exec_driver_sql("SET LOCAL datestyle = 'ISO, YMD'")
        query = sa.text(stale_query(self._dialect, after is not None, last is not None))
        params: dict[str, Any] = {
            "policy_id": policy_id,
            "employer_id": employer_id,
            "key": key,
            "evaluated_from": evaluated_from,
        }
        binds: list[sa.BindParameter[Any]] = [
            sa.bindparam("policy_id", type_=sa.Uuid()),
            sa.bindparam("employer_id", type_=sa.Uuid()),
            sa.bindparam("evaluated_from", type_=PendulumDate()),
        ]
        if after is not None:
            params["after"] = after
            binds.append(sa.bindparam("after", type_=sa.Uuid()))
        if last is not None:
            params["last"] = last
            binds.append(sa.bindparam("last", type_=sa.Uuid()))
        # the ids as the driver returns them, made UUIDs here (a run reads one per participant)
        statement = query.bindparams(*binds).columns(id=sa.Text(), inputs=sa.Text())
        return {uuid_from_stored(i): text for i, text in self._c.execute(statement, params)}

    def remember(
        self, policy_id: uuid.UUID, inputs: Mapping[uuid.UUID, str], evaluated_from: _dt.date
    ) -> None:
        d = t.policy_participant_inputs
        ids = sorted(inputs)
        for start in range(0, len(ids), _IDS):
            part = ids[start : start + _IDS]
            # with the ids' range: an index range whatever the statistics (as registrations)
            self._c.execute(
                d.delete().where(
                    d.c.policy_id == policy_id,
                    d.c.employee_id.between(part[0], part[-1]),
                    self._among_clause(d.c.employee_id, part),
                )
            )
        if ids:
            since = _dt.date(evaluated_from.year, evaluated_from.month, evaluated_from.day)
            columns = ("policy_id", "employee_id", "inputs", "evaluated_from")
            if self._postgres and len(ids) >= COPY_FROM:
                # lines of COPY's text format (as registrations, :meth:`_lines`); the inputs are
                # the database's own text, which holds the notes of manual registrations
                lead = f"{policy_id.hex}\t"
                tail = f"\t{since.isoformat()}\n"
                copy_lines(
                    self._c,
                    "policy_participant_inputs",
                    columns,
                    (f"{lead}{i.hex}\t{copy_text(inputs[i])}{tail}" for i in ids),
                )
            else:
                m = "%s" if self._postgres else "?"
                policy = self._key(policy_id)
                day: Any = since if self._postgres else since.isoformat()
                rows = [(policy, self._key(ident), inputs[ident], day) for ident in ids]
                self._c.exec_driver_sql(
                    f"INSERT INTO policy_participant_inputs ({', '.join(columns)}) "
                    f"VALUES ({m}, {m}, {m}, {m})",
                    rows,
                )

    def forget(self, policy_id: uuid.UUID, employee_id: uuid.UUID) -> None:
        d = t.policy_participant_inputs
        self._c.execute(
            d.delete().where(d.c.policy_id == policy_id, d.c.employee_id == employee_id)
        )

    # -- writes of a chunk ---------------------------------------------------------------------

    def replace(self, remove: Sequence[uuid.UUID], add: Sequence[Registration]) -> None:
        r = t.policy_registrations
        ids = list(remove)
        for start in range(0, len(ids), _IDS):
            self._c.execute(r.delete().where(r.c.id.in_(ids[start : start + _IDS])))
        if not add:
            return
        try:
            with self._c.begin_nested():
                if self._postgres and len(add) >= COPY_FROM:
                    copy_lines(self._c, "policy_registrations", self._COLUMNS, self._lines(add))
                else:
                    self._c.exec_driver_sql(self._insert_sql(), self._rows(add))
        except Exception as error:  # the driver's own error from COPY, SQLAlchemy's otherwise
            if sqlstate(error) != EXCLUSION_VIOLATION:
                raise
            raise overlap(add[0], None) from None

    _COLUMNS = (
        "id",
        "policy_id",
        "employee_id",
        "start_date",
        "end_date",
        "included",
        "reasons",
        "source",
        "notes",
        "note",
        "registered_on",
    )

    def _insert_sql(self) -> str:
        marks = ", ".join(["%s" if self._postgres else "?"] * len(self._COLUMNS))
        return f"INSERT INTO policy_registrations ({', '.join(self._COLUMNS)}) VALUES ({marks})"

    def _rows(self, registrations: Sequence[Registration]) -> list[tuple[Any, ...]]:
        """The registrations as rows the driver takes: on PostgreSQL :meth:`_raw`; on SQLite what
        :func:`registration_values` gives through the column types (ids as 32 hex digits, dates
        ISO, booleans 0/1), an employee's and a policy's id written once for their consecutive
        registrations (a run writes millions) — the contract tests read them back."""
        if self._postgres:
            return [self._raw(r) for r in registrations]
        rows = []
        for r, policy_hex, employee_hex in _with_id_texts(registrations):
            end = r.period.end
            rows.append(
                (
                    r.id.hex,
                    policy_hex,
                    employee_hex,
                    r.period.start.isoformat(),
                    None if end is None else end.isoformat(),
                    int(r.included),
                    self._code(r.reasons),
                    r.source.value,
                    self._code(r.notes),
                    r.note,
                    r.registered_on.isoformat(),
                )
            )
        return rows

    def _raw(self, registration: Registration) -> tuple[Any, ...]:
        """PostgreSQL: a registration's row as the driver takes it (stdlib dates: the driver
        dumps pendulum's slowly) — without SQLAlchemy's per-value processing."""
        r = registration
        start, end, on = r.period.start, r.period.end, r.registered_on
        return (
            r.id,
            r.policy_id,
            r.employee_id,
            _dt.date(start.year, start.month, start.day),
            None if end is None else _dt.date(end.year, end.month, end.day),
            r.included,
            self._code(r.reasons),
            r.source.value,
            self._code(r.notes),
            r.note,
            _dt.date(on.year, on.month, on.day),
        )

    def _lines(self, registrations: Sequence[Registration]) -> Iterator[str]:
        """PostgreSQL: the registrations as lines of COPY's text format (:func:`copy_lines`):
        ids as 32 hex digits, dates ISO, booleans ``t``/``f`` — what :meth:`_raw` gives the
        driver, written without its per-value dumpers; texts escaped. An employee's and a
        policy's id are written once for their consecutive registrations."""
        for r, policy_text, employee_text in _with_id_texts(registrations):
            end = r.period.end
            yield (
                f"{r.id.hex}\t{policy_text}\t{employee_text}\t{r.period.start.isoformat()}\t"
                f"{COPY_NULL if end is None else end.isoformat()}\t{'t' if r.included else 'f'}\t"
                f"{copy_text(self._code(r.reasons))}\t{copy_text(r.source.value)}\t"
                f"{copy_text(self._code(r.notes))}\t{copy_text(r.note)}\t"
                f"{r.registered_on.isoformat()}\n"
            )

    # -- runs and chunks -----------------------------------------------------------------------

    def add_run(self, run: RunRecord, chunks: Sequence[ChunkPlan]) -> None:
        self._c.execute(
            t.policy_runs.insert().values(
                id=run.id,
                on_date=run.on,
                policy_id=run.policy_id,
                started_by=run.started_by,
                started_at=run.started_at,
                chunk_size=run.chunk_size,
                finished_at=run.finished_at,
            )
        )
        if chunks:
            self._c.execute(
                t.policy_run_chunks.insert(),
                [
                    {
                        "run_id": run.id,
                        "number": c.number,
                        "policy_id": c.policy_id,
                        "employer_id": c.employer_id,
                        "after_id": c.after,
                        "last_id": c.last,
                        "done": False,
                        "changed": 0,
                        "added": 0,
                        "removed": 0,
                    }
                    for c in chunks
                ],
            )

    def run(self, run_id: uuid.UUID) -> RunRecord:
        row = self._c.execute(sa.select(t.policy_runs).where(t.policy_runs.c.id == run_id)).first()
        if row is None:
            raise NotFound("not_found", {"kind": "policy_run", "id": str(run_id)})
        return _run(row)

    def unfinished(self) -> list[RunRecord]:
        r = t.policy_runs
        rows = self._c.execute(
            sa.select(r).where(r.c.finished_at.is_(None)).order_by(r.c.started_at, r.c.id)
        )
        return [_run(row) for row in rows]

    def chunk(self, run_id: uuid.UUID, number: int) -> ChunkPlan | None:
        c = t.policy_run_chunks
        row = self._c.execute(
            sa.select(c).where(c.c.run_id == run_id, c.c.number == number)
        ).first()
        return None if row is None else _chunk_plan(row)

    def supersede(self, run_id: uuid.UUID, at: pendulum.DateTime) -> None:
        c, r = t.policy_run_chunks, t.policy_runs
        self._c.execute(
            c.update().where(c.c.run_id == run_id, c.c.done.is_(False)).values(done=True)
        )
        self._c.execute(
            r.update().where(r.c.id == run_id, r.c.finished_at.is_(None)).values(finished_at=at)
        )

    def chunks(self, run_id: uuid.UUID) -> list[ChunkState]:
        c = t.policy_run_chunks
        return [
            ChunkState(
                plan=_chunk_plan(row),
                done=bool(row.done),
                changed=row.changed,
                added=row.added,
                removed=row.removed,
            )
            for row in self._c.execute(
                sa.select(c).where(c.c.run_id == run_id).order_by(c.c.number)
            )
        ]

    def claim_chunk(self, run_id: uuid.UUID, number: int) -> ChunkPlan | None:
        c = t.policy_run_chunks
        row = self._c.execute(
            sa.select(c).where(c.c.run_id == run_id, c.c.number == number).with_for_update()
        ).first()
        if row is None:
            raise NotFound("not_found", {"kind": "policy_run_chunk", "id": f"{run_id}/{number}"})
        if row.done:
            return None
        if self._postgres:
            p = t.insurance_policies
            self._c.execute(
                sa.select(p.c.id).where(p.c.id == row.policy_id).with_for_update(read=True)
            )
        return _chunk_plan(row)

    def finish_chunk(self, run_id: uuid.UUID, state: ChunkState) -> None:
        c = t.policy_run_chunks
        self._c.execute(
            c.update()
            .where(c.c.run_id == run_id, c.c.number == state.plan.number)
            .values(done=True, changed=state.changed, added=state.added, removed=state.removed)
        )

    def finish_run(self, run_id: uuid.UUID, at: pendulum.DateTime) -> bool:
        r, c = t.policy_runs, t.policy_run_chunks
        row = self._c.execute(
            sa.select(r.c.finished_at).where(r.c.id == run_id).with_for_update()
        ).first()
        if row is None or row.finished_at is not None:
            return False
        open_chunks = self._c.execute(
            sa.select(sa.func.count())
            .select_from(c)
            .where(c.c.run_id == run_id, c.c.done.is_(False))
        ).scalar_one()
        if open_chunks:
            return False
        self._c.execute(r.update().where(r.c.id == run_id).values(finished_at=at))
        return True
