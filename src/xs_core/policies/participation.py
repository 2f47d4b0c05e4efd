"""Participation of one employee in one policy: the whole timeline, as a pure function (R6.2–R6.5).

:func:`participation_timeline` computes, from the facts of an employee (birth date, employments
at the policy's employer with their versions, sickness spells), the policy's period and effective
conditions, the maximum SV-wage table and the manual registrations, the participation over the
whole policy period: non-overlapping half-open periods that cover it exactly, each *included* or
*excluded* with the reasons and its source. Participation on a date is the timeline read at that
date (:meth:`Timeline.on`). It is the single source of truth: the nightly run, the participant
page and the dry run all use it.

How it works: the outcome can only change on a day where an input changes — the policy's start
and end, an employment's start, end or version, the day an age bound is reached, the day a
sickness exclusion lapses, the first of a year (the maximum SV-wage), the edges of a manual
registration. Between two such days the outcome is evaluated once; equal neighbours are merged.

Decisions (recorded in ``docs/decisions.md``):

* the conditions apply to the *leading employment at the policy's employer* on the day (R6.2,
  R2.3): among the employee's employments there that run on the day, the flagged leading one,
  else the one that started first; a day without such an employment is excluded, reason
  :attr:`ExclusionReason.NOT_EMPLOYED` (the existing system's "Niet in dienst");
* sickness at the policy start (R6.2 2): with ``R`` the first day fully recovered, a spell running
  on the policy start, or with ``R`` less than or exactly 42 days before it, excludes from the
  start; a new spell starting before the exclusion lapses restarts the count at its recovery;
  the exclusion lapses on ``R + 43`` of the last such spell (never while one is unrecovered);
* an unknown birth date (age condition) or salary (salary condition) excludes, with a note;
* a year without a published maximum SV-wage uses the last published one, noted provisional
  (as the AOW decision of DOMAIN §8);
* manual registrations win on every day they cover (R6.4); automatic outcomes fill the rest.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import enum
import uuid
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs
import pendulum

from xs_core import limits
from xs_core.dates import DateRange, as_date, date_range
from xs_core.organisation.model import EmploymentType
from xs_core.parameters.aow import add_age
from xs_core.parameters.table import ParameterTable, max_sv_wage_table
from xs_core.policies.conditions import Conditions

#: R6.2 (2): the exclusion lapses when fully recovered for more than this many days.
RECOVERY_DAYS = 42


class ExclusionReason(enum.Enum):
    """Why a period is excluded (uitsluitingsreden, R6.5)."""

    AGE = "age"  # Leeftijd
    SICK_AT_POLICY_START = "sick_at_policy_start"  # Ziekte ingangsdatum polis
    SALARY = "salary"  # Salaris
    EMPLOYMENT_TYPE = "employment_type"  # Dienstverbandtype
    MANUAL = "manual"  # Handmatig
    NOT_EMPLOYED = "not_employed"  # Niet in dienst

    @property
    def label_nl(self) -> str:
        return _REASON_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _REASON_LABELS[self][1]


_REASON_LABELS: dict[ExclusionReason, tuple[str, str]] = {
    ExclusionReason.AGE: ("Leeftijd", "Age"),
    ExclusionReason.SICK_AT_POLICY_START: (
        "Ziekte ingangsdatum polis",
        "Sick on the policy start date",
    ),
    ExclusionReason.SALARY: ("Salaris", "Salary"),
    ExclusionReason.EMPLOYMENT_TYPE: ("Dienstverbandtype", "Employment type"),
    ExclusionReason.MANUAL: ("Handmatig", "Manual"),
    ExclusionReason.NOT_EMPLOYED: ("Niet in dienst", "Not employed"),
}


class Note(enum.Enum):
    """What a registration says beside its reasons: why a fact was missing or provisional."""

    BIRTH_DATE_UNKNOWN = "birth_date_unknown"
    SALARY_UNKNOWN = "salary_unknown"
    MAX_SV_WAGE_PROVISIONAL = "max_sv_wage_provisional"
    MAX_SV_WAGE_UNKNOWN = "max_sv_wage_unknown"

    @property
    def label_nl(self) -> str:
        return _NOTE_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _NOTE_LABELS[self][1]


_NOTE_LABELS: dict[Note, tuple[str, str]] = {
    Note.BIRTH_DATE_UNKNOWN: ("Geboortedatum onbekend", "Birth date unknown"),
    Note.SALARY_UNKNOWN: ("Salaris onbekend", "Salary unknown"),
    Note.MAX_SV_WAGE_PROVISIONAL: (
        "Maximum SV-loon van dit jaar nog niet vastgesteld; het laatst bekende is gebruikt",
        "Maximum SV-wage of this year not yet published; the last known one was used",
    ),
    Note.MAX_SV_WAGE_UNKNOWN: (
        "Geen maximum SV-loon bekend voor dit jaar",
        "No maximum SV-wage known for this year",
    ),
}


class Source(enum.Enum):
    """Who made a registration: a user (handmatig, R6.4) or the evaluation (automatisch)."""

    MANUAL = "manual"
    AUTOMATIC = "automatic"

    @property
    def label_nl(self) -> str:
        return "Handmatig" if self is Source.MANUAL else "Automatisch"

    @property
    def label_en(self) -> str:
        return "Manual" if self is Source.MANUAL else "Automatic"


@attrs.frozen(kw_only=True)
class EmploymentVersionFacts:
    """The conditions of an employment during ``valid`` (R2.3)."""

    valid: DateRange
    employment_type: EmploymentType
    #: the annual salary in euros, ``None`` when unknown
    salary: Decimal | None


@attrs.frozen(kw_only=True)
class EmploymentFacts:
    """An employment at the policy's employer."""

    id: uuid.UUID
    period: DateRange
    is_leading: bool
    versions: tuple[EmploymentVersionFacts, ...]


@attrs.frozen(kw_only=True)
class SicknessSpell:
    """A sickness of the employee: from ``first_day``; ``recovered_on`` is the first day fully
    recovered (R), ``None`` while not recovered."""

    first_day: pendulum.Date
    recovered_on: pendulum.Date | None = None


@attrs.frozen(kw_only=True)
class EmployeeFacts:
    """What the evaluation needs of an employee for one policy (of one employer)."""

    employee_id: uuid.UUID
    birth_date: pendulum.Date | None
    employments: tuple[EmploymentFacts, ...]
    sickness: tuple[SicknessSpell, ...] = ()


@attrs.frozen(kw_only=True)
class ManualRegistration:
    """A participation registered by hand over ``period`` (R6.4)."""

    period: DateRange
    included: bool
    note: str | None = None


@attrs.frozen(kw_only=True)
class Participation:
    """One period of the timeline: included, or excluded for ``reasons``."""

    period: DateRange
    included: bool
    reasons: frozenset[ExclusionReason] = frozenset()
    source: Source = Source.AUTOMATIC
    notes: frozenset[Note] = frozenset()
    #: the text of a manual registration
    note: str | None = None

    def same_outcome(self, other: Participation) -> bool:
        return (self.included, self.reasons, self.source, self.notes, self.note) == (
            other.included,
            other.reasons,
            other.source,
            other.notes,
            other.note,
        )


@attrs.frozen
class Timeline:
    """Non-overlapping periods that cover the policy's period exactly, in order."""

    periods: tuple[Participation, ...]

    def on(self, day: _dt.date) -> Participation | None:
        """The participation on ``day``; ``None`` outside the policy's period."""
        starts = [p.period.start for p in self.periods]
        index = bisect.bisect_right(starts, day) - 1
        if index < 0 or not self.periods[index].period.contains(day):
            return None
        return self.periods[index]

    @property
    def automatic(self) -> tuple[Participation, ...]:
        return tuple(p for p in self.periods if p.source is Source.AUTOMATIC)


#: ``year -> (maximum SV-wage, provisional)``; ``None`` when no value is known for the year.
MaxSvWage = Callable[[int], tuple[Decimal | None, bool]]


def max_sv_wage_by_year(table: ParameterTable[Decimal] | None = None) -> MaxSvWage:
    """The maximum SV-wage of a year from the R0.4 table: a year after the last published one
    takes the last value, provisional (as the AOW decision of DOMAIN §8); a year before the
    first one has none (the salary condition then excludes, noting it)."""
    values = (table or max_sv_wage_table()).values
    first, last = values[0].applies_from.year, values[-1].applies_from.year
    by_year = {v.applies_from.year: v.value for v in values}

    def lookup(year: int) -> tuple[Decimal | None, bool]:
        if year < first:
            return None, False
        if year > last:
            return values[-1].value, True
        return by_year[year], False

    return lookup


def sickness_exclusion_end(
    policy_start: _dt.date, spells: Iterable[SicknessSpell]
) -> pendulum.Date | bool | None:
    """R6.2 (2): ``False`` when the employee is not excluded at the policy start; otherwise the
    first day included again (``R + 43`` of the last spell in the chain), or ``None`` while a
    spell of the chain is not recovered (excluded until further notice)."""
    start = as_date(policy_start)
    ordered = sorted(spells, key=lambda s: s.first_day)
    blocking = [
        s
        for s in ordered
        if s.first_day <= start
        and (s.recovered_on is None or s.recovered_on > start.subtract(days=RECOVERY_DAYS + 1))
    ]
    if not blocking:
        return False
    last = max(blocking, key=lambda s: (s.recovered_on is None, s.recovered_on or start))
    recovered = last.recovered_on
    while True:
        if recovered is None:
            return None
        lapse = recovered.add(days=RECOVERY_DAYS + 1)
        relapse = [s for s in ordered if recovered <= s.first_day < lapse]
        if not relapse:
            return lapse
        chained = max(relapse, key=lambda s: (s.recovered_on is None, s.recovered_on or lapse))
        if chained.recovered_on is not None and chained.recovered_on <= recovered:
            return lapse
        recovered = chained.recovered_on


def _leading(employments: Sequence[EmploymentFacts], day: _dt.date) -> EmploymentFacts | None:
    if len(employments) == 1:  # the common case, and the same answer as below
        only = employments[0]
        return only if only.period.contains(day) else None
    running = [e for e in employments if e.period.contains(day)]
    flagged = [e for e in running if e.is_leading]
    if flagged:
        return flagged[0]
    return min(running, key=lambda e: (e.period.start, str(e.id)), default=None)


def _version(employment: EmploymentFacts, day: _dt.date) -> EmploymentVersionFacts | None:
    for version in employment.versions:
        if version.valid.contains(day):
            return version
    return None


def _sets(members: Sequence[Any]) -> list[frozenset[Any]]:
    """Every subset of ``members``, at the index whose bit ``1 << i`` stands for member i."""
    return [
        frozenset(m for i, m in enumerate(members) if bits >> i & 1)
        for bits in range(1 << len(members))
    ]


_VERDICT_REASONS = (
    ExclusionReason.AGE,
    ExclusionReason.SICK_AT_POLICY_START,
    ExclusionReason.NOT_EMPLOYED,
    ExclusionReason.SALARY,
    ExclusionReason.EMPLOYMENT_TYPE,
)
_AGE, _SICK, _NOT_EMPLOYED, _SALARY, _EMPLOYMENT_TYPE = (1 << i for i in range(5))
_REASON_SETS = _sets(_VERDICT_REASONS)
_VERDICT_NOTES = (
    Note.BIRTH_DATE_UNKNOWN,
    Note.MAX_SV_WAGE_PROVISIONAL,
    Note.SALARY_UNKNOWN,
    Note.MAX_SV_WAGE_UNKNOWN,
)
_BIRTH_DATE_UNKNOWN, _MAX_SV_WAGE_PROVISIONAL, _SALARY_UNKNOWN, _MAX_SV_WAGE_UNKNOWN = (
    1 << i for i in range(4)
)
_NOTE_SETS = _sets(_VERDICT_NOTES)


@attrs.frozen
class _Evaluator:
    facts: EmployeeFacts
    policy_start: pendulum.Date
    conditions: Conditions
    max_sv_wage: MaxSvWage
    lower: pendulum.Date | None
    upper: pendulum.Date | None
    sick_until: pendulum.Date | bool | None

    def verdict(self, day: pendulum.Date) -> tuple[frozenset[ExclusionReason], frozenset[Note]]:
        """The reasons that exclude ``day`` (none: included) and the notes of the day. (Built
        as bits, then looked up: a run asks millions of days, R6.6.)"""
        reasons = 0
        notes = 0
        c = self.conditions
        if c.age.active:
            if self.facts.birth_date is None:
                reasons |= _AGE
                notes |= _BIRTH_DATE_UNKNOWN
            elif (self.lower is not None and day < self.lower) or (
                self.upper is not None and day >= self.upper
            ):
                reasons |= _AGE
        if c.sickness.active and self.sick_until is not False:
            until = self.sick_until
            if until is None or (isinstance(until, _dt.date) and day < until):
                reasons |= _SICK
        employment = _leading(self.facts.employments, day)
        version = None if employment is None else _version(employment, day)
        if version is None:
            reasons |= _NOT_EMPLOYED
        else:
            if c.salary.active:
                maximum, provisional = self.max_sv_wage(day.year)
                if provisional:
                    notes |= _MAX_SV_WAGE_PROVISIONAL
                if version.salary is None:
                    reasons |= _SALARY
                    notes |= _SALARY_UNKNOWN
                elif maximum is None:
                    reasons |= _SALARY
                    notes |= _MAX_SV_WAGE_UNKNOWN
                elif version.salary <= maximum:
                    reasons |= _SALARY
            if c.employment_type.active and version.employment_type in c.employment_type.excluded:
                reasons |= _EMPLOYMENT_TYPE
        return _REASON_SETS[reasons], _NOTE_SETS[notes]

    def outcome(self, day: pendulum.Date, period: DateRange | None = None) -> Participation:
        """The automatic participation of ``day`` (over ``period``, by default the day)."""
        reasons, notes = self.verdict(day)
        return Participation(
            period=DateRange(day, day.add(days=1)) if period is None else period,
            included=not reasons,
            reasons=reasons,
            notes=notes,
        )


def _boundaries(
    facts: EmployeeFacts,
    policy: DateRange,
    evaluator: _Evaluator,
    manual: Sequence[ManualRegistration],
    last_wage_year: int,
) -> list[pendulum.Date]:
    points: set[_dt.date] = set()
    for employment in facts.employments:
        points.add(employment.period.start)
        if employment.period.end is not None:
            points.add(employment.period.end)
        for version in employment.versions:
            points.add(version.valid.start)
            if version.valid.end is not None:
                points.add(version.valid.end)
    for bound in (evaluator.lower, evaluator.upper):
        if bound is not None:
            points.add(bound)
    if isinstance(evaluator.sick_until, _dt.date):
        points.add(evaluator.sick_until)
    if evaluator.conditions.salary.active:
        last = policy.end.year if policy.end is not None else last_wage_year + 1
        for year in range(policy.start.year + 1, last + 1):
            points.add(_dt.date(year, 1, 1))
    for registration in manual:
        points.add(registration.period.start)
        if registration.period.end is not None:
            points.add(registration.period.end)
    # A point on or after the end of the window (2200-01-01, a valid exclusive end: R0.1, R0.2)
    # starts no day of it: it is no boundary (a run refused here could never finish, R6.6).
    inside = sorted(
        as_date(p)
        for p in points
        if policy.start < p < limits.END_LIMIT and (policy.end is None or p < policy.end)
    )
    return [policy.start, *inside]


def _evaluator(
    facts: EmployeeFacts, policy: DateRange, conditions: Conditions, max_sv_wage: MaxSvWage
) -> _Evaluator:
    birth = facts.birth_date
    age = conditions.age
    return _Evaluator(
        facts=facts,
        policy_start=policy.start,
        conditions=conditions,
        max_sv_wage=max_sv_wage,
        lower=(
            None
            if birth is None or not age.active or age.younger_than is None
            else add_age(birth, age.younger_than.years, age.younger_than.months)
        ),
        upper=(
            None
            if birth is None or not age.active or age.older_than is None
            else add_age(birth, age.older_than.years, age.older_than.months)
        ),
        sick_until=(
            sickness_exclusion_end(policy.start, facts.sickness)
            if conditions.sickness.active
            else False
        ),
    )


def _manual(registration: ManualRegistration, period: DateRange) -> Participation:
    return Participation(
        period=period,
        included=registration.included,
        reasons=frozenset() if registration.included else frozenset({ExclusionReason.MANUAL}),
        source=Source.MANUAL,
        note=registration.note,
    )


def _same_run(
    run: tuple[
        pendulum.Date, ManualRegistration | None, frozenset[ExclusionReason], frozenset[Note]
    ],
    key: tuple[ManualRegistration | None, frozenset[ExclusionReason], frozenset[Note]],
) -> bool:
    """Two neighbouring days have the same outcome: the same verdict, or manual registrations
    with the same outcome and note."""
    manual, other = run[1], key[0]
    if manual is None or other is None:
        return manual is None and other is None and run[2:] == key[1:]
    return (manual.included, manual.note) == (other.included, other.note)


def participation_timeline(
    facts: EmployeeFacts,
    policy: DateRange,
    conditions: Conditions,
    max_sv_wage: MaxSvWage,
    manual: Sequence[ManualRegistration] = (),
    last_wage_year: int = 2026,
) -> Timeline:
    """The participation of an employee in a policy over the policy's ``period`` (R6.2–R6.5).

    ``manual`` registrations must not overlap each other; ``last_wage_year`` is the last year the
    maximum SV-wage table knows (the salary condition can change on every 1 January up to the
    year after it).
    """
    evaluator = _evaluator(facts, policy, conditions, max_sv_wage)
    starts = _boundaries(facts, policy, evaluator, manual, last_wage_year)
    ordered_manual = sorted(manual, key=lambda m: m.period.start)
    # (start, manual registration or None, reasons, notes) of each run of equal days
    runs: list[
        tuple[pendulum.Date, ManualRegistration | None, frozenset[ExclusionReason], frozenset[Note]]
    ] = []
    for start in starts:
        registered = (
            next((m for m in ordered_manual if m.period.contains(start)), None)
            if ordered_manual
            else None
        )
        if registered is not None:
            key: tuple[ManualRegistration | None, frozenset[ExclusionReason], frozenset[Note]] = (
                registered,
                frozenset(),
                frozenset(),
            )
        else:
            key = (None, *evaluator.verdict(start))
        if runs and _same_run(runs[-1], key):
            continue
        runs.append((start, *key))
    periods: list[Participation] = []
    for index, (start, registered, reasons, notes) in enumerate(runs):
        end = runs[index + 1][0] if index + 1 < len(runs) else policy.end
        span = date_range(start, end)
        if registered is not None:
            periods.append(_manual(registered, span))
        else:
            periods.append(
                Participation(period=span, included=not reasons, reasons=reasons, notes=notes)
            )
    return Timeline(tuple(periods))


def participation_on(
    facts: EmployeeFacts,
    policy: DateRange,
    conditions: Conditions,
    max_sv_wage: MaxSvWage,
    day: _dt.date,
    manual: Sequence[ManualRegistration] = (),
) -> Participation | None:
    """The participation on one ``day``, evaluated directly for that day (the reference the
    timeline is held to: evaluating day by day equals reading the timeline)."""
    if not policy.contains(day):
        return None
    one_day = DateRange(day, as_date(day).add(days=1))
    for registration in manual:
        if registration.period.contains(day):
            return _manual(registration, one_day)
    return _evaluator(facts, policy, conditions, max_sv_wage).outcome(as_date(day))
