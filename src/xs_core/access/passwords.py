"""Passwords and the tokens that set them (R2.6).

A user's *account* holds their password credential (an Argon2id hash, never the password) and
their language. A password is set from an invitation or reset token, changed by the user (old and
new) or set by an administrator; each change records :class:`PasswordChanged`, which the mail
dispatcher turns into the password-change e-mail after commit (R0.7, R2.6).

The policy (:func:`check_password`): at least :data:`MIN_LENGTH` characters, at most
:data:`MAX_LENGTH`, not the user's e-mail address, not one of the shipped common passwords.

Tokens (invitation, reset) are random secrets handed out once; only their SHA-256 digest is
stored (:func:`token_digest`), they are single use and expire. Looking one up compares digests in
constant time (:func:`same_digest`).

>>> check_password("correct horse battery staple", "anne@example.nl")
'correct horse battery staple'
>>> check_password("welkom123456", "anne@example.nl")
Traceback (most recent call last):
...
xs_core.errors.InvalidInput: access.password_common: ...
"""

from __future__ import annotations

import datetime as _dt
import enum
import hashlib
import hmac
import uuid
from collections.abc import Collection
from functools import cache
from importlib import resources
from typing import ClassVar, Protocol

import attrs

from xs_core.errors import InvalidInput, NotAllowed, register_messages
from xs_core.events import DomainEvent

#: The shortest password the policy accepts (characters).
MIN_LENGTH = 12
#: The longest password the policy accepts (characters): hashing costs grow with it.
MAX_LENGTH = 1024
#: The languages of users and of mail templates.
LANGUAGES = ("nl", "en")
#: Default lifetimes of tokens.
INVITATION_LIFETIME = _dt.timedelta(hours=72)
RESET_LIFETIME = _dt.timedelta(hours=1)
#: The longest lifetime a token may be given.
MAX_TOKEN_LIFETIME = _dt.timedelta(days=30)

register_messages(
    {
        "access.password_too_short": (
            "Een wachtwoord heeft minstens {minimum} tekens.",
            "A password has at least {minimum} characters.",
        ),
        "access.password_too_long": (
            "Een wachtwoord heeft hoogstens {maximum} tekens.",
            "A password has at most {maximum} characters.",
        ),
        "access.password_is_email": (
            "Een wachtwoord mag niet gelijk zijn aan het e-mailadres.",
            "A password may not be the e-mail address.",
        ),
        "access.password_common": (
            "Dit wachtwoord is te bekend; kies een ander.",
            "This password is too common; choose another.",
        ),
        "access.invalid_language": (
            "Ongeldige taal {value!r}: kies {allowed}.",
            "Invalid language {value!r}: choose {allowed}.",
        ),
        "access.invalid_token_lifetime": (
            "Een token is langer dan 0 en hoogstens {maximum} uur geldig.",
            "A token is valid for more than 0 and at most {maximum} hours.",
        ),
        "access.token_unknown": (
            "Deze link of code is ongeldig.",
            "This link or code is invalid.",
        ),
        "access.token_expired": (
            "Deze link of code is verlopen; vraag een nieuwe aan.",
            "This link or code has expired; ask for a new one.",
        ),
        "access.token_used": (
            "Deze link of code is al gebruikt.",
            "This link or code has been used already.",
        ),
    },
    kind=InvalidInput,
)
register_messages(
    {
        "access.wrong_password": (
            "Het huidige wachtwoord klopt niet.",
            "The current password is not correct.",
        ),
        "access.invalid_credentials": (
            "Onbekend e-mailadres of onjuist wachtwoord.",
            "Unknown e-mail address or wrong password.",
        ),
    },
    kind=NotAllowed,
)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, case-folded."""
    text = (
        resources.files("xs_core.access")
        .joinpath("data", "common_passwords.txt")
        .read_text("utf-8")
    )
    return frozenset(
        line.strip().casefold()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def check_password(password: object, email: str) -> str:
    """The password if the policy accepts it; refused with a coded error otherwise. The
    password itself never appears in the error's details."""
    if not isinstance(password, str):
        raise InvalidInput("access.password_too_short", {"minimum": MIN_LENGTH})
    if len(password) < MIN_LENGTH:
        raise InvalidInput("access.password_too_short", {"minimum": MIN_LENGTH})
    if len(password) > MAX_LENGTH:
        raise InvalidInput("access.password_too_long", {"maximum": MAX_LENGTH})
    folded = password.strip().casefold()
    if folded == email.strip().casefold():
        raise InvalidInput("access.password_is_email", {})
    if folded in common_passwords():
        raise InvalidInput("access.password_common", {})
    return password


def valid_language(value: object) -> str:
    if not isinstance(value, str) or value not in LANGUAGES:
        raise InvalidInput(
            "access.invalid_language", {"value": str(value), "allowed": list(LANGUAGES)}
        )
    return value


class TokenPurpose(enum.Enum):
    """What a token sets a password for."""

    INVITATION = "invitation"
    RESET = "reset"


class ChangedBy(enum.Enum):
    """How a password changed (R2.6)."""

    USER = "user"
    INVITATION = "invitation"
    RESET = "reset"
    ADMINISTRATOR = "administrator"


def token_digest(token: str) -> str:
    """The SHA-256 digest (hex) under which a token is stored; the token itself never is."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_digest(a: str, b: str) -> bool:
    """Digests compared in constant time."""
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))


@attrs.define(kw_only=True)
class Account:
    """A user's credential and preferences: the password hash (``None`` until first set), when
    it last changed, and the user's language (``nl`` or ``en``)."""

    user_id: uuid.UUID
    password_hash: str | None = attrs.field(default=None, repr=False)
    password_changed_at: _dt.datetime | None = None
    language: str = "nl"


@attrs.frozen(kw_only=True)
class PasswordToken:
    """An invitation or reset token as stored: only its digest."""

    id: uuid.UUID
    user_id: uuid.UUID
    purpose: TokenPurpose
    digest: str = attrs.field(repr=False)
    created_at: _dt.datetime
    expires_at: _dt.datetime
    used_at: _dt.datetime | None = None

    def check_usable(self, now: _dt.datetime) -> None:
        """Refused when used (``access.token_used``) or expired (``access.token_expired``)."""
        if self.used_at is not None:
            raise InvalidInput("access.token_used", {})
        if now >= self.expires_at:
            raise InvalidInput("access.token_expired", {})


def lifetime_refused() -> InvalidInput:
    """The refusal of a token lifetime that is not more than zero and at most
    :data:`MAX_TOKEN_LIFETIME` (R2.6)."""
    return InvalidInput(
        "access.invalid_token_lifetime",
        {"maximum": int(MAX_TOKEN_LIFETIME.total_seconds() // 3600)},
    )


def valid_lifetime(lifetime: object) -> _dt.timedelta:
    if (
        not isinstance(lifetime, _dt.timedelta)
        or not _dt.timedelta(0) < lifetime <= MAX_TOKEN_LIFETIME
    ):
        raise lifetime_refused()
    return lifetime


@attrs.frozen(kw_only=True)
class PasswordChanged(DomainEvent):
    """R2.6: a user's password changed (``changed_by``: ``user``, ``invitation``, ``reset`` or
    ``administrator``); the mail dispatcher sends the password-change e-mail. Holds neither the
    password nor a token."""

    name: ClassVar[str] = "PasswordChanged"
    user_id: uuid.UUID
    changed_at: _dt.datetime
    changed_by: str


@attrs.frozen(kw_only=True)
class PasswordTokenIssued(DomainEvent):
    """R2.6: an invitation or reset token was issued for a user (the token itself is handed to
    the caller once and never recorded)."""

    name: ClassVar[str] = "PasswordTokenIssued"
    user_id: uuid.UUID
    token_id: uuid.UUID
    purpose: str
    expires_at: _dt.datetime


@attrs.frozen(kw_only=True)
class UserLanguageChanged(DomainEvent):
    """R2.6: the language of a user's e-mails was set (``nl`` or ``en``)."""

    name: ClassVar[str] = "UserLanguageChanged"
    user_id: uuid.UUID
    language: str


class PasswordHasher(Protocol):
    """Hashes and verifies passwords (Argon2id in :mod:`xs_adapters.passwords`)."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool:
        """True when ``password`` matches; never raises for a mismatch."""
        ...

    def needs_rehash(self, password_hash: str) -> bool: ...


@attrs.frozen(kw_only=True)
class Recipient:
    """What a mail to a user needs: name, address, language (``nl`` when never set)."""

    user_id: uuid.UUID
    name: str
    email: str
    language: str
    active: bool


class AccountStore(Protocol):
    """Accounts and password tokens."""

    def find(self, user_id: uuid.UUID) -> Account | None: ...

    def lock(self, user_id: uuid.UUID) -> Account | None:
        """The account, locked until the transaction ends (``None`` when there is none yet)."""
        ...

    def save(self, account: Account) -> None:
        """Insert or replace the account."""
        ...

    def add_token(self, token: PasswordToken) -> None: ...

    def lock_token(self, digest: str) -> PasswordToken | None:
        """The token stored under ``digest``, locked until the transaction ends."""
        ...

    def mark_token_used(self, token_id: uuid.UUID, at: _dt.datetime) -> None: ...

    def revoke_tokens(self, user_id: uuid.UUID, at: _dt.datetime) -> int:
        """Mark every unused token of the user used (a password change voids them); how many."""
        ...

    def recipients(self, user_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Recipient]:
        """The recipients among ``user_ids`` that exist, in one read (the mail dispatcher's
        batch)."""
        ...
