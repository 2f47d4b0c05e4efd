"""The web host over real HTTP: ``xs serve`` (uvicorn) started in a subprocess on 127.0.0.1
(R7.1). A full flow — a user created through the API, the invitation delivered by SMTP to a real
server (aiosmtpd), the password set on the page, the password verified — and schemathesis
fuzzing every operation of the generated OpenAPI document with a valid token: no server error."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import attrs
import httpx
import pytest

import xs
from tests.smtp_server import free_port, smtp_server
from tests.web.world import KEY, PASSWORD, ROLE, build_world
from xs_adapters.memory.mail import MemoryMailer

#: How long the server may take to answer /health (a bound, not a measurement).
START_TIMEOUT = 60.0


@attrs.frozen
class Served:
    url: str
    database_url: str
    client_id: str
    secret: str
    smtp_port: int
    environ: dict[str, str]


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"xs serve exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("xs serve did not answer /health in time")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    database_url = request.getfixturevalue(f"{request.param}_url")
    app = xs.bootstrap(database_url, migrate_database=True, secret_key=KEY)
    world = build_world(app, MemoryMailer())
    app.close()
    port = free_port()
    with smtp_server() as (_, smtp_port):
        environ = {
            **os.environ,
            "XS_DATABASE_URL": database_url,
            "XS_SECRET_KEY": KEY.decode(),
            "XS_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            "XS_PUBLIC_URL": f"http://127.0.0.1:{port}",
        }
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "xs"), "serve", "--port", str(port)],
            env=environ,
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / "serve.log").open("wb"),
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait(url, process)
            yield Served(
                url=url,
                database_url=database_url,
                client_id=str(world.client_id),
                secret=world.secret,
                smtp_port=smtp_port,
                environ=environ,
            )
        finally:
            process.terminate()
            process.wait(30)
    log = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in log, log
    # structured access logs (R7.1): one JSON object per line and request, nothing before it;
    # an invitation's token is never in them
    entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert entries, log
    for entry in entries:
        assert set(entry) == {"correlation_id", "method", "path", "status", "ms"}, entry
        assert not entry["path"].startswith("/invitation/") or entry["path"] == "/invitation/…"


def _token(served: Served) -> str:
    answer = httpx.post(
        f"{served.url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(served.client_id, served.secret),
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def test_r7_1_full_flow_over_http_and_smtp(served: Served) -> None:
    """R7.1: create over HTTP -> the invitation arrives at the SMTP server -> the password is set
    on the page -> it works; the token is never in the access log."""
    headers = {"Authorization": f"Bearer {_token(served)}", "Idempotency-Key": "flow-1"}
    person = {"name": "Anne", "email": "anne@bakkerij.nl", "role": ROLE, "language": "en"}
    created = httpx.post(f"{served.url}/api/v1/employers/A1/users", json=person, headers=headers)
    assert created.status_code == 201, created.text
    again = httpx.post(f"{served.url}/api/v1/employers/A1/users", json=person, headers=headers)
    assert again.json() == created.json()

    with smtp_server() as (handler, port):
        app = xs.bootstrap(
            served.database_url,
            secret_key=KEY,
            mailer=xs_smtp(port),
            mail_settings=xs.MailSettings(public_url=served.url),
        )
        try:
            assert app.mail_dispatcher.dispatch().delivered == 1
        finally:
            app.close()
        (message,) = handler.messages
    assert message["To"] == "anne@bakkerij.nl"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(re.escape(served.url) + r"/invitation/[A-Za-z0-9_-]+\?lang=(nl|en)", text)
    assert link, text

    with httpx.Client() as browser:
        page = browser.get(link.group(0))
        assert page.status_code == 200 and "Choose your password" in page.text
        csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        assert csrf
        done = browser.post(
            link.group(0),
            data={"_csrf_token": csrf.group(1), "password": PASSWORD, "password_repeat": PASSWORD},
        )
        assert done.status_code == 200, done.text
    app = xs.bootstrap(served.database_url, secret_key=KEY)
    try:
        assert app.credentials.verify_password(
            xs.VerifyPassword(email="anne@bakkerij.nl", password=PASSWORD)
        ) == __import__("uuid").UUID(created.json()["id"])
    finally:
        app.close()


def xs_smtp(port: int) -> object:
    from xs_adapters.mail.smtp import SmtpMailer

    return SmtpMailer.from_url(f"smtp://127.0.0.1:{port}")


def test_schemathesis_fuzzes_every_operation_without_server_errors(
    served: Served, tmp_path: Path
) -> None:
    """Every operation of /openapi.json, fuzzed with a valid token: never a 5xx, every status
    and every answer as documented (problem documents included), negative data refused."""
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "schemathesis"),
            "run",
            f"{served.url}/openapi.json",
            "-H",
            f"Authorization: Bearer {_token(served)}",
            "--checks",
            "all",
            # the services' validation (an e-mail address, control characters, a known role) is
            # richer than a JSON schema says: a schema-valid request may still be refused (422)
            "--exclude-checks",
            "positive_data_acceptance",
            "--max-examples",
            "40",
            "--seed",
            "7",
            "--generation-deterministic",
            "--request-timeout",
            "20",
        ],
        capture_output=True,
        text=True,
        timeout=540,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
