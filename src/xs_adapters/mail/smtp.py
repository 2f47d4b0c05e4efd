"""The SMTP mailer (stdlib ``smtplib``), configured by ``XS_SMTP_URL``.

``smtp://[user[:password]@]host[:port][?starttls=1&timeout=10]`` — plain SMTP, upgraded with
STARTTLS when ``starttls=1`` (port 587 by default then, 25 otherwise); ``smtps://…`` — SMTP over
TLS (port 465). A login happens when the URL holds a user. One connection is kept for a series of
``send`` calls (a dispatcher batch) and opened again when the server dropped it; :meth:`close`
ends it.

Failures are :class:`~xs_core.mail.MailDeliveryFailed`: ``permanent`` when the server refused the
mail itself with a 5xx reply, passing otherwise (connection refused or lost, time-out, 4xx).
"""

from __future__ import annotations

import smtplib
import ssl
from urllib.parse import parse_qs, unquote, urlsplit

import attrs

from xs_adapters.mail.message import envelope
from xs_core.errors import InvalidInput, register_messages
from xs_core.mail import Mail, MailDeliveryFailed

register_messages(
    {
        "mail.invalid_smtp_url": (
            "Ongeldige SMTP-URL: {reason}.",
            "Invalid SMTP URL: {reason}.",
        ),
    },
    kind=InvalidInput,
)

_TRUE = ("1", "true", "yes", "on")


@attrs.frozen(kw_only=True)
class SmtpSettings:
    host: str
    port: int
    ssl: bool = False
    starttls: bool = False
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    timeout: float = 10.0

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise InvalidInput("mail.invalid_smtp_url", {"reason": "scheme is smtp or smtps"})
        if not parts.hostname:
            raise InvalidInput("mail.invalid_smtp_url", {"reason": "no host"})
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        starttls = query.get("starttls", "0").lower() in _TRUE
        secure = parts.scheme == "smtps"
        try:
            port = parts.port or (465 if secure else 587 if starttls else 25)
            timeout = float(query.get("timeout", "10"))
        except ValueError:
            raise InvalidInput("mail.invalid_smtp_url", {"reason": "port or timeout"}) from None
        if not 0 < timeout <= 300:
            raise InvalidInput("mail.invalid_smtp_url", {"reason": "timeout"})
        return cls(
            host=parts.hostname,
            port=port,
            ssl=secure,
            starttls=starttls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            timeout=timeout,
        )


class SmtpMailer:
    def __init__(self, settings: SmtpSettings, context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self._context = context or ssl.create_default_context()
        self._connection: smtplib.SMTP | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpMailer:
        return cls(SmtpSettings.from_url(url))

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        connection: smtplib.SMTP
        if s.ssl:
            connection = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context)
        else:
            connection = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            connection.ehlo()
            if s.starttls:
                connection.starttls(context=self._context)
                connection.ehlo()
            if s.username is not None:
                connection.login(s.username, s.password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, mail: Mail) -> None:
        sender, recipients, data = envelope(mail)
        for attempt in (1, 2):
            try:
                if self._connection is None:
                    self._connection = self._connect()
                self._connection.sendmail(sender, recipients, data)
                return
            except smtplib.SMTPServerDisconnected as error:
                self._drop()
                if attempt == 2:
                    raise MailDeliveryFailed(f"disconnected: {error}") from error
            except smtplib.SMTPRecipientsRefused as error:
                self._reset()
                codes = [code for code, _ in error.recipients.values()]
                permanent = all(code >= 500 for code in codes)
                raise MailDeliveryFailed(f"recipient refused {codes}", permanent) from error
            except smtplib.SMTPResponseException as error:
                self._reset()
                reason = f"{error.smtp_code} {_text(error.smtp_error)}"
                raise MailDeliveryFailed(reason, error.smtp_code >= 500) from error
            except (smtplib.SMTPException, OSError) as error:
                self._drop()
                raise MailDeliveryFailed(f"{type(error).__name__}: {error}") from error

    def _reset(self) -> None:
        """After a refusal, put the session back in a known state (or drop it)."""
        if self._connection is not None:
            try:
                self._connection.rset()
            except (smtplib.SMTPException, OSError):
                self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            finally:
                self._drop()


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
