"""Ports of the access context (R0.6)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Protocol

import attrs

from xs_core.access.api_clients import ApiClient
from xs_core.access.model import ResolvedScope, Role, Scope, User
from xs_core.organisation.units import UnitRef


class UserRepository(Protocol):
    def add(self, user: User) -> None: ...
    def get(self, user_id: uuid.UUID) -> User: ...
    def find(self, user_id: uuid.UUID) -> User | None:
        """The user, or ``None``; never locks (the authoriser's read)."""
        ...

    def lock(self, user_id: uuid.UUID) -> User:
        """The user, locked until the transaction ends (read-check-write)."""
        ...

    def find_by_email(self, email: str) -> User | None: ...
    def save(self, user: User) -> None: ...


class RoleRepository(Protocol):
    def add(self, role: Role) -> None: ...
    def get(self, role_id: uuid.UUID) -> Role: ...
    def get_many(self, role_ids: Iterable[uuid.UUID]) -> list[Role]: ...
    def list(self) -> list[Role]: ...


class ScopeResolver(Protocol):
    """Answers scope questions set-based, in the adapter (R0.6)."""

    def ancestors(self, unit: UnitRef) -> frozenset[UnitRef]:
        """The unit itself and every unit above it: departments, employers and folders; for an
        employee, those of each of their employments. Empty when the unit does not exist."""
        ...

    def ancestors_of(self, units: Sequence[UnitRef]) -> dict[UnitRef, frozenset[UnitRef]]:
        """:meth:`ancestors` of many units at once (a report naming every employer, R3.1);
        folders, employers and departments in a few queries whatever their number, employees
        and branches one by one. A unit that does not exist maps to the empty set."""
        ...

    def resolve(self, scope: Scope, *, keep_folders: bool = False) -> ResolvedScope:
        """Expand folders to employers and departments to their subtrees; with
        ``keep_folders`` a granted folder is kept as a folder (``ResolvedScope.folder_ids``)
        for a consumer that reads its employers itself (the search, R1.3)."""
        ...


@attrs.frozen
class ActingFacts:
    """What deciding who acts needs (R0.6, R7.1): the acting user (``None``: unknown), the
    roles they hold, and for an API client's request the client (``None``: unknown)."""

    user: User | None
    roles: tuple[Role, ...] = ()
    client: ApiClient | None = None


class ActorReader(Protocol):
    """Reads the facts of :class:`ActingFacts` at once — the first thing every use case reads
    (one round trip on PostgreSQL, together with the transaction's ``BEGIN``)."""

    def user_acting(self, user_id: uuid.UUID) -> ActingFacts:
        """The user with ``user_id`` and their roles."""
        ...

    def client_acting(self, client_id: uuid.UUID) -> ActingFacts:
        """The API client with ``client_id``, its technical user and that user's roles."""
        ...
