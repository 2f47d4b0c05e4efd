"""The application through ``bootstrap()`` on each backend, for service-level tests."""

from __future__ import annotations

import pytest

from xs_adapters.clock import FixedClock
from xs_app import Xs, bootstrap


def make_app(request: pytest.FixtureRequest, clock: FixedClock, backend: str) -> Xs:
    """``memory``, ``sqlite`` (a fresh migrated file) or ``postgres`` (a fresh database)."""
    if backend == "memory":
        return bootstrap(storage="memory", clock=clock)
    if backend == "sqlite":
        return bootstrap(database_url=request.getfixturevalue("sqlite_url"), clock=clock)
    return bootstrap(
        database_url=request.getfixturevalue("postgres_url"), clock=clock, migrate_database=False
    )
