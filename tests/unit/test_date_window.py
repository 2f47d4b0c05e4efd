"""R0.1: the supported calendar window, 1900-01-01 … 2199-12-31 (an exclusive end may be
2200-01-01). Dates outside are refused with ``date.outside_window`` where they enter the core;
every date the core derives from an accepted one stays inside Python's range (no OverflowError).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import uuid
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_core import limits
from xs_core.agenda.model import Activity, formal_request_date, weekly
from xs_core.agenda.spans import TimeSpan, local_instant
from xs_core.billing.contracts import ContractKind, ContractModel, ServiceAgreement, Subscription
from xs_core.billing.frequency import BillingFrequency
from xs_core.billing.schedule import BillingPeriod, add_months, billing_periods
from xs_core.dates import DateOutsideWindow, DateRange, as_date, as_end_date
from xs_core.errors import DomainError
from xs_core.money import Money
from xs_core.organisation.model import Dossier, Employee, Employment, EndReason
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.parameters.aow import aow_date
from xs_core.protocols.bulk import BulkStartRequest, BulkUnit
from xs_core.protocols.compensation import compensation_task_decision
from xs_core.protocols.model import (
    Protocol,
    ProtocolCharacteristics,
    ProtocolKind,
    Trajectory,
)
from xs_core.protocols.sickness import add_recovery_report

D = _dt.date
ID = uuid.UUID(int=7)
TODAY = D(2026, 11, 29)
EXTREMES = [D(1, 1, 1), D(1899, 12, 31), D(2200, 1, 2), D(9999, 12, 31)]
FUTURE_OK = Protocol.create(
    "PMO",
    ProtocolKind.PMO,
    characteristics=ProtocolCharacteristics(end_date_may_be_in_future=True),
)


def test_r0_1_the_window_edges() -> None:
    assert (
        D(1900, 1, 1),
        D(2199, 12, 31),
        D(2200, 1, 1),
    ) == (limits.FIRST_DAY, limits.LAST_DAY, limits.END_LIMIT)
    assert as_date(D(1900, 1, 1)) == D(1900, 1, 1)
    assert as_date(D(2199, 12, 31)) == D(2199, 12, 31)
    last = DateRange.from_inclusive(D(2199, 12, 1), D(2199, 12, 31))
    assert last.end == D(2200, 1, 1) and last.days == 31
    assert as_end_date(D(2200, 1, 1)) == D(2200, 1, 1)
    for outside in (D(1899, 12, 31), D(2200, 1, 1)):
        with pytest.raises(DateOutsideWindow) as refused:
            as_date(outside)
        assert refused.value.code == "date.outside_window"
    with pytest.raises(DateOutsideWindow) as beyond:
        as_end_date(D(2200, 1, 2))
    assert beyond.value.details == {
        "rule": "R0.1",
        "date": "2200-01-02",
        "first": "1900-01-01",
        "last": "2200-01-01",
    }
    assert "buiten de ondersteunde periode" in beyond.value.message("nl")


def _trajectory() -> Trajectory:
    return Trajectory.start(FUTURE_OK, ID, D(2026, 1, 5), TODAY)


def _closed_on(day: _dt.date) -> None:
    _trajectory().close(day, TODAY, FUTURE_OK)


def _ended_on(day: _dt.date) -> None:
    employee = Employee.register("Anna", "Jansen")
    employment = employee.add_employment(
        Employment.create(id=ID, employer_id=ID, period=DateRange(D(2020, 1, 1)))
    )
    employee.end_employment(employment.id, day, EndReason.OTHER)


def _subscription_ended_on(day: _dt.date) -> None:
    model = ContractModel.create(
        "Model", ContractKind.SALES, BillingFrequency.YEARLY, DateRange(D(2020, 1, 1))
    )
    agreement = ServiceAgreement.conclude(ID, model, DateRange(D(2020, 1, 1)))
    subscription = Subscription.subscribe(
        agreement, "Abonnement", Money("100.00"), DateRange(D(2020, 1, 1))
    )
    subscription.end_on(agreement, day)


FIRST = TimeSpan(
    local_instant(_dt.datetime(2026, 1, 5, 9)), local_instant(_dt.datetime(2026, 1, 5, 10))
)


#: every way a date enters the core from a command
ENTRIES: dict[str, Callable[[_dt.date], object]] = {
    "range start": lambda d: DateRange(d),
    "range end": lambda d: DateRange(D(1900, 1, 1), d),
    "inclusive last day": lambda d: DateRange.from_inclusive(d, d),
    "birth date": lambda d: Employee.register("Anna", "Jansen", d),
    "changed birth date": lambda d: Employee.register("Anna", "Jansen").change(birth_date=d),
    "dossier opened": lambda d: Dossier.open(UnitRef(UnitKind.EMPLOYEE, ID), d),
    "employment end": _ended_on,
    "trajectory start": lambda d: Trajectory.start(FUTURE_OK, ID, d, TODAY),
    "trajectory end": lambda d: Trajectory.start(FUTURE_OK, ID, min(d, D(1900, 1, 1)), TODAY, d),
    "trajectory closed": _closed_on,
    "recovery reported": lambda d: add_recovery_report((), D(1900, 1, 1), d, 50, D(9999, 12, 31)),
    "compensation (R2.5)": lambda d: compensation_task_decision(D(1950, 1, 1), D(2000, 1, 1), d),
    "bulk start": lambda d: BulkStartRequest(
        request_id=ID, protocol_id=ID, unit=BulkUnit(frozenset({ID})), start=d
    ),
    "bulk end": lambda d: BulkStartRequest(
        request_id=ID,
        protocol_id=ID,
        unit=BulkUnit(frozenset({ID})),
        start=D(1900, 1, 1),
        end_date=d,
    ),
    "AOW date": aow_date,
    "formal request date": lambda d: formal_request_date(d, D(9999, 12, 31), may_change=True),
    "activity performed": lambda d: Activity.register(ID, ID, "Spreekuur", d),
    "subscription end": _subscription_ended_on,
    "series until": lambda d: weekly(FIRST, d),
    "local time": lambda d: local_instant(_dt.datetime(d.year, d.month, d.day, 12)),
    "instant": lambda d: TimeSpan(
        _dt.datetime(d.year, d.month, d.day, 12, tzinfo=_dt.UTC),
        _dt.datetime(d.year, d.month, d.day, 13, tzinfo=_dt.UTC),
    ),
}


#: where a rule about order (after the start, after the last report) refuses a date before the
#: window first, which is just as good: nothing overflows and nothing changes
EARLY: dict[str, str] = {
    "employment end": "employment.end_not_after_start",
    "trajectory closed": "trajectory.end_before_start",
    "recovery reported": "sickness.report_out_of_order",
}


@pytest.mark.parametrize("entry", sorted(ENTRIES))
@pytest.mark.parametrize("day", EXTREMES, ids=str)
def test_r0_1_extreme_dates_are_refused_where_they_enter(entry: str, day: _dt.date) -> None:
    with pytest.raises(DomainError) as refused:
        ENTRIES[entry](day)
    if day < limits.FIRST_DAY and entry in EARLY:
        assert refused.value.code == EARLY[entry]
    else:
        assert refused.value.code == "date.outside_window"


def test_r0_1_closing_on_an_extreme_date_changes_nothing() -> None:
    trajectory = _trajectory()
    trajectory.pull_events()
    with pytest.raises(DomainError):
        trajectory.close(D(9999, 12, 31), TODAY, FUTURE_OK)  # was an OverflowError
    assert trajectory.is_open and trajectory.pull_events() == []


def test_r0_1_instants_near_the_calendars_edges_are_refused_not_overflowing() -> None:
    for value in (
        _dt.datetime(9999, 12, 31, 23, tzinfo=_dt.timezone(_dt.timedelta(hours=-5))),
        _dt.datetime(1, 1, 1, 1, tzinfo=_dt.timezone(_dt.timedelta(hours=5))),
        _dt.datetime(2199, 12, 31, 23, tzinfo=_dt.timezone(_dt.timedelta(hours=-5))),
    ):
        with pytest.raises(DomainError) as refused:
            TimeSpan(value - _dt.timedelta(hours=1), value)
        assert refused.value.code == "date.outside_window"


days = st.dates(min_value=limits.FIRST_DAY, max_value=limits.LAST_DAY)
outside = st.one_of(st.dates(max_value=D(1899, 12, 31)), st.dates(min_value=D(2200, 1, 1)))


@given(days, days)
def test_r0_1_derived_dates_of_accepted_ones_never_overflow(day: _dt.date, other: _dt.date) -> None:
    first, last = sorted((day, other))
    r = DateRange.from_inclusive(first, last)
    assert r.last_day == last and r.end is not None and r.end <= limits.END_LIMIT
    assert aow_date(day).date.year <= limits.LAST_DAY.year + 68
    compensation_task_decision(day, day, day)
    assert add_months(day, 12) > day
    if first < last:  # R2.2: a planned end lies after the start
        trajectory = Trajectory.start(FUTURE_OK, ID, first, TODAY, last)
        assert trajectory.end_date == last
    # a contract period reaching past 2200-01-01 is refused (a range beyond the window), never
    # an overflow
    periods: list[BillingPeriod] = []
    with contextlib.suppress(DateOutsideWindow):
        periods = billing_periods(first, None, 12, 1, Money("12.00"), r)
    assert all(r.contains(p.period.start) for p in periods)


@given(outside)
def test_r0_1_dates_outside_the_window_are_refused_never_overflowing(day: _dt.date) -> None:
    for entry in ("range start", "inclusive last day", "birth date", "AOW date", "instant"):
        with pytest.raises(DateOutsideWindow):
            ENTRIES[entry](day)
