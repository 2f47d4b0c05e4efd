"""The set-password page in a real browser (R7.1, R2.6): headless Chromium (Debian's ``chromium``
package, driven by ``playwright``) opens the invitation link that ``xs serve`` sent, is refused a
weak password with the policy's error beside the field, then sets a good one and sees the success
page; the password then verifies and the link is used up.

``.ci/run`` installs Debian's ``chromium``; when it is missing this test fails (it is never
skipped)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

import xs
from tests.smtp_server import free_port
from tests.web.test_web_http import _wait
from tests.web.world import KEY, PASSWORD, ROLE, build_world
from xs_adapters.memory.mail import MemoryMailer

#: Debian's Chromium; `XS_CHROMIUM` points elsewhere on another system.
CHROMIUM = os.environ.get("XS_CHROMIUM", "/usr/bin/chromium")
#: The flags that keep Chromium off the network it has no business with (the machine's network is
#: closed: without them it keeps trying Google's hosts) and let it run as root in a container.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does: apt-get install chromium)"
    )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def served(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """``xs serve`` on SQLite; the API client's id and secret."""
    app = xs.bootstrap(sqlite_url, migrate_database=True, secret_key=KEY)
    world = build_world(app, MemoryMailer())
    app.close()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environ = {
        **os.environ,
        "XS_DATABASE_URL": sqlite_url,
        "XS_SECRET_KEY": KEY.decode(),
        "XS_PUBLIC_URL": url,
    }
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "xs"), "serve", "--port", str(port)],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    try:
        _wait(url, process)
        yield url, str(world.client_id), world.secret
    finally:
        process.terminate()
        process.wait(30)
    assert "Traceback" not in log.read_text()


def _invite(sqlite_url: str, url: str, client_id: str, secret: str, email: str) -> str:
    """Create an employer user through the API and return the link of the invitation it got."""
    token = httpx.post(
        f"{url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
    ).json()["access_token"]
    created = httpx.post(
        f"{url}/api/v1/employers/A1/users",
        json={"name": "Anne", "email": email, "role": ROLE, "language": "en"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201, created.text
    mailer = MemoryMailer()
    app = xs.bootstrap(
        sqlite_url, secret_key=KEY, mailer=mailer, mail_settings=xs.MailSettings(public_url=url)
    )
    try:
        assert app.mail_dispatcher.dispatch().delivered == 1
    finally:
        app.close()
    (mail,) = mailer.sent
    link = re.search(re.escape(url) + r"/invitation/[A-Za-z0-9_-]+\?lang=en", mail.text)
    assert link, mail.text
    return link.group(0)


def test_r7_1_the_set_password_page_in_headless_chromium(
    browser: Browser, served: tuple[str, str, str], sqlite_url: str
) -> None:
    """R7.1/R2.6: a weak password (the e-mail address itself, long enough for the browser's own
    check) is refused with the policy's message beside the field; a good one shows the success
    page, verifies, and the link then shows the "no longer works" page."""
    url, client_id, secret = served
    email = "anne.de.vries@bakkerij.nl"
    link = _invite(sqlite_url, url, client_id, secret, email)

    page = browser.new_page()
    page.goto(link)
    assert page.locator("h1").inner_text() == "Choose your password"

    page.fill("#password", email)
    page.fill("#password_repeat", email)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#password-errors .error").inner_text() == (
        "A password may not be the e-mail address."
    )
    assert page.locator("h1").inner_text() == "Choose your password"

    page.fill("#password", PASSWORD)
    page.fill("#password_repeat", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Your password was saved"

    app = xs.bootstrap(sqlite_url, secret_key=KEY)
    try:
        user = app.credentials.verify_password(xs.VerifyPassword(email=email, password=PASSWORD))
        assert isinstance(user, uuid.UUID)
    finally:
        app.close()

    page.goto(link)
    assert page.locator("h1").inner_text() == "This link no longer works"
