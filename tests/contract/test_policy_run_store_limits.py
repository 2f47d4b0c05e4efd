"""The run store's reads of a whole chunk at the largest chunk size the service accepts
(MAX_CHUNK_SIZE, 20,000 employees), R6.6.

``registrations`` and ``facts`` put every id of the chunk in one ``IN (…)`` list, one bound
parameter each: past SQLite's 32,766 variables and PostgreSQL's 65,535 parameters the query
fails; the largest chunk stays below both."""

from __future__ import annotations

import uuid

from tests.backends import PostgresBackend, SqliteBackend, UowFactory
from xs_app.services.policy_evaluation import MAX_CHUNK_SIZE


class _Contract:
    def test_r6_6_a_chunk_of_the_largest_size_can_be_read(self, uow_factory: UowFactory) -> None:
        ids = sorted(uuid.uuid4() for _ in range(MAX_CHUNK_SIZE))
        with uow_factory(write=False) as uow:
            assert uow.policy_runs.registrations(uuid.uuid4(), ids) == {}
            assert uow.policy_runs.facts(uuid.uuid4(), ids) == []


class TestSqliteLargestChunk(SqliteBackend, _Contract):
    pass


class TestPostgresLargestChunk(PostgresBackend, _Contract):
    pass
