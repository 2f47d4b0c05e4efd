"""Organisation units and references to them (R1.2, R0.6)."""

from __future__ import annotations

import enum
import os
import uuid

import attrs

from xs_core.uuids import random_uuids


class UnitKind(enum.Enum):
    """The kinds of organisation unit (organisatieonderdeel)."""

    FOLDER = "folder"
    EMPLOYER = "employer"
    DEPARTMENT = "department"
    BRANCH = "branch"
    EMPLOYEE = "employee"


@attrs.frozen(cache_hash=True)
class UnitRef:
    """A reference to one organisation unit, e.g. for a scope or a dossier."""

    kind: UnitKind
    id: uuid.UUID

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> UnitRef:
        kind, _, ident = text.partition(":")
        return cls(UnitKind(kind), uuid.UUID(ident))


def new_id() -> uuid.UUID:
    """A fresh identifier for an aggregate."""
    return uuid.uuid4()


def new_ids(count: int) -> list[uuid.UUID]:
    """``count`` fresh identifiers at once, as :func:`new_id` makes them (random, version 4)
    from one draw of the system's randomness: a bulk start (R2.2) needs one per trajectory."""
    return random_uuids(os.urandom(16 * count))
