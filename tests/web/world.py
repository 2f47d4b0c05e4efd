"""A small world for the web host's tests (R7.1): two employers, an employer role and an
internal role, and an API client entitled to the first employer only."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import attrs
import pytest
from litestar.testing import TestClient

import xs
from xs_adapters.clock import FixedClock
from xs_adapters.memory.mail import MemoryMailer
from xs_app.services.api import RegisterApiClient
from xs_app.web import create_app
from xs_core.access.features import Feature
from xs_core.access.model import RoleKind
from xs_core.organisation.model import Address

KEY = b"k" * 32
ROLE = "Werkgever HR"
PASSWORD = "paarden eten graag hooi"


@attrs.define
class WebWorld:
    app: xs.Xs
    client: TestClient  # type: ignore[type-arg]
    mailer: MemoryMailer
    admin: uuid.UUID
    employer_a: uuid.UUID
    employer_b: uuid.UUID
    client_id: uuid.UUID
    secret: str

    def token(self, client_id: uuid.UUID | None = None, secret: str | None = None) -> str:
        answer = self.client.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": str(client_id or self.client_id),
                "client_secret": secret or self.secret,
            },
        )
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["access_token"]
        return token

    def auth(self, **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}", **headers}


def build_world(app: xs.Xs, mailer: MemoryMailer) -> WebWorld:
    admin = app.installation.create_super_administrator("Beheer", "beheer@example.nl")
    a = app.organisation.create_employer(xs.CreateEmployer(actor=admin, name="Bakkerij", code="A1"))
    b = app.organisation.create_employer(xs.CreateEmployer(actor=admin, name="Slagerij", code="B2"))
    app.organisation.create_branch(
        xs.CreateBranch(
            actor=admin,
            employer_id=a,
            name="Filiaal Utrecht",
            code="UT",
            address=Address.create("Oudegracht", "12", "3511 AB", "Utrecht"),
        )
    )
    app.access.create_role(
        xs.CreateRole(
            actor=admin,
            name=ROLE,
            features=frozenset({Feature.VIEW_ORGANISATION}),
            kind=RoleKind.EMPLOYER,
        )
    )
    app.access.create_role(
        xs.CreateRole(actor=admin, name="Intern", features=frozenset({Feature.VIEW_ORGANISATION}))
    )
    registered = app.api_clients.register(
        RegisterApiClient(actor=admin, name="HR-systeem", employer_codes=frozenset({"A1"}))
    )
    return WebWorld(
        app=app,
        client=TestClient(create_app(app)),
        mailer=mailer,
        admin=admin,
        employer_a=a,
        employer_b=b,
        client_id=registered.client_id,
        secret=registered.secret,
    )


def world_on(request: pytest.FixtureRequest, clock: FixedClock, backend: str) -> Iterator[WebWorld]:
    mailer = MemoryMailer()
    if backend == "memory":
        app = xs.bootstrap(storage="memory", clock=clock, mailer=mailer, secret_key=KEY)
    else:
        url = request.getfixturevalue(f"{backend}_url")
        app = xs.bootstrap(url, clock=clock, migrate_database=True, mailer=mailer, secret_key=KEY)
    world = build_world(app, mailer)
    with world.client:
        yield world
    app.close()
