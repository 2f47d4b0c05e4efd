"""Short-lived signed access tokens of the OAuth2 client-credentials flow (R7.1).

A token is a JWT (HS256, the installation's secret key) naming the client (``sub``), valid for
15 minutes by the application's clock. It is checked on every request, and so is the client: a
disabled client's tokens stop working at once.
"""

from __future__ import annotations

import datetime as _dt
import threading
import uuid
from collections import OrderedDict
from typing import Any

import jwt

from xs_core.clock import Clock
from xs_core.errors import NotAllowed

ISSUER = "xs"
AUDIENCE = "xs-api"
LIFETIME = _dt.timedelta(minutes=15)
#: Tokens whose signature and claims were checked, remembered with their client and expiry
#: (least recently used dropped first): a client sends the same token for up to 15 minutes.
VERIFIED_TOKENS = 1024


class TokenIssuer:
    """Issues and checks access tokens with one secret key."""

    def __init__(
        self,
        key: bytes,
        clock: Clock,
        lifetime: _dt.timedelta = LIFETIME,
        remembered: int = VERIFIED_TOKENS,
    ) -> None:
        self._key = key
        self._clock = clock
        self.lifetime = lifetime
        self._remembered = remembered
        self._verified: OrderedDict[str, tuple[uuid.UUID, int]] = OrderedDict()
        self._lock = threading.Lock()

    def issue(self, client_id: uuid.UUID) -> str:
        now = self._clock.now()
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": str(client_id),
            "iat": int(now.timestamp()),
            "exp": int((now + self.lifetime).timestamp()),
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._key, algorithm="HS256")

    def client_of(self, token: str) -> uuid.UUID:
        """The client a valid, unexpired token names; ``api.token_invalid`` otherwise (a forged
        signature, another algorithm, a wrong audience, an expired or malformed token).

        A token checked before is remembered (its client and expiry, keyed by the whole token
        text, at most ``remembered`` of them): its signature is not computed again, its expiry
        is (by the clock, on every call)."""
        with self._lock:
            known = self._verified.get(token)
            if known is not None:
                self._verified.move_to_end(token)
        if known is None:
            known = self._verify(token)
            with self._lock:
                self._verified[token] = known
                while len(self._verified) > self._remembered:
                    self._verified.popitem(last=False)
        client, expires = known
        if self._clock.now().timestamp() >= expires:
            raise NotAllowed("api.token_invalid", {})
        return client

    def _verify(self, token: str) -> tuple[uuid.UUID, int]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=["HS256"],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"verify_exp": False, "require": ["exp", "sub", "iat"]},
            )
            expires = int(claims["exp"])
            client = uuid.UUID(str(claims["sub"]))
        except (jwt.PyJWTError, ValueError, TypeError, KeyError, OverflowError):
            raise NotAllowed("api.token_invalid", {}) from None
        return client, expires


def token_slots(threads: int) -> int:
    """How many client secrets one process verifies at once (``POST /oauth/token``): half its
    threads, at least one. Each verification is an Argon2 hash (tens of milliseconds of CPU);
    a flood of them — wrong secrets from many addresses — waits for a slot on the event loop,
    not in a thread, so the other use cases keep the rest of the threads.

    >>> [token_slots(n) for n in (1, 2, 5, 8)]
    [1, 1, 2, 4]
    """
    return max(1, threads // 2)
