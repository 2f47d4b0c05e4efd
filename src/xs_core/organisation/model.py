"""The organisation model: folders, employers, departments, branches, employees (R1.1–R1.5).

Employers and departments carry a code (werkgevercode, afdelingscode). Departments nest.
Employees have one or more employments with an employer; one is the leading employment, which
places the employee in a department (R1.2).
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from decimal import Decimal

import attrs
import pendulum

from xs_core.dates import DateRange
from xs_core.errors import DomainError, register_messages
from xs_core.events import Aggregate
from xs_core.money import Money
from xs_core.organisation import events as ev
from xs_core.organisation.units import UnitKind, UnitRef, new_id
from xs_core.organisation.validation import (
    optional_text,
    required_text,
    valid_code,
    valid_email,
    valid_phone,
)
from xs_core.organisation.vat import VatNumber

register_messages(
    {
        "organisation.contact_person_not_found": (
            "Contactpersoon {contact_person_id} bestaat niet bij deze werkgever.",
            "Contact person {contact_person_id} does not exist for this employer.",
        ),
        "organisation.department_cycle": (
            "Een afdeling kan niet onder zichzelf of een van haar subafdelingen vallen.",
            "A department cannot be placed under itself or one of its sub-departments.",
        ),
        "organisation.department_other_employer": (
            "De afdeling {department_id} hoort niet bij werkgever {employer_id}.",
            "Department {department_id} does not belong to employer {employer_id}.",
        ),
        "organisation.employment_not_found": (
            "Dienstverband {employment_id} bestaat niet.",
            "Employment {employment_id} does not exist.",
        ),
        "organisation.invalid_hours": (
            "Het aantal uren per week ({hours}) moet groter dan 0 en hoogstens 168 zijn.",
            "Hours per week ({hours}) must be more than 0 and at most 168.",
        ),
        "organisation.negative_salary": (
            "Het salaris kan niet negatief zijn.",
            "The salary cannot be negative.",
        ),
        "organisation.birth_date_in_future": (
            "De geboortedatum {birth_date} ligt in de toekomst.",
            "The birth date {birth_date} lies in the future.",
        ),
        "organisation.dossier_exists": (
            "{unit} heeft al een dossier.",
            "{unit} already has a dossier.",
        ),
        "organisation.no_dossier_for_kind": (
            "Een {kind} heeft geen dossier.",
            "A {kind} has no dossier.",
        ),
    }
)


class Gender(enum.Enum):
    """Gender as registered (the WIA reports show it, R3.2)."""

    MALE = "M"
    FEMALE = "V"
    OTHER = "X"
    UNKNOWN = "O"


class EmploymentType(enum.Enum):
    """Kinds of employment (dienstverbandtype); policies may exclude some (R6.2)."""

    PERMANENT = "permanent"  # vast
    TEMPORARY = "temporary"  # tijdelijk
    ON_CALL = "on_call"  # oproepkracht
    INTERN = "intern"  # stagiair
    AGENCY = "agency"  # uitzendkracht
    OTHER = "other"


# -- folders --------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class Folder(Aggregate):
    """A folder (map) groups employers."""

    id: uuid.UUID
    name: str

    @classmethod
    def create(cls, name: str, folder_id: uuid.UUID | None = None) -> Folder:
        folder = cls(id=folder_id or new_id(), name=required_text(name, "name"))
        folder.record(ev.FolderCreated(folder_id=folder.id, folder_name=folder.name))
        return folder

    @property
    def ref(self) -> UnitRef:
        return UnitRef(UnitKind.FOLDER, self.id)

    def rename(self, name: str) -> None:
        self.name = required_text(name, "name")
        self.record(ev.FolderRenamed(folder_id=self.id, folder_name=self.name))


# -- employers and their contact persons ----------------------------------------------------------


@attrs.frozen(kw_only=True)
class ContactPerson:
    """An employer's contact person (R1.5): name, optional role, e-mail, phone."""

    id: uuid.UUID
    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None

    @classmethod
    def create(
        cls,
        name: str,
        role: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        contact_person_id: uuid.UUID | None = None,
    ) -> ContactPerson:
        """Validate and normalise: e-mail syntax, phone number (E.164)."""
        return cls(
            id=contact_person_id or new_id(),
            name=required_text(name, "name"),
            role=optional_text(role, "role"),
            email=valid_email(email),
            phone=valid_phone(phone),
        )

    @property
    def title(self) -> str:
        """The widget title: the name, followed by the role when there is one (R1.5)."""
        return f"{self.name} ({self.role})" if self.role else self.name


@attrs.define(kw_only=True)
class Employer(Aggregate):
    """An employer (werkgever): name, code, folder, financial details and contact persons."""

    id: uuid.UUID
    name: str
    code: str | None = None
    folder_id: uuid.UUID | None = None
    vat_number: VatNumber | None = None
    contact_persons: list[ContactPerson] = attrs.field(factory=list)

    @classmethod
    def create(
        cls,
        name: str,
        code: str | None = None,
        folder_id: uuid.UUID | None = None,
        employer_id: uuid.UUID | None = None,
    ) -> Employer:
        employer = cls(
            id=employer_id or new_id(),
            name=required_text(name, "name"),
            code=valid_code(code),
            folder_id=folder_id,
        )
        employer.record(
            ev.EmployerCreated(
                employer_id=employer.id, employer_name=employer.name, code=employer.code
            )
        )
        return employer

    @property
    def ref(self) -> UnitRef:
        return UnitRef(UnitKind.EMPLOYER, self.id)

    def change(
        self,
        *,
        name: str | None = None,
        code: str | None = None,
        folder_id: uuid.UUID | None = None,
        clear_code: bool = False,
        clear_folder: bool = False,
    ) -> None:
        """Change name, code or folder; only given fields change."""
        changed: list[str] = []
        if name is not None:
            self.name = required_text(name, "name")
            changed.append("name")
        if code is not None or clear_code:
            self.code = None if clear_code else valid_code(code)
            changed.append("code")
        if folder_id is not None or clear_folder:
            self.folder_id = None if clear_folder else folder_id
            changed.append("folder_id")
        if changed:
            self.record(ev.EmployerChanged(employer_id=self.id, fields=tuple(changed)))

    # R1.1 ------------------------------------------------------------------------------------

    def set_vat_number(self, text: str) -> VatNumber:
        """Validate and store a VAT number (R1.1); invalid input changes nothing."""
        vat = VatNumber.parse(text)
        if vat != self.vat_number:
            self.vat_number = vat
            self.record(ev.EmployerVatNumberChanged(employer_id=self.id, vat_number=str(vat)))
        return vat

    def clear_vat_number(self) -> None:
        """Remove the VAT number (R1.1)."""
        if self.vat_number is not None:
            self.vat_number = None
            self.record(ev.EmployerVatNumberChanged(employer_id=self.id, vat_number=None))

    # R1.5 ------------------------------------------------------------------------------------

    def _index_of(self, contact_person_id: uuid.UUID) -> int:
        for index, person in enumerate(self.contact_persons):
            if person.id == contact_person_id:
                return index
        raise DomainError(
            "organisation.contact_person_not_found",
            {"rule": "R1.5", "contact_person_id": str(contact_person_id)},
        )

    def add_contact_person(self, person: ContactPerson, position: int | None = None) -> None:
        """Add at ``position`` (default: last)."""
        index = len(self.contact_persons) if position is None else position
        index = max(0, min(index, len(self.contact_persons)))
        self.contact_persons.insert(index, person)
        self.record(
            ev.ContactPersonsChanged(
                employer_id=self.id, change="added", contact_person_id=person.id
            )
        )

    def replace_contact_person(self, person: ContactPerson) -> None:
        self.contact_persons[self._index_of(person.id)] = person
        self.record(
            ev.ContactPersonsChanged(
                employer_id=self.id, change="changed", contact_person_id=person.id
            )
        )

    def remove_contact_person(self, contact_person_id: uuid.UUID) -> None:
        del self.contact_persons[self._index_of(contact_person_id)]
        self.record(
            ev.ContactPersonsChanged(
                employer_id=self.id, change="removed", contact_person_id=contact_person_id
            )
        )

    def move_contact_person(self, contact_person_id: uuid.UUID, position: int) -> None:
        """Move to ``position`` (0 = top, shown expanded in the widget)."""
        person = self.contact_persons.pop(self._index_of(contact_person_id))
        position = max(0, min(position, len(self.contact_persons)))
        self.contact_persons.insert(position, person)
        self.record(
            ev.ContactPersonsChanged(
                employer_id=self.id, change="moved", contact_person_id=contact_person_id
            )
        )


# -- departments and branches ---------------------------------------------------------------------


@attrs.define(kw_only=True)
class Department(Aggregate):
    """A department (afdeling) of an employer; departments can nest (R1.2)."""

    id: uuid.UUID
    employer_id: uuid.UUID
    name: str
    code: str | None = None
    parent_id: uuid.UUID | None = None

    @classmethod
    def create(
        cls,
        employer_id: uuid.UUID,
        name: str,
        code: str | None = None,
        parent_id: uuid.UUID | None = None,
        department_id: uuid.UUID | None = None,
    ) -> Department:
        department = cls(
            id=department_id or new_id(),
            employer_id=employer_id,
            name=required_text(name, "name"),
            code=valid_code(code),
            parent_id=parent_id,
        )
        department.record(
            ev.DepartmentCreated(
                department_id=department.id,
                employer_id=employer_id,
                parent_id=parent_id,
                code=department.code,
            )
        )
        return department

    @property
    def ref(self) -> UnitRef:
        return UnitRef(UnitKind.DEPARTMENT, self.id)

    def change(
        self,
        *,
        name: str | None = None,
        code: str | None = None,
        clear_code: bool = False,
    ) -> None:
        changed: list[str] = []
        if name is not None:
            self.name = required_text(name, "name")
            changed.append("name")
        if code is not None or clear_code:
            self.code = None if clear_code else valid_code(code)
            changed.append("code")
        if changed:
            self.record(ev.DepartmentChanged(department_id=self.id, fields=tuple(changed)))

    def move_under(self, parent: Department | None, ancestors_of_parent: set[uuid.UUID]) -> None:
        """Place under ``parent`` (or at the top). A department cannot move below itself."""
        if parent is not None:
            if parent.employer_id != self.employer_id:
                raise DomainError(
                    "organisation.department_other_employer",
                    {"department_id": str(parent.id), "employer_id": str(self.employer_id)},
                )
            if parent.id == self.id or self.id in ancestors_of_parent:
                raise DomainError("organisation.department_cycle", {"rule": "R1.2"})
        self.parent_id = None if parent is None else parent.id
        self.record(ev.DepartmentChanged(department_id=self.id, fields=("parent_id",)))


@attrs.frozen(kw_only=True)
class Address:
    """A Dutch street address."""

    street: str = ""
    house_number: str = ""
    postcode: str = ""
    city: str = ""

    @classmethod
    def create(
        cls, street: str = "", house_number: str = "", postcode: str = "", city: str = ""
    ) -> Address:
        compact = postcode.replace(" ", "").upper()
        if len(compact) == 6 and compact[:4].isdigit() and compact[4:].isalpha():
            postcode = f"{compact[:4]} {compact[4:]}"
        return cls(
            street=" ".join(street.split()),
            house_number=house_number.strip(),
            postcode=postcode.strip(),
            city=" ".join(city.split()),
        )

    def __str__(self) -> str:
        return f"{self.street} {self.house_number}, {self.postcode} {self.city}".strip(" ,")


@attrs.define(kw_only=True)
class Branch(Aggregate):
    """A branch (vestiging) of an employer, with its address (R1.2, R1.4)."""

    id: uuid.UUID
    employer_id: uuid.UUID
    name: str
    code: str | None = None
    address: Address = attrs.field(factory=Address)

    @classmethod
    def create(
        cls,
        employer_id: uuid.UUID,
        name: str,
        code: str | None = None,
        address: Address | None = None,
        branch_id: uuid.UUID | None = None,
    ) -> Branch:
        branch = cls(
            id=branch_id or new_id(),
            employer_id=employer_id,
            name=required_text(name, "name"),
            code=valid_code(code),
            address=address or Address(),
        )
        branch.record(ev.BranchCreated(branch_id=branch.id, employer_id=employer_id))
        return branch

    def change(
        self, *, name: str | None = None, code: str | None = None, address: Address | None = None
    ) -> None:
        changed: list[str] = []
        if name is not None:
            self.name = required_text(name, "name")
            changed.append("name")
        if code is not None:
            self.code = valid_code(code)
            changed.append("code")
        if address is not None:
            self.address = address
            changed.append("address")
        if changed:
            self.record(ev.BranchChanged(branch_id=self.id, fields=tuple(changed)))


# -- employees and employments --------------------------------------------------------------------


def _hours(value: Decimal | int | str) -> Decimal:
    hours = Decimal(value)
    if not Decimal(0) < hours <= Decimal(168):
        raise DomainError("organisation.invalid_hours", {"hours": str(value)})
    return hours


@attrs.define(kw_only=True)
class Employment:
    """An employment (dienstverband) with an employer over a half-open period (R1.2, R0.2)."""

    id: uuid.UUID
    employer_id: uuid.UUID
    period: DateRange
    department_id: uuid.UUID | None = None
    employment_type: EmploymentType = EmploymentType.PERMANENT
    hours_per_week: Decimal = attrs.field(default=Decimal(40), converter=_hours)
    salary: Money | None = None
    job_title: str | None = None
    is_leading: bool = False

    def __attrs_post_init__(self) -> None:
        if self.salary is not None and self.salary.amount < 0:
            raise DomainError("organisation.negative_salary", {})

    def is_active_on(self, day: _dt.date) -> bool:
        return day in self.period


@attrs.define(kw_only=True)
class Employee(Aggregate):
    """An employee (werknemer) with personal data and employments (R1.2)."""

    id: uuid.UUID
    first_name: str
    last_name: str
    birth_date: pendulum.Date | None = None
    gender: Gender = Gender.UNKNOWN
    personnel_number: str | None = None
    employments: list[Employment] = attrs.field(factory=list)

    @classmethod
    def register(
        cls,
        first_name: str,
        last_name: str,
        birth_date: _dt.date | None = None,
        gender: Gender = Gender.UNKNOWN,
        personnel_number: str | None = None,
        today: _dt.date | None = None,
        employee_id: uuid.UUID | None = None,
    ) -> Employee:
        born = (
            None
            if birth_date is None
            else pendulum.Date(birth_date.year, birth_date.month, birth_date.day)
        )
        if born is not None and today is not None and born > today:
            raise DomainError("organisation.birth_date_in_future", {"birth_date": born.isoformat()})
        employee = cls(
            id=employee_id or new_id(),
            first_name=required_text(first_name, "first_name"),
            last_name=required_text(last_name, "last_name"),
            birth_date=born,
            gender=gender,
            personnel_number=optional_text(personnel_number, "personnel_number", 40),
        )
        employee.record(ev.EmployeeRegistered(employee_id=employee.id))
        return employee

    @property
    def ref(self) -> UnitRef:
        return UnitRef(UnitKind.EMPLOYEE, self.id)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def change(
        self,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        birth_date: _dt.date | None = None,
        gender: Gender | None = None,
    ) -> None:
        changed: list[str] = []
        if first_name is not None:
            self.first_name = required_text(first_name, "first_name")
            changed.append("first_name")
        if last_name is not None:
            self.last_name = required_text(last_name, "last_name")
            changed.append("last_name")
        if birth_date is not None:
            self.birth_date = pendulum.Date(birth_date.year, birth_date.month, birth_date.day)
            changed.append("birth_date")
        if gender is not None:
            self.gender = gender
            changed.append("gender")
        if changed:
            self.record(ev.EmployeeChanged(employee_id=self.id, fields=tuple(changed)))

    def add_employment(self, employment: Employment) -> Employment:
        """Add an employment; the first one becomes the leading employment (R1.2)."""
        leading = employment.is_leading or not self.employments
        if leading:
            for other in self.employments:
                other.is_leading = False
        employment.is_leading = leading
        self.employments.append(employment)
        self.record(
            ev.EmploymentStarted(
                employee_id=self.id,
                employment_id=employment.id,
                employer_id=employment.employer_id,
                start=employment.period.start.isoformat(),
                leading=leading,
            )
        )
        return employment

    def employment(self, employment_id: uuid.UUID) -> Employment:
        for employment in self.employments:
            if employment.id == employment_id:
                return employment
        raise DomainError(
            "organisation.employment_not_found", {"employment_id": str(employment_id)}
        )

    def set_leading_employment(self, employment_id: uuid.UUID) -> None:
        """Make one employment the leading one; exactly one is leading (R1.2)."""
        target = self.employment(employment_id)
        for employment in self.employments:
            employment.is_leading = employment is target
        self.record(ev.LeadingEmploymentChanged(employee_id=self.id, employment_id=employment_id))

    @property
    def leading_employment(self) -> Employment | None:
        return next((e for e in self.employments if e.is_leading), None)

    def employments_on(self, day: _dt.date) -> list[Employment]:
        return [e for e in self.employments if e.is_active_on(day)]

    def age_on(self, day: _dt.date) -> int | None:
        if self.birth_date is None:
            return None
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


# -- dossiers -------------------------------------------------------------------------------------

DOSSIER_KINDS = frozenset({UnitKind.EMPLOYER, UnitKind.DEPARTMENT, UnitKind.EMPLOYEE})


@attrs.define(kw_only=True)
class Dossier(Aggregate):
    """A dossier of an organisation unit; a unit may or may not have one (R1.2)."""

    id: uuid.UUID
    unit: UnitRef
    opened_on: pendulum.Date

    @classmethod
    def open(
        cls, unit: UnitRef, opened_on: _dt.date, dossier_id: uuid.UUID | None = None
    ) -> Dossier:
        if unit.kind not in DOSSIER_KINDS:
            raise DomainError("organisation.no_dossier_for_kind", {"kind": unit.kind.value})
        dossier = cls(
            id=dossier_id or new_id(),
            unit=unit,
            opened_on=pendulum.Date(opened_on.year, opened_on.month, opened_on.day),
        )
        dossier.record(ev.DossierOpened(dossier_id=dossier.id, unit=str(unit)))
        return dossier
