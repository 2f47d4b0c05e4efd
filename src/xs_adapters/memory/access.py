"""In-memory users, roles and scopes, held to the SQL adapters' contract (R0.6)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from xs_adapters.memory.organisation import _Repo
from xs_adapters.memory.store import MemoryStore, _copy, _missing, subtrees
from xs_core.access.model import ResolvedScope, Role, Scope, User
from xs_core.errors import DomainError
from xs_core.organisation.units import UnitKind, UnitRef


class MemoryRoleRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    def add(self, role: Role) -> None:
        self._s.roles.put(role.id, role)  # frozen: stored and returned as is

    def get(self, role_id: uuid.UUID) -> Role:
        if role_id not in self._s.roles:
            raise _missing("role", role_id)
        return self._s.roles[role_id]

    def get_many(self, role_ids: Iterable[uuid.UUID]) -> list[Role]:
        return [self._s.roles[r] for r in role_ids if r in self._s.roles]

    def list(self) -> list[Role]:
        return sorted(self._s.roles.values(), key=lambda r: (r.name, str(r.id)))


class MemoryUserRepository(_Repo):
    def add(self, user: User) -> None:
        if self.find_by_email(user.email) is not None:
            raise DomainError("access.email_in_use", {"email": user.email})
        self.save(user)

    def save(self, user: User) -> None:
        self._s.users.put(user.id, _copy(user))
        self._track(user)

    def get(self, user_id: uuid.UUID) -> User:
        if user_id not in self._s.users:
            raise _missing("user", user_id)
        return _copy(self._s.users[user_id])

    def find(self, user_id: uuid.UUID) -> User | None:
        return _copy(self._s.users[user_id]) if user_id in self._s.users else None

    lock = get  # one writer at a time: the store's lock is held

    def find_by_email(self, email: str) -> User | None:
        found = self._s.users.find("email", email.strip().casefold())
        return _copy(min(found, key=lambda u: str(u.id))) if found else None


class MemoryScopeResolver:
    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    def _department_chain(self, department_id: uuid.UUID | None) -> set[UnitRef]:
        units: set[UnitRef] = set()
        while department_id is not None and department_id in self._s.departments:
            department = self._s.departments[department_id]
            units.add(UnitRef(UnitKind.DEPARTMENT, department.id))
            units.add(UnitRef(UnitKind.EMPLOYER, department.employer_id))
            department_id = department.parent_id
        return units

    def _exists(self, unit: UnitRef) -> bool:
        collections: dict[UnitKind, Any] = {
            UnitKind.FOLDER: self._s.folders,
            UnitKind.EMPLOYER: self._s.employers,
            UnitKind.DEPARTMENT: self._s.departments,
            UnitKind.BRANCH: self._s.branches,
            UnitKind.EMPLOYEE: self._s.employees,
        }
        return unit.id in collections[unit.kind]

    def ancestors(self, unit: UnitRef) -> frozenset[UnitRef]:
        """The unit and every unit above it; empty when the unit does not exist."""
        if not self._exists(unit):
            return frozenset()
        units: set[UnitRef] = {unit}
        if unit.kind is UnitKind.DEPARTMENT:
            units |= self._department_chain(unit.id)
        elif unit.kind is UnitKind.BRANCH and unit.id in self._s.branches:
            units.add(UnitRef(UnitKind.EMPLOYER, self._s.branches[unit.id].employer_id))
        elif unit.kind is UnitKind.EMPLOYEE and unit.id in self._s.employees:
            for employment in self._s.employees[unit.id].employments:
                units.add(UnitRef(UnitKind.EMPLOYER, employment.employer_id))
                for department_id in employment.department_ids:
                    units |= self._department_chain(department_id)
        for ref in list(units):
            if ref.kind is UnitKind.EMPLOYER and ref.id in self._s.employers:
                folder_id = self._s.employers[ref.id].folder_id
                if folder_id is not None:
                    units.add(UnitRef(UnitKind.FOLDER, folder_id))
        return frozenset(units)

    def ancestors_of(self, units: Sequence[UnitRef]) -> dict[UnitRef, frozenset[UnitRef]]:
        return {unit: self.ancestors(unit) for unit in units}

    def resolve(self, scope: Scope, *, keep_folders: bool = False) -> ResolvedScope:
        if scope.everything:
            return ResolvedScope(everything=True)
        employers = {u.id for u in scope.units if u.kind is UnitKind.EMPLOYER}
        folders = frozenset(u.id for u in scope.units if u.kind is UnitKind.FOLDER)
        if not keep_folders:
            for folder in folders:
                employers |= self._s.employers.find_keys("folder", folder)
        departments = {
            u.id
            for u in scope.units
            if u.kind is UnitKind.DEPARTMENT and u.id in self._s.departments
        }
        return ResolvedScope(
            False,
            frozenset(employers),
            frozenset(subtrees(self._s, departments)),
            folders if keep_folders else frozenset(),
        )
