"""R3.1 through the services on memory, SQLite and PostgreSQL: the hand-computed figures of the
reports world (tests/reports_world.py), scope (R0.6), refusals that change nothing, the duration
categories as configuration parameters, and the sickness data the report needs (no overlapping
absence, recovery never before the first sick day)."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from tests.apps import make_app, user_with
from tests.reports_world import JANUARY, ReportsWorld, reports_world
from tests.usecases import fingerprint
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.services.configuration import SetParameter
from xs_app.services.protocols import ReportRecovery, ReportSickness
from xs_app.services.reports import AbsenceReport, FindReportUnit
from xs_core.access.features import Feature
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.settings import Parameter

D = _dt.date
N = Decimal


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    xs = make_app(request, clock, request.param)
    yield xs
    xs.close()


@pytest.fixture
def w(app: Xs) -> ReportsWorld:
    return reports_world(app)


def _figures(w: ReportsWorld, actor: uuid.UUID | None = None) -> dict[str, tuple[object, ...]]:
    result = w.xs.reports.absence(
        AbsenceReport(actor=actor or w.admin, period=JANUARY, units=(w.folder_ref,))
    )
    return {
        row.unit.name: (
            row.unit.code,
            row.average_employees,
            row.available_days,
            row.absent_days,
            row.absence_percentage,
            row.new_reports,
            row.reporting_frequency,
            row.average_duration,
            row.per_category,
        )
        for row in result.rows
    }


def test_r3_1_the_reports_world_by_hand(w: ReportsWorld) -> None:
    """See tests/reports_world.py for the facts; each figure below is worked out there and in
    the comments (available/absent days weighted by factor and fraction; frequency =
    reports × 365 / employment days; durations of the reports ended in January)."""
    figures = _figures(w)
    assert list(figures) == ["Holding", "Bakkerij", "Productie", "Verkoop", "Slagerij"]
    # Holding: 15.5 + 31 + 31 + 31 = 108.5 available; 2.75 + 5 + 31 + 5 = 43.75 absent (40.32 %);
    # 124 employment days / 31 = 4; 4 reports × 365 / 124 = 11.77; durations 10, 5, 3, 2
    assert figures["Holding"] == (
        None, N("4.00"), N("108.5"), N("43.75"), N("40.32"), 4, N("11.77"), N("5.00"),
        (3, 1, 0, 0),
    )  # fmt: skip
    # Bakkerij: Anna 15.5 + Bert 31 = 46.5; 2.75 + 5 = 7.75 (16.67 %); 2 × 365 / 62 = 11.77
    assert figures["Bakkerij"] == (
        "W1", N("2.00"), N("46.5"), N("7.75"), N("16.67"), 2, N("11.77"), N("7.50"),
        (1, 1, 0, 0),
    )  # fmt: skip
    # Verkoop: Anna 15.5 + Bert 1–15 Jan 15 = 30.5; 2.75 + 2 = 4.75 (15.57 %); (31 + 15) / 31
    # = 1.48 employees; both reports start here: 2 × 365 / 46 = 15.87; only Anna's ends here
    assert figures["Verkoop"] == (
        "VK", N("1.48"), N("30.5"), N("4.75"), N("15.57"), 2, N("15.87"), N("10.00"),
        (0, 1, 0, 0),
    )  # fmt: skip
    # Productie: Bert 16–31 Jan = 16 days, 3 absent (18.75 %); his report ends here (5 days)
    assert figures["Productie"] == (
        "PR", N("0.52"), N("16"), N("3"), N("18.75"), 0, N("0.00"), N("5.00"),
        (1, 0, 0, 0),
    )  # fmt: skip
    # Slagerij: Carla 31/31, Dirk 3 + 2 (a relapse is a new report): 36 / 62 = 58.06 %
    assert figures["Slagerij"] == (
        "W2", N("2.00"), N("62"), N("36"), N("58.06"), 2, N("11.77"), N("2.50"),
        (2, 0, 0, 0),
    )  # fmt: skip


def test_r3_1_duration_categories_are_a_configuration_parameter(w: ReportsWorld) -> None:
    """Short up to 2 days is not allowed (the allowed bounds); 14 is: Dirk's 3 and 2 days and
    Bert's 5 and Anna's 10 all fall in 1–14 then."""
    w.xs.configuration.set_parameter(
        SetParameter(actor=w.admin, parameter=Parameter.ABSENCE_DURATION_SHORT, value=14)
    )
    assert _figures(w)["Holding"][-1] == (4, 0, 0, 0)
    result = w.xs.reports.absence(
        AbsenceReport(actor=w.admin, period=JANUARY, units=(w.folder_ref,))
    )
    assert result.categories.labels == ("1-14", "15-42", "43-365", "> 365")


def test_r3_1_duration_categories_that_would_overlap_are_refused(w: ReportsWorld) -> None:
    before = fingerprint(w.xs)
    with pytest.raises(DomainError) as refused:
        w.xs.configuration.set_parameter(
            SetParameter(actor=w.admin, parameter=Parameter.ABSENCE_DURATION_MEDIUM, value=7)
        )
    assert refused.value.code == "reports.invalid_duration_categories"
    assert fingerprint(w.xs) == before


def test_r3_1_units_follow_the_scope(w: ReportsWorld) -> None:
    """A user scoped to Bakkerij sees Bakkerij and its departments; the folder and Slagerij are
    answered like units that do not exist (R0.6)."""
    scoped = user_with(
        w.xs,
        w.admin,
        "bakkerij@example.nl",
        frozenset({Feature.VIEW_REPORTS}),
        frozenset({UnitRef(UnitKind.EMPLOYER, w.bakkerij)}),
    )
    rows = w.xs.reports.absence(
        AbsenceReport(actor=scoped, period=JANUARY, units=(UnitRef(UnitKind.EMPLOYER, w.bakkerij),))
    ).rows
    assert [r.unit.name for r in rows] == ["Bakkerij", "Productie", "Verkoop"]
    for hidden in (w.folder_ref, UnitRef(UnitKind.EMPLOYER, w.slagerij)):
        with pytest.raises(DomainError) as refused:
            w.xs.reports.absence(AbsenceReport(actor=scoped, period=JANUARY, units=(hidden,)))
        assert refused.value.code == "not_found"
    with pytest.raises(DomainError) as missing:
        w.xs.reports.absence(
            AbsenceReport(
                actor=scoped, period=JANUARY, units=(UnitRef(UnitKind.EMPLOYER, uuid.uuid4()),)
            )
        )
    assert missing.value.code == "not_found"
    with pytest.raises(DomainError) as other:
        w.xs.reports.find_unit(FindReportUnit(actor=scoped, code="W2"))
    assert other.value.code == "reports.unknown_unit"
    assert w.xs.reports.find_unit(FindReportUnit(actor=scoped, code="w1/vk")) == UnitRef(
        UnitKind.DEPARTMENT, w.verkoop
    )


def test_r3_1_a_department_row_includes_its_sub_units(w: ReportsWorld) -> None:
    rows = w.xs.reports.absence(
        AbsenceReport(
            actor=w.admin, period=JANUARY, units=(UnitRef(UnitKind.DEPARTMENT, w.productie),)
        )
    ).rows
    assert [(r.unit.code, r.absent_days) for r in rows] == [("PR", 3)]


@pytest.mark.parametrize(
    ("units", "code"),
    [
        ((), "reports.no_units"),
        ("employee", "reports.unsupported_unit"),
        ("open", "reports.open_period"),
    ],
)
def test_r3_1_bad_requests_are_refused(w: ReportsWorld, units: object, code: str) -> None:
    period = JANUARY
    refs: tuple[UnitRef, ...] = (w.folder_ref,)
    if units == ():
        refs = ()
    elif units == "employee":
        refs = (UnitRef(UnitKind.EMPLOYEE, w.people["anna"]),)
    else:
        period = DateRange(D(2026, 1, 1), None)
    with pytest.raises(DomainError) as refused:
        w.xs.reports.absence(AbsenceReport(actor=w.admin, period=period, units=refs))
    assert refused.value.code == code


def test_r3_1_without_the_feature_nothing_is_shown(w: ReportsWorld) -> None:
    viewer = user_with(
        w.xs, w.admin, "kijker@example.nl", frozenset({Feature.VIEW_ORGANISATION}),
        frozenset({w.folder_ref}),
    )  # fmt: skip
    with pytest.raises(DomainError) as refused:
        _figures(w, viewer)
    assert refused.value.code == "access.not_authorised"


def test_r3_1_overlapping_sickness_reports_are_refused_under_any_protocol(w: ReportsWorld) -> None:
    """Carla is sick until 10 February 2026; a report under another sickness protocol on 1
    February overlaps; one on 10 February (her recovery date) is a relapse and is accepted."""
    from xs_app.services.protocols import CreateProtocol
    from xs_core.protocols.model import ProtocolKind

    other = w.xs.protocols.create_protocol(
        CreateProtocol(actor=w.admin, name="Verzuim 2", kind=ProtocolKind.SICKNESS)
    )
    before = fingerprint(w.xs)
    with pytest.raises(DomainError) as refused:
        w.xs.trajectories.report_sickness(
            ReportSickness(
                actor=w.admin, protocol_id=other, employee_id=w.people["carla"],
                first_sick_day=D(2026, 2, 1),
            )
        )  # fmt: skip
    assert refused.value.code == "sickness.overlapping_absence"
    assert fingerprint(w.xs) == before
    w.xs.trajectories.report_sickness(
        ReportSickness(
            actor=w.admin, protocol_id=other, employee_id=w.people["carla"],
            first_sick_day=D(2026, 2, 10),
        )
    )  # fmt: skip


def test_r3_1_recovery_before_or_on_the_first_sick_day_is_refused(w: ReportsWorld) -> None:
    """Anna reported sick again on 2 February 2026: a recovery on 1 or 2 February is refused."""
    from xs_app.services.protocols import CreateProtocol
    from xs_core.protocols.model import ProtocolKind

    other = w.xs.protocols.create_protocol(
        CreateProtocol(actor=w.admin, name="Verzuim 2", kind=ProtocolKind.SICKNESS)
    )
    trajectory = w.xs.trajectories.report_sickness(
        ReportSickness(
            actor=w.admin, protocol_id=other, employee_id=w.people["anna"],
            first_sick_day=D(2026, 2, 2),
        )
    )  # fmt: skip
    before = fingerprint(w.xs)
    for day in (D(2026, 2, 1), D(2026, 2, 2)):
        with pytest.raises(DomainError) as refused:
            w.xs.trajectories.report_recovery(
                ReportRecovery(actor=w.admin, trajectory_id=trajectory.id, date=day)
            )
        assert refused.value.code == "sickness.report_out_of_order"
    assert fingerprint(w.xs) == before


# -- WIA work files (R3.2, R3.3) ------------------------------------------------------------------


def _wga_erd_policy(w: ReportsWorld) -> None:
    """Bakkerij has a WGA-ERD policy from 1 January 2025 to 1 January 2027 (last day 31
    December 2026), run-in damage from 1 July 2025; Slagerij has none."""
    from xs_app.services.policies import CreateInsuranceProduct, CreateInsurer, CreatePolicy
    from xs_core.policies.model import ProductKind

    insurer = w.xs.policies.create_insurer(
        CreateInsurer(actor=w.admin, name="Nationale-Nederlanden")
    )
    product = w.xs.policies.create_product(
        CreateInsuranceProduct(
            actor=w.admin, insurer_id=insurer, name="WGA ERD Basis", kind=ProductKind.WGA_ERD
        )
    )
    w.xs.policies.create_policy(
        CreatePolicy(
            actor=w.admin, employer_id=w.bakkerij, product_id=product, number="NN-123",
            start=D(2025, 1, 1), end=D(2027, 1, 1), run_in_damage_date=D(2025, 7, 1),
        )
    )  # fmt: skip


def _claims(w: ReportsWorld) -> dict[str, uuid.UUID]:
    from xs_app.services.reports import RegisterWiaClaim
    from xs_core.reports.wia import WiaBenefit

    return {
        who: w.xs.reports.register_wia_claim(
            RegisterWiaClaim(
                actor=w.admin,
                employee_id=w.people[who],
                employer_id=employer,
                start=D(2026, 3, 1),
                benefit=WiaBenefit.WGA,
                monthly_wage=Decimal("3100.00"),
                income_from_work=Decimal("450.25"),
                own_risk_end=own_risk_end,
            )
        )
        for who, employer, own_risk_end in (
            ("bert", w.bakkerij, None),
            ("carla", w.slagerij, D(2030, 1, 1)),
        )
    }


def _work_file(w: ReportsWorld, nn: bool) -> list[dict[str, object]]:
    from xs_app.services.reports import WiaWorkFile
    from xs_core.reports.wia import wia_columns

    result = w.xs.reports.wia_work_file(
        WiaWorkFile(actor=w.admin, units=(w.folder_ref,), nn=nn, on=D(2026, 6, 1))
    )
    keys = [c.key for c in wia_columns(nn)]
    return [dict(zip(keys, row, strict=True)) for row in result.table()]


def test_r3_2_the_work_file_with_and_without_a_wga_erd_policy(w: ReportsWorld) -> None:
    _wga_erd_policy(w)
    _claims(w)
    bert, carla = _work_file(w, nn=False)
    assert (bert["employee"], bert["employer_code"]) == ("Bert Jansen", "W1")
    assert bert["monthly_wage"] == Decimal("3100.00")
    assert bert["income_from_work"] == Decimal("450.25")
    assert bert["aow_date"] == D(2047, 8, 1)  # born 1 May 1980: 67 y 3 m (provisional)
    assert bert["aow_provisional"] == "Ja"
    assert (bert["policy_number"], bert["insurer"], bert["product"]) == (
        "NN-123", "Nationale-Nederlanden", "WGA ERD Basis",
    )  # fmt: skip
    assert (bert["policy_start"], bert["policy_end"], bert["run_in_damage_date"]) == (
        D(2025, 1, 1), D(2026, 12, 31), D(2025, 7, 1),
    )  # fmt: skip
    assert bert["own_risk_end"] is None  # R3.2 shows what was filled in
    assert carla["policy_number"] is None and carla["insurer"] is None  # Slagerij: no policy
    assert carla["own_risk_end"] == D(2030, 1, 1)


def test_r3_3_the_nn_work_file_derives_the_end_and_adds_the_department(w: ReportsWorld) -> None:
    """Bert: no end of own-risk bearing → min(1 March 2036, AOW 1 August 2047) = 1 March 2036,
    derived; his leading employment is in Productie on 1 June 2026. Carla's was filled in."""
    from xs_app.services.reports import RecordWiaOutflow
    from xs_core.reports.wia import OutflowReason

    claims = _claims(w)
    w.xs.reports.record_wia_outflow(
        RecordWiaOutflow(
            actor=w.admin, claim_id=claims["carla"], date=D(2026, 9, 1),
            reason=OutflowReason.AOW_AGE,
        )
    )  # fmt: skip
    bert, carla = _work_file(w, nn=True)
    assert (bert["own_risk_end"], bert["own_risk_end_source"]) == (D(2036, 3, 1), "Afgeleid")
    assert bert["department"] == "Productie"
    assert (carla["own_risk_end"], carla["own_risk_end_source"]) == (D(2030, 1, 1), "Ingevuld")
    assert carla["department"] is None
    assert (carla["outflow_date"], carla["outflow_reason"]) == (
        D(2026, 9, 1), "AOW-leeftijd bereikt",
    )  # fmt: skip
    before = fingerprint(w.xs)
    with pytest.raises(DomainError) as again:
        w.xs.reports.record_wia_outflow(
            RecordWiaOutflow(
                actor=w.admin, claim_id=claims["carla"], date=D(2026, 10, 1),
                reason=OutflowReason.OTHER,
            )
        )  # fmt: skip
    assert again.value.code == "wia.already_out"
    assert fingerprint(w.xs) == before


def test_r3_2_a_claim_needs_an_employment_at_the_employer(w: ReportsWorld) -> None:
    from xs_app.services.reports import RegisterWiaClaim
    from xs_core.reports.wia import WiaBenefit

    before = fingerprint(w.xs)
    with pytest.raises(DomainError) as refused:
        w.xs.reports.register_wia_claim(
            RegisterWiaClaim(
                actor=w.admin, employee_id=w.people["anna"], employer_id=w.slagerij,
                start=D(2026, 3, 1), benefit=WiaBenefit.IVA, monthly_wage=Decimal(1),
            )
        )  # fmt: skip
    assert refused.value.code == "wia.no_employment_at_employer"
    assert fingerprint(w.xs) == before
