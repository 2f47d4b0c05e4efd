"""Domain events of the organisation context (R0.7)."""

from __future__ import annotations

import datetime as _dt
import uuid
from typing import ClassVar

import attrs

from xs_core.events import DomainEvent


@attrs.frozen(kw_only=True)
class FolderCreated(DomainEvent):
    name: ClassVar[str] = "FolderCreated"
    folder_id: uuid.UUID
    folder_name: str


@attrs.frozen(kw_only=True)
class FolderRenamed(DomainEvent):
    name: ClassVar[str] = "FolderRenamed"
    folder_id: uuid.UUID
    folder_name: str


@attrs.frozen(kw_only=True)
class EmployerCreated(DomainEvent):
    name: ClassVar[str] = "EmployerCreated"
    employer_id: uuid.UUID
    employer_name: str
    code: str | None


@attrs.frozen(kw_only=True)
class EmployerChanged(DomainEvent):
    name: ClassVar[str] = "EmployerChanged"
    employer_id: uuid.UUID
    fields: tuple[str, ...]


@attrs.frozen(kw_only=True)
class EmployerVatNumberChanged(DomainEvent):
    """R1.1: set (``vat_number``) or cleared (``None``)."""

    name: ClassVar[str] = "EmployerVatNumberChanged"
    employer_id: uuid.UUID
    vat_number: str | None


@attrs.frozen(kw_only=True)
class ContactPersonsChanged(DomainEvent):
    """R1.5: a contact person was added, changed, removed or moved."""

    name: ClassVar[str] = "ContactPersonsChanged"
    employer_id: uuid.UUID
    change: str
    contact_person_id: uuid.UUID


@attrs.frozen(kw_only=True)
class DepartmentCreated(DomainEvent):
    name: ClassVar[str] = "DepartmentCreated"
    department_id: uuid.UUID
    employer_id: uuid.UUID
    parent_id: uuid.UUID | None
    code: str | None


@attrs.frozen(kw_only=True)
class DepartmentChanged(DomainEvent):
    name: ClassVar[str] = "DepartmentChanged"
    department_id: uuid.UUID
    fields: tuple[str, ...]


@attrs.frozen(kw_only=True)
class BranchCreated(DomainEvent):
    name: ClassVar[str] = "BranchCreated"
    branch_id: uuid.UUID
    employer_id: uuid.UUID


@attrs.frozen(kw_only=True)
class BranchChanged(DomainEvent):
    name: ClassVar[str] = "BranchChanged"
    branch_id: uuid.UUID
    fields: tuple[str, ...]


@attrs.frozen(kw_only=True)
class EmployeeRegistered(DomainEvent):
    name: ClassVar[str] = "EmployeeRegistered"
    employee_id: uuid.UUID


@attrs.frozen(kw_only=True)
class EmployeeChanged(DomainEvent):
    name: ClassVar[str] = "EmployeeChanged"
    employee_id: uuid.UUID
    fields: tuple[str, ...]


@attrs.frozen(kw_only=True)
class EmploymentStarted(DomainEvent):
    name: ClassVar[str] = "EmploymentStarted"
    employee_id: uuid.UUID
    employment_id: uuid.UUID
    employer_id: uuid.UUID
    start: str
    leading: bool


@attrs.frozen(kw_only=True)
class EmploymentEnded(DomainEvent):
    """R2.3: an employment was ended (uit dienst gemeld)."""

    name: ClassVar[str] = "EmploymentEnded"
    employee_id: uuid.UUID
    employment_id: uuid.UUID
    end: _dt.date
    reason: str


@attrs.frozen(kw_only=True)
class EmploymentChanged(DomainEvent):
    """R2.3: an employment's conditions changed from a date."""

    name: ClassVar[str] = "EmploymentChanged"
    employee_id: uuid.UUID
    employment_id: uuid.UUID
    effective: _dt.date
    fields: tuple[str, ...]


@attrs.frozen(kw_only=True)
class LeadingEmploymentChanged(DomainEvent):
    name: ClassVar[str] = "LeadingEmploymentChanged"
    employee_id: uuid.UUID
    employment_id: uuid.UUID


@attrs.frozen(kw_only=True)
class DossierOpened(DomainEvent):
    name: ClassVar[str] = "DossierOpened"
    dossier_id: uuid.UUID
    unit: str
