"""Use cases of the external API (R7.1): API clients, and creating employer users.

An administrator registers an API client (``access.manage_users``): the client gets a technical
user holding ``api.create_employer_user`` and ``organisation.view`` whose scope is the employers
it is entitled to, so every call it makes is authorised like any user's (R0.6). The secret is
handed out once; only its Argon2id hash is stored.

:meth:`EmployerUserService.create_employer_user` creates an employer user (werkgevergebruiker)
with an employer role, scoped to that employer (and so to all its employees), and invites them by
e-mail to set a password: the invitation token is issued in the same transaction and the event
:class:`~xs_core.access.api_clients.EmployerUserInvited` names only its id; the mail dispatcher
derives the token again from the installation's secret key (:func:`invitation_token`), so no
token is ever stored or written to the outbox. The API never accepts or returns a password.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import hmac
import logging
import secrets
import uuid

import attrs

from xs_app.services.access import AccessService
from xs_app.services.base import Service, UowFactory, employer, hidden
from xs_app.services.command import Command
from xs_app.services.passwords import TokenLifetimes, token_lifetimes
from xs_core.access.api_clients import (
    ApiClient,
    EmployerUserInvited,
    fingerprint,
    valid_idempotency_key,
)
from xs_core.access.attempts import AttemptLimits, address_key
from xs_core.access.authoriser import Authoriser
from xs_core.access.features import Feature
from xs_core.access.model import Principal, Role, RoleCreated, RoleKind, Scope, User
from xs_core.access.passwords import (
    Account,
    PasswordHasher,
    PasswordToken,
    TokenPurpose,
    token_digest,
    valid_language,
)
from xs_core.clock import Clock
from xs_core.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotAllowed,
    NotFound,
    register_messages,
)
from xs_core.organisation.model import Employer
from xs_core.organisation.validation import valid_code
from xs_core.uow import UnitOfWork

register_messages(
    {"employer.not_found": ("Werkgever {code} bestaat niet.", "Employer {code} does not exist.")},
    kind=NotFound,
)
register_messages(
    {
        "api.role_unknown": (
            "De rol {role} bestaat niet.",
            "The role {role} does not exist.",
        ),
        "api.page_invalid": (
            "Pagina en paginagrootte moeten tussen 1 en {max} liggen.",
            "Page and page size must lie between 1 and {max}.",
        ),
    },
    kind=InvalidInput,
)

log = logging.getLogger("xs.api")

#: The features of an API client's technical user (R7.1).
CLIENT_FEATURES = frozenset({Feature.API_CREATE_EMPLOYER_USER, Feature.VIEW_ORGANISATION})
#: The e-mail domain of technical users (never mailed: they have no password to change).
CLIENT_DOMAIN = "api-clients.example.nl"
MAX_PAGE_SIZE = 100


def invitation_token(key: bytes, token_id: uuid.UUID) -> str:
    """The secret of an invitation token, derived from the installation's secret key and the
    token's id (HMAC-SHA256): the mail dispatcher derives it again, nothing stores it.

    >>> invitation_token(b"k" * 32, uuid.UUID(int=1))[:10]
    'hbxwvALsiO'
    """
    digest = hmac.new(key, b"xs-invitation:" + token_id.bytes, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@attrs.frozen(kw_only=True)
class RegisterApiClient(Command):
    """Register an API client entitled to these employers (``access.manage_users``)."""

    actor: uuid.UUID
    name: str
    employer_codes: frozenset[str]


@attrs.frozen(kw_only=True)
class RegisteredApiClient:
    """The client's id and its secret, handed out this once."""

    client_id: uuid.UUID
    secret: str = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class DisableApiClient(Command):
    actor: uuid.UUID
    client_id: uuid.UUID


@attrs.frozen(kw_only=True)
class ListApiClients(Command):
    actor: uuid.UUID


@attrs.frozen(kw_only=True)
class CreateEmployerUser(Command):
    """R7.1: an employer user with an employer role (by name), invited by e-mail."""

    actor: uuid.UUID
    employer_code: str
    name: str
    email: str
    role: str
    language: str = "nl"
    idempotency_key: str | None = None
    #: the SHA-256 of the request (a retry with the same key must send the same request)
    request_fingerprint: str = ""


@attrs.frozen(kw_only=True)
class CreatedEmployerUser:
    user_id: uuid.UUID
    #: ``True`` when an ``Idempotency-Key`` answered a retry with the first result
    repeated: bool = False


@attrs.frozen(kw_only=True)
class ListEmployerUsers(Command):
    actor: uuid.UUID
    employer_code: str
    page: int = 1
    page_size: int = 20


@attrs.frozen(kw_only=True)
class GetEmployerUser(Command):
    actor: uuid.UUID
    user_id: uuid.UUID


@attrs.frozen(kw_only=True)
class EmployerUserView:
    """An employer user as the API shows them (never a password)."""

    id: uuid.UUID
    name: str
    email: str
    roles: tuple[str, ...]
    employer_codes: tuple[str, ...]
    active: bool


class ApiClientService(Service):
    """Registering and disabling API clients (R7.1)."""

    def __init__(self, uow_factory: UowFactory, clock: Clock, hasher: PasswordHasher) -> None:
        super().__init__(uow_factory, clock)
        self._hasher = hasher

    def register(self, cmd: RegisterApiClient) -> RegisteredApiClient:
        """A new client entitled to the employers (each in the actor's scope)."""
        secret = secrets.token_urlsafe(32)
        secret_hash = self._hasher.hash(secret)
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.MANAGE_USERS)
            found = [
                _employer_by_code(uow, auth, principal, code) for code in sorted(cmd.employer_codes)
            ]
            # codes spelled differently may name one employer: it is entitled once
            employers = list({e.id: e for e in found}.values())
            if not employers:
                raise InvalidInput("input.required", {"field": "employer_codes"})
            units = frozenset(e.ref for e in employers)
            role = Role.create(f"API-client {cmd.name}"[:200], CLIENT_FEATURES, RoleKind.INTERNAL)
            auth.require_may_grant(principal, [role], units)
            uow.roles.add(role)
            uow.publish(
                RoleCreated(
                    role_id=role.id,
                    role_name=role.name,
                    kind=role.kind.value,
                    features=tuple(sorted(f.value for f in role.features)),
                )
            )
            client_id = uuid.uuid4()
            user = User.create(
                f"API-client {cmd.name}"[:200],
                f"{client_id.hex}@{CLIENT_DOMAIN}",
                {role.id},
                Scope(units),
            )
            uow.users.add(user)
            client = ApiClient.register(
                cmd.name,
                user.id,
                secret_hash,
                tuple(sorted(e.id for e in employers)),
                self._clock.now(),
                client_id,
            )
            uow.api_clients.add(client)
            uow.commit()
            return RegisteredApiClient(client_id=client_id, secret=secret)

    def disable(self, cmd: DisableApiClient) -> None:
        """Disable a client the actor manages: its tokens stop working at once
        (``access.manage_users``); ``api.client_unknown`` alike for others."""
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.MANAGE_USERS)
            client = uow.api_clients.lock(cmd.client_id)
            if client is None or not self._manages(uow, auth, principal, client):
                raise NotFound("api.client_unknown", {"client_id": str(cmd.client_id)})
            client.disable()
            uow.api_clients.save(client)
            uow.commit()

    def clients(self, cmd: ListApiClients) -> list[ApiClient]:
        """The clients the actor manages (``access.manage_users``)."""
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.MANAGE_USERS)
            return [
                c for c in uow.api_clients.all_clients() if self._manages(uow, auth, principal, c)
            ]

    @staticmethod
    def _manages(
        uow: UnitOfWork, auth: Authoriser, principal: Principal, client: ApiClient
    ) -> bool:
        """R0.6: a client is managed by those who manage its technical user (every employer it
        is entitled to lies in their scope)."""
        user = uow.users.find(client.user_id)
        return user is not None and AccessService._manageable(auth, principal, user)


def _employer_by_code(
    uow: UnitOfWork, auth: Authoriser, principal: Principal, code: str
) -> Employer:
    """The employer with this code in the actor's scope; ``employer.not_found`` alike for an
    unknown code and an employer outside the scope (R0.6)."""
    text = code if isinstance(code, str) else ""
    try:
        normalised = valid_code(text) if len(text) <= 200 else None
    except DomainError:  # no employer has such a code
        normalised = None
    found = None if normalised is None else uow.employers.find_by_code(normalised)
    if found is None or not auth.visible(principal, found.ref):
        raise NotFound("employer.not_found", {"code": text[:50]})
    return found


def _possible_secret(secret: object) -> bool:
    """Text of at most 200 characters that UTF-8 encodes (Argon2id hashes bytes: a lone
    surrogate would raise there, an error instead of a wrong secret — R7.1)."""
    if not isinstance(secret, str) or len(secret) > 200:
        return False
    try:
        secret.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _busy(error: Exception) -> bool:
    """A database that is busy, locked or unreachable, not a bug."""
    if isinstance(error, Conflict):
        return error.code == "storage.conflict"
    # imported here: an application on the memory store never loads SQLAlchemy
    from sqlalchemy.exc import OperationalError

    return isinstance(error, OperationalError)


class ApiAuthentication:
    """Checking an API client's credentials and state (no acting user yet: not a use case of the
    use-case table).

    ``limits`` (``bootstrap(attempt_limits=...)``) must be an
    :class:`~xs_core.access.attempts.AttemptLimits`; anything else is refused here, when the
    application is built, with ``api.attempt_limits_invalid`` (R7.1)."""

    def __init__(
        self,
        uow_factory: UowFactory,
        hasher: PasswordHasher,
        clock: Clock,
        limits: AttemptLimits | None = None,
    ) -> None:
        if limits is None:
            limits = AttemptLimits()
        elif not isinstance(limits, AttemptLimits):  # refused when the application is built
            raise InvalidInput(
                "api.attempt_limits_invalid",
                {"reason": f"expected xs.AttemptLimits, got {type(limits).__name__}"},
            )
        self._uow = uow_factory
        self._hasher = hasher
        self._clock = clock
        self._limits = limits
        self._dummy: str | None = None

    def verify_secret(self, client_id: str, secret: str, address: str | None = None) -> ApiClient:
        """The active client with this id and secret; ``api.invalid_client`` otherwise (an
        unknown id costs what a wrong secret costs).

        Every attempt is counted first under the caller's remote ``address`` (R7.1,
        :func:`~xs_core.access.attempts.address_key`: an IPv6 address by its /64): over the
        address's limit the answer is ``api.too_many_attempts`` and no secret is hashed. Without
        an address (``None``: the request had no peer address) the attempt is limited all the
        same, under one key shared by all such requests. A right secret takes its attempt
        back, so only failures (and attempts in flight) count. So does a verification that ends
        in any other error than ``api.invalid_client`` (a database error during the lookup, an
        unexpected exception): the error is raised as it is and the attempt is not held against
        the address. A right secret is answered even when the database is too busy to take its
        attempt back (logged; the address keeps that one attempt until the window ends)."""
        key, now = address_key(address), self._clock.now()
        window = self._limits.window_start(now)
        with self._uow() as uow:
            attempts = uow.api_clients.count_attempt(key, window)
            uow.commit()
        if attempts > self._limits.per_address:
            raise self._limits.refusal(now)
        try:
            client = self._verify(client_id, secret)
        except Exception as error:
            # wrong credentials keep counting; any other end is the host's failure, not the
            # caller's, and is taken back
            if not (isinstance(error, NotAllowed) and error.code == "api.invalid_client"):
                self._withdraw(key, window, pending=error)
            raise
        self._withdraw(key, window)
        return client

    def _withdraw(
        self, key: str, window: _dt.datetime, pending: BaseException | None = None
    ) -> None:
        """Take back an attempt (R7.1). When the database is busy, locked or unreachable
        (``storage.conflict``, a driver's ``OperationalError``) that is logged, not raised: a
        right secret is still answered with its client, and the address keeps one attempt
        more than it should until the window ends. With an error ``pending`` (it is being
        raised) any failure to take the attempt back is logged, never raised: the caller gets
        the error that ended the verification."""
        try:
            with self._uow() as uow:
                uow.api_clients.withdraw_attempt(key, window)
                uow.commit()
        except Exception as error:
            if pending is not None:
                log.exception("token attempt not taken back (%s); raising %r", key, pending)
            elif _busy(error):
                log.warning("token attempt not taken back (%s): %s", key, error)
            else:
                raise

    def _verify(self, client_id: str, secret: str) -> ApiClient:
        try:
            ident = uuid.UUID(client_id)
        except (ValueError, TypeError, AttributeError):
            ident = None
        client = None
        if ident is not None:
            with self._uow(write=False) as uow:
                client = uow.api_clients.find(ident)
        if client is None or not client.active or not _possible_secret(secret):
            if self._dummy is None:
                self._dummy = self._hasher.hash("x" * 32)
            self._hasher.verify(self._dummy, secret if _possible_secret(secret) else "")
            raise NotAllowed("api.invalid_client", {})
        if not self._hasher.verify(client.secret_hash, secret):
            raise NotAllowed("api.invalid_client", {})
        return client

    def active_client(self, client_id: uuid.UUID) -> ApiClient:
        """The client of a token, if it is still active (``api.token_invalid`` otherwise): a
        disabled client's tokens stop working at once."""
        with self._uow(write=False) as uow:
            client = uow.api_clients.find(client_id)
        if client is None or not client.active:
            raise NotAllowed("api.token_invalid", {})
        return client


class EmployerUserService(Service):
    """R7.1: employer users created, listed and read by API clients."""

    def __init__(
        self,
        uow_factory: UowFactory,
        clock: Clock,
        secret_key: bytes,
        lifetimes: TokenLifetimes | None = None,
    ) -> None:
        super().__init__(uow_factory, clock)
        self._key = secret_key
        self._lifetimes = token_lifetimes(lifetimes)

    @staticmethod
    def _employer_role(uow: UnitOfWork, name: str) -> Role:
        wanted = name.strip().casefold() if isinstance(name, str) else ""
        matches = [r for r in uow.roles.list() if r.name.casefold() == wanted]
        employer_roles = [r for r in matches if r.kind is RoleKind.EMPLOYER]
        if employer_roles:
            return min(employer_roles, key=lambda r: r.id)
        if matches:
            raise InvalidInput("api.role_not_employer", {"role_id": str(matches[0].id)})
        raise InvalidInput("api.role_unknown", {"role": str(name)[:100]})

    def create_employer_user(self, cmd: CreateEmployerUser) -> CreatedEmployerUser:
        """R7.1: refused for an unknown employer or one outside the client's entitlement
        (``employer.not_found`` alike), an unknown or non-employer role, an e-mail address in
        use; with an ``Idempotency-Key``, a retry answers the first result."""
        key = None if cmd.idempotency_key is None else valid_idempotency_key(cmd.idempotency_key)
        language = valid_language(cmd.language)
        now = self._clock.now()
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.API_CREATE_EMPLOYER_USER)
            # the employer first: a replay answers only while the client still sees it (R0.6)
            found = _employer_by_code(uow, auth, principal, cmd.employer_code)
            if key is not None:
                first = uow.api_clients.claim_key(
                    cmd.actor, key, cmd.request_fingerprint or fingerprint(b""), now
                )
                if first is not None:
                    if first.fingerprint != (cmd.request_fingerprint or fingerprint(b"")):
                        raise Conflict("api.idempotency_key_reused", {})
                    if first.result is not None:
                        return CreatedEmployerUser(user_id=uuid.UUID(first.result), repeated=True)
            role = self._employer_role(uow, cmd.role)
            user = User.create(cmd.name, cmd.email, {role.id}, Scope(frozenset({found.ref})))
            if uow.users.find_by_email(user.email) is not None:
                raise Conflict("access.email_in_use", {"email": user.email})
            uow.users.add(user)
            account = Account(user_id=user.id, language=language)
            uow.accounts.save(account)
            token_id = uuid.uuid4()
            token = PasswordToken(
                id=token_id,
                user_id=user.id,
                purpose=TokenPurpose.INVITATION,
                digest=token_digest(invitation_token(self._key, token_id)),
                created_at=now,
                expires_at=now + self._lifetimes.invitation,
            )
            uow.accounts.add_token(token)
            client = _client_of(uow, cmd.actor)
            uow.publish(
                EmployerUserInvited(
                    user_id=user.id,
                    employer_id=found.id,
                    client_id=client,
                    token_id=token_id,
                    expires_at=token.expires_at,
                )
            )
            if key is not None:
                uow.api_clients.complete_key(cmd.actor, key, str(user.id))
            uow.commit()
            return CreatedEmployerUser(user_id=user.id)

    def employer_users(self, cmd: ListEmployerUsers) -> list[EmployerUserView]:
        """R7.1: the users of an employer in the client's entitlement, by e-mail address."""
        if not (1 <= cmd.page <= 10_000 and 1 <= cmd.page_size <= MAX_PAGE_SIZE):
            raise InvalidInput("api.page_invalid", {"max": MAX_PAGE_SIZE})
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.API_CREATE_EMPLOYER_USER)
            found = _employer_by_code(uow, auth, principal, cmd.employer_code)
            users = uow.api_clients.employer_users(
                found.id, cmd.page_size, (cmd.page - 1) * cmd.page_size
            )
            return [_view(uow, u) for u in users]

    def employer_user(self, cmd: GetEmployerUser) -> EmployerUserView:
        """R7.1: one user whose scope lies inside the client's entitlement, not a client's
        technical user (``not_found`` alike otherwise)."""
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.API_CREATE_EMPLOYER_USER)
            user = uow.users.find(cmd.user_id)
            if (
                user is None
                or user.is_super_administrator
                or not user.scope.units
                or user.scope.everything
                or uow.api_clients.find_by_user(user.id) is not None
                or not all(auth.visible(principal, unit) for unit in user.scope.units)
            ):
                raise hidden("user", cmd.user_id)
            return _view(uow, user)


def _client_of(uow: UnitOfWork, actor: uuid.UUID) -> uuid.UUID:
    """The client acting (its technical user's id when a user calls the service directly)."""
    client = uow.api_clients.find_by_user(actor)
    return actor if client is None else client.id


def _view(uow: UnitOfWork, user: User) -> EmployerUserView:
    roles = uow.roles.get_many(user.role_ids)
    codes = []
    for unit in sorted(user.scope.units, key=lambda u: (u.kind.value, u.id)):
        if unit.kind.value == "employer":
            found = uow.employers.get(unit.id)
            if found.code:
                codes.append(found.code)
    return EmployerUserView(
        id=user.id,
        name=user.name,
        email=user.email,
        roles=tuple(sorted(r.name for r in roles)),
        employer_codes=tuple(codes),
        active=user.active,
    )


__all__ = [
    "ApiAuthentication",
    "ApiClientService",
    "CreateEmployerUser",
    "CreatedEmployerUser",
    "DisableApiClient",
    "EmployerUserService",
    "EmployerUserView",
    "GetEmployerUser",
    "ListApiClients",
    "ListEmployerUsers",
    "RegisterApiClient",
    "RegisteredApiClient",
    "employer",
    "invitation_token",
]
