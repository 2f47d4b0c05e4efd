"""The absence data of R3.1 under real concurrent connections, on SQLite and PostgreSQL (see
docs/concurrency.md): sickness reports of one employee under different protocols take the
employee's row lock, so of racing reports for overlapping days exactly one is written — the
protocol's lock alone (R2.2) would let one per protocol through and count days absent twice."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator

import pytest

from tests.races import ENGINES, codes, race, sql_app
from tests.reports_world import reports_world
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.services.protocols import CreateProtocol, ReportSickness, TrajectoriesOf
from xs_core.protocols.model import ProtocolKind

D = _dt.date
RACERS = 4


@pytest.fixture(params=ENGINES)
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    yield from sql_app(request, clock)


def test_r3_1_racing_sickness_reports_under_other_protocols_write_one(app: Xs) -> None:
    w = reports_world(app)
    protocols = [
        app.protocols.create_protocol(
            CreateProtocol(actor=w.admin, name=f"Verzuim {n}", kind=ProtocolKind.SICKNESS)
        )
        for n in range(RACERS)
    ]
    anna = w.people["anna"]

    def report(protocol: object, day: D) -> object:
        return app.trajectories.report_sickness(
            ReportSickness(
                actor=w.admin, protocol_id=protocol, employee_id=anna, first_sick_day=day
            )  # type: ignore[arg-type]
        )

    outcomes = race(
        *(
            (lambda p=p, n=n: report(p, D(2026, 3, 1 + n)))  # type: ignore[misc]
            for n, p in enumerate(protocols)
        )
    )
    assert codes(outcomes) == ["ok"] + ["sickness.overlapping_absence"] * (RACERS - 1)
    trajectories = app.trajectories.trajectories_of(TrajectoriesOf(actor=w.admin, employee_id=anna))
    assert len([t for t in trajectories if t.period.start >= D(2026, 3, 1)]) == 1


def test_r3_3_racing_outflows_of_one_claim_record_one(app: Xs) -> None:
    """The claim's row is locked: of four outflows at once, one is recorded."""
    from decimal import Decimal

    from xs_app.services.reports import RecordWiaOutflow, RegisterWiaClaim
    from xs_core.reports.wia import OutflowReason, WiaBenefit

    w = reports_world(app)
    claim = app.reports.register_wia_claim(
        RegisterWiaClaim(
            actor=w.admin, employee_id=w.people["carla"], employer_id=w.slagerij,
            start=D(2026, 3, 1), benefit=WiaBenefit.WGA, monthly_wage=Decimal("2000.00"),
        )
    )  # fmt: skip
    reasons = list(OutflowReason)[:RACERS]
    outcomes = race(
        *(
            (lambda r=r: app.reports.record_wia_outflow(  # type: ignore[misc]
                RecordWiaOutflow(actor=w.admin, claim_id=claim, date=D(2026, 9, 1), reason=r)
            ))
            for r in reasons
        )
    )  # fmt: skip
    assert codes(outcomes) == ["ok"] + ["wia.already_out"] * (RACERS - 1)


def test_r3_1_a_later_closing_racing_a_new_report_writes_one(app: Xs, clock: FixedClock) -> None:
    """Anna's report A (P2, closed 3 March after today, 50 % recovered) and a new report B (P3)
    from 10 March: moving A's closing to 20 March and reporting B at once would both pass a
    check that does not wait for the other; both take the employee's row lock, so one is
    refused with ``sickness.overlapping_absence``."""
    from xs_app.services.protocols import CloseTrajectory, ReportRecovery
    from xs_core.protocols.model import ProtocolCharacteristics

    w = reports_world(app)
    clock.advance(days=(D(2026, 3, 1) - clock.today()).days)
    p2, p3 = (
        app.protocols.create_protocol(
            CreateProtocol(
                actor=w.admin, name=name, kind=ProtocolKind.SICKNESS,
                characteristics=ProtocolCharacteristics(end_date_may_be_in_future=True),
            )
        )
        for name in ("P2", "P3")
    )  # fmt: skip
    anna = w.people["anna"]
    a = app.trajectories.report_sickness(
        ReportSickness(
            actor=w.admin, protocol_id=p2, employee_id=anna, first_sick_day=D(2026, 2, 2)
        )
    ).id
    app.trajectories.report_recovery(
        ReportRecovery(actor=w.admin, trajectory_id=a, date=D(2026, 2, 3), recovered_percentage=50)
    )
    app.trajectories.close_trajectory(
        CloseTrajectory(actor=w.admin, trajectory_id=a, end_date=D(2026, 3, 3))
    )
    outcomes = race(
        lambda: app.trajectories.close_trajectory(
            CloseTrajectory(actor=w.admin, trajectory_id=a, end_date=D(2026, 3, 20))
        ),
        lambda: app.trajectories.report_sickness(
            ReportSickness(
                actor=w.admin, protocol_id=p3, employee_id=anna, first_sick_day=D(2026, 3, 10)
            )
        ),
    )
    assert codes(outcomes) == ["ok", "sickness.overlapping_absence"]


def test_r3_1_racing_duration_category_changes_never_overlap(app: Xs) -> None:
    """From 7, 42, 365: short to 28 is fine with medium 42, medium to 14 is fine with short 7,
    but together (28, 14) they would overlap. All three parameters are locked while checking,
    so one change is refused (``reports.invalid_duration_categories``) and the stored
    categories stay strictly increasing."""
    from tests.reports_world import JANUARY
    from xs_app.services.configuration import SetParameter
    from xs_app.services.reports import AbsenceReport
    from xs_core.settings import Parameter

    w = reports_world(app)

    def set_(parameter: Parameter, value: int) -> object:
        return lambda: app.configuration.set_parameter(
            SetParameter(actor=w.admin, parameter=parameter, value=value)
        )

    outcomes = race(
        set_(Parameter.ABSENCE_DURATION_SHORT, 28), set_(Parameter.ABSENCE_DURATION_MEDIUM, 14)
    )
    assert codes(outcomes) == ["ok", "reports.invalid_duration_categories"]
    last_days = app.reports.absence(
        AbsenceReport(actor=w.admin, period=JANUARY, units=(w.folder_ref,))
    ).categories.last_days
    assert last_days in ((28, 42, 365), (7, 14, 365))
