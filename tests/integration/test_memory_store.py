"""The in-memory store's undo journal, indexes and copies (R0.5, R0.7, R1.3), memory only.

A hypothesis state machine runs units of work of random writes through the repositories on a
few stores (forks and restored snapshots of each other) and compares each store after every
unit of work with a naive model: a deep copy of every collection taken at the last commit — what
the store held before it had a journal. After each step every index lookup, the outbox and the
search are checked against values computed here from the rows by brute force.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as _dt
import uuid
from collections.abc import Callable, Hashable
from typing import Any

import pendulum
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from xs_adapters.clock import FixedClock
from xs_adapters.memory import MemoryStore, MemoryUnitOfWork, fork
from xs_adapters.search_documents import (
    department_document,
    employee_document,
    employer_document,
)
from xs_core.access.model import ResolvedScope, Scope, User
from xs_core.agenda.model import Activity, ActivityStatus, Availability
from xs_core.agenda.spans import TimeSpan
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.organisation.events import DossierOpened
from xs_core.organisation.model import Department, Dossier, Employee, Employer, Employment, Folder
from xs_core.organisation.search import SearchQuery, normalise, normalise_code, rank, sort_key
from xs_core.organisation.units import UnitKind

CLOCK = FixedClock.on(_dt.date(2026, 11, 29))
NAMES = ["Jansen", "Öztürk", "de Vries", "Jan Bakker", "Zoë"]
CODES = [None, "A1", "a1", "B2"]
EMAILS = ["a@example.nl", "A@example.nl", "b@example.nl"]
TERMS = ["jan", "oz", "a1", "de", "b2", "zoe", "qq"]
APPOINTMENTS = [uuid.UUID(int=1), uuid.UUID(int=2)]
LOCATIONS = [uuid.UUID(int=3), uuid.UUID(int=4)]
MONDAY = pendulum.datetime(2027, 1, 4, tz="Europe/Amsterdam")

Model = dict[str, dict[Any, Any]]


def observe(store: MemoryStore) -> Model:
    """Every row of every collection, deep-copied: the naive model of a committed state."""
    return {name: copy.deepcopy(dict(c.items())) for name, c in store.collections().items()}


class Ids:
    """Deterministic ids, so that hypothesis replays a failure exactly."""

    def __init__(self) -> None:
        self.next = 100

    def __call__(self) -> uuid.UUID:
        self.next += 1
        return uuid.UUID(int=self.next)


def _pick(rows: dict[uuid.UUID, Any], index: int) -> Any | None:
    keys = sorted(rows, key=str)
    return rows[keys[index % len(keys)]] if keys else None


#: One write through the repositories: (name, small integers that choose what to write).
writes = st.tuples(
    st.sampled_from(
        [
            "folder",
            "employer",
            "change_employer",
            "department",
            "employee",
            "add_employment",
            "dossier",
            "user",
            "activity",
            "delete_activity",
            "availability",
            "publish",
            "dispatch",
            "commit",
        ]
    ),
    st.integers(0, 7),
    st.integers(0, 7),
    st.integers(0, 7),
)


def apply(
    uow: MemoryUnitOfWork, store: MemoryStore, ids: Ids, write: tuple[str, int, int, int]
) -> None:
    """Perform one write; a refusal (a DomainError) leaves the store as it was."""
    name, a, b, c = write
    rows = {n: dict(coll.items()) for n, coll in store.collections().items()}
    folder = _pick(rows["folders"], a) if b % 2 else None
    employer = _pick(rows["employers"], a)
    department = _pick(rows["departments"], b)
    employee = _pick(rows["employees"], c)
    if name == "folder":
        uow.folders.add(Folder.create(NAMES[a % len(NAMES)], ids()))
    elif name == "employer":
        uow.employers.add(
            Employer.create(
                NAMES[a % len(NAMES)],
                CODES[b % len(CODES)],
                None if folder is None else folder.id,
                ids(),
            )
        )
    elif name == "change_employer" and employer is not None:
        changed = uow.employers.get(employer.id)
        changed.name, changed.code = NAMES[b % len(NAMES)], CODES[c % len(CODES)]
        changed.folder_id = None if folder is None else folder.id
        uow.employers.save(changed)
    elif name == "department" and employer is not None:
        parent = department if department and department.employer_id == employer.id else None
        uow.departments.add(
            Department.create(
                employer.id,
                NAMES[b % len(NAMES)],
                CODES[c % len(CODES)],
                None if parent is None or c % 2 else parent.id,
                ids(),
            )
        )
    elif name == "employee":
        new = Employee.register(NAMES[a % len(NAMES)], NAMES[b % len(NAMES)], employee_id=ids())
        if employer is not None and c % 3:
            new.add_employment(_employment(ids, employer, department))
        uow.employees.add(new)
    elif name == "add_employment" and employee is not None and employer is not None:
        changed = uow.employees.get(employee.id)
        changed.add_employment(_employment(ids, employer, department))
        uow.employees.save(changed)
    elif name == "dossier":
        units = [e.ref for e in (employer, department, employee) if e is not None]
        if units:
            unit = units[c % len(units)]
            uow.dossiers.add(Dossier(id=ids(), unit=unit, opened_on=pendulum.Date(2026, 1, 1)))
    elif name == "user":
        uow.users.add(User.create("Gebruiker", EMAILS[a % len(EMAILS)], user_id=ids()))
    elif name == "activity" and employee is not None:
        appointment = APPOINTMENTS[a % 2] if b % 3 else None
        uow.activities.add(
            Activity(
                id=ids(),
                professional_id=uuid.UUID(int=9),
                employee_id=employee.id,
                activity_type="Consult",
                performed_on=pendulum.Date(2026, 11, 1 + c),
                appointment_id=appointment,
                status=ActivityStatus.RELEASED,
            )
        )
    elif name == "delete_activity":
        activity = _pick(rows["activities"], a)
        if activity is not None:
            uow.activities.delete([activity.id])
    elif name == "availability":
        start = MONDAY.add(days=a, hours=b * 3)
        span = TimeSpan(start, start.add(hours=1 + c * 5))  # up to 36 hours: several days
        location = LOCATIONS[c % 2]
        uow.availabilities.add_all(
            [Availability(id=ids(), professional_id=ids(), location_id=location, span=span)]
        )
    elif name == "publish":
        uow.publish(
            DossierOpened(
                dossier_id=uuid.UUID(int=a), unit_kind=UnitKind.EMPLOYER, unit_id=uuid.UUID(int=b)
            )
        )
    elif name == "dispatch":
        known = [i for i in (1 + a, 1 + b) if i in uow_store(uow).outbox]
        uow.outbox.acknowledge("default", known)
    elif name == "commit":
        uow.commit()


def uow_store(uow: MemoryUnitOfWork) -> MemoryStore:
    return uow._store  # the store under test: only ids it holds are acknowledged


def _employment(ids: Ids, employer: Employer, department: Department | None) -> Employment:
    inside = department if department and department.employer_id == employer.id else None
    return Employment.create(
        id=ids(),
        employer_id=employer.id,
        period=DateRange(_dt.date(2020, 1, 1)),
        department_id=None if inside is None else inside.id,
    )


#: What each index must hold, stated here: the keys of a row under ``(collection, index)``.
INDEXES: dict[tuple[str, str], Callable[[Any], set[Hashable]]] = {
    ("employers", "code"): lambda e: {normalise_code(e.code)} - {None},
    ("employers", "folder"): lambda e: {e.folder_id},
    ("departments", "code"): lambda d: (
        {(d.employer_id, normalise_code(d.code))} if d.code else set()
    ),
    ("departments", "employer"): lambda d: {d.employer_id},
    ("departments", "parent"): lambda d: {d.parent_id} - {None},
    ("dossiers", "unit"): lambda d: {d.unit},
    ("users", "email"): lambda u: {u.email.casefold()},
    ("activities", "appointment"): lambda a: {a.appointment_id} - {None},
}


def reference_search(
    rows: Model, term: str, visible: Callable[[Any], bool] | None
) -> list[tuple[UnitKind, uuid.UUID, int]]:
    """R1.3 by brute force over the rows (as tests/contract/test_search.py states it)."""
    units = [(UnitKind.EMPLOYER, e, e.name, e.code) for e in rows["employers"].values()]
    units += [(UnitKind.DEPARTMENT, d, d.name, d.code) for d in rows["departments"].values()]
    units += [(UnitKind.EMPLOYEE, e, e.full_name, None) for e in rows["employees"].values()]
    found = []
    for kind, unit, name, code in units:
        r = rank(term, normalise(name), normalise_code(code))
        if r is not None and (visible is None or visible(unit)):
            found.append((sort_key(r, normalise(name), kind, unit.id), (kind, unit.id, r)))
    return [f[1] for f in sorted(found, key=lambda f: f[0])][:200]


class Tracked:
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.committed = observe(store)


class MemoryStoreMachine(RuleBasedStateMachine):
    """Random units of work on a store, its forks and its restored snapshots."""

    @initialize(slack=st.sampled_from([0, 1, 1000]))
    def start(self, slack: int) -> None:
        self.ids = Ids()
        self.tracked = [Tracked(MemoryStore(search_slack=slack))]
        self.snapshots: list[tuple[MemoryStore, Model]] = []
        self.keys: dict[tuple[str, str], set[Hashable]] = {k: set() for k in INDEXES}

    @rule(
        which=st.integers(0, 3),
        writes=st.lists(writes, max_size=10),
        commit=st.booleans(),
    )
    def unit_of_work(
        self, which: int, writes: list[tuple[str, int, int, int]], commit: bool
    ) -> None:
        tracked = self.tracked[which % len(self.tracked)]
        with MemoryUnitOfWork(tracked.store, CLOCK) as uow:
            for write in writes:
                with contextlib.suppress(DomainError):  # a refusal changes nothing
                    apply(uow, tracked.store, self.ids, write)
                if write[0] == "commit":
                    tracked.committed = observe(tracked.store)
            self.check_lookups(uow, tracked.store)  # the uncommitted state is consistent too
            if commit:
                uow.commit()
                tracked.committed = observe(tracked.store)
        assert observe(tracked.store) == tracked.committed

    @rule(which=st.integers(0, 3))
    def fork(self, which: int) -> None:
        if len(self.tracked) < 4:
            original = self.tracked[which % len(self.tracked)]
            forked = Tracked(fork(original.store))
            assert forked.committed == original.committed
            self.tracked.append(forked)

    @rule(which=st.integers(0, 3))
    def snapshot(self, which: int) -> None:
        tracked = self.tracked[which % len(self.tracked)]
        self.snapshots.append((tracked.store.snapshot(), copy.deepcopy(tracked.committed)))

    @rule(which=st.integers(0, 3), chosen=st.integers(0, 3))
    def restore(self, which: int, chosen: int) -> None:
        if self.snapshots:
            snapshot, model = self.snapshots[chosen % len(self.snapshots)]
            tracked = self.tracked[which % len(self.tracked)]
            tracked.store.restore(snapshot)
            tracked.committed = copy.deepcopy(model)

    @invariant()
    def every_store_holds_what_it_committed(self) -> None:
        for tracked in getattr(self, "tracked", []):
            assert observe(tracked.store) == tracked.committed
            with MemoryUnitOfWork(tracked.store, CLOCK, write=False) as uow:
                self.check_lookups(uow, tracked.store)
        for snapshot, model in getattr(self, "snapshots", []):
            assert observe(snapshot) == model  # a snapshot never changes

    def check_lookups(self, uow: MemoryUnitOfWork, store: MemoryStore) -> None:
        rows = {name: dict(c.items()) for name, c in store.collections().items()}
        for (name, index), keys_of in INDEXES.items():
            for row in rows[name].values():
                self.keys[name, index] |= keys_of(row)
            for key in self.keys[name, index]:  # keys of rolled-back rows included
                expected = {pk for pk, row in rows[name].items() if key in keys_of(row)}
                assert set(store.collections()[name].find_keys(index, key)) == expected
        position = rows["outbox_positions"].get("default", 0)
        acknowledged = {i for (sub, i), c in rows["outbox_claims"].items() if c.acknowledged}
        pending = sorted(i for i in rows["outbox"] if i > position and i not in acknowledged)
        assert [m.id for m in uow.outbox.pending(10_000, "default")] == pending
        for location in LOCATIONS:
            for day in range(0, 10, 3):
                probe = TimeSpan(MONDAY.add(days=day, hours=5), MONDAY.add(days=day, hours=30))
                expected_spans = {
                    a.id
                    for a in rows["availabilities"].values()
                    if a.location_id == location and a.span.overlaps(probe)
                }
                found = uow.availabilities.overlapping(location, probe)
                assert sorted(i for i, _ in found) == sorted(expected_spans, key=lambda i: i.int)
        self.check_search(uow, rows)

    def check_search(self, uow: MemoryUnitOfWork, rows: Model) -> None:
        everything = ResolvedScope(everything=True)
        employers = sorted(rows["employers"], key=str)[:1]
        departments = sorted(rows["departments"], key=str)[:1]
        limited = ResolvedScope(False, frozenset(employers), frozenset(departments))
        documents = {
            UnitKind.EMPLOYER: employer_document,
            UnitKind.DEPARTMENT: department_document,
            UnitKind.EMPLOYEE: employee_document,
        }

        def in_limited(unit: Any) -> bool:
            return any(
                e in limited.employer_ids or d in limited.department_ids
                for e, d in documents[unit.ref.kind](unit).places
            )

        for term in TERMS:
            query = SearchQuery.create(term, page_size=200)
            for scope, visible in ((everything, None), (limited, in_limited)):
                hits = uow.search.search(query, scope)
                assert [(h.kind, h.id, h.rank) for h in hits] == reference_search(
                    rows, term, visible
                )


MemoryStoreMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25)
TestMemoryStoreMachine = MemoryStoreMachine.TestCase


def test_r0_5_rollback_restores_rows_indexes_and_outbox_after_mixed_writes() -> None:
    """Writes to every kind of collection, left without commit, leave no trace in the rows, the
    lookups, the search or the outbox."""
    store = MemoryStore(search_slack=0)
    folder = Folder.create("Map Noord")
    employer = Employer.create("Bakkerij Jansen", "A1", folder.id)
    department = Department.create(employer.id, "Inkoop", "I1")
    person = Employee.register("Anna", "de Vries")
    person.add_employment(
        Employment.create(
            id=uuid.uuid4(),
            employer_id=employer.id,
            period=DateRange(_dt.date(2020, 1, 1)),
            department_id=department.id,
        )
    )
    kept = Activity.register(uuid.uuid4(), person.id, "Consult", _dt.date(2026, 11, 2))
    with MemoryUnitOfWork(store, CLOCK) as uow:
        uow.bulk.add_all(
            folders=[folder], employers=[employer], departments=[department], employees=[person]
        )
        uow.activities.add(kept)
        uow.commit()
    before = observe(store)
    assert len(before["outbox"]) == 6  # 4 creations, the employment, the activity

    other = Employer.create("Slagerij Öztürk", "B2")
    span = TimeSpan(MONDAY, MONDAY.add(hours=2))
    with MemoryUnitOfWork(store, CLOCK) as uow:
        uow.employers.add(other)
        changed = uow.employers.get(employer.id)
        changed.name, changed.code, changed.folder_id = "Nieuwe Naam", "C3", None
        uow.employers.save(changed)
        uow.departments.add(Department.create(employer.id, "Verkoop", "X1", department.id))
        newcomer = Employee.register("Bram", "Bakker")
        uow.employees.add(newcomer)
        moved = uow.employees.get(person.id)
        moved.add_employment(
            Employment.create(
                id=uuid.uuid4(), employer_id=other.id, period=DateRange(_dt.date(2026, 1, 1))
            )
        )
        uow.employees.save(moved)
        uow.dossiers.add(Dossier(id=uuid.uuid4(), unit=employer.ref, opened_on=CLOCK.today()))
        uow.users.add(User.create("Gebruiker", "a@example.nl"))
        uow.activities.add(
            Activity(
                id=uuid.uuid4(),
                professional_id=uuid.uuid4(),
                employee_id=person.id,
                activity_type="Consult",
                performed_on=pendulum.Date(2026, 11, 3),
                appointment_id=APPOINTMENTS[0],
            )
        )
        uow.activities.delete([kept.id])
        uow.availabilities.add_all(
            [
                Availability(
                    id=uuid.uuid4(),
                    professional_id=uuid.uuid4(),
                    location_id=LOCATIONS[0],
                    span=span,
                )
            ]
        )
        uow.publish(
            DossierOpened(dossier_id=uuid.uuid4(), unit_kind=UnitKind.EMPLOYER, unit_id=employer.id)
        )
        uow.outbox.acknowledge("default", [1, 2])
        # inside the unit of work every lookup sees the writes
        assert uow.employers.find_by_code("b2") is not None
        assert uow.employers.find_by_code("A1") is None
        assert uow.employers.list(folder.id) == []
        assert uow.departments.find_by_code(employer.id, "x1") is not None
        assert uow.users.find_by_email("A@example.nl") is not None
        assert uow.dossiers.for_unit(employer.ref) is not None
        assert len(uow.activities.for_appointment(APPOINTMENTS[0])) == 1
        assert len(uow.availabilities.overlapping(LOCATIONS[0], span)) == 1
        assert [m.id for m in uow.outbox.pending(100, "default")] == [3, 4, 5, 6]
        hits = uow.search.search(SearchQuery.create("nieuwe"), ResolvedScope(everything=True))
        assert [h.id for h in hits] == [employer.id]

    assert observe(store) == before
    with MemoryUnitOfWork(store, CLOCK, write=False) as uow:
        assert uow.employers.find_by_code("b2") is None
        assert uow.employers.find_by_code("c3") is None
        assert [e.id for e in uow.employers.list(folder.id)] == [employer.id]
        assert uow.departments.find_by_code(employer.id, "x1") is None
        assert [d.id for d in uow.departments.list_for_employer(employer.id)] == [department.id]
        assert uow.scopes.resolve(Scope.of([folder.ref])).employer_ids == {employer.id}
        assert uow.users.find_by_email("a@example.nl") is None
        assert uow.dossiers.for_unit(employer.ref) is None
        assert uow.activities.for_appointment(APPOINTMENTS[0]) == []
        assert uow.activities.get(kept.id).id == kept.id
        assert uow.availabilities.overlapping(LOCATIONS[0], span) == []
        assert [m.id for m in uow.outbox.pending(100, "default")] == [1, 2, 3, 4, 5, 6]
        everything = ResolvedScope(everything=True)
        assert uow.search.search(SearchQuery.create("nieuwe"), everything) == []
        assert uow.search.search(SearchQuery.create("oztu"), everything) == []
        found = uow.search.search(SearchQuery.create("bakkerij"), everything)
        assert [h.id for h in found] == [employer.id]
        in_other = ResolvedScope(False, frozenset({other.id}), frozenset())
        assert uow.search.search(SearchQuery.create("anna"), in_other) == []


def _loaded() -> tuple[MemoryStore, Employer, Department]:
    store = MemoryStore(search_slack=0)
    employer = Employer.create("Bakkerij Jansen", "A1")
    department = Department.create(employer.id, "Inkoop")
    with MemoryUnitOfWork(store, CLOCK) as uow:
        uow.bulk.add_all(employers=[employer], departments=[department])
        uow.commit()
    return store, employer, department


def _names(store: MemoryStore, employer: Employer) -> list[str]:
    with MemoryUnitOfWork(store, CLOCK, write=False) as uow:
        return [d.name for d in uow.departments.list_for_employer(employer.id)]


def _search(store: MemoryStore, term: str) -> list[str]:
    with MemoryUnitOfWork(store, CLOCK, write=False) as uow:
        hits = uow.search.search(SearchQuery.create(term), ResolvedScope(everything=True))
        return [h.name for h in hits]


def test_r0_5_a_fork_and_its_original_never_see_each_others_writes() -> None:
    store, employer, _ = _loaded()
    forked = fork(store)
    with MemoryUnitOfWork(forked, CLOCK) as uow:
        uow.departments.add(Department.create(employer.id, "Verkoop"))  # the same index bucket
        changed = uow.employers.get(employer.id)
        changed.change(code="Z9")
        uow.employers.save(changed)
        uow.employees.add(Employee.register("Anna", "Verkerk"))
        uow.commit()
    with MemoryUnitOfWork(store, CLOCK) as uow:
        uow.departments.add(Department.create(employer.id, "Expeditie"))
        uow.commit()
    assert _names(store, employer) == ["Expeditie", "Inkoop"]
    assert _names(forked, employer) == ["Inkoop", "Verkoop"]
    assert _search(store, "verk") == []
    assert _search(forked, "verk") == ["Verkoop", "Anna Verkerk"]  # a name starting with it first
    with MemoryUnitOfWork(store, CLOCK) as original, MemoryUnitOfWork(forked, CLOCK) as copy_:
        assert original.employers.find_by_code("a1") is not None
        assert original.employers.find_by_code("z9") is None
        assert copy_.employers.find_by_code("a1") is None
        assert copy_.employers.find_by_code("z9") is not None
        assert [m.name for m in original.outbox.pending(100, "default")][-1] == "DepartmentCreated"
        assert [m.name for m in copy_.outbox.pending(100, "default")][-3:] == [
            "DepartmentCreated",
            "EmployerChanged",
            "EmployeeRegistered",
        ]


def test_r0_5_restoring_a_snapshot_undoes_committed_work_and_the_snapshot_stays_usable() -> None:
    store, employer, _ = _loaded()
    snapshot = store.snapshot()
    for name in ("Verkoop", "Expeditie"):  # two examples of a suite, each from the snapshot
        store.restore(snapshot)
        with MemoryUnitOfWork(store, CLOCK) as uow:
            uow.departments.add(Department.create(employer.id, name, "D1"))
            uow.commit()
        assert _names(store, employer) == sorted(["Inkoop", name])
        assert _search(store, "d1") == [name]  # the code of the new department
    store.restore(snapshot)
    assert _names(store, employer) == ["Inkoop"]
    assert _search(store, "d1") == []
    assert _names(snapshot, employer) == ["Inkoop"]


def test_r0_5_a_store_is_not_copied_inside_a_unit_of_work() -> None:
    store, _, _ = _loaded()
    with MemoryUnitOfWork(store, CLOCK), pytest.raises(RuntimeError):
        store.fork()
    store.fork()  # and is, once the unit of work is over


def test_r0_5_an_application_runs_on_a_fork_of_another_ones_store() -> None:
    """The suite pattern: load a world once, give each example an application on a fork."""
    from xs_app import bootstrap

    world = bootstrap(storage="memory", clock=CLOCK)
    admin = world.installation.create_super_administrator("Beheer", "beheer@example.nl")
    base = world.container.memory_store()
    first = bootstrap(storage="memory", clock=CLOCK, memory_store=fork(base))
    second = world.fork()
    first.installation.create_super_administrator("Tweede", "tweede@example.nl")
    assert first.installation.user_id("tweede@example.nl") is not None
    assert second.installation.user_id("tweede@example.nl") is None
    assert world.installation.user_id("tweede@example.nl") is None
    assert second.installation.user_id("beheer@example.nl") == admin
    state = world.snapshot()
    world.installation.create_super_administrator("Derde", "derde@example.nl")
    world.restore(state)
    assert world.installation.user_id("derde@example.nl") is None
