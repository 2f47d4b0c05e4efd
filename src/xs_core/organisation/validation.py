"""Small validators shared by the organisation context: names, codes, e-mail, phone.

Text limits come from :mod:`xs_core.limits`, the same constants the SQL columns use (R0.5).
"""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from xs_core import limits
from xs_core.errors import Conflict, DomainError, InvalidInput, register_messages

register_messages(
    {
        "organisation.invalid_code": (
            "De code '{value}' is ongeldig: 1 tot {maximum} letters, cijfers, '.', '_' of '-'.",
            "The code '{value}' is invalid: 1 to {maximum} letters, digits, '.', '_' or '-'.",
        ),
        "contact.invalid_email": (
            "Het e-mailadres '{value}' is ongeldig.",
            "The e-mail address '{value}' is invalid.",
        ),
        "contact.invalid_phone": (
            "Het telefoonnummer '{value}' is ongeldig.",
            "The phone number '{value}' is invalid.",
        ),
    },
    kind=InvalidInput,
)

register_messages(
    {
        "organisation.code_in_use": (
            "De code '{code}' is al in gebruik.",
            "The code '{code}' is already in use.",
        ),
    },
    kind=Conflict,
)

_CODE = re.compile(rf"[A-Za-z0-9._-]{{1,{limits.CODE}}}")


def required_text(value: str, field: str, max_length: int = limits.NAME) -> str:
    """Trimmed, non-empty single-line text of at most ``max_length`` characters (R0.5): white
    space collapsed, no control characters (see :func:`xs_core.limits.single_line`)."""
    text = limits.single_line(value, field, max_length)
    if not text:
        raise DomainError("input.required", {"field": field})
    return text


def optional_text(value: str | None, field: str, max_length: int = limits.NAME) -> str | None:
    """Like :func:`required_text`, but empty (or only white space) means none."""
    if value is None:
        return None
    return limits.single_line(value, field, max_length) or None


def valid_code(value: str | None) -> str | None:
    """An employer, department or branch code: trimmed; empty means no code."""
    if value is None or not value.strip():
        return None
    code = value.strip()
    if not _CODE.fullmatch(code):
        raise DomainError("organisation.invalid_code", {"value": value, "maximum": limits.CODE})
    return code


def valid_email(value: str | None) -> str | None:
    """A syntactically valid e-mail address (no DNS look-up), normalised; empty means none."""
    if value is None or not value.strip():
        return None
    try:
        address: str = validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise DomainError("contact.invalid_email", {"value": value}) from None
    if len(address) > limits.EMAIL:  # email-validator allows less; the column's limit holds
        raise DomainError("contact.invalid_email", {"value": value})
    return address


def valid_phone(value: str | None) -> str | None:
    """A valid phone number (Dutch by default), stored in E.164; empty means none."""
    if value is None or not value.strip():
        return None
    try:
        number = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException:
        raise DomainError("contact.invalid_phone", {"value": value}) from None
    if not phonenumbers.is_valid_number(number):
        raise DomainError("contact.invalid_phone", {"value": value})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
