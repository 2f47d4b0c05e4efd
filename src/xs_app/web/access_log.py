"""Structured access logs (one JSON line per request) with a correlation id, and no secret in
them: the token of an invitation link is cut from the path."""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import time
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("xs.web.access")

_SECRET_PATH = re.compile(r"^/invitation/[^/?]*")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class _CorrelationIds:
    """Correlation ids, 32 hex digits: a random half drawn once per process (again in a forked
    worker) and a counter — unique without a call to the system's random source per request,
    which cost more than the rest of the access log."""

    def __init__(self) -> None:
        self.renew()
        os.register_at_fork(after_in_child=self.renew)

    def renew(self) -> None:
        self._prefix = os.urandom(8).hex()
        self._counter = itertools.count()

    def next(self) -> str:
        return f"{self._prefix}{next(self._counter) & 0xFFFF_FFFF_FFFF_FFFF:016x}"


_correlation_ids = _CorrelationIds()


def redacted(path: str) -> str:
    """The path as logged.

    >>> redacted("/invitation/abc123")
    '/invitation/…'
    """
    return _SECRET_PATH.sub("/invitation/…", path)


def _full_allow(scope: Scope, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """An ``OPTIONS`` answer names every method of the path (Litestar's own names only those of
    the first handler of a path that several handlers serve)."""
    app = scope.get("litestar_app")
    methods = (
        None if app is None else app.state.get("xs_methods", {}).get(scope.get("path_template"))
    )
    if not methods:
        return headers
    return [(k, v) for k, v in headers if k.lower() != b"allow"] + [(b"allow", methods.encode())]


def access_log(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: a correlation id per request (``X-Correlation-Id``), the security
    headers, and one log line when the response started."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        ident = _correlation_ids.next()
        scope["xs_correlation_id"] = ident  # type: ignore[typeddict-unknown-key]
        started = time.perf_counter()
        status: dict[str, Any] = {"code": 0}

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                headers.append((b"x-correlation-id", ident.encode()))
                if scope.get("method") == "OPTIONS":
                    headers = _full_allow(scope, headers)
                message["headers"] = headers
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            log.info(
                json.dumps(
                    {
                        "correlation_id": ident,
                        "method": scope.get("method"),
                        "path": redacted(scope.get("path", "")),
                        "status": status["code"],
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                )
            )

    return middleware
