"""Delivering mail after commit through the outbox (R0.7, R2.6): ``xs.mail_dispatcher``.

A use case never sends mail. It records an event (``PasswordChanged``) in its transaction; the
dispatcher consumes the outbox as the subscription ``mail`` with the existing claims and leases
(:class:`~xs_app.outbox.OutboxConsumer`'s storage), turns each message it has a handler for into a
:class:`~xs_core.mail.Mail` and hands it to the :class:`~xs_core.mail.Mailer`:

* a rolled-back use case wrote no outbox message, so nothing is sent;
* a message is acknowledged only after the mailer took it: a crash between delivery and
  acknowledgement delivers it again once the lease runs out — **at least once**, with the same
  ``Message-ID`` (``<xs-outbox-{id}@{domain}>``), so that a receiver can drop the repeat;
* a failed delivery is not acknowledged but held back (:meth:`Outbox.defer`) for a back-off that
  doubles with each attempt (``base``, ``2·base``, … up to ``maximum``); the message is never
  lost, it waits in the outbox until a delivery succeeds;
* messages without a handler are acknowledged for ``mail`` at once (other subscriptions still
  read them).

>>> from xs_app import bootstrap
>>> from xs_adapters.memory.mail import MemoryMailer
>>> mailer = MemoryMailer()
>>> xs = bootstrap(storage="memory", mailer=mailer)
>>> admin = xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
>>> from xs import SetPassword
>>> xs.passwords.set_password(
...     SetPassword(actor=admin, user_id=admin, password="lange zin vol woorden")
... )
>>> xs.mail_dispatcher.dispatch().delivered
1
>>> mailer.sent[0].subject
'Je wachtwoord is gewijzigd'
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import socket
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import pendulum

from xs_app.services.base import UowFactory
from xs_core.access.passwords import Recipient
from xs_core.clock import Clock
from xs_core.errors import DomainError
from xs_core.events import OutboxMessage
from xs_core.mail.model import (
    DELIVERABLE_EVENTS,
    Mail,
    MailDeliveryFailed,
    Mailer,
    MailTemplate,
    TemplateEvent,
    TemplateRenderer,
)
from xs_core.outbox import valid_batch, valid_lease, valid_name

log = logging.getLogger("xs.mail")

#: The outbox subscription of the mail dispatcher.
SUBSCRIPTION = "mail"
ZONE = "Europe/Amsterdam"
DEFAULT_SENDER = "xs <no-reply@xs.invalid>"
DEFAULT_SUPPORT = "de helpdesk / the service desk"
DEFAULT_DOMAIN = "xs.invalid"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"

_MONTHS = {
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "en": "January February March April May June July August September October November December",
}


def local_time(at: _dt.datetime, language: str) -> str:
    """An instant as a reader in the Netherlands reads it (R0.1), in their language.

    >>> import datetime as dt
    >>> local_time(dt.datetime(2026, 12, 3, 8, 15, tzinfo=dt.UTC), "nl")
    '3 december 2026 om 09:15 (Europe/Amsterdam)'
    >>> local_time(dt.datetime(2026, 7, 3, 8, 15, tzinfo=dt.UTC), "en")
    '3 July 2026 at 10:15 (Europe/Amsterdam)'
    """
    local = pendulum.instance(at).in_timezone(ZONE)
    months = _MONTHS.get(language, _MONTHS["nl"]).split()
    word = "om" if language == "nl" else "at"
    return f"{local.day} {months[local.month - 1]} {local.year} {word} {local:HH:mm} ({ZONE})"


@attrs.frozen(kw_only=True)
class MailSettings:
    """Mail configuration: ``XS_MAIL_FROM`` (sender), ``XS_MAIL_SUPPORT`` (the support contact
    the password e-mail names), ``XS_MAIL_DOMAIN`` (of message ids), ``XS_SMTP_URL`` (SMTP),
    ``XS_MAIL_DIRECTORY`` (``.eml`` files; the default on SQL storage is ``xs-mail``)."""

    sender: str = DEFAULT_SENDER
    support_contact: str = DEFAULT_SUPPORT
    domain: str = DEFAULT_DOMAIN
    smtp_url: str | None = attrs.field(default=None, repr=False)
    directory: str | None = None
    #: where the web host answers (``XS_PUBLIC_URL``): invitation links point there (R7.1)
    public_url: str = DEFAULT_PUBLIC_URL

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> MailSettings:
        env = os.environ if environ is None else environ
        return cls(
            sender=env.get("XS_MAIL_FROM") or DEFAULT_SENDER,
            support_contact=env.get("XS_MAIL_SUPPORT") or DEFAULT_SUPPORT,
            domain=env.get("XS_MAIL_DOMAIN") or DEFAULT_DOMAIN,
            smtp_url=env.get("XS_SMTP_URL") or None,
            directory=env.get("XS_MAIL_DIRECTORY") or None,
            public_url=(env.get("XS_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/"),
        )


def make_mailer(storage: str, settings: MailSettings) -> Mailer:
    """SMTP when ``XS_SMTP_URL`` is set, else a directory of ``.eml`` files when one is set or the
    storage is SQL (``xs-mail``), else (memory storage) the in-memory mailer."""
    if settings.smtp_url:
        from xs_adapters.mail.smtp import SmtpMailer

        return SmtpMailer.from_url(settings.smtp_url)
    if settings.directory or storage == "sql":
        from xs_adapters.mail.directory import DirectoryMailer

        return DirectoryMailer(settings.directory or "xs-mail")
    from xs_adapters.memory.mail import MemoryMailer

    return MemoryMailer()


@attrs.frozen(kw_only=True)
class Backoff:
    """How long a failed delivery waits: ``base · 2^(attempts-1)``, at most ``maximum``."""

    base: _dt.timedelta = _dt.timedelta(seconds=30)
    maximum: _dt.timedelta = _dt.timedelta(hours=1)

    def after(self, attempts: int) -> _dt.timedelta:
        """The wait after the ``attempts``-th failed delivery.

        >>> [Backoff().after(n).total_seconds() for n in (1, 2, 3, 30)]
        [30.0, 60.0, 120.0, 3600.0]
        """
        exponent = min(max(attempts, 1) - 1, 30)
        wait: _dt.timedelta = min(self.base * (2**exponent), self.maximum)
        return wait


@attrs.frozen(kw_only=True)
class DispatchReport:
    """What one :meth:`MailDispatcher.dispatch` did: mails delivered, messages without mail
    (acknowledged), deliveries that failed (held back for a retry)."""

    claimed: int = 0
    delivered: int = 0
    skipped: int = 0
    failed: int = 0


class _Batch:
    """What the handlers of one claimed batch read, each in one go: the recipients of every
    message that names a user, and each custom template once."""

    def __init__(self, uow: Any, messages: list[OutboxMessage]) -> None:
        self._uow = uow
        ids = {
            uuid.UUID(m.payload["user_id"])
            for m in messages
            if m.name in DELIVERABLE_EVENTS and "user_id" in m.payload
        }
        self.recipients: dict[uuid.UUID, Recipient] = uow.accounts.recipients(ids) if ids else {}
        self._templates: dict[tuple[TemplateEvent, str], MailTemplate | None] = {}

    def template(self, event: TemplateEvent, language: str) -> MailTemplate | None:
        key = (event, language)
        if key not in self._templates:
            self._templates[key] = self._uow.mail_templates.find(event, language)
        return self._templates[key]


Handler = Callable[[OutboxMessage, _Batch], Mail | None]


class MailDispatcher:
    """Delivers the mail of committed events, at least once (R0.7, R2.6)."""

    def __init__(
        self,
        uow_factory: UowFactory,
        clock: Clock,
        mailer: Mailer,
        renderer: TemplateRenderer,
        settings: MailSettings | None = None,
        backoff: Backoff | None = None,
        secret_key: bytes = b"",
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self.mailer = mailer
        self._renderer = renderer
        self.settings = settings or MailSettings()
        self.backoff = backoff or Backoff()
        self._key = secret_key
        self._handlers: dict[str, Handler] = {
            "PasswordChanged": self._password_changed,
            "EmployerUserInvited": self._invitation,
        }
        if set(self._handlers) != set(DELIVERABLE_EVENTS):
            raise RuntimeError("a deliverable event without a handler")

    def message_id(self, message: OutboxMessage) -> str:
        """The ``Message-ID`` of the mail of an outbox message: the same on every delivery."""
        return f"<xs-outbox-{message.id}@{self.settings.domain}>"

    # -- handlers ----------------------------------------------------------------------------------

    def _password_changed(self, message: OutboxMessage, batch: _Batch) -> Mail | None:
        recipient = batch.recipients.get(uuid.UUID(message.payload["user_id"]))
        if recipient is None:  # the user is gone
            return None
        changed_at = _dt.datetime.fromisoformat(message.payload["changed_at"])
        variables = {
            "user_name": recipient.name,
            "changed_at": local_time(changed_at, recipient.language),
            "support_contact": self.settings.support_contact,
        }
        return self._mail(message, batch, recipient, TemplateEvent.PASSWORD_CHANGED, variables)

    def _invitation(self, message: OutboxMessage, batch: _Batch) -> Mail | None:
        """R7.1: the invitation of an employer user made through the API; the link's token is
        derived again from the secret key and the token's id (never stored)."""
        from xs_app.services.api import invitation_token

        recipient = batch.recipients.get(uuid.UUID(message.payload["user_id"]))
        if recipient is None or not self._key:
            return None
        token = invitation_token(self._key, uuid.UUID(message.payload["token_id"]))
        expires_at = _dt.datetime.fromisoformat(message.payload["expires_at"])
        variables = {
            "user_name": recipient.name,
            "invitation_url": (
                f"{self.settings.public_url}/invitation/{token}?lang={recipient.language}"
            ),
            "expires_at": local_time(expires_at, recipient.language),
            "support_contact": self.settings.support_contact,
        }
        return self._mail(message, batch, recipient, TemplateEvent.INVITATION, variables)

    def _mail(
        self,
        message: OutboxMessage,
        batch: _Batch,
        recipient: Recipient,
        event: TemplateEvent,
        variables: dict[str, str],
    ) -> Mail:
        language = recipient.language
        custom = batch.template(event, language)
        rendered = None
        if custom is not None:
            try:
                rendered = self._renderer.render(event, custom.parts, variables)
            except DomainError as error:  # validated on save: only a row written past the service
                log.error("custom template %s/%s refused at render: %s", event, language, error)
        if rendered is None:
            standard = self._renderer.standard(event, language)
            rendered = self._renderer.render(event, standard, variables)
        return Mail(
            message_id=self.message_id(message),
            sender=self.settings.sender,
            recipient=recipient.email,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
        )

    # -- dispatching -------------------------------------------------------------------------------

    def dispatch(
        self,
        *,
        limit: int = 100,
        consumer: str | None = None,
        lease: _dt.timedelta = _dt.timedelta(minutes=5),
    ) -> DispatchReport:
        """Claim up to ``limit`` messages for ``mail``, deliver their mail, acknowledge what was
        delivered or needs no mail, and hold back what failed. After a passing failure (the
        server is down) the rest of the batch is held back too, untried."""
        name = valid_name(consumer or f"mail:{socket.gethostname()[:40]}:{os.getpid()}", "consumer")
        valid_batch(limit)
        valid_lease(lease)
        now = self._clock.now()
        with self._uow() as uow:
            batch = uow.outbox.claim(SUBSCRIPTION, name, limit, now, now + lease)
            uow.commit()
        if not batch:
            return DispatchReport()
        done: list[int] = []
        held: dict[int, int] = {}  # message id -> attempts
        delivered = skipped = 0
        stop = False
        try:
            with self._uow(write=False) as reader:
                context = _Batch(reader, batch)
                for message in batch:
                    if stop:
                        held[message.id] = message.attempts
                        continue
                    handler = self._handlers.get(message.name)
                    mail = None if handler is None else handler(message, context)
                    if mail is None:
                        done.append(message.id)
                        skipped += 1
                        continue
                    try:
                        self.mailer.send(mail)
                    except MailDeliveryFailed as error:
                        log.warning(
                            "mail of outbox message %s failed (attempt %s): %s",
                            message.id,
                            message.attempts,
                            error,
                        )
                        held[message.id] = message.attempts
                        stop = not error.permanent
                        continue
                    done.append(message.id)
                    delivered += 1
        finally:
            self.mailer.close()
            self._settle(name, done, held)
        return DispatchReport(
            claimed=len(batch), delivered=delivered, skipped=skipped, failed=len(held)
        )

    def _settle(self, consumer: str, done: list[int], held: dict[int, int]) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            if done:
                uow.outbox.acknowledge(SUBSCRIPTION, done)
            by_wait: dict[_dt.timedelta, list[int]] = {}
            for ident, attempts in held.items():
                by_wait.setdefault(self.backoff.after(attempts), []).append(ident)
            for wait, ids in by_wait.items():
                uow.outbox.defer(SUBSCRIPTION, consumer, ids, now + wait)
            uow.commit()

    def dispatch_all(self, *, limit: int = 100, consumer: str | None = None) -> DispatchReport:
        """Dispatch batch after batch until nothing is claimable now; the totals."""
        total = DispatchReport()
        while True:
            report = self.dispatch(limit=limit, consumer=consumer)
            total = DispatchReport(
                claimed=total.claimed + report.claimed,
                delivered=total.delivered + report.delivered,
                skipped=total.skipped + report.skipped,
                failed=total.failed + report.failed,
            )
            if report.claimed == 0 or report.failed:
                return total


__all__ = [
    "SUBSCRIPTION",
    "Backoff",
    "DispatchReport",
    "MailDispatcher",
    "MailSettings",
    "local_time",
    "make_mailer",
]
