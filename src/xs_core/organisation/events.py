"""Domain events of the organisation context (R0.7).

Each class is one fact, named for it in the past tense; its docstring says when it is written
and cites the rule (``docs/events.md`` is generated from these classes). Every event carries the
ids of the aggregates it concerns; ``end`` dates are exclusive (R0.2), the first day no longer
included.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from typing import ClassVar

import attrs

from xs_core.events import DomainEvent
from xs_core.organisation.units import UnitKind


@attrs.frozen(kw_only=True)
class FolderCreated(DomainEvent):
    """R1.2: a folder (map) was created."""

    name: ClassVar[str] = "FolderCreated"
    folder_id: uuid.UUID
    folder_name: str


@attrs.frozen(kw_only=True)
class FolderRenamed(DomainEvent):
    """R1.2: a folder was renamed."""

    name: ClassVar[str] = "FolderRenamed"
    folder_id: uuid.UUID
    folder_name: str


@attrs.frozen(kw_only=True)
class EmployerCreated(DomainEvent):
    """R1.2: an employer was created, in a folder or in none (``folder_id`` null)."""

    name: ClassVar[str] = "EmployerCreated"
    employer_id: uuid.UUID
    employer_name: str
    code: str | None
    folder_id: uuid.UUID | None


@attrs.frozen(kw_only=True)
class EmployerChanged(DomainEvent):
    """R1.2: an employer's name, code or folder changed; ``fields`` names which (``name``,
    ``code``, ``folder_id``)."""

    name: ClassVar[str] = "EmployerChanged"
    employer_id: uuid.UUID
    fields: tuple[str, ...]


@attrs.frozen(kw_only=True)
class EmployerVatNumberChanged(DomainEvent):
    """R1.1: an employer's VAT number was set (``vat_number``, compact) or cleared (null)."""

    name: ClassVar[str] = "EmployerVatNumberChanged"
    employer_id: uuid.UUID
    vat_number: str | None


@attrs.frozen(kw_only=True)
class ContactPersonAdded(DomainEvent):
    """R1.5: a contact person was added to an employer at ``position`` (0 = the top)."""

    name: ClassVar[str] = "ContactPersonAdded"
    employer_id: uuid.UUID
    contact_person_id: uuid.UUID
    position: int


@attrs.frozen(kw_only=True)
class ContactPersonChanged(DomainEvent):
    """R1.5: an employer's contact person was changed (name, role, e-mail or phone)."""

    name: ClassVar[str] = "ContactPersonChanged"
    employer_id: uuid.UUID
    contact_person_id: uuid.UUID


@attrs.frozen(kw_only=True)
class ContactPersonRemoved(DomainEvent):
    """R1.5: a contact person was removed from an employer."""

    name: ClassVar[str] = "ContactPersonRemoved"
    employer_id: uuid.UUID
    contact_person_id: uuid.UUID


@attrs.frozen(kw_only=True)
class ContactPersonMoved(DomainEvent):
    """R1.5: an employer's contact person was moved to ``position`` (0 = the top, shown
    expanded)."""

    name: ClassVar[str] = "ContactPersonMoved"
    employer_id: uuid.UUID
    contact_person_id: uuid.UUID
    position: int


@attrs.frozen(kw_only=True)
class DepartmentCreated(DomainEvent):
    """R1.2: a department was created under an employer, at the top (``parent_id`` null) or
    under another department."""

    name: ClassVar[str] = "DepartmentCreated"
    department_id: uuid.UUID
    employer_id: uuid.UUID
    parent_id: uuid.UUID | None
    code: str | None
    department_name: str


@attrs.frozen(kw_only=True)
class DepartmentChanged(DomainEvent):
    """R1.2: a department's name or code changed; ``fields`` names which."""

    name: ClassVar[str] = "DepartmentChanged"
    department_id: uuid.UUID
    employer_id: uuid.UUID
    fields: tuple[str, ...]


@attrs.frozen(kw_only=True)
class DepartmentMoved(DomainEvent):
    """R1.2: a department was moved under another department of its employer, or to the top
    (``parent_id`` null)."""

    name: ClassVar[str] = "DepartmentMoved"
    department_id: uuid.UUID
    employer_id: uuid.UUID
    parent_id: uuid.UUID | None


@attrs.frozen(kw_only=True)
class BranchCreated(DomainEvent):
    """R1.2: a branch (vestiging) was created for an employer."""

    name: ClassVar[str] = "BranchCreated"
    branch_id: uuid.UUID
    employer_id: uuid.UUID
    branch_name: str
    code: str | None


@attrs.frozen(kw_only=True)
class BranchChanged(DomainEvent):
    """R1.2, R1.4: a branch's name, code or address changed; ``fields`` names which."""

    name: ClassVar[str] = "BranchChanged"
    branch_id: uuid.UUID
    employer_id: uuid.UUID
    fields: tuple[str, ...]


@attrs.frozen(kw_only=True)
class EmployeeRegistered(DomainEvent):
    """R1.2: an employee was registered (the person; employments follow as their own events).
    Events carry no personal data of employees: a consumer reads it through the services."""

    name: ClassVar[str] = "EmployeeRegistered"
    employee_id: uuid.UUID


@attrs.frozen(kw_only=True)
class EmployeeChanged(DomainEvent):
    """R1.2: an employee's personal details changed; ``fields`` names which."""

    name: ClassVar[str] = "EmployeeChanged"
    employee_id: uuid.UUID
    fields: tuple[str, ...]


@attrs.frozen(kw_only=True)
class EmploymentStarted(DomainEvent):
    """R1.2: an employment with an employer was added to an employee, starting on ``start``;
    ``leading`` when it became the leading employment."""

    name: ClassVar[str] = "EmploymentStarted"
    employee_id: uuid.UUID
    employment_id: uuid.UUID
    employer_id: uuid.UUID
    start: _dt.date
    leading: bool


@attrs.frozen(kw_only=True)
class EmploymentEnded(DomainEvent):
    """R2.3: an employment was ended (uit dienst gemeld); ``end`` is the first day no longer
    employed, ``reason`` one of ``resignation``, ``dismissal``, ``contract_expired``,
    ``retirement``, ``death``, ``other``."""

    name: ClassVar[str] = "EmploymentEnded"
    employee_id: uuid.UUID
    employment_id: uuid.UUID
    employer_id: uuid.UUID
    end: _dt.date
    reason: str


@attrs.frozen(kw_only=True)
class EmploymentChanged(DomainEvent):
    """R2.3: an employment's conditions changed from ``effective`` on; ``fields`` names which
    (hours per week, job title, department, employment type, salary)."""

    name: ClassVar[str] = "EmploymentChanged"
    employee_id: uuid.UUID
    employment_id: uuid.UUID
    employer_id: uuid.UUID
    effective: _dt.date
    fields: tuple[str, ...]


@attrs.frozen(kw_only=True)
class LeadingEmploymentChanged(DomainEvent):
    """R1.2: another employment of the employee became the leading one."""

    name: ClassVar[str] = "LeadingEmploymentChanged"
    employee_id: uuid.UUID
    employment_id: uuid.UUID


@attrs.frozen(kw_only=True)
class DossierOpened(DomainEvent):
    """R1.2: a dossier was opened for an organisation unit (an employer, a department or an
    employee). Version 2: the unit as ``unit_kind`` and ``unit_id`` (version 1 had one
    ``unit`` string ``kind:id``)."""

    name: ClassVar[str] = "DossierOpened"
    version: ClassVar[int] = 2
    dossier_id: uuid.UUID
    unit_kind: UnitKind
    unit_id: uuid.UUID
