"""The external API's use cases under real concurrent connections (R7.1), on SQLite and
PostgreSQL: concurrent retries with one ``Idempotency-Key`` create one user and all answer it;
concurrent creations with one e-mail address create one user; concurrent wrong token attempts
from one IPv6 /64 verify no more secrets than its limit."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest

import xs
from tests.races import ENGINES, codes, events, race, sql_app
from tests.web.world import ROLE, build_world
from xs_adapters.clock import FixedClock
from xs_adapters.memory.mail import MemoryMailer
from xs_app.services.api import (
    ApiAuthentication,
    CreateEmployerUser,
    ListApiClients,
    ListEmployerUsers,
)
from xs_core.access.api_clients import fingerprint
from xs_core.access.attempts import AttemptLimits
from xs_core.errors import NotAllowed

RACERS = 4


@pytest.fixture(params=ENGINES)
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[xs.Xs]:
    yield from sql_app(request, clock)


def _command(actor: object, email: str, key: str | None) -> CreateEmployerUser:
    return CreateEmployerUser(
        actor=actor,  # type: ignore[arg-type]
        employer_code="A1",
        name="Anne",
        email=email,
        role=ROLE,
        idempotency_key=key,
        request_fingerprint=fingerprint(email.encode()),
    )


def test_r7_1_concurrent_idempotent_retries_create_one_user(app: xs.Xs) -> None:
    world = build_world(app, MemoryMailer())
    (client,) = app.api_clients.clients(ListApiClients(actor=world.admin))
    create = app.employer_users.create_employer_user
    outcomes = race(
        *(partial(create, _command(client.user_id, "anne@a.nl", "retry-1")) for _ in range(RACERS))
    )
    assert codes(outcomes) == ["ok"] * RACERS
    ids = {o.value.user_id for o in outcomes}  # type: ignore[attr-defined]
    assert len(ids) == 1
    assert sum(not o.value.repeated for o in outcomes) == 1  # type: ignore[attr-defined]
    listed = app.employer_users.employer_users(
        ListEmployerUsers(actor=client.user_id, employer_code="A1")
    )
    assert [u.email for u in listed] == ["anne@a.nl"]
    assert len(events(app, "EmployerUserInvited")) == 1


def test_r7_1_concurrent_creations_of_one_address_create_one_user(app: xs.Xs) -> None:
    world = build_world(app, MemoryMailer())
    (client,) = app.api_clients.clients(ListApiClients(actor=world.admin))
    create = app.employer_users.create_employer_user
    outcomes = race(
        *(partial(create, _command(client.user_id, "bert@a.nl", None)) for _ in range(RACERS))
    )
    assert codes(outcomes) == ["access.email_in_use"] * (RACERS - 1) + ["ok"]
    assert len(events(app, "EmployerUserInvited")) == 1


def test_r7_1_concurrent_requests_reusing_one_key_with_other_bodies(app: xs.Xs) -> None:
    """R7.1: racers sending one ``Idempotency-Key`` with different bodies (each its own e-mail
    address): exactly one creates its user, every other is ``api.idempotency_key_reused`` and
    creates nothing, whatever order the connections commit in."""
    world = build_world(app, MemoryMailer())
    (client,) = app.api_clients.clients(ListApiClients(actor=world.admin))
    create = app.employer_users.create_employer_user
    outcomes = race(
        *(
            partial(create, _command(client.user_id, f"racer{n}@a.nl", "shared-key"))
            for n in range(RACERS)
        )
    )
    assert codes(outcomes) == ["api.idempotency_key_reused"] * (RACERS - 1) + ["ok"]
    listed = app.employer_users.employer_users(
        ListEmployerUsers(actor=client.user_id, employer_code="A1")
    )
    assert len(listed) == 1
    assert len(events(app, "EmployerUserInvited")) == 1


def test_r7_1_concurrent_retries_of_an_expired_key_create_one_new_user(
    app: xs.Xs, clock: FixedClock
) -> None:
    """R7.1: a key older than IDEMPOTENCY_KEY_RETENTION is forgotten. Racers retrying it with
    a new body after it expired: one claims it anew and creates its user, the others wait for
    that transaction and answer its result — never the expired first answer, never two users."""
    world = build_world(app, MemoryMailer())
    (client,) = app.api_clients.clients(ListApiClients(actor=world.admin))
    create = app.employer_users.create_employer_user
    first = create(_command(client.user_id, "anne@a.nl", "daily"))
    clock.advance(hours=24, seconds=1)
    outcomes = race(
        *(partial(create, _command(client.user_id, "bert@a.nl", "daily")) for _ in range(RACERS))
    )
    assert codes(outcomes) == ["ok"] * RACERS
    ids = {o.value.user_id for o in outcomes}  # type: ignore[attr-defined]
    assert len(ids) == 1 and first.user_id not in ids
    assert sum(not o.value.repeated for o in outcomes) == 1  # type: ignore[attr-defined]
    listed = app.employer_users.employer_users(
        ListEmployerUsers(actor=client.user_id, employer_code="A1")
    )
    assert sorted(u.email for u in listed) == ["anne@a.nl", "bert@a.nl"]
    assert len(events(app, "EmployerUserInvited")) == 2


def test_r7_1_concurrent_wrong_secrets_from_one_ipv6_64_verify_at_most_the_limit(
    app: xs.Xs, clock: FixedClock
) -> None:
    """R7.1: racers each on another address of one IPv6 /64, all with wrong secrets, share one
    count: exactly ``per_address`` of them get a secret verified (``api.invalid_client``), the
    others are refused unverified — rotating addresses inside the /64 buys nothing, even at
    once."""
    world = build_world(app, MemoryMailer())
    auth = ApiAuthentication(
        app.container.uow,
        app.container.hasher(),
        clock,
        AttemptLimits(per_address=3),
    )
    racers = 2 * RACERS
    outcomes = race(
        *(
            partial(auth.verify_secret, str(world.client_id), "wrong", f"2001:db8:7:7::{i + 1:x}")
            for i in range(racers)
        )
    )
    assert codes(outcomes) == ["api.invalid_client"] * 3 + ["api.too_many_attempts"] * (racers - 3)
    with pytest.raises(NotAllowed) as refused:  # the right secret too, from anywhere in the /64
        auth.verify_secret(str(world.client_id), world.secret, "2001:db8:7:7:ffff::9")
    assert refused.value.code == "api.too_many_attempts"
    assert auth.verify_secret(str(world.client_id), world.secret, "2001:db8:7:8::1").id == (
        world.client_id
    )
