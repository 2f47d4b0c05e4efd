"""Attacks on the reports context (R0.6, R3.1–R3.4) on memory, SQLite and PostgreSQL: WIA claims
of an employee who also works at a unit outside the actor's scope, figures at the period's edges
(a leap-year February, a report ending on the period's last day, a unit without employees)."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from tests.apps import make_app, user_with
from tests.reports_world import ReportsWorld, reports_world
from tests.usecases import fingerprint
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.services.organisation import AddEmployment, CreateDepartment, EmploymentTerms
from xs_app.services.protocols import CreateProtocol, ReportRecovery, ReportSickness
from xs_app.services.reports import AbsenceReport, RecordWiaOutflow, RegisterWiaClaim
from xs_core.access.features import Feature
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.protocols.model import ProtocolKind
from xs_core.reports.wia import OutflowReason, WiaBenefit

D = _dt.date


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    xs = make_app(request, clock, request.param)
    yield xs
    xs.close()


@pytest.fixture
def w(app: Xs) -> ReportsWorld:
    return reports_world(app)


def _claim(w: ReportsWorld, who: str, employer: uuid.UUID) -> uuid.UUID:
    return w.xs.reports.register_wia_claim(
        RegisterWiaClaim(
            actor=w.admin, employee_id=w.people[who], employer_id=employer,
            start=D(2026, 3, 1), benefit=WiaBenefit.WGA, monthly_wage=Decimal("2500.00"),
        )
    )  # fmt: skip


def _refusal(call: object) -> tuple[str, str]:
    with pytest.raises(DomainError) as refused:
        call()  # type: ignore[operator]
    return refused.value.code, refused.value.message("en").replace(
        str(refused.value.details.get("id")), "<id>"
    )


def test_r0_6_r3_3_an_outflow_of_a_claim_at_an_employer_outside_the_scope_is_not_found(
    w: ReportsWorld,
) -> None:
    """Carla works at Slagerij and also at Bakkerij; a user scoped to Bakkerij sees Carla but
    not her claim at Slagerij: recording its outflow is answered like a claim that does not
    exist, and changes nothing (R0.6: scoped to A, one never touches B's data)."""
    w.xs.organisation.add_employment(
        AddEmployment(
            actor=w.admin, employee_id=w.people["carla"],
            terms=EmploymentTerms(
                employer_id=w.bakkerij, start=D(2025, 6, 1), hours_per_week=Decimal(8)
            ),
        )
    )  # fmt: skip
    claim = _claim(w, "carla", w.slagerij)
    scoped = user_with(
        w.xs, w.admin, "bakkerij@example.nl",
        frozenset({Feature.MANAGE_EMPLOYMENTS, Feature.VIEW_REPORTS}),
        frozenset({UnitRef(UnitKind.EMPLOYER, w.bakkerij)}),
    )  # fmt: skip
    before = fingerprint(w.xs)

    def outflow(claim_id: uuid.UUID) -> object:
        return lambda: w.xs.reports.record_wia_outflow(
            RecordWiaOutflow(
                actor=scoped, claim_id=claim_id, date=D(2026, 9, 1), reason=OutflowReason.OTHER
            )
        )

    assert _refusal(outflow(claim)) == _refusal(outflow(uuid.uuid4()))
    assert _refusal(outflow(claim))[0] == "not_found"
    assert fingerprint(w.xs) == before


def test_r0_6_r3_2_a_claim_for_an_employee_outside_the_scope_is_not_found(
    w: ReportsWorld,
) -> None:
    """Registering a claim for Dirk (Slagerij) as a user scoped to Slagerij's neighbour: the
    same answer as for an employee who does not exist."""
    scoped = user_with(
        w.xs, w.admin, "bakkerij@example.nl", frozenset({Feature.MANAGE_EMPLOYMENTS}),
        frozenset({UnitRef(UnitKind.EMPLOYER, w.bakkerij)}),
    )  # fmt: skip
    before = fingerprint(w.xs)

    def register(employee_id: uuid.UUID) -> object:
        return lambda: w.xs.reports.register_wia_claim(
            RegisterWiaClaim(
                actor=scoped, employee_id=employee_id, employer_id=w.bakkerij,
                start=D(2026, 3, 1), benefit=WiaBenefit.IVA, monthly_wage=Decimal(1),
            )
        )  # fmt: skip

    assert _refusal(register(w.people["dirk"])) == _refusal(register(uuid.uuid4()))
    assert fingerprint(w.xs) == before


def test_r3_1_a_leap_february_with_a_report_ending_on_its_last_day(
    w: ReportsWorld, clock: FixedClock
) -> None:
    """February 2028 has 29 days. Bert (Productie since 16 January 2026, full time) is sick
    20–29 February and back on 1 March, the first day after the period: his report ended in the
    period (last day of absence 29 February), 10 days. Worked by hand for Bakkerij:
    available = 29 × 0.5 (Anna) + 29 × 1 (Bert) = 43.5; absent 10; 10 / 43.5 = 22.99 %;
    average employees 58 / 29 = 2; frequency 1 / 2 × 365 / 29 = 6.29; duration 10, in 8–42.
    A department without employees has empty percentage, frequency and duration."""
    clock.advance(days=(D(2028, 3, 2) - clock.today()).days)
    # Bert's trajectory of 2026 is still open (R2.2): this report goes under a second protocol
    other = w.xs.protocols.create_protocol(
        CreateProtocol(actor=w.admin, name="Verzuim 2028", kind=ProtocolKind.SICKNESS)
    )
    trajectory = w.xs.trajectories.report_sickness(
        ReportSickness(
            actor=w.admin, protocol_id=other, employee_id=w.people["bert"],
            first_sick_day=D(2028, 2, 20),
        )
    )  # fmt: skip
    w.xs.trajectories.report_recovery(
        ReportRecovery(
            actor=w.admin, trajectory_id=trajectory.id, date=D(2028, 3, 1),
            recovered_percentage=100,
        )
    )  # fmt: skip
    w.xs.organisation.create_department(
        CreateDepartment(actor=w.admin, employer_id=w.bakkerij, name="Leeg", code="LG")
    )
    period = DateRange(D(2028, 2, 1), D(2028, 3, 1))
    rows = {
        r.unit.name: r
        for r in w.xs.reports.absence(
            AbsenceReport(
                actor=w.admin, period=period, units=(UnitRef(UnitKind.EMPLOYER, w.bakkerij),)
            )
        ).rows
    }
    bakkerij = rows["Bakkerij"]
    assert (bakkerij.available_days, bakkerij.absent_days) == (Decimal("43.5"), Decimal(10))
    assert bakkerij.absence_percentage == Decimal("22.99")
    assert bakkerij.average_employees == Decimal(2)
    assert bakkerij.reporting_frequency == Decimal("6.29")
    assert (bakkerij.average_duration, bakkerij.per_category) == (Decimal(10), (0, 1, 0, 0))
    assert rows["Productie"].per_category == (0, 1, 0, 0)
    assert rows["Verkoop"].per_category == (0, 0, 0, 0)
    empty = rows["Leeg"]
    assert (empty.available_days, empty.absence_percentage) == (Decimal(0), None)
    assert (empty.reporting_frequency, empty.average_duration) == (None, None)


def test_r3_1_moving_a_closing_later_may_not_make_absence_overlap(
    w: ReportsWorld, clock: FixedClock
) -> None:
    """Dirk's report A (protocol P2, whose end date may lie in the future) is 50 % recovered
    and closed on 3 March, after today (1 March): its absence ends there. Report B (protocol P3)
    starts 10 March. Moving A's closing to 20 March would count 10–20 March absent twice:
    refused (``sickness.overlapping_absence``), as for a new report, and nothing changes."""
    from xs_app.services.protocols import CloseTrajectory
    from xs_core.protocols.model import ProtocolCharacteristics

    clock.advance(days=(D(2026, 3, 1) - clock.today()).days)
    p2, p3 = (
        w.xs.protocols.create_protocol(
            CreateProtocol(
                actor=w.admin, name=name, kind=ProtocolKind.SICKNESS,
                characteristics=ProtocolCharacteristics(end_date_may_be_in_future=True),
            )
        )
        for name in ("P2", "P3")
    )  # fmt: skip

    def report(protocol: uuid.UUID, first: _dt.date) -> uuid.UUID:
        return w.xs.trajectories.report_sickness(
            ReportSickness(
                actor=w.admin, protocol_id=protocol, employee_id=w.people["dirk"],
                first_sick_day=first,
            )
        ).id  # fmt: skip

    a = report(p2, D(2026, 2, 2))
    w.xs.trajectories.report_recovery(
        ReportRecovery(actor=w.admin, trajectory_id=a, date=D(2026, 2, 3), recovered_percentage=50)
    )
    w.xs.trajectories.close_trajectory(
        CloseTrajectory(actor=w.admin, trajectory_id=a, end_date=D(2026, 3, 3))
    )
    report(p3, D(2026, 3, 10))
    before = fingerprint(w.xs)
    with pytest.raises(DomainError) as refused:
        w.xs.trajectories.close_trajectory(
            CloseTrajectory(actor=w.admin, trajectory_id=a, end_date=D(2026, 3, 20))
        )
    assert refused.value.code == "sickness.overlapping_absence"
    assert fingerprint(w.xs) == before


@pytest.mark.parametrize("code", ["W1/", "/VK", "W1/VK/", ""])
def test_r3_1_a_unit_code_with_an_empty_part_is_unknown(w: ReportsWorld, code: str) -> None:
    """``W1/`` is not Bakkerij: a code with an empty employer or department part names no unit
    (``reports.unknown_unit``), rather than silently the whole employer."""
    from xs_app.services.reports import FindReportUnit

    with pytest.raises(DomainError) as refused:
        w.xs.reports.find_unit(FindReportUnit(actor=w.admin, code=code))
    assert refused.value.code in ("reports.unknown_unit", "organisation.invalid_code")


def test_r3_2_a_department_for_the_wia_work_file_is_refused_with_its_own_words(
    w: ReportsWorld,
) -> None:
    """R3.2's work file covers folders and employers: naming a department says so, instead of
    speaking of an absence report."""
    from xs_app.services.reports import WiaWorkFile

    with pytest.raises(DomainError) as refused:
        w.xs.reports.wia_work_file(
            WiaWorkFile(actor=w.admin, units=(UnitRef(UnitKind.DEPARTMENT, w.verkoop),))
        )
    assert refused.value.code == "reports.unsupported_wia_unit"
    assert refused.value.message("en") == (
        "The WIA work file covers folders and employers, not department."
    )
