"""Use cases of the access context: roles, users, grants (R0.6)."""

from __future__ import annotations

import uuid

import attrs

from xs_app.services.base import Service
from xs_core.access.features import Feature
from xs_core.access.model import Principal, Role, RoleKind, Scope, User
from xs_core.errors import DomainError
from xs_core.organisation.units import UnitRef


@attrs.frozen(kw_only=True)
class CreateRole:
    actor: uuid.UUID
    name: str
    features: frozenset[Feature]
    kind: RoleKind = RoleKind.INTERNAL


@attrs.frozen(kw_only=True)
class CreateUser:
    actor: uuid.UUID
    name: str
    email: str
    role_ids: frozenset[uuid.UUID] = frozenset()
    scope: frozenset[UnitRef] = frozenset()


@attrs.frozen(kw_only=True)
class Grant:
    actor: uuid.UUID
    user_id: uuid.UUID
    role_ids: frozenset[uuid.UUID] = frozenset()
    units: frozenset[UnitRef] = frozenset()


class AccessService(Service):
    """Users, roles and scopes (R0.6)."""

    def create_super_administrator(self, name: str, email: str) -> uuid.UUID:
        """Installation step (CLI ``xs users create-super-admin``): no acting user needed."""
        with self._uow() as uow:
            if uow.users.find_by_email(email) is not None:
                raise DomainError("access.email_in_use", {"email": email})
            user = User.create(name, email, super_administrator=True)
            uow.users.add(user)
            uow.commit()
            return user.id

    def create_role(self, cmd: CreateRole) -> uuid.UUID:
        with self._uow() as uow:
            auth = self.authoriser(uow)
            auth.require(auth.principal(cmd.actor), Feature.MANAGE_ROLES)
            role = Role.create(cmd.name, cmd.features, cmd.kind)
            uow.roles.add(role)
            uow.commit()
            return role.id

    def create_user(self, cmd: CreateUser) -> uuid.UUID:
        """Create a user with roles and a scope; the actor may grant only units in their scope."""
        with self._uow() as uow:
            auth = self.authoriser(uow)
            principal = auth.principal(cmd.actor)
            auth.require(principal, Feature.MANAGE_USERS)
            for unit in cmd.scope:
                auth.require_in_scope(principal, unit)
            for role_id in cmd.role_ids:
                uow.roles.get(role_id)
            if uow.users.find_by_email(cmd.email) is not None:
                raise DomainError("access.email_in_use", {"email": cmd.email})
            user = User.create(cmd.name, cmd.email, cmd.role_ids, Scope(cmd.scope))
            uow.users.add(user)
            uow.commit()
            return user.id

    def grant(self, cmd: Grant) -> None:
        with self._uow() as uow:
            auth = self.authoriser(uow)
            principal = auth.principal(cmd.actor)
            auth.require(principal, Feature.MANAGE_USERS)
            for unit in cmd.units:
                auth.require_in_scope(principal, unit)
            for role_id in cmd.role_ids:
                uow.roles.get(role_id)
            user = uow.users.get(cmd.user_id)
            user.grant(cmd.role_ids, cmd.units)
            uow.users.save(user)
            uow.commit()

    def principal(self, user_id: uuid.UUID) -> Principal:
        with self._uow(write=False) as uow:
            return self.authoriser(uow).principal(user_id)

    def find_user(self, email: str) -> User | None:
        with self._uow(write=False) as uow:
            return uow.users.find_by_email(email)

    def roles(self) -> list[Role]:
        with self._uow(write=False) as uow:
            return uow.roles.list()
