"""Organisation, employments and access under real concurrent connections (R0.6, R1.1–R1.5,
R2.3), on SQLite and PostgreSQL; see docs/concurrency.md.

A use case that loads an aggregate, changes part of it and saves the whole locks the aggregate's
row first: without the lock two changes at once both load the same state and the second save
silently undoes the first (a lost update).
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from functools import partial

import pytest
import sqlalchemy as sa

from tests.races import ENGINES, codes, events, race, sql_app
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.services.access import CreateRole, CreateUser, Grant
from xs_app.services.employments import ChangeEmployment, EndEmployment
from xs_app.services.organisation import (
    AddContactPerson,
    AddEmployment,
    ChangeBranch,
    ChangeContactPerson,
    ChangeDepartment,
    ChangeEmployee,
    ChangeEmployer,
    CreateBranch,
    CreateDepartment,
    CreateEmployer,
    CreateFolder,
    EmploymentTerms,
    GetEmployee,
    GetEmployer,
    MoveContactPerson,
    OpenDossier,
    RegisterEmployee,
    RemoveContactPerson,
    SetLeadingEmployment,
    SetVatNumber,
)
from xs_core.access.features import Feature
from xs_core.organisation.model import Address, EndReason
from xs_core.organisation.units import UnitKind, UnitRef

D = _dt.date
RACERS = 4


@pytest.fixture(params=ENGINES)
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    yield from sql_app(request, clock)


def admin(xs: Xs) -> uuid.UUID:
    return xs.installation.create_super_administrator("Beheer", "beheer@example.nl")


def employer(xs: Xs, boss: uuid.UUID, name: str = "Bakkerij") -> uuid.UUID:
    return xs.organisation.create_employer(CreateEmployer(actor=boss, name=name))


def employee(xs: Xs, boss: uuid.UUID, at: uuid.UUID) -> uuid.UUID:
    return xs.organisation.register_employee(
        RegisterEmployee(
            actor=boss,
            first_name="Anna",
            last_name="Jansen",
            employment=EmploymentTerms(employer_id=at, start=D(2020, 1, 1)),
        )
    )


# -- access (R0.6) --------------------------------------------------------------------------------


def test_r0_6_racing_grants_to_one_user_all_stay(app: Xs) -> None:
    """Four administrators each grant one user another role and unit at once: the user ends
    with all four (no grant undoes another), and each grant is an event."""
    boss = admin(app)
    places = [employer(app, boss, f"Werkgever {n}") for n in range(RACERS)]
    roles = [
        app.access.create_role(
            CreateRole(actor=boss, name=f"Rol {n}", features=frozenset({Feature.VIEW_ORGANISATION}))
        )
        for n in range(RACERS)
    ]
    for round_ in range(3):
        user = app.access.create_user(
            CreateUser(actor=boss, name="Gebruiker", email=f"g{round_}@example.nl")
        )
        grants = [
            partial(
                app.access.grant,
                Grant(
                    actor=boss,
                    user_id=user,
                    role_ids=frozenset({role}),
                    units=frozenset({UnitRef(UnitKind.EMPLOYER, place)}),
                ),
            )
            for role, place in zip(roles, places, strict=True)
        ]
        assert codes(race(*grants)) == ["ok"] * RACERS
        with app.unit_of_work(write=False) as uow:
            granted = uow.users.get(user)
        assert granted.role_ids == frozenset(roles)
        assert granted.scope.units == frozenset(UnitRef(UnitKind.EMPLOYER, p) for p in places)
    assert len(events(app, "UserAuthorisationGranted")) == 3 * RACERS


def test_r0_6_racing_users_with_one_email_address_are_created_once(app: Xs) -> None:
    boss = admin(app)
    create = [
        partial(
            app.access.create_user,
            CreateUser(actor=boss, name=f"Dubbel {n}", email="Zelfde@example.nl"),
        )
        for n in range(RACERS)
    ]
    assert codes(race(*create)) == ["access.email_in_use"] * (RACERS - 1) + ["ok"]


# -- employers, departments, branches (R1.1, R1.2, R1.4, R1.5) -----------------------------------


def test_r1_5_racing_contact_person_edits_of_one_employer_all_stay(app: Xs) -> None:
    """At once on one employer with contact persons Kees and Lot: four contact persons added,
    Kees renamed and moved, Lot removed, and the employer's name, VAT number and folder
    changed. Every change stays; the positions stay a gapless order (two employers in turn)."""
    boss = admin(app)
    for round_ in range(2):
        place = employer(app, boss, f"Werkgever {round_}")
        folder = app.organisation.create_folder(CreateFolder(actor=boss, name=f"Map {round_}"))
        kees, lot = (
            app.organisation.add_contact_person(
                AddContactPerson(actor=boss, employer_id=place, name=name)
            )
            for name in ("Kees", "Lot")
        )
        edits: list[partial[object]] = [
            partial(
                app.organisation.add_contact_person,
                AddContactPerson(actor=boss, employer_id=place, name=f"Contact {n}"),
            )
            for n in range(RACERS)
        ]
        edits += [
            partial(
                app.organisation.change_contact_person,
                ChangeContactPerson(
                    actor=boss, employer_id=place, contact_person_id=kees, name="Kees de Wit"
                ),
            ),
            partial(
                app.organisation.move_contact_person,
                MoveContactPerson(
                    actor=boss, employer_id=place, contact_person_id=kees, position=9
                ),
            ),
            partial(
                app.organisation.remove_contact_person,
                RemoveContactPerson(actor=boss, employer_id=place, contact_person_id=lot),
            ),
            partial(
                app.organisation.change_employer,
                ChangeEmployer(actor=boss, employer_id=place, name="Bakkerij Nieuw"),
            ),
            partial(
                app.organisation.set_vat_number,
                SetVatNumber(actor=boss, employer_id=place, vat_number="NL000099998B57"),
            ),
            partial(
                app.organisation.change_employer,
                ChangeEmployer(actor=boss, employer_id=place, move=True, folder_id=folder),
            ),
        ]
        assert codes(race(*edits)) == ["ok"] * len(edits)
        found = app.organisation.employer(GetEmployer(actor=boss, employer_id=place))
        assert sorted(p.name for p in found.contact_persons) == [
            *(f"Contact {n}" for n in range(RACERS)),
            "Kees de Wit",
        ]
        assert (found.name, str(found.vat_number), found.folder_id) == (
            "Bakkerij Nieuw",
            "NL000099998B57",
            folder,
        )
        with app.container.engine().connect() as connection:
            positions = connection.execute(
                sa.text(
                    "SELECT position FROM employer_contact_persons WHERE employer_id = :e"
                    " ORDER BY position"
                ).bindparams(sa.bindparam("e", type_=sa.Uuid)),
                {"e": place},
            ).scalars()
            assert list(positions) == list(range(RACERS + 1))


def test_r1_2_racing_codes_of_two_employers_stay_unique(app: Xs) -> None:
    """Two employers take the same code at once: the unique index lets one through, the
    other gets ``organisation.code_in_use`` (no database error)."""
    boss = admin(app)
    for round_ in range(3):
        changes = [
            partial(
                app.organisation.change_employer,
                ChangeEmployer(
                    actor=boss, employer_id=employer(app, boss, f"E{n}"), code=f"CODE{round_}"
                ),
            )
            for n in range(RACERS)
        ]
        assert codes(race(*changes)) == ["ok"] + ["organisation.code_in_use"] * (RACERS - 1)


def test_r1_2_racing_departments_with_one_code_are_created_once(app: Xs) -> None:
    boss = admin(app)
    place = employer(app, boss)
    create = [
        partial(
            app.organisation.create_department,
            CreateDepartment(actor=boss, employer_id=place, name=f"Afdeling {n}", code="PROD"),
        )
        for n in range(RACERS)
    ]
    assert codes(race(*create)) == ["ok"] + ["organisation.code_in_use"] * (RACERS - 1)


def test_r1_2_racing_department_moves_never_make_a_cycle(app: Xs) -> None:
    """A under B and B under A at the same moment (five pairs in turn): a move locks the
    employer, so one move is made and the other is refused as a cycle."""
    boss = admin(app)
    place = employer(app, boss)
    for n in range(5):
        a, b = (
            app.organisation.create_department(
                CreateDepartment(actor=boss, employer_id=place, name=f"{side}{n}")
            )
            for side in "AB"
        )
        a_under_b, b_under_a = race(
            partial(
                app.organisation.change_department,
                ChangeDepartment(actor=boss, department_id=a, move=True, parent_id=b),
            ),
            partial(
                app.organisation.change_department,
                ChangeDepartment(actor=boss, department_id=b, move=True, parent_id=a),
            ),
        )
        assert codes([a_under_b, b_under_a]) == ["ok", "organisation.department_cycle"]
        with app.unit_of_work(write=False) as uow:
            parents = {uow.departments.get(a).parent_id, uow.departments.get(b).parent_id}
        assert parents in ({b, None}, {a, None})


def test_r1_2_racing_department_changes_all_stay(app: Xs) -> None:
    """A department renamed, recoded and moved at once (three departments in turn): all stay."""
    boss = admin(app)
    place = employer(app, boss)
    parent = app.organisation.create_department(
        CreateDepartment(actor=boss, employer_id=place, name="Bedrijf")
    )
    for n in range(3):
        moved = app.organisation.create_department(
            CreateDepartment(actor=boss, employer_id=place, name=f"Oud {n}")
        )
        changes = [
            ChangeDepartment(actor=boss, department_id=moved, name=f"Nieuw {n}"),
            ChangeDepartment(actor=boss, department_id=moved, code=f"N{n}"),
            ChangeDepartment(actor=boss, department_id=moved, move=True, parent_id=parent),
        ]
        outcomes = race(*[partial(app.organisation.change_department, c) for c in changes])
        assert codes(outcomes) == ["ok"] * 3
        with app.unit_of_work(write=False) as uow:
            found = uow.departments.get(moved)
        assert (found.name, found.code, found.parent_id) == (f"Nieuw {n}", f"N{n}", parent)


def test_r1_4_racing_branch_changes_all_stay(app: Xs) -> None:
    """A branch's name, code and address changed at once (three branches in turn): all stay."""
    boss = admin(app)
    place = employer(app, boss)
    address = Address(street="Dorpsstraat", house_number="1", postcode="1234 AB", city="Ede")
    for n in range(3):
        branch = app.organisation.create_branch(
            CreateBranch(actor=boss, employer_id=place, name=f"Oost {n}")
        )
        changes = [
            ChangeBranch(actor=boss, branch_id=branch, name="West"),
            ChangeBranch(actor=boss, branch_id=branch, code="W1"),
            ChangeBranch(actor=boss, branch_id=branch, address=address),
        ]
        outcomes = race(*[partial(app.organisation.change_branch, c) for c in changes])
        assert codes(outcomes) == ["ok"] * 3
        with app.unit_of_work(write=False) as uow:
            found = uow.branches.get(branch)
        assert (found.name, found.code, found.address) == ("West", "W1", address)


# -- dossiers -------------------------------------------------------------------------------------


def test_r1_1_racing_dossier_openings_for_one_unit_open_one(app: Xs) -> None:
    """Four openings of a dossier for one unit at once, for an employer, a department and an
    employee in turn: one dossier,
    the others ``organisation.dossier_exists``."""
    boss = admin(app)
    place = employer(app, boss)
    units = [
        UnitRef(UnitKind.EMPLOYER, place),
        UnitRef(
            UnitKind.DEPARTMENT,
            app.organisation.create_department(
                CreateDepartment(actor=boss, employer_id=place, name="Productie")
            ),
        ),
        UnitRef(UnitKind.EMPLOYEE, employee(app, boss, place)),
    ]
    for unit in units:
        open_ = partial(app.organisation.open_dossier, OpenDossier(actor=boss, unit=unit))
        outcomes = race(*[open_] * RACERS)
        assert codes(outcomes) == ["ok"] + ["organisation.dossier_exists"] * (RACERS - 1)
    assert len(events(app, "DossierOpened")) == len(units)


# -- employees and employments (R1.2, R2.3) -------------------------------------------------------


def test_r2_3_racing_employment_changes_of_one_employee_all_stay(app: Xs) -> None:
    """At once: two employments added (each as the leading one), the first made leading again,
    its hours and job title changed from two dates, the employee renamed. Every change stays
    and exactly one employment leads (the employee row is locked)."""
    boss = admin(app)
    place = employer(app, boss)
    for _ in range(2):
        person = employee(app, boss, place)
        first = app.organisation.employee(GetEmployee(actor=boss, employee_id=person))
        employment = first.employments[0].id
        outcomes = race(
            *[
                partial(
                    app.organisation.add_employment,
                    AddEmployment(
                        actor=boss,
                        employee_id=person,
                        terms=EmploymentTerms(
                            employer_id=place, start=D(2025, month, 1), leading=True
                        ),
                    ),
                )
                for month in (3, 4)
            ],
            partial(
                app.organisation.set_leading_employment,
                SetLeadingEmployment(actor=boss, employee_id=person, employment_id=employment),
            ),
            partial(
                app.employments.change_employment,
                ChangeEmployment(
                    actor=boss,
                    employee_id=person,
                    employment_id=employment,
                    effective=D(2024, 1, 1),
                    hours_per_week=Decimal(32),
                ),
            ),
            partial(
                app.employments.change_employment,
                ChangeEmployment(
                    actor=boss,
                    employee_id=person,
                    employment_id=employment,
                    effective=D(2026, 1, 1),
                    job_title="Bakker",
                ),
            ),
            partial(
                app.organisation.change_employee,
                ChangeEmployee(actor=boss, employee_id=person, last_name="de Bakker"),
            ),
        )
        assert codes(outcomes) == ["ok"] * 6
        found = app.organisation.employee(GetEmployee(actor=boss, employee_id=person))
        assert found.last_name == "de Bakker"
        assert sum(m.is_leading for m in found.employments) == 1  # R1.2: exactly one leads
        assert sorted(m.period.start for m in found.employments) == [
            D(2020, 1, 1),
            D(2025, 3, 1),
            D(2025, 4, 1),
        ]
        versions = next(m for m in found.employments if m.id == employment).versions
        assert [
            (v.valid.start, v.conditions.hours_per_week, v.conditions.job_title) for v in versions
        ] == [
            (D(2020, 1, 1), Decimal(40), None),
            (D(2024, 1, 1), Decimal(32), None),
            (D(2026, 1, 1), Decimal(32), "Bakker"),
        ]


def test_r2_3_racing_ends_of_one_employment_end_it_once(app: Xs) -> None:
    """Four "uit dienst" reports of one employment at once: one ends it, the others are told
    it has ended already; one ``EmploymentEnded`` event."""
    boss = admin(app)
    place = employer(app, boss)
    person = employee(app, boss, place)
    employment = app.organisation.employee(GetEmployee(actor=boss, employee_id=person))
    ends = [
        partial(
            app.employments.end_employment,
            EndEmployment(
                actor=boss,
                employee_id=person,
                employment_id=employment.employments[0].id,
                end=D(2026, 10, day),
                reason=EndReason.RESIGNATION,
            ),
        )
        for day in range(1, RACERS + 1)
    ]
    outcomes = race(*ends)
    assert codes(outcomes) == ["employment.already_ended"] * (RACERS - 1) + ["ok"]
    assert len(events(app, "EmploymentEnded")) == 1


def test_r0_6_the_operator_made_on_first_use_by_racers_is_one_user(app: Xs) -> None:
    """Four first uses of the installation operator at once (e.g. CLI runs): one user is made
    and every racer gets its id (before: the losers got ``access.email_in_use``)."""
    outcomes = race(*[app.installation.operator] * RACERS)
    assert codes(outcomes) == ["ok"] * RACERS
    assert len({o.value for o in outcomes}) == 1
    with app.container.engine().connect() as connection:
        users = connection.execute(sa.text("SELECT count(*) FROM users")).scalar_one()
    assert users == 1
