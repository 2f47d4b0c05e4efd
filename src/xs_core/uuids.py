"""Many ``uuid.UUID`` objects at once, from their 128-bit integers.

``uuid.UUID(...)`` parses and checks its argument in Python, a few microseconds per value: for
the tens of thousands of ids a bulk start (R2.2) makes, reads or replays, that is much of the
work. Here the integers are in range by construction (16 bytes, or masked), so the objects are
made without ``__init__`` (its checks cannot fail for them) and their two slots set through the
slots' own descriptors, each step a C-level ``map``. The objects are ordinary ``uuid.UUID``
values: equal, hashed, ordered, pickled and printed as any other.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Iterable
from itertools import repeat
from typing import Any

_new: Any = object.__new__
_set_int: Any = uuid.UUID.__dict__["int"].__set__
_set_safe: Any = uuid.UUID.__dict__["is_safe"].__set__

#: clears the version and variant bits of a UUID's integer
_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
#: version 4 (random), variant RFC 4122 — what ``uuid.UUID(..., version=4)`` sets
_VERSION_4 = (0x4000 << 64) | (0x8000 << 48)


def uuids_from_ints(ints: Iterable[int], count: int) -> list[uuid.UUID]:
    """``count`` UUIDs from ``count`` integers, each ``0 <= i < 2**128`` (not checked)."""
    objects: list[uuid.UUID] = list(map(_new, repeat(uuid.UUID, count)))
    deque(map(_set_int, objects, ints), 0)
    deque(map(_set_safe, objects, repeat(uuid.SafeUUID.unknown, count)), 0)
    return objects


def uuid_from_int(value: int) -> uuid.UUID:
    """One UUID from its integer, ``0 <= value < 2**128`` (not checked) — ``uuid.UUID(int=…)``
    without its checks: about half the time."""
    made: uuid.UUID = _new(uuid.UUID)
    _set_int(made, value)
    _set_safe(made, uuid.SafeUUID.unknown)
    return made


def uuid_from_stored(value: Any) -> uuid.UUID:
    """An id as a driver returns it — a ``uuid.UUID`` (PostgreSQL) or 32 hex digits (SQLite,
    written by the application), or PostgreSQL's text of a uuid (``8-4-4-4-12`` hex digits) —
    as a ``uuid.UUID``; any other text as ``uuid.UUID(hex=…)`` takes it (or refuses it,
    ``ValueError``)."""
    if isinstance(value, uuid.UUID):
        return value
    digits = value.replace("-", "") if len(value) == 36 else value
    try:
        raw = bytes.fromhex(digits) if len(digits) == 32 else b""
    except ValueError:
        raw = b""
    if len(raw) != 16:
        return uuid.UUID(hex=value)
    return uuid_from_int(int.from_bytes(raw))


def random_uuids(random: bytes) -> list[uuid.UUID]:
    """Random (version 4) UUIDs, one per 16 bytes of ``random`` — what ``uuid.uuid4()`` makes
    of 16 bytes of ``os.urandom``."""
    count = len(random) // 16
    slices = map(slice, range(0, 16 * count, 16), range(16, 16 * count + 1, 16))
    ints = map(int.from_bytes, map(random.__getitem__, slices))
    masked = map(int.__or__, map(int.__and__, ints, repeat(_CLEAR)), repeat(_VERSION_4))
    return uuids_from_ints(masked, count)


__all__ = ["random_uuids", "uuid_from_int", "uuid_from_stored", "uuids_from_ints"]
