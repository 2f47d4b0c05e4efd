"""A :class:`~xs_core.mail.Mail` as a MIME message (stdlib ``email``): multipart/alternative with
a plain-text and an HTML part, UTF-8, with ``Message-ID``, ``Date``, ``From``, ``To`` and
``Subject`` headers."""

from __future__ import annotations

import datetime as _dt
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr

from xs_core.mail import Mail


def _header_text(value: str) -> str:
    """A single-line header value: line breaks cannot inject headers."""
    return " ".join(value.split())


def build_message(mail: Mail, date: _dt.datetime | None = None) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    message["Message-ID"] = _header_text(mail.message_id)
    message["Date"] = format_datetime(date or _dt.datetime.now(_dt.UTC))
    name, address = parseaddr(mail.sender)
    message["From"] = (
        Address(display_name=_header_text(name), addr_spec=address) if name else address
    )
    message["To"] = _header_text(mail.recipient)
    message["Subject"] = _header_text(mail.subject)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text, subtype="plain", charset="utf-8")
    message.add_alternative(mail.html, subtype="html", charset="utf-8")
    return message
