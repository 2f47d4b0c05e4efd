"""An in-memory store and unit of work with real transaction semantics (snapshot, rollback).

Aggregates are copied in and out, so that a change is only visible after ``save`` and only
durable after ``commit``, exactly as with the SQL adapter.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any, Self

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
from xs_adapters.memory.protocols import (
    MemoryBulkStartStore,
    MemoryProtocolRepository,
    MemoryTrajectoryRepository,
)
from xs_adapters.memory.store import MemoryStore, _copy, _missing
from xs_adapters.search_documents import (
    SearchDocument,
    department_document,
    employee_document,
    employer_document,
)
from xs_core.access.model import ResolvedScope, Role, Scope, User
from xs_core.clock import Clock
from xs_core.errors import DomainError
from xs_core.events import Aggregate, DomainEvent, EventCollector, OutboxMessage
from xs_core.organisation.model import Branch, Department, Dossier, Employee, Employer, Folder
from xs_core.organisation.search import SearchHit, SearchQuery, normalise_code, rank, sort_key
from xs_core.organisation.units import UnitKind, UnitRef


class _Repo:
    def __init__(self, store: MemoryStore, track: Callable[[Aggregate], None]) -> None:
        self._s = store
        self._track = track


class MemoryFolderRepository(_Repo):
    def add(self, folder: Folder) -> None:
        self._s.folders[folder.id] = _copy(folder)
        self._track(folder)

    save = add

    def get(self, folder_id: uuid.UUID) -> Folder:
        if folder_id not in self._s.folders:
            raise _missing("folder", folder_id)
        return _copy(self._s.folders[folder_id])

    lock = get  # one writer at a time: the store's lock is held

    def list(self) -> list[Folder]:
        return [
            _copy(f) for f in sorted(self._s.folders.values(), key=lambda f: (f.name, str(f.id)))
        ]


def _check_code(existing: Iterable[Any], ident: uuid.UUID, code: str | None) -> None:
    norm = normalise_code(code)
    if norm is None:
        return
    for other in existing:
        if other.id != ident and normalise_code(other.code) == norm:
            raise DomainError("organisation.code_in_use", {"code": code})


class MemoryEmployerRepository(_Repo):
    def add(self, employer: Employer) -> None:
        _check_code(self._s.employers.values(), employer.id, employer.code)
        self._s.employers[employer.id] = _copy(employer)
        self._track(employer)

    def save(self, employer: Employer) -> None:
        _check_code(self._s.employers.values(), employer.id, employer.code)
        self._s.employers[employer.id] = _copy(employer)
        self._track(employer)

    def get(self, employer_id: uuid.UUID) -> Employer:
        if employer_id not in self._s.employers:
            raise _missing("employer", employer_id)
        return _copy(self._s.employers[employer_id])

    lock = get  # one writer at a time: the store's lock is held

    def find_by_code(self, code: str) -> Employer | None:
        norm = normalise_code(code)
        for employer in self._s.employers.values():
            if normalise_code(employer.code) == norm:
                return _copy(employer)
        return None

    def list(self, folder_id: uuid.UUID | None = None) -> list[Employer]:
        found = [
            e for e in self._s.employers.values() if folder_id is None or e.folder_id == folder_id
        ]
        return [_copy(e) for e in sorted(found, key=lambda e: (e.name, str(e.id)))]


class MemoryDepartmentRepository(_Repo):
    def _siblings(self, department: Department) -> list[Department]:
        return [d for d in self._s.departments.values() if d.employer_id == department.employer_id]

    def add(self, department: Department) -> None:
        if department.parent_id is not None and department.parent_id not in self._s.departments:
            raise _missing("department", department.parent_id)
        _check_code(self._siblings(department), department.id, department.code)
        self._s.departments[department.id] = _copy(department)
        self._track(department)

    def save(self, department: Department) -> None:
        _check_code(self._siblings(department), department.id, department.code)
        self._s.departments[department.id] = _copy(department)
        self._track(department)

    def get(self, department_id: uuid.UUID) -> Department:
        if department_id not in self._s.departments:
            raise _missing("department", department_id)
        return _copy(self._s.departments[department_id])

    lock = get  # one writer at a time: the store's lock is held

    def find_by_code(self, employer_id: uuid.UUID, code: str) -> Department | None:
        norm = normalise_code(code)
        for d in self._s.departments.values():
            if d.employer_id == employer_id and normalise_code(d.code) == norm:
                return _copy(d)
        return None

    def list_for_employer(self, employer_id: uuid.UUID) -> list[Department]:
        found = [d for d in self._s.departments.values() if d.employer_id == employer_id]
        return [_copy(d) for d in sorted(found, key=lambda d: (d.name, str(d.id)))]


class MemoryBranchRepository(_Repo):
    def add(self, branch: Branch) -> None:
        self._s.branches[branch.id] = _copy(branch)
        self._track(branch)

    save = add

    def get(self, branch_id: uuid.UUID) -> Branch:
        if branch_id not in self._s.branches:
            raise _missing("branch", branch_id)
        return _copy(self._s.branches[branch_id])

    lock = get  # one writer at a time: the store's lock is held

    def list_for_employer(self, employer_id: uuid.UUID) -> list[Branch]:
        found = [b for b in self._s.branches.values() if b.employer_id == employer_id]
        return [_copy(b) for b in sorted(found, key=lambda b: (b.name, str(b.id)))]


class MemoryEmployeeRepository(_Repo):
    def add(self, employee: Employee) -> None:
        self._s.employees[employee.id] = _copy(employee)
        self._track(employee)

    save = add

    def get(self, employee_id: uuid.UUID) -> Employee:
        if employee_id not in self._s.employees:
            raise _missing("employee", employee_id)
        return _copy(self._s.employees[employee_id])

    lock = get  # one writer at a time: the store's lock is held


class MemoryDossierRepository(_Repo):
    def add(self, dossier: Dossier) -> None:
        if self.for_unit(dossier.unit) is not None:
            raise DomainError("organisation.dossier_exists", {"unit": str(dossier.unit)})
        self._s.dossiers[dossier.id] = _copy(dossier)
        self._track(dossier)

    def get(self, dossier_id: uuid.UUID) -> Dossier:
        if dossier_id not in self._s.dossiers:
            raise _missing("dossier", dossier_id)
        return _copy(self._s.dossiers[dossier_id])

    def for_unit(self, unit: UnitRef) -> Dossier | None:
        for dossier in self._s.dossiers.values():
            if dossier.unit == unit:
                return _copy(dossier)
        return None


class MemoryRoleRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    def add(self, role: Role) -> None:
        self._s.roles[role.id] = role

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
        self._s.users[user.id] = _copy(user)
        self._track(user)

    def save(self, user: User) -> None:
        self._s.users[user.id] = _copy(user)
        self._track(user)

    def get(self, user_id: uuid.UUID) -> User:
        if user_id not in self._s.users:
            raise _missing("user", user_id)
        return _copy(self._s.users[user_id])

    def find(self, user_id: uuid.UUID) -> User | None:
        return _copy(self._s.users[user_id]) if user_id in self._s.users else None

    lock = get

    def find_by_email(self, email: str) -> User | None:
        wanted = email.strip().casefold()
        for user in self._s.users.values():
            if user.email.casefold() == wanted:
                return _copy(user)
        return None


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
        collections: dict[UnitKind, dict[uuid.UUID, Any]] = {
            UnitKind.FOLDER: self._s.folders,
            UnitKind.EMPLOYER: self._s.employers,
            UnitKind.DEPARTMENT: self._s.departments,
            UnitKind.BRANCH: self._s.branches,
            UnitKind.EMPLOYEE: self._s.employees,
        }
        return unit.id in collections[unit.kind]

    def ancestors(self, unit: UnitRef) -> frozenset[UnitRef]:
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

    def resolve(self, scope: Scope) -> ResolvedScope:
        if scope.everything:
            return ResolvedScope(everything=True)
        employers = {u.id for u in scope.units if u.kind is UnitKind.EMPLOYER}
        folders = {u.id for u in scope.units if u.kind is UnitKind.FOLDER}
        employers |= {e.id for e in self._s.employers.values() if e.folder_id in folders}
        departments = {u.id for u in scope.units if u.kind is UnitKind.DEPARTMENT}
        departments &= set(self._s.departments)
        changed = True
        while changed:
            children = {
                d.id for d in self._s.departments.values() if d.parent_id in departments
            } - departments
            departments |= children
            changed = bool(children)
        return ResolvedScope(False, frozenset(employers), frozenset(departments))


class MemoryOrganisationSearch:
    """The ranking of R1.3 evaluated by brute force: the reference the SQL adapter must match."""

    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    def _documents(self, kinds: frozenset[UnitKind]) -> list[SearchDocument]:
        docs: list[SearchDocument] = []
        if UnitKind.EMPLOYER in kinds:
            docs += [employer_document(e) for e in self._s.employers.values()]
        if UnitKind.DEPARTMENT in kinds:
            docs += [department_document(d) for d in self._s.departments.values()]
        if UnitKind.EMPLOYEE in kinds:
            docs += [employee_document(e) for e in self._s.employees.values()]
        return docs

    def search(self, query: SearchQuery, scope: ResolvedScope) -> list[SearchHit]:
        matches: list[tuple[tuple[int, str, int, str], SearchDocument, int]] = []
        for doc in self._documents(query.kinds):
            found = rank(query.term, doc.name_norm, doc.code_norm)
            if found is None:
                continue
            if not scope.everything and not any(
                employer in scope.employer_ids or department in scope.department_ids
                for employer, department in doc.places
            ):
                continue
            matches.append((sort_key(found, doc.name_norm, doc.kind, doc.unit_id), doc, found))
        matches.sort(key=lambda m: m[0])
        page = matches[query.offset : query.offset + query.page_size]
        hits = []
        for _, doc, found in page:
            dossier = next(
                (d for d in self._s.dossiers.values() if d.unit == UnitRef(doc.kind, doc.unit_id)),
                None,
            )
            hits.append(
                SearchHit(
                    kind=doc.kind,
                    id=doc.unit_id,
                    name=doc.name,
                    code=doc.code,
                    rank=found,
                    employer_id=None,
                    dossier_id=None if dossier is None else dossier.id,
                )
            )
        return hits


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
        groups: list[tuple[dict[uuid.UUID, Any], Sequence[Any]]] = [
            (self._s.folders, folders),
            (self._s.employers, employers),
            (self._s.departments, departments),
            (self._s.branches, branches),
            (self._s.employees, employees),
            (self._s.dossiers, dossiers),
        ]
        for target, items in groups:
            for item in items:
                target[item.id] = _copy(item)
                self._track(item)


class MemoryOutbox:
    def __init__(self, store: MemoryStore, clock: Clock) -> None:
        self._s = store
        self._clock = clock

    def pending(self, limit: int = 100) -> list[OutboxMessage]:
        return [
            OutboxMessage(m["id"], m["name"], m["payload"], m["occurred_at"])
            for m in self._s.outbox
            if m["dispatched_at"] is None
        ][:limit]

    def mark_dispatched(self, message_ids: list[int]) -> None:
        wanted = set(message_ids)
        for message in self._s.outbox:
            if message["id"] in wanted:
                message["dispatched_at"] = self._clock.now()


class MemoryUnitOfWork:
    """A unit of work over a :class:`MemoryStore`; one at a time per store (a lock)."""

    def __init__(self, store: MemoryStore, clock: Clock, write: bool = True) -> None:
        self._store = store
        self._clock = clock
        self._events = EventCollector()
        self._snapshot: dict[str, Any] | None = None

    def _track(self, aggregate: Aggregate) -> None:
        self._events.track(aggregate)

    def __enter__(self) -> Self:
        self._store.lock.acquire()
        self._snapshot = self._store.snapshot()
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
        now = self._clock.now()
        for event in self._events.collect():
            self._store.outbox.append(
                {
                    "id": len(self._store.outbox) + 1,
                    "name": event.name,
                    "payload": event.payload(),
                    "occurred_at": now,
                    "dispatched_at": None,
                }
            )
        self._snapshot = self._store.snapshot()

    def rollback(self) -> None:
        if self._snapshot is not None:
            self._store.restore(self._snapshot)
            self._snapshot = self._store.snapshot()
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
            self._snapshot = None
            self._store.lock.release()
