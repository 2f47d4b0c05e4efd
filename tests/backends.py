"""The three storage implementations every contract suite runs against."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from xs_adapters.clock import FixedClock
from xs_adapters.memory import MemoryStore, MemoryUnitOfWork
from xs_adapters.sql.engine import create_engine
from xs_adapters.sql.search import CANDIDATES, SCOPE_FIRST, WALK, SearchTuning
from xs_adapters.sql.uow import SqlUnitOfWork
from xs_core.uow import UnitOfWork

UowFactory = Callable[..., UnitOfWork]


class MemoryBackend:
    backend = "memory"

    @pytest.fixture
    def uow_factory(self, clock: FixedClock) -> UowFactory:
        store = MemoryStore()
        return lambda write=True: MemoryUnitOfWork(store, clock, write)


class SqliteBackend:
    backend = "sqlite"

    @pytest.fixture
    def uow_factory(self, sqlite_url: str, clock: FixedClock) -> Iterator[UowFactory]:
        engine = create_engine(sqlite_url)
        yield lambda write=True: SqlUnitOfWork(engine, clock, write)
        engine.dispose()


class PostgresBackend:
    backend = "postgres"

    @pytest.fixture
    def uow_factory(self, postgres_url: str, clock: FixedClock) -> Iterator[UowFactory]:
        engine = create_engine(postgres_url)
        yield lambda write=True: SqlUnitOfWork(engine, clock, write)
        engine.dispose()


#: Forces the other query plans of the SQL search: each scoped plan (the scope's rows ranked,
#: the name index walked, the trigram candidates ranked); for an unlimited scope the trigram
#: path, or the full ordered walk, for substrings.
TRIGRAM_PLANS = SearchTuning(scoped_plan=CANDIDATES, walk_window=1, trigram_candidates=10**6)
WALK_PLANS = SearchTuning(scoped_plan=WALK, walk_window=0, trigram_candidates=0)
#: Tiny windows and caps: the bounded walk, the candidate count and the sample at their edges.
BOUNDARY_PLANS = SearchTuning(
    scoped_plan=None, walk_window=2, trigram_candidates=2, sample=3, small_scope_rows=0
)
SCOPE_PLANS = SearchTuning(scoped_plan=SCOPE_FIRST)
PLANS = {
    "trigram": TRIGRAM_PLANS,
    "walk": WALK_PLANS,
    "boundary": BOUNDARY_PLANS,
    "scope": SCOPE_PLANS,
}


class _OtherPlans:
    """The SQL backend of ``database`` with each tuning of :data:`PLANS`."""

    database = "sqlite_url"

    @pytest.fixture(params=sorted(PLANS))
    def uow_factory(
        self, request: pytest.FixtureRequest, clock: FixedClock
    ) -> Iterator[UowFactory]:
        tuning = PLANS[request.param]
        engine = create_engine(request.getfixturevalue(self.database))
        yield lambda write=True: SqlUnitOfWork(engine, clock, write, tuning)
        engine.dispose()


class ScopeFirstBackend:
    """The SQL backend of ``database`` with the scope-first plan forced for every scoped
    search (:data:`SCOPE_PLANS`)."""

    database = "sqlite_url"

    @pytest.fixture
    def uow_factory(
        self, request: pytest.FixtureRequest, clock: FixedClock
    ) -> Iterator[UowFactory]:
        engine = create_engine(request.getfixturevalue(self.database))
        yield lambda write=True: SqlUnitOfWork(engine, clock, write, SCOPE_PLANS)
        engine.dispose()


class SqliteScanPlanBackend(_OtherPlans):
    backend = "sqlite-other-plans"
    database = "sqlite_url"


class PostgresScanPlanBackend(_OtherPlans):
    backend = "postgres-other-plans"
    database = "postgres_url"
