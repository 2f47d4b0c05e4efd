"""Use cases of the organisation context (R1.1–R1.5).

Every use case opens a unit of work, asks the authoriser (R0.6), calls the core and commits;
a refusal raises before the commit, so nothing changes (R0.5).
"""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal

import attrs

from xs_app.services.base import Service
from xs_core.access.features import Feature
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.money import Money
from xs_core.organisation.contacts import ContactPersonWidget, contact_person_widget
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
from xs_core.organisation.search import (
    SearchContext,
    SearchQuery,
    SearchResult,
    result_target,
    search_branches,
)
from xs_core.organisation.units import UnitKind, UnitRef, new_id
from xs_core.organisation.vat import VatNumber
from xs_core.uow import UnitOfWork

# -- commands -------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CreateFolder:
    actor: uuid.UUID
    name: str


@attrs.frozen(kw_only=True)
class RenameFolder:
    actor: uuid.UUID
    folder_id: uuid.UUID
    name: str


@attrs.frozen(kw_only=True)
class CreateEmployer:
    actor: uuid.UUID
    name: str
    code: str | None = None
    folder_id: uuid.UUID | None = None
    vat_number: str | None = None


@attrs.frozen(kw_only=True)
class ChangeEmployer:
    actor: uuid.UUID
    employer_id: uuid.UUID
    name: str | None = None
    code: str | None = None
    clear_code: bool = False
    move: bool = False
    #: with ``move=True``: the new folder, or ``None`` for no folder
    folder_id: uuid.UUID | None = None


@attrs.frozen(kw_only=True)
class SetVatNumber:
    """R1.1: set the VAT number under "Financieel"; ``vat_number=None`` clears it."""

    actor: uuid.UUID
    employer_id: uuid.UUID
    vat_number: str | None


@attrs.frozen(kw_only=True)
class CreateDepartment:
    actor: uuid.UUID
    employer_id: uuid.UUID
    name: str
    code: str | None = None
    parent_id: uuid.UUID | None = None


@attrs.frozen(kw_only=True)
class ChangeDepartment:
    actor: uuid.UUID
    department_id: uuid.UUID
    name: str | None = None
    code: str | None = None
    clear_code: bool = False
    move: bool = False
    parent_id: uuid.UUID | None = None


@attrs.frozen(kw_only=True)
class CreateBranch:
    actor: uuid.UUID
    employer_id: uuid.UUID
    name: str
    code: str | None = None
    address: Address = attrs.field(factory=Address)


@attrs.frozen(kw_only=True)
class ChangeBranch:
    actor: uuid.UUID
    branch_id: uuid.UUID
    name: str | None = None
    code: str | None = None
    address: Address | None = None


@attrs.frozen(kw_only=True)
class EmploymentTerms:
    """The terms of a new employment (R1.2)."""

    employer_id: uuid.UUID
    start: _dt.date
    end: _dt.date | None = None
    department_id: uuid.UUID | None = None
    employment_type: EmploymentType = EmploymentType.PERMANENT
    hours_per_week: Decimal = Decimal(40)
    yearly_salary: Decimal | None = None
    job_title: str | None = None
    leading: bool = False


@attrs.frozen(kw_only=True)
class RegisterEmployee:
    actor: uuid.UUID
    first_name: str
    last_name: str
    birth_date: _dt.date | None = None
    gender: Gender = Gender.UNKNOWN
    personnel_number: str | None = None
    employment: EmploymentTerms | None = None


@attrs.frozen(kw_only=True)
class ChangeEmployee:
    actor: uuid.UUID
    employee_id: uuid.UUID
    first_name: str | None = None
    last_name: str | None = None
    birth_date: _dt.date | None = None
    gender: Gender | None = None


@attrs.frozen(kw_only=True)
class AddEmployment:
    actor: uuid.UUID
    employee_id: uuid.UUID
    terms: EmploymentTerms


@attrs.frozen(kw_only=True)
class SetLeadingEmployment:
    actor: uuid.UUID
    employee_id: uuid.UUID
    employment_id: uuid.UUID


@attrs.frozen(kw_only=True)
class OpenDossier:
    actor: uuid.UUID
    unit: UnitRef


@attrs.frozen(kw_only=True)
class AddContactPerson:
    actor: uuid.UUID
    employer_id: uuid.UUID
    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    position: int | None = None


@attrs.frozen(kw_only=True)
class ChangeContactPerson:
    actor: uuid.UUID
    employer_id: uuid.UUID
    contact_person_id: uuid.UUID
    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None


@attrs.frozen(kw_only=True)
class RemoveContactPerson:
    actor: uuid.UUID
    employer_id: uuid.UUID
    contact_person_id: uuid.UUID


@attrs.frozen(kw_only=True)
class MoveContactPerson:
    actor: uuid.UUID
    employer_id: uuid.UUID
    contact_person_id: uuid.UUID
    position: int


@attrs.frozen(kw_only=True)
class AdvancedSearch:
    """R1.3: search employees, employers and departments by name or code."""

    actor: uuid.UUID
    term: str
    context: SearchContext = SearchContext.PORTAL
    kinds: frozenset[UnitKind] | None = None
    page: int = 1
    page_size: int = 20


@attrs.frozen(kw_only=True)
class SearchPage:
    results: tuple[SearchResult, ...]
    page: int
    page_size: int
    term: str


# -- the service ----------------------------------------------------------------------------------


class OrganisationService(Service):
    """Organisation and administration (XS Beheer)."""

    # folders and employers -------------------------------------------------------------------

    def create_folder(self, cmd: CreateFolder) -> uuid.UUID:
        with self._uow() as uow:
            _, principal = self.authorise(uow, cmd.actor, Feature.MANAGE_ORGANISATION)
            if not principal.scope.everything:
                raise DomainError("access.out_of_scope", {"rule": "R0.6", "unit": "folder (new)"})
            folder = Folder.create(cmd.name)
            uow.folders.add(folder)
            uow.commit()
            return folder.id

    def rename_folder(self, cmd: RenameFolder) -> None:
        with self._uow() as uow:
            self.authorise(
                uow, cmd.actor, Feature.MANAGE_ORGANISATION, UnitRef(UnitKind.FOLDER, cmd.folder_id)
            )
            folder = uow.folders.get(cmd.folder_id)
            folder.rename(cmd.name)
            uow.folders.save(folder)
            uow.commit()

    def create_employer(self, cmd: CreateEmployer) -> uuid.UUID:
        """Create an employer, optionally in a folder and with a VAT number (R1.1, R1.2)."""
        with self._uow() as uow:
            units = [UnitRef(UnitKind.FOLDER, cmd.folder_id)] if cmd.folder_id else []
            _, principal = self.authorise(uow, cmd.actor, Feature.MANAGE_ORGANISATION, *units)
            if cmd.folder_id is None and not principal.scope.everything:
                raise DomainError(
                    "access.out_of_scope", {"rule": "R0.6", "unit": "employer (no folder)"}
                )
            if cmd.folder_id is not None:
                uow.folders.get(cmd.folder_id)
            employer = Employer.create(cmd.name, cmd.code, cmd.folder_id)
            if cmd.vat_number:
                employer.set_vat_number(cmd.vat_number)
            if employer.code and uow.employers.find_by_code(employer.code):
                raise DomainError("organisation.code_in_use", {"code": employer.code})
            uow.employers.add(employer)
            uow.commit()
            return employer.id

    def change_employer(self, cmd: ChangeEmployer) -> None:
        with self._uow() as uow:
            self.authorise(
                uow,
                cmd.actor,
                Feature.MANAGE_ORGANISATION,
                UnitRef(UnitKind.EMPLOYER, cmd.employer_id),
            )
            employer = uow.employers.get(cmd.employer_id)
            if cmd.move and cmd.folder_id is not None:
                self.authorise(
                    uow,
                    cmd.actor,
                    Feature.MANAGE_ORGANISATION,
                    UnitRef(UnitKind.FOLDER, cmd.folder_id),
                )
                uow.folders.get(cmd.folder_id)
            employer.change(
                name=cmd.name,
                code=cmd.code,
                clear_code=cmd.clear_code,
                folder_id=cmd.folder_id if cmd.move else None,
                clear_folder=cmd.move and cmd.folder_id is None,
            )
            if employer.code:
                other = uow.employers.find_by_code(employer.code)
                if other is not None and other.id != employer.id:
                    raise DomainError("organisation.code_in_use", {"code": employer.code})
            uow.employers.save(employer)
            uow.commit()

    def set_vat_number(self, cmd: SetVatNumber) -> VatNumber | None:
        """R1.1: validate and store (compact), or clear with ``None``/empty text.

        Invalid input raises :class:`~xs_core.organisation.InvalidVatNumber` and stores nothing.
        **Decision:** two employers may share a VAT number.
        """
        with self._uow() as uow:
            self.authorise(
                uow,
                cmd.actor,
                Feature.MANAGE_ORGANISATION,
                UnitRef(UnitKind.EMPLOYER, cmd.employer_id),
            )
            employer = uow.employers.get(cmd.employer_id)
            vat: VatNumber | None = None
            if cmd.vat_number is None or not cmd.vat_number.strip():
                employer.clear_vat_number()
            else:
                vat = employer.set_vat_number(cmd.vat_number)
            uow.employers.save(employer)
            uow.commit()
            return vat

    def employer_by_code(self, actor: uuid.UUID, code: str) -> Employer | None:
        """The employer with this code, if it lies in the actor's scope."""
        with self._uow(write=False) as uow:
            employer = uow.employers.find_by_code(code)
            if employer is None:
                return None
            auth = self.authoriser(uow)
            auth.require_in_scope(auth.principal(actor), employer.ref)
            return employer

    def employer(self, actor: uuid.UUID, employer_id: uuid.UUID) -> Employer:
        with self._uow(write=False) as uow:
            auth = self.authoriser(uow)
            auth.require_in_scope(auth.principal(actor), UnitRef(UnitKind.EMPLOYER, employer_id))
            return uow.employers.get(employer_id)

    # departments and branches ----------------------------------------------------------------

    def create_department(self, cmd: CreateDepartment) -> uuid.UUID:
        with self._uow() as uow:
            target = (
                UnitRef(UnitKind.DEPARTMENT, cmd.parent_id)
                if cmd.parent_id
                else UnitRef(UnitKind.EMPLOYER, cmd.employer_id)
            )
            self.authorise(uow, cmd.actor, Feature.MANAGE_ORGANISATION, target)
            uow.employers.get(cmd.employer_id)
            if cmd.parent_id is not None:
                parent = uow.departments.get(cmd.parent_id)
                if parent.employer_id != cmd.employer_id:
                    raise DomainError(
                        "organisation.department_other_employer",
                        {"department_id": str(parent.id), "employer_id": str(cmd.employer_id)},
                    )
            department = Department.create(cmd.employer_id, cmd.name, cmd.code, cmd.parent_id)
            if department.code and uow.departments.find_by_code(cmd.employer_id, department.code):
                raise DomainError("organisation.code_in_use", {"code": department.code})
            uow.departments.add(department)
            uow.commit()
            return department.id

    def change_department(self, cmd: ChangeDepartment) -> None:
        with self._uow() as uow:
            self.authorise(
                uow,
                cmd.actor,
                Feature.MANAGE_ORGANISATION,
                UnitRef(UnitKind.DEPARTMENT, cmd.department_id),
            )
            department = uow.departments.get(cmd.department_id)
            department.change(name=cmd.name, code=cmd.code, clear_code=cmd.clear_code)
            if department.code:
                other = uow.departments.find_by_code(department.employer_id, department.code)
                if other is not None and other.id != department.id:
                    raise DomainError("organisation.code_in_use", {"code": department.code})
            if cmd.move:
                parent = None if cmd.parent_id is None else uow.departments.get(cmd.parent_id)
                ancestors: set[uuid.UUID] = set()
                if parent is not None:
                    ancestors = {
                        u.id
                        for u in uow.scopes.ancestors(parent.ref)
                        if u.kind is UnitKind.DEPARTMENT
                    }
                department.move_under(parent, ancestors)
            uow.departments.save(department)
            uow.commit()

    def departments(self, actor: uuid.UUID, employer_id: uuid.UUID) -> list[Department]:
        with self._uow(write=False) as uow:
            auth = self.authoriser(uow)
            principal = auth.principal(actor)
            return [
                d
                for d in uow.departments.list_for_employer(employer_id)
                if auth.in_scope(principal, d.ref)
            ]

    def create_branch(self, cmd: CreateBranch) -> uuid.UUID:
        with self._uow() as uow:
            self.authorise(
                uow,
                cmd.actor,
                Feature.MANAGE_ORGANISATION,
                UnitRef(UnitKind.EMPLOYER, cmd.employer_id),
            )
            uow.employers.get(cmd.employer_id)
            branch = Branch.create(cmd.employer_id, cmd.name, cmd.code, cmd.address)
            uow.branches.add(branch)
            uow.commit()
            return branch.id

    def change_branch(self, cmd: ChangeBranch) -> None:
        with self._uow() as uow:
            self.authorise(
                uow,
                cmd.actor,
                Feature.MANAGE_ORGANISATION,
                UnitRef(UnitKind.BRANCH, cmd.branch_id),
            )
            branch = uow.branches.get(cmd.branch_id)
            branch.change(name=cmd.name, code=cmd.code, address=cmd.address)
            uow.branches.save(branch)
            uow.commit()

    def search_branches(self, actor: uuid.UUID, employer_id: uuid.UUID, term: str) -> list[Branch]:
        """R1.4: the employer's branch overview filtered by a search term."""
        with self._uow(write=False) as uow:
            auth = self.authoriser(uow)
            auth.require_in_scope(auth.principal(actor), UnitRef(UnitKind.EMPLOYER, employer_id))
            return search_branches(uow.branches.list_for_employer(employer_id), term)

    # employees -------------------------------------------------------------------------------

    def _employment(self, uow: UnitOfWork, terms: EmploymentTerms) -> Employment:
        uow.employers.get(terms.employer_id)
        if terms.department_id is not None:
            department = uow.departments.get(terms.department_id)
            if department.employer_id != terms.employer_id:
                raise DomainError(
                    "organisation.department_other_employer",
                    {"department_id": str(department.id), "employer_id": str(terms.employer_id)},
                )
        return Employment.create(
            id=new_id(),
            employer_id=terms.employer_id,
            department_id=terms.department_id,
            period=DateRange(terms.start, terms.end),
            employment_type=terms.employment_type,
            hours_per_week=terms.hours_per_week,
            salary=None if terms.yearly_salary is None else Money(terms.yearly_salary),
            job_title=terms.job_title,
            is_leading=terms.leading,
        )

    def register_employee(self, cmd: RegisterEmployee) -> uuid.UUID:
        with self._uow() as uow:
            units = []
            if cmd.employment is not None:
                units.append(
                    UnitRef(UnitKind.DEPARTMENT, cmd.employment.department_id)
                    if cmd.employment.department_id
                    else UnitRef(UnitKind.EMPLOYER, cmd.employment.employer_id)
                )
            _, principal = self.authorise(uow, cmd.actor, Feature.MANAGE_EMPLOYMENTS, *units)
            if cmd.employment is None and not principal.scope.everything:
                raise DomainError(
                    "access.out_of_scope", {"rule": "R0.6", "unit": "employee (no employment)"}
                )
            employee = Employee.register(
                cmd.first_name,
                cmd.last_name,
                cmd.birth_date,
                cmd.gender,
                cmd.personnel_number,
                today=self._clock.today(),
            )
            if cmd.employment is not None:
                employee.add_employment(self._employment(uow, cmd.employment))
            uow.employees.add(employee)
            uow.commit()
            return employee.id

    def change_employee(self, cmd: ChangeEmployee) -> None:
        with self._uow() as uow:
            self.authorise(
                uow,
                cmd.actor,
                Feature.MANAGE_EMPLOYMENTS,
                UnitRef(UnitKind.EMPLOYEE, cmd.employee_id),
            )
            employee = uow.employees.get(cmd.employee_id)
            employee.change(
                first_name=cmd.first_name,
                last_name=cmd.last_name,
                birth_date=cmd.birth_date,
                gender=cmd.gender,
            )
            uow.employees.save(employee)
            uow.commit()

    def add_employment(self, cmd: AddEmployment) -> uuid.UUID:
        with self._uow() as uow:
            target = (
                UnitRef(UnitKind.DEPARTMENT, cmd.terms.department_id)
                if cmd.terms.department_id
                else UnitRef(UnitKind.EMPLOYER, cmd.terms.employer_id)
            )
            self.authorise(
                uow,
                cmd.actor,
                Feature.MANAGE_EMPLOYMENTS,
                UnitRef(UnitKind.EMPLOYEE, cmd.employee_id),
                target,
            )
            employee = uow.employees.get(cmd.employee_id)
            employment = employee.add_employment(self._employment(uow, cmd.terms))
            uow.employees.save(employee)
            uow.commit()
            return employment.id

    def set_leading_employment(self, cmd: SetLeadingEmployment) -> None:
        with self._uow() as uow:
            self.authorise(
                uow,
                cmd.actor,
                Feature.MANAGE_EMPLOYMENTS,
                UnitRef(UnitKind.EMPLOYEE, cmd.employee_id),
            )
            employee = uow.employees.get(cmd.employee_id)
            employee.set_leading_employment(cmd.employment_id)
            uow.employees.save(employee)
            uow.commit()

    def employee(self, actor: uuid.UUID, employee_id: uuid.UUID) -> Employee:
        with self._uow(write=False) as uow:
            auth = self.authoriser(uow)
            auth.require_in_scope(auth.principal(actor), UnitRef(UnitKind.EMPLOYEE, employee_id))
            return uow.employees.get(employee_id)

    # dossiers --------------------------------------------------------------------------------

    def open_dossier(self, cmd: OpenDossier) -> uuid.UUID:
        with self._uow() as uow:
            self.authorise(uow, cmd.actor, Feature.MANAGE_ORGANISATION, cmd.unit)
            _load_unit(uow, cmd.unit)
            existing = uow.dossiers.for_unit(cmd.unit)
            if existing is not None:
                raise DomainError("organisation.dossier_exists", {"unit": str(cmd.unit)})
            dossier = Dossier.open(cmd.unit, self._clock.today())
            uow.dossiers.add(dossier)
            uow.commit()
            return dossier.id

    # contact persons (R1.5) ------------------------------------------------------------------

    def _contacts(self, uow: UnitOfWork, actor: uuid.UUID, employer_id: uuid.UUID) -> Employer:
        self.authorise(
            uow, actor, Feature.MANAGE_CONTACT_PERSONS, UnitRef(UnitKind.EMPLOYER, employer_id)
        )
        return uow.employers.get(employer_id)

    def add_contact_person(self, cmd: AddContactPerson) -> uuid.UUID:
        with self._uow() as uow:
            employer = self._contacts(uow, cmd.actor, cmd.employer_id)
            person = ContactPerson.create(cmd.name, cmd.role, cmd.email, cmd.phone)
            employer.add_contact_person(person, cmd.position)
            uow.employers.save(employer)
            uow.commit()
            return person.id

    def change_contact_person(self, cmd: ChangeContactPerson) -> None:
        with self._uow() as uow:
            employer = self._contacts(uow, cmd.actor, cmd.employer_id)
            employer.replace_contact_person(
                ContactPerson.create(
                    cmd.name,
                    cmd.role,
                    cmd.email,
                    cmd.phone,
                    contact_person_id=cmd.contact_person_id,
                )
            )
            uow.employers.save(employer)
            uow.commit()

    def remove_contact_person(self, cmd: RemoveContactPerson) -> None:
        with self._uow() as uow:
            employer = self._contacts(uow, cmd.actor, cmd.employer_id)
            employer.remove_contact_person(cmd.contact_person_id)
            uow.employers.save(employer)
            uow.commit()

    def move_contact_person(self, cmd: MoveContactPerson) -> None:
        with self._uow() as uow:
            employer = self._contacts(uow, cmd.actor, cmd.employer_id)
            employer.move_contact_person(cmd.contact_person_id, cmd.position)
            uow.employers.save(employer)
            uow.commit()

    def contact_person_widget(
        self, actor: uuid.UUID, employer_id: uuid.UUID
    ) -> ContactPersonWidget:
        """R1.5: the widget for this viewer, with edit/delete only when authorised."""
        with self._uow(write=False) as uow:
            auth = self.authoriser(uow)
            principal = auth.principal(actor)
            unit = UnitRef(UnitKind.EMPLOYER, employer_id)
            auth.require_in_scope(principal, unit)
            employer = uow.employers.get(employer_id)
            may_manage = auth.can(principal, Feature.MANAGE_CONTACT_PERSONS, unit)
            return contact_person_widget(employer, may_manage)

    # advanced search (R1.3) ------------------------------------------------------------------

    def search(self, cmd: AdvancedSearch) -> SearchPage:
        """R1.3: results inside the searcher's scope, best first, each with its target."""
        query = SearchQuery.create(cmd.term, cmd.context, cmd.kinds, cmd.page, cmd.page_size)
        with self._uow(write=False) as uow:
            auth = self.authoriser(uow)
            principal = auth.principal(cmd.actor)
            scope = auth.resolved_scope(principal)
            hits = uow.search.search(query, scope)
            may_manage = principal.holds(Feature.MANAGE_ORGANISATION)
            results = tuple(
                SearchResult(
                    kind=h.kind,
                    id=h.id,
                    name=h.name,
                    code=h.code,
                    rank=h.rank,
                    target=result_target(query.context, may_manage, h.kind, h.id, h.dossier_id),
                )
                for h in hits
            )
            return SearchPage(
                results=results, page=query.page, page_size=query.page_size, term=query.term
            )


def _load_unit(uow: UnitOfWork, unit: UnitRef) -> object:
    if unit.kind is UnitKind.EMPLOYER:
        return uow.employers.get(unit.id)
    if unit.kind is UnitKind.DEPARTMENT:
        return uow.departments.get(unit.id)
    if unit.kind is UnitKind.EMPLOYEE:
        return uow.employees.get(unit.id)
    if unit.kind is UnitKind.BRANCH:
        return uow.branches.get(unit.id)
    return uow.folders.get(unit.id)
