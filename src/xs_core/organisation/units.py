"""Organisation units and references to them (R1.2, R0.6)."""

from __future__ import annotations

import enum
import uuid

import attrs


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
