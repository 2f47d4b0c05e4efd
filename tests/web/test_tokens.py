"""Access tokens (R7.1): a remembered token is checked against the clock on every use, a
forged one is never remembered, and the memory is bounded."""

from __future__ import annotations

import datetime as _dt
import uuid

import jwt
import pytest

from xs_adapters.clock import FixedClock
from xs_app.web.tokens import TokenIssuer
from xs_core.errors import NotAllowed

KEY = b"k" * 32


def test_r7_1_a_remembered_token_still_expires(clock: FixedClock) -> None:
    issuer = TokenIssuer(KEY, clock)
    client = uuid.uuid4()
    token = issuer.issue(client)
    assert issuer.client_of(token) == client  # checked and remembered
    clock.advance(minutes=14, seconds=59)
    assert issuer.client_of(token) == client  # remembered, not yet expired
    clock.advance(seconds=1)
    with pytest.raises(NotAllowed) as refused:
        issuer.client_of(token)
    assert refused.value.code == "api.token_invalid"


def test_r7_1_a_token_signed_with_another_key_is_refused_every_time(clock: FixedClock) -> None:
    """A forged token is refused on each use: only tokens whose signature held are
    remembered, so a refusal is never turned into an acceptance by a second try."""
    issuer = TokenIssuer(KEY, clock)
    claims = jwt.decode(
        issuer.issue(uuid.uuid4()),
        KEY,
        algorithms=["HS256"],
        audience="xs-api",
        options={"verify_exp": False},
    )
    forged = jwt.encode(claims, b"another key" * 4, algorithm="HS256")
    for _ in range(3):
        with pytest.raises(NotAllowed):
            issuer.client_of(forged)


def test_r7_1_the_memory_of_checked_tokens_is_bounded(clock: FixedClock) -> None:
    """At most ``remembered`` tokens are kept (least recently used dropped): a dropped
    token is checked again, and still accepted while valid."""
    issuer = TokenIssuer(KEY, clock, remembered=2)
    clients = [uuid.uuid4() for _ in range(3)]
    tokens = [issuer.issue(c) for c in clients]
    for token, client in zip(tokens, clients, strict=True):
        assert issuer.client_of(token) == client
    assert len(issuer._verified) == 2
    assert tokens[0] not in issuer._verified
    assert issuer.client_of(tokens[0]) == clients[0]
    assert len(issuer._verified) == 2
    clock.advance(minutes=15)
    for token in tokens:
        with pytest.raises(NotAllowed):
            issuer.client_of(token)


def test_r7_1_issued_tokens_last_the_lifetime(clock: FixedClock) -> None:
    issuer = TokenIssuer(KEY, clock, lifetime=_dt.timedelta(minutes=1))
    token = issuer.issue(uuid.uuid4())
    clock.advance(seconds=59)
    issuer.client_of(token)
    clock.advance(seconds=1)
    with pytest.raises(NotAllowed):
        issuer.client_of(token)
