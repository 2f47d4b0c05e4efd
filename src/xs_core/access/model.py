"""Users, roles and scopes (R0.6).

A user acts within a scope — the organisation units they are authorised for; an employer includes
its departments, branches and employees, a folder its employers, a department its
sub-departments and the employees employed in them — and holds feature authorisations through
their roles. Super administrators hold every feature authorisation and every scope.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from typing import ClassVar

import attrs

from xs_core.access.features import ALL_FEATURES, Feature
from xs_core.errors import Conflict, DomainError, InvalidInput, register_messages
from xs_core.events import Aggregate, DomainEvent
from xs_core.organisation.units import UnitKind, UnitRef, new_id
from xs_core.organisation.validation import required_text, valid_email

register_messages(
    {
        "access.invalid_scope_unit": (
            "Een autorisatie kan alleen een map, werkgever of afdeling bevatten, niet {kind}.",
            "A scope can hold only folders, employers and departments, not {kind}.",
        ),
        "access.email_required": (
            "Een e-mailadres is verplicht.",
            "An e-mail address is required.",
        ),
    },
    kind=InvalidInput,
)

register_messages(
    {
        "access.email_in_use": (
            "Het e-mailadres {email} is al in gebruik.",
            "The e-mail address {email} is already in use.",
        ),
    },
    kind=Conflict,
)

SCOPE_KINDS = frozenset({UnitKind.FOLDER, UnitKind.EMPLOYER, UnitKind.DEPARTMENT})


class RoleKind(enum.Enum):
    """Who a role is for. Employer users (R7.1) hold roles of kind ``EMPLOYER``."""

    INTERNAL = "internal"
    EMPLOYER = "employer"


@attrs.frozen
class Scope:
    """The organisation units a user may act on (R0.6)."""

    units: frozenset[UnitRef] = frozenset()
    everything: bool = False

    def __attrs_post_init__(self) -> None:
        for unit in self.units:
            if unit.kind not in SCOPE_KINDS:
                raise DomainError("access.invalid_scope_unit", {"kind": unit.kind.value})

    @classmethod
    def of(cls, units: Iterable[UnitRef]) -> Scope:
        return cls(frozenset(units))

    @classmethod
    def all(cls) -> Scope:
        return cls(frozenset(), everything=True)

    def includes_any(self, units: Iterable[UnitRef]) -> bool:
        """True when any of ``units`` (a unit and its ancestors) is granted."""
        return self.everything or any(unit in self.units for unit in units)


@attrs.frozen
class ResolvedScope:
    """A scope expanded for set-based filtering: every employer and department it covers.

    ``employer_ids`` are employers covered whole (directly or through a folder);
    ``department_ids`` are departments covered through a granted department (whole subtrees).

    Resolved with ``keep_folders=True`` (:meth:`ScopeResolver.resolve`), a granted folder stays
    a folder: ``folder_ids`` lists it and ``employer_ids`` holds only the employers granted
    directly, so that a consumer filtering in SQL reads a folder's employers there instead of
    receiving thousands of ids (R1.3). Only a consumer that reads ``folder_ids`` may ask for it;
    every other one receives ``folder_ids`` empty.
    """

    everything: bool
    employer_ids: frozenset[uuid.UUID] = frozenset()
    department_ids: frozenset[uuid.UUID] = frozenset()
    folder_ids: frozenset[uuid.UUID] = frozenset()

    @property
    def is_empty(self) -> bool:
        return (
            not self.everything
            and not self.employer_ids
            and not self.department_ids
            and not self.folder_ids
        )


@attrs.frozen
class Role:
    """A role grants feature authorisations."""

    id: uuid.UUID
    name: str
    kind: RoleKind
    features: frozenset[Feature]

    @classmethod
    def create(
        cls,
        name: str,
        features: Iterable[Feature],
        kind: RoleKind = RoleKind.INTERNAL,
        role_id: uuid.UUID | None = None,
    ) -> Role:
        return cls(role_id or new_id(), required_text(name, "name"), kind, frozenset(features))


@attrs.frozen(kw_only=True)
class RoleCreated(DomainEvent):
    """R0.6, R7.1: a role was created with its feature authorisations; ``kind`` is ``internal``
    or ``employer``."""

    name: ClassVar[str] = "RoleCreated"
    role_id: uuid.UUID
    role_name: str
    kind: str
    features: tuple[str, ...]


@attrs.frozen(kw_only=True)
class UserCreated(DomainEvent):
    """R0.6, R7.1: a user was created (a super administrator, or a user within a scope)."""

    name: ClassVar[str] = "UserCreated"
    user_id: uuid.UUID
    email: str
    super_administrator: bool


@attrs.frozen(kw_only=True)
class UserAuthorisationGranted(DomainEvent):
    """R0.6: roles and/or organisation units were granted to a user (``units`` are added to
    their scope; a super administrator's scope is everything already)."""

    name: ClassVar[str] = "UserAuthorisationGranted"
    user_id: uuid.UUID
    role_ids: tuple[uuid.UUID, ...]
    units: tuple[UnitRef, ...]


@attrs.frozen(kw_only=True)
class UserAuthorisationRevoked(DomainEvent):
    """R0.6: roles and/or organisation units were taken from a user."""

    name: ClassVar[str] = "UserAuthorisationRevoked"
    user_id: uuid.UUID
    role_ids: tuple[uuid.UUID, ...]
    units: tuple[UnitRef, ...]


@attrs.define(kw_only=True)
class User(Aggregate):
    """A user of the suite (R0.6)."""

    id: uuid.UUID
    name: str
    email: str
    role_ids: frozenset[uuid.UUID] = frozenset()
    scope: Scope = Scope()
    is_super_administrator: bool = False
    active: bool = True

    @classmethod
    def create(
        cls,
        name: str,
        email: str,
        role_ids: Iterable[uuid.UUID] = (),
        scope: Scope | None = None,
        super_administrator: bool = False,
        user_id: uuid.UUID | None = None,
    ) -> User:
        address = valid_email(email)
        if address is None:
            raise DomainError("access.email_required", {})
        user = cls(
            id=user_id or new_id(),
            name=required_text(name, "name"),
            email=address,
            role_ids=frozenset(role_ids),
            scope=Scope.all() if super_administrator else (scope or Scope()),
            is_super_administrator=super_administrator,
        )
        user.record(
            UserCreated(user_id=user.id, email=user.email, super_administrator=super_administrator)
        )
        return user

    def grant(self, role_ids: Iterable[uuid.UUID] = (), units: Iterable[UnitRef] = ()) -> None:
        roles, refs = _sorted_ids(role_ids), _sorted_units(units)
        self.role_ids = self.role_ids | frozenset(roles)
        if not self.scope.everything:
            self.scope = Scope(self.scope.units | frozenset(refs))
        self.record(UserAuthorisationGranted(user_id=self.id, role_ids=roles, units=refs))

    def revoke(self, role_ids: Iterable[uuid.UUID] = (), units: Iterable[UnitRef] = ()) -> None:
        roles, refs = _sorted_ids(role_ids), _sorted_units(units)
        self.role_ids = self.role_ids - frozenset(roles)
        if not self.scope.everything:
            self.scope = Scope(self.scope.units - frozenset(refs))
        self.record(UserAuthorisationRevoked(user_id=self.id, role_ids=roles, units=refs))


def _sorted_ids(ids: Iterable[uuid.UUID]) -> tuple[uuid.UUID, ...]:
    return tuple(sorted(set(ids), key=str))


def _sorted_units(units: Iterable[UnitRef]) -> tuple[UnitRef, ...]:
    return tuple(sorted(set(units), key=str))


@attrs.frozen
class Principal:
    """A user as the authoriser sees them: effective features and scope (R0.6)."""

    user_id: uuid.UUID
    features: frozenset[Feature]
    scope: Scope
    is_super_administrator: bool = False

    @classmethod
    def of(cls, user: User, roles: Iterable[Role]) -> Principal:
        if user.is_super_administrator:
            return cls(user.id, ALL_FEATURES, Scope.all(), True)
        features: frozenset[Feature] = frozenset()
        for role in roles:
            features |= role.features
        return cls(user.id, features if user.active else frozenset(), user.scope, False)

    def holds(self, feature: Feature) -> bool:
        return feature in self.features
