"""The one authoriser every use case asks (R0.6)."""

from __future__ import annotations

import uuid

from xs_core.access.features import Feature
from xs_core.access.model import Principal, ResolvedScope
from xs_core.access.ports import RoleRepository, ScopeResolver, UserRepository
from xs_core.errors import NotAuthorised, NotFound, register_messages
from xs_core.organisation.units import UnitRef

register_messages(
    {
        "access.unknown_user": (
            "Gebruiker {user_id} bestaat niet.",
            "User {user_id} does not exist.",
        ),
    }
)


class Authoriser:
    """Checks feature authorisations and scopes for a principal (R0.6)."""

    def __init__(self, users: UserRepository, roles: RoleRepository, scopes: ScopeResolver) -> None:
        self._users = users
        self._roles = roles
        self._scopes = scopes

    def principal(self, user_id: uuid.UUID) -> Principal:
        """Load a user's effective features and scope."""
        if user_id == Principal.system().user_id:
            return Principal.system()
        try:
            user = self._users.get(user_id)
        except NotFound:
            raise NotAuthorised(
                "access.unknown_user", {"rule": "R0.6", "user_id": str(user_id)}
            ) from None
        return Principal.of(user, self._roles.get_many(user.role_ids))

    def require(self, principal: Principal, feature: Feature) -> None:
        """Refuse with ``access.not_authorised`` unless the principal holds ``feature``."""
        if not principal.holds(feature):
            raise NotAuthorised(
                "access.not_authorised",
                {"rule": "R0.6", "feature": feature.value, "user_id": str(principal.user_id)},
            )

    def in_scope(self, principal: Principal, unit: UnitRef) -> bool:
        if principal.scope.everything:
            return True
        return principal.scope.includes_any(self._scopes.ancestors(unit))

    def require_in_scope(self, principal: Principal, unit: UnitRef) -> None:
        """Refuse with ``access.out_of_scope`` unless ``unit`` lies in the principal's scope."""
        if not self.in_scope(principal, unit):
            raise NotAuthorised(
                "access.out_of_scope",
                {"rule": "R0.6", "unit": str(unit), "user_id": str(principal.user_id)},
            )

    def can(self, principal: Principal, feature: Feature, unit: UnitRef | None = None) -> bool:
        return principal.holds(feature) and (unit is None or self.in_scope(principal, unit))

    def resolved_scope(self, principal: Principal) -> ResolvedScope:
        if principal.scope.everything:
            return ResolvedScope(everything=True)
        return self._scopes.resolve(principal.scope)
