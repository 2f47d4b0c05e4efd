"""SQL repositories of the protocols context and the set-based bulk start (R2.1–R2.5)."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import repeat
from operator import attrgetter
from types import MemberDescriptorType
from typing import Any, overload

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Connection

from xs_adapters.sql import tables as t
from xs_adapters.sql.conflicts import EXCLUSION_VIOLATION, sqlstate
from xs_adapters.sql.copy import COPY_FROM, copy_rows, insert_rows
from xs_adapters.sql.locking import lock_row, lock_rows
from xs_adapters.sql.types import PendulumDate
from xs_adapters.sql.uuids import uuid_bytes, uuids_from_bytes, uuids_from_hex
from xs_core.access.model import ResolvedScope
from xs_core.dates import DateRange
from xs_core.errors import Conflict, NotFound
from xs_core.events import Aggregate
from xs_core.protocols.bulk import (
    BulkOutcome,
    BulkStartPlan,
    BulkUnit,
    Candidate,
    SicknessFacts,
    SkipReason,
)
from xs_core.protocols.compensation import CompensationDecision, CompensationReason
from xs_core.protocols.model import (
    COMPENSATION_TASK,
    Protocol,
    ProtocolCharacteristics,
    ProtocolKind,
    ProtocolVariation,
    Task,
    TaskTemplate,
    Trajectory,
)
from xs_core.protocols.ports import StoredBulkRequest
from xs_core.protocols.sickness import RecoveryReport

CHUNK = 5_000
_INT = attrgetter("int")
_TRAJECTORY_COLUMNS = (
    "id",
    "protocol_id",
    "kind",
    "employee_id",
    "employment_id",
    "start_date",
    "end_date",
    "bulk_request_id",
    "compensation_added",
    "compensation_reason",
)


def _overlap(clash: Any) -> Conflict:
    """R2.2 refused by the storage, with the services' own answer (``trajectory.overlaps``);
    ``clash`` is the row of the other trajectory, when it can be read."""
    if clash is None:  # e.g. written by a transaction that has not committed yet
        return Conflict("trajectory.overlaps", {"rule": "R2.2", "trajectory_id": "", "period": ""})
    return Conflict(
        "trajectory.overlaps",
        {
            "rule": "R2.2",
            "trajectory_id": str(clash.id),
            "period": str(DateRange(clash.start_date, clash.end_date)),
        },
    )


def _as_int(value: uuid.UUID) -> int:
    return value.int


def _chunks(ids: Sequence[uuid.UUID]) -> list[Sequence[uuid.UUID]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


#: a skipped outcome's reason in a request's summary, by its number (0: started); new reasons
#: are appended, never renumbered
_REASONS: tuple[SkipReason | None, ...] = (
    None,
    SkipReason.ALREADY_OPEN,
    SkipReason.NO_EMPLOYMENT,
    SkipReason.OUT_OF_SCOPE,
    SkipReason.OVERLAPPING_ABSENCE,
)
_REASON_NUMBERS = {reason: number for number, reason in enumerate(_REASONS)}
_SUMMARY_FORMAT = 1
_NIL = uuid.UUID(int=0)


def pack_outcomes(outcomes: Sequence[BulkOutcome]) -> bytes:
    """A bulk request's outcomes (R2.2) in one value, so that a repeated request returns the
    first result without reading and mapping a row per employee: a format byte, the count (4
    bytes), the employee ids (16 bytes each, in the outcomes' order), the trajectory ids (16
    zero bytes for a skipped employee), then one byte per outcome: 0 for started, else the
    skip reason's number in :data:`_REASONS`."""
    return b"".join(
        (
            bytes((_SUMMARY_FORMAT,)),
            len(outcomes).to_bytes(4),
            uuid_bytes([o.employee_id for o in outcomes]),
            uuid_bytes([_NIL if o.trajectory_id is None else o.trajectory_id for o in outcomes]),
            bytes([_REASON_NUMBERS[o.reason] for o in outcomes]),
        )
    )


def unpack_outcomes(summary: bytes) -> PackedOutcomes:
    """The outcomes :func:`pack_outcomes` packed, in the same order: a sequence that makes its
    outcome objects only as they are read (:class:`PackedOutcomes`)."""
    if summary[0] != _SUMMARY_FORMAT:
        raise ValueError(f"unknown bulk request summary format {summary[0]}")
    count = int.from_bytes(summary[1:5])
    if len(summary) != 5 + 33 * count:
        raise ValueError("a bulk request summary of the wrong length")
    return PackedOutcomes(summary, count)


#: outcomes made at a time while a :class:`PackedOutcomes` is iterated: a batch's 384 objects
#: (outcomes and their two ids) stay below the collector's first threshold (700 allocations),
#: so a reader that drops them sets off no collection (4,096 at a time: two full ones per
#: 100,000 read)
_BATCH = 128


class PackedOutcomes(Sequence[BulkOutcome]):
    """A repeated bulk request's outcomes (R2.2), read from the request's summary
    (:func:`pack_outcomes`) as they are iterated, a small batch at a time — not 100,000 outcomes
    and their 200,000 ids made at once, of which every full collection of the garbage collector
    that their making sets off walks the whole heap (at 100,000 employees the repeat spent most
    of its time so). Counting (:class:`~xs_core.protocols.bulk.CountedOutcomes`) reads only the
    reason bytes. Equal to any sequence of the same outcomes, such as the first run's tuple."""

    __slots__ = ("_count", "_summary")

    def __init__(self, summary: bytes, count: int) -> None:
        self._summary = summary
        self._count = count

    def __len__(self) -> int:
        return self._count

    @property
    def _numbers(self) -> bytes:
        return self._summary[5 + 32 * self._count :]

    def _batch(self, first: int, count: int) -> tuple[BulkOutcome, ...]:
        employees = uuids_from_bytes(self._summary, count, 5 + 16 * first)
        trajectories: list[uuid.UUID | None] = list(
            uuids_from_bytes(self._summary, count, 5 + 16 * (self._count + first))
        )
        numbers = self._summary[5 + 32 * self._count + first :][:count]
        if not any(numbers):  # all started: the usual answer
            return _outcomes(employees, trajectories, repeat(None, count), count)
        trajectories = [None if n else x for x, n in zip(trajectories, numbers, strict=True)]
        return _outcomes(employees, trajectories, map(_REASONS.__getitem__, numbers), count)

    def __iter__(self) -> Iterator[BulkOutcome]:
        for first in range(0, self._count, _BATCH):
            yield from self._batch(first, min(_BATCH, self._count - first))

    @overload
    def __getitem__(self, index: int) -> BulkOutcome: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[BulkOutcome, ...]: ...

    def __getitem__(self, index: int | slice) -> BulkOutcome | tuple[BulkOutcome, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(self._count)))
        position = index + self._count if index < 0 else index
        if not 0 <= position < self._count:
            raise IndexError("bulk outcome index out of range")
        return self._batch(position, 1)[0]

    def started_count(self) -> int:
        return self._numbers.count(0)

    def skipped_by_reason(self) -> dict[SkipReason, int]:
        counts: dict[SkipReason, int] = {}
        numbers = self._numbers
        for number, reason in enumerate(_REASONS):
            if reason is not None and (found := numbers.count(number)):
                counts[reason] = found
        return counts

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedOutcomes):
            return self._summary == other._summary
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(other) == self._count and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))  # as the tuple it equals

    def __repr__(self) -> str:
        return f"PackedOutcomes({self._count} outcomes)"


def _plain(cls: type) -> bool:
    """Whether ``cls``'s ``__init__`` does nothing but set its slots: an attrs class whose
    fields have no validator, converter or default, with no post-init and no other slot."""
    fields = attrs.fields(cls)
    return (
        set(getattr(cls, "__slots__", ())) - {"__weakref__"} == {f.name for f in fields}
        and all(
            f.validator is None and f.converter is None and f.default is attrs.NOTHING
            for f in fields
        )
        and not hasattr(cls, "__attrs_post_init__")
        and not hasattr(cls, "__attrs_pre_init__")
        and all(isinstance(cls.__dict__.get(f.name), MemberDescriptorType) for f in fields)
    )


#: :class:`BulkOutcome` objects can be made without calling ``__init__`` (checked once)
_PLAIN_OUTCOME = _plain(BulkOutcome)
_new: Any = object.__new__


def _outcomes(
    employees: Iterable[uuid.UUID],
    trajectories: Iterable[uuid.UUID | None],
    reasons: Iterable[SkipReason | None],
    count: int,
) -> tuple[BulkOutcome, ...]:
    """``count`` outcomes of a replayed request. While ``__init__`` only sets the slots
    (:data:`_PLAIN_OUTCOME`) the objects are made and their slots set through the slots'
    descriptors, each step a C-level ``map`` — what ``__init__`` does, at half the cost;
    otherwise through the constructor."""
    if not _PLAIN_OUTCOME:
        return tuple(map(BulkOutcome, employees, trajectories, reasons))
    made: list[BulkOutcome] = list(map(_new, repeat(BulkOutcome, count)))
    for name, values in (
        ("employee_id", employees),
        ("trajectory_id", trajectories),
        ("reason", reasons),
    ):
        deque(map(BulkOutcome.__dict__[name].__set__, made, values), 0)
    return tuple(made)


def _fresh_uuid(dialect: str) -> sa.ColumnElement[Any]:
    """A new random (version 4) UUID per row, made by the database: PostgreSQL's
    ``gen_random_uuid()``; on SQLite 32 lowercase hex digits, as SQLite stores a UUID, from two
    64-bit ``random()`` values with the version bits (``4``) and the variant bits (``10``)
    set."""
    if dialect == "postgresql":
        return sa.func.gen_random_uuid()
    return sa.literal_column(
        "printf('%016x%016x', (random() & -61441) | 16384,"
        " (random() & 4611686018427387903) | -9223372036854775808)"
    )


class SqlProtocolRepository:
    def __init__(self, connection: Connection, track: Callable[[Aggregate], None]) -> None:
        self._c = connection
        self._track = track

    def _write(self, protocol: Protocol) -> None:
        c = self._c
        c.execute(
            t.protocol_task_templates.delete().where(
                t.protocol_task_templates.c.protocol_id == protocol.id
            )
        )
        c.execute(
            t.protocol_variations.delete().where(t.protocol_variations.c.protocol_id == protocol.id)
        )
        if protocol.task_templates:
            c.execute(
                t.protocol_task_templates.insert(),
                [
                    {"protocol_id": protocol.id, "position": i, "code": x.code, "title": x.title}
                    for i, x in enumerate(protocol.task_templates)
                ],
            )
        if protocol.variations:
            c.execute(
                t.protocol_variations.insert(),
                [
                    {"id": v.id, "protocol_id": protocol.id, "name": v.name}
                    for v in protocol.variations
                ],
            )

    @staticmethod
    def _values(protocol: Protocol) -> dict[str, Any]:
        ch = protocol.characteristics
        return {
            "id": protocol.id,
            "name": protocol.name,
            "kind": protocol.kind.value,
            "may_start_in_bulk": ch.may_start_in_bulk,
            "bulk_end_date_may_be_empty": ch.bulk_end_date_may_be_empty,
            "end_date_may_be_in_future": ch.end_date_may_be_in_future,
        }

    def add(self, protocol: Protocol) -> None:
        self._c.execute(t.protocols.insert().values(**self._values(protocol)))
        self._write(protocol)
        self._track(protocol)

    def save(self, protocol: Protocol) -> None:
        self._c.execute(
            t.protocols.update()
            .where(t.protocols.c.id == protocol.id)
            .values(**self._values(protocol))
        )
        self._write(protocol)
        self._track(protocol)

    def _load(self, rows: Sequence[Any]) -> list[Protocol]:
        ids = [r.id for r in rows]
        templates: dict[uuid.UUID, list[Any]] = {i: [] for i in ids}
        variations: dict[uuid.UUID, list[Any]] = {i: [] for i in ids}
        if ids:
            for x in self._c.execute(
                sa.select(t.protocol_task_templates)
                .where(t.protocol_task_templates.c.protocol_id.in_(ids))
                .order_by(t.protocol_task_templates.c.position)
            ):
                templates[x.protocol_id].append(x)
            for v in self._c.execute(
                sa.select(t.protocol_variations).where(t.protocol_variations.c.protocol_id.in_(ids))
            ):
                variations[v.protocol_id].append(v)
        return [
            Protocol(
                id=r.id,
                name=r.name,
                kind=ProtocolKind(r.kind),
                characteristics=ProtocolCharacteristics(
                    may_start_in_bulk=r.may_start_in_bulk,
                    bulk_end_date_may_be_empty=r.bulk_end_date_may_be_empty,
                    end_date_may_be_in_future=r.end_date_may_be_in_future,
                ),
                task_templates=tuple(
                    TaskTemplate(code=x.code, title=x.title) for x in templates[r.id]
                ),
                variations=tuple(
                    ProtocolVariation(id=v.id, name=v.name)
                    for v in sorted(variations[r.id], key=lambda v: (v.name, str(v.id)))
                ),
            )
            for r in rows
        ]

    def get(self, protocol_id: uuid.UUID) -> Protocol:
        row = self._c.execute(sa.select(t.protocols).where(t.protocols.c.id == protocol_id)).first()
        if row is None:
            raise NotFound("not_found", {"kind": "protocol", "id": str(protocol_id)})
        return self._load([row])[0]

    def lock(self, protocol_id: uuid.UUID) -> Protocol:
        """The Protocol locked until the transaction ends (read-check-write)."""
        lock_row(self._c, t.protocols, protocol_id)
        return self.get(protocol_id)

    def list(self) -> list[Protocol]:
        rows = list(self._c.execute(sa.select(t.protocols).order_by(t.protocols.c.name)))
        return self._load(rows)


def _trajectory_values(x: Trajectory) -> dict[str, Any]:
    return {
        "id": x.id,
        "protocol_id": x.protocol_id,
        "kind": x.kind.value,
        "employee_id": x.employee_id,
        "employment_id": x.employment_id,
        "start_date": x.period.start,
        "end_date": x.period.end,
        "bulk_request_id": x.bulk_request_id,
        "compensation_added": None if x.compensation is None else x.compensation.added,
        "compensation_reason": None if x.compensation is None else x.compensation.reason.value,
    }


class SqlTrajectoryRepository:
    def __init__(self, connection: Connection, track: Callable[[Aggregate], None]) -> None:
        self._c = connection
        self._track = track

    def _write_children(self, x: Trajectory) -> None:
        if x.tasks:
            self._c.execute(
                t.trajectory_tasks.insert(),
                [
                    {
                        "id": task.id,
                        "trajectory_id": x.id,
                        "position": i,
                        "code": task.code,
                        "title": task.title,
                        "added_on": task.added_on,
                        "reason": task.reason,
                    }
                    for i, task in enumerate(x.tasks)
                ],
            )
        if x.recovery_reports:
            self._c.execute(
                t.recovery_reports.insert(),
                [
                    {
                        "trajectory_id": x.id,
                        "date": r.date,
                        "recovered_percentage": r.recovered_percentage,
                    }
                    for r in x.recovery_reports
                ],
            )

    def _clash(self, trajectory: Trajectory) -> Any:
        """Another trajectory of the protocol for the employee that overlaps, if any."""
        x, period = t.trajectories, trajectory.period
        query = sa.select(x.c.id, x.c.start_date, x.c.end_date).where(
            x.c.employee_id == trajectory.employee_id,
            x.c.protocol_id == trajectory.protocol_id,
            x.c.id != trajectory.id,
            sa.or_(x.c.end_date.is_(None), x.c.end_date > period.start),
        )
        if period.end is not None:
            query = query.where(x.c.start_date < period.end)
        return self._c.execute(query.order_by(x.c.start_date).limit(1)).first()

    def _write_row(self, statement: Any, trajectory: Trajectory) -> None:
        """Write the trajectory's row, refusing an overlap (R2.2) with ``trajectory.overlaps``.
        PostgreSQL: the exclusion constraint of migration 0010 refuses it. SQLite: no
        constraint, so the repository checks first; a writing unit of work holds the database's
        write lock, so nothing can be written between the check and the write."""
        if self._c.dialect.name != "postgresql":
            clash = self._clash(trajectory)
            if clash is not None:
                raise _overlap(clash)
            self._c.execute(statement)
            return
        try:
            with self._c.begin_nested():
                self._c.execute(statement)
        except sa.exc.IntegrityError as error:
            if sqlstate(error) != EXCLUSION_VIOLATION:
                raise
            raise _overlap(self._clash(trajectory)) from None

    def add(self, trajectory: Trajectory) -> None:
        self._write_row(
            t.trajectories.insert().values(**_trajectory_values(trajectory)), trajectory
        )
        self._write_children(trajectory)
        self._track(trajectory)

    def save(self, trajectory: Trajectory) -> None:
        self._write_row(
            t.trajectories.update()
            .where(t.trajectories.c.id == trajectory.id)
            .values(**_trajectory_values(trajectory)),
            trajectory,
        )
        for table in (t.trajectory_tasks, t.recovery_reports):
            self._c.execute(table.delete().where(table.c.trajectory_id == trajectory.id))
        self._write_children(trajectory)
        self._track(trajectory)

    def _load(self, rows: Sequence[Any]) -> list[Trajectory]:
        ids = [r.id for r in rows]
        tasks: dict[uuid.UUID, list[Any]] = {i: [] for i in ids}
        reports: dict[uuid.UUID, list[Any]] = {i: [] for i in ids}
        for chunk in _chunks(ids):
            for task in self._c.execute(
                sa.select(t.trajectory_tasks)
                .where(t.trajectory_tasks.c.trajectory_id.in_(chunk))
                .order_by(t.trajectory_tasks.c.position)
            ):
                tasks[task.trajectory_id].append(task)
            for report in self._c.execute(
                sa.select(t.recovery_reports)
                .where(t.recovery_reports.c.trajectory_id.in_(chunk))
                .order_by(t.recovery_reports.c.date)
            ):
                reports[report.trajectory_id].append(report)
        return [
            Trajectory(
                id=r.id,
                protocol_id=r.protocol_id,
                kind=ProtocolKind(r.kind),
                employee_id=r.employee_id,
                employment_id=r.employment_id,
                period=DateRange(r.start_date, r.end_date),
                tasks=[
                    Task(id=x.id, code=x.code, title=x.title, added_on=x.added_on, reason=x.reason)
                    for x in tasks[r.id]
                ],
                bulk_request_id=r.bulk_request_id,
                recovery_reports=tuple(
                    RecoveryReport(x.date, x.recovered_percentage) for x in reports[r.id]
                ),
                compensation=None
                if r.compensation_reason is None
                else CompensationDecision(
                    bool(r.compensation_added), CompensationReason(r.compensation_reason)
                ),
            )
            for r in rows
        ]

    def get(self, trajectory_id: uuid.UUID) -> Trajectory:
        row = self._c.execute(
            sa.select(t.trajectories).where(t.trajectories.c.id == trajectory_id)
        ).first()
        if row is None:
            raise NotFound("not_found", {"kind": "trajectory", "id": str(trajectory_id)})
        return self._load([row])[0]

    def lock(self, trajectory_id: uuid.UUID) -> Trajectory:
        """The Trajectory locked until the transaction ends (read-check-write)."""
        lock_row(self._c, t.trajectories, trajectory_id)
        return self.get(trajectory_id)

    def for_employee(self, employee_id: uuid.UUID) -> list[Trajectory]:
        rows = list(
            self._c.execute(
                sa.select(t.trajectories)
                .where(t.trajectories.c.employee_id == employee_id)
                .order_by(t.trajectories.c.start_date, t.trajectories.c.id)
            )
        )
        return self._load(rows)


class SqlBulkStartStore:
    """R2.2 set-based: proposals, checks and the writes of a bulk start in few statements."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def _employed(
        self, unit: BulkUnit, start: _dt.date, employee_ids: Sequence[uuid.UUID] | None
    ) -> sa.Select[Any]:
        m, v = t.employments, t.employment_versions
        query = sa.select(m.c.employee_id, m.c.id.label("employment_id"), m.c.is_leading).where(
            m.c.start_date <= start, sa.or_(m.c.end_date.is_(None), m.c.end_date > start)
        )
        if unit.employer_ids:
            query = query.where(m.c.employer_id.in_(sorted(unit.employer_ids)))
        else:
            d = t.departments
            tree = sa.select(d.c.id).where(d.c.id == unit.department_id).cte("tree", recursive=True)
            tree = tree.union_all(sa.select(d.c.id).join(tree, d.c.parent_id == tree.c.id))
            query = query.join(v, v.c.employment_id == m.c.id).where(
                v.c.valid_from <= start,
                sa.or_(v.c.valid_until.is_(None), v.c.valid_until > start),
                v.c.department_id.in_(sa.select(tree.c.id)),
            )
        if employee_ids is not None:
            query = query.where(m.c.employee_id.in_(employee_ids))
        return query

    def _scope_filter(self, scope: ResolvedScope) -> sa.ColumnElement[bool]:
        e, s = t.search_entries, t.search_entry_scopes
        conditions = []
        if scope.employer_ids:
            conditions.append(s.c.employer_id.in_(sorted(scope.employer_ids)))
        if scope.department_ids:
            conditions.append(s.c.department_id.in_(sorted(scope.department_ids)))
        return sa.exists(
            sa.select(sa.literal(1))
            .select_from(e.join(s, s.c.entry_id == e.c.id))
            .where(
                e.c.kind == "employee",
                e.c.unit_id == t.employments.c.employee_id,
                sa.or_(*conditions),
            )
        )

    @staticmethod
    def _pick(rows: Iterable[Any]) -> dict[uuid.UUID, uuid.UUID]:
        """One employment per employee: the leading one first, then the lowest id."""
        best: dict[uuid.UUID, tuple[bool, uuid.UUID]] = {}
        for employee, employment, leading in rows:
            key = (not leading, employment)
            if employee not in best or key < best[employee]:
                best[employee] = key
        return {employee: key[1] for employee, key in best.items()}

    def _chosen(self, query: sa.Select[Any]) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
        """:meth:`_pick` by the database, for a whole proposal: the employee ids in id order
        and the ids of their employments (leading first, then the lowest id).

        The database picks (``row_number()`` per employee) and answers with two values: every
        employee id and every employment id as 32 hex digits (as SQLite stores them; on
        PostgreSQL the text form without its dashes), concatenated in employee order — no row
        object per employee; the ids are converted together (:func:`uuids_from_hex`)."""
        m = t.employments
        sqlite = self._c.dialect.name == "sqlite"

        def digits(column: sa.ColumnElement[Any], name: str) -> sa.ColumnElement[Any]:
            if sqlite:
                return sa.type_coerce(column, sa.String).label(name)
            return sa.func.replace(sa.cast(column, sa.Text), "-", "").label(name)

        ranked = query.with_only_columns(
            m.c.employee_id,
            digits(m.c.employee_id, "employee"),
            digits(m.c.id, "employment"),
            sa.func.row_number()
            .over(partition_by=m.c.employee_id, order_by=(m.c.is_leading.desc(), m.c.id))
            .label("n"),
        ).subquery()
        picked = (
            sa.select(ranked.c.employee_id, ranked.c.employee, ranked.c.employment)
            .where(ranked.c.n == 1)
            .order_by(ranked.c.employee_id)
            .subquery()
        )

        def joined(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
            if sqlite:
                return sa.func.group_concat(column, "")
            in_order: Any = aggregate_order_by(sa.literal_column("''"), picked.c.employee_id)
            return sa.func.string_agg(column, in_order)

        row = self._c.execute(
            sa.select(joined(picked.c.employee), joined(picked.c.employment))
        ).one()
        employees = uuids_from_hex(row[0] or "")
        employments = uuids_from_hex(row[1] or "")
        if len(employees) != len(employments):
            raise ValueError("an employee without an employment id")
        ints = list(map(_INT, employees))
        if ints != sorted(ints):  # SQLite keeps the subquery's order; should it not, sort here
            pairs = sorted(zip(employees, employments, strict=True), key=lambda p: p[0].int)
            employees, employments = [p[0] for p in pairs], [p[1] for p in pairs]
        return employees, employments

    def proposed_ids(
        self, unit: BulkUnit, start: _dt.date, scope: ResolvedScope
    ) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
        if scope.is_empty:
            return [], []
        query = self._employed(unit, start, None)
        if not scope.everything:
            query = query.where(self._scope_filter(scope))
        return self._chosen(query)

    def proposal(
        self, unit: BulkUnit, start: _dt.date, scope: ResolvedScope, with_names: bool = True
    ) -> list[Candidate]:
        if scope.is_empty:
            return []
        employees, employments = self.proposed_ids(unit, start, scope)
        if not with_names:
            return list(map(Candidate, employees, employments))
        chosen = dict(zip(employees, employments, strict=True))
        names: dict[uuid.UUID, tuple[str, str]] = {}
        ids = list(chosen)
        for chunk in _chunks(ids):
            for row in self._c.execute(
                sa.select(
                    t.search_entries.c.unit_id,
                    t.search_entries.c.name,
                    t.search_entries.c.name_norm,
                ).where(
                    t.search_entries.c.kind == "employee",
                    t.search_entries.c.unit_id.in_(chunk),
                )
            ):
                names[row.unit_id] = (row.name_norm, row.name)
        return sorted(
            (Candidate(e, chosen[e], names.get(e, ("", ""))[1]) for e in ids),
            key=lambda c: (names.get(c.employee_id, ("", ""))[0], str(c.employee_id)),
        )

    def in_scope(
        self, employee_ids: Iterable[uuid.UUID], scope: ResolvedScope
    ) -> frozenset[uuid.UUID]:
        ids = list(employee_ids)
        if scope.everything:
            return frozenset(ids)
        if scope.is_empty:
            return frozenset()
        e, s = t.search_entries, t.search_entry_scopes
        found: set[uuid.UUID] = set()
        conditions = []
        if scope.employer_ids:
            conditions.append(s.c.employer_id.in_(sorted(scope.employer_ids)))
        if scope.department_ids:
            conditions.append(s.c.department_id.in_(sorted(scope.department_ids)))
        for chunk in _chunks(ids):
            found.update(
                self._c.execute(
                    sa.select(e.c.unit_id)
                    .select_from(e.join(s, s.c.entry_id == e.c.id))
                    .where(e.c.kind == "employee", e.c.unit_id.in_(chunk), sa.or_(*conditions))
                    .distinct()
                ).scalars()
            )
        return frozenset(found)

    def employments_in_unit(
        self, employee_ids: Iterable[uuid.UUID], unit: BulkUnit, start: _dt.date
    ) -> dict[uuid.UUID, uuid.UUID]:
        rows: list[Any] = []
        for chunk in _chunks(list(employee_ids)):
            rows.extend(self._c.execute(self._employed(unit, start, chunk)))
        return self._pick(rows)

    def open_trajectories(self, protocol_id: uuid.UUID, period: DateRange) -> frozenset[uuid.UUID]:
        x = t.trajectories
        query = sa.select(x.c.employee_id).where(
            x.c.protocol_id == protocol_id,
            sa.or_(x.c.end_date.is_(None), x.c.end_date > period.start),
        )
        if period.end is not None:
            query = query.where(x.c.start_date < period.end)
        return frozenset(self._c.execute(query.distinct()).scalars())

    def absent_from(self, employee_ids: Iterable[uuid.UUID], day: _dt.date) -> frozenset[uuid.UUID]:
        # A sickness report's absence ends at its full recovery or its closing, whichever comes
        # first (R3.1): it reaches ``day`` when neither has come by then.
        x, r = t.trajectories, t.recovery_reports
        on = sa.literal(day, PendulumDate)
        recovered = sa.exists().where(
            r.c.trajectory_id == x.c.id, r.c.recovered_percentage == 100, r.c.date <= on
        )
        found: set[uuid.UUID] = set()
        for chunk in _chunks(sorted(set(employee_ids), key=_as_int)):
            lock_rows(self._c, t.employees, list(chunk))
            found.update(
                self._c.execute(
                    sa.select(x.c.employee_id)
                    .where(
                        x.c.employee_id.in_(chunk),
                        x.c.kind == ProtocolKind.SICKNESS.value,
                        sa.or_(x.c.end_date.is_(None), x.c.end_date > on),
                        ~recovered,
                    )
                    .distinct()
                ).scalars()
            )
        return frozenset(found)

    def sickness_facts(
        self, employments: Mapping[uuid.UUID, uuid.UUID]
    ) -> dict[uuid.UUID, SicknessFacts]:
        # an employment belongs to one employee, and one employment is given per employee;
        # the dates come back as plain dates (no pendulum objects for 100,000 rows)
        m, e = t.employments, t.employees
        found: dict[uuid.UUID, SicknessFacts] = {}
        for chunk in _chunks(sorted(employments.values(), key=_as_int)):
            for employee_id, born, employed in self._c.execute(
                sa.select(
                    m.c.employee_id,
                    sa.type_coerce(e.c.birth_date, sa.Date),
                    sa.type_coerce(m.c.start_date, sa.Date),
                )
                .join(e, e.c.id == m.c.employee_id)
                .where(m.c.id.in_(chunk))
            ):
                found[employee_id] = SicknessFacts(born, employed)
        return found

    def _stored(self, request_id: uuid.UUID) -> StoredBulkRequest | None:
        """A handled request and its first result (R2.2): from the summary written with it,
        or — for a request handled before the summary existed — its rows: started outcomes
        are its trajectories, skipped ones are stored with their reason."""
        r = t.bulk_start_requests
        row = self._c.execute(
            sa.select(r.c.request_id, r.c.fingerprint, r.c.summary).where(
                r.c.request_id == request_id
            )
        ).first()
        if row is None:
            return None
        if row.summary is not None:
            return StoredBulkRequest(
                row.request_id, row.fingerprint, unpack_outcomes(bytes(row.summary))
            )
        o, x = t.bulk_start_outcomes, t.trajectories
        outcomes = [
            BulkOutcome(r.employee_id, None, SkipReason(r.reason))
            for r in self._c.execute(sa.select(o).where(o.c.request_id == request_id))
        ]
        outcomes += [
            BulkOutcome(r.employee_id, r.id, None)
            for r in self._c.execute(
                sa.select(x.c.id, x.c.employee_id).where(x.c.bulk_request_id == request_id)
            )
        ]
        outcomes.sort(key=lambda outcome: outcome.employee_id.int)
        return StoredBulkRequest(row.request_id, row.fingerprint, tuple(outcomes))

    def claim(
        self,
        request_id: uuid.UUID,
        fingerprint: str,
        requested_by: uuid.UUID,
        protocol_id: uuid.UUID,
    ) -> StoredBulkRequest | None:
        try:
            with self._c.begin_nested():
                self._c.execute(
                    t.bulk_start_requests.insert().values(
                        request_id=request_id,
                        fingerprint=fingerprint,
                        protocol_id=protocol_id,
                        requested_by=requested_by,
                    )
                )
        except sa.exc.IntegrityError:
            return self._stored(request_id)
        return None

    def _insert_trajectories(self, rows: Iterable[tuple[Any, ...]], count: int) -> None:
        """PostgreSQL: ``rows`` (values in the order of :data:`_TRAJECTORY_COLUMNS`) streamed
        through ``COPY`` (no mapping per row; a few rows by one ``INSERT``). The exclusion
        constraint (R2.2) answers as the services do. The bulk start holds the protocol's lock
        and skips employees with a trajectory then, so this is a last line only."""
        try:
            if count >= COPY_FROM:
                copy_rows(self._c, t.trajectories.name, _TRAJECTORY_COLUMNS, rows)
            else:
                insert_rows(
                    self._c,
                    t.trajectories,
                    [dict(zip(_TRAJECTORY_COLUMNS, row, strict=True)) for row in rows],
                )
        except Exception as error:  # wrapped by SQLAlchemy, or raw from the COPY protocol
            if sqlstate(error) != EXCLUSION_VIOLATION:
                raise
            raise _overlap(None) from None

    def start_all(self, plan: BulkStartPlan) -> None:
        """R2.2 in four statements: the trajectories (``COPY`` on PostgreSQL, one ``INSERT …
        SELECT`` from a JSON array on SQLite), their tasks by one ``INSERT …
        SELECT`` from the request's trajectories (ids made by the database), the skipped
        outcomes, and the request's summary — every outcome packed in one value, which a
        repeated request answers from (:func:`pack_outcomes`)."""
        request_id = plan.request.request_id
        period = plan.request.period
        kind = plan.protocol.kind.value
        started = [o for o in plan.outcomes if o.trajectory_id is not None]
        if self._c.dialect.name == "sqlite":
            self._insert_trajectories_sqlite(plan, started)
        else:
            employments = plan.employments
            compensation = plan.compensation

            def rows() -> Iterator[tuple[Any, ...]]:
                for o in started:
                    found = compensation.get(o.employee_id) if compensation else None
                    yield (
                        o.trajectory_id,
                        plan.protocol.id,
                        kind,
                        o.employee_id,
                        employments.get(o.employee_id),
                        period.start,
                        period.end,
                        request_id,
                        None if found is None else found.added,
                        None if found is None else found.reason.value,
                    )

            self._insert_trajectories(rows(), len(started))
        if started:
            self._insert_tasks(plan)
        # started outcomes are the request's trajectories; only the skipped ones are stored
        insert_rows(
            self._c,
            t.bulk_start_outcomes,
            [
                {
                    "request_id": request_id,
                    "employee_id": o.employee_id,
                    "trajectory_id": None,
                    "reason": o.reason.value,
                }
                for o in plan.outcomes
                if o.reason is not None
            ],
        )
        r = t.bulk_start_requests
        self._c.execute(
            r.update()
            .where(r.c.request_id == request_id)
            .values(summary=pack_outcomes(plan.outcomes))
        )

    def _insert_trajectories_sqlite(self, plan: BulkStartPlan, started: list[BulkOutcome]) -> None:
        """SQLite: the started trajectories in one ``INSERT … SELECT`` over a counter
        (a recursive CTE), each row's ids cut from three bound values — the trajectory, employee
        and employment ids, 16 bytes each, one after another (a blob is cut by byte offset;
        ``lower(hex(…))`` gives the 32 digits SQLite stores a UUID as) — and for a sickness
        protocol one byte per row naming its R2.5 decision; the values every trajectory shares
        bound once. No text per row is made in Python nor parsed by SQLite, and no statement
        step, parameter binding or value conversion by SQLAlchemy happens per row (R2.2)."""
        employees = [o.employee_id for o in started]
        placed = [_NIL if e is None else e for e in map(plan.employments.get, employees)]
        values: dict[str, Any] = {
            "count": len(started),
            "trajectories": uuid_bytes([x for o in started if (x := o.trajectory_id) is not None]),
            "employees": uuid_bytes(employees),
            "employments": uuid_bytes(placed),
            "protocol": plan.protocol.id,
            "kind": plan.protocol.kind.value,
            "start": plan.request.period.start,
            "end": plan.request.period.end,
            "request": plan.request.request_id,
        }
        added, reason = "NULL", "NULL"
        if plan.compensation:
            # the few distinct decisions bound once; per row the number of its decision
            decisions = sorted(
                set(plan.compensation.values()), key=lambda d: (d.added, d.reason.value)
            )
            number: dict[CompensationDecision | None, int] = {None: 0}
            number.update((decision, n) for n, decision in enumerate(decisions, start=1))
            values["decided"] = bytes(
                number.get(d, 0) for d in map(plan.compensation.get, employees)
            )
            code = "hex(substr(:decided, n.i + 1, 1))"
            added = "CASE " + code
            reason = "CASE " + code
            for n, decision in enumerate(decisions, start=1):
                added += f" WHEN '{n:02X}' THEN :added_{n}"
                reason += f" WHEN '{n:02X}' THEN :reason_{n}"
                values[f"added_{n}"] = decision.added
                values[f"reason_{n}"] = decision.reason.value
            added, reason = added + " END", reason + " END"

        def cut(name: str) -> str:
            return f"lower(hex(substr(:{name}, 16 * n.i + 1, 16)))"

        statement = sa.text(
            "WITH RECURSIVE n(i) AS (SELECT 0 WHERE :count > 0"
            " UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :count)"
            " INSERT INTO trajectories (id, protocol_id, kind, employee_id, employment_id,"
            " start_date, end_date, bulk_request_id, compensation_added, compensation_reason)"
            f" SELECT {cut('trajectories')}, :protocol, :kind, {cut('employees')},"
            f" nullif({cut('employments')}, '{_NIL.hex}'), :start, :end, :request, {added},"
            f" {reason} FROM n"
        ).bindparams(
            sa.bindparam("protocol", type_=sa.Uuid),
            sa.bindparam("start", type_=PendulumDate),
            sa.bindparam("end", type_=PendulumDate),
            sa.bindparam("request", type_=sa.Uuid),
        )
        self._c.execute(statement, values)

    def _insert_tasks(self, plan: BulkStartPlan) -> None:
        """The tasks of every trajectory of the request, in one statement: ``plan.tasks`` in
        order, then — where R2.5 added it (recorded on the trajectory) — the compensation task
        with the decision's reason; the very list :func:`tasks_after` gives per employee."""
        x, k = t.trajectories, t.trajectory_tasks
        fresh = _fresh_uuid(self._c.dialect.name)
        added_on = sa.literal(plan.today, PendulumDate)
        ours = x.c.bulk_request_id == plan.request.request_id

        def task(position: int, template: TaskTemplate, reason: Any) -> sa.Select[Any]:
            return sa.select(
                fresh,
                x.c.id,
                sa.literal(position, sa.Integer),
                sa.literal(template.code, k.c.code.type),
                sa.literal(template.title, k.c.title.type),
                added_on,
                reason,
            ).where(ours)

        selects = [
            task(position, template, sa.null()) for position, template in enumerate(plan.tasks)
        ]
        if any(decision.added for decision in plan.compensation.values()):
            selects.append(
                task(len(plan.tasks), COMPENSATION_TASK, x.c.compensation_reason).where(
                    x.c.compensation_added.is_(True)
                )
            )
        if not selects:
            return
        columns = ["id", "trajectory_id", "position", "code", "title", "added_on", "reason"]
        self._c.execute(
            k.insert().from_select(
                columns, selects[0] if len(selects) == 1 else sa.union_all(*selects)
            )
        )
