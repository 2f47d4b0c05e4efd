"""The organisation use cases end to end through ``bootstrap()`` (R0.5, R0.6, R1.1–R1.5)."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterator

import attrs
import pytest

from tests.apps import make_app
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.services.access import CreateRole, CreateUser
from xs_app.services.organisation import (
    AddContactPerson,
    AdvancedSearch,
    ChangeContactPerson,
    ChangeDepartment,
    CreateBranch,
    CreateDepartment,
    CreateEmployer,
    CreateFolder,
    EmploymentTerms,
    GetContactPersonWidget,
    GetEmployee,
    GetEmployer,
    MoveContactPerson,
    OpenDossier,
    RegisterEmployee,
    RemoveContactPerson,
    SearchBranches,
    SetVatNumber,
)
from xs_core.access.features import Feature
from xs_core.access.model import RoleKind
from xs_core.errors import DomainError, NotAuthorised, NotFound
from xs_core.organisation import InvalidVatNumber
from xs_core.organisation.model import Address
from xs_core.organisation.search import SearchContext, TargetKind
from xs_core.organisation.units import UnitKind, UnitRef


@attrs.define
class World:
    xs: Xs
    admin: uuid.UUID
    folder: uuid.UUID
    employer: uuid.UUID
    other_employer: uuid.UUID
    department: uuid.UUID
    sub_department: uuid.UUID
    employee: uuid.UUID
    viewer: uuid.UUID  # employer user without management rights
    manager: uuid.UUID  # may manage the organisation and contact persons of one employer
    department_user: uuid.UUID  # scoped to one department


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def world(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[World]:
    xs = make_app(request, clock, request.param)
    admin = xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
    org = xs.organisation
    folder = org.create_folder(CreateFolder(actor=admin, name="Zorg"))
    employer = org.create_employer(
        CreateEmployer(actor=admin, name="Bakkerij Jansen", code="BAK", folder_id=folder)
    )
    other = org.create_employer(CreateEmployer(actor=admin, name="Slagerij Jansma", code="SLA"))
    department = org.create_department(
        CreateDepartment(actor=admin, employer_id=employer, name="Productie", code="PROD")
    )
    sub = org.create_department(
        CreateDepartment(
            actor=admin,
            employer_id=employer,
            name="Broodbakkerij",
            code="BROOD",
            parent_id=department,
        )
    )
    employee = org.register_employee(
        RegisterEmployee(
            actor=admin,
            first_name="José",
            last_name="Jänsen",
            birth_date=_dt.date(1961, 1, 1),
            employment=EmploymentTerms(
                employer_id=employer, department_id=sub, start=_dt.date(2020, 1, 1)
            ),
        )
    )
    viewer_role = xs.access.create_role(
        CreateRole(
            actor=admin,
            name="Werkgever",
            kind=RoleKind.EMPLOYER,
            features=frozenset({Feature.VIEW_ORGANISATION}),
        )
    )
    manager_role = xs.access.create_role(
        CreateRole(
            actor=admin,
            name="Beheerder werkgever",
            features=frozenset({Feature.MANAGE_ORGANISATION, Feature.MANAGE_CONTACT_PERSONS}),
        )
    )
    employer_scope = frozenset({UnitRef(UnitKind.EMPLOYER, employer)})
    viewer = xs.access.create_user(
        CreateUser(
            actor=admin,
            name="Kijker",
            email="k@example.nl",
            role_ids=frozenset({viewer_role}),
            scope=employer_scope,
        )
    )
    manager = xs.access.create_user(
        CreateUser(
            actor=admin,
            name="Beheerder",
            email="b@example.nl",
            role_ids=frozenset({manager_role}),
            scope=employer_scope,
        )
    )
    department_user = xs.access.create_user(
        CreateUser(
            actor=admin,
            name="Afdeling",
            email="a@example.nl",
            role_ids=frozenset({viewer_role}),
            scope=frozenset({UnitRef(UnitKind.DEPARTMENT, sub)}),
        )
    )
    yield World(
        xs,
        admin,
        folder,
        employer,
        other,
        department,
        sub,
        employee,
        viewer,
        manager,
        department_user,
    )
    xs.close()


def test_r1_1_vat_number_set_invalid_and_cleared(world: World) -> None:
    org = world.xs.organisation
    vat = org.set_vat_number(
        SetVatNumber(actor=world.manager, employer_id=world.employer, vat_number="004495445B01")
    )
    assert str(vat) == "NL004495445B01"
    before = len(world.xs.outbox.pending(1000))
    with pytest.raises(InvalidVatNumber) as refused:
        org.set_vat_number(
            SetVatNumber(
                actor=world.manager, employer_id=world.employer, vat_number="NL004495445B02X"
            )
        )
    assert refused.value.code == "vat.invalid_length"
    # R0.5: the refusal changed nothing, not even the outbox
    assert (
        str(org.employer(GetEmployer(actor=world.admin, employer_id=world.employer)).vat_number)
        == "NL004495445B01"
    )
    assert len(world.xs.outbox.pending(1000)) == before
    org.set_vat_number(
        SetVatNumber(actor=world.manager, employer_id=world.employer, vat_number=None)
    )
    assert (
        org.employer(GetEmployer(actor=world.admin, employer_id=world.employer)).vat_number is None
    )


def test_r0_6_features_and_scope_are_checked(world: World) -> None:
    org = world.xs.organisation
    with pytest.raises(NotAuthorised) as no_feature:
        org.set_vat_number(
            SetVatNumber(
                actor=world.viewer, employer_id=world.employer, vat_number="NL004495445B01"
            )
        )
    assert no_feature.value.code == "access.not_authorised"
    assert no_feature.value.details["feature"] == "organisation.manage"
    with pytest.raises(NotFound) as outside:
        org.set_vat_number(
            SetVatNumber(
                actor=world.manager, employer_id=world.other_employer, vat_number="NL004495445B01"
            )
        )
    # R0.6: another employer's id gets the very answer an unknown id gets (no existence oracle)
    with pytest.raises(NotFound) as unknown:
        org.set_vat_number(
            SetVatNumber(actor=world.manager, employer_id=uuid.UUID(int=7), vat_number=None)
        )
    assert outside.value.code == unknown.value.code == "not_found"
    assert outside.value.details.keys() == unknown.value.details.keys() == {"kind", "id"}
    with pytest.raises(NotFound):
        org.create_department(
            CreateDepartment(actor=world.manager, employer_id=world.other_employer, name="X")
        )
    # a department-scoped user sees the employee employed in their department, not the employer
    assert (
        org.employee(
            GetEmployee(actor=world.department_user, employee_id=world.employee)
        ).first_name
        == "José"
    )
    with pytest.raises(NotFound):
        org.employer(GetEmployer(actor=world.department_user, employer_id=world.employer))


def test_r1_3_search_is_scoped_and_accent_insensitive(world: World) -> None:
    org = world.xs.organisation
    everyone = org.search(AdvancedSearch(actor=world.admin, term="jans"))
    assert [r.name for r in everyone.results] == [
        "Bakkerij Jansen",
        "José Jänsen",
        "Slagerij Jansma",
    ]
    mine = org.search(AdvancedSearch(actor=world.viewer, term="JANS"))
    assert [r.name for r in mine.results] == ["Bakkerij Jansen", "José Jänsen"]
    department_only = org.search(AdvancedSearch(actor=world.department_user, term="ba"))
    assert [r.name for r in department_only.results] == ["Broodbakkerij"]
    with pytest.raises(DomainError) as short:
        org.search(AdvancedSearch(actor=world.admin, term="j"))
    assert short.value.code == "search.term_too_short"


def test_r1_3_department_targets_depend_on_context_rights_and_dossier(world: World) -> None:
    org = world.xs.organisation

    def target(actor: uuid.UUID, context: SearchContext) -> object:
        page = org.search(
            AdvancedSearch(
                actor=actor, term="prod", context=context, kinds=frozenset({UnitKind.DEPARTMENT})
            )
        )
        (result,) = page.results
        assert result.rank == 0  # exact code match
        return result.target

    assert target(world.viewer, SearchContext.PORTAL) is None  # no dossier yet
    dossier = org.open_dossier(
        OpenDossier(actor=world.admin, unit=UnitRef(UnitKind.DEPARTMENT, world.department))
    )
    portal = target(world.viewer, SearchContext.PORTAL)
    assert portal is not None and (portal.kind, portal.id) == (TargetKind.DOSSIER, dossier)
    # the viewer may not manage: from administration too they get the dossier
    administration = target(world.viewer, SearchContext.ADMINISTRATION)
    assert administration is not None and administration.kind is TargetKind.DOSSIER
    managed = target(world.manager, SearchContext.ADMINISTRATION)
    assert managed is not None
    assert (managed.kind, managed.id) == (TargetKind.ADMINISTRATION_PAGE, world.department)


def test_r1_3_codes_and_names_change_in_the_index(world: World) -> None:
    org = world.xs.organisation
    org.change_department(
        ChangeDepartment(
            actor=world.admin, department_id=world.department, name="Bakkerij productie", code="BP"
        )
    )
    names = [r.name for r in org.search(AdvancedSearch(actor=world.admin, term="bp")).results]
    assert names == ["Bakkerij productie"]
    assert org.search(AdvancedSearch(actor=world.admin, term="prod")).results[0].name == (
        "Bakkerij productie"
    )


def test_r1_2_a_department_cannot_move_under_its_own_subtree(world: World) -> None:
    with pytest.raises(DomainError) as refused:
        world.xs.organisation.change_department(
            ChangeDepartment(
                actor=world.admin,
                department_id=world.department,
                move=True,
                parent_id=world.sub_department,
            )
        )
    assert refused.value.code == "organisation.department_cycle"


def test_r1_4_branch_search_through_the_service(world: World) -> None:
    org = world.xs.organisation
    for name, city, postcode in (
        ("Hoofdkantoor", "Utrecht", "3511AB"),
        ("Winkel Zuid", "'s-Hertogenbosch", "5211 MR"),
    ):
        org.create_branch(
            CreateBranch(
                actor=world.admin,
                employer_id=world.employer,
                name=name,
                address=Address.create("Markt", "1", postcode, city),
            )
        )
    assert [
        b.name
        for b in org.search_branches(
            SearchBranches(actor=world.viewer, employer_id=world.employer, term="3511 ab")
        )
    ] == ["Hoofdkantoor"]
    assert [
        b.name
        for b in org.search_branches(
            SearchBranches(actor=world.viewer, employer_id=world.employer, term="HERTOG")
        )
    ] == ["Winkel Zuid"]
    with pytest.raises(NotFound):
        org.search_branches(
            SearchBranches(actor=world.viewer, employer_id=world.other_employer, term="x")
        )


def test_r1_5_contact_persons_and_the_widget_per_viewer(world: World) -> None:
    org = world.xs.organisation
    anna = org.add_contact_person(
        AddContactPerson(
            actor=world.manager,
            employer_id=world.employer,
            name="Anna",
            role="HR",
            email="anna@example.nl",
            phone="0612345678",
        )
    )
    bram = org.add_contact_person(
        AddContactPerson(actor=world.manager, employer_id=world.employer, name="Bram")
    )
    org.move_contact_person(
        MoveContactPerson(
            actor=world.manager, employer_id=world.employer, contact_person_id=bram, position=0
        )
    )
    org.change_contact_person(
        ChangeContactPerson(
            actor=world.manager,
            employer_id=world.employer,
            contact_person_id=anna,
            name="Anna de Vries",
            role="HR-adviseur",
        )
    )
    viewer = org.contact_person_widget(
        GetContactPersonWidget(actor=world.viewer, employer_id=world.employer)
    )
    assert [(i.title, i.expanded, i.can_edit) for i in viewer.items] == [
        ("Bram", True, False),
        ("Anna de Vries (HR-adviseur)", False, False),
    ]
    manager = org.contact_person_widget(
        GetContactPersonWidget(actor=world.manager, employer_id=world.employer)
    )
    assert all(i.can_edit and i.can_delete for i in manager.items)
    with pytest.raises(NotAuthorised):
        org.remove_contact_person(
            RemoveContactPerson(
                actor=world.viewer, employer_id=world.employer, contact_person_id=anna
            )
        )
    with pytest.raises(DomainError) as bad_phone:
        org.add_contact_person(
            AddContactPerson(actor=world.manager, employer_id=world.employer, name="X", phone="123")
        )
    assert bad_phone.value.code == "contact.invalid_phone"
    assert (
        len(
            org.contact_person_widget(
                GetContactPersonWidget(actor=world.admin, employer_id=world.employer)
            ).items
        )
        == 2
    )


def test_r0_7_events_after_commit_are_readable_and_dispatchable(world: World) -> None:
    pending = world.xs.outbox.pending(1000)
    names = [m.name for m in pending]
    assert names.count("EmployerCreated") == 2
    assert "EmploymentStarted" in names and "UserCreated" in names
    world.xs.outbox.acknowledge([m.id for m in pending])
    assert world.xs.outbox.pending() == []


def test_r1_2_folders_rename_and_employers_move_between_folders(world: World) -> None:
    from xs_app.services.organisation import ChangeEmployer, RenameFolder

    org = world.xs.organisation
    org.rename_folder(
        RenameFolder(actor=world.admin, folder_id=world.folder, name="Zorg & Welzijn")
    )
    org.change_employer(
        ChangeEmployer(
            actor=world.admin, employer_id=world.other_employer, move=True, folder_id=world.folder
        )
    )
    assert (
        org.employer(GetEmployer(actor=world.admin, employer_id=world.other_employer)).folder_id
        == world.folder
    )
    org.change_employer(
        ChangeEmployer(
            actor=world.admin, employer_id=world.other_employer, move=True, folder_id=None
        )
    )
    assert (
        org.employer(GetEmployer(actor=world.admin, employer_id=world.other_employer)).folder_id
        is None
    )
    with pytest.raises(NotFound):
        org.rename_folder(RenameFolder(actor=world.manager, folder_id=world.folder, name="X"))
    names = [m.name for m in world.xs.outbox.pending(1000)]
    assert "FolderRenamed" in names and names.count("EmployerChanged") == 2
