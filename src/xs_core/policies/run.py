"""The nightly evaluation of participation (R6.6), as pure functions.

The run re-evaluates, as of a date ``on``, every employee of every policy whose effective
conditions are active, and writes only what changed. What "changed" means is decided here:

* the *window* of a run is ``[on, policy end)`` (the whole policy when it starts after ``on``):
  the past before ``on`` is history and is never rewritten;
* the *target* is the automatic part of the employee's timeline
  (:func:`~xs_core.policies.participation.participation_timeline`, the single source of truth),
  clipped to the window; manual registrations are inputs and never touched (R6.4);
* the *stored* automatic registrations, clipped to the window, are compared with the target
  period by period (same days, same outcome). When they agree, nothing is written. Otherwise a
  stored registration whose days in the window are not exactly one target period is removed —
  its days before the window are kept as a new registration with the old outcome and date — and
  every target period not already stored is added, registered on ``on``.

So applying a run twice equals applying it once (the second finds the target stored), and a run
that was interrupted and is run again ends where an uninterrupted run would (decision recorded in
``docs/decisions.md``).
"""

from __future__ import annotations

import datetime as _dt
import enum
import hashlib
import json
import random
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from xs_core.dates import DateRange, as_date, date_range
from xs_core.events import DomainEvent
from xs_core.policies.conditions import Conditions
from xs_core.policies.model import Policy, Registration
from xs_core.policies.participation import (
    ExclusionReason,
    ManualRegistration,
    Note,
    Participation,
    Source,
    Timeline,
)
from xs_core.uuids import uuid_from_int


@attrs.frozen(kw_only=True)
class PolicyEvaluationStarted(DomainEvent):
    """R6.6: a nightly evaluation was planned: its date, the policy it is limited to (``None``:
    every policy in the starter's scope) and how many chunks it has."""

    name: ClassVar[str] = "PolicyEvaluationStarted"
    run_id: uuid.UUID
    on: _dt.date
    policy_id: uuid.UUID | None
    chunks: int


@attrs.frozen(kw_only=True)
class PolicyEvaluationSuperseded(DomainEvent):
    """R6.6: an unfinished run was finished without working its open chunks, because a new run
    (``by_run_id``) of its policies was started; the new run evaluates them."""

    name: ClassVar[str] = "PolicyEvaluationSuperseded"
    run_id: uuid.UUID
    by_run_id: uuid.UUID


@attrs.frozen(kw_only=True)
class PolicyEvaluationFinished(DomainEvent):
    """R6.6: the last chunk of a nightly evaluation finished: how many employees changed and how
    many registrations were added and removed in all."""

    name: ClassVar[str] = "PolicyEvaluationFinished"
    run_id: uuid.UUID
    on: _dt.date
    changed: int
    added: int
    removed: int


#: Raised whenever the evaluation's rules change, so that a run re-evaluates everyone.
EVALUATION_VERSION = 1


def _canonical(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(_canonical(v) for v in value)
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if attrs.has(type(value)):
        return {k: _canonical(v) for k, v in attrs.asdict(value, recurse=False).items()}
    return str(value)


def evaluation_key(
    policy: Policy, conditions: Conditions, wages: Sequence[tuple[_dt.date, Decimal]]
) -> str:
    """What, besides an employee's own facts, decides their timeline in a policy: the rules'
    version, the policy's period, the effective conditions and the maximum SV-wage table — as a
    short digest. A run re-evaluates an employee when it differs from their last evaluation's."""
    text = json.dumps(
        _canonical(
            [EVALUATION_VERSION, policy.period.start, policy.period.end, conditions, list(wages)]
        ),
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def window(policy_period: DateRange, on: _dt.date) -> DateRange | None:
    """The days a run on ``on`` may change: ``[max(on, start), end)``; ``None`` when the policy
    ended on or before ``on``."""
    start = max(as_date(on), policy_period.start)
    if policy_period.end is not None and start >= policy_period.end:
        return None
    return date_range(start, policy_period.end)


def manual_inputs(registrations: Iterable[Registration]) -> list[ManualRegistration]:
    """The manual registrations among ``registrations``, as inputs of the timeline (R6.4)."""
    return [
        ManualRegistration(period=r.period, included=r.included, note=r.note)
        for r in registrations
        if r.is_manual
    ]


class _OrderedIds:
    """Time-ordered registration ids (the layout of RFC 9562's UUID version 7: 48 bits of Unix
    milliseconds, version, 12 random bits, variant, then a counter started at random each
    millisecond in the next 30 bits and 32 random bits).

    The nightly run adds millions of registrations; ids that grow with time are appended at the
    right edge of the primary key's B-tree instead of landing on a random page each (uuid4), which
    kept the index out of the page cache at 3M rows (docs/benchmarks.md). Unique as uuid4 ids are:
    a counter per millisecond and 44 random bits (the ``random`` module is re-seeded in a forked
    child)."""

    def __init__(self) -> None:
        self._millisecond = -1
        self._last = 0

    def __call__(self) -> uuid.UUID:
        millisecond = time.time_ns() // 1_000_000
        if millisecond > self._millisecond:
            self._millisecond = millisecond
            # the counter starts below 2**29: a billion more ids fit in its 30 bits
            self._last = (
                (millisecond & 0xFFFF_FFFF_FFFF) << 80
                | 0x7 << 76
                | random.getrandbits(12) << 64
                | 0b10 << 62
                | random.getrandbits(29) << 32
            )
        else:  # the same millisecond (or the clock went back): count on from the last id
            self._last += 1 << 32
        return uuid_from_int(self._last | random.getrandbits(32))


#: A new id for a registration the run writes (time-ordered).
registration_id = _OrderedIds()


#: The outcome of a period as a run compares it (included, reasons, notes).
Outcome = tuple[bool, frozenset[ExclusionReason], frozenset[Note]]
#: The automatic periods of a timeline clipped to a run's window, in order: the clipped days,
#: their outcome, and the timeline's period.
Target = tuple[tuple[DateRange, Outcome, Participation], ...]


def window_target(timeline: Timeline, days: DateRange) -> Target:
    """The automatic periods of ``timeline`` with days in ``days``, clipped to it (R6.4: the
    manual ones are inputs, never a target)."""
    found = []
    for period in timeline.periods:
        if period.source is not Source.AUTOMATIC:
            continue
        clipped = period.period.intersection(days)
        if clipped is not None:
            found.append((clipped, (period.included, period.reasons, period.notes), period))
    return tuple(found)


def _outcome(value: Registration | Participation) -> Outcome:
    return (value.included, value.reasons, value.notes)


@attrs.frozen(kw_only=True)
class ParticipantChange:
    """What a run changes for one employee in one policy: the registrations it removes and
    those it adds (``added``: the new outcomes; ``kept``: the days before the window of a removed
    registration, re-added with their old outcome and date)."""

    policy_id: uuid.UUID
    employee_id: uuid.UUID
    removed: tuple[Registration, ...]
    added: tuple[Registration, ...]
    kept: tuple[Registration, ...]

    def previous(self, day: _dt.date) -> Registration | None:
        """The stored registration that covered ``day`` before the change."""
        return next((r for r in self.removed if r.period.contains(day)), None)


def reconcile(
    policy: Policy,
    employee_id: uuid.UUID,
    stored: Sequence[Registration],
    timeline: Timeline,
    on: _dt.date,
    target: Target | None = None,
) -> ParticipantChange | None:
    """R6.6: the change that makes the stored automatic registrations of the employee agree
    with ``timeline`` over the run's window; ``None`` when they agree already. ``target``: the
    timeline's :func:`window_target` for this window, when known."""
    days = window(policy.period, on)
    if days is None:
        return None
    if target is None:
        target = window_target(timeline, days)
    automatic = [r for r in stored if not r.is_manual]
    today = as_date(on)
    if not automatic:  # nothing stored to compare with (a first run): add the target
        if not target:
            return None
        return ParticipantChange(
            policy_id=policy.id,
            employee_id=employee_id,
            removed=(),
            added=tuple(_added(policy, employee_id, clipped, p, today) for clipped, _, p in target),
            kept=(),
        )
    wanted = {(clipped, outcome): p for clipped, outcome, p in target}
    current: dict[tuple[DateRange, Outcome], Registration] = {}
    stale: list[Registration] = []
    for registration in automatic:
        clipped = registration.period.intersection(days)
        if clipped is None:
            continue
        key = (clipped, _outcome(registration))
        if key in wanted and key not in current:
            current[key] = registration
        else:
            stale.append(registration)
    new = [(key, p) for key, p in wanted.items() if key not in current]
    if not new and not stale:
        return None
    kept = [
        attrs.evolve(r, id=registration_id(), period=DateRange(r.period.start, days.start))
        for r in stale
        if r.period.start < days.start
    ]
    added = [
        _added(policy, employee_id, clipped, p, today)
        for (clipped, _), p in sorted(new, key=lambda kv: kv[0][0].start)
    ]
    return ParticipantChange(
        policy_id=policy.id,
        employee_id=employee_id,
        removed=tuple(stale),
        added=tuple(added),
        kept=tuple(kept),
    )


def _added(
    policy: Policy, employee_id: uuid.UUID, days: DateRange, period: Participation, today: Any
) -> Registration:
    return Registration(
        id=registration_id(),
        policy_id=policy.id,
        employee_id=employee_id,
        period=days,
        included=period.included,
        reasons=period.reasons,
        source=Source.AUTOMATIC,
        notes=period.notes,
        registered_on=today,
    )


def apply(stored: Sequence[Registration], change: ParticipantChange | None) -> list[Registration]:
    """The registrations after ``change``, by start (for tests and the in-memory view)."""
    if change is None:
        return sorted(stored, key=lambda r: r.period.start)
    removed = {r.id for r in change.removed}
    result = [r for r in stored if r.id not in removed]
    return sorted([*result, *change.kept, *change.added], key=lambda r: r.period.start)


@attrs.frozen(kw_only=True)
class ChunkPlan:
    """A chunk of a run: the employees of ``policy_id``'s employer with ``after < id <= last``
    (``None``: unbounded). The chunks of a policy cover every id exactly once, so employees
    added while the run goes are evaluated too."""

    number: int
    policy_id: uuid.UUID
    employer_id: uuid.UUID
    after: uuid.UUID | None
    last: uuid.UUID | None

    def holds(self, employee_id: uuid.UUID) -> bool:
        return (self.after is None or employee_id > self.after) and (
            self.last is None or employee_id <= self.last
        )


def plan_chunks(
    policies: Sequence[Policy], employee_ids: Mapping[uuid.UUID, Sequence[uuid.UUID]], size: int
) -> list[ChunkPlan]:
    """Chunks of at most ``size`` employees per policy, in id order (``employee_ids``: the
    sorted ids of each policy's employer's employees when the run is planned)."""
    chunks: list[ChunkPlan] = []
    for policy in policies:
        ids = employee_ids.get(policy.employer_id, ())
        bounds = [ids[i] for i in range(size - 1, len(ids) - 1, size)]
        after: uuid.UUID | None = None
        for last in [*bounds, None]:
            chunks.append(
                ChunkPlan(
                    number=len(chunks),
                    policy_id=policy.id,
                    employer_id=policy.employer_id,
                    after=after,
                    last=last,
                )
            )
            after = last
    return chunks


__all__ = [
    "EVALUATION_VERSION",
    "ChunkPlan",
    "ParticipantChange",
    "PolicyEvaluationFinished",
    "PolicyEvaluationStarted",
    "PolicyEvaluationSuperseded",
    "apply",
    "evaluation_key",
    "manual_inputs",
    "plan_chunks",
    "reconcile",
    "window",
    "window_target",
]
