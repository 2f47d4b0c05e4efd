"""Use cases of the access context: roles, users, grants (R0.6).

A user never grants more than they hold: a role can only be made of features the actor holds,
a user can only be given roles whose features the actor holds and units inside the actor's
scope, and only users whose scope lies inside the actor's scope can be managed. Super
administrators are made at installation (:mod:`xs_app.installation`), never through a service.
"""

from __future__ import annotations

import uuid

import attrs

from xs_app.services.base import Service, hidden
from xs_app.services.command import Command
from xs_core.access.authoriser import Authoriser
from xs_core.access.features import Feature
from xs_core.access.model import Principal, Role, RoleCreated, RoleKind, Scope, User
from xs_core.errors import Conflict
from xs_core.organisation.units import UnitRef
from xs_core.organisation.validation import valid_email
from xs_core.uow import UnitOfWork


@attrs.frozen(kw_only=True)
class CreateRole(Command):
    actor: uuid.UUID
    name: str
    features: frozenset[Feature]
    kind: RoleKind = RoleKind.INTERNAL


@attrs.frozen(kw_only=True)
class CreateUser(Command):
    actor: uuid.UUID
    name: str
    email: str
    role_ids: frozenset[uuid.UUID] = frozenset()
    scope: frozenset[UnitRef] = frozenset()


@attrs.frozen(kw_only=True)
class Grant(Command):
    """Add roles and scope units to a user."""

    actor: uuid.UUID
    user_id: uuid.UUID
    role_ids: frozenset[uuid.UUID] = frozenset()
    units: frozenset[UnitRef] = frozenset()


@attrs.frozen(kw_only=True)
class GetPrincipal(Command):
    """A user's effective features and scope: one's own, or a user one manages."""

    actor: uuid.UUID
    user_id: uuid.UUID


@attrs.frozen(kw_only=True)
class FindUser(Command):
    actor: uuid.UUID
    email: str


@attrs.frozen(kw_only=True)
class ListRoles(Command):
    actor: uuid.UUID


class AccessService(Service):
    """Users, roles and scopes (R0.6)."""

    def create_role(self, cmd: CreateRole) -> uuid.UUID:
        """A role of features the actor holds (``access.manage_roles``)."""
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.MANAGE_ROLES)
            role = Role.create(cmd.name, cmd.features, cmd.kind)
            auth.require_may_grant(principal, [role], ())
            uow.roles.add(role)
            uow.publish(
                RoleCreated(
                    role_id=role.id,
                    role_name=role.name,
                    kind=role.kind.value,
                    features=tuple(sorted(f.value for f in role.features)),
                )
            )
            uow.commit()
            return role.id

    @staticmethod
    def _roles(uow: UnitOfWork, role_ids: frozenset[uuid.UUID]) -> list[Role]:
        return [uow.roles.get(role_id) for role_id in sorted(role_ids)]

    def create_user(self, cmd: CreateUser) -> uuid.UUID:
        """A user with roles and a scope (``access.manage_users``); the actor grants only
        features they hold and units in their scope."""
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.MANAGE_USERS)
            roles = self._roles(uow, cmd.role_ids)
            auth.require_may_grant(principal, roles, cmd.scope)
            user = User.create(cmd.name, cmd.email, cmd.role_ids, Scope(cmd.scope))
            if uow.users.find_by_email(user.email) is not None:
                raise Conflict("access.email_in_use", {"email": user.email})
            uow.users.add(user)
            uow.commit()
            return user.id

    @staticmethod
    def _manageable(auth: Authoriser, principal: Principal, user: User) -> bool:
        """A user the principal may manage: not a super administrator (unless the principal is
        one), and every unit of the user's scope inside the principal's scope; a user without any
        scope unit only by a principal whose scope is the whole organisation."""
        if principal.is_super_administrator:
            return True
        if user.is_super_administrator or user.scope.everything:
            return False
        if not user.scope.units:
            return principal.scope.everything
        return all(auth.visible(principal, unit) for unit in user.scope.units)

    def grant(self, cmd: Grant) -> None:
        """Add roles and units to a user the actor manages (``access.manage_users``)."""
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.MANAGE_USERS)
            user = uow.users.lock(cmd.user_id)
            if not self._manageable(auth, principal, user):
                raise hidden("user", cmd.user_id)
            auth.require_may_grant(principal, self._roles(uow, cmd.role_ids), cmd.units)
            user.grant(cmd.role_ids, cmd.units)
            uow.users.save(user)
            uow.commit()

    def principal(self, cmd: GetPrincipal) -> Principal:
        """The effective features and scope of the actor, or of a user they manage."""
        with self._uow(write=False) as uow:
            auth = self._authoriser(uow)
            principal = auth.principal(cmd.actor)
            if cmd.user_id == cmd.actor:
                return principal
            auth.require(principal, Feature.MANAGE_USERS)
            user = uow.users.get(cmd.user_id)
            if not self._manageable(auth, principal, user):
                raise hidden("user", cmd.user_id)
            return Principal.of(user, uow.roles.get_many(user.role_ids))

    def find_user(self, cmd: FindUser) -> User | None:
        """The user with this e-mail address, if the actor manages them; a text that is not an
        e-mail address is refused (``contact.invalid_email``)."""
        email = valid_email(cmd.email)
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.MANAGE_USERS)
            user = None if email is None else uow.users.find_by_email(email)
            if user is None or not self._manageable(auth, principal, user):
                return None
            return user

    def roles(self, cmd: ListRoles) -> list[Role]:
        """The roles, for those who manage users or roles."""
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, (Feature.MANAGE_USERS, Feature.MANAGE_ROLES))
            return uow.roles.list()


__all__ = [
    "AccessService",
    "CreateRole",
    "CreateUser",
    "FindUser",
    "GetPrincipal",
    "Grant",
    "ListRoles",
]
