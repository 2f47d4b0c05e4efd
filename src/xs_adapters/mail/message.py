"""A :class:`~xs_core.mail.Mail` as a MIME message (stdlib ``email``): multipart/alternative with
a plain-text and an HTML part in UTF-8, with ``Message-ID``, ``Date``, ``From``, ``To``,
``Subject`` and ``Auto-Submitted`` headers; non-ASCII headers are RFC 2047 encoded.

Built with the ``email.mime`` classes (the ``compat32`` policy): several times cheaper than
``EmailMessage`` with the ``SMTP`` policy, which parses every header it is given again — the
dispatcher builds thousands of these (``benchmarks/mail.py``).
"""

from __future__ import annotations

import datetime as _dt
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, parseaddr

from xs_core.mail import Mail

#: Lines end in CRLF on the wire (``smtplib`` does not fix the line ends of bytes).
_WIRE = compat32.clone(linesep="\r\n")
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP


def _line(value: str) -> str:
    """A single-line header value: line breaks cannot inject headers."""
    return " ".join(value.split())


def _header(value: str) -> str | Header:
    text = _line(value)
    return text if text.isascii() else Header(text, "utf-8")


def _text(body: str, subtype: str) -> MIMEText:
    """A UTF-8 part, quoted-printable: lines stay under SMTP's 998 octets, text stays legible."""
    return MIMEText(body, subtype, _UTF8)  # type: ignore[arg-type]


def build_message(mail: Mail, date: _dt.datetime | None = None) -> Message:
    message = MIMEMultipart("alternative")
    message["Message-ID"] = _line(mail.message_id)
    message["Date"] = format_datetime(date or _dt.datetime.now(_dt.UTC))
    name, address = parseaddr(_line(mail.sender))
    message["From"] = formataddr((name, address), charset="utf-8")
    message["To"] = _line(mail.recipient)
    message["Subject"] = _header(mail.subject)  # type: ignore[assignment]
    message["Auto-Submitted"] = "auto-generated"
    message.attach(_text(mail.text, "plain"))
    message.attach(_text(mail.html, "html"))
    return message


def envelope(mail: Mail) -> tuple[str, list[str], bytes]:
    """Sender address, recipients and the message's bytes, for ``smtplib.sendmail``."""
    return (
        parseaddr(mail.sender)[1],
        [_line(mail.recipient)],
        build_message(mail).as_bytes(policy=_WIRE),
    )
