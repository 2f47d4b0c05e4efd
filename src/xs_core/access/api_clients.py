"""API clients of the external API (R7.1, R0.6) and idempotent requests.

An API client is registered by an administrator. It acts through a technical user of its own —
holding the feature ``api.create_employer_user`` and viewing the organisation — whose scope is
the set of employers the client is entitled to: every use case the client calls is authorised
like any other user's (R0.6). Its secret is shown once and stored as an Argon2id hash; a disabled
client is refused at once, whatever tokens it still holds.

A request carrying an ``Idempotency-Key`` is remembered per client and key with the fingerprint
of its body: a retry with the same body answers the first result; the same key with another body
is refused (``api.idempotency_key_reused``). The key is claimed in the transaction of the use
case, behind a unique constraint, so two concurrent retries create one user.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import string
import uuid
from typing import ClassVar, Protocol

import attrs

from xs_core.access.model import User
from xs_core.errors import Conflict, InvalidInput, NotAllowed, NotFound, register_messages
from xs_core.events import Aggregate, DomainEvent
from xs_core.limits import IDEMPOTENCY_KEY
from xs_core.organisation.validation import required_text

register_messages(
    {
        "api.client_unknown": (
            "API-client {client_id} bestaat niet.",
            "API client {client_id} does not exist.",
        ),
    },
    kind=NotFound,
)
register_messages(
    {
        "api.invalid_client": (
            "Onbekende API-client of onjuist geheim.",
            "Unknown API client or wrong secret.",
        ),
        "api.token_invalid": (
            "Het toegangstoken ontbreekt, is ongeldig of verlopen.",
            "The access token is missing, invalid or expired.",
        ),
    },
    kind=NotAllowed,
)
register_messages(
    {
        "api.idempotency_key_reused": (
            "De Idempotency-Key is al gebruikt voor een ander verzoek.",
            "The Idempotency-Key was already used for another request.",
        ),
    },
    kind=Conflict,
)
register_messages(
    {
        "api.idempotency_key_invalid": (
            "De Idempotency-Key moet 1 tot {max} zichtbare ASCII-tekens zijn.",
            "The Idempotency-Key must be 1 to {max} visible ASCII characters.",
        ),
        "api.role_not_employer": (
            "De rol {role_id} is geen werkgeversrol.",
            "The role {role_id} is not an employer role.",
        ),
        "api.request_invalid": (
            "Het verzoek is ongeldig: {reason}.",
            "The request is invalid: {reason}.",
        ),
        "api.request_too_large": (
            "Het verzoek is groter dan {max} bytes.",
            "The request is larger than {max} bytes.",
        ),
        "api.unsupported_grant": (
            "Alleen grant_type=client_credentials wordt ondersteund.",
            "Only grant_type=client_credentials is supported.",
        ),
        "api.unsupported_media_type": (
            "De inhoud moet als application/json worden gestuurd.",
            "The body must be sent as application/json.",
        ),
    },
    kind=InvalidInput,
)

_KEY_CHARACTERS = frozenset(string.ascii_letters + string.digits + string.punctuation)


def valid_idempotency_key(key: str) -> str:
    """An ``Idempotency-Key``: 1 to ``IDEMPOTENCY_KEY`` visible ASCII characters.

    >>> valid_idempotency_key("order-42")
    'order-42'
    """
    if (
        not isinstance(key, str)
        or not 0 < len(key) <= IDEMPOTENCY_KEY
        or not set(key) <= _KEY_CHARACTERS
    ):
        raise InvalidInput("api.idempotency_key_invalid", {"max": IDEMPOTENCY_KEY})
    return key


def fingerprint(body: bytes) -> str:
    """The SHA-256 of a request body, hex: a retry must send the same body.

    >>> fingerprint(b"{}")[:12]
    '44136fa355b3'
    """
    return hashlib.sha256(body).hexdigest()


@attrs.frozen
class ClientActor:
    """An API client acting through its technical user (R7.1, R0.6): the actor of a use case
    called by the web host for a bearer token. The use case's authorisation reads the client in
    its own unit of work and refuses (``api.token_invalid``) unless it exists and is active —
    so that a disabled client's tokens stop working at once, with no transaction of its own."""

    client_id: uuid.UUID


@attrs.frozen(kw_only=True)
class ApiClientRegistered(DomainEvent):
    """R7.1: an API client was registered, entitled to these employers."""

    name: ClassVar[str] = "ApiClientRegistered"
    client_id: uuid.UUID
    user_id: uuid.UUID
    client_name: str
    employer_ids: tuple[uuid.UUID, ...]


@attrs.frozen(kw_only=True)
class ApiClientDisabled(DomainEvent):
    """R7.1: an API client was disabled; its tokens stop working at once."""

    name: ClassVar[str] = "ApiClientDisabled"
    client_id: uuid.UUID


@attrs.frozen(kw_only=True)
class EmployerUserInvited(DomainEvent):
    """R7.1: an employer user was created through the API and invited by e-mail to set a
    password (the mail carries a link with the token; the event carries only the token's id)."""

    name: ClassVar[str] = "EmployerUserInvited"
    user_id: uuid.UUID
    employer_id: uuid.UUID
    client_id: uuid.UUID
    token_id: uuid.UUID
    expires_at: _dt.datetime


@attrs.define(kw_only=True)
class ApiClient(Aggregate):
    """A registered API client (R7.1): its technical user, its secret's hash, active or not."""

    id: uuid.UUID
    name: str
    user_id: uuid.UUID
    secret_hash: str = attrs.field(repr=False)
    active: bool = True
    created_at: _dt.datetime

    @classmethod
    def register(
        cls,
        name: str,
        user_id: uuid.UUID,
        secret_hash: str,
        employer_ids: tuple[uuid.UUID, ...],
        at: _dt.datetime,
        client_id: uuid.UUID | None = None,
    ) -> ApiClient:
        client = cls(
            id=client_id or uuid.uuid4(),
            name=required_text(name, "name"),
            user_id=user_id,
            secret_hash=secret_hash,
            created_at=at,
        )
        client.record(
            ApiClientRegistered(
                client_id=client.id,
                user_id=user_id,
                client_name=client.name,
                employer_ids=employer_ids,
            )
        )
        return client

    def disable(self) -> None:
        if self.active:
            self.active = False
            self.record(ApiClientDisabled(client_id=self.id))


@attrs.frozen(kw_only=True)
class IdempotentResult:
    """What a first request with an ``Idempotency-Key`` answered (``result``: the created id),
    or ``None`` while its transaction runs."""

    fingerprint: str
    result: str | None


#: How long an ``Idempotency-Key`` is remembered (R7.1): a retry within a day answers the first
#: request; a key claimed longer ago is forgotten, and claiming it again starts afresh.
IDEMPOTENCY_KEY_RETENTION = _dt.timedelta(hours=24)
#: Expired keys deleted by one claim (any client's, oldest first): the table stays bounded by a
#: day's keys without a separate job, and a claim never waits for long.
EXPIRED_KEYS_PER_CLAIM = 100


class ApiClientStore(Protocol):
    """API clients, idempotency keys, token attempts and the users of an employer (R7.1)."""

    def add(self, client: ApiClient) -> None: ...

    def find(self, client_id: uuid.UUID) -> ApiClient | None: ...

    def find_by_user(self, user_id: uuid.UUID) -> ApiClient | None:
        """The client whose technical user this is."""
        ...

    def lock(self, client_id: uuid.UUID) -> ApiClient | None: ...

    def save(self, client: ApiClient) -> None: ...

    def all_clients(self) -> list[ApiClient]: ...

    def claim_key(
        self, actor: uuid.UUID, key: str, fingerprint: str, at: _dt.datetime
    ) -> IdempotentResult | None:
        """Claim the key in this transaction: ``None`` when it is new (a row is written; a
        concurrent claim of the same key waits for this transaction), else the first request's
        fingerprint and result. A key claimed before ``at - IDEMPOTENCY_KEY_RETENTION`` is
        forgotten first (it is new again), and up to ``EXPIRED_KEYS_PER_CLAIM`` other expired
        keys are deleted with it."""
        ...

    def complete_key(self, actor: uuid.UUID, key: str, result: str) -> None:
        """Store the result of a claimed key (in the same transaction)."""
        ...

    def count_attempt(self, key: str, window_start: _dt.datetime) -> int:
        """Count one token attempt under ``key`` (:func:`xs_core.access.attempts.address_key`)
        in the window starting at ``window_start`` and return the window's count including it:
        one atomic increment, so concurrent attempts never read the same count. Up to
        ``EXPIRED_KEYS_PER_CLAIM`` counts of earlier windows (any key's) are deleted with it."""
        ...

    def withdraw_attempt(self, key: str, window_start: _dt.datetime) -> None:
        """Take back one attempt counted in that window (its credentials were not wrong: a
        right secret, or a verification that failed for another reason); never below 0."""
        ...

    def employer_users(self, employer_id: uuid.UUID, limit: int, offset: int) -> list[User]:
        """The users whose scope lies inside this employer — the employer itself and/or its
        departments — ordered by e-mail address (R0.6: a user reaching beyond it is not an API
        client's to see)."""
        ...


__all__ = [
    "EXPIRED_KEYS_PER_CLAIM",
    "IDEMPOTENCY_KEY_RETENTION",
    "ApiClient",
    "ApiClientDisabled",
    "ApiClientRegistered",
    "ApiClientStore",
    "EmployerUserInvited",
    "IdempotentResult",
    "fingerprint",
    "valid_idempotency_key",
]
