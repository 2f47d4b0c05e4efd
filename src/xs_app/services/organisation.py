"""Use cases of the organisation context (R1.1–R1.5).

Every use case opens a unit of work, asks the authoriser (R0.6), calls the core and commits;
a refusal raises before the commit, so nothing changes (R0.5).
"""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal

import attrs

from xs_app.services.base import (
    VIEW_ORGANISATION,
    Service,
    as_seen_by,
    department,
    employee,
    employer,
    employment_in_scope,
    folder,
)
from xs_app.services.command import Command, CommandPart, accepts_legacy
from xs_core.access.api_clients import ClientActor
from xs_core.access.features import Feature
from xs_core.dates import DateRange
from xs_core.errors import Conflict, DomainError
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
from xs_core.organisation.validation import valid_code
from xs_core.organisation.vat import VatNumber
from xs_core.uow import UnitOfWork

# -- commands -------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CreateFolder(Command):
    actor: uuid.UUID
    name: str


@attrs.frozen(kw_only=True)
class RenameFolder(Command):
    actor: uuid.UUID
    folder_id: uuid.UUID
    name: str


@attrs.frozen(kw_only=True)
class CreateEmployer(Command):
    actor: uuid.UUID
    name: str
    code: str | None = None
    folder_id: uuid.UUID | None = None
    vat_number: str | None = None


@attrs.frozen(kw_only=True)
class ChangeEmployer(Command):
    actor: uuid.UUID
    employer_id: uuid.UUID
    name: str | None = None
    code: str | None = None
    clear_code: bool = False
    move: bool = False
    #: with ``move=True``: the new folder, or ``None`` for no folder
    folder_id: uuid.UUID | None = None


@attrs.frozen(kw_only=True)
class SetVatNumber(Command):
    """R1.1: set the VAT number under "Financieel"; ``vat_number=None`` clears it."""

    actor: uuid.UUID
    employer_id: uuid.UUID
    vat_number: str | None


@attrs.frozen(kw_only=True)
class CreateDepartment(Command):
    actor: uuid.UUID
    employer_id: uuid.UUID
    name: str
    code: str | None = None
    parent_id: uuid.UUID | None = None


@attrs.frozen(kw_only=True)
class ChangeDepartment(Command):
    actor: uuid.UUID
    department_id: uuid.UUID
    name: str | None = None
    code: str | None = None
    clear_code: bool = False
    move: bool = False
    parent_id: uuid.UUID | None = None


@attrs.frozen(kw_only=True)
class CreateBranch(Command):
    actor: uuid.UUID
    employer_id: uuid.UUID
    name: str
    code: str | None = None
    address: Address = attrs.field(factory=Address)


@attrs.frozen(kw_only=True)
class ChangeBranch(Command):
    actor: uuid.UUID
    branch_id: uuid.UUID
    name: str | None = None
    code: str | None = None
    address: Address | None = None


@attrs.frozen(kw_only=True)
class EmploymentTerms(CommandPart):
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
class RegisterEmployee(Command):
    actor: uuid.UUID
    first_name: str
    last_name: str
    birth_date: _dt.date | None = None
    gender: Gender = Gender.UNKNOWN
    personnel_number: str | None = None
    employment: EmploymentTerms | None = None


@attrs.frozen(kw_only=True)
class ChangeEmployee(Command):
    actor: uuid.UUID
    employee_id: uuid.UUID
    first_name: str | None = None
    last_name: str | None = None
    birth_date: _dt.date | None = None
    gender: Gender | None = None


@attrs.frozen(kw_only=True)
class AddEmployment(Command):
    actor: uuid.UUID
    employee_id: uuid.UUID
    terms: EmploymentTerms


@attrs.frozen(kw_only=True)
class SetLeadingEmployment(Command):
    actor: uuid.UUID
    employee_id: uuid.UUID
    employment_id: uuid.UUID


@attrs.frozen(kw_only=True)
class OpenDossier(Command):
    actor: uuid.UUID
    unit: UnitRef


@attrs.frozen(kw_only=True)
class AddContactPerson(Command):
    actor: uuid.UUID
    employer_id: uuid.UUID
    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    position: int | None = None


@attrs.frozen(kw_only=True)
class ChangeContactPerson(Command):
    actor: uuid.UUID
    employer_id: uuid.UUID
    contact_person_id: uuid.UUID
    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None


@attrs.frozen(kw_only=True)
class RemoveContactPerson(Command):
    actor: uuid.UUID
    employer_id: uuid.UUID
    contact_person_id: uuid.UUID


@attrs.frozen(kw_only=True)
class MoveContactPerson(Command):
    actor: uuid.UUID
    employer_id: uuid.UUID
    contact_person_id: uuid.UUID
    position: int


@attrs.frozen(kw_only=True)
class AdvancedSearch(Command):
    """R1.3: search employees, employers and departments by name or code. The actor is a user, or
    an API client acting through its technical user (:class:`ClientActor`, R7.1)."""

    # wider than Command's (a frozen field: never assigned after the command is made)
    actor: uuid.UUID | ClientActor  # type: ignore[assignment]
    term: str
    context: SearchContext = SearchContext.PORTAL
    kinds: frozenset[UnitKind] | None = None
    page: int = 1
    page_size: int = 20


@attrs.frozen(kw_only=True)
class GetEmployer(Command):
    actor: uuid.UUID
    employer_id: uuid.UUID


@attrs.frozen(kw_only=True)
class EmployerByCode(Command):
    actor: uuid.UUID
    code: str


@attrs.frozen(kw_only=True)
class ListDepartments(Command):
    actor: uuid.UUID
    employer_id: uuid.UUID


@attrs.frozen(kw_only=True)
class SearchBranches(Command):
    """R1.4: the employer's branch overview filtered by a search term."""

    actor: uuid.UUID
    employer_id: uuid.UUID
    term: str


@attrs.frozen(kw_only=True)
class GetEmployee(Command):
    actor: uuid.UUID
    employee_id: uuid.UUID


@attrs.frozen(kw_only=True)
class GetContactPersonWidget(Command):
    """R1.5: the contact-person widget of an employer, for this viewer."""

    actor: uuid.UUID
    employer_id: uuid.UUID


@attrs.frozen(kw_only=True)
class SearchPage:
    results: tuple[SearchResult, ...]
    page: int
    page_size: int
    term: str


# -- the service ----------------------------------------------------------------------------------

_VIEW = VIEW_ORGANISATION
_MANAGE = Feature.MANAGE_ORGANISATION
_EMPLOYMENTS = Feature.MANAGE_EMPLOYMENTS


class OrganisationService(Service):
    """Organisation and administration (XS Beheer)."""

    # folders and employers -------------------------------------------------------------------

    def create_folder(self, cmd: CreateFolder) -> uuid.UUID:
        """A folder; only for a scope covering the whole organisation."""
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, _MANAGE)
            auth.require_everything(principal)
            created = Folder.create(cmd.name)
            uow.folders.add(created)
            uow.commit()
            return created.id

    def rename_folder(self, cmd: RenameFolder) -> None:
        """Rename a folder in the actor's scope (R1.2)."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, _MANAGE, folder(cmd.folder_id))
            found = uow.folders.lock(cmd.folder_id)
            found.rename(cmd.name)
            uow.folders.save(found)
            uow.commit()

    def create_employer(self, cmd: CreateEmployer) -> uuid.UUID:
        """Create an employer, optionally in a folder and with a VAT number (R1.1, R1.2); outside
        a folder only for a scope covering the whole organisation."""
        with self._uow() as uow:
            units = [folder(cmd.folder_id)] if cmd.folder_id else []
            auth, principal = self._authorise(uow, cmd.actor, _MANAGE, *units)
            if cmd.folder_id is None:
                auth.require_everything(principal)
            created = Employer.create(cmd.name, cmd.code, cmd.folder_id)
            if cmd.vat_number:
                created.set_vat_number(cmd.vat_number)
            if created.code and uow.employers.find_by_code(created.code):
                raise Conflict("organisation.code_in_use", {"code": created.code})
            uow.employers.add(created)
            uow.commit()
            return created.id

    def change_employer(self, cmd: ChangeEmployer) -> None:
        """Rename, recode or move an employer between folders; a code stays unique (R1.2)."""
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, _MANAGE, employer(cmd.employer_id))
            if cmd.move:
                if cmd.folder_id is None:
                    auth.require_everything(principal)
                else:
                    auth.require_visible(principal, folder(cmd.folder_id))
            found = uow.employers.lock(cmd.employer_id)
            found.change(
                name=cmd.name,
                code=cmd.code,
                clear_code=cmd.clear_code,
                folder_id=cmd.folder_id if cmd.move else None,
                clear_folder=cmd.move and cmd.folder_id is None,
            )
            if found.code:
                other = uow.employers.find_by_code(found.code)
                if other is not None and other.id != found.id:
                    raise Conflict("organisation.code_in_use", {"code": found.code})
            uow.employers.save(found)
            uow.commit()

    def set_vat_number(self, cmd: SetVatNumber) -> VatNumber | None:
        """R1.1: validate and store (compact), or clear with ``None``/empty text.

        Invalid input raises :class:`~xs_core.organisation.InvalidVatNumber` and stores nothing.
        **Decision:** two employers may share a VAT number.
        """
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, _MANAGE, employer(cmd.employer_id))
            found = uow.employers.lock(cmd.employer_id)
            vat: VatNumber | None = None
            if cmd.vat_number is None or not cmd.vat_number.strip():
                found.clear_vat_number()
            else:
                vat = found.set_vat_number(cmd.vat_number)
            uow.employers.save(found)
            uow.commit()
            return vat

    @accepts_legacy(EmployerByCode, "actor", "code")
    def employer_by_code(self, cmd: EmployerByCode) -> Employer | None:
        """The employer with this code, if it lies in the actor's scope (``None`` otherwise); a
        text that cannot be a code is refused (``organisation.invalid_code``)."""
        code = valid_code(cmd.code)
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, _VIEW)
            found = None if code is None else uow.employers.find_by_code(code)
            if found is None or not auth.visible(principal, found.ref):
                return None
            return found

    @accepts_legacy(GetEmployer, "actor", "employer_id")
    def employer(self, cmd: GetEmployer) -> Employer:
        """An employer in the actor's scope (R1.2, R0.6)."""
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, _VIEW, employer(cmd.employer_id))
            return uow.employers.get(cmd.employer_id)

    # departments and branches ----------------------------------------------------------------

    def create_department(self, cmd: CreateDepartment) -> uuid.UUID:
        """A department of an employer, optionally under one of its departments (R1.2)."""
        with self._uow() as uow:
            target = department(cmd.parent_id) if cmd.parent_id else employer(cmd.employer_id)
            self._authorise(uow, cmd.actor, _MANAGE, target)
            if cmd.parent_id is not None:
                parent = uow.departments.get(cmd.parent_id)
                if parent.employer_id != cmd.employer_id:
                    raise DomainError(
                        "organisation.department_other_employer",
                        {"department_id": str(parent.id), "employer_id": str(cmd.employer_id)},
                    )
            created = Department.create(cmd.employer_id, cmd.name, cmd.code, cmd.parent_id)
            if created.code and uow.departments.find_by_code(cmd.employer_id, created.code):
                raise Conflict("organisation.code_in_use", {"code": created.code})
            uow.departments.add(created)
            uow.commit()
            return created.id

    def change_department(self, cmd: ChangeDepartment) -> None:
        """Rename, recode or move a department. A move locks the employer first: the tree of
        one employer changes one move at a time, so two moves can never make a cycle."""
        with self._uow() as uow:
            auth, principal = self._authorise(
                uow, cmd.actor, _MANAGE, department(cmd.department_id)
            )
            if cmd.move:
                owner = uow.departments.get(cmd.department_id).employer_id
                uow.employers.lock(owner)
            found = uow.departments.lock(cmd.department_id)
            found.change(name=cmd.name, code=cmd.code, clear_code=cmd.clear_code)
            if found.code:
                other = uow.departments.find_by_code(found.employer_id, found.code)
                if other is not None and other.id != found.id:
                    raise Conflict("organisation.code_in_use", {"code": found.code})
            if cmd.move:
                parent = None
                ancestors: set[uuid.UUID] = set()
                if cmd.parent_id is not None:
                    auth.require_visible(principal, department(cmd.parent_id))
                    parent = uow.departments.get(cmd.parent_id)
                    ancestors = {
                        u.id
                        for u in uow.scopes.ancestors(parent.ref)
                        if u.kind is UnitKind.DEPARTMENT
                    }
                found.move_under(parent, ancestors)
            uow.departments.save(found)
            uow.commit()

    @accepts_legacy(ListDepartments, "actor", "employer_id")
    def departments(self, cmd: ListDepartments) -> list[Department]:
        """The employer's departments that lie in the actor's scope (none for an employer that
        does not exist or that the actor cannot see)."""
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, _VIEW)
            scope = auth.resolved_scope(principal)
            return [
                d
                for d in uow.departments.list_for_employer(cmd.employer_id)
                if scope.everything
                or d.employer_id in scope.employer_ids
                or d.id in scope.department_ids
            ]

    def create_branch(self, cmd: CreateBranch) -> uuid.UUID:
        """A branch (vestiging) of an employer, with its address (R1.4)."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, _MANAGE, employer(cmd.employer_id))
            created = Branch.create(cmd.employer_id, cmd.name, cmd.code, cmd.address)
            uow.branches.add(created)
            uow.commit()
            return created.id

    def change_branch(self, cmd: ChangeBranch) -> None:
        """Rename, recode or re-address a branch (R1.4)."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, _MANAGE, UnitRef(UnitKind.BRANCH, cmd.branch_id))
            found = uow.branches.lock(cmd.branch_id)
            found.change(name=cmd.name, code=cmd.code, address=cmd.address)
            uow.branches.save(found)
            uow.commit()

    @accepts_legacy(SearchBranches, "actor", "employer_id", "term")
    def search_branches(self, cmd: SearchBranches) -> list[Branch]:
        """R1.4: the employer's branch overview filtered by a search term."""
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, _VIEW, employer(cmd.employer_id))
            return search_branches(uow.branches.list_for_employer(cmd.employer_id), cmd.term)

    # employees -------------------------------------------------------------------------------

    @staticmethod
    def _employment(uow: UnitOfWork, terms: EmploymentTerms) -> Employment:
        if terms.department_id is not None:
            found = uow.departments.get(terms.department_id)
            if found.employer_id != terms.employer_id:
                raise DomainError(
                    "organisation.department_other_employer",
                    {"department_id": str(found.id), "employer_id": str(terms.employer_id)},
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

    @staticmethod
    def _place(terms: EmploymentTerms) -> list[UnitRef]:
        """The unit a new employment places the employee in: its department when it has one
        (which must belong to its employer, :meth:`_employment`), else its employer — so a user
        scoped to a department can employ people in that department."""
        if terms.department_id is not None:
            return [department(terms.department_id)]
        return [employer(terms.employer_id)]

    def register_employee(self, cmd: RegisterEmployee) -> uuid.UUID:
        """An employee, with a first employment in the actor's scope; without one only for a
        scope covering the whole organisation."""
        with self._uow() as uow:
            units = [] if cmd.employment is None else self._place(cmd.employment)
            auth, principal = self._authorise(uow, cmd.actor, _EMPLOYMENTS, *units)
            if cmd.employment is None:
                auth.require_everything(principal)
            registered = Employee.register(
                cmd.first_name,
                cmd.last_name,
                cmd.birth_date,
                cmd.gender,
                cmd.personnel_number,
                today=self._clock.today(),
            )
            if cmd.employment is not None:
                registered.add_employment(self._employment(uow, cmd.employment))
            uow.employees.add(registered)
            uow.commit()
            return registered.id

    def change_employee(self, cmd: ChangeEmployee) -> None:
        """Change an employee's personal data (R1.2)."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, _EMPLOYMENTS, employee(cmd.employee_id))
            found = uow.employees.lock(cmd.employee_id)
            found.change(
                first_name=cmd.first_name,
                last_name=cmd.last_name,
                birth_date=cmd.birth_date,
                gender=cmd.gender,
            )
            uow.employees.save(found)
            uow.commit()

    def add_employment(self, cmd: AddEmployment) -> uuid.UUID:
        """Add an employment in the actor's scope to an employee (R1.2)."""
        with self._uow() as uow:
            self._authorise(
                uow, cmd.actor, _EMPLOYMENTS, employee(cmd.employee_id), *self._place(cmd.terms)
            )
            found = uow.employees.lock(cmd.employee_id)
            employment = found.add_employment(self._employment(uow, cmd.terms))
            uow.employees.save(found)
            uow.commit()
            return employment.id

    def set_leading_employment(self, cmd: SetLeadingEmployment) -> None:
        """Flag one of the employee's employments as the leading one (R1.2, R2.3)."""
        with self._uow() as uow:
            auth, principal = self._authorise(
                uow, cmd.actor, _EMPLOYMENTS, employee(cmd.employee_id)
            )
            found = uow.employees.lock(cmd.employee_id)
            employment_in_scope(auth, principal, found, cmd.employment_id)
            found.set_leading_employment(cmd.employment_id)
            uow.employees.save(found)
            uow.commit()

    @accepts_legacy(GetEmployee, "actor", "employee_id")
    def employee(self, cmd: GetEmployee) -> Employee:
        """An employee with the employments in the actor's scope only (R1.2, R0.6)."""
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, _VIEW, employee(cmd.employee_id))
            return as_seen_by(auth, principal, uow.employees.get(cmd.employee_id))

    # dossiers --------------------------------------------------------------------------------

    def open_dossier(self, cmd: OpenDossier) -> uuid.UUID:
        """A dossier for a unit that has none. The unit is locked first, so that two openings
        at once give one dossier and one ``organisation.dossier_exists``."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, _MANAGE, cmd.unit)
            _lock_unit(uow, cmd.unit)
            if uow.dossiers.for_unit(cmd.unit) is not None:
                raise Conflict("organisation.dossier_exists", {"unit": str(cmd.unit)})
            opened = Dossier.open(cmd.unit, self._clock.today())
            uow.dossiers.add(opened)
            uow.commit()
            return opened.id

    # contact persons (R1.5) ------------------------------------------------------------------

    def _contacts(self, uow: UnitOfWork, actor: uuid.UUID, employer_id: uuid.UUID) -> Employer:
        self._authorise(uow, actor, Feature.MANAGE_CONTACT_PERSONS, employer(employer_id))
        return uow.employers.lock(employer_id)

    def add_contact_person(self, cmd: AddContactPerson) -> uuid.UUID:
        """Add a contact person to an employer, at a position in the list or last (R1.5)."""
        with self._uow() as uow:
            found = self._contacts(uow, cmd.actor, cmd.employer_id)
            person = ContactPerson.create(cmd.name, cmd.role, cmd.email, cmd.phone)
            found.add_contact_person(person, cmd.position)
            uow.employers.save(found)
            uow.commit()
            return person.id

    def change_contact_person(self, cmd: ChangeContactPerson) -> None:
        """Replace a contact person's name, role, e-mail address and phone number (R1.5)."""
        with self._uow() as uow:
            found = self._contacts(uow, cmd.actor, cmd.employer_id)
            found.replace_contact_person(
                ContactPerson.create(
                    cmd.name,
                    cmd.role,
                    cmd.email,
                    cmd.phone,
                    contact_person_id=cmd.contact_person_id,
                )
            )
            uow.employers.save(found)
            uow.commit()

    def remove_contact_person(self, cmd: RemoveContactPerson) -> None:
        """Remove a contact person from an employer (R1.5)."""
        with self._uow() as uow:
            found = self._contacts(uow, cmd.actor, cmd.employer_id)
            found.remove_contact_person(cmd.contact_person_id)
            uow.employers.save(found)
            uow.commit()

    def move_contact_person(self, cmd: MoveContactPerson) -> None:
        """Move a contact person to another position in the employer's list (R1.5)."""
        with self._uow() as uow:
            found = self._contacts(uow, cmd.actor, cmd.employer_id)
            found.move_contact_person(cmd.contact_person_id, cmd.position)
            uow.employers.save(found)
            uow.commit()

    @accepts_legacy(GetContactPersonWidget, "actor", "employer_id")
    def contact_person_widget(self, cmd: GetContactPersonWidget) -> ContactPersonWidget:
        """R1.5: the widget for this viewer, with edit/delete only when authorised."""
        with self._uow(write=False) as uow:
            _, principal = self._authorise(uow, cmd.actor, _VIEW, employer(cmd.employer_id))
            found = uow.employers.get(cmd.employer_id)
            return contact_person_widget(found, principal.holds(Feature.MANAGE_CONTACT_PERSONS))

    # advanced search (R1.3) ------------------------------------------------------------------

    def search(self, cmd: AdvancedSearch) -> SearchPage:
        """R1.3: results inside the searcher's scope, best first, each with its target."""
        with self._uow(write=False) as uow:
            # the actor first: a disabled client (ClientActor) is refused whatever its term (R7.1)
            auth, principal = self._authorise(uow, cmd.actor, _VIEW)
            query = SearchQuery.create(cmd.term, cmd.context, cmd.kinds, cmd.page, cmd.page_size)
            hits = uow.search.search(query, auth.resolved_scope(principal, keep_folders=True))
            may_manage = principal.holds(_MANAGE)
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


def _lock_unit(uow: UnitOfWork, unit: UnitRef) -> object:
    if unit.kind is UnitKind.EMPLOYER:
        return uow.employers.lock(unit.id)
    if unit.kind is UnitKind.DEPARTMENT:
        return uow.departments.lock(unit.id)
    if unit.kind is UnitKind.EMPLOYEE:
        return uow.employees.lock(unit.id)
    if unit.kind is UnitKind.BRANCH:
        return uow.branches.lock(unit.id)
    return uow.folders.lock(unit.id)


__all__ = [
    "AddContactPerson",
    "AddEmployment",
    "AdvancedSearch",
    "ChangeBranch",
    "ChangeContactPerson",
    "ChangeDepartment",
    "ChangeEmployee",
    "ChangeEmployer",
    "CreateBranch",
    "CreateDepartment",
    "CreateEmployer",
    "CreateFolder",
    "EmployerByCode",
    "EmploymentTerms",
    "GetContactPersonWidget",
    "GetEmployee",
    "GetEmployer",
    "ListDepartments",
    "MoveContactPerson",
    "OpenDossier",
    "OrganisationService",
    "RegisterEmployee",
    "RemoveContactPerson",
    "RenameFolder",
    "SearchBranches",
    "SearchPage",
    "SetLeadingEmployment",
    "SetVatNumber",
]
