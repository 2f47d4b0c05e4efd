"""The HTTP status the web host answers a refusal with (R0.5, R7.1; RFC 9457 problem details):
by the refusal's kind, and for a few codes a status of their own. One table for the web host
and for the generated error catalogue (``docs/errors.md``), so the two cannot drift apart.
"""

from __future__ import annotations

from xs_core.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound

#: The status of each kind of refusal.
STATUS_BY_KIND: dict[type[DomainError], int] = {
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    NotAllowed: 403,
}

#: Codes whose HTTP status is not their kind's: credentials (401), a body too large (413), not
#: declared JSON (415), too many failed token attempts from one address (429).
STATUS_BY_CODE: dict[str, int] = {
    "api.invalid_client": 401,
    "api.token_invalid": 401,
    "api.too_many_attempts": 429,
    "api.request_too_large": 413,
    "api.unsupported_media_type": 415,
}


def status_for(code: str, kind: type[DomainError]) -> int:
    """The status for a refusal with ``code`` of ``kind`` (a subclass counts as its kind)."""
    if code in STATUS_BY_CODE:
        return STATUS_BY_CODE[code]
    for general, status in STATUS_BY_KIND.items():
        if issubclass(kind, general):
            return status
    return STATUS_BY_KIND[Conflict]


__all__ = ["STATUS_BY_CODE", "STATUS_BY_KIND", "status_for"]
