"""The SMTP mailer over STARTTLS against a real SMTP server started in the test (aiosmtpd with a
certificate made for it by ``openssl``): the upgrade, the login only over TLS, certificate
verification, and a server that insists on TLS (R2.6)."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.smtp_server import RecordingHandler, free_port
from xs_adapters.mail.smtp import SmtpMailer, SmtpSettings
from xs_core.mail import Mail, MailDeliveryFailed

USER, PASSWORD = "xs", "geheim wachtwoord"


@attrs.define
class TlsServer:
    handler: RecordingHandler
    port: int
    certificate: Path
    logins: list[tuple[str, bool]]


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl is part of every Debian install that
    has ca-certificates)."""
    certificate, key = directory / "server.pem", directory / "server.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TlsServer]:
    certificate, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    handler = RecordingHandler()
    logins: list[tuple[str, bool]] = []

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        ok = (auth_data.login.decode(), auth_data.password.decode()) == (USER, PASSWORD)
        logins.append((auth_data.login.decode(), session.ssl is not None))
        return AuthResult(success=ok)

    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )
    controller.start()
    try:
        yield TlsServer(handler, port, certificate, logins)
    finally:
        controller.stop()


def _mail() -> Mail:
    return Mail(
        message_id="<tls-1@xs.invalid>",
        sender="xs <no-reply@xs.invalid>",
        recipient="anne@example.nl",
        subject="Uitnodiging",
        text="Beste Anne,\nwelkom.",
        html="<p>Beste Anne, welkom.</p>",
    )


def _settings(port: int, **changes: Any) -> SmtpSettings:
    url = f"smtp://{USER}:{PASSWORD.replace(' ', '%20')}@127.0.0.1:{port}?starttls=1"
    return attrs.evolve(SmtpSettings.from_url(url), **changes)


def test_r2_6_the_mailer_upgrades_with_starttls_and_logs_in_over_tls(server: TlsServer) -> None:
    trusting = ssl.create_default_context(cafile=str(server.certificate))
    mailer = SmtpMailer(_settings(server.port), trusting)
    mailer.send(_mail())
    mailer.close()
    (received,) = server.handler.messages
    assert received["Message-ID"] == "<tls-1@xs.invalid>"
    assert server.logins == [(USER, True)]  # the password went over the encrypted session


def test_r2_6_the_mailer_refuses_a_certificate_it_does_not_trust(server: TlsServer) -> None:
    """The default context verifies the server's certificate: a self-signed one it does not
    know ends the delivery before any password is sent."""
    mailer = SmtpMailer(_settings(server.port))
    with pytest.raises(MailDeliveryFailed, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
        mailer.send(_mail())
    mailer.close()
    assert server.handler.messages == [] and server.logins == []


def test_r2_6_a_server_that_insists_on_tls_refuses_a_mailer_without_starttls(
    server: TlsServer,
) -> None:
    trusting = ssl.create_default_context(cafile=str(server.certificate))
    mailer = SmtpMailer(_settings(server.port, starttls=False, username=None), trusting)
    with pytest.raises(MailDeliveryFailed) as refused:
        mailer.send(_mail())
    mailer.close()
    assert "530" in str(refused.value)
    assert server.handler.messages == []
