"""``xs serve`` (R7.1): what it asks of uvicorn. The server itself runs over real HTTP in
``test_web_http.py``; here uvicorn is replaced by a recorder, so no port is opened."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import typer
import uvicorn

from xs_app import bootstrap, cli, cli_web
from xs_app.cli_support import run


def test_serve_gives_busy_workers_time_before_the_supervisor_kills_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that answers uvicorn's health check late — still importing the application on
    a loaded machine, or busy serving — is not killed after uvicorn's default 5 s: killing it
    dropped the connections it had accepted (``httpx.ReadError`` in the API benchmark). The
    workers serve the application from the environment, with the configured secret key."""
    for name in [k for k in os.environ if k.startswith("XS_") and k != "XS_TEST_POSTGRES_URL"]:
        monkeypatch.delenv(name)
    url = f"sqlite:///{tmp_path / 'xs.sqlite3'}"
    bootstrap(database_url=url, migrate_database=True).close()
    monkeypatch.setenv("XS_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("XS_DATABASE_URL", "sqlite:///elsewhere.sqlite3")  # restored afterwards
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append((a, k)))
    code = run(
        typer.main.get_command(cli.app),
        ["serve", "--port", "8123", "--workers", "2", "--database-url", url],
    )
    assert code == 0
    ((args, options),) = calls
    assert args == ("xs_app.web.server:app_from_environ",)
    assert options["factory"] is True
    assert (options["host"], options["port"], options["workers"]) == ("127.0.0.1", 8123, 2)
    assert options["timeout_worker_healthcheck"] == cli_web.WORKER_HEALTHCHECK_SECONDS >= 30
    assert os.environ["XS_DATABASE_URL"] == url
    assert os.environ["XS_SECRET_KEY"] == "s" * 40
