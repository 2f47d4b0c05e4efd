"""The application through ``bootstrap()`` on each backend, for service-level tests."""

from __future__ import annotations

import uuid

import pytest

from xs_adapters.clock import FixedClock
from xs_app import Xs, bootstrap
from xs_app.services.access import CreateRole, CreateUser
from xs_core.access.features import Feature
from xs_core.organisation.units import UnitRef


def make_app(request: pytest.FixtureRequest, clock: FixedClock, backend: str) -> Xs:
    """``memory``, ``sqlite`` (a fresh migrated file) or ``postgres`` (a fresh database)."""
    if backend == "memory":
        return bootstrap(storage="memory", clock=clock)
    if backend == "sqlite":
        return bootstrap(database_url=request.getfixturevalue("sqlite_url"), clock=clock)
    return bootstrap(
        database_url=request.getfixturevalue("postgres_url"), clock=clock, migrate_database=False
    )


def user_with(
    xs: Xs,
    admin: uuid.UUID,
    email: str,
    features: frozenset[Feature],
    scope: frozenset[UnitRef],
    name: str = "Gebruiker",
) -> uuid.UUID:
    """A user holding ``features`` through one role of their own, inside ``scope``."""
    role = xs.access.create_role(
        CreateRole(actor=admin, name=f"Rol van {email}", features=features)
    )
    return xs.access.create_user(
        CreateUser(actor=admin, name=name, email=email, role_ids=frozenset({role}), scope=scope)
    )
