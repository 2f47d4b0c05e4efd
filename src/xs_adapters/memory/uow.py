"""An in-memory unit of work with real transaction semantics (an undo journal, R0.5, R0.7).

Aggregates are copied in and out, so that a change is only visible after ``save`` and only
durable after ``commit``, exactly as with the SQL adapter; leaving without commit undoes every
write of the unit of work, outbox messages and indexes included.
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

import attrs
import pendulum

from xs_adapters.memory.agenda import (
    MemoryActivityRepository,
    MemoryAppointmentRepository,
    MemoryAppointmentRequestRepository,
    MemoryAvailabilityRepository,
    MemoryLocationRepository,
)
from xs_adapters.memory.billing import (
    MemoryContractModelRepository,
    MemoryInvoicingStore,
    MemoryServiceAgreementRepository,
    MemorySubscriptionRepository,
)
from xs_adapters.memory.clone import clone
from xs_adapters.memory.protocols import (
    MemoryBulkStartStore,
    MemoryProtocolRepository,
    MemoryTrajectoryRepository,
)
from xs_adapters.memory.search import MemoryOrganisationSearch
from xs_adapters.memory.store import MemoryStore, OutboxRecord, _copy, _missing, subtrees
from xs_adapters.memory.tables import Collection
from xs_core.access.model import ResolvedScope, Role, Scope, User
from xs_core.clock import Clock
from xs_core.errors import DomainError
from xs_core.events import Aggregate, DomainEvent, EventCollector, OutboxMessage
from xs_core.organisation.model import Branch, Department, Dossier, Employee, Employer, Folder
from xs_core.organisation.search import normalise_code
from xs_core.organisation.units import UnitKind, UnitRef

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

    def find_by_code(self, employer_id: uuid.UUID, code: str) -> Department | None:
        norm = normalise_code(code)
        found = self._s.departments.find("code", (employer_id, norm))
        return _copy(min(found, key=lambda d: str(d.id))) if found else None

    def list_for_employer(self, employer_id: uuid.UUID) -> list[Department]:
        return _sorted_copies(self._s.departments.find("employer", employer_id), _by_name)


class MemoryBranchRepository(_Repo):
    def add(self, branch: Branch) -> None:
        self._s.branches.put(branch.id, _copy(branch))
        self._track(branch)

    save = add

    def get(self, branch_id: uuid.UUID) -> Branch:
        if branch_id not in self._s.branches:
            raise _missing("branch", branch_id)
        return _copy(self._s.branches[branch_id])

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

    def ancestors(self, unit: UnitRef) -> frozenset[UnitRef]:
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

    def resolve(self, scope: Scope) -> ResolvedScope:
        if scope.everything:
            return ResolvedScope(everything=True)
        employers = {u.id for u in scope.units if u.kind is UnitKind.EMPLOYER}
        for folder in {u.id for u in scope.units if u.kind is UnitKind.FOLDER}:
            employers |= self._s.employers.find_keys("folder", folder)
        departments = {
            u.id
            for u in scope.units
            if u.kind is UnitKind.DEPARTMENT and u.id in self._s.departments
        }
        return ResolvedScope(False, frozenset(employers), frozenset(subtrees(self._s, departments)))


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


class MemoryOutbox:
    def __init__(self, store: MemoryStore, clock: Clock) -> None:
        self._s = store
        self._clock = clock

    def append(self, events: Iterable[DomainEvent], now: pendulum.DateTime) -> None:
        outbox = self._s.outbox
        for event in events:
            ident = len(outbox) + 1
            outbox.put(
                ident,
                OutboxRecord(id=ident, name=event.name, payload=event.payload(), occurred_at=now),
            )

    def pending(self, limit: int = 100) -> list[OutboxMessage]:
        outbox = self._s.outbox
        return [
            OutboxMessage(m.id, m.name, clone(m.payload), m.occurred_at)
            for m in (outbox[i] for i in heapq.nsmallest(limit, outbox.find_keys("pending", True)))
        ]

    def mark_dispatched(self, message_ids: list[int]) -> None:
        outbox, now = self._s.outbox, self._clock.now()
        for ident in message_ids:
            message = outbox.get(ident)
            if message is not None:
                outbox.put(ident, attrs.evolve(message, dispatched_at=now))


class MemoryUnitOfWork:
    """A unit of work over a :class:`MemoryStore`; one at a time per store (a lock).

    Writes are journaled by the store; rollback undoes the journal since the unit of work began
    (or last committed), so its cost is that of the writes, not of the store.
    """

    def __init__(self, store: MemoryStore, clock: Clock, write: bool = True) -> None:
        self._store = store
        self._clock = clock
        self._events = EventCollector()
        self._mark: int | None = None

    def _track(self, aggregate: Aggregate) -> None:
        self._events.track(aggregate)

    def __enter__(self) -> Self:
        self._store.lock.acquire()
        self._mark = self._store.begin()
        s, track = self._store, self._track
        self.folders = MemoryFolderRepository(s, track)
        self.employers = MemoryEmployerRepository(s, track)
        self.departments = MemoryDepartmentRepository(s, track)
        self.branches = MemoryBranchRepository(s, track)
        self.employees = MemoryEmployeeRepository(s, track)
        self.dossiers = MemoryDossierRepository(s, track)
        self.search = MemoryOrganisationSearch(s)
        self.bulk = MemoryOrganisationBulkWriter(s, track)
        self.users = MemoryUserRepository(s, track)
        self.roles = MemoryRoleRepository(s)
        self.scopes = MemoryScopeResolver(s)
        self.outbox = MemoryOutbox(s, self._clock)
        self.locations = MemoryLocationRepository(s, track)
        self.availabilities = MemoryAvailabilityRepository(s, track)
        self.appointment_requests = MemoryAppointmentRequestRepository(s, track)
        self.appointments = MemoryAppointmentRepository(s, track)
        self.activities = MemoryActivityRepository(s, track)
        self.protocols = MemoryProtocolRepository(s, track)
        self.trajectories = MemoryTrajectoryRepository(s, track)
        self.bulk_starts = MemoryBulkStartStore(s)
        self.contract_models = MemoryContractModelRepository(s, track)
        self.service_agreements = MemoryServiceAgreementRepository(s, track)
        self.subscriptions = MemorySubscriptionRepository(s, track)
        self.invoicing = MemoryInvoicingStore(s, track)
        return self

    def publish(self, event: DomainEvent) -> None:
        self._events.publish(event)

    def commit(self) -> None:
        self.outbox.append(self._events.collect(), self._clock.now())
        self._mark = self._store.commit()

    def rollback(self) -> None:
        if self._mark is not None:
            self._store.rollback(self._mark)
        self._events.discard()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self._mark = None
            self._store.end()
            self._store.lock.release()
