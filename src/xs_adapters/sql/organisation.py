"""SQL repositories of the organisation context (R1.1–R1.5)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xs_adapters.search_documents import (
    department_document,
    employee_document,
    employer_document,
)
from xs_adapters.sql import mappers, search_index
from xs_adapters.sql import tables as t
from xs_adapters.sql.copy import insert_rows
from xs_adapters.sql.locking import lock_row
from xs_core.errors import DomainError, NotFound
from xs_core.events import Aggregate
from xs_core.organisation.model import Branch, Department, Dossier, Employee, Employer, Folder
from xs_core.organisation.search import normalise_code
from xs_core.organisation.units import UnitKind, UnitRef

Track = Callable[[Aggregate], None]


def _not_found(kind: str, ident: uuid.UUID) -> NotFound:
    return NotFound("not_found", {"kind": kind, "id": str(ident)})


def _code_in_use(code: str | None) -> DomainError:
    return DomainError("organisation.code_in_use", {"code": code})


class _Repo:
    def __init__(self, connection: Connection, track: Track) -> None:
        self._c = connection
        self._track = track


class SqlFolderRepository(_Repo):
    def add(self, folder: Folder) -> None:
        self._c.execute(t.folders.insert().values(id=folder.id, name=folder.name))
        self._track(folder)

    def save(self, folder: Folder) -> None:
        self._c.execute(
            t.folders.update().where(t.folders.c.id == folder.id).values(name=folder.name)
        )
        self._track(folder)

    def get(self, folder_id: uuid.UUID) -> Folder:
        row = self._c.execute(sa.select(t.folders).where(t.folders.c.id == folder_id)).first()
        if row is None:
            raise _not_found("folder", folder_id)
        return mappers.folder_from_row(row)

    def lock(self, folder_id: uuid.UUID) -> Folder:
        """The Folder locked until the transaction ends (read-check-write)."""
        lock_row(self._c, t.folders, folder_id)
        return self.get(folder_id)

    def list(self) -> list[Folder]:
        rows = self._c.execute(sa.select(t.folders).order_by(t.folders.c.name, t.folders.c.id))
        return [mappers.folder_from_row(r) for r in rows]


def _employer_values(e: Employer) -> dict[str, Any]:
    return {
        "id": e.id,
        "name": e.name,
        "code": e.code,
        "code_norm": normalise_code(e.code),
        "folder_id": e.folder_id,
        "vat_number": None if e.vat_number is None else str(e.vat_number),
    }


def _contact_rows(e: Employer) -> list[dict[str, Any]]:
    return [
        {
            "id": p.id,
            "employer_id": e.id,
            "position": i,
            "name": p.name,
            "role": p.role,
            "email": p.email,
            "phone": p.phone,
        }
        for i, p in enumerate(e.contact_persons)
    ]


class SqlEmployerRepository(_Repo):
    def add(self, employer: Employer) -> None:
        try:
            with self._c.begin_nested():
                self._c.execute(t.employers.insert().values(**_employer_values(employer)))
        except sa.exc.IntegrityError:
            raise _code_in_use(employer.code) from None
        if employer.contact_persons:
            self._c.execute(t.employer_contact_persons.insert(), _contact_rows(employer))
        search_index.write(self._c, [employer_document(employer)], replace=False)
        self._track(employer)

    def save(self, employer: Employer) -> None:
        values = _employer_values(employer)
        try:
            with self._c.begin_nested():
                self._c.execute(
                    t.employers.update().where(t.employers.c.id == employer.id).values(**values)
                )
        except sa.exc.IntegrityError:
            raise _code_in_use(employer.code) from None
        self._c.execute(
            t.employer_contact_persons.delete().where(
                t.employer_contact_persons.c.employer_id == employer.id
            )
        )
        if employer.contact_persons:
            self._c.execute(t.employer_contact_persons.insert(), _contact_rows(employer))
        search_index.write(self._c, [employer_document(employer)], replace=True)
        self._track(employer)

    def _load(self, rows: Sequence[Any]) -> list[Employer]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        contacts: dict[uuid.UUID, list[Any]] = {i: [] for i in ids}
        for c in self._c.execute(
            sa.select(t.employer_contact_persons).where(
                t.employer_contact_persons.c.employer_id.in_(ids)
            )
        ):
            contacts[c.employer_id].append(c)
        return [mappers.employer_from_rows(r, contacts[r.id]) for r in rows]

    def get(self, employer_id: uuid.UUID) -> Employer:
        row = self._c.execute(sa.select(t.employers).where(t.employers.c.id == employer_id)).first()
        if row is None:
            raise _not_found("employer", employer_id)
        return self._load([row])[0]

    def lock(self, employer_id: uuid.UUID) -> Employer:
        """The Employer locked until the transaction ends (read-check-write)."""
        lock_row(self._c, t.employers, employer_id)
        return self.get(employer_id)

    def find_by_code(self, code: str) -> Employer | None:
        row = self._c.execute(
            sa.select(t.employers).where(t.employers.c.code_norm == normalise_code(code))
        ).first()
        return None if row is None else self._load([row])[0]

    def list(self, folder_id: uuid.UUID | None = None) -> list[Employer]:
        query = sa.select(t.employers).order_by(t.employers.c.name, t.employers.c.id)
        if folder_id is not None:
            query = query.where(t.employers.c.folder_id == folder_id)
        return self._load(list(self._c.execute(query)))


def _department_values(d: Department) -> dict[str, Any]:
    return {
        "id": d.id,
        "employer_id": d.employer_id,
        "parent_id": d.parent_id,
        "name": d.name,
        "code": d.code,
        "code_norm": normalise_code(d.code),
    }


class SqlDepartmentRepository(_Repo):
    def add(self, department: Department) -> None:
        try:
            with self._c.begin_nested():
                self._c.execute(t.departments.insert().values(**_department_values(department)))
        except sa.exc.IntegrityError:
            raise _code_in_use(department.code) from None
        search_index.write(self._c, [department_document(department)], replace=False)
        self._track(department)

    def save(self, department: Department) -> None:
        try:
            with self._c.begin_nested():
                self._c.execute(
                    t.departments.update()
                    .where(t.departments.c.id == department.id)
                    .values(**_department_values(department))
                )
        except sa.exc.IntegrityError:
            raise _code_in_use(department.code) from None
        search_index.write(self._c, [department_document(department)], replace=True)
        self._track(department)

    def get(self, department_id: uuid.UUID) -> Department:
        row = self._c.execute(
            sa.select(t.departments).where(t.departments.c.id == department_id)
        ).first()
        if row is None:
            raise _not_found("department", department_id)
        return mappers.department_from_row(row)

    def lock(self, department_id: uuid.UUID) -> Department:
        """The Department locked until the transaction ends (read-check-write)."""
        lock_row(self._c, t.departments, department_id)
        return self.get(department_id)

    def find_by_code(self, employer_id: uuid.UUID, code: str) -> Department | None:
        row = self._c.execute(
            sa.select(t.departments).where(
                t.departments.c.employer_id == employer_id,
                t.departments.c.code_norm == normalise_code(code),
            )
        ).first()
        return None if row is None else mappers.department_from_row(row)

    def list_for_employer(self, employer_id: uuid.UUID) -> list[Department]:
        rows = self._c.execute(
            sa.select(t.departments)
            .where(t.departments.c.employer_id == employer_id)
            .order_by(t.departments.c.name, t.departments.c.id)
        )
        return [mappers.department_from_row(r) for r in rows]

    def list_for_employers(self, employer_ids: Sequence[uuid.UUID]) -> list[Department]:
        d = t.departments
        wanted = sorted(set(employer_ids))
        found: list[Department] = []
        for start in range(0, len(wanted), 1000):
            rows = self._c.execute(
                sa.select(d)
                .where(d.c.employer_id.in_(wanted[start : start + 1000]))
                .order_by(d.c.employer_id, d.c.name, d.c.id)
            )
            found.extend(mappers.department_from_row(r) for r in rows)
        return found


def _branch_values(b: Branch) -> dict[str, Any]:
    return {
        "id": b.id,
        "employer_id": b.employer_id,
        "name": b.name,
        "code": b.code,
        "street": b.address.street,
        "house_number": b.address.house_number,
        "postcode": b.address.postcode,
        "city": b.address.city,
    }


class SqlBranchRepository(_Repo):
    def add(self, branch: Branch) -> None:
        self._c.execute(t.branches.insert().values(**_branch_values(branch)))
        self._track(branch)

    def save(self, branch: Branch) -> None:
        self._c.execute(
            t.branches.update().where(t.branches.c.id == branch.id).values(**_branch_values(branch))
        )
        self._track(branch)

    def get(self, branch_id: uuid.UUID) -> Branch:
        row = self._c.execute(sa.select(t.branches).where(t.branches.c.id == branch_id)).first()
        if row is None:
            raise _not_found("branch", branch_id)
        return mappers.branch_from_row(row)

    def lock(self, branch_id: uuid.UUID) -> Branch:
        """The Branch locked until the transaction ends (read-check-write)."""
        lock_row(self._c, t.branches, branch_id)
        return self.get(branch_id)

    def list_for_employer(self, employer_id: uuid.UUID) -> list[Branch]:
        rows = self._c.execute(
            sa.select(t.branches)
            .where(t.branches.c.employer_id == employer_id)
            .order_by(t.branches.c.name, t.branches.c.id)
        )
        return [mappers.branch_from_row(r) for r in rows]


def write_employments(connection: Connection, employees: Sequence[Employee]) -> None:
    """Insert the employments and their versions of ``employees`` (two statements)."""
    rows = [mappers.employment_to_row(e.id, m) for e in employees for m in e.employments]
    insert_rows(connection, t.employments, rows)
    insert_rows(
        connection,
        t.employment_versions,
        [v for e in employees for m in e.employments for v in mappers.version_rows(m)],
    )


class SqlEmployeeRepository(_Repo):
    def add(self, employee: Employee) -> None:
        self._c.execute(t.employees.insert().values(**mappers.employee_to_row(employee)))
        write_employments(self._c, [employee])
        search_index.write(self._c, [employee_document(employee)], replace=False)
        self._track(employee)

    def save(self, employee: Employee) -> None:
        self._c.execute(
            t.employees.update()
            .where(t.employees.c.id == employee.id)
            .values(**mappers.employee_to_row(employee))
        )
        self._write_employments(employee)
        search_index.write(self._c, [employee_document(employee)], replace=True)
        self._track(employee)

    def _write_employments(self, employee: Employee) -> None:
        """Update the employments in place (their versions are rewritten). Deleting and
        re-inserting them would set the ``employment_id`` of their trajectories to NULL
        (``ON DELETE SET NULL``), and on PostgreSQL a trajectory started meanwhile would fail
        its foreign-key check against the deleted row; an ``UPDATE`` takes only a NO KEY
        UPDATE row lock, which leaves such checks (KEY SHARE) alone."""
        m, v = t.employments, t.employment_versions
        stored_ids = set(
            self._c.execute(sa.select(m.c.id).where(m.c.employee_id == employee.id)).scalars()
        )
        kept = {e.id for e in employee.employments}
        if stored_ids:
            self._c.execute(v.delete().where(v.c.employment_id.in_(sorted(stored_ids))))
        gone = sorted(stored_ids - kept)
        if gone:
            self._c.execute(m.delete().where(m.c.id.in_(gone)))
        rows = [mappers.employment_to_row(employee.id, e) for e in employee.employments]
        changed = [r for r in rows if r["id"] in stored_ids]
        if changed:
            columns = [c for c in changed[0] if c != "id"]
            self._c.execute(
                m.update()
                .where(m.c.id == sa.bindparam("p_id"))
                .values({c: sa.bindparam(f"p_{c}") for c in columns}),
                [{f"p_{c}": x for c, x in r.items()} for r in changed],
            )
        insert_rows(self._c, m, [r for r in rows if r["id"] not in stored_ids])
        insert_rows(self._c, v, [x for e in employee.employments for x in mappers.version_rows(e)])

    def get(self, employee_id: uuid.UUID) -> Employee:
        row = self._c.execute(sa.select(t.employees).where(t.employees.c.id == employee_id)).first()
        if row is None:
            raise _not_found("employee", employee_id)
        employments = list(
            self._c.execute(
                sa.select(t.employments).where(t.employments.c.employee_id == employee_id)
            )
        )
        versions: dict[uuid.UUID, list[Any]] = {}
        if employments:
            for v in self._c.execute(
                sa.select(t.employment_versions).where(
                    t.employment_versions.c.employment_id.in_([e.id for e in employments])
                )
            ):
                versions.setdefault(v.employment_id, []).append(v)
        return mappers.employee_from_rows(row, employments, versions)

    def lock(self, employee_id: uuid.UUID) -> Employee:
        """The Employee locked until the transaction ends (read-check-write)."""
        lock_row(self._c, t.employees, employee_id)
        return self.get(employee_id)


class SqlDossierRepository(_Repo):
    def add(self, dossier: Dossier) -> None:
        try:
            with self._c.begin_nested():
                self._c.execute(
                    t.dossiers.insert().values(
                        id=dossier.id,
                        unit_kind=dossier.unit.kind.value,
                        unit_id=dossier.unit.id,
                        opened_on=dossier.opened_on,
                    )
                )
        except sa.exc.IntegrityError:
            raise DomainError("organisation.dossier_exists", {"unit": str(dossier.unit)}) from None
        self._track(dossier)

    def get(self, dossier_id: uuid.UUID) -> Dossier:
        row = self._c.execute(sa.select(t.dossiers).where(t.dossiers.c.id == dossier_id)).first()
        if row is None:
            raise _not_found("dossier", dossier_id)
        return mappers.dossier_from_row(row)

    def for_unit(self, unit: UnitRef) -> Dossier | None:
        row = self._c.execute(
            sa.select(t.dossiers).where(
                t.dossiers.c.unit_kind == unit.kind.value, t.dossiers.c.unit_id == unit.id
            )
        ).first()
        return None if row is None else mappers.dossier_from_row(row)


def dossier_ids(
    connection: Connection, units: Sequence[tuple[UnitKind, uuid.UUID]]
) -> dict[tuple[UnitKind, uuid.UUID], uuid.UUID]:
    """Dossier ids of many units in one query."""
    if not units:
        return {}
    by_kind: dict[UnitKind, list[uuid.UUID]] = {}
    for kind, unit_id in units:
        by_kind.setdefault(kind, []).append(unit_id)
    rows = connection.execute(
        sa.select(t.dossiers.c.id, t.dossiers.c.unit_kind, t.dossiers.c.unit_id).where(
            sa.or_(
                *(
                    sa.and_(t.dossiers.c.unit_kind == kind.value, t.dossiers.c.unit_id.in_(ids))
                    for kind, ids in by_kind.items()
                )
            )
        )
    )
    return {(UnitKind(r.unit_kind), r.unit_id): r.id for r in rows}
