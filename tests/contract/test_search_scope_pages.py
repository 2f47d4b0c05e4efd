"""Deep pages of the scope-first search (R1.3) on SQLite and PostgreSQL: a page costs the memory
of its own rows, not of the entries before it, and every page equals the reference ranking."""

from __future__ import annotations

import datetime as _dt
import tracemalloc
import uuid

import pytest

from tests.backends import ScopeFirstBackend, UowFactory
from tests.contract.test_search import reference, visible_units
from xs_core.access.model import ResolvedScope, Scope
from xs_core.dates import DateRange
from xs_core.organisation.model import Department, Employee, Employer, Employment
from xs_core.organisation.search import MAX_PAGE_SIZE, MAX_SEARCH_RESULTS, SearchQuery
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.testing import strategies as xst

#: What a deep page may allocate beyond a shallow one (before the fix a page at offset N held a
#: list of N placeholders: 8 bytes each, 79 KB at the deepest page of 100, offset 9,900).
SLACK = 32 * 1024


def _organisation() -> tuple[xst.Organisation, Employer]:
    """Two employers: the one in scope with a department and a dozen Jansens (names ranked 2
    and 3 for ``jans``), the other with Jansens outside the scope."""
    inside, outside = Employer.create("Jansen Groep", "JG"), Employer.create("Jansen Elders")
    department = Department.create(inside.id, "Jansen Logistiek", "JANS")
    employees = []
    for index, (employer, letter) in enumerate(
        [(inside, letter) for letter in "ABCDEFGHIJKL"] + [(outside, "M"), (outside, "N")]
    ):
        person = Employee.register("Jan" if index % 2 else "Piet", f"Jansen {letter}")
        person.add_employment(
            Employment.create(
                id=uuid.uuid4(),
                employer_id=employer.id,
                department_id=department.id if employer is inside and index % 3 == 0 else None,
                period=DateRange(_dt.date(2020, 1, 1)),
            )
        )
        employees.append(person)
    for aggregate in [inside, outside, department, *employees]:
        aggregate.pull_events()
    return xst.Organisation((inside, outside), (department,), tuple(employees)), inside


class ScopePagesContract:
    @pytest.fixture
    def world(self, uow_factory: UowFactory) -> tuple[xst.Organisation, Employer]:
        org, inside = _organisation()
        with uow_factory() as uow:
            uow.bulk.add_all(
                employers=org.employers, departments=org.departments, employees=org.employees
            )
            uow.commit()
        return org, inside

    def _scope(self, uow_factory: UowFactory, inside: Employer) -> ResolvedScope:
        with uow_factory(write=False) as uow:
            return uow.scopes.resolve(Scope.of([UnitRef(UnitKind.EMPLOYER, inside.id)]))

    @pytest.mark.parametrize("page_size", [1, 4, 7, 20])
    def test_r1_3_every_page_of_a_scope_equals_the_reference(
        self,
        uow_factory: UowFactory,
        world: tuple[xst.Organisation, Employer],
        page_size: int,
    ) -> None:
        org, inside = world
        scope = self._scope(uow_factory, inside)
        visible = visible_units(org, {inside.id}, set())
        last = 15 // page_size + 2  # past the last entry too: empty pages
        with uow_factory(write=False) as uow:
            for page in [*range(1, last + 1), MAX_SEARCH_RESULTS // page_size]:
                query = SearchQuery.create("jans", page=page, page_size=page_size)
                hits = uow.search.search(query, scope)
                assert [(h.kind, h.id, h.rank) for h in hits] == reference(org, query, visible)
            assert len(uow.search.search(SearchQuery.create("jans", page_size=20), scope)) == 14

    @pytest.mark.parametrize(
        ("page", "page_size"),
        [(MAX_SEARCH_RESULTS // 100, 100), (MAX_SEARCH_RESULTS // MAX_PAGE_SIZE, MAX_PAGE_SIZE)],
    )
    def test_r1_3_a_deep_page_allocates_no_more_than_the_first(
        self,
        uow_factory: UowFactory,
        world: tuple[xst.Organisation, Employer],
        page: int,
        page_size: int,
    ) -> None:
        """R1.3: the entries before a page are skipped by the statement; nothing in Python
        stands for them, so the memory a search takes does not grow with the page number."""
        _, inside = world
        scope = self._scope(uow_factory, inside)
        shallow = SearchQuery.create("jans", page=1, page_size=page_size)
        deep = SearchQuery.create("jans", page=page, page_size=page_size)
        with uow_factory(write=False) as uow:
            for query in (shallow, deep):  # warm: statements compiled and cached
                uow.search.search(query, scope)

            def peak(query: SearchQuery) -> int:
                tracemalloc.start()
                try:
                    base = tracemalloc.get_traced_memory()[0]
                    tracemalloc.reset_peak()
                    assert len(uow.search.search(query, scope)) == (14 if query is shallow else 0)
                    return tracemalloc.get_traced_memory()[1] - base
                finally:
                    tracemalloc.stop()

            first, far = peak(shallow), peak(deep)
        assert far <= first + SLACK, (first, far)


class TwoEmployersContract:
    """R1.3 inside whole employers: an employee has a row per employer and one more per
    department of each employment; ranked from the employers' own rows, an employee of two
    employers in scope is found once, and one employed in a department of an employer in
    scope is found (its department row only repeats it)."""

    @pytest.fixture
    def world(self, uow_factory: UowFactory) -> xst.Organisation:
        first, second = Employer.create("Jansen Een", "JE"), Employer.create("Jansen Twee")
        east = Department.create(first.id, "Jansen Oost", "JO")
        west = Department.create(second.id, "Jansen West")
        both = Employee.register("Jan", "Jansen Beide")
        for employer, department in ((first, east), (second, west)):
            both.add_employment(
                Employment.create(
                    id=uuid.uuid4(),
                    employer_id=employer.id,
                    department_id=department.id,
                    period=DateRange(_dt.date(2020, 1, 1)),
                )
            )
        west_only = Employee.register("Piet", "Jansen West")
        west_only.add_employment(
            Employment.create(
                id=uuid.uuid4(),
                employer_id=second.id,
                department_id=west.id,
                period=DateRange(_dt.date(2020, 1, 1)),
            )
        )
        plain = Employee.register("Kees", "Jansen Zonder")
        plain.add_employment(
            Employment.create(
                id=uuid.uuid4(), employer_id=first.id, period=DateRange(_dt.date(2020, 1, 1))
            )
        )
        people = (both, west_only, plain)
        for aggregate in [first, second, east, west, *people]:
            aggregate.pull_events()
        with uow_factory() as uow:
            uow.bulk.add_all(employers=(first, second), departments=(east, west), employees=people)
            uow.commit()
        return xst.Organisation((first, second), (east, west), people)

    @pytest.mark.parametrize("which", ["first", "second", "both", "departments"])
    def test_r1_3_scopes_of_whole_employers_equal_the_reference(
        self, uow_factory: UowFactory, world: xst.Organisation, which: str
    ) -> None:
        first, second = world.employers
        employers = {"first": {first.id}, "second": {second.id}, "both": {first.id, second.id}}
        chosen = employers.get(which, set())
        departments = {d.id for d in world.departments} if which == "departments" else set()
        units = [UnitRef(UnitKind.EMPLOYER, e) for e in chosen] + [
            UnitRef(UnitKind.DEPARTMENT, d) for d in departments
        ]
        query = SearchQuery.create("jansen", page_size=50)
        with uow_factory(write=False) as uow:
            scope = uow.scopes.resolve(Scope.of(units))
            hits = uow.search.search(query, scope)
        expected = reference(world, query, visible_units(world, chosen, departments))
        assert [(h.kind, h.id, h.rank) for h in hits] == expected
        ids = [h.id for h in hits]
        assert len(ids) == len(set(ids))  # each unit once
        if which == "both":
            assert len([h for h in hits if h.kind is UnitKind.EMPLOYEE]) == 3


class TestSqliteScopePages(ScopeFirstBackend, ScopePagesContract):
    database = "sqlite_url"


@pytest.mark.postgres
class TestPostgresScopePages(ScopeFirstBackend, ScopePagesContract):
    database = "postgres_url"


class TestSqliteTwoEmployers(ScopeFirstBackend, TwoEmployersContract):
    database = "sqlite_url"


@pytest.mark.postgres
class TestPostgresTwoEmployers(ScopeFirstBackend, TwoEmployersContract):
    database = "postgres_url"


@pytest.mark.postgres
class TestPostgresOwnRowsIndex(ScopeFirstBackend):
    """R1.3, migration 0024: the employer index holds an employer's own scope rows only (a
    partial index). The scope-first statement must state the same condition literally, or the
    planner may not use the index in the generic plan of the prepared statement (psycopg
    prepares a statement run often; PostgreSQL then plans it once, without the values). With
    sequential scans switched off, a statement whose condition does not imply the index's
    falls back to a scan of the table, and this fails."""

    database = "postgres_url"

    @pytest.mark.parametrize("parts", [(False, True, False), (True, False, False)])
    def test_r1_3_a_scope_of_whole_employers_reads_the_own_rows_index(
        self, uow_factory: UowFactory, parts: tuple[bool, bool, bool]
    ) -> None:
        import re

        from xs_adapters.sql.search import _scope_first_statement

        statement = _scope_first_statement(False, parts, every_kind=True)
        values: dict[str, object] = {
            "term": "jans",
            "term_top": "jant",
            "pattern": "%jans%",
            "page_rows": 20,
            "skip": 0,
            "folders" if parts[0] else "employers": f"{{{uuid.uuid4()}}}",
        }
        with uow_factory(write=False) as uow:
            connection = uow.connection  # type: ignore[attr-defined]
            compiled = statement.compile(dialect=connection.dialect)
            values = {**compiled.params, **values}
            names: list[str] = []

            def numbered(found: re.Match[str]) -> str:
                if found[1] not in names:
                    names.append(found[1])
                return f"${names.index(found[1]) + 1}"

            # (the driver reads % as its placeholder: literal ones stay doubled)
            sql = re.sub(r"%\((\w+)\)s", numbered, str(compiled))
            arguments = ", ".join(
                "'" + str(values[n]).replace("'", "''").replace("%", "%%") + "'" for n in names
            )
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
            connection.exec_driver_sql(f"PREPARE own_rows AS {sql}")
            plan = "\n".join(
                connection.exec_driver_sql(f"EXPLAIN EXECUTE own_rows({arguments})").scalars()
            )
            connection.exec_driver_sql("DEALLOCATE own_rows")
        assert "ix_search_entry_scopes_employer_rank" in plan, plan
