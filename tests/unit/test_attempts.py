"""The windows and limits of token attempts (R7.1, ``xs_core.access.attempts``)."""

from __future__ import annotations

import datetime as _dt
import ipaddress
import math

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_core.access.attempts import UNKNOWN_ADDRESS, AttemptLimits, address_key
from xs_core.errors import InvalidInput, NotAllowed
from xs_core.limits import ATTEMPT_KEY

instants = st.datetimes(
    min_value=_dt.datetime(2000, 1, 1),
    max_value=_dt.datetime(2100, 1, 1),
    timezones=st.sampled_from([_dt.UTC, _dt.timezone(_dt.timedelta(hours=2))]),
)
windows = st.integers(min_value=1, max_value=86_400).map(lambda s: _dt.timedelta(seconds=s))


@given(instants, windows)
def test_r7_1_an_instant_lies_in_its_window(at: _dt.datetime, window: _dt.timedelta) -> None:
    """The window holding ``at`` starts at or before it, ends after it, and starts on a
    multiple of its length since the epoch (every process counts into the same window)."""
    limits = AttemptLimits(window=window)
    start = limits.window_start(at)
    assert start <= at < start + window
    assert start.timestamp() % window.total_seconds() == 0
    assert start.tzinfo is not None


@given(instants, windows)
def test_r7_1_retry_after_reaches_the_next_window(at: _dt.datetime, window: _dt.timedelta) -> None:
    """``Retry-After`` is whole seconds, at least 1, and waiting it lands in the next window
    (never in the same one, never beyond the next)."""
    limits = AttemptLimits(window=window)
    wait = limits.retry_after(at)
    assert 1 <= wait <= window.total_seconds()
    assert wait == max(1, math.ceil((limits.window_start(at) + window - at).total_seconds()))
    later = at + _dt.timedelta(seconds=wait)
    assert limits.window_start(later) == limits.window_start(at) + window


@given(instants, instants, windows)
def test_r7_1_two_instants_share_a_window_exactly_when_they_share_its_span(
    a: _dt.datetime, b: _dt.datetime, window: _dt.timedelta
) -> None:
    limits = AttemptLimits(window=window)
    start = limits.window_start(a)
    assert (limits.window_start(b) == start) == (start <= b < start + window)


def test_r7_1_windows_by_hand() -> None:
    """Checked by hand: 15-minute windows start on the quarter hour (UTC); a pendulum instant
    in Amsterdam counts into the same window as its UTC instant."""
    limits = AttemptLimits(per_address=20, window=_dt.timedelta(minutes=15))
    at = pendulum.datetime(2026, 12, 4, 11, 29, 59, tz="Europe/Amsterdam")  # 10:29:59 UTC
    assert limits.window_start(at) == _dt.datetime(2026, 12, 4, 10, 15, tzinfo=_dt.UTC)
    assert limits.retry_after(at) == 1
    assert limits.retry_after(at.add(seconds=1)) == 900  # 10:30:00 starts a window
    refusal = limits.refusal(at)
    assert isinstance(refusal, NotAllowed)
    assert refusal.code == "api.too_many_attempts"
    assert refusal.details == {"retry_after_seconds": 1}
    assert "1 seconds" in refusal.message("en")


@pytest.mark.parametrize(
    ("per_address", "window"),
    [
        (0, _dt.timedelta(minutes=15)),
        (-1, _dt.timedelta(minutes=15)),
        (True, _dt.timedelta(minutes=15)),
        (20, _dt.timedelta(0)),
        (20, _dt.timedelta(milliseconds=1500)),
        (20, _dt.timedelta(days=2)),
    ],
)
def test_r7_1_absurd_limits_are_refused(per_address: int, window: _dt.timedelta) -> None:
    with pytest.raises(InvalidInput) as refused:
        AttemptLimits(per_address=per_address, window=window)
    assert refused.value.code == "api.attempt_limits_invalid"


def test_r7_1_an_address_key_is_bounded_and_case_blind() -> None:
    assert address_key(" 2001:DB8::1 ") == "address:2001:db8::/64"
    assert address_key(" 192.0.2.1 ") == "address:192.0.2.1"
    assert address_key(" Proxy.Example ") == "address:proxy.example"
    assert len(address_key("x" * 1000)) == 100


# -- R7.1: addresses an attacker can rotate count as one ------------------------------------------

prefixes = st.integers(min_value=1, max_value=2**64 - 1)  # ::/64 holds the IPv4-mapped range
interfaces = st.integers(min_value=0, max_value=2**64 - 1)
zones = st.text(st.characters(codec="ascii", exclude_characters="%"), min_size=1, max_size=20)


def _spellings(address: ipaddress.IPv6Address, zone: str) -> list[str]:
    return [
        address.compressed,
        address.exploded.upper(),
        f"  {address.compressed}%{zone}  ",
    ]


@given(prefixes, interfaces, interfaces, zones)
def test_r7_1_every_address_of_one_ipv6_64_counts_under_one_key(
    prefix: int, one: int, other: int, zone: str
) -> None:
    """R7.1: whoever holds an IPv6 address usually holds its whole /64 (2**64 addresses to
    rotate through), so a /64 is one key — however the address is written, with or without a
    zone id; the key names the network."""
    first = ipaddress.IPv6Address(prefix << 64 | one)
    second = ipaddress.IPv6Address(prefix << 64 | other)
    network = ipaddress.IPv6Network((prefix << 64, 64))
    keys = {address_key(text) for a in (first, second) for text in _spellings(a, zone)}
    assert keys == {f"address:{network.compressed}"}


@given(prefixes, prefixes, interfaces)
def test_r7_1_different_ipv6_64s_count_apart(one: int, other: int, interface: int) -> None:
    first = address_key(str(ipaddress.IPv6Address(one << 64 | interface)))
    second = address_key(str(ipaddress.IPv6Address(other << 64 | interface)))
    assert (first == second) == (one == other)


@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=0, max_value=2**32 - 1))
def test_r7_1_an_ipv4_mapped_address_counts_as_its_ipv4_address(one: int, other: int) -> None:
    """R7.1: a dual-stack socket reports an IPv4 peer as ``::ffff:a.b.c.d``; it is the same
    address as ``a.b.c.d`` and counts under the same key — and different IPv4 addresses
    (mapped or not) count apart, not as one /64."""
    v4 = ipaddress.IPv4Address(one)
    mapped = ipaddress.IPv6Address(0xFFFF << 32 | one)
    key = address_key(str(v4))
    assert key == f"address:{v4}"
    assert address_key(str(mapped)) == key  # ::ffff:a.b.c.d
    assert address_key(mapped.exploded) == key  # 0000:…:ffff:xxxx:xxxx
    assert address_key(f"::FFFF:{v4}%eth0") == key
    assert (address_key(str(ipaddress.IPv4Address(other))) == key) == (one == other)


ports = st.integers(min_value=0, max_value=65535)


@given(st.integers(min_value=0, max_value=2**32 - 1), interfaces, prefixes, ports, ports)
def test_r7_1_a_port_a_proxy_forwards_makes_no_new_key(
    v4: int, interface: int, prefix: int, port: int, other_port: int
) -> None:
    """R7.1: a proxy may forward the peer as ``a.b.c.d:port`` or ``[v6]:port``; every new
    connection has a new port, so the port is dropped — one address, one key."""
    ipv4 = ipaddress.IPv4Address(v4)
    ipv6 = ipaddress.IPv6Address(prefix << 64 | interface)
    assert address_key(f"{ipv4}:{port}") == address_key(f"{ipv4}:{other_port}")
    assert address_key(f"{ipv4}:{port}") == address_key(str(ipv4))
    for spelled in (f"[{ipv6}]:{port}", f"[{ipv6}]:{other_port}", f"[{ipv6.exploded}]"):
        assert address_key(spelled) == address_key(str(ipv6))


@given(
    st.integers(min_value=0, max_value=2**128 - 1),
    ports,
    ports,
    st.sampled_from(["", "%", "%eth0"]),
)
def test_r7_1_any_bracketed_ipv6_with_a_port_counts_as_the_address(
    number: int, port: int, other_port: int, zone: str
) -> None:
    """R7.1: every IPv6 address (IPv4-mapped ones too), compressed or exploded, with or without
    a zone id, in brackets with any port: one key, the key of the bare address."""
    ip = ipaddress.IPv6Address(number)
    for text in (ip.compressed, ip.exploded, ip.exploded.upper()):
        key = address_key(text)
        assert address_key(f"[{text}{zone}]:{port}") == key
        assert address_key(f"[{text}{zone}]:{other_port}") == key
        assert address_key(f"[{text}{zone}]") == key


#: Text made of the characters of addresses, ports and brackets, and a few hostile ones
_address_like = st.text(
    st.sampled_from(list("[]:%.0123456789abcdefABCDEF \t\x00\ud800٤")), max_size=40
)


@given(_address_like)
def test_r7_1_address_like_text_gives_a_storable_key(address: str) -> None:
    """R7.1, R0.5: text close to an address (nested brackets, several colons, zones, Arabic-
    Indic digits, NUL, a lone surrogate) never raises and gives a storable key."""
    key = address_key(address)
    assert key.startswith("address:")
    assert len(key) <= ATTEMPT_KEY
    assert key.isprintable()
    key.encode("utf-8")


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("fe80::1%eth0", "address:fe80::/64"),
        ("fe80::1%", "address:fe80::/64"),  # an empty zone id: still the address
        ("FE80::abcd:1%25", "address:fe80::/64"),
        ("2001:db8:0:1:ffff:ffff:ffff:ffff", "address:2001:db8:0:1::/64"),
        ("::ffff:192.0.2.1", "address:192.0.2.1"),
        ("::1", "address:::/64"),
        ("192.0.2.1%eth0", "address:192.0.2.1%eth0"),  # IPv4 has no zones: not an address
        ("[2001:db8::1]", "address:2001:db8::/64"),  # brackets, as in a URL's host
        ("[2001:db8::1]:443", "address:2001:db8::/64"),
        ("[::ffff:192.0.2.1]:80", "address:192.0.2.1"),
        ("[fe80::1%eth0]:80", "address:fe80::/64"),
        ("192.0.2.1:51234", "address:192.0.2.1"),
        ("192.0.2.1:", "address:192.0.2.1:"),  # no port: not an address with a port
        ("192.0.2.1:http", "address:192.0.2.1:http"),
        ("192.0.2.1:٤٤٣", "address:192.0.2.1:٤٤٣"),  # Arabic-Indic digits are no port
        ("[2001:db8::1]:", "address:[2001:db8::1]:"),
        ("[2001:db8::1]x", "address:[2001:db8::1]x"),
        ("[]:80", "address:[]:80"),
        ("proxy.example:80", "address:proxy.example:80"),  # a name keeps its port
        ("010.0.0.1", "address:010.0.0.1"),  # leading zeros are ambiguous: not parsed
    ],
)
def test_r7_1_address_keys_by_hand(address: str, key: str) -> None:
    assert address_key(address) == key


@given(st.one_of(st.none(), st.text(), st.text(max_size=5).map(lambda t: t * 400)))
def test_r7_1_any_address_gives_a_storable_key(address: str | None) -> None:
    """R7.1, R0.5: whatever a proxy or a caller passes as the address — nothing, an empty or a
    very long string, control characters, lone surrogates — the key fits the column and every
    database stores it (no NUL, no surrogate, no other unprintable character)."""
    key = address_key(address)
    assert key.startswith("address:")
    assert len(key) <= ATTEMPT_KEY
    assert key.isprintable()
    key.encode("utf-8")  # a lone surrogate would raise here


def test_r7_1_the_documented_examples_hold() -> None:
    """The examples in the docstrings of ``xs_core.access.attempts``."""
    import doctest

    from xs_core.access import attempts

    assert doctest.testmod(attempts).failed == 0


@pytest.mark.parametrize("address", [None, "", "   ", "\t\n"])
def test_r7_1_no_address_counts_under_one_shared_key(address: str | None) -> None:
    """R7.1: a request without a peer address is still limited — all of them together."""
    assert address_key(address) == UNKNOWN_ADDRESS == "address:unknown"
