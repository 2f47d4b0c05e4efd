"""Use cases of passwords (R2.6): tokens, setting, changing and verifying a password.

Every change records :class:`~xs_core.access.passwords.PasswordChanged` in the unit of work's
transaction; the mail dispatcher (:mod:`xs_app.mail`) sends the password-change e-mail after
commit. A change voids the user's unused tokens. Passwords are hashed with Argon2id and never
stored, logged or put in an error; a command's ``repr`` hides them.
"""

from __future__ import annotations

import datetime as _dt
import secrets
import uuid

import attrs

from xs_app.services.access import AccessService
from xs_app.services.base import Service, UowFactory, hidden
from xs_app.services.command import Command, CommandPart
from xs_core.access.features import Feature
from xs_core.access.model import User
from xs_core.access.passwords import (
    INVITATION_LIFETIME,
    RESET_LIFETIME,
    Account,
    ChangedBy,
    PasswordChanged,
    PasswordHasher,
    PasswordToken,
    PasswordTokenIssued,
    TokenPurpose,
    UserLanguageChanged,
    check_password,
    lifetime_refused,
    token_digest,
    valid_language,
    valid_lifetime,
)
from xs_core.clock import Clock
from xs_core.errors import DomainError, InvalidInput, NotAllowed
from xs_core.organisation.validation import valid_email
from xs_core.uow import UnitOfWork


@attrs.frozen(kw_only=True)
class IssuePasswordToken(Command):
    """An invitation or reset token for a user the actor manages (``access.manage_users``);
    ``valid_for`` defaults to 72 hours for an invitation and 1 hour for a reset."""

    actor: uuid.UUID
    user_id: uuid.UUID
    purpose: TokenPurpose
    valid_for: _dt.timedelta | None = None


@attrs.frozen(kw_only=True)
class IssuedToken:
    """The token, handed out this once (only its digest is stored)."""

    token_id: uuid.UUID
    token: str = attrs.field(repr=False)
    expires_at: _dt.datetime


@attrs.frozen(kw_only=True)
class SetPasswordWithToken(CommandPart):
    """Set a password with an invitation or reset token (the token is the credential)."""

    token: str = attrs.field(repr=False)
    password: str = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class ChangePassword(Command):
    """The actor changes their own password (current and new)."""

    actor: uuid.UUID
    current_password: str = attrs.field(repr=False)
    new_password: str = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class SetPassword(Command):
    """An administrator sets the password of a user they manage (``access.manage_users``)."""

    actor: uuid.UUID
    user_id: uuid.UUID
    password: str = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class VerifyPassword(CommandPart):
    """Sign-in check: the user with this e-mail address and password."""

    email: str
    password: str = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class SetLanguage(Command):
    """The language of a user's e-mails (``nl`` or ``en``): one's own, or of a user one
    manages."""

    actor: uuid.UUID
    user_id: uuid.UUID
    language: str


def _lifetime(
    instance: TokenLifetimes, attribute: attrs.Attribute[_dt.timedelta], value: object
) -> None:
    valid_lifetime(value)


@attrs.frozen
class TokenLifetimes:
    """Default lifetimes of tokens (configurable per application): each more than zero and at
    most ``MAX_TOKEN_LIFETIME`` (30 days), else ``access.invalid_token_lifetime`` when it is
    built (R2.6).

    >>> TokenLifetimes(invitation=_dt.timedelta(days=7)).invitation.days
    7
    """

    invitation: _dt.timedelta = attrs.field(default=INVITATION_LIFETIME, validator=_lifetime)
    reset: _dt.timedelta = attrs.field(default=RESET_LIFETIME, validator=_lifetime)


def token_lifetimes(value: object) -> TokenLifetimes:
    """The lifetimes a service is given (``bootstrap(token_lifetimes=...)``), checked when the
    application is built, not when the first token is made: ``None`` means the defaults;
    anything but a :class:`TokenLifetimes` is ``access.invalid_token_lifetime`` (R2.6)."""
    if value is None:
        return TokenLifetimes()
    if isinstance(value, TokenLifetimes):
        # checked again: a subclass redefining a field, or validators switched off, escapes
        # the class's own validators, and the API's invitation uses the value as it is
        valid_lifetime(value.invitation)
        valid_lifetime(value.reset)
        return value
    raise lifetime_refused()


#: A hash of a random password: verified when the e-mail address is unknown, so that an unknown
#: address costs what a wrong password costs.
_DUMMY_PASSWORD = "x" * 24


class PasswordService(Service):
    """Passwords and tokens (R2.6)."""

    def __init__(
        self,
        uow_factory: UowFactory,
        clock: Clock,
        hasher: PasswordHasher,
        lifetimes: TokenLifetimes | None = None,
    ) -> None:
        super().__init__(uow_factory, clock)
        self._hasher = hasher
        self._lifetimes = token_lifetimes(lifetimes)

    def _managed_user(self, uow: UnitOfWork, actor: uuid.UUID, user_id: uuid.UUID) -> User:
        auth, principal = self._authorise(uow, actor, Feature.MANAGE_USERS)
        user = uow.users.lock(user_id)
        if not AccessService._manageable(auth, principal, user):
            raise hidden("user", user_id)
        return user

    def issue_token(self, cmd: IssuePasswordToken) -> IssuedToken:
        """A single-use token to set the user's password; only its digest is stored."""
        # ``is None``, not ``or``: a zero ``valid_for`` is refused, not replaced by the default
        lifetime = valid_lifetime(
            (
                self._lifetimes.invitation
                if cmd.purpose is TokenPurpose.INVITATION
                else self._lifetimes.reset
            )
            if cmd.valid_for is None
            else cmd.valid_for
        )
        now = self._clock.now()
        secret = secrets.token_urlsafe(32)
        with self._uow() as uow:
            user = self._managed_user(uow, cmd.actor, cmd.user_id)
            token = PasswordToken(
                id=uuid.uuid4(),
                user_id=user.id,
                purpose=cmd.purpose,
                digest=token_digest(secret),
                created_at=now,
                expires_at=now + lifetime,
            )
            uow.accounts.add_token(token)
            uow.publish(
                PasswordTokenIssued(
                    user_id=user.id,
                    token_id=token.id,
                    purpose=cmd.purpose.value,
                    expires_at=token.expires_at,
                )
            )
            uow.commit()
            return IssuedToken(token_id=token.id, token=secret, expires_at=token.expires_at)

    def _store(self, uow: UnitOfWork, user: User, password: str, by: ChangedBy) -> None:
        check_password(password, user.email)
        now = self._clock.now()
        account = uow.accounts.lock(user.id) or Account(user_id=user.id)
        account.password_hash = self._hasher.hash(password)
        account.password_changed_at = now
        uow.accounts.save(account)
        uow.accounts.revoke_tokens(user.id, now)
        uow.publish(PasswordChanged(user_id=user.id, changed_at=now, changed_by=by.value))

    def set_password(self, cmd: SetPassword) -> None:
        """An administrator sets a managed user's password (the user is told by e-mail)."""
        with self._uow() as uow:
            user = self._managed_user(uow, cmd.actor, cmd.user_id)
            self._store(uow, user, cmd.password, ChangedBy.ADMINISTRATOR)
            uow.commit()

    def set_language(self, cmd: SetLanguage) -> None:
        """The language of the user's e-mails."""
        language = valid_language(cmd.language)
        with self._uow() as uow:
            if cmd.user_id == cmd.actor:
                self._authoriser(uow).principal(cmd.actor)
                user = uow.users.lock(cmd.actor)
            else:
                user = self._managed_user(uow, cmd.actor, cmd.user_id)
            account = uow.accounts.lock(user.id) or Account(user_id=user.id)
            account.language = language
            uow.accounts.save(account)
            uow.publish(UserLanguageChanged(user_id=user.id, language=language))
            uow.commit()


class Credentials:
    """What a user does with their own credential: redeem a token, change their password, sign
    in. Not a :class:`Service` of the use-case table: a token redemption and a sign-in have no
    acting user yet, and one's own password needs no feature authorisation."""

    def __init__(self, passwords: PasswordService) -> None:
        self._passwords = passwords
        self._dummy_hash: str | None = None

    def set_password_with_token(self, cmd: SetPasswordWithToken) -> uuid.UUID:
        """Set the password with a token; refused when the token is unknown, used or expired
        (nothing changes then). The user's id."""
        if not isinstance(cmd.token, str) or not 0 < len(cmd.token) <= 200:
            raise InvalidInput("access.token_unknown", {})
        with self._passwords._uow() as uow:
            token = uow.accounts.lock_token(token_digest(cmd.token))
            if token is None:
                raise InvalidInput("access.token_unknown", {})
            token.check_usable(self._passwords._clock.now())
            user = uow.users.lock(token.user_id)
            by = (
                ChangedBy.INVITATION
                if token.purpose is TokenPurpose.INVITATION
                else ChangedBy.RESET
            )
            self._passwords._store(uow, user, cmd.password, by)
            uow.commit()
            return user.id

    def check_token(self, token: str) -> None:
        """Nothing when the token can still set a password; ``access.token_unknown``,
        ``access.token_used`` or ``access.token_expired`` otherwise (changes nothing)."""
        if not isinstance(token, str) or not 0 < len(token) <= 200:
            raise InvalidInput("access.token_unknown", {})
        with self._passwords._uow(write=False) as uow:
            found = uow.accounts.lock_token(token_digest(token))
        if found is None:
            raise InvalidInput("access.token_unknown", {})
        found.check_usable(self._passwords._clock.now())

    def change_password(self, cmd: ChangePassword) -> None:
        """The actor's own password, given the current one (``access.wrong_password``)."""
        with self._passwords._uow() as uow:
            self._passwords._authoriser(uow).principal(cmd.actor)
            user = uow.users.lock(cmd.actor)
            account = uow.accounts.lock(user.id)
            if (
                account is None
                or account.password_hash is None
                or not self._passwords._hasher.verify(account.password_hash, cmd.current_password)
            ):
                raise NotAllowed("access.wrong_password", {})
            self._passwords._store(uow, user, cmd.new_password, ChangedBy.USER)
            uow.commit()

    def verify_password(self, cmd: VerifyPassword) -> uuid.UUID:
        """The user's id when the e-mail address and password match an active user;
        ``access.invalid_credentials`` otherwise, alike for an unknown address."""
        try:
            email = valid_email(cmd.email)
        except DomainError:
            email = None
        with self._passwords._uow(write=False) as uow:
            user = None if email is None else uow.users.find_by_email(email)
            account = None if user is None else uow.accounts.find(user.id)
        if user is None or account is None or account.password_hash is None or not user.active:
            self._passwords._hasher.verify(self._dummy(), cmd.password)
            raise NotAllowed("access.invalid_credentials", {})
        if not self._passwords._hasher.verify(account.password_hash, cmd.password):
            raise NotAllowed("access.invalid_credentials", {})
        return user.id

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self._passwords._hasher.hash(_DUMMY_PASSWORD)
        return self._dummy_hash

    def language(self, user_id: uuid.UUID) -> str:
        """The language of a user's e-mails (``nl`` when never set)."""
        with self._passwords._uow(write=False) as uow:
            account = uow.accounts.find(user_id)
            return "nl" if account is None else account.language


__all__ = [
    "ChangePassword",
    "Credentials",
    "IssuePasswordToken",
    "IssuedToken",
    "PasswordService",
    "SetLanguage",
    "SetPassword",
    "SetPasswordWithToken",
    "TokenLifetimes",
    "VerifyPassword",
    "token_lifetimes",
]
