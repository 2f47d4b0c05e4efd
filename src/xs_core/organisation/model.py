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

from xs_core import limits
from xs_core.dates import DateRange, as_date, as_end_date
from xs_core.errors import Conflict, DomainError, InvalidInput, NotFound, register_messages
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
        "organisation.employment_not_found": (
            "Dienstverband {employment_id} bestaat niet.",
            "Employment {employment_id} does not exist.",
        ),
    },
    kind=NotFound,
)

register_messages(
    {
        "organisation.department_cycle": (
            "Een afdeling kan niet onder zichzelf of een van haar subafdelingen vallen.",
            "A department cannot be placed under itself or one of its sub-departments.",
        ),
        "organisation.department_other_employer": (
            "De afdeling {department_id} hoort niet bij werkgever {employer_id}.",
            "Department {department_id} does not belong to employer {employer_id}.",
        ),
        "organisation.invalid_hours": (
            "Het aantal uren per week ({value}) moet tussen {minimum} en {maximum} liggen.",
            "Hours per week ({value}) must lie between {minimum} and {maximum}.",
        ),
        "organisation.negative_salary": (
            "Het salaris kan niet negatief zijn.",
            "The salary cannot be negative.",
        ),
        "organisation.birth_date_in_future": (
            "De geboortedatum {birth_date} ligt in de toekomst.",
            "The birth date {birth_date} lies in the future.",
        ),
        "employment.end_not_after_start": (
            "De einddatum {end} (eerste dag uit dienst) moet na de begindatum {start} liggen.",
            "The end date {end} (first day no longer employed) must be after the start {start}.",
        ),
        "employment.effective_date_outside": (
            "De ingangsdatum {effective} ligt niet binnen het dienstverband {period}.",
            "The effective date {effective} does not lie inside the employment {period}.",
        ),
        "employment.unknown_field": (
            "Deze gegevens van een dienstverband kunnen niet wijzigen: {fields}.",
            "These fields of an employment cannot change: {fields}.",
        ),
        "organisation.no_dossier_for_kind": (
            "Een {kind} heeft geen dossier.",
            "A {kind} has no dossier.",
        ),
    },
    kind=InvalidInput,
)

register_messages(
    {
        "organisation.dossier_exists": (
            "{unit} heeft al een dossier.",
            "{unit} already has a dossier.",
        ),
        "employment.already_ended": (
            "Dit dienstverband is al beëindigd per {end}; een correctie is een wijziging.",
            "This employment already ended on {end}; a correction is a change.",
        ),
    },
    kind=Conflict,
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
        folder = cls(id=folder_id or new_id(), name=required_text(name, "name", limits.NAME))
        folder.record(ev.FolderCreated(folder_id=folder.id, folder_name=folder.name))
        return folder

    @property
    def ref(self) -> UnitRef:
        return UnitRef(UnitKind.FOLDER, self.id)

    def rename(self, name: str) -> None:
        self.name = required_text(name, "name", limits.NAME)
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
            name=required_text(name, "name", limits.NAME),
            role=optional_text(role, "role", limits.CONTACT_ROLE),
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
            name=required_text(name, "name", limits.NAME),
            code=valid_code(code),
            folder_id=folder_id,
        )
        employer.record(
            ev.EmployerCreated(
                employer_id=employer.id,
                employer_name=employer.name,
                code=employer.code,
                folder_id=employer.folder_id,
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
        """Change name, code or folder; only given fields change. Every value is validated
        before any field changes."""
        new_name = None if name is None else required_text(name, "name", limits.NAME)
        new_code = None if clear_code else valid_code(code)
        changed: list[str] = []
        if new_name is not None:
            self.name = new_name
            changed.append("name")
        if code is not None or clear_code:
            self.code = new_code
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
        """Add at ``position`` (0 = top; default and beyond the end: last), R1.5."""
        index = len(self.contact_persons) if position is None else _position(position)
        index = min(index, len(self.contact_persons))
        self.contact_persons.insert(index, person)
        self.record(
            ev.ContactPersonAdded(employer_id=self.id, contact_person_id=person.id, position=index)
        )

    def replace_contact_person(self, person: ContactPerson) -> None:
        self.contact_persons[self._index_of(person.id)] = person
        self.record(ev.ContactPersonChanged(employer_id=self.id, contact_person_id=person.id))

    def remove_contact_person(self, contact_person_id: uuid.UUID) -> None:
        del self.contact_persons[self._index_of(contact_person_id)]
        self.record(
            ev.ContactPersonRemoved(employer_id=self.id, contact_person_id=contact_person_id)
        )

    def move_contact_person(self, contact_person_id: uuid.UUID, position: int) -> None:
        """Move to ``position`` (0 = top, shown expanded in the widget; beyond the end: last)."""
        wanted = _position(position)
        person = self.contact_persons.pop(self._index_of(contact_person_id))
        position = min(wanted, len(self.contact_persons))
        self.contact_persons.insert(position, person)
        self.record(
            ev.ContactPersonMoved(
                employer_id=self.id, contact_person_id=contact_person_id, position=position
            )
        )


def _position(value: int) -> int:
    """A contact person's position: a whole number from 0 (the top), R1.5."""
    return limits.bounded_int(value, "position", 0, limits.POSITION_MAX, rule="R1.5")


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
            name=required_text(name, "name", limits.NAME),
            code=valid_code(code),
            parent_id=parent_id,
        )
        department.record(
            ev.DepartmentCreated(
                department_id=department.id,
                employer_id=employer_id,
                parent_id=parent_id,
                code=department.code,
                department_name=department.name,
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
        """Change name or code; every value is validated before any field changes."""
        new_name = None if name is None else required_text(name, "name", limits.NAME)
        new_code = None if clear_code else valid_code(code)
        changed: list[str] = []
        if new_name is not None:
            self.name = new_name
            changed.append("name")
        if code is not None or clear_code:
            self.code = new_code
            changed.append("code")
        if changed:
            self.record(
                ev.DepartmentChanged(
                    department_id=self.id, employer_id=self.employer_id, fields=tuple(changed)
                )
            )

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
        self.record(
            ev.DepartmentMoved(
                department_id=self.id, employer_id=self.employer_id, parent_id=self.parent_id
            )
        )


def _street(value: str) -> str:
    return limits.single_line(value, "street", limits.STREET)


def _house_number(value: str) -> str:
    return limits.single_line(value, "house_number", limits.HOUSE_NUMBER)


def _postcode(value: str) -> str:
    """A Dutch postcode is written ``1234 AB``; other postcodes are kept as given."""
    text = limits.single_line(value, "postcode", limits.POSTCODE)
    compact = text.replace(" ", "").upper()
    if len(compact) == 6 and compact[:4].isdigit() and compact[4:].isalpha():
        return f"{compact[:4]} {compact[4:]}"
    return text


def _city(value: str) -> str:
    return limits.single_line(value, "city", limits.CITY)


@attrs.frozen(kw_only=True)
class Address:
    """A Dutch street address; every field single-line text within its column's limit."""

    street: str = attrs.field(default="", converter=_street)
    house_number: str = attrs.field(default="", converter=_house_number)
    postcode: str = attrs.field(default="", converter=_postcode)
    city: str = attrs.field(default="", converter=_city)

    @classmethod
    def create(
        cls, street: str = "", house_number: str = "", postcode: str = "", city: str = ""
    ) -> Address:
        return cls(street=street, house_number=house_number, postcode=postcode, city=city)

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
            name=required_text(name, "name", limits.NAME),
            code=valid_code(code),
            address=address or Address(),
        )
        branch.record(
            ev.BranchCreated(
                branch_id=branch.id,
                employer_id=employer_id,
                branch_name=branch.name,
                code=branch.code,
            )
        )
        return branch

    def change(
        self, *, name: str | None = None, code: str | None = None, address: Address | None = None
    ) -> None:
        """Change name, code or address; every value is validated before any field changes."""
        new_name = None if name is None else required_text(name, "name", limits.NAME)
        new_code = valid_code(code)
        changed: list[str] = []
        if new_name is not None:
            self.name = new_name
            changed.append("name")
        if code is not None:
            self.code = new_code
            changed.append("code")
        if address is not None:
            self.address = address
            changed.append("address")
        if changed:
            self.record(
                ev.BranchChanged(
                    branch_id=self.id, employer_id=self.employer_id, fields=tuple(changed)
                )
            )


# -- employees and employments --------------------------------------------------------------------


def _hours(value: Decimal | int | str) -> Decimal:
    """Hours per week (R2.3): more than 0, at most 168, with at most two decimals, as the
    ``NUMERIC(6, 2)`` column stores them without rounding."""
    return limits.bounded_decimal(
        value,
        "hours_per_week",
        limits.HOURS_MIN,
        limits.HOURS_MAX,
        limits.HOURS_PLACES,
        "organisation.invalid_hours",
        "R2.3",
    )


def _job_title(value: str | None) -> str | None:
    return optional_text(value, "job_title", limits.JOB_TITLE)


class EndReason(enum.Enum):
    """Why an employment ended (uit dienst melden, R2.3)."""

    RESIGNATION = "resignation"  # eigen verzoek
    DISMISSAL = "dismissal"  # ontslag door werkgever
    CONTRACT_EXPIRED = "contract_expired"  # einde contract
    RETIREMENT = "retirement"  # pensioen / AOW
    DEATH = "death"  # overlijden
    OTHER = "other"


@attrs.frozen(kw_only=True)
class EmploymentConditions:
    """What can change during an employment (R2.3): department, type, hours, salary, title."""

    department_id: uuid.UUID | None = None
    employment_type: EmploymentType = EmploymentType.PERMANENT
    hours_per_week: Decimal = attrs.field(default=Decimal(40), converter=_hours)
    salary: Money | None = None
    job_title: str | None = attrs.field(default=None, converter=_job_title)

    def __attrs_post_init__(self) -> None:
        if self.salary is not None and self.salary.amount < 0:
            raise DomainError("organisation.negative_salary", {})


@attrs.frozen
class EmploymentVersion:
    """The conditions in force during ``valid`` (half-open)."""

    valid: DateRange
    conditions: EmploymentConditions


CHANGEABLE = frozenset(f.name for f in attrs.fields(EmploymentConditions))


@attrs.define(kw_only=True)
class Employment:
    """An employment (dienstverband) with an employer over a half-open period (R1.2, R0.2).

    Its history is a list of non-overlapping, contiguous versions that together cover the
    period exactly (R2.3); the accessors without a date give the latest conditions.
    """

    id: uuid.UUID
    employer_id: uuid.UUID
    period: DateRange
    versions: list[EmploymentVersion]
    is_leading: bool = False
    end_reason: EndReason | None = None

    def __attrs_post_init__(self) -> None:
        if not self.versions:
            raise ValueError("an employment has at least one version")
        if self.versions[0].valid.start != self.period.start:
            raise ValueError("the first version starts with the employment")
        for before, after in zip(self.versions, self.versions[1:], strict=False):
            if before.valid.end != after.valid.start:
                raise ValueError("versions are contiguous and do not overlap")
        if self.versions[-1].valid.end != self.period.end:
            raise ValueError("the last version ends with the employment")

    @classmethod
    def create(
        cls,
        *,
        id: uuid.UUID,
        employer_id: uuid.UUID,
        period: DateRange,
        department_id: uuid.UUID | None = None,
        employment_type: EmploymentType = EmploymentType.PERMANENT,
        hours_per_week: Decimal | int | str = Decimal(40),
        salary: Money | None = None,
        job_title: str | None = None,
        is_leading: bool = False,
    ) -> Employment:
        """A new employment with one version of conditions."""
        conditions = EmploymentConditions(
            department_id=department_id,
            employment_type=employment_type,
            hours_per_week=hours_per_week,
            salary=salary,
            job_title=job_title,
        )
        return cls(
            id=id,
            employer_id=employer_id,
            period=period,
            versions=[EmploymentVersion(period, conditions)],
            is_leading=is_leading,
        )

    # the latest conditions
    @property
    def conditions(self) -> EmploymentConditions:
        return self.versions[-1].conditions

    @property
    def department_id(self) -> uuid.UUID | None:
        return self.conditions.department_id

    @property
    def employment_type(self) -> EmploymentType:
        return self.conditions.employment_type

    @property
    def hours_per_week(self) -> Decimal:
        return self.conditions.hours_per_week

    @property
    def salary(self) -> Money | None:
        return self.conditions.salary

    @property
    def job_title(self) -> str | None:
        return self.conditions.job_title

    @property
    def department_ids(self) -> frozenset[uuid.UUID]:
        """Every department this employment has been in."""
        return frozenset(
            v.conditions.department_id for v in self.versions if v.conditions.department_id
        )

    def is_active_on(self, day: _dt.date) -> bool:
        return day in self.period

    def conditions_on(self, day: _dt.date) -> EmploymentConditions | None:
        for version in self.versions:
            if day in version.valid:
                return version.conditions
        return None

    def change(self, effective: _dt.date, **changes: object) -> None:
        """R2.3: change conditions from ``effective`` on; the history keeps the old ones.

        The changed fields apply to every version from the effective date on; the version that
        contains the effective date is split there. ``effective`` must lie inside the employment.
        """
        unknown = set(changes) - CHANGEABLE
        if unknown:
            raise DomainError(
                "employment.unknown_field", {"fields": sorted(unknown), "rule": "R2.3"}
            )
        if not self.is_active_on(effective):
            raise DomainError(
                "employment.effective_date_outside",
                {"rule": "R2.3", "effective": effective.isoformat(), "period": str(self.period)},
            )
        versions: list[EmploymentVersion] = []
        for version in self.versions:
            if version.valid.end is not None and version.valid.end <= effective:
                versions.append(version)
                continue
            changed = attrs.evolve(version.conditions, **changes)  # type: ignore[arg-type]
            if version.valid.start < effective:
                versions.append(
                    EmploymentVersion(DateRange(version.valid.start, effective), version.conditions)
                )
                versions.append(EmploymentVersion(DateRange(effective, version.valid.end), changed))
            else:
                versions.append(EmploymentVersion(version.valid, changed))
        self.versions = _merge(versions)

    def end(self, end: _dt.date, reason: EndReason) -> None:
        """R2.3: end the employment; ``end`` is the first day no longer employed (half-open).

        An employment that has ended cannot end again (a correction is a change).
        """
        if self.period.end is not None:
            raise DomainError(
                "employment.already_ended",
                {"rule": "R2.3", "end": self.period.end.isoformat()},
            )
        if end <= self.period.start:
            raise DomainError(
                "employment.end_not_after_start",
                {"rule": "R2.3", "start": self.period.start.isoformat(), "end": end.isoformat()},
            )
        self.period = DateRange(self.period.start, end)
        kept = [v for v in self.versions if v.valid.start < end]
        last = kept[-1]
        kept[-1] = EmploymentVersion(DateRange(last.valid.start, end), last.conditions)
        self.versions = kept
        self.end_reason = reason


def _merge(versions: list[EmploymentVersion]) -> list[EmploymentVersion]:
    """Join adjacent versions with equal conditions."""
    merged: list[EmploymentVersion] = []
    for version in versions:
        if merged and merged[-1].conditions == version.conditions:
            merged[-1] = EmploymentVersion(
                merged[-1].valid.union(version.valid), version.conditions
            )
        else:
            merged.append(version)
    return merged


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
        born = None if birth_date is None else as_date(birth_date)
        if born is not None and today is not None and born > today:
            raise DomainError("organisation.birth_date_in_future", {"birth_date": born.isoformat()})
        employee = cls(
            id=employee_id or new_id(),
            first_name=required_text(first_name, "first_name", limits.FIRST_NAME),
            last_name=required_text(last_name, "last_name", limits.LAST_NAME),
            birth_date=born,
            gender=gender,
            personnel_number=optional_text(
                personnel_number, "personnel_number", limits.PERSONNEL_NUMBER
            ),
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
        first = (
            None
            if first_name is None
            else required_text(first_name, "first_name", limits.FIRST_NAME)
        )
        last = (
            None if last_name is None else required_text(last_name, "last_name", limits.LAST_NAME)
        )
        born = None if birth_date is None else as_date(birth_date)
        changed: list[str] = []
        if first is not None:
            self.first_name = first
            changed.append("first_name")
        if last is not None:
            self.last_name = last
            changed.append("last_name")
        if born is not None:
            self.birth_date = born
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
                start=employment.period.start,
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

    def leading_employment_on(self, day: _dt.date) -> Employment | None:
        """The leading employment as of ``day``: the flagged one if it runs then, otherwise the
        employment running then that started first (R1.2, R2.3)."""
        active = self.employments_on(day)
        flagged = [e for e in active if e.is_leading]
        if flagged:
            return flagged[0]
        return min(active, key=lambda e: (e.period.start, str(e.id)), default=None)

    def department_on(self, day: _dt.date) -> uuid.UUID | None:
        """The department of the leading employment as of ``day``."""
        employment = self.leading_employment_on(day)
        if employment is None:
            return None
        conditions = employment.conditions_on(day)
        return None if conditions is None else conditions.department_id

    def end_employment(self, employment_id: uuid.UUID, end: _dt.date, reason: EndReason) -> None:
        """R2.3 "Uit dienst melden": ``end`` is the first day no longer employed."""
        employment = self.employment(employment_id)
        employment.end(end, reason)
        self.record(
            ev.EmploymentEnded(
                employee_id=self.id,
                employment_id=employment_id,
                employer_id=employment.employer_id,
                end=as_end_date(end),
                reason=reason.value,
            )
        )

    def change_employment(
        self, employment_id: uuid.UUID, effective: _dt.date, **changes: object
    ) -> None:
        """R2.3 "Wijzigen dienstverband": new conditions from ``effective`` on."""
        employment = self.employment(employment_id)
        employment.change(effective, **changes)
        self.record(
            ev.EmploymentChanged(
                employee_id=self.id,
                employment_id=employment_id,
                employer_id=employment.employer_id,
                effective=as_date(effective),
                fields=tuple(sorted(changes)),
            )
        )

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
            opened_on=as_date(opened_on),
        )
        dossier.record(
            ev.DossierOpened(dossier_id=dossier.id, unit_kind=unit.kind, unit_id=unit.id)
        )
        return dossier
