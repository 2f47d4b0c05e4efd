"""In-memory organisation repositories, held to the SQL adapters' contract (R1.1–R1.5).

Lookups by code, employer, parent, folder and unit use the store's indexes; aggregates are
copied in and out (:func:`~xs_adapters.memory.store._copy`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from xs_adapters.memory.store import MemoryStore, _copy, _missing
from xs_adapters.memory.tables import Collection
from xs_core.errors import DomainError
from xs_core.events import Aggregate
from xs_core.organisation.model import Branch, Department, Dossier, Employee, Employer, Folder
from xs_core.organisation.search import normalise_code
from xs_core.organisation.units import UnitRef

A = TypeVar("A", bound=Aggregate)


class _Repo:
    def __init__(self, store: MemoryStore, track: Callable[[Aggregate], None]) -> None:
        self._s = store
        self._track = track


def _sorted_copies(rows: Iterable[A], key: Callable[[A], Any]) -> list[A]:
    return [_copy(row) for row in sorted(rows, key=key)]


def _by_name(unit: Folder | Employer | Department | Branch) -> tuple[str, str]:
    return (unit.name, str(unit.id))


class MemoryFolderRepository(_Repo):
    def add(self, folder: Folder) -> None:
        self._s.folders.put(folder.id, _copy(folder))
        self._track(folder)

    save = add

    def get(self, folder_id: uuid.UUID) -> Folder:
        if folder_id not in self._s.folders:
            raise _missing("folder", folder_id)
        return _copy(self._s.folders[folder_id])

    lock = get  # one writer at a time: the store's lock is held

    def list(self) -> list[Folder]:
        return _sorted_copies(self._s.folders.values(), _by_name)


def _check_code(holders: Iterable[uuid.UUID], ident: uuid.UUID, code: str | None) -> None:
    """``holders``: the units whose normalised code equals that of ``code``."""
    if code is not None and any(other != ident for other in holders):
        raise DomainError("organisation.code_in_use", {"code": code})


class MemoryEmployerRepository(_Repo):
    def _holders(self, code: str | None) -> Iterable[uuid.UUID]:
        norm = normalise_code(code)
        return () if norm is None else self._s.employers.find_keys("code", norm)

    def add(self, employer: Employer) -> None:
        _check_code(self._holders(employer.code), employer.id, employer.code)
        self._s.employers.put(employer.id, _copy(employer))
        self._track(employer)

    save = add

    def get(self, employer_id: uuid.UUID) -> Employer:
        if employer_id not in self._s.employers:
            raise _missing("employer", employer_id)
        return _copy(self._s.employers[employer_id])

    lock = get  # one writer at a time: the store's lock is held

    def find_by_code(self, code: str) -> Employer | None:
        found = self._s.employers.find("code", normalise_code(code))
        return _copy(min(found, key=lambda e: str(e.id))) if found else None

    def list(self, folder_id: uuid.UUID | None = None) -> list[Employer]:
        employers = self._s.employers
        found = employers.values() if folder_id is None else employers.find("folder", folder_id)
        return _sorted_copies(found, _by_name)


class MemoryDepartmentRepository(_Repo):
    def _holders(self, department: Department) -> Iterable[uuid.UUID]:
        norm = normalise_code(department.code)
        if norm is None:
            return ()
        return self._s.departments.find_keys("code", (department.employer_id, norm))

    def add(self, department: Department) -> None:
        if department.parent_id is not None and department.parent_id not in self._s.departments:
            raise _missing("department", department.parent_id)
        self.save(department)

    def save(self, department: Department) -> None:
        _check_code(self._holders(department), department.id, department.code)
        self._s.departments.put(department.id, _copy(department))
        self._track(department)

    def get(self, department_id: uuid.UUID) -> Department:
        if department_id not in self._s.departments:
            raise _missing("department", department_id)
        return _copy(self._s.departments[department_id])

    lock = get  # one writer at a time: the store's lock is held

    def find_by_code(self, employer_id: uuid.UUID, code: str) -> Department | None:
        norm = normalise_code(code)
        found = self._s.departments.find("code", (employer_id, norm))
        return _copy(min(found, key=lambda d: str(d.id))) if found else None

    def list_for_employer(self, employer_id: uuid.UUID) -> list[Department]:
        return _sorted_copies(self._s.departments.find("employer", employer_id), _by_name)

    def list_for_employers(self, employer_ids: Sequence[uuid.UUID]) -> list[Department]:
        return [d for e in sorted(set(employer_ids)) for d in self.list_for_employer(e)]


class MemoryBranchRepository(_Repo):
    def add(self, branch: Branch) -> None:
        self._s.branches.put(branch.id, _copy(branch))
        self._track(branch)

    save = add

    def get(self, branch_id: uuid.UUID) -> Branch:
        if branch_id not in self._s.branches:
            raise _missing("branch", branch_id)
        return _copy(self._s.branches[branch_id])

    lock = get  # one writer at a time: the store's lock is held

    def list_for_employer(self, employer_id: uuid.UUID) -> list[Branch]:
        return _sorted_copies(self._s.branches.find("employer", employer_id), _by_name)


class MemoryEmployeeRepository(_Repo):
    def add(self, employee: Employee) -> None:
        self._s.employees.put(employee.id, _copy(employee))
        self._track(employee)

    save = add

    def get(self, employee_id: uuid.UUID) -> Employee:
        if employee_id not in self._s.employees:
            raise _missing("employee", employee_id)
        return _copy(self._s.employees[employee_id])

    lock = get  # one writer at a time: the store's lock is held


class MemoryDossierRepository(_Repo):
    def add(self, dossier: Dossier) -> None:
        if self._s.dossiers.find_keys("unit", dossier.unit):
            raise DomainError("organisation.dossier_exists", {"unit": str(dossier.unit)})
        self._s.dossiers.put(dossier.id, _copy(dossier))
        self._track(dossier)

    def get(self, dossier_id: uuid.UUID) -> Dossier:
        if dossier_id not in self._s.dossiers:
            raise _missing("dossier", dossier_id)
        return _copy(self._s.dossiers[dossier_id])

    def for_unit(self, unit: UnitRef) -> Dossier | None:
        found = self._s.dossiers.find("unit", unit)
        return _copy(found[0]) if found else None


class MemoryOrganisationBulkWriter(_Repo):
    def add_all(
        self,
        folders: Sequence[Folder] = (),
        employers: Sequence[Employer] = (),
        departments: Sequence[Department] = (),
        branches: Sequence[Branch] = (),
        employees: Sequence[Employee] = (),
        dossiers: Sequence[Dossier] = (),
    ) -> None:
        groups: list[tuple[Collection[uuid.UUID, Any], Sequence[Any]]] = [
            (self._s.folders, folders),
            (self._s.employers, employers),
            (self._s.departments, departments),
            (self._s.branches, branches),
            (self._s.employees, employees),
            (self._s.dossiers, dossiers),
        ]
        for target, items in groups:
            for item in items:
                target.put(item.id, _copy(item))
                self._track(item)
