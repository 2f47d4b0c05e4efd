"""Contract of R0.6's bulk scope check on memory, SQLite and PostgreSQL: for random organisations
(folders, employers in a folder or none, nested departments, branches, employees employed at
several employers and moved to another department, units of different kinds sharing one UUID),
``ScopeResolver.ancestors_of`` equals ``ancestors`` unit by unit (and the memory store's answer
for the same organisation), and ``Authoriser.require_all_visible`` refuses exactly what
``require_visible`` refuses unit by unit, in order, with the same error, for any scope
(everything, none, folders, employers, departments, missing units) and any list of units named
(duplicates, missing ids, ids of another kind)."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable, Sequence

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_adapters.clock import FixedClock
from xs_adapters.memory import MemoryStore, MemoryUnitOfWork
from xs_core.access import Scope
from xs_core.access.authoriser import Authoriser
from xs_core.access.model import Principal
from xs_core.access.ports import ScopeResolver
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.organisation.model import Branch, Department, Employee, Employer, Employment, Folder
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.uow import UnitOfWork

#: Examples per backend: the SQL ones write a fresh organisation per example.
EXAMPLES = {"memory": 150, "sqlite": 20, "postgres": 15}

K = UnitKind


@attrs.frozen
class Plan:
    """An organisation by position; ``*_id_of`` reuse the id of a unit of another kind."""

    folders: int
    employers: tuple[int | None, ...]  # the folder of each employer, or none
    employer_id_of: tuple[int | None, ...]  # the folder whose id the employer takes
    departments: tuple[tuple[int, int | None], ...]  # employer, parent (an earlier department)
    department_id_of: tuple[int | None, ...]  # the employer whose id the department takes
    branches: tuple[int, ...]  # employer
    branch_id_of: tuple[int | None, ...]  # the department whose id the branch takes
    #: employments: employer, department, the department a later version moves to (or none)
    employees: tuple[tuple[tuple[int, int | None, int | None], ...], ...]
    employee_id_of: tuple[int | None, ...]  # the employer whose id the employee takes


def _reused(draw: st.DrawFn, count: int, others: int) -> tuple[int | None, ...]:
    """For each of ``count`` units, the position of a unit of another kind whose id it takes
    (each taken once), or none."""
    taken: set[int] = set()
    chosen: list[int | None] = []
    for _ in range(count):
        free = [n for n in range(others) if n not in taken]
        pick = draw(st.sampled_from([None, *free])) if free else None
        if pick is not None:
            taken.add(pick)
        chosen.append(pick)
    return tuple(chosen)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    folders = draw(st.integers(0, 2))
    employers = tuple(
        draw(st.lists(st.sampled_from([None, *range(folders)]), min_size=1, max_size=3))
    )
    departments: list[tuple[int, int | None]] = []
    for _ in range(draw(st.integers(0, 7))):
        employer = draw(st.integers(0, len(employers) - 1))
        own = [n for n, (e, _) in enumerate(departments) if e == employer]
        # the latest one of the employer often: deep chains
        parent = draw(st.sampled_from([None, *own[-1:], *own])) if own else None
        departments.append((employer, parent))
    branches = tuple(draw(st.lists(st.integers(0, len(employers) - 1), max_size=2)))

    def employments() -> st.SearchStrategy[tuple[int, int | None, int | None]]:
        def at(employer: int) -> st.SearchStrategy[int | None]:
            own = [n for n, (e, _) in enumerate(departments) if e == employer]
            return st.sampled_from([None, *own])

        return st.integers(0, len(employers) - 1).flatmap(
            lambda e: st.tuples(st.just(e), at(e), at(e))
        )

    employees = tuple(
        tuple(draw(st.lists(employments(), max_size=2))) for _ in range(draw(st.integers(0, 3)))
    )
    return Plan(
        folders,
        employers,
        _reused(draw, len(employers), folders),
        tuple(departments),
        _reused(draw, len(departments), len(employers)),
        branches,
        _reused(draw, len(branches), len(departments)),
        employees,
        _reused(draw, len(employees), len(employers)),
    )


@attrs.frozen
class Org:
    """The organisation of a :class:`Plan` with fresh ids (each example its own)."""

    folders: tuple[Folder, ...]
    employers: tuple[Employer, ...]
    departments: tuple[Department, ...]
    branches: tuple[Branch, ...]
    employees: tuple[Employee, ...]

    @classmethod
    def of(cls, plan: Plan) -> Org:
        folders = [Folder.create(f"Map {n}") for n in range(plan.folders)]

        def id_of(ids: Sequence[uuid.UUID], position: int | None) -> uuid.UUID:
            return uuid.uuid4() if position is None else ids[position]

        employers = [
            Employer.create(
                f"W{n}",
                None,
                None if folder is None else folders[folder].id,
                id_of([f.id for f in folders], plan.employer_id_of[n]),
            )
            for n, folder in enumerate(plan.employers)
        ]
        departments: list[Department] = []
        for n, (employer, parent) in enumerate(plan.departments):
            departments.append(
                Department.create(
                    employers[employer].id,
                    f"Afdeling {n}",
                    None,
                    None if parent is None else departments[parent].id,
                    id_of([e.id for e in employers], plan.department_id_of[n]),
                )
            )
        branches = [
            Branch.create(
                employers[employer].id,
                f"Vestiging {n}",
                branch_id=id_of([d.id for d in departments], plan.branch_id_of[n]),
            )
            for n, employer in enumerate(plan.branches)
        ]
        employees: list[Employee] = []
        for n, jobs in enumerate(plan.employees):
            employee = Employee.register(
                "Piet",
                "Bakker",
                employee_id=id_of([e.id for e in employers], plan.employee_id_of[n]),
            )
            for employer, department, later in jobs:
                employment = Employment.create(
                    id=uuid.uuid4(),
                    employer_id=employers[employer].id,
                    department_id=None if department is None else departments[department].id,
                    period=DateRange(_dt.date(2020, 1, 1)),
                )
                if later is not None:
                    employment.change(_dt.date(2021, 1, 1), department_id=departments[later].id)
                employee.add_employment(employment)
            employees.append(employee)
        return cls(
            tuple(folders), tuple(employers), tuple(departments), tuple(branches), tuple(employees)
        )

    def store(self, uow: UnitOfWork) -> None:
        uow.bulk.add_all(
            folders=self.folders,
            employers=self.employers,
            departments=self.departments,
            branches=self.branches,
            employees=self.employees,
        )
        uow.commit()

    def refs(self) -> list[UnitRef]:
        return [
            *(UnitRef(K.FOLDER, f.id) for f in self.folders),
            *(UnitRef(K.EMPLOYER, e.id) for e in self.employers),
            *(UnitRef(K.DEPARTMENT, d.id) for d in self.departments),
            *(UnitRef(K.BRANCH, b.id) for b in self.branches),
            *(UnitRef(K.EMPLOYEE, e.id) for e in self.employees),
        ]


def _candidates(org: Org) -> list[UnitRef]:
    """Every unit, the same ids under every other kind, and a missing id of each kind."""
    ids = {u.id for u in org.refs()}
    return [
        *org.refs(),
        *(UnitRef(kind, ident) for ident in sorted(ids) for kind in K),
        *(UnitRef(kind, uuid.uuid4()) for kind in K),
    ]


#: Choices made by position in :func:`_candidates` (so they shrink): the units a command names,
#: and a scope (``None``: everything).
picks = st.tuples(
    st.lists(st.integers(0, 10**6), max_size=10),
    st.one_of(st.none(), st.lists(st.integers(0, 10**6), max_size=4)),
)


def _outcome(check: Callable[[], None]) -> tuple[object, ...] | None:
    """``None`` when accepted, else the refusal's type, code and details."""
    try:
        check()
    except DomainError as refused:
        return (type(refused), refused.code, refused.details)
    return None


def _one_by_one(auth: Authoriser, principal: Principal, units: list[UnitRef]) -> None:
    for unit in units:
        auth.require_visible(principal, unit)


Picks = tuple[list[int], list[int] | None]


def _check(uow: UnitOfWork, reference: ScopeResolver, org: Org, chosen: Picks) -> None:
    named_at, scope_at = chosen
    scopes = uow.scopes
    candidates = _candidates(org)
    units = [candidates[n % len(candidates)] for n in named_at]
    bulk = scopes.ancestors_of(units)
    assert bulk == {unit: scopes.ancestors(unit) for unit in units}
    assert bulk == {unit: reference.ancestors(unit) for unit in units}
    if scope_at is None:
        scope = Scope.all()
    else:
        kinds = {K.FOLDER, K.EMPLOYER, K.DEPARTMENT}
        grantable = [u for u in candidates if u.kind in kinds]
        scope = Scope.of(grantable[n % len(grantable)] for n in scope_at)
    auth = Authoriser(uow.users, uow.roles, scopes)
    principal = Principal(uuid.uuid4(), frozenset(), scope)
    expected = _outcome(lambda: _one_by_one(auth, principal, units))
    assert _outcome(lambda: auth.require_all_visible(principal, units)) == expected


class ScopeAncestorsContract:
    backend: str

    def test_r0_6_ancestors_in_bulk_are_the_ancestors_one_by_one(
        self, uow_factory: UowFactory, clock: FixedClock
    ) -> None:
        """R0.6: ``ancestors_of`` is ``ancestors`` per unit (and the memory store's answer);
        ``require_all_visible`` refuses the first unit ``require_visible`` refuses, alike."""

        @settings(max_examples=EXAMPLES[self.backend], deadline=None)
        @given(plan=plans(), chosen=picks)
        def check(plan: Plan, chosen: Picks) -> None:
            org = Org.of(plan)
            with uow_factory() as uow:
                org.store(uow)
            memory = MemoryStore()
            with MemoryUnitOfWork(memory, clock, True) as uow:
                org.store(uow)
            with (
                uow_factory(write=False) as uow,
                MemoryUnitOfWork(memory, clock, False) as reference,
            ):
                _check(uow, reference.scopes, org, chosen)

        check()

    def test_r0_6_more_units_than_one_query_names(self, uow_factory: UowFactory) -> None:
        """R0.6: past 5,000 units of a kind (the ids per ``IN`` list) and up a chain of 60
        departments the bulk answer is still the one-by-one answer: a folder, employers and
        departments after 5,000 missing ones of their kind, 5,001 employers in folders."""
        folder = Folder.create("Map")
        employers = [Employer.create(f"W{n}", None, folder.id) for n in range(5001)]
        chain: list[Department] = []
        for n in range(60):
            parent = chain[-1].id if chain else None
            chain.append(Department.create(employers[-1].id, f"A{n}", None, parent))
        with uow_factory() as uow:
            uow.bulk.add_all(folders=[folder], employers=employers, departments=chain)
            uow.commit()
        missing = [UnitRef(kind, uuid.uuid4()) for kind in (K.FOLDER, K.DEPARTMENT)]
        named = [
            *(UnitRef(K.FOLDER, uuid.uuid4()) for _ in range(5000)),
            UnitRef(K.FOLDER, folder.id),
            *(UnitRef(K.DEPARTMENT, uuid.uuid4()) for _ in range(5000)),
            UnitRef(K.DEPARTMENT, chain[-1].id),
            UnitRef(K.DEPARTMENT, chain[0].id),
            *(UnitRef(K.EMPLOYER, e.id) for e in employers),
            *missing,
        ]
        with uow_factory(write=False) as uow:
            bulk = uow.scopes.ancestors_of(named)
            assert bulk[UnitRef(K.DEPARTMENT, chain[-1].id)] == {
                *(UnitRef(K.DEPARTMENT, d.id) for d in chain),
                UnitRef(K.EMPLOYER, employers[-1].id),
                UnitRef(K.FOLDER, folder.id),
            }
            assert all(
                bulk[UnitRef(K.EMPLOYER, e.id)]
                == {UnitRef(K.EMPLOYER, e.id), UnitRef(K.FOLDER, folder.id)}
                for e in employers
            )
            assert bulk[UnitRef(K.FOLDER, folder.id)] == {UnitRef(K.FOLDER, folder.id)}
            assert sum(1 for found in bulk.values() if found) == 1 + 2 + len(employers)
            auth = Authoriser(uow.users, uow.roles, uow.scopes)
            scoped = Principal(
                uuid.uuid4(), frozenset(), Scope.of([UnitRef(K.DEPARTMENT, chain[30].id)])
            )
            with pytest.raises(DomainError) as refused:
                auth.require_all_visible(scoped, [UnitRef(K.DEPARTMENT, chain[-1].id), *named])
            assert refused.value.details["id"] == str(named[0].id)
            with pytest.raises(DomainError) as refused:
                auth.require_all_visible(
                    scoped, [UnitRef(K.DEPARTMENT, chain[-1].id), UnitRef(K.FOLDER, folder.id)]
                )
            assert refused.value.details == {"kind": "folder", "id": str(folder.id)}
            auth.require_all_visible(
                Principal(uuid.uuid4(), frozenset(), Scope.of([UnitRef(K.FOLDER, folder.id)])),
                [u for u in named if bulk[u]],
            )


class TestMemoryScopeAncestors(MemoryBackend, ScopeAncestorsContract):
    pass


class TestSqliteScopeAncestors(SqliteBackend, ScopeAncestorsContract):
    pass


class TestPostgresScopeAncestors(PostgresBackend, ScopeAncestorsContract):
    pass
