"""The participation timeline memoised on what decides it (R6.2–R6.6).

:func:`~xs_core.policies.participation.participation_timeline` is a pure function of an
employee's facts. Most of a policy's employees share the same *shape*: the same days inside the
policy period where something changes, and the same verdict between them. :class:`TimelineMemo`
reduces the facts to a canonical key of only what the function reads, and evaluates once per key:

* the age bounds (birth date + the condition's ages, as for the AOW date), clipped to the policy
  period — a bound before the policy start or after its end decides every day alike;
* the employments' periods and versions clipped to the policy period (those with no day in it
  are never read), in their order, each with its rank by (start, id) — which decides the
  leading employment when none is flagged (R2.3) — and its flag; per version the employment-type
  verdict and, per calendar year of the policy, whether the salary exceeds that year's maximum
  SV-wage (the only use the salary has);
* the first day the sickness exclusion lapses (``sickness_exclusion_end``), computed — not the
  spells;
* the manual registrations as given.

Equal keys give equal timelines (the property test in ``tests/unit/test_policy_memo.py`` holds
this against the direct evaluation). The maximum SV-wage of a year after ``last_wage_year + 1``
must equal that of ``last_wage_year + 1`` — what :func:`max_sv_wage_by_year` gives.

Decision recorded in ``docs/decisions.md`` (the nightly run's memo).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Hashable, Sequence
from decimal import Decimal
from typing import Any

from xs_core.dates import DateRange
from xs_core.parameters.aow import add_age
from xs_core.policies.conditions import Conditions
from xs_core.policies.participation import (
    EmployeeFacts,
    EmploymentFacts,
    ExclusionReason,
    ManualRegistration,
    MaxSvWage,
    Note,
    Participation,
    Source,
    Timeline,
    participation_timeline,
    sickness_exclusion_end,
)

#: The outcome of a period as the nightly run compares it (included, reasons, notes).
Outcome = tuple[bool, frozenset[ExclusionReason], frozenset[Note]]
#: The automatic periods of a timeline clipped to a run's window, in order: the clipped days,
#: their outcome, and the timeline's period.
Target = tuple[tuple[DateRange, Outcome, Participation], ...]

#: Keys kept at most; the memo is emptied when it is full (memory stays bounded).
DEFAULT_LIMIT = 150_000


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


class TimelineMemo:
    """:func:`participation_timeline` for one policy period, conditions and maximum SV-wage
    table, memoised on the canonical key of the facts; with a ``window``, also each timeline's
    :func:`window_target`."""

    def __init__(
        self,
        policy: DateRange,
        conditions: Conditions,
        max_sv_wage: MaxSvWage,
        last_wage_year: int,
        window: DateRange | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> None:
        self._policy = policy
        self._conditions = conditions
        self._wage = max_sv_wage
        self._last_year = last_wage_year
        self._window = window
        self._limit = limit
        self._start = policy.start
        self._end = policy.end
        last = policy.end.year if policy.end is not None else last_wage_year + 1
        if policy.end is None or last > last_wage_year + 1:
            last = max(policy.start.year, last_wage_year + 1)
        self._maxima = tuple(max_sv_wage(year)[0] for year in range(policy.start.year, last + 1))
        self._found: dict[Hashable, tuple[Timeline, Target]] = {}
        self._bounds: dict[Any, tuple[Any, Any]] = {}
        self._salaries: dict[Decimal | None, Any] = {}
        self.hits = 0
        self.misses = 0

    # -- the key -------------------------------------------------------------------------------

    def _clip(self, day: _dt.date) -> _dt.date:
        if day < self._start:
            return self._start
        if self._end is not None and day > self._end:
            return self._end
        return day

    def _age_bounds(self, birth: _dt.date | None) -> tuple[Any, Any]:
        found = self._bounds.get(birth)
        if found is None:
            age = self._conditions.age
            if not age.active:
                found = (None, None)
            elif birth is None:
                found = ("unknown", None)
            else:
                young, old = age.younger_than, age.older_than
                found = (
                    None
                    if young is None
                    else self._clip(add_age(birth, young.years, young.months)),
                    None if old is None else self._clip(add_age(birth, old.years, old.months)),
                )
            self._bounds[birth] = found
        return found

    def _salary(self, salary: Decimal | None) -> Any:
        if not self._conditions.salary.active:
            return None
        found = self._salaries.get(salary)
        if found is None:
            found = (
                "unknown"
                if salary is None
                else tuple(m is not None and salary > m for m in self._maxima)
            )
            self._salaries[salary] = found
        return found

    def _range(self, period: DateRange) -> tuple[_dt.date, _dt.date | None] | None:
        """``period`` clipped to the policy's period; ``None`` when they share no day."""
        start, end = period.start, period.end
        if end is not None and end <= self._start:
            return None
        if self._end is not None and start >= self._end:
            return None
        if self._end is not None and (end is None or end > self._end):
            end = self._end
        return (start if start > self._start else self._start, end)

    def _employments(self, employments: Sequence[EmploymentFacts]) -> tuple[Any, ...]:
        types = self._conditions.employment_type
        if len(employments) == 1:
            ranks = [0]
        else:
            order = sorted(
                range(len(employments)),
                key=lambda i: (employments[i].period.start, str(employments[i].id)),
            )
            ranks = [0] * len(employments)
            for rank, index in enumerate(order):
                ranks[index] = rank
        found = []
        for position, employment in enumerate(employments):
            days = self._range(employment.period)
            if days is None:
                continue
            versions = []
            for version in employment.versions:
                valid = self._range(version.valid)
                if valid is not None:
                    versions.append(
                        (
                            valid,
                            types.active and version.employment_type in types.excluded,
                            self._salary(version.salary),
                        )
                    )
            found.append((ranks[position], days, employment.is_leading, tuple(versions)))
        return tuple(found)

    def key(self, facts: EmployeeFacts, manual: Sequence[ManualRegistration] = ()) -> Hashable:
        """What decides the employee's timeline in this policy (see the module docstring)."""
        sick: Any = False
        if self._conditions.sickness.active and facts.sickness:
            sick = sickness_exclusion_end(self._start, facts.sickness)
        return (
            self._age_bounds(facts.birth_date),
            sick,
            self._employments(facts.employments),
            tuple((m.period.start, m.period.end, m.included, m.note) for m in manual),
        )

    # -- evaluation ----------------------------------------------------------------------------

    def evaluate(
        self, facts: EmployeeFacts, manual: Sequence[ManualRegistration] = ()
    ) -> tuple[Timeline, Target]:
        """The employee's timeline and (with a window) its target; evaluated once per key."""
        key = self.key(facts, manual)
        found = self._found.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        timeline = participation_timeline(
            facts, self._policy, self._conditions, self._wage, manual, self._last_year
        )
        target = () if self._window is None else window_target(timeline, self._window)
        if len(self._found) >= self._limit:
            self._found.clear()
        self._found[key] = found = (timeline, target)
        return found

    def timeline(self, facts: EmployeeFacts, manual: Sequence[ManualRegistration] = ()) -> Timeline:
        return self.evaluate(facts, manual)[0]


__all__ = ["DEFAULT_LIMIT", "Outcome", "Target", "TimelineMemo", "window_target"]
