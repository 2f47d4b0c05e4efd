"""Command line of the external API (R7.1):

* ``xs api-clients create --name … --employer CODE [--employer CODE …]`` — the client id and its
  secret, shown this once (only its Argon2id hash is stored);
* ``xs api-clients list``, ``xs api-clients disable CLIENT_ID``;
* ``xs serve [--host 127.0.0.1] [--port 8000] [--workers N]`` — the web host on uvicorn.

Registered on :data:`xs_app.cli.app` when that module loads.
"""

from __future__ import annotations

import os
import secrets
import uuid
from typing import Annotated

import typer
from rich.table import Table

from xs_app import cli as _cli
from xs_app.cli import AsOption, CliRefusal, DatabaseOption, _actor, _open, app
from xs_app.cli_support import CliFailure
from xs_app.services.api import DisableApiClient, ListApiClients, RegisterApiClient
from xs_app.settings import ConfigurationError
from xs_core.errors import InvalidInput, register_messages

register_messages(
    {
        "cli.web_missing": (
            "De webserver is niet geïnstalleerd: installeer xs[web].",
            "The web server is not installed: install xs[web].",
        ),
        "cli.invalid_client_id": (
            "{value} is geen geldig client-id.",
            "{value} is not a valid client id.",
        ),
    },
    kind=InvalidInput,
)

api_clients_app = typer.Typer(help="API clients of the external API (R7.1).", no_args_is_help=True)
app.add_typer(api_clients_app, name="api-clients")


@api_clients_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="the client's name")],
    employer: Annotated[list[str], typer.Option(help="employer code it acts for (repeatable)")],
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Register an API client; its secret is shown this once."""
    with _open(database_url) as xs:
        registered = xs.api_clients.register(
            RegisterApiClient(
                actor=_actor(xs, as_email), name=name, employer_codes=frozenset(employer)
            )
        )
    _cli.console.print(f"client_id:     {registered.client_id}")
    _cli.console.print(f"client_secret: {registered.secret}")
    _cli.console.print("Bewaar het geheim nu: het wordt niet opnieuw getoond / store it now.")


@api_clients_app.command("list")
def list_clients(as_email: AsOption = None, database_url: DatabaseOption = None) -> None:
    """Every API client, active or disabled."""
    with _open(database_url) as xs:
        clients = xs.api_clients.clients(ListApiClients(actor=_actor(xs, as_email)))
    table = Table(title="API-clients")
    for column in ("Id", "Naam/name", "Actief/active"):
        table.add_column(column)
    for client in clients:
        table.add_row(str(client.id), client.name, "ja" if client.active else "nee")
    _cli.console.print(table)


@api_clients_app.command("disable")
def disable(client_id: str, as_email: AsOption = None, database_url: DatabaseOption = None) -> None:
    """Disable a client: its tokens stop working at once."""
    try:
        ident = uuid.UUID(client_id)
    except ValueError:
        raise CliRefusal("cli.invalid_client_id", {"value": client_id[:50]}) from None
    with _open(database_url) as xs:
        xs.api_clients.disable(DisableApiClient(actor=_actor(xs, as_email), client_id=ident))
    _cli.console.print(f"API-client {ident} uitgeschakeld / disabled")


register_messages(
    {
        "cli.serve_failed": (
            "xs serve kon niet starten op {address}: {reason}.",
            "xs serve could not start on {address}: {reason}.",
        ),
    },
    kind=CliFailure,
)

#: How long uvicorn's supervisor waits for a worker to answer its health check before it kills
#: the worker (uvicorn's default is 5 s). A spawned worker first imports the whole command line
#: and the application (about 2.5 s of CPU); on a loaded machine that took longer than 5 s, and
#: the supervisor killed workers that were still starting or already serving — their open
#: connections were dropped (the ``httpx.ReadError`` of the API benchmark). A worker that really
#: hangs is still replaced, after this long.
WORKER_HEALTHCHECK_SECONDS = 60


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="worker processes")] = 1,
    database_url: DatabaseOption = None,
) -> None:
    """The web host and the external API on uvicorn (``XS_SECRET_KEY`` signs the tokens; one is
    made for this run when it is not set)."""
    try:
        import uvicorn
    except ImportError:
        raise CliRefusal("cli.web_missing", {}) from None
    if database_url:
        os.environ["XS_DATABASE_URL"] = database_url
    configured = os.environ.get("XS_SECRET_KEY", "")
    if not configured:
        # every worker must sign and check with the same key
        os.environ["XS_SECRET_KEY"] = secrets.token_urlsafe(48)
    elif len(configured) < 32:
        raise ConfigurationError("config.secret_key_too_short", {"minimum": 32})
    with _open(database_url):  # fail fast, on one line, when the database is not usable
        pass
    from xs_app.web.workers import WorkerFailed, reuse_port_available, serve_workers

    if workers > 1 and reuse_port_available():
        # each worker its own socket: connections spread evenly (xs_app.web.workers)
        try:
            serve_workers(host, port, workers, {"access_log": False, "log_level": "warning"})
        except (OSError, WorkerFailed) as error:
            raise CliFailure(
                "cli.serve_failed", {"address": f"{host}:{port}", "reason": str(error)}
            ) from None
        return
    uvicorn.run(
        "xs_app.web.server:app_from_environ",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_level="warning",
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
