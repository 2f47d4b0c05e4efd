"""Failed attempts to obtain an API token, counted per remote address (R7.1, R0.6).

Every ``POST /oauth/token`` verifies a secret with Argon2id: tens of milliseconds of CPU and
memory by design. Without a bound, one address sending wrong credentials in a loop could keep
the host's cores busy (secrets themselves are 256 bits and cannot be guessed). So attempts are
counted per remote address (an IPv6 address by its /64, :func:`address_key`) in fixed windows
(:class:`AttemptLimits`): an attempt is counted *before* its secret is verified — one atomic
increment that returns the new count — and taken back unless the credentials were wrong (a
right secret, or a verification that failed for another reason); an address over its limit is
refused with ``api.too_many_attempts`` (HTTP 429 with ``Retry-After``) without hashing anything.
Counting first makes the limit strict under concurrency: the count is the window's failures
plus the attempts still being verified, so no burst of parallel requests verifies more secrets
than the limit allows.

Windows are aligned to the Unix epoch, so every process (and every host) sharing the database
counts into the same window.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import math

import attrs

from xs_core.errors import InvalidInput, NotAllowed, register_messages
from xs_core.limits import ATTEMPT_KEY

register_messages(
    {
        "api.too_many_attempts": (
            "Te veel mislukte pogingen vanaf dit adres; probeer het over "
            "{retry_after_seconds} seconden opnieuw.",
            "Too many failed attempts from this address; try again in "
            "{retry_after_seconds} seconds.",
        ),
    },
    kind=NotAllowed,
)
register_messages(
    {
        "api.attempt_limits_invalid": (
            "De grenzen voor mislukte pogingen zijn ongeldig: {reason}.",
            "The limits for failed attempts are invalid: {reason}.",
        ),
    },
    kind=InvalidInput,
)


def _positive_limit(instance: AttemptLimits, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
        raise InvalidInput(
            "api.attempt_limits_invalid", {"reason": f"{attribute.name} must be 1..1000000"}
        )


def _whole_window(
    instance: AttemptLimits, attribute: attrs.Attribute[_dt.timedelta], value: _dt.timedelta
) -> None:
    if (
        not isinstance(value, _dt.timedelta)
        or value < _dt.timedelta(seconds=1)
        or value > _dt.timedelta(days=1)
        or value.microseconds
    ):
        raise InvalidInput(
            "api.attempt_limits_invalid",
            {"reason": "window must be whole seconds between 1 second and 1 day"},
        )


@attrs.frozen
class AttemptLimits:
    """How many token attempts one remote address may have in flight or failed per window.

    >>> limits = AttemptLimits(per_address=20, window=_dt.timedelta(minutes=15))
    >>> at = _dt.datetime(2026, 12, 4, 10, 7, 30, tzinfo=_dt.UTC)
    >>> limits.window_start(at).isoformat()
    '2026-12-04T10:00:00+00:00'
    >>> limits.retry_after(at)
    450
    """

    per_address: int = attrs.field(default=20, validator=_positive_limit)
    window: _dt.timedelta = attrs.field(default=_dt.timedelta(minutes=15), validator=_whole_window)

    def window_start(self, at: _dt.datetime) -> _dt.datetime:
        """The start of the fixed window holding ``at`` (windows aligned to the epoch, UTC)."""
        return _dt.datetime.fromtimestamp(self._start(at), _dt.UTC)

    def retry_after(self, at: _dt.datetime) -> int:
        """Whole seconds from ``at`` until the next window starts (at least 1)."""
        return max(1, math.ceil(self._start(at) + self._seconds - at.timestamp()))

    @property
    def _seconds(self) -> int:
        return int(self.window.total_seconds())

    def _start(self, at: _dt.datetime) -> int:
        """The window's start as whole seconds since the epoch (any aware datetime type)."""
        return math.floor(at.timestamp()) // self._seconds * self._seconds

    def refusal(self, at: _dt.datetime) -> NotAllowed:
        """The refusal of an address over its limit at ``at``."""
        return NotAllowed("api.too_many_attempts", {"retry_after_seconds": self.retry_after(at)})


#: Characters of an address looked at: the longest address text is 45 characters (plus a zone
#: id, which is dropped); the rest of a longer string changes nothing but the work done.
_ADDRESS_TEXT = 1_000


#: The key of attempts whose remote address is unknown (no peer address): counted together.
UNKNOWN_ADDRESS = "address:unknown"


def _without_port(text: str) -> str:
    """``text`` without the port or brackets a proxy may add around an address: the host of
    ``[v6]:port``, ``[v6]`` and ``v4:port``; any other text as it is (an IPv6 address without
    brackets has colons of its own and never a port)."""
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if bracket and (not rest or (rest[0] == ":" and rest[1:].isdigit() and rest.isascii())):
            return host
        return text
    host, colon, port = text.partition(":")
    if colon and port.isdigit() and port.isascii() and host.count(".") == 3:
        return host
    return text


def address_key(address: str | None) -> str:
    """The key an address's attempts are counted under (R7.1; cut to :data:`ATTEMPT_KEY`).

    An IPv4 address counts as itself. An IPv6 address counts as its **/64 network**: one
    subscriber or host is routed a whole /64 and could rotate through 2**64 addresses, one
    attempt each. A zone id (``fe80::1%eth0``) is dropped, and an IPv4-mapped address
    (``::ffff:192.0.2.1``, how a dual-stack socket reports an IPv4 peer) counts as its IPv4
    address. Text that is no address (a proxy's name, a hostile header) counts as itself,
    trimmed and lowercased, with unprintable characters (NUL, controls, lone surrogates) replaced
    by ``?`` so that every database stores the key (R0.5). An address with a port, as some
    proxies forward it (``[2001:db8::1]:443``, ``[2001:db8::1]``, ``192.0.2.1:443``), counts as
    the address: a new connection's port does not make a new key. No address (``None``, blank) is
    :data:`UNKNOWN_ADDRESS`: requests without a peer address share one limit, they are not
    exempt from it.

    >>> address_key("2001:DB8::1"), address_key("2001:db8::ffff:1%eth0")
    ('address:2001:db8::/64', 'address:2001:db8::/64')
    >>> address_key("::ffff:192.0.2.1"), address_key("192.0.2.1")
    ('address:192.0.2.1', 'address:192.0.2.1')
    >>> address_key("[2001:db8::1]:51234"), address_key("192.0.2.1:51234")
    ('address:2001:db8::/64', 'address:192.0.2.1')
    >>> address_key(None)
    'address:unknown'
    """
    text = address[:_ADDRESS_TEXT].strip() if isinstance(address, str) else ""
    if not text:
        return UNKNOWN_ADDRESS
    host, zone, _ = _without_port(text).partition("%")  # only IPv6 addresses have zones
    try:
        ip = ipaddress.IPv6Address(host) if zone else ipaddress.ip_address(host)
    except ValueError:
        printable = "".join(c if c.isprintable() else "?" for c in text.lower())
        return f"address:{printable}"[:ATTEMPT_KEY]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return f"address:{ip.ipv4_mapped}"
        network = ipaddress.IPv6Network((int(ip) >> 64 << 64, 64))
        return f"address:{network.compressed}"
    return f"address:{ip}"


__all__ = ["UNKNOWN_ADDRESS", "AttemptLimits", "address_key"]
