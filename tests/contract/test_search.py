"""Contract of advanced search (R1.3): every adapter returns exactly the reference ranking.

The reference is the rule itself, evaluated by brute force with the core's ``rank`` and
``sort_key`` over random organisations (hypothesis), inside random scopes.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.backends import (
    MemoryBackend,
    PostgresBackend,
    PostgresScanPlanBackend,
    ScopeFirstBackend,
    SqliteBackend,
    SqliteScanPlanBackend,
    UowFactory,
)
from xs_core.access.model import ResolvedScope, Scope
from xs_core.dates import DateRange
from xs_core.organisation.model import (
    Department,
    Dossier,
    Employee,
    Employer,
    Employment,
    Folder,
)
from xs_core.organisation.search import (
    KIND_ORDER,
    SearchHit,
    SearchQuery,
    normalise,
    normalise_code,
    rank,
    sort_key,
)
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.testing import strategies as xst


def reference(
    org: xst.Organisation, query: SearchQuery, visible: set[UnitRef] | None
) -> list[tuple[UnitKind, uuid.UUID, int]]:
    units: list[tuple[UnitKind, uuid.UUID, str, str | None]] = [
        (UnitKind.EMPLOYER, e.id, e.name, e.code) for e in org.employers
    ]
    units += [(UnitKind.DEPARTMENT, d.id, d.name, d.code) for d in org.departments]
    units += [(UnitKind.EMPLOYEE, e.id, e.full_name, None) for e in org.employees]
    found = []
    for kind, ident, name, code in units:
        if kind not in query.kinds:
            continue
        if visible is not None and UnitRef(kind, ident) not in visible:
            continue
        r = rank(query.term, normalise(name), normalise_code(code))
        if r is not None:
            found.append((sort_key(r, normalise(name), kind, ident), (kind, ident, r)))
    found.sort(key=lambda f: f[0])
    return [f[1] for f in found][query.offset : query.offset + query.page_size]


def search_world(
    uow_factory: UowFactory,
    folders: Sequence[Folder],
    org: xst.Organisation,
    scope: Scope,
    query: SearchQuery,
    keep_folders: bool = True,
) -> tuple[ResolvedScope, list[SearchHit]]:
    """Store ``folders`` and ``org`` in one unit of work that is never committed (each example
    rolls back), resolve ``scope`` and search: the resolved scope and the hits."""
    with uow_factory() as uow:
        uow.bulk.add_all(
            folders=list(folders),
            employers=org.employers,
            departments=org.departments,
            employees=org.employees,
        )
        resolved = uow.scopes.resolve(scope, keep_folders=keep_folders)
        return resolved, uow.search.search(query, resolved)


def visible_units(
    org: xst.Organisation, employer_ids: set[uuid.UUID], department_roots: set[uuid.UUID]
) -> set[UnitRef]:
    """R0.6 by hand: employers whole, departments with their subtrees, employees employed there."""
    departments = set(department_roots)
    grew = True
    while grew:
        children = {d.id for d in org.departments if d.parent_id in departments} - departments
        departments |= children
        grew = bool(children)
    visible = {UnitRef(UnitKind.EMPLOYER, e) for e in employer_ids}
    visible |= {
        UnitRef(UnitKind.DEPARTMENT, d.id)
        for d in org.departments
        if d.employer_id in employer_ids or d.id in departments
    }
    visible |= {
        UnitRef(UnitKind.EMPLOYEE, e.id)
        for e in org.employees
        if any(
            m.employer_id in employer_ids or m.department_id in departments for m in e.employments
        )
    }
    return visible


terms = st.one_of(
    # with separators: PostgreSQL maps them to digits for its trigram index (migration 0007)
    st.sampled_from(["an", "de", "ab", "a-", "e'", "00", "ée", "A0", "xyz", "n j", "e-j", "a.b"]),
    st.text(alphabet="abcdeé0-", min_size=2, max_size=3),
).filter(lambda t: len(normalise(t)) >= 2)


class SearchContract:
    @settings(max_examples=40)
    @given(
        org=xst.organisations(max_employers=3, max_departments=4, max_employees=10),
        term=terms,
        data=st.data(),
    )
    def test_r1_3_search_equals_the_reference_ranking_inside_the_scope(
        self, uow_factory: UowFactory, org: xst.Organisation, term: str, data: st.DataObject
    ) -> None:
        everything = data.draw(st.booleans())
        employer_ids = set(data.draw(st.sets(st.sampled_from([e.id for e in org.employers]))))
        dept_ids = [d.id for d in org.departments]
        roots = set(data.draw(st.sets(st.sampled_from(dept_ids)))) if dept_ids else set()
        kinds = data.draw(st.sets(st.sampled_from(list(KIND_ORDER)), min_size=1))
        page_size = data.draw(st.integers(1, 6))
        page = data.draw(st.integers(1, 3))
        query = SearchQuery.create(term, kinds=frozenset(kinds), page=page, page_size=page_size)
        scope = (
            Scope.all()
            if everything
            else Scope.of(
                [UnitRef(UnitKind.EMPLOYER, e) for e in employer_ids]
                + [UnitRef(UnitKind.DEPARTMENT, d) for d in roots]
            )
        )
        with uow_factory() as uow:  # never committed: each example rolls back
            uow.bulk.add_all(
                employers=org.employers, departments=org.departments, employees=org.employees
            )
            resolved = uow.scopes.resolve(scope)
            hits = uow.search.search(query, resolved)
        expected = reference(
            org, query, None if everything else visible_units(org, employer_ids, roots)
        )
        assert [(h.kind, h.id, h.rank) for h in hits] == expected

    @settings(max_examples=40)
    @given(
        org=xst.organisations(max_employers=4, max_departments=4, max_employees=10),
        term=terms,
        data=st.data(),
    )
    def test_r1_3_a_folder_kept_as_a_folder_covers_exactly_its_employers(
        self, uow_factory: UowFactory, org: xst.Organisation, term: str, data: st.DataObject
    ) -> None:
        """R1.3, R0.6: a granted folder, resolved as employers or kept as a folder for the
        search to read in SQL (``keep_folders``), finds the same page: its employers' units and
        those of units granted beside it, nothing of employers outside it."""
        folders = [Folder.create(f"map {i}") for i in range(2)]
        choices = [None, *(f.id for f in folders)]
        for employer in org.employers:
            employer.folder_id = data.draw(st.sampled_from(choices))
        granted = set(data.draw(st.sets(st.sampled_from([f.id for f in folders]), min_size=1)))
        direct = set(data.draw(st.sets(st.sampled_from([e.id for e in org.employers]))))
        keep_folders = data.draw(st.booleans())
        query = SearchQuery.create(term, page_size=data.draw(st.integers(1, 6)))
        scope = Scope.of(
            [UnitRef(UnitKind.FOLDER, f) for f in granted]
            + [UnitRef(UnitKind.EMPLOYER, e) for e in direct]
        )
        resolved, hits = search_world(uow_factory, folders, org, scope, query, keep_folders)
        assert resolved.folder_ids == (frozenset(granted) if keep_folders else frozenset())
        covered = direct | {e.id for e in org.employers if e.folder_id in granted}
        expected = reference(org, query, visible_units(org, covered, set()))
        assert [(h.kind, h.id, h.rank) for h in hits] == expected

    def test_r1_3_hits_carry_their_dossier_and_accents_do_not_matter(
        self, uow_factory: UowFactory
    ) -> None:
        employer = Employer.create("Zorggroep Noord", "ZGN")
        department = Department.create(employer.id, "Afdeling Crèche", "CRE")
        plain = Department.create(employer.id, "Creatief", "X1")
        employee = Employee.register("Chloé", "Crémer")
        employee.add_employment(
            Employment.create(
                id=uuid.uuid4(), employer_id=employer.id, period=DateRange(_dt.date(2020, 1, 1))
            )
        )
        dossier = Dossier.open(UnitRef(UnitKind.DEPARTMENT, department.id), _dt.date(2026, 1, 1))
        with uow_factory() as uow:
            uow.bulk.add_all(
                employers=[employer],
                departments=[department, plain],
                employees=[employee],
                dossiers=[dossier],
            )
            uow.commit()
        with uow_factory(write=False) as uow:
            hits = uow.search.search(SearchQuery.create("CRE"), ResolvedScope(everything=True))
        # exact code CRE first, then name prefix "creatief", then substrings by name
        assert [(h.name, h.rank) for h in hits] == [
            ("Afdeling Crèche", 0),
            ("Creatief", 2),
            ("Chloé Crémer", 3),
        ]
        assert hits[0].dossier_id == dossier.id
        assert hits[1].dossier_id is None

    def test_r1_3_units_living_in_several_places_are_found_once_each(
        self, uow_factory: UowFactory
    ) -> None:
        """An employee lives under the employer and in a department: two scope rows, one unit."""
        employer = Employer.create("Jansen Groep")
        department = Department.create(employer.id, "Jansen Logistiek")
        people = []
        for letter in "ABCDE":
            person = Employee.register("Jan", f"Jansen {letter}")
            person.add_employment(
                Employment.create(
                    id=uuid.uuid4(),
                    employer_id=employer.id,
                    department_id=department.id,
                    period=DateRange(_dt.date(2020, 1, 1)),
                )
            )
            people.append(person)
        with uow_factory() as uow:
            uow.bulk.add_all(employers=[employer], departments=[department], employees=people)
            uow.commit()
        with uow_factory(write=False) as uow:
            scope = uow.scopes.resolve(Scope.of([UnitRef(UnitKind.EMPLOYER, employer.id)]))
            hits = uow.search.search(SearchQuery.create("jans"), scope)
        # name prefixes (rank 2) before substrings (rank 3)
        assert [(h.name, h.rank) for h in hits] == [
            ("Jansen Groep", 2),
            ("Jansen Logistiek", 2),
            ("Jan Jansen A", 3),
            ("Jan Jansen B", 3),
            ("Jan Jansen C", 3),
            ("Jan Jansen D", 3),
            ("Jan Jansen E", 3),
        ]

    def test_r1_3_an_empty_scope_finds_nothing(self, uow_factory: UowFactory) -> None:
        employer = Employer.create("Jansen BV")
        with uow_factory() as uow:
            uow.employers.add(employer)
            uow.commit()
        with uow_factory(write=False) as uow:
            assert uow.search.search(SearchQuery.create("jan"), ResolvedScope(False)) == []
            assert (
                len(
                    uow.search.search(
                        SearchQuery.create("jan"), ResolvedScope(False, frozenset({employer.id}))
                    )
                )
                == 1
            )


class TestMemorySearch(MemoryBackend, SearchContract):
    pass


class TestSqliteSearch(SqliteBackend, SearchContract):
    pass


class TestPostgresSearch(PostgresBackend, SearchContract):
    pass


class TestSqliteSearchScanPlans(SqliteScanPlanBackend, SearchContract):
    pass


class TestPostgresSearchScanPlans(PostgresScanPlanBackend, SearchContract):
    pass


# -- the scope-first plan, forced, against the reference (R1.3) ------------------------------------

#: Few names and codes from a small alphabet: many equal names, codes that are prefixes of one
#: another and of names, many matches per term — ties broken by kind and id alone.
_crowded_names = st.sampled_from(["Ab", "ab", "Abe", "Ba Ab", "Ab-Ba", "aab", "Ába", "b a"])
_crowded_codes = st.text(alphabet="ab0", min_size=1, max_size=3)
_crowded_terms = st.sampled_from(["ab", "ba", "ab", "b a", "a0", "aa", "b0", "ab0", "0a"])


@st.composite
def crowded_organisations(draw: st.DrawFn) -> tuple[list[Folder], xst.Organisation]:
    """Up to 5 employers (some in one of two folders) with nested departments, and 5 to 25
    employees each employed 1 to 3 times — often by several employers and in several
    departments of one employer, so that a unit lives in many places of one scope."""
    folders = [Folder.create(f"map {i}") for i in range(2)]
    employer_codes = draw(st.lists(_crowded_codes, max_size=5, unique_by=str.casefold))
    employers = [
        Employer.create(draw(_crowded_names), code if draw(st.booleans()) else None)
        for code in employer_codes
    ] or [Employer.create(draw(_crowded_names))]
    for employer in employers:
        employer.folder_id = draw(st.sampled_from([None, *(f.id for f in folders)]))
    departments: list[Department] = []
    for employer in employers:
        mine: list[Department] = []
        for code in draw(st.lists(_crowded_codes, max_size=4, unique_by=str.casefold)):
            parent = draw(st.sampled_from([None, *mine])) if mine else None
            mine.append(
                Department.create(
                    employer.id, draw(_crowded_names), code, None if parent is None else parent.id
                )
            )
        departments += mine
    employees = []
    for _ in range(draw(st.integers(5, 25))):
        employee = Employee.register(draw(_crowded_names), draw(_crowded_names))
        for _ in range(draw(st.integers(1, 3))):
            employer = draw(st.sampled_from(employers))
            own = [d.id for d in departments if d.employer_id == employer.id]
            employee.add_employment(
                Employment.create(
                    id=uuid.uuid4(),
                    employer_id=employer.id,
                    department_id=draw(st.sampled_from([None, *own])) if own else None,
                    period=DateRange(_dt.date(2020, 1, 1)),
                )
            )
        employees.append(employee)
    for aggregate in [*employers, *departments, *employees]:
        aggregate.pull_events()
    return folders, xst.Organisation(tuple(employers), tuple(departments), tuple(employees))


class ScopeFirstContract:
    @settings(max_examples=300, deadline=None)
    @given(world=crowded_organisations(), term=_crowded_terms, data=st.data())
    def test_r1_3_the_scope_first_page_equals_the_reference_ranking(
        self,
        uow_factory: UowFactory,
        world: tuple[list[Folder], xst.Organisation],
        term: str,
        data: st.DataObject,
    ) -> None:
        """R1.3: the scope-first plan, forced, pages exactly the reference ranking — a scope of
        only employers, only folders, only departments or several parts; units living in many
        places of the scope (duplicates to remove), equal names, terms that are prefixes of
        codes, every subset of kinds, page sizes 1..100 and a page beyond the last."""
        folders, org = world
        part = data.draw(st.sampled_from(["employers", "folders", "departments", "mixed"]))
        employer_ids: set[uuid.UUID] = set()
        folder_ids: set[uuid.UUID] = set()
        roots: set[uuid.UUID] = set()
        if part in ("employers", "mixed"):
            employer_ids = data.draw(
                st.sets(st.sampled_from([e.id for e in org.employers]), min_size=1)
            )
        if part in ("folders", "mixed"):
            folder_ids = data.draw(st.sets(st.sampled_from([f.id for f in folders]), min_size=1))
        if part in ("departments", "mixed") and org.departments:
            roots = data.draw(st.sets(st.sampled_from([d.id for d in org.departments]), min_size=1))
        # every kind (no kinds condition) as often as a subset of them
        kinds = data.draw(
            st.just(frozenset(KIND_ORDER))
            | st.frozensets(st.sampled_from(list(KIND_ORDER)), min_size=1)
        )
        covered = employer_ids | {e.id for e in org.employers if e.folder_id in folder_ids}
        visible = visible_units(org, covered, roots)
        # a page size 1..100, a page of the results or the one beyond the last
        found = len(reference(org, SearchQuery.create(term, kinds=kinds, page_size=200), visible))
        page_size = data.draw(st.integers(1, 100))
        last = max(1, -(-found // page_size))
        page = data.draw(st.integers(1, last) | st.just(last + 1))
        query = SearchQuery.create(term, kinds=kinds, page=page, page_size=page_size)
        scope = Scope.of(
            [UnitRef(UnitKind.FOLDER, f) for f in folder_ids]
            + [UnitRef(UnitKind.EMPLOYER, e) for e in employer_ids]
            + [UnitRef(UnitKind.DEPARTMENT, d) for d in roots]
        )
        _, hits = search_world(uow_factory, folders, org, scope, query)
        assert [(h.kind, h.id, h.rank) for h in hits] == reference(org, query, visible)


class TestSqliteScopeFirstSearch(ScopeFirstBackend, ScopeFirstContract):
    database = "sqlite_url"


class TestPostgresScopeFirstSearch(ScopeFirstBackend, ScopeFirstContract):
    database = "postgres_url"


class TestMemoryScopeFirstSearch(MemoryBackend, ScopeFirstContract):
    pass
