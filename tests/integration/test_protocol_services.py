"""Protocols, trajectories, bulk start, employment changes and action links end to end
(R2.1–R2.5) through ``bootstrap()``, on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as _dt
import threading
import uuid
from collections.abc import Iterator
from decimal import Decimal

import attrs
import pytest

from tests.apps import make_app, user_with
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.services.access import CreateUser
from xs_app.services.employments import (
    ActionLinks,
    ChangeEmployment,
    EndEmployment,
    FindDossiers,
    LeadingEmploymentOn,
    OpenActionLink,
)
from xs_app.services.organisation import (
    CreateDepartment,
    CreateEmployer,
    EmploymentTerms,
    GetEmployee,
    OpenDossier,
    RegisterEmployee,
)
from xs_app.services.protocols import (
    BulkStart,
    ChangeProtocolCharacteristics,
    CloseTrajectory,
    CreateProtocol,
    GetTrajectory,
    ProposeBulkStart,
    ReportRecovery,
    ReportSickness,
    StartTrajectory,
    TrajectoriesOf,
)
from xs_core.access.features import Feature
from xs_core.errors import DomainError, NotAuthorised
from xs_core.organisation.model import EndReason
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.protocols.action_links import ActionLink, Placement, UseCase
from xs_core.protocols.bulk import BulkStartRequest, BulkUnit, SkipReason
from xs_core.protocols.model import ProtocolCharacteristics, ProtocolKind, TaskTemplate

D = _dt.date


@attrs.define
class World:
    xs: Xs
    admin: uuid.UUID
    employer: uuid.UUID
    other: uuid.UUID
    department: uuid.UUID
    people: list[uuid.UUID]
    outsider: uuid.UUID
    pmo: uuid.UUID
    sickness: uuid.UUID
    planner: uuid.UUID  # may bulk start, scoped to ``employer``


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def world(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[World]:
    xs = make_app(request, clock, request.param)
    yield make_world(xs)
    xs.close()


@pytest.fixture(params=["sqlite", "postgres"])
def sql_world(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[World]:
    xs = make_app(request, clock, request.param)
    yield make_world(xs)
    xs.close()


def make_world(xs: Xs) -> World:
    admin = xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
    org = xs.organisation
    employer = org.create_employer(CreateEmployer(actor=admin, name="Bakkerij", code="BAK"))
    other = org.create_employer(CreateEmployer(actor=admin, name="Slagerij", code="SLA"))
    department = org.create_department(
        CreateDepartment(actor=admin, employer_id=employer, name="Productie")
    )
    people = [
        org.register_employee(
            RegisterEmployee(
                actor=admin,
                first_name=name,
                last_name="Jansen",
                birth_date=born,
                employment=EmploymentTerms(
                    employer_id=employer, department_id=department, start=D(2023, 1, 1)
                ),
            )
        )
        for name, born in (
            ("Anna", D(1961, 12, 31)),
            ("Bram", D(1962, 1, 1)),
            ("Cor", D(1980, 5, 5)),
        )
    ]
    outsider = org.register_employee(
        RegisterEmployee(
            actor=admin,
            first_name="Dirk",
            last_name="Dekker",
            employment=EmploymentTerms(employer_id=other, start=D(2020, 1, 1)),
        )
    )
    pmo = xs.protocols.create_protocol(
        CreateProtocol(
            actor=admin,
            name="PMO",
            kind=ProtocolKind.PMO,
            task_templates=(
                TaskTemplate(code="VRAGENLIJST", title="Vragenlijst"),
                TaskTemplate(code="ZIEKTEAANGIFTE_55PLUS", title="oud"),
            ),
            characteristics=ProtocolCharacteristics(may_start_in_bulk=True),
        )
    )
    sickness = xs.protocols.create_protocol(
        CreateProtocol(
            actor=admin,
            name="Verzuim",
            kind=ProtocolKind.SICKNESS,
            task_templates=(TaskTemplate(code="ZIEKTEAANGIFTE_55PLUS", title="oud"),),
        )
    )
    planner = user_with(
        xs,
        admin,
        "planner@example.nl",
        frozenset({Feature.START_TRAJECTORIES_IN_BULK, Feature.START_TRAJECTORIES}),
        frozenset({UnitRef(UnitKind.EMPLOYER, employer)}),
        name="Planner",
    )
    return World(xs, admin, employer, other, department, people, outsider, pmo, sickness, planner)


def request_for(world: World, **changes: object) -> BulkStartRequest:
    base = BulkStartRequest(
        request_id=uuid.uuid4(),
        protocol_id=world.pmo,
        unit=BulkUnit(employer_ids=frozenset({world.employer})),
        start=D(2026, 12, 1),
        end_date=D(2027, 5, 31),
    )
    return attrs.evolve(base, **changes)  # type: ignore[arg-type]


def test_r2_2_proposal_and_start_with_deselection(world: World) -> None:
    both = BulkUnit(employer_ids=frozenset({world.employer, world.other}))
    proposal = world.xs.bulk_start.propose(
        ProposeBulkStart(actor=world.admin, protocol_id=world.pmo, unit=both, start=D(2026, 12, 1))
    )
    assert [c.name for c in proposal] == ["Anna Jansen", "Bram Jansen", "Cor Jansen", "Dirk Dekker"]
    with pytest.raises(DomainError) as outside:  # R0.6: a unit outside the planner's scope
        world.xs.bulk_start.propose(
            ProposeBulkStart(
                actor=world.planner, protocol_id=world.pmo, unit=both, start=D(2026, 12, 1)
            )
        )
    assert (outside.value.code, outside.value.details) == (
        "not_found",
        {"kind": "employer", "id": str(world.other)},
    )
    proposal = world.xs.bulk_start.propose(
        ProposeBulkStart(
            actor=world.planner,
            protocol_id=world.pmo,
            unit=BulkUnit(employer_ids=frozenset({world.employer})),
            start=D(2026, 12, 1),
        )
    )
    assert [c.name for c in proposal] == ["Anna Jansen", "Bram Jansen", "Cor Jansen"]
    request = request_for(world, deselected=frozenset({world.people[2]}))
    result = world.xs.bulk_start.start(BulkStart(actor=world.planner, request=request))
    assert (result.started, result.skipped, result.repeated) == (2, 0, False)
    started = world.xs.trajectories.trajectories_of(
        TrajectoriesOf(actor=world.admin, employee_id=world.people[0])
    )
    assert [(x.period.start, x.end_date, [t.code for t in x.tasks]) for x in started] == [
        (D(2026, 12, 1), D(2027, 5, 31), ["VRAGENLIJST"])
    ]  # never the old 55+ task
    assert (
        world.xs.trajectories.trajectories_of(
            TrajectoriesOf(actor=world.admin, employee_id=world.people[2])
        )
        == []
    )
    names = [m.name for m in world.xs.outbox.pending(1000)]
    assert names.count("TrajectoriesStartedInBulk") == 1


def test_r2_2_repeating_a_request_starts_nothing_twice(world: World) -> None:
    request = request_for(world)
    first = world.xs.bulk_start.start(BulkStart(actor=world.admin, request=request))
    again = world.xs.bulk_start.start(BulkStart(actor=world.admin, request=request))
    assert again.repeated and again.outcomes == first.outcomes
    for person in world.people:
        assert (
            len(
                world.xs.trajectories.trajectories_of(
                    TrajectoriesOf(actor=world.admin, employee_id=person)
                )
            )
            == 1
        )
    with pytest.raises(DomainError) as reused:
        world.xs.bulk_start.start(
            BulkStart(actor=world.admin, request=attrs.evolve(request, start=D(2026, 12, 2)))
        )
    assert reused.value.code == "bulk_start.request_id_reused"
    # a new request for the same period skips everyone: their trajectory is open
    later = world.xs.bulk_start.start(BulkStart(actor=world.admin, request=request_for(world)))
    assert later.started == 0
    assert later.skipped_by_reason() == {SkipReason.ALREADY_OPEN: 3}


def test_r2_2_explicit_employees_get_every_reason(world: World) -> None:
    stranger = world.xs.organisation.register_employee(
        RegisterEmployee(
            actor=world.admin,
            first_name="Eva",
            last_name="Evers",
            employment=EmploymentTerms(employer_id=world.employer, start=D(2027, 2, 1)),
        )
    )
    request = request_for(
        world, employee_ids=frozenset({world.people[0], world.outsider, stranger})
    )
    result = world.xs.bulk_start.start(BulkStart(actor=world.planner, request=request))
    reasons = {o.employee_id: o.reason for o in result.outcomes}
    assert reasons == {
        world.people[0]: None,
        world.outsider: SkipReason.OUT_OF_SCOPE,
        stranger: SkipReason.NO_EMPLOYMENT,
    }


def test_r2_2_refused_as_a_whole(world: World) -> None:
    with pytest.raises(DomainError) as no_end:
        world.xs.bulk_start.start(
            BulkStart(actor=world.admin, request=request_for(world, end_date=None))
        )
    assert no_end.value.code == "bulk_start.end_date_required"
    world.xs.protocols.change_characteristics(
        ChangeProtocolCharacteristics(
            actor=world.admin,
            protocol_id=world.pmo,
            characteristics=ProtocolCharacteristics(
                may_start_in_bulk=True, bulk_end_date_may_be_empty=True
            ),
        )
    )
    open_ended = world.xs.bulk_start.start(
        BulkStart(actor=world.admin, request=request_for(world, end_date=None))
    )
    assert open_ended.started == 3
    world.xs.protocols.change_characteristics(
        ChangeProtocolCharacteristics(
            actor=world.admin, protocol_id=world.pmo, characteristics=ProtocolCharacteristics()
        )
    )
    with pytest.raises(DomainError) as not_allowed:
        world.xs.bulk_start.start(BulkStart(actor=world.admin, request=request_for(world)))
    assert not_allowed.value.code == "bulk_start.not_allowed"
    viewer = world.xs.access.create_user(
        CreateUser(actor=world.admin, name="Kijker", email="kijker@example.nl")
    )
    with pytest.raises(NotAuthorised) as no_feature:
        world.xs.bulk_start.start(BulkStart(actor=viewer, request=request_for(world)))
    assert no_feature.value.code == "access.not_authorised"
    with pytest.raises(NotAuthorised) as unknown:
        world.xs.bulk_start.start(BulkStart(actor=uuid.uuid4(), request=request_for(world)))
    assert unknown.value.code == "access.unknown_actor"


def test_r2_4_closing_follows_the_protocol_and_the_clock(world: World) -> None:
    trajectory = world.xs.trajectories.start_trajectory(
        StartTrajectory(
            actor=world.admin,
            protocol_id=world.pmo,
            employee_id=world.people[0],
            start=D(2026, 11, 1),
        )
    )
    today = world.xs.clock.today()
    with pytest.raises(DomainError) as future:
        world.xs.trajectories.close_trajectory(
            CloseTrajectory(
                actor=world.admin, trajectory_id=trajectory, end_date=today + _dt.timedelta(days=1)
            )
        )
    assert future.value.code == "trajectory.end_in_future"
    world.xs.trajectories.close_trajectory(
        CloseTrajectory(actor=world.admin, trajectory_id=trajectory, end_date=today)
    )
    assert (
        world.xs.trajectories.trajectory(
            GetTrajectory(actor=world.admin, trajectory_id=trajectory)
        ).end_date
        == today
    )


def test_r2_5_sickness_report_adds_the_task_by_the_rule(world: World) -> None:
    anna = world.xs.trajectories.report_sickness(
        ReportSickness(
            actor=world.admin,
            protocol_id=world.sickness,
            employee_id=world.people[0],
            first_sick_day=D(2026, 11, 2),
        )
    )
    bram = world.xs.trajectories.report_sickness(
        ReportSickness(
            actor=world.admin,
            protocol_id=world.sickness,
            employee_id=world.people[1],
            first_sick_day=D(2026, 11, 2),
        )
    )
    assert [t.code for t in anna.tasks] == ["COMPENSATIE_OUDERE_WERKNEMERS"]
    assert [t.code for t in bram.tasks] == []
    assert bram.compensation is not None and bram.compensation.reason.value == (
        "born_on_or_after_1962"
    )
    world.xs.trajectories.report_recovery(
        ReportRecovery(
            actor=world.admin, trajectory_id=anna.id, date=D(2026, 11, 20), recovered_percentage=50
        )
    )
    loaded = world.xs.trajectories.trajectory(
        GetTrajectory(actor=world.admin, trajectory_id=anna.id)
    )
    assert [(r.date, r.recovered_percentage) for r in loaded.recovery_reports] == [
        (D(2026, 11, 20), 50)
    ]


def test_r2_3_end_and_change_employment_with_history(world: World) -> None:
    anna = world.people[0]
    employment = (
        world.xs.organisation.employee(GetEmployee(actor=world.admin, employee_id=anna))
        .employments[0]
        .id
    )
    trajectory = world.xs.trajectories.start_trajectory(
        StartTrajectory(
            actor=world.admin, protocol_id=world.pmo, employee_id=anna, start=D(2026, 1, 1)
        )
    )
    world.xs.employments.change_employment(
        ChangeEmployment(
            actor=world.admin,
            employee_id=anna,
            employment_id=employment,
            effective=D(2025, 1, 1),
            hours_per_week=Decimal(24),
            job_title="Teamleider",
        )
    )
    result = world.xs.employments.end_employment(
        EndEmployment(
            actor=world.admin,
            employee_id=anna,
            employment_id=employment,
            end=D(2026, 12, 1),
            reason=EndReason.RESIGNATION,
        )
    )
    assert [x.id for x in result.open_trajectories] == [trajectory]  # reported, not closed
    loaded = world.xs.organisation.employee(
        GetEmployee(actor=world.admin, employee_id=anna)
    ).employments[0]
    assert [(str(v.valid), v.conditions.hours_per_week) for v in loaded.versions] == [
        ("[2023-01-01,2025-01-01)", 40),
        ("[2025-01-01,2026-12-01)", 24),
    ]
    with pytest.raises(DomainError) as again:
        world.xs.employments.end_employment(
            EndEmployment(
                actor=world.admin,
                employee_id=anna,
                employment_id=employment,
                end=D(2027, 1, 1),
                reason=EndReason.OTHER,
            )
        )
    assert again.value.code == "employment.already_ended"
    lead = world.xs.employments.leading_employment_on(
        LeadingEmploymentOn(actor=world.admin, employee_id=anna, day=D(2024, 6, 1))
    )
    assert lead is not None and lead.department_id == world.department
    assert (
        world.xs.employments.leading_employment_on(
            LeadingEmploymentOn(actor=world.admin, employee_id=anna, day=D(2027, 1, 1))
        )
        is None
    )
    assert world.xs.trajectories.trajectory(
        GetTrajectory(actor=world.admin, trajectory_id=trajectory)
    ).is_open


def test_r2_3_action_links_with_and_without_dossier_search(world: World) -> None:
    links = world.xs.action_links
    assert set(links.links(ActionLinks(actor=world.admin, placement=Placement.PORTAL_WIDGET))) == {
        ActionLink.BULK_START_WORKFLOW,
        ActionLink.UIT_DIENST_MELDEN_DOSSIER_SEARCH,
        ActionLink.WIJZIGEN_DIENSTVERBAND_DOSSIER_SEARCH,
        ActionLink.VERGOEDINGSBATCHES,  # R5.5
    }
    assert set(
        links.links(ActionLinks(actor=world.planner, placement=Placement.PORTAL_WIDGET))
    ) == {ActionLink.BULK_START_WORKFLOW}
    dossier = world.xs.organisation.open_dossier(
        OpenDossier(actor=world.admin, unit=UnitRef(UnitKind.EMPLOYEE, world.people[0]))
    )
    found = links.find_dossiers(
        FindDossiers(
            actor=world.admin, link=ActionLink.UIT_DIENST_MELDEN_DOSSIER_SEARCH, term="jans"
        )
    )
    assert [(c.dossier_id, c.employee_id) for c in found] == [(dossier, world.people[0])]
    via_search = links.open(
        OpenActionLink(
            actor=world.admin,
            link=ActionLink.UIT_DIENST_MELDEN_DOSSIER_SEARCH,
            placement=Placement.PORTAL_WIDGET,
            dossier_id=dossier,
        )
    )
    via_dossier = links.open(
        OpenActionLink(
            actor=world.admin,
            link=ActionLink.UIT_DIENST_MELDEN,
            placement=Placement.DOSSIER_ACTION_LIST,
            dossier_id=dossier,
        )
    )
    assert via_search.use_case is via_dossier.use_case is UseCase.END_EMPLOYMENT
    assert via_search.employee_id == via_dossier.employee_id == world.people[0]
    with pytest.raises(DomainError) as misplaced:
        links.open(
            OpenActionLink(
                actor=world.admin,
                link=ActionLink.UIT_DIENST_MELDEN,
                placement=Placement.PORTAL_WIDGET,
                dossier_id=dossier,
            )
        )
    assert misplaced.value.code == "action_link.wrong_placement"


def test_r2_2_concurrent_identical_requests_start_once(sql_world: World) -> None:
    """Real concurrent connections submit the same request: exactly one starts it."""
    world = sql_world
    bulk = request_for(world)
    results: list[object] = []
    barrier = threading.Barrier(4)

    def race() -> None:
        barrier.wait()
        try:
            results.append(world.xs.bulk_start.start(BulkStart(actor=world.admin, request=bulk)))
        except Exception as error:
            results.append(error)

    threads = [threading.Thread(target=race) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(not isinstance(r, Exception) for r in results), results
    assert sum(1 for r in results if not r.repeated) == 1  # type: ignore[attr-defined]
    for person in world.people:
        assert (
            len(
                world.xs.trajectories.trajectories_of(
                    TrajectoriesOf(actor=world.admin, employee_id=person)
                )
            )
            == 1
        )
