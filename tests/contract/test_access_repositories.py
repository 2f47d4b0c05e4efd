"""Contract of users, roles and the scope resolver (R0.6) on memory, SQLite, PostgreSQL."""

from __future__ import annotations

import datetime as _dt
import uuid

import pytest

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_core.access import Feature, Role, RoleKind, Scope, User
from xs_core.access.model import ResolvedScope
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.organisation.model import Branch, Department, Employee, Employer, Employment, Folder
from xs_core.organisation.units import UnitKind, UnitRef


def ref(kind: UnitKind, ident: uuid.UUID) -> UnitRef:
    return UnitRef(kind, ident)


class AccessContract:
    def test_r0_6_roles_and_users_round_trip(self, uow_factory: UowFactory) -> None:
        role = Role.create(
            "Werkgever", {Feature.VIEW_REPORTS, Feature.MANAGE_CONTACT_PERSONS}, RoleKind.EMPLOYER
        )
        employer = Employer.create("A")
        user = User.create(
            "Jan", "Jan@Example.nl", {role.id}, Scope.of([ref(UnitKind.EMPLOYER, employer.id)])
        )
        admin = User.create("Beheer", "beheer@example.nl", super_administrator=True)
        with uow_factory() as uow:
            uow.employers.add(employer)
            uow.roles.add(role)
            uow.users.add(user)
            uow.users.add(admin)
            uow.commit()
        with uow_factory() as uow:
            assert uow.roles.get(role.id) == role
            assert uow.roles.list() == [role]
            assert uow.users.get(user.id) == user
            assert uow.users.find_by_email("jan@example.NL") == user
            assert uow.users.get(admin.id).scope.everything

    def test_r0_6_an_email_address_is_used_once(self, uow_factory: UowFactory) -> None:
        with uow_factory() as uow:
            uow.users.add(User.create("Jan", "jan@example.nl"))
            uow.commit()
        with uow_factory() as uow, pytest.raises(DomainError) as refused:
            uow.users.add(User.create("Jan 2", "JAN@example.nl"))
        assert refused.value.code == "access.email_in_use"

    def test_r0_6_scope_ancestors_and_resolution(self, uow_factory: UowFactory) -> None:
        folder = Folder.create("Zorg")
        in_folder = Employer.create("A", folder_id=folder.id)
        other = Employer.create("B")
        top = Department.create(in_folder.id, "Top")
        mid = Department.create(in_folder.id, "Mid", parent_id=top.id)
        leaf = Department.create(in_folder.id, "Leaf", parent_id=mid.id)
        side = Department.create(in_folder.id, "Side")
        branch = Branch.create(other.id, "Vestiging")
        employee = Employee.register("Piet", "Bakker")
        employee.add_employment(
            Employment.create(
                id=uuid.uuid4(),
                employer_id=in_folder.id,
                department_id=leaf.id,
                period=DateRange(_dt.date(2020, 1, 1)),
            )
        )
        employee.add_employment(
            Employment.create(
                id=uuid.uuid4(), employer_id=other.id, period=DateRange(_dt.date(2021, 1, 1))
            )
        )
        with uow_factory() as uow:
            uow.bulk.add_all(
                folders=[folder],
                employers=[in_folder, other],
                departments=[leaf, mid, top, side],  # any order: parents are written first
                branches=[branch],
                employees=[employee],
            )
            uow.commit()
        with uow_factory() as uow:
            assert uow.scopes.ancestors(ref(UnitKind.EMPLOYEE, employee.id)) == {
                ref(UnitKind.EMPLOYEE, employee.id),
                ref(UnitKind.DEPARTMENT, leaf.id),
                ref(UnitKind.DEPARTMENT, mid.id),
                ref(UnitKind.DEPARTMENT, top.id),
                ref(UnitKind.EMPLOYER, in_folder.id),
                ref(UnitKind.EMPLOYER, other.id),
                ref(UnitKind.FOLDER, folder.id),
            }
            assert uow.scopes.ancestors(ref(UnitKind.BRANCH, branch.id)) == {
                ref(UnitKind.BRANCH, branch.id),
                ref(UnitKind.EMPLOYER, other.id),
            }
            # R0.6: the bulk answer is the one-by-one answer, for every kind and a missing unit
            units = [
                ref(UnitKind.FOLDER, folder.id),
                ref(UnitKind.EMPLOYER, in_folder.id),
                ref(UnitKind.EMPLOYER, other.id),
                ref(UnitKind.DEPARTMENT, leaf.id),
                ref(UnitKind.DEPARTMENT, side.id),
                ref(UnitKind.BRANCH, branch.id),
                ref(UnitKind.EMPLOYEE, employee.id),
                ref(UnitKind.EMPLOYER, uuid.uuid4()),
                ref(UnitKind.DEPARTMENT, uuid.uuid4()),
                ref(UnitKind.FOLDER, uuid.uuid4()),
            ]
            bulk = uow.scopes.ancestors_of(units)
            assert bulk == {unit: uow.scopes.ancestors(unit) for unit in units}
            assert bulk[ref(UnitKind.DEPARTMENT, leaf.id)] == {
                ref(UnitKind.DEPARTMENT, leaf.id),
                ref(UnitKind.DEPARTMENT, mid.id),
                ref(UnitKind.DEPARTMENT, top.id),
                ref(UnitKind.EMPLOYER, in_folder.id),
                ref(UnitKind.FOLDER, folder.id),
            }
            assert bulk[ref(UnitKind.EMPLOYER, other.id)] == {ref(UnitKind.EMPLOYER, other.id)}
            assert bulk[units[-1]] == frozenset()
            resolved = uow.scopes.resolve(
                Scope.of([ref(UnitKind.FOLDER, folder.id), ref(UnitKind.DEPARTMENT, mid.id)])
            )
            assert resolved == ResolvedScope(
                False, frozenset({in_folder.id}), frozenset({mid.id, leaf.id})
            )
            assert uow.scopes.resolve(Scope.all()).everything


class TestMemoryAccess(MemoryBackend, AccessContract):
    pass


class TestSqliteAccess(SqliteBackend, AccessContract):
    pass


class TestPostgresAccess(PostgresBackend, AccessContract):
    pass
