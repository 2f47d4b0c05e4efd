"""Explicit mapping between rows and domain objects (a cattrs converter with exact hooks).

The domain classes are slotted and frozen attrs classes; they are never mapped by the ORM.
Loading goes through their constructors, so validators run.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal
from typing import Any

import cattrs
import pendulum

from xs_core.access.features import Feature
from xs_core.access.model import Role, RoleKind, Scope, User
from xs_core.dates import DateRange
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
    EmploymentConditions,
    EmploymentType,
    EmploymentVersion,
    EndReason,
    Folder,
    Gender,
)
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.organisation.vat import VatNumber

converter = cattrs.Converter()
converter.register_structure_hook(
    pendulum.Date,
    lambda v, _: v if isinstance(v, pendulum.Date) else pendulum.Date(v.year, v.month, v.day),
)
converter.register_structure_hook(
    pendulum.DateTime,
    lambda v, _: pendulum.instance(v if v.tzinfo else v.replace(tzinfo=_dt.UTC)),
)
converter.register_structure_hook(
    uuid.UUID, lambda v, _: v if isinstance(v, uuid.UUID) else uuid.UUID(str(v))
)
converter.register_structure_hook(Decimal, lambda v, _: Decimal(str(v)))


def _row(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


def folder_from_row(row: Any) -> Folder:
    return converter.structure(_row(row), Folder)


def employer_from_rows(row: Any, contact_rows: list[Any]) -> Employer:
    data = _row(row)
    return Employer(
        id=data["id"],
        name=data["name"],
        code=data["code"],
        folder_id=data["folder_id"],
        vat_number=None if data["vat_number"] is None else VatNumber(data["vat_number"]),
        contact_persons=[
            ContactPerson(id=c.id, name=c.name, role=c.role, email=c.email, phone=c.phone)
            for c in sorted(contact_rows, key=lambda c: c.position)
        ],
    )


def department_from_row(row: Any) -> Department:
    # built directly, not through a dict and cattrs: reports read 100,000 at once (R3.1)
    return Department(
        id=row.id,
        employer_id=row.employer_id,
        name=row.name,
        code=row.code,
        parent_id=row.parent_id,
    )


def branch_from_row(row: Any) -> Branch:
    data = _row(row)
    address = Address(
        street=data.pop("street"),
        house_number=data.pop("house_number"),
        postcode=data.pop("postcode"),
        city=data.pop("city"),
    )
    return Branch(address=address, **data)


def version_from_row(row: Any) -> EmploymentVersion:
    return EmploymentVersion(
        DateRange(row.valid_from, row.valid_until),
        EmploymentConditions(
            department_id=row.department_id,
            employment_type=EmploymentType(row.employment_type),
            hours_per_week=Decimal(row.hours_per_week),
            salary=None if row.salary is None else Money(Decimal(row.salary)),
            job_title=row.job_title,
        ),
    )


def employment_from_rows(row: Any, version_rows: list[Any]) -> Employment:
    return Employment(
        id=row.id,
        employer_id=row.employer_id,
        period=DateRange(row.start_date, row.end_date),
        versions=[version_from_row(v) for v in sorted(version_rows, key=lambda v: v.valid_from)],
        is_leading=bool(row.is_leading),
        end_reason=None if row.end_reason is None else EndReason(row.end_reason),
    )


def employment_to_row(employee_id: uuid.UUID, e: Employment) -> dict[str, Any]:
    return {
        "id": e.id,
        "employee_id": employee_id,
        "employer_id": e.employer_id,
        "start_date": e.period.start,
        "end_date": e.period.end,
        "is_leading": e.is_leading,
        "end_reason": None if e.end_reason is None else e.end_reason.value,
    }


def version_rows(e: Employment) -> list[dict[str, Any]]:
    return [
        {
            "employment_id": e.id,
            "valid_from": v.valid.start,
            "valid_until": v.valid.end,
            "department_id": v.conditions.department_id,
            "employment_type": v.conditions.employment_type.value,
            "hours_per_week": v.conditions.hours_per_week,
            "salary": None if v.conditions.salary is None else v.conditions.salary.amount,
            "job_title": v.conditions.job_title,
        }
        for v in e.versions
    ]


def employee_from_rows(
    row: Any, employment_rows: list[Any], versions: dict[uuid.UUID, list[Any]]
) -> Employee:
    return Employee(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        birth_date=row.birth_date,
        gender=Gender(row.gender),
        personnel_number=row.personnel_number,
        employments=[
            employment_from_rows(r, versions.get(r.id, []))
            for r in sorted(employment_rows, key=lambda r: (r.start_date, str(r.id)))
        ],
    )


def employee_to_row(e: Employee) -> dict[str, Any]:
    return {
        "id": e.id,
        "first_name": e.first_name,
        "last_name": e.last_name,
        "birth_date": e.birth_date,
        "gender": e.gender.value,
        "personnel_number": e.personnel_number,
    }


def dossier_from_row(row: Any) -> Dossier:
    return Dossier(
        id=row.id, unit=UnitRef(UnitKind(row.unit_kind), row.unit_id), opened_on=row.opened_on
    )


def role_from_rows(row: Any, features: list[str]) -> Role:
    return Role(
        id=row.id,
        name=row.name,
        kind=RoleKind(row.kind),
        features=frozenset(Feature(f) for f in features),
    )


def user_from_rows(row: Any, role_ids: list[uuid.UUID], units: list[Any]) -> User:
    scope = (
        Scope.all()
        if row.is_super_administrator
        else Scope(frozenset(UnitRef(UnitKind(u.unit_kind), u.unit_id) for u in units))
    )
    return User(
        id=row.id,
        name=row.name,
        email=row.email,
        role_ids=frozenset(role_ids),
        scope=scope,
        is_super_administrator=bool(row.is_super_administrator),
        active=bool(row.active),
    )
