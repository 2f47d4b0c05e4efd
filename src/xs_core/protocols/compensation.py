"""R2.5: the task "Eventuele ziekteaangifte ivm compensatieregeling oudere werknemers".

When a sickness trajectory starts the task is added when the employee

(a) was born before 1 January 1962, and
(b) on the first day of sickness has been employed for no longer than five years: the
    employment started on or after the first sick day minus five years.

**Decision:** with an unknown birth date the task is not added; with an unknown employment start
(no employment on the first sick day) it is added, as a "possible" claim to check. Every
decision is recorded with its reason. The stricter legal conditions (Ziektewet art. 29d: 52+
weeks of WW right before the employment) cannot be checked from the data and are left to the user.
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools

import attrs
import pendulum

from xs_core.dates import as_date

BORN_BEFORE = _dt.date(1962, 1, 1)
MAX_YEARS_EMPLOYED = 5


class CompensationReason(enum.Enum):
    ELIGIBLE = "eligible"
    BIRTH_DATE_UNKNOWN = "birth_date_unknown"
    EMPLOYMENT_START_UNKNOWN = "employment_start_unknown"
    BORN_TOO_LATE = "born_on_or_after_1962"
    EMPLOYED_TOO_LONG = "employed_longer_than_5_years"


@attrs.frozen
class CompensationDecision:
    added: bool
    reason: CompensationReason


@functools.lru_cache(maxsize=64)  # a bulk start asks it for one day, once per employee
def employed_since_limit(first_sick_day: _dt.date) -> pendulum.Date:
    """The earliest employment start that still counts as "no longer than five years"."""
    return as_date(first_sick_day).subtract(years=MAX_YEARS_EMPLOYED)


def compensation_task_decision(
    birth_date: _dt.date | None,
    employment_start: _dt.date | None,
    first_sick_day: _dt.date,
) -> CompensationDecision:
    """Decide R2.5 for one sickness trajectory.

    >>> from datetime import date
    >>> compensation_task_decision(date(1961, 12, 31), date(2021, 3, 1), date(2026, 3, 1)).added
    True
    >>> compensation_task_decision(date(1962, 1, 1), date(2021, 3, 1), date(2026, 3, 1)).reason
    <CompensationReason.BORN_TOO_LATE: 'born_on_or_after_1962'>
    """
    if birth_date is None:
        return CompensationDecision(False, CompensationReason.BIRTH_DATE_UNKNOWN)
    if birth_date >= BORN_BEFORE:
        return CompensationDecision(False, CompensationReason.BORN_TOO_LATE)
    if employment_start is None:
        return CompensationDecision(True, CompensationReason.EMPLOYMENT_START_UNKNOWN)
    if employment_start < employed_since_limit(first_sick_day):
        return CompensationDecision(False, CompensationReason.EMPLOYED_TOO_LONG)
    return CompensationDecision(True, CompensationReason.ELIGIBLE)
