"""The AOW date: the day someone reaches the AOW age (art. 7a and 16 AOW), R0.4 and DOMAIN §8."""

from __future__ import annotations

import datetime as _dt

import attrs
import pendulum

from xs_core.dates import as_date
from xs_core.parameters.table import AowAge, ParameterTable, aow_age_table


@attrs.frozen
class AowDate:
    """When the AOW age is reached.

    ``provisional`` is true when the age for that year is not fixed yet by law and the last fixed
    age was used (DOMAIN §8, Decision).
    """

    date: pendulum.Date
    years: int
    months: int
    provisional: bool
    source: str

    @property
    def age(self) -> AowAge:
        return AowAge(self.years, self.months)


def add_age(birth_date: _dt.date, years: int, months: int) -> pendulum.Date:
    """The day an age of ``years`` and ``months`` is reached.

    When the birthday's day does not exist in the target month (born on the 29th–31st), the age
    is reached on the first day of the next month (the published example: born 31 August 1950,
    65 y 3 m reached on 1 December 2015).
    """
    total = birth_date.year * 12 + (birth_date.month - 1) + years * 12 + months
    year, month_index = divmod(total, 12)
    month = month_index + 1
    first_of_month = pendulum.Date(year, month, 1)
    if birth_date.day > first_of_month.days_in_month:
        return first_of_month.add(months=1)
    return pendulum.Date(year, month, birth_date.day)


def aow_date(birth_date: _dt.date, table: ParameterTable[AowAge] | None = None) -> AowDate:
    """The AOW date for someone born on ``birth_date``.

    The age depends on the calendar year in which it is reached: the first age of the table that
    is reached within a year for which that age applies is the AOW age.

    >>> from datetime import date
    >>> aow_date(date(1960, 12, 31)).date
    Date(2027, 12, 31)
    >>> r = aow_date(date(1961, 1, 1)); (r.date, r.years, r.months)
    (Date(2028, 4, 1), 67, 3)
    """
    table = table or aow_age_table()
    born = as_date(birth_date)
    entries = table.values
    for index, entry in enumerate(entries):
        reached = add_age(born, entry.value.years, entry.value.months)
        first_year = entry.applies_from.year if index > 0 else _dt.MINYEAR
        last_year = entries[index + 1].applies_from.year - 1 if index + 1 < len(entries) else None
        if reached.year >= first_year and (last_year is None or reached.year <= last_year):
            return AowDate(
                reached, entry.value.years, entry.value.months, entry.provisional, entry.source
            )
    raise AssertionError("the AOW table's last entry is open-ended; a match always exists")
