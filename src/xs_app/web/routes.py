"""The routes of the web host (R7.1, R1.3, R1.4): thin, every rule in the services."""

from __future__ import annotations

import asyncio
import base64
import binascii
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import (
    FromPath,
    HeaderParameter,
    QueryParameter,
    RawBody,
    URLEncodedBody,
)

from xs_app.bootstrap import Xs
from xs_app.services.api import (
    CreatedEmployerUser,
    CreateEmployerUser,
    EmployerUserView,
    GetEmployerUser,
    ListEmployerUsers,
)
from xs_app.services.organisation import AdvancedSearch, EmployerByCode, SearchBranches
from xs_app.web import invitation
from xs_app.web.decoding import decode, json_body, require_json
from xs_app.web.problems import PROBLEM
from xs_app.web.tokens import TokenIssuer, token_slots
from xs_core.access.api_clients import ClientActor, fingerprint
from xs_core.errors import InvalidInput, NotAllowed, NotFound
from xs_core.organisation.search import SearchContext

BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]


@dataclass
class Problem:
    """An RFC 9457 problem document (R0.5): ``code`` and ``details`` are the domain error's."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    details: dict[str, Any]


def _problems(*statuses: int) -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM,
            description=HTTPStatus(status).phrase,
            generate_examples=False,
        )
        for status in statuses
    }


#: What every bearer route may answer besides success.
API_PROBLEMS = _problems(400, 401, 403, 404, 409, 413, 422)


async def authenticate(request: Request[Any, Any, Any]) -> None:
    """Before an API route (``before_request``): the client a valid, unexpired bearer token
    names (``api.token_invalid`` otherwise), kept for :func:`client_of`. Only the signature and
    claims are checked here, on the event loop (no I/O), before the parameters are validated;
    the handler checks the client itself with :func:`acting_user`, in the same worker thread as
    the use case — one thread hop per request. Not a dependency: a handler with two
    dependencies has them resolved in a task group of their own (Litestar), which cost more
    than the rest of the request's routing."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or len(token) > 4096:
        raise NotAllowed("api.token_invalid", {})
    issuer: TokenIssuer = request.app.state["xs_issuer"]
    request.state["xs_client"] = issuer.client_of(token.strip())


def client_of(request: Request[Any, Any, Any]) -> uuid.UUID:
    """The client :func:`authenticate` found for this request."""
    client: uuid.UUID = request.state["xs_client"]
    return client


def acting_user(xs: Xs, client: uuid.UUID) -> uuid.UUID:
    """The technical user of ``client``, which must still be active (R7.1): checked on every
    request, first, so that a disabled client's tokens stop working at once."""
    return xs.api_authentication.active_client(client).user_id


# -- health and schema --------------------------------------------------------------------------


@get("/health", sync_to_thread=True, tags=["host"], responses=_problems(400))
def health(xs: NamedDependency[Xs]) -> dict[str, str]:
    """The host answers and its database is reachable."""
    if xs.settings.storage == "sql":
        import sqlalchemy as sa

        with xs.container.engine().connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    return {"status": "ok"}


@get("/openapi.json", include_in_schema=False, sync_to_thread=False)
def openapi(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The OpenAPI 3.1 document, generated from the routes."""
    schema: dict[str, Any] = request.app.openapi_schema.to_schema()
    return schema


# -- OAuth2 client credentials --------------------------------------------------------------------


@dataclass
class TokenRequest:
    grant_type: str
    client_id: str | None = None
    client_secret: str | None = None


def _basic(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or len(value) > 1024:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def _token_slots(request: Request[Any, Any, Any]) -> asyncio.Semaphore:
    """The process's slots for verifying client secrets: made when the application starts, or
    on first use when it is served without the lifespan (no startup hooks)."""
    state = request.app.state
    slots: asyncio.Semaphore | None = state.get("xs_token_slots")
    if slots is None:  # no await since the read: no other request makes it meanwhile
        slots = state["xs_token_slots"] = asyncio.Semaphore(token_slots(state["xs_threads"]))
    return slots


@post(
    "/oauth/token",
    status_code=200,
    tags=["auth"],
    responses=_problems(400, 401, 413, 422, 429),
)
async def oauth_token(
    request: Request[Any, Any, Any],
    data: URLEncodedBody[TokenRequest],
    xs: NamedDependency[Xs],
) -> dict[str, Any]:
    """OAuth2 client credentials (RFC 6749 §4.4): HTTP Basic or ``client_id`` and
    ``client_secret`` in the form; a short-lived bearer token. Failed attempts are counted per
    remote address (an IPv6 address by its /64; requests without a peer address all under one
    shared key): over the limit, ``429 api.too_many_attempts`` with ``Retry-After``. At most
    :func:`~xs_app.web.tokens.token_slots` secrets are verified at once per process (Argon2);
    more requests wait for a slot without holding a thread."""
    if data.grant_type != "client_credentials":
        raise InvalidInput("api.unsupported_grant", {})
    given = _basic(request.headers.get("authorization", ""))
    if given is None:
        given = (data.client_id or "", data.client_secret or "")
    address = request.client.host if request.client is not None else None
    async with _token_slots(request):
        client = await sync_to_thread(
            xs.api_authentication.verify_secret, given[0][:100], given[1], address
        )
    issuer: TokenIssuer = request.app.state["xs_issuer"]
    return {
        "access_token": issuer.issue(client.id),
        "token_type": "Bearer",
        "expires_in": int(issuer.lifetime.total_seconds()),
    }


# -- R7.1 employer users ------------------------------------------------------------------------


def _user(view: EmployerUserView) -> dict[str, Any]:
    return {
        "id": str(view.id),
        "name": view.name,
        "email": view.email,
        "roles": list(view.roles),
        "employer_codes": list(view.employer_codes),
        "active": view.active,
    }


@post(
    "/api/v1/employers/{employer_code:str}/users",
    before_request=authenticate,
    security=BEARER,
    responses=_problems(400, 401, 403, 404, 409, 413, 415, 422),
    operation_class=json_body(["name", "email", "role"], ["language"], {"language": ["nl", "en"]}),
    tags=["users"],
    status_code=201,
)
async def create_employer_user(
    request: Request[Any, Any, Any],
    employer_code: FromPath[str],
    body: RawBody,
    xs: NamedDependency[Xs],
    idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key")] = None,
) -> Response[dict[str, Any]]:
    """R7.1: create an employer user with an employer role; they are invited by e-mail to set a
    password. An ``Idempotency-Key`` makes a retry answer the first result."""
    content_type = request.headers.get("content-type", "")
    client = client_of(request)

    def create() -> CreatedEmployerUser:
        actor = acting_user(xs, client)
        require_json(content_type)
        command = decode(
            body,
            CreateEmployerUser,
            ("name", "email", "role", "language"),
            actor=actor,
            employer_code=employer_code,
            idempotency_key=idempotency_key,
            request_fingerprint=fingerprint(employer_code.encode() + b"\n" + body),
        )
        return xs.employer_users.create_employer_user(command)

    created = await sync_to_thread(create)
    location = f"/api/v1/users/{created.user_id}"
    headers = {"Location": location}
    if created.repeated:
        headers["Idempotent-Replayed"] = "true"
    return Response({"id": str(created.user_id)}, status_code=201, headers=headers)


@get(
    "/api/v1/employers/{employer_code:str}/users",
    before_request=authenticate,
    security=BEARER,
    responses=API_PROBLEMS,
    sync_to_thread=True,
    tags=["users"],
)
def list_employer_users(
    request: Request[Any, Any, Any],
    employer_code: FromPath[str],
    xs: NamedDependency[Xs],
    page: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """R7.1: the users of an employer the client is entitled to, by e-mail address."""
    actor = acting_user(xs, client_of(request))
    users = xs.employer_users.employer_users(
        ListEmployerUsers(actor=actor, employer_code=employer_code, page=page, page_size=page_size)
    )
    return {"page": page, "page_size": page_size, "users": [_user(u) for u in users]}


def _uuid(text: str, kind: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound("not_found", {"kind": kind, "id": text[:50]}) from None


@get(
    "/api/v1/users/{user_id:str}",
    before_request=authenticate,
    security=BEARER,
    responses=API_PROBLEMS,
    sync_to_thread=True,
    tags=["users"],
)
def get_employer_user(
    request: Request[Any, Any, Any], user_id: FromPath[str], xs: NamedDependency[Xs]
) -> dict[str, Any]:
    """R7.1: one user inside the client's entitlement (``not_found`` alike otherwise)."""
    actor = acting_user(xs, client_of(request))
    ident = _uuid(user_id, "user")
    return _user(xs.employer_users.employer_user(GetEmployerUser(actor=actor, user_id=ident)))


# -- R1.3, R1.4 read-only search ----------------------------------------------------------------


@get(
    "/api/v1/search",
    before_request=authenticate,
    security=BEARER,
    responses=API_PROBLEMS,
    sync_to_thread=True,
    tags=["search"],
)
def advanced_search(
    request: Request[Any, Any, Any],
    xs: NamedDependency[Xs],
    term: Annotated[str, QueryParameter(min_length=2, max_length=200)],
    page: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """R1.3: employees, employers and departments in the client's scope, best first."""
    actor = ClientActor(client_of(request))  # checked active inside the use case's transaction
    found = xs.organisation.search(
        AdvancedSearch(
            actor=actor, term=term, context=SearchContext.PORTAL, page=page, page_size=page_size
        )
    )
    return {
        "page": found.page,
        "page_size": found.page_size,
        "results": [
            {
                "kind": r.kind.value,
                "id": str(r.id),
                "name": r.name,
                "code": r.code,
                "target": None
                if r.target is None
                else {"kind": r.target.kind.value, "id": str(r.target.id)},
            }
            for r in found.results
        ],
    }


@get(
    "/api/v1/employers/{employer_code:str}/branches",
    before_request=authenticate,
    security=BEARER,
    responses=API_PROBLEMS,
    sync_to_thread=True,
    tags=["search"],
)
def search_branches(
    request: Request[Any, Any, Any],
    employer_code: FromPath[str],
    xs: NamedDependency[Xs],
    term: Annotated[str, QueryParameter(max_length=200)] = "",
) -> dict[str, Any]:
    """R1.4: the employer's branches matching the term (name, code, street, postcode, city)."""
    actor = acting_user(xs, client_of(request))
    try:
        employer = xs.organisation.employer_by_code(
            EmployerByCode(actor=actor, code=employer_code[:200])
        )
    except InvalidInput:  # no employer has such a code
        employer = None
    if employer is None:
        raise NotFound("employer.not_found", {"code": employer_code[:50]})
    branches = xs.organisation.search_branches(
        SearchBranches(actor=actor, employer_id=employer.id, term=term)
    )
    return {
        "branches": [
            {
                "id": str(b.id),
                "name": b.name,
                "code": b.code,
                "street": b.address.street,
                "house_number": b.address.house_number,
                "postcode": b.address.postcode,
                "city": b.address.city,
            }
            for b in branches
        ]
    }


HANDLERS = [
    health,
    openapi,
    oauth_token,
    create_employer_user,
    list_employer_users,
    get_employer_user,
    advanced_search,
    search_branches,
    *invitation.HANDLERS,
]

__all__ = ["HANDLERS"]
