"""Mails, the Mailer port and custom mail templates (R2.6).

A use case never sends mail: it records a domain event in its transaction (R0.7) and the mail
dispatcher (:mod:`xs_app.mail`) turns committed events into :class:`Mail` and hands them to a
:class:`Mailer` — at least once, each with a stable ``message_id`` so that a receiver (or the
adapter) can recognise a repeat.

Templates: each :class:`TemplateEvent` has a standard text in Dutch and English; an
administrator may store a custom :class:`MailTemplate` per event and language (subject, text,
HTML), which always wins over the standard one. Templates are rendered by a
:class:`TemplateRenderer` in a sandbox that offers only the documented variables of the event
(:data:`TEMPLATE_VARIABLES`).
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from typing import ClassVar, Protocol

import attrs

from xs_core import limits
from xs_core.errors import Conflict, InvalidInput, register_messages
from xs_core.events import DomainEvent

#: The longest subject, text or HTML part of a template (characters).
MAX_TEMPLATE = limits.MAIL_TEMPLATE
MAX_SUBJECT = limits.MAIL_SUBJECT

register_messages(
    {
        "mail.unknown_event": (
            "Onbekende e-mailgebeurtenis {value!r}: kies {allowed}.",
            "Unknown mail event {value!r}: choose {allowed}.",
        ),
        "mail.template_syntax": (
            "Sjabloon {part}, regel {line}: {reason}.",
            "Template {part}, line {line}: {reason}.",
        ),
        "mail.template_unknown_variable": (
            "Sjabloon {part} gebruikt onbekende variabelen {names}; toegestaan: {allowed}.",
            "Template {part} uses unknown variables {names}; allowed: {allowed}.",
        ),
        "mail.template_forbidden": (
            "Sjabloon {part}, regel {line}: {construct} is niet toegestaan.",
            "Template {part}, line {line}: {construct} is not allowed.",
        ),
        "mail.output_too_long": (
            "Sjabloon {part} levert meer dan {maximum} tekens op.",
            "Template {part} renders more than {maximum} characters.",
        ),
        "mail.template_empty": (
            "Sjabloon {part} is leeg.",
            "Template {part} is empty.",
        ),
    },
    kind=InvalidInput,
)
register_messages(
    {
        "mail.delivery_failed": (
            "Het e-mailbericht kon niet worden afgeleverd: {reason}.",
            "The mail could not be delivered: {reason}.",
        ),
    },
    kind=Conflict,
)


class MailDeliveryFailed(Conflict):
    """A mailer could not hand a mail over (the dispatcher retries it later with back-off).
    ``permanent``: the server refused the mail itself (5xx), not a passing failure."""

    default_code = "mail.delivery_failed"

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__("mail.delivery_failed", {"reason": reason})
        self.permanent = permanent


class TemplateEvent(enum.Enum):
    """The events that lead to an e-mail with a template."""

    PASSWORD_CHANGED = "password_changed"
    INVITATION = "invitation"

    @classmethod
    def parse(cls, value: object) -> TemplateEvent:
        if isinstance(value, cls):
            return value
        for member in cls:
            if member.value == value:
                return member
        raise InvalidInput(
            "mail.unknown_event", {"value": str(value), "allowed": [m.value for m in cls]}
        )


#: The variables a template of each event may use, documented in ``docs/mail.md``.
TEMPLATE_VARIABLES: dict[TemplateEvent, tuple[str, ...]] = {
    TemplateEvent.PASSWORD_CHANGED: ("user_name", "changed_at", "support_contact"),
    TemplateEvent.INVITATION: ("user_name", "invitation_url", "expires_at", "support_contact"),
}

#: The outbox events the mail dispatcher turns into mail, and the template event of each.
DELIVERABLE_EVENTS: dict[str, TemplateEvent] = {
    "PasswordChanged": TemplateEvent.PASSWORD_CHANGED,
    "EmployerUserInvited": TemplateEvent.INVITATION,
}


@attrs.frozen(kw_only=True)
class Mail:
    """A mail as the Mailer sends it: one recipient, a subject, a plain text and an HTML part.
    ``message_id`` (``<…@…>``) is stable across repeated deliveries of the same outbox message."""

    message_id: str
    sender: str
    recipient: str
    subject: str
    text: str
    html: str


@attrs.frozen(kw_only=True)
class RenderedMail:
    """A template rendered: subject, text and HTML."""

    subject: str
    text: str
    html: str


class Mailer(Protocol):
    """Hands mails to the outside world (SMTP, a directory of ``.eml`` files, memory)."""

    def send(self, mail: Mail) -> None:
        """Deliver ``mail``; raises :class:`MailDeliveryFailed` when it could not."""
        ...

    def close(self) -> None:
        """Release what a series of ``send`` calls kept open (an SMTP connection)."""
        ...


def _part(text: object, part: str, maximum: int) -> str:
    if not isinstance(text, str):
        raise InvalidInput("mail.template_empty", {"part": part})
    if part == "subject":
        text = limits.single_line(text, part, maximum)
    else:
        limits.multi_line(text, part, maximum)
    if not text.strip():
        raise InvalidInput("mail.template_empty", {"part": part})
    return text


def _subject(value: object) -> str:
    return _part(value, "subject", MAX_SUBJECT)


def _text(value: object) -> str:
    return _part(value, "text", MAX_TEMPLATE)


def _html(value: object) -> str:
    return _part(value, "html", MAX_TEMPLATE)


@attrs.frozen(kw_only=True)
class MailTemplateSet:
    """The three parts of a template: subject, plain text and HTML."""

    subject: str = attrs.field(converter=_subject)
    text: str = attrs.field(converter=_text)
    html: str = attrs.field(converter=_html)


@attrs.frozen(kw_only=True)
class MailTemplate:
    """A custom template of an event in a language, as an administrator stored it."""

    event: TemplateEvent
    language: str
    parts: MailTemplateSet
    updated_at: _dt.datetime
    updated_by: uuid.UUID


@attrs.frozen(kw_only=True)
class MailTemplateSaved(DomainEvent):
    """R2.6: an administrator stored a custom mail template (``event``, ``language``)."""

    name: ClassVar[str] = "MailTemplateSaved"
    #: ``event:language``, e.g. ``password_changed:nl``
    template_id: str
    event: str
    language: str
    saved_by: uuid.UUID


@attrs.frozen(kw_only=True)
class MailTemplateRemoved(DomainEvent):
    """R2.6: an administrator removed a custom mail template; the standard text applies again."""

    name: ClassVar[str] = "MailTemplateRemoved"
    #: ``event:language``, e.g. ``password_changed:nl``
    template_id: str
    event: str
    language: str
    removed_by: uuid.UUID


class TemplateStore(Protocol):
    """Custom mail templates, by event and language."""

    def find(self, event: TemplateEvent, language: str) -> MailTemplate | None: ...

    def save(self, template: MailTemplate) -> None:
        """Insert or replace the template of its event and language."""
        ...

    def remove(self, event: TemplateEvent, language: str) -> bool:
        """Remove the template; whether there was one."""
        ...

    def list(self) -> list[MailTemplate]:
        """Every custom template, by event and language."""
        ...


class TemplateRenderer(Protocol):
    """Validates and renders templates in a sandbox (Jinja2 in :mod:`xs_adapters.mail`)."""

    def validate(self, event: TemplateEvent, parts: MailTemplateSet) -> None:
        """Refuse (coded :class:`InvalidInput`) a template with a syntax error, an unknown
        variable or a construct outside the sandbox's allowance."""
        ...

    def render(
        self, event: TemplateEvent, parts: MailTemplateSet, variables: dict[str, str]
    ) -> RenderedMail:
        """Render the parts with only ``variables`` (HTML autoescaped)."""
        ...

    def standard(self, event: TemplateEvent, language: str) -> MailTemplateSet:
        """The standard text of the event in the language."""
        ...
