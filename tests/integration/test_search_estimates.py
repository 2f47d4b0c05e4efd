"""The size estimates of the cost-based search (R1.3, D-search-cost): read once and reused by
every connection to the database for ``ESTIMATES_SECONDS``, read again afterwards; a folder
scope's employers are counted for its share. They only choose a plan: the page is the same."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

import xs_adapters.sql.search as search_module
from xs_adapters.sql.bulk import SqlOrganisationBulkWriter
from xs_adapters.sql.engine import create_engine
from xs_adapters.sql.search import SqlOrganisationSearch
from xs_core.access.model import ResolvedScope
from xs_core.organisation.model import Employer, Folder
from xs_core.organisation.search import SearchQuery


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    url = request.getfixturevalue(f"{request.param}_url")
    made = create_engine(url)
    yield made
    made.dispose()


def _size_statements(engine: sa.Engine) -> list[str]:
    """The statements that read the table sizes (SQLite: the largest ids; PostgreSQL:
    ``pg_class``), as the engine executes them."""
    seen: list[str] = []

    def listen(*args: object) -> None:
        statement = str(args[2])
        if "max(rowid)" in statement or "pg_class" in statement:
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", listen)
    return seen


def _world(engine: sa.Engine) -> tuple[Folder, list[Employer]]:
    folder = Folder.create("Map Noord")
    employers = [
        Employer.create(f"Bakkerij {i}", code=f"B{i}", folder_id=folder.id) for i in range(3)
    ]
    employers.append(Employer.create("Bakkerij buiten", code="BX"))
    with engine.begin() as connection:
        SqlOrganisationBulkWriter(connection, lambda _: None).add_all(
            folders=[folder], employers=employers
        )
    return folder, employers


def test_r1_3_the_sizes_are_read_once_and_reused_until_they_expire(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, employers = _world(engine)
    seen = _size_statements(engine)
    scope = ResolvedScope(False, folder_ids=frozenset({folder.id}))
    query = SearchQuery.create("bakkerij")

    def search() -> list[uuid.UUID]:
        with engine.connect() as connection:  # a new connection each time
            found = SqlOrganisationSearch(connection).search(query, scope)
        return [hit.id for hit in found]

    first = search()
    assert len(seen) == 1
    assert search() == first
    assert len(seen) == 1  # reused by another connection
    monkeypatch.setattr(search_module, "ESTIMATES_SECONDS", 0.0)
    assert search() == first
    assert len(seen) == 2  # expired: read again
    # the folder's three employers, never the one outside it
    assert sorted(first) == sorted(e.id for e in employers[:3])


def test_r1_3_a_folder_scope_s_share_counts_its_employers(engine: sa.Engine) -> None:
    folder, _ = _world(engine)
    with engine.connect() as connection:
        sizes = SqlOrganisationSearch(connection)._sizes(
            ResolvedScope(False, folder_ids=frozenset({folder.id}))
        )
    _, _, share = sizes
    assert share == pytest.approx(3 / 4)  # three of the four employers
