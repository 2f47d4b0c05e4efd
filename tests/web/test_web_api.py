"""The web host and the external API through the real ASGI app (Litestar's test client), on
memory, SQLite and PostgreSQL (R7.1, R0.5, R0.6, R1.3, R1.4): every refusal is a problem
document with its code and status, nothing is written, and an idempotent retry answers the
first result."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterator

import jwt
import pytest
from litestar import get
from litestar.testing import TestClient

import xs
from tests.web.world import KEY, PASSWORD, ROLE, WebWorld, build_world, world_on
from xs_adapters.clock import FixedClock
from xs_adapters.memory.mail import MemoryMailer
from xs_app.services.api import DisableApiClient
from xs_app.web import create_app
from xs_app.web.app import MAX_BODY

BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
USERS = "/api/v1/employers/A1/users"
ANNE = {"name": "Anne de Vries", "email": "anne@bakkerij.nl", "role": ROLE, "language": "nl"}


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[WebWorld]:
    yield from world_on(request, clock, request.param)


def _problem(answer: object, status: int, code: str) -> dict[str, object]:
    response = answer  # httpx.Response
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["code"] == code
    assert body["status"] == status
    assert body["type"] == f"urn:xs:problem:{code}"
    return body


def _listed(world: WebWorld) -> list[str]:
    answer = world.client.get(USERS, headers=world.auth())
    assert answer.status_code == 200, answer.text
    return [u["email"] for u in answer.json()["users"]]


# -- host ------------------------------------------------------------------------------------------


def test_health_and_openapi(world: WebWorld) -> None:
    """/health answers when the database is reachable; /openapi.json is OpenAPI 3.1 of every
    route, the API ones behind a bearer token."""
    assert world.client.get("/health").json() == {"status": "ok"}
    schema = world.client.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert set(schema["paths"]) >= {
        "/health",
        "/oauth/token",
        "/api/v1/employers/{employer_code}/users",
        "/api/v1/users/{user_id}",
        "/api/v1/search",
        "/api/v1/employers/{employer_code}/branches",
    }
    post = schema["paths"]["/api/v1/employers/{employer_code}/users"]["post"]
    assert post["security"] == [{"BearerToken": []}]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body["additionalProperties"] is False
    assert body["required"] == ["name", "email", "role"]
    # R7.1: the token route's 429 names its Retry-After header (whole seconds, at least 1)
    too_many = schema["paths"]["/oauth/token"]["post"]["responses"]["429"]
    retry_after = too_many["headers"]["Retry-After"]
    assert retry_after["required"] is True
    assert retry_after["schema"] == {"type": "integer", "minimum": 1}
    assert (
        world.client.get("/schema/openapi.json").json()["paths"]["/oauth/token"]
        == (schema["paths"]["/oauth/token"])
    )


def test_security_headers_and_correlation_id(world: WebWorld) -> None:
    answer = world.client.get("/health")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["x-correlation-id"])


def test_unknown_route_and_language(world: WebWorld) -> None:
    """R0.5: the message follows Accept-Language, Dutch by default."""
    dutch = _problem(world.client.get("/nope"), 404, "api.route_not_found")
    english = _problem(
        world.client.get("/nope", headers={"Accept-Language": "en-GB,en;q=0.9"}),
        404,
        "api.route_not_found",
    )
    assert dutch["title"] == "Deze route bestaat niet."
    assert english["title"] == "This route does not exist."


def test_unexpected_error_is_500_with_correlation_id_and_no_trace(
    clock: FixedClock,
) -> None:
    """A bug is a 500 problem naming a correlation id, never a stack trace."""
    from litestar.testing import TestClient

    app = xs.bootstrap(storage="memory", clock=clock, secret_key=KEY)

    @get("/boom", sync_to_thread=False)
    def boom() -> None:
        raise RuntimeError("secret internals")

    web = create_app(app)
    web.register(boom)
    with TestClient(web) as client:
        answer = client.get("/boom", headers={"Accept-Language": "en"})
    body = _problem(answer, 500, "api.internal_error")
    ident = answer.headers["x-correlation-id"]
    assert body["details"] == {"correlation_id": ident}
    assert "secret internals" not in answer.text and "Traceback" not in answer.text


# -- tokens ----------------------------------------------------------------------------------------


def test_token_refusals(world: WebWorld) -> None:
    """R7.1: only the right secret of an active client gets a token."""
    post = world.client.post
    form = {"grant_type": "client_credentials", "client_id": str(world.client_id)}
    _problem(
        post("/oauth/token", data={**form, "client_secret": "wrong"}), 401, "api.invalid_client"
    )
    _problem(
        post("/oauth/token", data={**form, "client_id": str(uuid.uuid4()), "client_secret": "x"}),
        401,
        "api.invalid_client",
    )
    _problem(
        post("/oauth/token", data={**form, "client_id": "not-a-uuid", "client_secret": "x"}),
        401,
        "api.invalid_client",
    )
    _problem(
        post("/oauth/token", data={**form, "grant_type": "password", "client_secret": "x"}),
        422,
        "api.unsupported_grant",
    )
    _problem(post("/oauth/token", data={}), 400, "api.request_invalid")
    basic = post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(str(world.client_id), world.secret),
    )
    assert basic.status_code == 200
    assert basic.json()["token_type"] == "Bearer"
    assert basic.json()["expires_in"] == 900


def test_r7_1_failed_token_attempts_are_limited_per_address(
    world: WebWorld, clock: FixedClock
) -> None:
    """R7.1: an address gets 20 failed token attempts per 15-minute window (the default
    limits); then every attempt — even with the right secret, which is not verified — is
    ``429 api.too_many_attempts`` with ``Retry-After`` until the next window. Right secrets
    take their attempt back: a client fetching tokens never runs into the limit."""
    form = {"grant_type": "client_credentials", "client_id": str(world.client_id)}
    right = {**form, "client_secret": world.secret}
    wrong = {**form, "client_secret": "wrong"}
    post = world.client.post
    clock.advance(minutes=15 - clock.now().minute % 15)  # the start of a window
    for _ in range(25):
        assert post("/oauth/token", data=right).status_code == 200
    for _ in range(20):
        _problem(post("/oauth/token", data=wrong), 401, "api.invalid_client")
    clock.advance(minutes=10)
    for data in (wrong, right):
        answer = post("/oauth/token", data=data, headers={"Accept-Language": "en"})
        body = _problem(answer, 429, "api.too_many_attempts")
        assert answer.headers["retry-after"] == "300"
        assert body["details"] == {"retry_after_seconds": 300}
        assert body["title"].startswith("Too many failed attempts")
    clock.advance(minutes=5)  # the next window
    assert post("/oauth/token", data=right).status_code == 200


def test_r7_1_token_attempts_without_a_peer_address_are_limited_too(
    world: WebWorld, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R7.1: a request whose ASGI scope names no client (``request.client is None`` — some
    servers and proxies leave it out) is limited like any address: all such requests share one
    count, so leaving the address out buys no unlimited Argon2id verifications."""
    inner = world.client.app

    async def no_peer(scope: dict[str, object], receive: object, send: object) -> None:
        await inner({**scope, "client": None}, receive, send)  # type: ignore[arg-type]

    monkeypatch.setattr(world.client, "app", no_peer)
    form = {"grant_type": "client_credentials", "client_id": str(world.client_id)}
    right = {**form, "client_secret": world.secret}
    wrong = {**form, "client_secret": "wrong"}
    clock.advance(minutes=15 - clock.now().minute % 15)  # the start of a window
    for _ in range(3):
        assert world.client.post("/oauth/token", data=right).status_code == 200
    for _ in range(20):
        _problem(world.client.post("/oauth/token", data=wrong), 401, "api.invalid_client")
    answer = world.client.post("/oauth/token", data=right)
    _problem(answer, 429, "api.too_many_attempts")
    assert answer.headers["retry-after"] == "900"
    monkeypatch.undo()  # a request with a peer address counts apart
    assert world.client.post("/oauth/token", data=right).status_code == 200


def _from_peer(world: WebWorld, monkeypatch: pytest.MonkeyPatch, hosts: Iterator[str]) -> None:
    """Each request of ``world.client`` comes from the next of ``hosts`` (the ASGI peer)."""
    inner = world.client.app

    async def peer(scope: dict[str, object], receive: object, send: object) -> None:
        await inner({**scope, "client": (next(hosts), 50000)}, receive, send)  # type: ignore[arg-type]

    monkeypatch.setattr(world.client, "app", peer)


def test_r7_1_rotating_addresses_of_one_ipv6_64_buys_no_attempts(
    world: WebWorld, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R7.1 end to end: 20 wrong attempts, each from another address of 2001:db8:1:2::/64
    (one from its IPv4-mapped twin elsewhere), use up that network's window; the next address
    of the /64 is refused, a neighbouring /64 is not."""
    hosts = [f"2001:db8:1:2:{i:x}::{i + 1:x}" for i in range(20)]
    hosts += ["2001:DB8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:3::1"]
    hosts += ["::ffff:192.0.2.7", "192.0.2.7"]
    _from_peer(world, monkeypatch, iter(hosts))
    form = {"grant_type": "client_credentials", "client_id": str(world.client_id)}
    wrong = {**form, "client_secret": "wrong"}
    clock.advance(minutes=15 - clock.now().minute % 15)
    for _ in range(20):
        _problem(world.client.post("/oauth/token", data=wrong), 401, "api.invalid_client")
    _problem(world.client.post("/oauth/token", data=wrong), 429, "api.too_many_attempts")
    for _ in range(3):  # the neighbouring /64, the mapped and the plain IPv4 address
        _problem(world.client.post("/oauth/token", data=wrong), 401, "api.invalid_client")
    with world.app.container.uow() as uow:  # the mapped and the plain address counted as one
        window = xs.AttemptLimits().window_start(clock.now())
        assert uow.api_clients.count_attempt("address:192.0.2.7", window) == 3
        uow.rollback()


@pytest.mark.parametrize(
    "host",
    ["nul\x00", "\x1b[2J\u202e", "ÿ" * 5000, "", " ", "fe80::1%" + "eth0" * 300, "None"],
    ids=["nul", "controls", "long", "empty", "blank", "long zone", "the text None"],
)
def test_r7_1_a_hostile_peer_address_is_counted_like_any_other(
    world: WebWorld, monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    """R7.1, R0.5: whatever the server or a proxy reports as the peer, the token endpoint
    answers 401 for a wrong secret and 200 for a right one — never a 500 from a key the
    database refuses."""
    _from_peer(world, monkeypatch, itertools.repeat(host))
    form = {"grant_type": "client_credentials", "client_id": str(world.client_id)}
    for _ in range(2):
        wrong = world.client.post("/oauth/token", data={**form, "client_secret": "wrong"})
        _problem(wrong, 401, "api.invalid_client")
    right = world.client.post("/oauth/token", data={**form, "client_secret": world.secret})
    assert right.status_code == 200, right.text


def test_bearer_refusals(world: WebWorld, clock: FixedClock) -> None:
    """Missing, malformed, forged, wrongly signed and expired tokens are 401 alike."""
    token = world.token()
    claims = jwt.decode(
        token, KEY, algorithms=["HS256"], audience="xs-api", options={"verify_exp": False}
    )
    forged = jwt.encode(claims, b"another key" * 4, algorithm="HS256")
    unsigned = jwt.encode(claims, None, algorithm="none")
    other_client = jwt.encode({**claims, "sub": str(uuid.uuid4())}, KEY, algorithm="HS256")
    for header in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer not.a.jwt"},
        {"Authorization": f"Bearer {forged}"},
        {"Authorization": f"Bearer {unsigned}"},
        {"Authorization": f"Bearer {other_client}"},
        {"Authorization": "Bearer " + "x" * 5000},
    ):
        answer = world.client.get(USERS, headers=header)
        _problem(answer, 401, "api.token_invalid")
        assert answer.headers["www-authenticate"].startswith("Bearer")
    assert world.client.get(USERS, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    clock.advance(minutes=15)
    _problem(
        world.client.get(USERS, headers={"Authorization": f"Bearer {token}"}),
        401,
        "api.token_invalid",
    )


def test_disabled_client_tokens_stop_at_once(world: WebWorld) -> None:
    """R7.1: a disabled client's tokens stop working at once, and it gets no new one."""
    headers = world.auth()
    assert world.client.get(USERS, headers=headers).status_code == 200
    world.app.api_clients.disable(DisableApiClient(actor=world.admin, client_id=world.client_id))
    _problem(world.client.get(USERS, headers=headers), 401, "api.token_invalid")
    _problem(
        world.client.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": str(world.client_id),
                "client_secret": world.secret,
            },
        ),
        401,
        "api.invalid_client",
    )


def test_r7_1_a_client_actor_searches_as_its_technical_user_while_active(
    world: WebWorld,
) -> None:
    """R7.1, R1.3, R0.6: the search takes the client as its actor (``ClientActor``) and checks
    it in its own unit of work: while active it searches in the client's scope (employer A1,
    not B2); disabled, or an id no client has, is refused with ``api.token_invalid`` alike."""
    search = world.app.organisation.search
    found = search(xs.AdvancedSearch(actor=xs.ClientActor(world.client_id), term="erij"))
    assert [r.id for r in found.results] == [world.employer_a]  # Bakkerij, not Slagerij
    for unknown in (xs.ClientActor(uuid.uuid4()), xs.ClientActor(world.admin)):
        with pytest.raises(xs.NotAllowed) as refused:
            search(xs.AdvancedSearch(actor=unknown, term="erij"))
        assert refused.value.code == "api.token_invalid"
    world.app.api_clients.disable(DisableApiClient(actor=world.admin, client_id=world.client_id))
    with pytest.raises(xs.NotAllowed) as refused:
        search(xs.AdvancedSearch(actor=xs.ClientActor(world.client_id), term="erij"))
    assert refused.value.code == "api.token_invalid"


def test_r7_1_a_disabled_client_s_search_is_refused_before_its_term_is_judged(
    world: WebWorld,
) -> None:
    """R7.1: a disabled client's tokens stop working at once — on the search too, whatever the
    term: a term too short once normalised or holding a control character is answered 401
    ``api.token_invalid``, as before the client moved into the use case, not 422 (which would
    still judge the disabled client's requests)."""
    headers = world.auth()
    terms = ("a ", "é\u0301", "ab\u0001")
    for term in terms:  # an active client is told what is wrong with its term
        answer = world.client.get("/api/v1/search", params={"term": term}, headers=headers)
        assert answer.status_code == 422, answer.text
    world.app.api_clients.disable(DisableApiClient(actor=world.admin, client_id=world.client_id))
    for term in terms:
        _problem(
            world.client.get("/api/v1/search", params={"term": term}, headers=headers),
            401,
            "api.token_invalid",
        )
    with pytest.raises(xs.NotAllowed) as refused:
        world.app.organisation.search(
            xs.AdvancedSearch(actor=xs.ClientActor(world.client_id), term="a ")
        )
    assert refused.value.code == "api.token_invalid"


def test_r7_1_a_client_actor_without_a_uuid_is_refused_alike_on_every_backend(
    world: WebWorld,
) -> None:
    """R7.1, R0.5: a ``ClientActor`` whose id is not a UUID (its text, a number, None — an
    embedding service's slip) is an unknown client, ``api.token_invalid`` on every backend; it
    never reaches the database as a value of the wrong type (a driver error on SQLite and
    PostgreSQL)."""
    for wrong in (str(world.client_id), world.client_id.hex, "x", 5, None):
        with pytest.raises(xs.NotAllowed) as refused:
            world.app.organisation.search(
                xs.AdvancedSearch(actor=xs.ClientActor(wrong), term="erij")  # type: ignore[arg-type]
            )
        assert refused.value.code == "api.token_invalid"


def test_disabled_client_is_refused_on_every_bearer_route_and_writes_nothing(
    world: WebWorld,
) -> None:
    """R7.1: each route checks the client (in its worker thread before the use case and before
    the body is read; the search inside its use case's transaction): every bearer route of the
    OpenAPI document refuses a disabled client's still-valid token with 401, and the create
    request writes no user."""
    headers = world.auth()
    created = world.client.post(USERS, json=ANNE, headers=headers)
    assert created.status_code == 201, created.text
    user = f"/api/v1/users/{created.json()['id']}"
    before_and_after = iter(["bert@bakkerij.nl", "carla@bakkerij.nl"])
    calls = {
        ("post", "/api/v1/employers/{employer_code}/users"): lambda: world.client.post(
            USERS, json={**ANNE, "email": next(before_and_after)}, headers=headers
        ),
        ("get", "/api/v1/employers/{employer_code}/users"): lambda: world.client.get(
            USERS, headers=headers
        ),
        ("get", "/api/v1/users/{user_id}"): lambda: world.client.get(user, headers=headers),
        ("get", "/api/v1/search"): lambda: world.client.get(
            "/api/v1/search?term=erij", headers=headers
        ),
        ("get", "/api/v1/employers/{employer_code}/branches"): lambda: world.client.get(
            "/api/v1/employers/A1/branches?term=utrecht", headers=headers
        ),
    }
    schema = world.client.get("/openapi.json").json()
    bearer_routes = {
        (method, path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if operation.get("security")
    }
    assert bearer_routes == set(calls)  # a new bearer route must be added here
    assert all(call().status_code < 400 for call in calls.values())
    world.app.api_clients.disable(DisableApiClient(actor=world.admin, client_id=world.client_id))
    for call in calls.values():
        _problem(call(), 401, "api.token_invalid")
    with world.app.unit_of_work(write=False) as uow:
        assert uow.users.find_by_email("bert@bakkerij.nl") is not None  # before disabling
        assert uow.users.find_by_email("carla@bakkerij.nl") is None


# -- R7.1 ------------------------------------------------------------------------------------------


def test_r7_1_create_employer_user(world: WebWorld) -> None:
    """R7.1: 201 with the id and Location; the user holds the employer role, scoped to the
    employer; the client's technical user is not listed."""
    answer = world.client.post(USERS, json=ANNE, headers=world.auth())
    assert answer.status_code == 201, answer.text
    user_id = answer.json()["id"]
    assert answer.headers["location"] == f"/api/v1/users/{user_id}"
    shown = world.client.get(answer.headers["location"], headers=world.auth()).json()
    assert shown == {
        "id": user_id,
        "name": "Anne de Vries",
        "email": "anne@bakkerij.nl",
        "roles": [ROLE],
        "employer_codes": ["A1"],
        "active": True,
    }
    assert _listed(world) == ["anne@bakkerij.nl"]
    principal = world.app.access.principal(
        xs.GetPrincipal(actor=world.admin, user_id=uuid.UUID(user_id))
    )
    assert {f.value for f in principal.features} == {"organisation.view"}
    assert "password" not in answer.text


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"role": "Bestaat niet"}, 422, "api.role_unknown"),
        ({"role": "Intern"}, 422, "api.role_not_employer"),
        ({"email": "geen-adres"}, 422, "contact.invalid_email"),
        ({"email": "anne@nowhere"}, 422, "contact.invalid_email"),
        ({"name": ""}, 422, "input.required"),
        ({"name": "x" * 201}, 422, "input.too_long"),
        ({"language": "de"}, 422, "access.invalid_language"),
        ({"extra": "x"}, 422, "api.request_invalid"),
        ({"name": 12}, 422, "api.request_invalid"),
        ({"name": None}, 422, "api.request_invalid"),
    ],
)
def test_r7_1_refusals_write_nothing(
    world: WebWorld, change: dict[str, object], status: int, code: str
) -> None:
    """R7.1, R0.5: each refusal is its problem document and nothing is written."""
    _problem(world.client.post(USERS, json={**ANNE, **change}, headers=world.auth()), status, code)
    assert _listed(world) == []
    assert world.app.mail_dispatcher.dispatch().claimed == 0 or world.mailer.sent == []


def test_r7_1_missing_fields_and_bad_bodies(world: WebWorld) -> None:
    headers = world.auth(**{"Content-Type": "application/json"})
    post = world.client.post
    _problem(post(USERS, json={"name": "Anne"}, headers=headers), 422, "api.request_invalid")
    _problem(post(USERS, content=b"{not json", headers=headers), 422, "api.request_invalid")
    _problem(post(USERS, json=[ANNE], headers=headers), 422, "api.request_invalid")
    _problem(post(USERS, content=b"\xff\xfe", headers=headers), 422, "api.request_invalid")
    huge = b'{"name": "' + b"a" * (MAX_BODY + 10) + b'"}'
    _problem(post(USERS, content=huge, headers=headers), 413, "api.request_too_large")
    assert _listed(world) == []


def test_r7_1_unknown_and_foreign_employer_look_alike(world: WebWorld) -> None:
    """R0.6: an employer outside the client's entitlement answers exactly like an unknown one."""
    headers = world.auth()
    for code in ("ZZ9", "B2", "a" * 300, "%00"):
        body = _problem(
            world.client.post(f"/api/v1/employers/{code}/users", json=ANNE, headers=headers),
            404,
            "employer.not_found",
        )
        assert set(body["details"]) == {"code"}  # type: ignore[arg-type]
        _problem(
            world.client.get(f"/api/v1/employers/{code}/users", headers=headers),
            404,
            "employer.not_found",
        )


def test_r7_1_email_in_use(world: WebWorld) -> None:
    headers = world.auth()
    assert world.client.post(USERS, json=ANNE, headers=headers).status_code == 201
    again = {**ANNE, "name": "Andere Anne", "email": "ANNE@bakkerij.nl"}
    _problem(world.client.post(USERS, json=again, headers=headers), 409, "access.email_in_use")
    _problem(
        world.client.post(USERS, json={**ANNE, "email": "beheer@example.nl"}, headers=headers),
        409,
        "access.email_in_use",
    )
    assert _listed(world) == ["anne@bakkerij.nl"]


def test_r7_1_idempotent_retry(world: WebWorld) -> None:
    """R7.1: a retry with the same Idempotency-Key and body answers the first result — no second
    user, no 409, one invitation; the same key with another body is refused."""
    headers = world.auth(**{"Idempotency-Key": "order-42"})
    first = world.client.post(USERS, json=ANNE, headers=headers)
    second = world.client.post(USERS, json=ANNE, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["idempotent-replayed"] == "true"
    _problem(
        world.client.post(USERS, json={**ANNE, "name": "Anna"}, headers=headers),
        409,
        "api.idempotency_key_reused",
    )
    for bad in ("", "x" * 201, "spatie in sleutel"):
        answer = world.client.post(USERS, json=ANNE, headers=world.auth(**{"Idempotency-Key": bad}))
        assert answer.status_code == 422, (bad, answer.text)
    assert _listed(world) == ["anne@bakkerij.nl"]
    assert world.app.mail_dispatcher.dispatch().delivered == 1


def test_r7_1_refused_first_attempt_is_not_remembered(world: WebWorld) -> None:
    """A refused request leaves no key behind: the corrected retry with the same key runs."""
    headers = world.auth(**{"Idempotency-Key": "k-1"})
    _problem(
        world.client.post(USERS, json={**ANNE, "role": "Intern"}, headers=headers),
        422,
        "api.role_not_employer",
    )
    assert world.client.post(USERS, json=ANNE, headers=headers).status_code == 201


def test_r7_1_get_user_refusals(world: WebWorld) -> None:
    """R0.6: ids that are not UUIDs, unknown users, users of other employers, the super
    administrator and the client itself are all ``not_found``."""
    other = world.app.access.create_user(
        xs.CreateUser(
            actor=world.admin,
            name="Bert",
            email="bert@slagerij.nl",
            scope=frozenset({xs.UnitRef(xs.UnitKind.EMPLOYER, world.employer_b)}),
        )
    )
    headers = world.auth()
    for ident in ("not-a-uuid", str(uuid.uuid4()), str(other), str(world.admin), "%27%3B"):
        _problem(world.client.get(f"/api/v1/users/{ident}", headers=headers), 404, "not_found")


def test_r0_6_list_never_shows_a_user_reaching_beyond_the_entitlement(world: WebWorld) -> None:
    """R0.6, R7.1: a user whose scope spans the client's employer and another one is not the
    client's to see: the list leaves them out (it would name the other employer's code), just as
    reading them by id answers ``not_found``."""
    both = world.app.access.create_user(
        xs.CreateUser(
            actor=world.admin,
            name="Carla",
            email="carla@beide.nl",
            scope=frozenset(
                {
                    xs.UnitRef(xs.UnitKind.EMPLOYER, world.employer_a),
                    xs.UnitRef(xs.UnitKind.EMPLOYER, world.employer_b),
                }
            ),
        )
    )
    headers = world.auth()
    _problem(world.client.get(f"/api/v1/users/{both}", headers=headers), 404, "not_found")
    assert world.client.post(USERS, json=ANNE, headers=headers).status_code == 201
    listed = world.client.get(USERS, headers=headers).json()["users"]
    assert [u["email"] for u in listed] == ["anne@bakkerij.nl"]
    assert all(u["employer_codes"] == ["A1"] for u in listed)


def test_r7_1_paging(world: WebWorld) -> None:
    headers = world.auth()
    for n in range(3):
        person = {**ANNE, "email": f"p{n}@bakkerij.nl"}
        assert world.client.post(USERS, json=person, headers=headers).status_code == 201
    page = world.client.get(USERS + "?page=2&page_size=2", headers=headers).json()
    assert [u["email"] for u in page["users"]] == ["p2@bakkerij.nl"]
    for query in ("page=0", "page_size=101", "page=x"):
        answer = world.client.get(f"{USERS}?{query}", headers=headers)
        assert answer.status_code == 400, answer.text
        assert answer.json()["code"] == "api.request_invalid"


# -- R1.3, R1.4 ------------------------------------------------------------------------------------


def test_r1_3_search_only_in_the_clients_scope(world: WebWorld) -> None:
    headers = world.auth()
    found = world.client.get("/api/v1/search?term=erij", headers=headers).json()
    assert [(r["kind"], r["code"]) for r in found["results"]] == [("employer", "A1")]
    _problem(world.client.get("/api/v1/search", headers=headers), 400, "api.request_invalid")


def test_r1_4_branch_search(world: WebWorld) -> None:
    headers = world.auth()
    found = world.client.get("/api/v1/employers/A1/branches?term=utrecht", headers=headers)
    assert [b["code"] for b in found.json()["branches"]] == ["UT"]
    empty = world.client.get("/api/v1/employers/A1/branches?term=amsterdam", headers=headers)
    assert empty.json()["branches"] == []
    _problem(
        world.client.get("/api/v1/employers/B2/branches", headers=headers),
        404,
        "employer.not_found",
    )


# -- the whole flow --------------------------------------------------------------------------------


def _link(mailer: MemoryMailer) -> str:
    (mail,) = mailer.sent
    match = re.search(r"http://127\.0\.0\.1:8000(/invitation/[A-Za-z0-9_-]+)\?lang=nl", mail.text)
    assert match, mail.text
    return match.group(1)


def _csrf(page: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def test_r7_1_invitation_flow(world: WebWorld) -> None:
    """R7.1, R2.6: created through the API -> invitation mail after commit -> the page sets the
    password (a weak one is refused beside the field) -> the password works -> the link is
    used up."""
    assert world.client.post(USERS, json=ANNE, headers=world.auth()).status_code == 201
    assert world.mailer.sent == []  # nothing inside the use case
    assert world.app.mail_dispatcher.dispatch().delivered == 1
    (mail,) = world.mailer.sent
    assert mail.recipient == "anne@bakkerij.nl"
    assert mail.subject == "Welkom: kies je wachtwoord"
    path = _link(world.mailer)

    page = world.client.get(path)
    assert page.status_code == 200
    assert "Kies je wachtwoord" in page.text and "<script" not in page.text
    token = _csrf(page.text)
    form = {"_csrf_token": token, "password": "kort", "password_repeat": "kort"}
    weak = world.client.post(path, data=form)
    assert weak.status_code == 422
    assert "minstens 12" in weak.text or "12" in weak.text
    # no CSRF token: refused, nothing changes
    refused = world.client.post(path, data={"password": PASSWORD, "password_repeat": PASSWORD})
    assert refused.status_code == 403
    done = world.client.post(
        path, data={"_csrf_token": token, "password": PASSWORD, "password_repeat": PASSWORD}
    )
    assert done.status_code == 200, done.text
    assert "Je wachtwoord is opgeslagen" in done.text
    anne = world.app.credentials.verify_password(
        xs.VerifyPassword(email="anne@bakkerij.nl", password=PASSWORD)
    )
    assert str(anne) in world.client.get(f"/api/v1/users/{anne}", headers=world.auth()).text
    used = world.client.get(path + "?lang=en")
    assert used.status_code == 410 and "This link no longer works" in used.text


def test_r7_1_invitation_refuses_forged_csrf_and_never_logs_the_token(
    world: WebWorld, caplog: pytest.LogCaptureFixture
) -> None:
    """R7.1, R2.6: a forged CSRF token, or a real one without its cookie (another browser),
    is 403 and sets no password; the access log never holds the invitation token."""
    caplog.set_level("INFO", logger="xs.web.access")
    assert world.client.post(USERS, json=ANNE, headers=world.auth()).status_code == 201
    assert world.app.mail_dispatcher.dispatch().delivered == 1
    path = _link(world.mailer)
    token = _csrf(world.client.get(path).text)
    form = {"password": PASSWORD, "password_repeat": PASSWORD}
    forged = world.client.post(path, data={**form, "_csrf_token": token[::-1]})
    assert forged.status_code == 403
    with TestClient(world.client.app) as stranger:
        assert stranger.post(path, data={**form, "_csrf_token": token}).status_code == 403
    with pytest.raises(xs.DomainError):
        world.app.credentials.verify_password(
            xs.VerifyPassword(email="anne@bakkerij.nl", password=PASSWORD)
        )
    assert world.client.get(path).status_code == 200  # the link still works
    secret = path.rsplit("/", 1)[1]
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("xs")]  # not httpx's
    assert ours and all(secret not in message for message in ours)


def test_invitation_page_english_and_unknown_token(world: WebWorld) -> None:
    page = world.client.get("/invitation/unknown-token", headers={"Accept-Language": "en"})
    assert page.status_code == 410
    assert "This link no longer works" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_invitation_mail_in_english(world: WebWorld) -> None:
    english = {**ANNE, "language": "en"}
    assert world.client.post(USERS, json=english, headers=world.auth()).status_code == 201
    world.app.mail_dispatcher.dispatch()
    assert world.mailer.sent[0].subject == "Welcome: choose your password"


def test_build_world_twice_is_independent(clock: FixedClock) -> None:
    """Two applications with their own memory stores do not share clients."""
    one = build_world(xs.bootstrap(storage="memory", clock=clock, secret_key=KEY), MemoryMailer())
    two = build_world(xs.bootstrap(storage="memory", clock=clock, secret_key=KEY), MemoryMailer())
    with one.client, two.client:
        token = one.token()
        answer = two.client.get(USERS, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401


# -- a hostile client --------------------------------------------------------------------------


def test_hostile_bodies_are_refused_never_500(world: WebWorld) -> None:
    """R0.5: deeply nested JSON, huge numbers, NUL and control characters, a body that is not
    UTF-8 or not JSON — 4xx problems, nothing written."""
    headers = world.auth()
    bodies = [
        b"[" * 30_000 + b"]" * 30_000,
        b'{"name": ' + b"1" * 5000 + b"}",
        b'{"name": 1e999999}',
        b'{"name": "Anne\\u0000", "email": "a@b.nl", "role": "x"}',
        b'{"name": "Anne", "email": "a@b.nl", "role": "x", "name": "dubbel"}',
        b'{"__proto__": {}}',
        b"",
        b"null",
    ]
    for body in bodies:
        answer = world.client.post(
            USERS, content=body, headers={**headers, "Content-Type": "application/json"}
        )
        assert 400 <= answer.status_code < 500, (body[:40], answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert _listed(world) == []


def test_r0_5_a_body_that_is_not_declared_json_is_415_and_writes_nothing(
    world: WebWorld,
) -> None:
    """R0.5: the body of a user creation must be declared ``application/json`` (the OpenAPI
    document says so); JSON sent as text/plain, a form or without a type is refused with
    ``415 api.unsupported_media_type``, nothing written."""
    import json

    body = json.dumps(ANNE).encode()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "", "json"):
        headers = world.auth()
        if content_type:
            headers["Content-Type"] = content_type
        answer = world.client.post(USERS, content=body, headers=headers)
        _problem(answer, 415, "api.unsupported_media_type")
    assert _listed(world) == []
    for content_type in ("application/json; charset=utf-8", "Application/JSON"):
        headers = world.auth(**{"Content-Type": content_type})
        person = {**ANNE, "email": f"{len(content_type)}@bakkerij.nl"}
        answer = world.client.post(USERS, content=json.dumps(person).encode(), headers=headers)
        assert answer.status_code == 201, answer.text


def test_a_client_never_sees_technical_users(world: WebWorld) -> None:
    """R0.6: another client entitled to the same employer is not a user this client can read."""
    other = world.app.api_clients.register(
        xs.RegisterApiClient(actor=world.admin, name="Ander", employer_codes=frozenset({"A1"}))
    )
    technical = next(
        c.user_id
        for c in world.app.api_clients.clients(xs.ListApiClients(actor=world.admin))
        if c.id == other.client_id
    )
    _problem(world.client.get(f"/api/v1/users/{technical}", headers=world.auth()), 404, "not_found")
    assert _listed(world) == []


def test_token_of_one_client_does_not_reach_another_clients_employer(world: WebWorld) -> None:
    """R7.1: a client entitled to B only cannot act for A, whatever it sends."""
    other = world.app.api_clients.register(
        xs.RegisterApiClient(actor=world.admin, name="Slager", employer_codes=frozenset({"B2"}))
    )
    token = world.token(other.client_id, other.secret)
    headers = {"Authorization": f"Bearer {token}"}
    _problem(world.client.post(USERS, json=ANNE, headers=headers), 404, "employer.not_found")
    created = world.client.post(USERS, json=ANNE, headers=world.auth()).json()["id"]
    _problem(world.client.get(f"/api/v1/users/{created}", headers=headers), 404, "not_found")
    found = world.client.get("/api/v1/search?term=erij", headers=headers).json()
    assert [r["code"] for r in found["results"]] == ["B2"]


def test_idempotency_keys_are_per_client(world: WebWorld) -> None:
    """One client's key never answers another client's request."""
    other = world.app.api_clients.register(
        xs.RegisterApiClient(actor=world.admin, name="Tweede", employer_codes=frozenset({"A1"}))
    )
    key = {"Idempotency-Key": "same"}
    first = world.client.post(USERS, json=ANNE, headers=world.auth(**key))
    assert first.status_code == 201
    theirs = world.client.post(
        USERS,
        json=ANNE,
        headers={"Authorization": f"Bearer {world.token(other.client_id, other.secret)}", **key},
    )
    _problem(theirs, 409, "access.email_in_use")


def test_r7_1_one_employer_spelled_twice_is_entitled_once(world: WebWorld) -> None:
    """R7.1: codes that name one employer ("A1", "a1", " A1") entitle the client to it once;
    the event of the registration names it once."""
    registered = world.app.api_clients.register(
        xs.RegisterApiClient(
            actor=world.admin, name="Dubbel", employer_codes=frozenset({"A1", "a1", " A1"})
        )
    )
    (payload,) = [
        m.payload
        for m in world.app.outbox.pending(10_000)
        if m.name == "ApiClientRegistered" and m.payload["client_id"] == str(registered.client_id)
    ]
    assert payload["employer_ids"] == [str(world.employer_a)]


def test_short_secret_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """XS_SECRET_KEY shorter than 32 characters is a configuration error, never silently
    replaced."""
    monkeypatch.setenv("XS_SECRET_KEY", "kort")
    with pytest.raises(xs.ConfigurationError) as refused:
        xs.bootstrap(storage="memory").container.secret_key()
    assert refused.value.code == "config.secret_key_too_short"


def test_correlation_ids_are_unique_within_a_process_and_across_forked_workers() -> None:
    """Each request's correlation id is 32 hex digits, never repeated: in one process (a
    counter) nor between workers forked from one parent (the random half drawn again)."""
    import multiprocessing

    from xs_app.web.access_log import _correlation_ids

    here = [_correlation_ids.next() for _ in range(1000)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", ident) for ident in here)
    assert len(set(here)) == len(here)
    with multiprocessing.get_context("fork").Pool(2) as workers:
        there = workers.map(_ids_of_a_worker, range(2))
    forked = [ident for idents in there for ident in idents]
    # the parent goes on counting where the forked workers began
    later = [_correlation_ids.next() for _ in range(200)]
    everything = here + forked + later
    assert len(set(everything)) == len(everything)


def _ids_of_a_worker(_: int) -> list[str]:
    from xs_app.web.access_log import _correlation_ids

    return [_correlation_ids.next() for _ in range(100)]
