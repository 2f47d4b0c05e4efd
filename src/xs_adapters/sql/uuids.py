"""Many UUIDs at once, between their stored forms (16 bytes, or 32 hex digits as SQLite stores
them) and ``uuid.UUID`` objects, made together (:func:`xs_core.uuids.uuids_from_ints`): for the
tens of thousands of ids a bulk start (R2.2) reads or replays, ``uuid.UUID(hex)`` per value
was most of the work."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from itertools import repeat
from operator import attrgetter

from xs_core.uuids import uuids_from_ints

_int_of = attrgetter("int")


def uuids_from_bytes(data: bytes, count: int, offset: int = 0) -> list[uuid.UUID]:
    """``count`` UUIDs stored as 16 bytes each (big-endian, as ``UUID.bytes``), one after
    another in ``data`` from ``offset`` on."""
    end = offset + 16 * count
    if len(data) < end:
        raise ValueError("not enough bytes for the UUIDs")
    slices = map(slice, range(offset, end, 16), range(offset + 16, end + 1, 16))
    return uuids_from_ints(map(int.from_bytes, map(data.__getitem__, slices)), count)


def uuids_from_hex(digits: str) -> list[uuid.UUID]:
    """UUIDs stored as 32 hex digits each (SQLite's form of a UUID column), one after another
    in ``digits`` (as ``group_concat(id, '')`` gives them)."""
    if len(digits) % 32:
        raise ValueError("UUIDs of 32 hex digits each were expected")
    return uuids_from_bytes(bytes.fromhex(digits), len(digits) // 32)


def uuid_bytes(values: Iterable[uuid.UUID]) -> bytes:
    """The UUIDs as 16 big-endian bytes each, one after another (read by
    :func:`uuids_from_bytes`)."""
    return b"".join(map(int.to_bytes, map(_int_of, values), repeat(16)))


__all__ = ["uuid_bytes", "uuids_from_bytes", "uuids_from_hex"]
