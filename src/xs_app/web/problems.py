"""RFC 9457 problem documents from refusals (R0.5): the status by the error's kind, the message
in the language of ``Accept-Language`` (Dutch by default, English), and for an unexpected error a
500 with a correlation id and no stack trace."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException

from xs_app.http_status import status_for
from xs_core.errors import (
    Conflict,
    DomainError,
    Lang,
    NotFound,
    register_messages,
)

log = logging.getLogger("xs.web")

PROBLEM = "application/problem+json"

register_messages(
    {
        "api.internal_error": (
            "Er ging iets mis aan onze kant (kenmerk {correlation_id}).",
            "Something went wrong on our side (reference {correlation_id}).",
        ),
        "api.http_error": (
            "Het verzoek kan niet worden verwerkt.",
            "The request cannot be served.",
        ),
    },
    kind=Conflict,
)
register_messages(
    {"api.route_not_found": ("Deze route bestaat niet.", "This route does not exist.")},
    kind=NotFound,
)


_HTTP_CODES = {
    400: "api.request_invalid",
    401: "api.token_invalid",
    404: "api.route_not_found",
    413: "api.request_too_large",
}


def status_of(error: DomainError) -> int:
    """404 unknown, 409 conflict, 422 invalid, 403 not allowed (401 for credentials, 413 and
    415 for the body): :mod:`xs_app.http_status`."""
    return status_for(error.code, type(error))


def language(accept_language: str | None) -> Lang:
    """The language the caller prefers among ``nl`` and ``en``; ``nl`` by default.

    >>> language("en-GB,en;q=0.9,nl;q=0.5"), language(None), language("de, en;q=0.1")
    ('en', 'nl', 'en')
    >>> language("nl;q=0.2, en;q=0.1")
    'nl'
    """
    best: tuple[float, Lang] = (-1.0, "nl")
    for part in (accept_language or "")[:500].split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower()[:2]
        if primary not in ("nl", "en"):
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if quality > best[0]:
            best = (quality, "en" if primary == "en" else "nl")
    return best[1]


def problem(
    request: Request[Any, Any, Any], error: DomainError, status: int | None = None
) -> Response[dict[str, Any]]:
    """The problem document of a refusal."""
    lang = language(request.headers.get("accept-language"))
    code_status = status or status_of(error)
    headers: dict[str, str] = {"Content-Language": lang}
    if code_status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="xs"'
    retry_after = error.details.get("retry_after_seconds")
    if code_status == 429 and isinstance(retry_after, int):
        headers["Retry-After"] = str(retry_after)
    body = {
        "type": f"urn:xs:problem:{error.code}",
        "title": error.message(lang),
        "status": code_status,
        "detail": error.message(lang),
        "code": error.code,
        "details": _jsonable(error.details),
    }
    return Response(body, status_code=code_status, media_type=PROBLEM, headers=headers)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def correlation_id(request: Request[Any, Any, Any]) -> str:
    return str(request.scope.get("xs_correlation_id", "-"))


def on_domain_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    assert isinstance(error, DomainError)
    return problem(request, error)


def on_http_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """Litestar's own refusals (no route, wrong method, body too large, undecodable input)."""
    assert isinstance(error, HTTPException)
    status = error.status_code
    if status >= 500:
        return on_unexpected(request, error)
    code = _HTTP_CODES.get(status, "api.http_error")
    details: dict[str, Any] = {}
    if code == "api.request_invalid":
        details = {"reason": str(error.detail)[:200]}
    elif code == "api.request_too_large":
        details = {"max": request.route_handler.resolve_request_max_body_size() or 0}
    response = problem(request, DomainError(code, details), status)
    if status == 405 and error.headers:
        response.headers.update(error.headers)
    return response


def on_unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """500: the correlation id, never the trace (which goes to the log only)."""
    ident = correlation_id(request)
    log.error("unexpected error (correlation id %s)", ident, exc_info=error)
    response = problem(request, DomainError("api.internal_error", {"correlation_id": ident}), 500)
    return response
