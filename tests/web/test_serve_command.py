"""``xs serve`` (R7.1): what it asks of uvicorn and of its own worker supervisor. The server
itself runs over real HTTP in ``test_web_http.py`` and ``test_serve_workers.py``; here both are
replaced by recorders, so no port is opened."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import typer
import uvicorn

from xs_app import bootstrap, cli, cli_web
from xs_app.cli_support import run
from xs_app.web import workers


def test_serve_gives_busy_workers_time_before_the_supervisor_kills_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that answers uvicorn's health check late — still importing the application on
    a loaded machine, or busy serving — is not killed after uvicorn's default 5 s: killing it
    dropped the connections it had accepted (``httpx.ReadError`` in the API benchmark). The
    workers serve the application from the environment, with the configured secret key. (Where
    ``SO_REUSEPORT`` is missing: uvicorn's own supervisor.)"""
    for name in [k for k in os.environ if k.startswith("XS_") and k != "XS_TEST_POSTGRES_URL"]:
        monkeypatch.delenv(name)
    url = f"sqlite:///{tmp_path / 'xs.sqlite3'}"
    bootstrap(database_url=url, migrate_database=True).close()
    monkeypatch.setenv("XS_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("XS_DATABASE_URL", "sqlite:///elsewhere.sqlite3")  # restored afterwards
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(workers, "reuse_port_available", lambda: False)
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


@pytest.mark.parametrize("count", [1, 2])
def test_serve_runs_several_workers_under_its_own_supervisor_where_ports_are_shared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    """With ``SO_REUSEPORT`` (Linux) two or more workers run under :mod:`xs_app.web.workers`,
    each on a socket of its own; one worker is uvicorn alone, in the ``xs serve`` process."""
    for name in [k for k in os.environ if k.startswith("XS_") and k != "XS_TEST_POSTGRES_URL"]:
        monkeypatch.delenv(name)
    url = f"sqlite:///{tmp_path / 'xs.sqlite3'}"
    bootstrap(database_url=url, migrate_database=True).close()
    monkeypatch.setenv("XS_SECRET_KEY", "s" * 40)
    supervised: list[tuple[Any, ...]] = []
    alone: list[dict[str, Any]] = []
    monkeypatch.setattr(workers, "reuse_port_available", lambda: True)
    monkeypatch.setattr(workers, "serve_workers", lambda *a: supervised.append(a))
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: alone.append(k))
    code = run(
        typer.main.get_command(cli.app),
        ["serve", "--port", "8123", "--workers", str(count), "--database-url", url],
    )
    assert code == 0
    if count == 1:
        assert not supervised and [k["workers"] for k in alone] == [1]
    else:
        ((host, port, number, options),) = supervised
        assert (host, port, number) == ("127.0.0.1", 8123, 2) and not alone
        assert options["access_log"] is False
        assert os.environ["XS_DATABASE_URL"] == url
