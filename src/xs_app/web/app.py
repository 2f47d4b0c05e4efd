"""``create_app(xs)``: the Litestar application (R7.1)."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio.to_thread
from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import (
    Components,
    OpenAPIHeader,
    OpenAPIResponse,
    OpenAPIType,
    Schema,
    SecurityScheme,
)
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig

from xs_app.bootstrap import Xs
from xs_app.web import problems, routes
from xs_app.web.access_log import access_log
from xs_app.web.tokens import TokenIssuer, token_slots
from xs_core.errors import DomainError

#: The largest request body accepted (bytes): more is refused with 413 before it is read whole.
MAX_BODY = 64 * 1024

#: Worker threads per process for the synchronous use cases. The use cases are CPU-bound Python
#: between short database round trips, so one process gains nothing from more threads than its
#: connection pool has connections (SQLAlchemy's default, 5): more only contend for the GIL
#: (slower for all) and for connections — a sixth thread takes an *overflow* connection, which
#: the pool closes as soon as it is returned, so PostgreSQL starts a backend (a process, its
#: catalogue caches cold) for every request that finds the five busy. Requests beyond this wait,
#: in order, for a thread.
THREADS = 5


def create_app(xs: Xs, *, debug: bool = False, threads: int = THREADS) -> Litestar:
    """The web host over ``xs``: the API under ``/api/v1``, ``/oauth/token``, ``/health``,
    ``/openapi.json`` and the set-password page ``/invitation/{token}``; ``threads`` worker
    threads run the synchronous use cases."""
    key: bytes = xs.container.secret_key()
    issuer = TokenIssuer(key, xs.clock)

    def limit_threads(app: Litestar) -> None:
        # Litestar runs a synchronous handler with the running loop's *default executor*
        # (``loop.run_in_executor(None, …)``), whose size is ``min(32, cores + 4)`` — six threads
        # on two cores, whatever anyio's limiter says — so the loop gets an executor of its own
        # size. The asynchronous handlers hand their use cases to the same executor
        # (``litestar.concurrency.sync_to_thread``), never to anyio's threads, which would run
        # beside it; anyio's limiter still bounds whatever else uses ``anyio.to_thread``.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=threads, thread_name_prefix="xs-web")
        )
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        # made here, in the loop that serves (a test may start the application twice)
        app.state["xs_token_slots"] = asyncio.Semaphore(token_slots(threads))

    def provide_xs() -> Xs:
        return xs

    def middleware(app: Any) -> Any:
        return access_log(app)

    app = Litestar(
        route_handlers=routes.HANDLERS,
        dependencies={
            "xs": Provide(provide_xs, sync_to_thread=False),
        },
        exception_handlers={
            DomainError: problems.on_domain_error,
            HTTPException: problems.on_http_error,
            Exception: problems.on_unexpected,
        },
        middleware=[DefineMiddleware(middleware)],
        request_max_body_size=MAX_BODY,
        csrf_config=CSRFConfig(
            secret=key.hex(),
            exclude=["/api", "/oauth", "/health", "/openapi.json"],
            cookie_httponly=True,
            cookie_samesite="strict",
            cookie_path="/invitation",
        ),
        template_config=TemplateConfig(
            directory=Path(__file__).parent / "templates", engine=JinjaTemplateEngine
        ),
        openapi_config=OpenAPIConfig(
            title="xs API",
            version="1",
            path="/schema",
            components=Components(
                security_schemes={
                    "BearerToken": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        bearer_format="JWT",
                        description="POST /oauth/token (client credentials)",
                    )
                }
            ),
        ),
        debug=debug,
        # the host's logging is its own (``xs_app.web.server``): Litestar's default would put
        # its prefix before every JSON access line and hand each line to a listener thread
        logging_config=None,
        pdb_on_exception=False,
        on_startup=[limit_threads],
    )
    app.state["xs_issuer"] = issuer  # read by routes.authenticate
    app.state["xs_threads"] = threads  # read by routes.oauth_token (its slots)
    app.state["xs_methods"] = {
        re.sub(r"\{(\w+):[^}]*\}", r"{\1}", route.path): ", ".join(
            sorted(getattr(route, "methods", ()))
        )
        for route in app.routes
    }
    _document_retry_after(app)
    return app


def _document_retry_after(app: Litestar) -> None:
    """The OpenAPI document names the ``Retry-After`` header of ``POST /oauth/token``'s 429
    (too many failed attempts, R7.1): Litestar's response specifications carry no headers, so
    it is added to the generated document once, which ``/openapi.json`` and ``/schema`` serve."""
    paths = app.openapi_schema.paths or {}
    operation = paths["/oauth/token"].post if "/oauth/token" in paths else None
    response = (operation.responses or {}).get("429") if operation is not None else None
    if isinstance(response, OpenAPIResponse):
        response.headers = {
            "Retry-After": OpenAPIHeader(
                schema=Schema(type=OpenAPIType.INTEGER, minimum=1),
                description="Seconds until the address's window of attempts ends.",
                required=True,
            )
        }
