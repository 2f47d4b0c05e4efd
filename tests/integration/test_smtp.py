"""The SMTP mailer against a real SMTP server started in the test (aiosmtpd), and the mail
dispatcher delivering through it — including a server that refuses and then accepts, and one that
is not there at all (R2.6, R0.7)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import attrs
import pytest

import xs
from tests.smtp_server import RecordingHandler, free_port, smtp_server
from xs_adapters.clock import FixedClock
from xs_adapters.mail.smtp import SmtpMailer, SmtpSettings
from xs_core.errors import InvalidInput
from xs_core.mail import Mail, MailDeliveryFailed

PASSWORD = "paarden eten graag hooi"


def _mail(n: int = 1) -> Mail:
    return Mail(
        message_id=f"<test-{n}@xs.invalid>",
        sender="xs <no-reply@xs.invalid>",
        recipient="anne@example.nl",
        subject="Wachtwoord gewijzigd – één keer",
        text="Beste Anne,\nje wachtwoord is gewijzigd.",
        html="<p>Beste Anne, je wachtwoord is gewijzigd.</p>",
    )


@pytest.fixture
def server() -> Iterator[tuple[RecordingHandler, int]]:
    with smtp_server() as running:
        yield running


def test_r2_6_the_smtp_mailer_delivers_a_multipart_utf8_mail(
    server: tuple[RecordingHandler, int],
) -> None:
    handler, port = server
    mailer = SmtpMailer.from_url(f"smtp://127.0.0.1:{port}")
    mailer.send(_mail(1))
    mailer.send(_mail(2))  # over the same connection
    mailer.close()
    first, second = handler.messages
    assert (
        first["Message-ID"] == "<test-1@xs.invalid>"
        and second["Message-ID"] == "<test-2@xs.invalid>"
    )
    assert first["Subject"] == "Wachtwoord gewijzigd – één keer"
    assert first.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in first.iter_parts()] == ["text/plain", "text/html"]  # type: ignore[attr-defined]


def test_r2_6_a_refusing_server_is_a_passing_failure_and_a_5xx_a_permanent_one(
    server: tuple[RecordingHandler, int],
) -> None:
    handler, port = server
    mailer = SmtpMailer.from_url(f"smtp://127.0.0.1:{port}")
    handler.refuse = 1
    with pytest.raises(MailDeliveryFailed) as failed:
        mailer.send(_mail())
    assert not failed.value.permanent and failed.value.code == "mail.delivery_failed"
    handler.refuse, handler.reply = 1, "554 5.7.1 rejected"
    with pytest.raises(MailDeliveryFailed) as failed:
        mailer.send(_mail())
    assert failed.value.permanent
    mailer.send(_mail())  # the session is still usable
    mailer.close()
    assert handler.count == 1


def test_r2_6_no_server_is_a_passing_failure() -> None:
    mailer = SmtpMailer.from_url(f"smtp://127.0.0.1:{free_port()}?timeout=2")
    with pytest.raises(MailDeliveryFailed) as failed:
        mailer.send(_mail())
    assert not failed.value.permanent


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.nl", SmtpSettings(host="mail.example.nl", port=25)),
        (
            "smtp://u%40x:p%20w@mail.example.nl?starttls=1&timeout=5",
            SmtpSettings(
                host="mail.example.nl",
                port=587,
                starttls=True,
                username="u@x",
                password="p w",
                timeout=5.0,
            ),
        ),
        ("smtps://mail.example.nl", SmtpSettings(host="mail.example.nl", port=465, ssl=True)),
    ],
)
def test_r2_6_smtp_urls(url: str, expected: SmtpSettings) -> None:
    assert SmtpSettings.from_url(url) == expected
    assert "p w" not in repr(SmtpSettings.from_url(url))


@pytest.mark.parametrize(
    "url", ["http://x", "smtp://", "smtp://x:notaport", "smtp://x?timeout=0", "smtp://x?timeout=a"]
)
def test_r2_6_bad_smtp_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        SmtpSettings.from_url(url)
    assert refused.value.code == "mail.invalid_smtp_url"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


def test_r0_7_the_dispatcher_retries_a_refusing_server_until_it_accepts(
    server: tuple[RecordingHandler, int], database_url: str, clock: FixedClock
) -> None:
    handler, port = server
    app = xs.bootstrap(
        database_url,
        clock=clock,
        migrate_database=True,
        mailer=SmtpMailer.from_url(f"smtp://127.0.0.1:{port}"),
    )
    try:
        admin = app.installation.create_super_administrator("Beheer", "beheer@example.nl")
        users = [
            app.access.create_user(
                xs.CreateUser(actor=admin, name=f"Gebruiker {n}", email=f"u{n}@example.nl")
            )
            for n in range(3)
        ]
        for user in users:
            app.passwords.set_password(xs.SetPassword(actor=admin, user_id=user, password=PASSWORD))
        handler.refuse = 2  # the first delivery and the first retry are refused
        assert app.mail_dispatcher.dispatch().failed == 3
        clock.advance(seconds=30)
        assert app.mail_dispatcher.dispatch().failed == 3
        clock.advance(seconds=60)
        report = app.mail_dispatcher.dispatch()
        assert (report.delivered, report.failed) == (3, 0)
        assert sorted(m["To"] for m in handler.messages) == [
            "u0@example.nl",
            "u1@example.nl",
            "u2@example.nl",
        ]
        assert len({m["Message-ID"] for m in handler.messages}) == 3
        assert app.mail_dispatcher.dispatch().claimed == 0
        assert isinstance(users[0], uuid.UUID)
    finally:
        app.close()


def test_r2_6_long_lines_and_non_ascii_text_arrive_intact(
    server: tuple[RecordingHandler, int],
) -> None:
    """Quoted-printable keeps lines under SMTP's limit; line ends are CRLF on the wire."""
    handler, port = server
    long_text = "één " * 1500 + "\n." + "\nslot"
    mailer = SmtpMailer.from_url(f"smtp://127.0.0.1:{port}")
    mailer.send(attrs.evolve(_mail(), text=long_text, html="<p>" + "ü" * 5000 + "</p>"))
    mailer.close()
    (received,) = handler.messages
    plain = received.get_body(("plain",))  # type: ignore[attr-defined]
    assert plain.get_content().replace("\r\n", "\n").rstrip("\n") == long_text
