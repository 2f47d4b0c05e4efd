"""The invoice schedule of a subscription: billing periods and their amounts (R5.1, R0.2, R0.3).

A subscription has an amount per *contract period* (the contract model's frequency). It is billed
in *billing periods* of its effective frequency (the deviating one, if set). Periods are half-open,
contiguous and aligned to the subscription start: period ``k`` starts ``k × months`` after the
start, computed from the start each time (a start on the 31st gives the 30th or 28th/29th in short
months and returns to the 31st), so the billing periods of one contract period cover it exactly.
The contract-period amount is split evenly to the cent, remainder cents to the earliest periods
(R0.3). Decision (R5.1): a subscription that ends inside a billing period is billed pro rata by
days for that last period: the period's part × days subscribed / days in the period, computed
exactly and rounded once to the cent, half to even.

>>> import datetime as dt
>>> from xs_core.money import Money
>>> periods = billing_periods(dt.date(2026, 1, 1), None, 12, 6, Money("1000.00"),
...                           DateRange(dt.date(2026, 1, 1), dt.date(2027, 1, 1)))
>>> [(str(p.period), str(p.amount.amount)) for p in periods]
[('[2026-01-01,2026-07-01)', '500.00'), ('[2026-07-01,2027-01-01)', '500.00')]
"""

from __future__ import annotations

import calendar
import datetime as _dt
from collections.abc import Iterator
from fractions import Fraction

import attrs
import pendulum

from xs_core import limits
from xs_core.dates import DateRange, as_date, as_end_date
from xs_core.money import Money

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and calendar.isleap(year):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def add_months(day: _dt.date, months: int) -> pendulum.Date:
    """``day`` moved ``months`` calendar months, clamped to the month's last day.

    >>> [str(add_months(pendulum.Date(y, 1, 31), 1)) for y in (2024, 2023)]
    ['2024-02-29', '2023-02-28']
    """
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return pendulum.Date(year, month + 1, min(day.day, _days_in_month(year, month + 1)))


#: R5.1: the fewest days a whole billing period of so many months can have (whatever its start,
#: clamping included); a period shorter than this is the last, pro-rata one of a subscription.
#: Checked against every start of two leap cycles by ``tests/unit/test_billing.py``.
SHORTEST_WHOLE_PERIOD = {1: 28, 3: 89, 6: 181, 12: 365}


@attrs.frozen(kw_only=True)
class BillingPeriod:
    """One billing period of a subscription and the amount billed for it."""

    index: int
    period: DateRange
    contract_period: DateRange
    amount: Money
    #: ``False`` for a last period cut short by the subscription's end (billed pro rata)
    full: bool = True


def _months_between(earlier: _dt.date, later: _dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def iter_billing_periods(
    start: _dt.date,
    end: _dt.date | None,
    contract_months: int,
    billing_months: int,
    amount: Money,
    first_index: int = 0,
) -> Iterator[BillingPeriod]:
    """All billing periods of a subscription from ``first_index`` on (endless if ``end`` is
    ``None``). ``billing_months`` divides ``contract_months`` (R5.1)."""
    if contract_months % billing_months:
        raise ValueError("the billing frequency must divide the contract period")
    per_contract = contract_months // billing_months
    start = as_date(start)
    # R0.3: the contract-period amount split evenly to the cent, the remainder cents to the
    # earliest parts — what ``amount.split(per_contract)`` gives, as its two distinct values
    # (a part is ``larger`` when its position is below the remainder), made once each
    cents = amount.cents
    sign = -1 if cents < 0 else 1
    share, remainder = divmod(abs(cents), per_contract)
    smaller = Money.from_cents(sign * share, amount.currency)
    larger = Money.from_cents(sign * (share + 1), amount.currency) if remainder else smaller
    index = first_index
    period_start = add_months(start, index * billing_months)
    contract_index = -1
    contract_period = DateRange(start, add_months(start, contract_months))
    while end is None or period_start < end:
        period_end = add_months(start, (index + 1) * billing_months)
        if index // per_contract != contract_index:
            contract_index = index // per_contract
            contract_period = DateRange(
                add_months(start, contract_index * contract_months),
                add_months(start, (contract_index + 1) * contract_months),
            )
        part = larger if index % per_contract < remainder else smaller
        if end is not None and end < period_end:
            # exact: part × days / period days, rounded once to the cent, half to even (R0.3)
            days = (as_date(end) - period_start).days
            yield BillingPeriod(
                index=index,
                period=DateRange(period_start, end),
                contract_period=contract_period,
                amount=part.pro_rata(days, (period_end - period_start).days),
                full=False,
            )
            return
        yield BillingPeriod(
            index=index,
            period=DateRange(period_start, period_end),
            contract_period=contract_period,
            amount=part,
        )
        index += 1
        period_start = period_end


def _shift(start: _dt.date, months: int) -> _dt.date:
    """:func:`add_months` as a plain ``datetime.date`` (no pendulum object): the run's inner
    loop compares period starts with the window before any period is kept."""
    year, month = divmod(start.year * 12 + start.month - 1 + months, 12)
    day = start.day
    if day > 28:
        day = min(day, _days_in_month(year, month + 1))
    return _dt.date(year, month + 1, day)


def _periods_in(
    start: _dt.date,
    end: _dt.date | None,
    contract_months: int,
    billing_months: int,
    cents: int,
    window: DateRange,
) -> Iterator[tuple[int, _dt.date, _dt.date, int, bool]]:
    """The billing periods that start inside ``window`` as (index, first day, end, cents,
    whole) — plain values; the periods before and after the window are stepped over as plain
    dates. The one algorithm of :func:`billing_periods` and :func:`billing_spans`."""
    per_contract = contract_months // billing_months
    window_start, window_end = window.start, window.end
    index = max(0, _months_between(start, window_start) // billing_months - 1)
    period_start = _shift(start, index * billing_months)
    smaller = larger = 0
    remainder = -1  # the two parts of the split, made at the first period found
    while (end is None or period_start < end) and (window_end is None or period_start < window_end):
        period_end = _shift(start, (index + 1) * billing_months)
        if period_start >= window_start:
            if remainder < 0:
                if contract_months % billing_months:  # as iter_billing_periods, once needed
                    raise ValueError("the billing frequency must divide the contract period")
                # R0.3: the contract-period amount split evenly to the cent, the remainder
                # cents to the earliest parts (as ``Money.split(per_contract)``)
                sign = -1 if cents < 0 else 1
                share, remainder = divmod(abs(cents), per_contract)
                smaller = sign * share
                larger = sign * (share + 1) if remainder else smaller
            part = larger if index % per_contract < remainder else smaller
            if period_end > limits.END_LIMIT and (end is None or end > limits.END_LIMIT):
                # R0.1: a period running past the calendar is refused as its DateRange would
                # be (``date.outside_window``), not handed on as plain values
                as_end_date(period_end if end is None else min(end, period_end))
            if end is not None and end < period_end:
                # exact: part × days / period days, rounded once to the cent, half to even
                # (``Money.pro_rata``: ``round`` of a Fraction rounds half to even)
                days = end.toordinal() - period_start.toordinal()
                whole = period_end.toordinal() - period_start.toordinal()
                yield index, period_start, end, round(Fraction(part * days, whole)), False
                return
            yield index, period_start, period_end, part, True
        index += 1
        period_start = period_end


def billing_spans(
    start: _dt.date,
    end: _dt.date | None,
    contract_months: int,
    billing_months: int,
    cents: int,
    window: DateRange,
) -> list[tuple[_dt.date, _dt.date, int]]:
    """The billing periods of a subscription that start inside ``window`` as (first day,
    end, amount in cents) — what :func:`billing_periods` gives for an amount of ``cents``
    cents, without its objects: a billing run computes these for every subscription (R5.1).

    >>> import datetime as dt
    >>> billing_spans(dt.date(2026, 1, 31), dt.date(2026, 3, 15), 1, 1, 3100,
    ...               DateRange(dt.date(2026, 2, 1), dt.date(2026, 4, 1)))
    [(datetime.date(2026, 2, 28), datetime.date(2026, 3, 15), 1500)]
    """
    return [
        (first, until, amount)
        for _, first, until, amount, _ in _periods_in(
            start, end, contract_months, billing_months, cents, window
        )
    ]


def billing_periods(
    start: _dt.date,
    end: _dt.date | None,
    contract_months: int,
    billing_months: int,
    amount: Money,
    window: DateRange,
) -> list[BillingPeriod]:
    """The billing periods that *start* inside ``window`` (a period is billed at its start, in
    advance), each whole, with its amount — those of :func:`iter_billing_periods` that start
    in the window, the same periods and amounts (R5.1, R0.3), but only those are built: the
    periods before and after the window are stepped over as plain dates."""
    per_contract = contract_months // billing_months
    return [
        BillingPeriod(
            index=index,
            period=DateRange(first, until),
            contract_period=DateRange(
                _shift(start, index // per_contract * contract_months),
                _shift(start, (index // per_contract + 1) * contract_months),
            ),
            amount=Money.from_cents(cents, amount.currency),
            full=whole,
        )
        for index, first, until, cents, whole in _periods_in(
            start, end, contract_months, billing_months, amount.cents, window
        )
    ]
