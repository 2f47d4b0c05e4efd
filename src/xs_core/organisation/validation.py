"""Small validators shared by the organisation context: names, codes, e-mail, phone."""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from xs_core.errors import DomainError, InvalidInput, register_messages

register_messages(
    {
        "organisation.invalid_code": (
            "De code '{value}' is ongeldig: 1 tot 20 letters, cijfers, '.', '_' of '-'.",
            "The code '{value}' is invalid: 1 to 20 letters, digits, '.', '_' or '-'.",
        ),
        "organisation.code_in_use": (
            "De code '{code}' is al in gebruik.",
            "The code '{code}' is already in use.",
        ),
        "contact.invalid_email": (
            "Het e-mailadres '{value}' is ongeldig.",
            "The e-mail address '{value}' is invalid.",
        ),
        "contact.invalid_phone": (
            "Het telefoonnummer '{value}' is ongeldig.",
            "The phone number '{value}' is invalid.",
        ),
    }
)

_CODE = re.compile(r"^[A-Za-z0-9._-]{1,20}$")


def required_text(value: str, field: str, max_length: int = 200) -> str:
    """Trimmed, non-empty text of at most ``max_length`` characters."""
    text = " ".join(value.split())
    if not text:
        raise DomainError("input.required", {"field": field})
    if len(text) > max_length:
        raise InvalidInput(
            "input.invalid", {"field": field, "reason": f"longer than {max_length} characters"}
        )
    return text


def optional_text(value: str | None, field: str, max_length: int = 200) -> str | None:
    if value is None or not value.strip():
        return None
    return required_text(value, field, max_length)


def valid_code(value: str | None) -> str | None:
    """An employer, department or branch code: trimmed; empty means no code."""
    if value is None or not value.strip():
        return None
    code = value.strip()
    if not _CODE.match(code):
        raise DomainError("organisation.invalid_code", {"value": value})
    return code


def valid_email(value: str | None) -> str | None:
    """A syntactically valid e-mail address (no DNS look-up), normalised; empty means none."""
    if value is None or not value.strip():
        return None
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise DomainError("contact.invalid_email", {"value": value}) from None


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
