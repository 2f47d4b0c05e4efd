"""The deepest page of a scoped search (R1.3) in a scope larger than one statement binds."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from xs_adapters.sql.engine import create_engine
from xs_adapters.sql.search import SCOPE_FIRST, WALK, SearchTuning, SqlOrganisationSearch
from xs_core.access.model import ResolvedScope
from xs_core.errors import InvalidInput
from xs_core.limits import MAX_SEARCH_RESULTS
from xs_core.organisation.search import SearchQuery

#: more than PostgreSQL's 65,535 parameters of one statement
ENTRIES = 66_000


@pytest.mark.parametrize("plan", [SCOPE_FIRST, WALK])
def test_r1_3_a_deep_page_of_a_large_scope_reads_its_names(postgres_url: str, plan: str) -> None:
    """R1.3: in a scope of 66,000 matches (more than PostgreSQL's 65,535 parameters of one
    statement) the deepest accepted page, 50 of 200, holds ranks 9,801-10,000 with their names;
    one page deeper is refused before anything is read."""
    engine = create_engine(postgres_url)
    employer = uuid.uuid4()
    with engine.begin() as connection:  # made by the server: fast
        connection.execute(
            sa.text(
                "INSERT INTO search_entries (kind, unit_id, kind_order, name, name_norm) "
                "SELECT 'employee', gen_random_uuid(), 2, 'Bakker ' || lpad(i::text, 6, '0'), "
                "'bakker ' || lpad(i::text, 6, '0') FROM generate_series(0, :n - 1) AS i"
            ),
            {"n": ENTRIES},
        )
        connection.execute(
            sa.text(
                "INSERT INTO search_entry_scopes "
                "(entry_id, employer_id, kind, kind_order, unit_id, name_norm) "
                "SELECT id, :employer, kind, kind_order, unit_id, name_norm FROM search_entries"
            ),
            {"employer": employer},
        )
        connection.execute(sa.text("ANALYZE search_entries, search_entry_scopes"))
    with engine.connect() as connection:
        search = SqlOrganisationSearch(connection, SearchTuning(scoped_plan=plan))
        hits = search.search(
            SearchQuery.create("akk", page=MAX_SEARCH_RESULTS // 200, page_size=200),
            ResolvedScope(False, frozenset({employer})),
        )
    engine.dispose()
    assert [h.name for h in hits] == [f"Bakker {i:06}" for i in range(9_800, 10_000)]
    with pytest.raises(InvalidInput) as refused:
        SearchQuery.create("akk", page=MAX_SEARCH_RESULTS // 200 + 1, page_size=200)
    assert refused.value.code == "search.page_too_deep"
