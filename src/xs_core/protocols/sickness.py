"""Sickness: the first day of sickness and the recovery reports of a sickness trajectory.

The absence data that reports (R3.1) and policy rules (R6.2) read: from the first sick day the
employee is absent for 100 %; each report sets the recovered percentage from its date on; a report
of 100 % is the full recovery and ends the absence.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

import attrs
import pendulum

from xs_core import limits
from xs_core.dates import DateRange, as_date
from xs_core.errors import Conflict, DomainError, InvalidInput, register_messages

register_messages(
    {
        "sickness.invalid_percentage": (
            "Het herstelpercentage {value} moet tussen {minimum} en {maximum} liggen.",
            "The recovered percentage {value} must lie between {minimum} and {maximum}.",
        ),
        "sickness.report_out_of_order": (
            "De hersteldatum {date} moet na de eerste ziektedag en na de vorige melding ({after}) "
            "liggen.",
            "The recovery date {date} must lie after the first day of sickness and after the "
            "previous report ({after}).",
        ),
        "sickness.report_in_future": (
            "Herstel kan niet in de toekomst ({date}) worden gemeld.",
            "Recovery cannot be reported in the future ({date}).",
        ),
        "sickness.not_a_sickness_trajectory": (
            "Dit traject is geen ziektetraject.",
            "This trajectory is not a sickness trajectory.",
        ),
    },
    kind=InvalidInput,
)

register_messages(
    {
        "sickness.overlapping_absence": (
            "De werknemer is al ziek gemeld in die periode ({period}); een nieuwe ziekmelding "
            "begint na het volledig herstel.",
            "The employee has already been reported sick in that period ({period}); a new "
            "report starts after the full recovery.",
        ),
        "sickness.already_recovered": (
            "De werknemer is al volledig hersteld gemeld per {date}.",
            "The employee was already reported fully recovered on {date}.",
        ),
    },
    kind=Conflict,
)


@attrs.frozen
class RecoveryReport:
    """From ``date`` on the employee has recovered ``recovered_percentage`` % (100 = fully)."""

    date: pendulum.Date
    recovered_percentage: int

    @property
    def is_full(self) -> bool:
        return self.recovered_percentage == 100


@attrs.frozen
class AbsenceSpell:
    """A stretch of days with one absence fraction (1 = fully absent)."""

    period: DateRange
    absent_fraction: Decimal


def add_recovery_report(
    reports: tuple[RecoveryReport, ...],
    first_sick_day: _dt.date,
    day: _dt.date,
    recovered_percentage: int,
    today: _dt.date,
) -> tuple[RecoveryReport, ...]:
    """The reports with a new one, validated: in order, not in the future, 1–100 %."""
    limits.bounded_int(
        recovered_percentage,
        "recovered_percentage",
        limits.PERCENTAGE_MIN,
        limits.PERCENTAGE_MAX,
        "sickness.invalid_percentage",
    )
    if reports and reports[-1].is_full:
        raise DomainError("sickness.already_recovered", {"date": reports[-1].date.isoformat()})
    after = reports[-1].date if reports else as_date(first_sick_day)
    if day <= after:
        raise DomainError(
            "sickness.report_out_of_order", {"date": day.isoformat(), "after": after.isoformat()}
        )
    if day > today:
        raise DomainError("sickness.report_in_future", {"date": day.isoformat()})
    return (*reports, RecoveryReport(as_date(day), recovered_percentage))


def absence_spells(
    first_sick_day: _dt.date, reports: tuple[RecoveryReport, ...]
) -> list[AbsenceSpell]:
    """The absence as spells: 100 % from the first sick day, then per report; the spell after a
    full recovery is not absence and is left out; the last spell is open while not recovered."""
    spells: list[AbsenceSpell] = []
    start = as_date(first_sick_day)
    fraction = Decimal(1)
    for report in reports:
        spells.append(AbsenceSpell(DateRange(start, report.date), fraction))
        start = report.date
        fraction = Decimal(100 - report.recovered_percentage) / Decimal(100)
    if fraction > 0:
        spells.append(AbsenceSpell(DateRange(start, None), fraction))
    return spells


def recovery_date(reports: tuple[RecoveryReport, ...]) -> pendulum.Date | None:
    """The date of full recovery, if reported."""
    return reports[-1].date if reports and reports[-1].is_full else None


def absence_period(
    first_sick_day: _dt.date, reports: tuple[RecoveryReport, ...], end: _dt.date | None
) -> DateRange:
    """The days of a sickness report's absence: from the first sick day up to the full
    recovery, or up to the trajectory's (exclusive) ``end`` when it closed before that (R3.1)."""
    until = recovery_date(reports)
    if end is not None and (until is None or end < until):
        until = as_date(end)
    return DateRange(as_date(first_sick_day), until)


def check_no_overlapping_absence(new: DateRange, others: list[DateRange]) -> None:
    """R3.1: the absence of one employee's sickness reports never overlaps, whatever their
    protocols, so that no day is counted absent twice; a relapse starts on or after the
    recovery date."""
    for other in others:
        if other.overlaps(new):
            raise DomainError(
                "sickness.overlapping_absence", {"rule": "R3.1", "period": str(other)}
            )
