"""R2.1, R2.2, R2.4 and R2.5: protocol characteristics, bulk-start rules, closing, the
compensation-scheme task; and sickness recovery reports."""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.protocols.bulk import BulkUnit, SkipReason, check_request, decide
from xs_core.protocols.compensation import CompensationReason, compensation_task_decision
from xs_core.protocols.model import (
    COMPENSATION_TASK,
    OLD_COMPENSATION_TASK,
    Protocol,
    ProtocolCharacteristics,
    ProtocolKind,
    TaskTemplate,
    Trajectory,
)

D = _dt.date
TODAY = D(2026, 11, 29)


def protocol(kind: ProtocolKind = ProtocolKind.OTHER, **settings: bool) -> Protocol:
    return Protocol.create(
        "Verzuim",
        kind,
        (TaskTemplate(code="INTAKE", title="Intake"), OLD_COMPENSATION_TASK),
        ProtocolCharacteristics(**settings),
    )


def test_r2_1_characteristics_are_off_by_default_and_change_together() -> None:
    p = protocol()
    assert p.characteristics == ProtocolCharacteristics(
        may_start_in_bulk=False, bulk_end_date_may_be_empty=False, end_date_may_be_in_future=False
    )
    p.pull_events()
    p.change_characteristics(ProtocolCharacteristics(may_start_in_bulk=True))
    (event,) = p.pull_events()
    assert event.name == "ProtocolCharacteristicsChanged"
    assert event.payload()["may_start_in_bulk"] is True
    variation = p.add_variation("Variatie A")
    assert not hasattr(variation, "characteristics")  # settings live on the protocol only


# -- R2.4 closing ---------------------------------------------------------------------------------


FIRST = D(2026, 11, 1)


def started(p: Protocol, start: _dt.date = FIRST) -> Trajectory:
    return Trajectory.start(p, uuid.uuid4(), start, TODAY)


@pytest.mark.parametrize(
    ("end", "in_future_allowed", "code"),
    [
        (TODAY, False, None),  # today: always allowed
        (TODAY + _dt.timedelta(days=1), False, "trajectory.end_in_future"),  # tomorrow
        (TODAY + _dt.timedelta(days=1), True, None),
        (D(2030, 1, 1), True, None),  # any later date when allowed
        (D(2026, 11, 1), False, None),  # on the start: allowed
        (D(2026, 10, 31), False, "trajectory.end_before_start"),  # before the start
        (D(2026, 10, 31), True, "trajectory.end_before_start"),
    ],
)
def test_r2_4_closing_end_date(end: _dt.date, in_future_allowed: bool, code: str | None) -> None:
    p = protocol(end_date_may_be_in_future=in_future_allowed)
    trajectory = started(p)
    if code is None:
        trajectory.close(end, TODAY, p)
        assert trajectory.end_date == end
        assert trajectory.period == DateRange.from_inclusive(D(2026, 11, 1), end)
    else:
        with pytest.raises(DomainError) as refused:
            trajectory.close(end, TODAY, p)
        assert refused.value.code == code
        assert trajectory.is_open  # nothing changed


def test_r2_4_an_ended_trajectory_cannot_close_again_a_running_one_can() -> None:
    p = protocol(end_date_may_be_in_future=True)
    planned = started(p)
    planned.close(D(2027, 6, 30), TODAY, p)  # a planned end after today: still running
    planned.close(TODAY, TODAY, p)  # so it can be closed, on another date
    assert planned.end_date == TODAY
    ended = started(p)
    ended.close(D(2026, 11, 20), TODAY, p)  # its last day has passed
    with pytest.raises(DomainError) as refused:
        ended.close(TODAY, TODAY, p)
    assert refused.value.code == "trajectory.already_closed"
    assert ended.end_date == D(2026, 11, 20)


# -- R2.5 compensation task -----------------------------------------------------------------------

SICK = D(2026, 3, 10)


@pytest.mark.parametrize(
    ("born", "employed_since", "added", "reason"),
    [
        (D(1961, 12, 31), D(2022, 1, 1), True, CompensationReason.ELIGIBLE),
        (D(1962, 1, 1), D(2022, 1, 1), False, CompensationReason.BORN_TOO_LATE),
        # employed exactly five years on the first sick day: start = sick day minus 5 years
        (D(1960, 5, 5), D(2021, 3, 10), True, CompensationReason.ELIGIBLE),
        (D(1960, 5, 5), D(2021, 3, 9), False, CompensationReason.EMPLOYED_TOO_LONG),
        (None, D(2022, 1, 1), False, CompensationReason.BIRTH_DATE_UNKNOWN),
        (D(1960, 5, 5), None, True, CompensationReason.EMPLOYMENT_START_UNKNOWN),
        (None, None, False, CompensationReason.BIRTH_DATE_UNKNOWN),
    ],
)
def test_r2_5_compensation_task_decision(
    born: _dt.date | None,
    employed_since: _dt.date | None,
    added: bool,
    reason: CompensationReason,
) -> None:
    decision = compensation_task_decision(born, employed_since, SICK)
    assert (decision.added, decision.reason) == (added, reason)


def test_r2_5_leap_day_first_sick_day() -> None:
    # 29 Feb 2024 minus five years is 28 Feb 2019: a start on that day still counts.
    assert compensation_task_decision(D(1960, 1, 1), D(2019, 2, 28), D(2024, 2, 29)).added
    assert not compensation_task_decision(D(1960, 1, 1), D(2019, 2, 27), D(2024, 2, 29)).added


def test_r2_5_sickness_trajectory_gets_the_new_task_never_the_old_one() -> None:
    p = protocol(ProtocolKind.SICKNESS)
    eligible = Trajectory.start_sickness(p, uuid.uuid4(), SICK, TODAY, D(1961, 6, 1), D(2023, 1, 1))
    codes = [task.code for task in eligible.tasks]
    assert codes == ["INTAKE", COMPENSATION_TASK.code]
    assert OLD_COMPENSATION_TASK.code not in codes
    assert eligible.tasks[-1].title == (
        "Eventuele ziekteaangifte ivm compensatieregeling oudere werknemers"
    )
    assert eligible.compensation is not None and eligible.compensation.added
    young = Trajectory.start_sickness(p, uuid.uuid4(), SICK, TODAY, D(1990, 1, 1), D(2023, 1, 1))
    assert [task.code for task in young.tasks] == ["INTAKE"]
    assert young.compensation is not None
    assert young.compensation.reason is CompensationReason.BORN_TOO_LATE


@given(
    st.dates(D(1940, 1, 1), D(2000, 12, 31)),
    st.dates(D(1990, 1, 1), D(2026, 11, 29)),
    st.dates(D(2000, 1, 1), D(2026, 11, 29)),
)
def test_r2_5_decision_matches_the_two_conditions(
    born: _dt.date, employed_since: _dt.date, sick: _dt.date
) -> None:
    five_years_before = (
        sick.replace(year=sick.year - 5)
        if not (sick.month == 2 and sick.day == 29)
        else D(sick.year - 5, 2, 28)
    )
    expected = born < D(1962, 1, 1) and employed_since >= five_years_before
    assert compensation_task_decision(born, employed_since, sick).added == expected


# -- sickness recovery reports --------------------------------------------------------------------


def test_partial_and_full_recovery_make_the_absence_spells() -> None:
    p = protocol(ProtocolKind.SICKNESS)
    x = Trajectory.start_sickness(p, uuid.uuid4(), D(2026, 10, 1), TODAY, None, None)
    x.report_recovery(D(2026, 10, 15), 50, TODAY)
    x.report_recovery(D(2026, 11, 1), 100, TODAY)
    spells = [(s.period, s.absent_fraction) for s in x.absence()]
    assert spells == [
        (DateRange(D(2026, 10, 1), D(2026, 10, 15)), Decimal(1)),
        (DateRange(D(2026, 10, 15), D(2026, 11, 1)), Decimal("0.5")),
    ]
    with pytest.raises(DomainError) as done:
        x.report_recovery(D(2026, 11, 2), 100, TODAY)
    assert done.value.code == "sickness.already_recovered"


@pytest.mark.parametrize(
    ("day", "percentage", "code"),
    [
        (D(2026, 10, 1), 50, "sickness.report_out_of_order"),  # on the first sick day
        (D(2026, 12, 1), 50, "sickness.report_in_future"),
        (D(2026, 10, 5), 0, "sickness.invalid_percentage"),
        (D(2026, 10, 5), 101, "sickness.invalid_percentage"),
    ],
)
def test_recovery_reports_are_validated(day: _dt.date, percentage: int, code: str) -> None:
    p = protocol(ProtocolKind.SICKNESS)
    x = Trajectory.start_sickness(p, uuid.uuid4(), D(2026, 10, 1), TODAY, None, None)
    with pytest.raises(DomainError) as refused:
        x.report_recovery(day, percentage, TODAY)
    assert refused.value.code == code
    assert x.recovery_reports == ()


# -- R2.2 bulk start rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "end", "code"),
    [
        ({}, D(2027, 1, 1), "bulk_start.not_allowed"),
        ({"may_start_in_bulk": True}, None, "bulk_start.end_date_required"),
        ({"may_start_in_bulk": True, "bulk_end_date_may_be_empty": True}, None, None),
        ({"may_start_in_bulk": True}, D(2027, 1, 1), None),
        ({"may_start_in_bulk": True}, D(2026, 12, 1), "trajectory.end_not_after_start"),
        ({"may_start_in_bulk": True}, D(2026, 11, 30), "trajectory.end_not_after_start"),
    ],
)
def test_r2_2_request_rules(
    settings: dict[str, bool], end: _dt.date | None, code: str | None
) -> None:
    p = protocol(**settings)
    if code is None:
        check_request(p, D(2026, 12, 1), end)
    else:
        with pytest.raises(DomainError) as refused:
            check_request(p, D(2026, 12, 1), end)
        assert refused.value.code == code


def test_r2_2_unit_is_employers_or_one_department() -> None:
    BulkUnit(employer_ids=frozenset({uuid.uuid4()}))
    BulkUnit(department_id=uuid.uuid4())
    with pytest.raises(DomainError):
        BulkUnit()
    with pytest.raises(DomainError):
        BulkUnit(employer_ids=frozenset({uuid.uuid4()}), department_id=uuid.uuid4())


def test_r2_2_outcomes_with_reasons_in_order() -> None:
    a, b, c, d = (uuid.UUID(int=i) for i in range(1, 5))
    employments = {a: uuid.uuid4(), c: uuid.uuid4(), d: uuid.uuid4()}
    outcomes = decide(
        [a, b, c, d, a],
        frozenset({a, b, c}),
        employments,
        frozenset({c}),
        iter([uuid.UUID(int=99)]),
    )
    assert [(o.employee_id, o.started, o.reason) for o in outcomes] == [
        (a, True, None),
        (b, False, SkipReason.NO_EMPLOYMENT),
        (c, False, SkipReason.ALREADY_OPEN),
        (d, False, SkipReason.OUT_OF_SCOPE),
    ]
    assert outcomes[0].trajectory_id == uuid.UUID(int=99)
