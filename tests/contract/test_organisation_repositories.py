"""Contract of the organisation repositories (R1.1, R1.2, R1.5) on memory, SQLite, PostgreSQL."""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal

import pytest

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_core.dates import DateRange
from xs_core.errors import DomainError, NotFound
from xs_core.money import Money
from xs_core.organisation.model import (
    Address,
    Branch,
    ContactPerson,
    Department,
    Dossier,
    Employee,
    Employer,
    Employment,
    EmploymentType,
    Folder,
    Gender,
)
from xs_core.organisation.units import UnitKind, UnitRef


class OrganisationRepositoryContract:
    def test_r1_2_folders_and_employers_round_trip(self, uow_factory: UowFactory) -> None:
        folder = Folder.create("Zorg")
        employer = Employer.create("Bakkerij Jansen", "BAK01", folder.id)
        employer.set_vat_number("004495445B01")
        employer.add_contact_person(
            ContactPerson.create("Anna", "HR", "anna@example.nl", "030 123 4567")
        )
        employer.add_contact_person(ContactPerson.create("Piet"), position=0)
        with uow_factory() as uow:
            uow.folders.add(folder)
            uow.employers.add(employer)
            uow.commit()
        with uow_factory() as uow:
            loaded = uow.employers.get(employer.id)
            assert loaded == employer
            assert [p.name for p in loaded.contact_persons] == ["Piet", "Anna"]
            assert uow.employers.find_by_code("bak01") == employer
            assert uow.employers.list(folder.id) == [employer]
            assert uow.folders.list() == [folder]

    def test_r1_5_contact_person_order_survives_saving(self, uow_factory: UowFactory) -> None:
        employer = Employer.create("Bakkerij Jansen")
        for name in ("Anna", "Bram", "Cor"):
            employer.add_contact_person(ContactPerson.create(name))
        with uow_factory() as uow:
            uow.employers.add(employer)
            uow.commit()
        with uow_factory() as uow:
            loaded = uow.employers.get(employer.id)
            loaded.move_contact_person(loaded.contact_persons[2].id, 0)
            loaded.remove_contact_person(loaded.contact_persons[1].id)
            uow.employers.save(loaded)
            uow.commit()
        with uow_factory() as uow:
            assert [p.name for p in uow.employers.get(employer.id).contact_persons] == [
                "Cor",
                "Bram",
            ]

    def test_r1_1_clearing_the_vat_number_is_stored(self, uow_factory: UowFactory) -> None:
        employer = Employer.create("Bakkerij Jansen")
        employer.set_vat_number("NL004495445B01")
        with uow_factory() as uow:
            uow.employers.add(employer)
            uow.commit()
        with uow_factory() as uow:
            loaded = uow.employers.get(employer.id)
            loaded.clear_vat_number()
            uow.employers.save(loaded)
            uow.commit()
        with uow_factory() as uow:
            assert uow.employers.get(employer.id).vat_number is None

    def test_r1_1_two_employers_may_share_a_vat_number(self, uow_factory: UowFactory) -> None:
        a, b = Employer.create("A"), Employer.create("B")
        a.set_vat_number("NL004495445B01")
        b.set_vat_number("NL004495445B01")
        with uow_factory() as uow:
            uow.employers.add(a)
            uow.employers.add(b)
            uow.commit()

    def test_r1_2_codes_are_unique_per_level(self, uow_factory: UowFactory) -> None:
        a, b = Employer.create("A", "X1"), Employer.create("B", "Y1")
        with uow_factory() as uow:
            uow.employers.add(a)
            uow.employers.add(b)
            uow.departments.add(Department.create(a.id, "Inkoop", "INK"))
            uow.departments.add(Department.create(b.id, "Inkoop", "INK"))  # other employer: fine
            uow.commit()
        with uow_factory() as uow, pytest.raises(DomainError) as refused:
            uow.departments.add(Department.create(a.id, "Inkoop 2", "ink"))
        assert refused.value.code == "organisation.code_in_use"
        with uow_factory() as uow, pytest.raises(DomainError):
            uow.employers.add(Employer.create("C", "x1"))

    def test_r1_2_departments_nest_and_branches_keep_their_address(
        self, uow_factory: UowFactory
    ) -> None:
        employer = Employer.create("A")
        top = Department.create(employer.id, "Productie", "PROD")
        sub = Department.create(employer.id, "Bakkerij", "BAK", parent_id=top.id)
        branch = Branch.create(
            employer.id, "Zuid", "Z1", Address.create("Markt", "1a", "5211mr", "Den Bosch")
        )
        with uow_factory() as uow:
            uow.employers.add(employer)
            uow.departments.add(top)
            uow.departments.add(sub)
            uow.branches.add(branch)
            uow.commit()
        with uow_factory() as uow:
            assert uow.departments.get(sub.id).parent_id == top.id
            assert uow.departments.list_for_employer(employer.id) == [sub, top]
            assert uow.departments.find_by_code(employer.id, "prod") == top
            loaded = uow.branches.get(branch.id)
            assert loaded.address.postcode == "5211 MR"
            assert uow.branches.list_for_employer(employer.id) == [branch]

    def test_r3_1_departments_of_several_employers_at_once(self, uow_factory: UowFactory) -> None:
        """R3.1's unit tree reads the departments of many employers in one go: by employer, and
        per employer as ``list_for_employer`` gives them; others' departments are left out."""
        a, b, c = Employer.create("A"), Employer.create("B"), Employer.create("C")
        departments = {
            name: Department.create(employer.id, name)
            for employer, name in ((a, "Zuid"), (a, "Noord"), (b, "Midden"), (c, "West"))
        }
        with uow_factory() as uow:
            for employer in (a, b, c):
                uow.employers.add(employer)
            for department in departments.values():
                uow.departments.add(department)
            uow.commit()
        with uow_factory(write=False) as uow:
            found = uow.departments.list_for_employers([b.id, a.id, a.id])
            by_employer = sorted([a.id, b.id])
            assert found == [d for e in by_employer for d in uow.departments.list_for_employer(e)]
            assert {d.name for d in found} == {"Zuid", "Noord", "Midden"}
            assert uow.departments.list_for_employers([]) == []

    def test_r1_2_employees_with_employments(self, uow_factory: UowFactory) -> None:
        employer = Employer.create("A")
        employee = Employee.register("José", "Jansen", _dt.date(1961, 1, 1), Gender.MALE, "P-1")
        first = employee.add_employment(
            Employment.create(
                id=uuid.uuid4(),
                employer_id=employer.id,
                period=DateRange(_dt.date(2010, 1, 1), _dt.date(2020, 1, 1)),
                employment_type=EmploymentType.TEMPORARY,
                hours_per_week=Decimal("32.5"),
                salary=Money("45000.00"),
                job_title="Bakker",
            )
        )
        second = employee.add_employment(
            Employment.create(
                id=uuid.uuid4(),
                employer_id=employer.id,
                period=DateRange(_dt.date(2020, 1, 1)),
            )
        )
        with uow_factory() as uow:
            uow.employers.add(employer)
            uow.employees.add(employee)
            uow.commit()
        with uow_factory() as uow:
            loaded = uow.employees.get(employee.id)
            assert loaded == employee
            assert loaded.leading_employment is not None
            assert loaded.leading_employment.id == first.id
            loaded.set_leading_employment(second.id)
            uow.employees.save(loaded)
            uow.commit()
        with uow_factory() as uow:
            reloaded = uow.employees.get(employee.id)
            assert reloaded.leading_employment is not None
            assert reloaded.leading_employment.id == second.id
            assert reloaded.employments[0].salary == Money("45000.00")

    def test_r1_2_a_unit_has_at_most_one_dossier(self, uow_factory: UowFactory) -> None:
        employer = Employer.create("A")
        unit = UnitRef(UnitKind.EMPLOYER, employer.id)
        dossier = Dossier.open(unit, _dt.date(2026, 1, 1))
        with uow_factory() as uow:
            uow.employers.add(employer)
            uow.dossiers.add(dossier)
            uow.commit()
        with uow_factory() as uow:
            assert uow.dossiers.for_unit(unit) == dossier
            assert uow.dossiers.get(dossier.id) == dossier
            assert uow.dossiers.for_unit(UnitRef(UnitKind.EMPLOYEE, employer.id)) is None
            with pytest.raises(DomainError) as refused:
                uow.dossiers.add(Dossier.open(unit, _dt.date(2026, 2, 1)))
            assert refused.value.code == "organisation.dossier_exists"

    def test_unknown_ids_are_not_found(self, uow_factory: UowFactory) -> None:
        with uow_factory() as uow:
            for repository in (
                uow.folders,
                uow.employers,
                uow.departments,
                uow.branches,
                uow.employees,
                uow.dossiers,
            ):
                with pytest.raises(NotFound) as missing:
                    repository.get(uuid.uuid4())
                assert missing.value.code == "not_found"


class TestMemoryOrganisation(MemoryBackend, OrganisationRepositoryContract):
    pass


class TestSqliteOrganisation(SqliteBackend, OrganisationRepositoryContract):
    pass


class TestPostgresOrganisation(PostgresBackend, OrganisationRepositoryContract):
    pass
