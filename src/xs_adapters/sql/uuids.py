"""Many UUIDs at once, between their stored forms and ``uuid.UUID`` objects.

``uuid.UUID(hex)`` parses and checks its argument in Python, a few microseconds per value:
for the tens of thousands of ids a bulk start (R2.2) reads or replays, that is most of the
work. The ids here come from 16 stored bytes or 32 stored hex digits, so they are in range by
construction; the objects are made without ``__init__`` (its checks cannot fail for them),
their two slots set through the slots' own descriptors, each step a C-level ``map``. The
objects are ordinary ``uuid.UUID`` values: equal, hashed, ordered and printed as any other.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Iterable
from itertools import repeat
from operator import attrgetter
from typing import Any

_new: Any = object.__new__
_set_int: Any = uuid.UUID.__dict__["int"].__set__
_set_safe: Any = uuid.UUID.__dict__["is_safe"].__set__
_int_of = attrgetter("int")


def _from_ints(ints: Iterable[int], count: int) -> list[uuid.UUID]:
    objects: list[uuid.UUID] = list(map(_new, repeat(uuid.UUID, count)))
    deque(map(_set_int, objects, ints), 0)
    deque(map(_set_safe, objects, repeat(uuid.SafeUUID.unknown, count)), 0)
    return objects


def uuids_from_bytes(data: bytes, count: int, offset: int = 0) -> list[uuid.UUID]:
    """``count`` UUIDs stored as 16 bytes each (big-endian, as ``UUID.bytes``), one after
    another in ``data`` from ``offset`` on."""
    end = offset + 16 * count
    if len(data) < end:
        raise ValueError("not enough bytes for the UUIDs")
    slices = map(slice, range(offset, end, 16), range(offset + 16, end + 1, 16))
    return _from_ints(map(int.from_bytes, map(data.__getitem__, slices)), count)


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
