"""Attacks on advanced search (R1.3, R0.6): LIKE metacharacters, folders, page edges."""

from __future__ import annotations

import datetime as _dt
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.backends import (
    MemoryBackend,
    PostgresBackend,
    PostgresScanPlanBackend,
    SqliteBackend,
    SqliteScanPlanBackend,
    UowFactory,
)
from tests.contract.test_search import reference, search_world, visible_units
from xs_core.access.model import ResolvedScope, Scope
from xs_core.dates import DateRange
from xs_core.organisation.model import Employee, Employer, Employment, Folder
from xs_core.organisation.search import SearchQuery, normalise
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.testing import strategies as xst

#: LIKE's metacharacters, its escape, quotes and separators, a plain letter, and the last code
#: point (U+10FFFF: a noncharacter that names and terms may hold)
HOSTILE = "a%_\\'\"-. \U0010ffff"
CODE_HOSTILE = "a_.-"


@st.composite
def hostile_organisations(draw: st.DrawFn) -> xst.Organisation:
    name = st.text(st.sampled_from(HOSTILE), min_size=1, max_size=6).filter(
        lambda n: n.strip() != "" and " ".join(n.split()) == n
    )
    code = st.text(st.sampled_from(CODE_HOSTILE), min_size=1, max_size=4)
    codes = draw(st.lists(code, max_size=4, unique_by=str.casefold))
    employers = [Employer.create(draw(name), c) for c in codes] or [Employer.create(draw(name))]
    employees = []
    for _ in range(draw(st.integers(0, 5))):
        person = Employee.register(draw(name), draw(name))
        person.add_employment(
            Employment.create(
                id=uuid.uuid4(),
                employer_id=draw(st.sampled_from(employers)).id,
                period=DateRange(_dt.date(2020, 1, 1)),
            )
        )
        employees.append(person)
    for aggregate in [*employers, *employees]:
        aggregate.pull_events()
    return xst.Organisation(tuple(employers), (), tuple(employees))


hostile_terms = st.text(st.sampled_from(HOSTILE), min_size=2, max_size=4).filter(
    lambda t: len(normalise(t)) >= 2
)


class SearchAttacks:
    @settings(max_examples=60)
    @given(org=hostile_organisations(), term=hostile_terms, data=st.data())
    def test_r1_3_like_metacharacters_in_terms_match_literally(
        self, uow_factory: UowFactory, org: xst.Organisation, term: str, data: st.DataObject
    ) -> None:
        """R1.3: ``%``, ``_`` and ``\\`` in a term are characters, never wildcards — as code
        prefix, name prefix and substring, in every plan, scoped or not."""
        everything = data.draw(st.booleans())
        employer_ids = set(data.draw(st.sets(st.sampled_from([e.id for e in org.employers]))))
        query = SearchQuery.create(term, page_size=data.draw(st.integers(1, 8)))
        scope = (
            Scope.all()
            if everything
            else Scope.of([UnitRef(UnitKind.EMPLOYER, e) for e in employer_ids])
        )
        with uow_factory() as uow:
            uow.bulk.add_all(employers=org.employers, employees=org.employees)
            hits = uow.search.search(query, uow.scopes.resolve(scope, keep_folders=True))
        expected = reference(
            org, query, None if everything else visible_units(org, employer_ids, set())
        )
        assert [(h.kind, h.id, h.rank) for h in hits] == expected

    @settings(max_examples=40)
    @given(
        org=xst.organisations(max_employers=4, max_departments=4, max_employees=10),
        data=st.data(),
    )
    def test_r0_6_folders_mixed_with_departments_employers_and_strangers(
        self, uow_factory: UowFactory, org: xst.Organisation, data: st.DataObject
    ) -> None:
        """R0.6, R1.3: granted folders (one maybe empty), departments and employers together,
        and ids that name no folder (an employer's or a department's id granted as a folder)
        find exactly the units of the folders' employers, the employers and the departments'
        subtrees — with every page and plan."""
        folders = [Folder.create(f"map {i}") for i in range(3)]  # the last one stays empty
        for employer in org.employers:
            employer.folder_id = data.draw(st.sampled_from([None, folders[0].id, folders[1].id]))
        granted = set(data.draw(st.sets(st.sampled_from([f.id for f in folders]), min_size=1)))
        strangers = set(
            data.draw(st.sets(st.sampled_from([u.id for u in (*org.employers, *org.departments)])))
        )
        direct = set(data.draw(st.sets(st.sampled_from([e.id for e in org.employers]))))
        dept_ids = [d.id for d in org.departments]
        roots = set(data.draw(st.sets(st.sampled_from(dept_ids)))) if dept_ids else set()
        # a piece of the name of an employer in a granted folder (if any): the term finds it
        inside = [e for e in org.employers if e.folder_id in granted] or list(org.employers)
        name = normalise(data.draw(st.sampled_from(inside)).name)
        start = data.draw(st.integers(0, max(len(name) - 2, 0)))
        term = name[start : start + 2] if len(normalise(name[start : start + 2])) >= 2 else "an"
        query = SearchQuery.create(
            term, page=data.draw(st.integers(1, 2)), page_size=data.draw(st.integers(1, 5))
        )
        scope = Scope.of(
            [UnitRef(UnitKind.FOLDER, f) for f in granted | strangers]
            + [UnitRef(UnitKind.EMPLOYER, e) for e in direct]
            + [UnitRef(UnitKind.DEPARTMENT, d) for d in roots]
        )
        _, hits = search_world(uow_factory, folders, org, scope, query)
        covered = direct | {e.id for e in org.employers if e.folder_id in granted}
        expected = reference(org, query, visible_units(org, covered, roots))
        assert [(h.kind, h.id, h.rank) for h in hits] == expected

    def test_r0_6_an_employer_moved_to_another_folder_leaves_the_first_folder_s_scope(
        self, uow_factory: UowFactory
    ) -> None:
        """R0.6, R1.3: a folder kept as a folder is read at search time, so an employer moved
        out of it (or out of every folder) is no longer found through it."""
        first, second = Folder.create("Noord"), Folder.create("Zuid")
        moved = Employer.create("Bakkerij Moved", "BM1", first.id)
        stays = Employer.create("Bakkerij Stays", "BS1", first.id)
        with uow_factory() as uow:
            uow.bulk.add_all(folders=[first, second], employers=[moved, stays])
            uow.commit()
        scope = Scope.of([UnitRef(UnitKind.FOLDER, first.id)])
        query = SearchQuery.create("bakkerij")
        for folder_id, expected in (
            (first.id, {moved.id, stays.id}),
            (second.id, {stays.id}),
            (None, {stays.id}),
            (first.id, {moved.id, stays.id}),
        ):
            with uow_factory() as uow:
                employer = uow.employers.get(moved.id)
                employer.change(folder_id=folder_id, clear_folder=folder_id is None)
                employer.pull_events()
                uow.employers.save(employer)
                uow.commit()
            with uow_factory(write=False) as uow:
                hits = uow.search.search(query, uow.scopes.resolve(scope, keep_folders=True))
            assert {h.id for h in hits} == expected

    def test_r1_3_a_prefix_followed_by_the_last_code_point_is_still_a_prefix(
        self, uow_factory: UowFactory
    ) -> None:
        """R1.3: a name starting with the term is a prefix match (rank 2) whatever character
        follows — also U+10FFFF, which a range ``[term, term + U+10FFFF)`` leaves out (the
        name then ranked 3, a substring, and on PostgreSQL only by the scope-first plan)."""
        top = "\U0010ffff"
        employer = Employer.create(f"ab{top}z")
        other = Employer.create(f"ab{top}")
        plain = Employer.create("abc")
        employee = Employee.register("x", f"ab{top}{top}q")
        employee.add_employment(
            Employment.create(
                id=uuid.uuid4(), employer_id=employer.id, period=DateRange(_dt.date(2020, 1, 1))
            )
        )
        for aggregate in (employer, other, plain, employee):
            aggregate.pull_events()
        org = xst.Organisation((employer, other, plain), (), (employee,))
        with uow_factory() as uow:
            uow.bulk.add_all(employers=org.employers, employees=org.employees)
            uow.commit()
        for term in ("ab", f"ab{top}", f"b{top}", f"ab{top}{top}"):
            query = SearchQuery.create(term)
            for scope, visible in (
                (ResolvedScope(everything=True), None),
                (
                    ResolvedScope(False, frozenset({employer.id, other.id})),
                    visible_units(org, {employer.id, other.id}, set()),
                ),
            ):
                with uow_factory(write=False) as uow:
                    hits = uow.search.search(query, scope)
                assert [(h.kind, h.id, h.rank) for h in hits] == reference(org, query, visible)


class TestMemorySearchAttacks(MemoryBackend, SearchAttacks):
    pass


class TestSqliteSearchAttacks(SqliteBackend, SearchAttacks):
    pass


class TestPostgresSearchAttacks(PostgresBackend, SearchAttacks):
    pass


class TestSqliteSearchAttacksPlans(SqliteScanPlanBackend, SearchAttacks):
    pass


class TestPostgresSearchAttacksPlans(PostgresScanPlanBackend, SearchAttacks):
    pass
