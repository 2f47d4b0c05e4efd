"""The one authoriser every use case asks (R0.6).

Three questions, always in this order:

1. **Who acts?** The actor is a user id; an unknown id (or anything that is not a user id) is
   refused with ``access.unknown_actor``. There is no built-in "system" id: the installation acts
   through a real super administrator (:mod:`xs_app.installation`).
2. **May they do this at all?** A feature authorisation (``access.not_authorised``), checked
   before any entity is looked at, so the refusal reveals nothing about entities.
3. **May they see what the command names?** Every organisation unit a command touches must lie
   in the actor's scope. A unit that does not exist and a unit outside the scope get the *same*
   answer, ``not_found`` with the kind and id the caller gave, so that the answer is no existence
   oracle.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

from xs_core.access.actors import RepositoryActors
from xs_core.access.api_clients import ApiClientStore, ClientActor
from xs_core.access.features import Feature
from xs_core.access.model import Principal, ResolvedScope, Role, User
from xs_core.access.ports import (
    ActingFacts,
    ActorReader,
    RoleRepository,
    ScopeResolver,
    UserRepository,
)
from xs_core.errors import NotAllowed, NotFound, not_found, register_messages
from xs_core.organisation.units import UnitRef

register_messages(
    {
        "access.unknown_actor": (
            "De handelende gebruiker is onbekend.",
            "The acting user is unknown.",
        ),
        "access.grant_exceeds_own": (
            "U kunt geen feature autorisaties toekennen die u zelf niet heeft: {features}.",
            "You cannot grant feature authorisations you do not hold yourself: {features}.",
        ),
    },
    kind=NotAllowed,
)


class Authoriser:
    """Checks actors, feature authorisations and scopes for the use cases (R0.6)."""

    def __init__(
        self,
        users: UserRepository,
        roles: RoleRepository,
        scopes: ScopeResolver,
        clients: ApiClientStore | None = None,
        actors: ActorReader | None = None,
    ) -> None:
        self._users = users
        self._roles = roles
        self._scopes = scopes
        self._clients = clients
        self._actors = actors or RepositoryActors(users, roles, clients)

    def principal(self, actor: object) -> Principal:
        """The acting user's effective features and scope; unknown actors are refused. A
        :class:`ClientActor` acts through its client's technical user while the client exists
        and is active (``api.token_invalid`` otherwise, R7.1). The facts are read at once
        through the unit of work's :class:`ActorReader` (one round trip on PostgreSQL)."""
        if isinstance(actor, ClientActor):
            facts = None
            # an id that is not a UUID names no client (never bound as a value of the wrong type)
            if self._clients is not None and isinstance(actor.client_id, uuid.UUID):
                facts = self._actors.client_acting(actor.client_id)
            if facts is None or facts.client is None or not facts.client.active:
                raise NotAllowed("api.token_invalid", {})
        elif isinstance(actor, uuid.UUID):
            facts = self._actors.user_acting(actor)
        else:
            facts = ActingFacts(user=None)
        if facts.user is None:
            raise NotAllowed("access.unknown_actor", {"rule": "R0.6"})
        return Principal.of(facts.user, facts.roles)

    @staticmethod
    def principal_of(user: User | None, roles: Mapping[uuid.UUID, Role]) -> Principal:
        """:meth:`principal` from a user already read (``None``: unknown) and a map of roles
        holding at least theirs — for use cases that read the actor with other facts at once."""
        if user is None:
            raise NotAllowed("access.unknown_actor", {"rule": "R0.6"})
        return Principal.of(user, [roles[i] for i in user.role_ids if i in roles])

    def require(self, principal: Principal, feature: Feature, *alternatives: Feature) -> None:
        """Refuse with ``access.not_authorised`` unless the principal holds ``feature`` (or one of
        the ``alternatives``)."""
        wanted = (feature, *alternatives)
        if not any(principal.holds(f) for f in wanted):
            raise NotAllowed(
                "access.not_authorised",
                {"rule": "R0.6", "feature": " | ".join(f.value for f in wanted)},
            )

    def require_everything(self, principal: Principal) -> None:
        """Refuse unless the principal's scope is the whole organisation (e.g. creating a folder
        or an employer outside any folder)."""
        if not principal.scope.everything:
            raise NotAllowed("access.scope_required", {"rule": "R0.6"})

    def visible(self, principal: Principal, unit: UnitRef) -> bool:
        """The unit exists and lies in the principal's scope."""
        ancestors = self._scopes.ancestors(unit)
        if not ancestors:
            return False
        return principal.scope.everything or principal.scope.includes_any(ancestors)

    def require_visible(
        self, principal: Principal, unit: UnitRef, as_: NotFound | None = None
    ) -> None:
        """Refuse with ``not_found`` unless ``unit`` exists and lies in the principal's scope.

        ``as_`` is the answer to give instead, when the caller named another entity (an
        appointment, an invoice basis) that the unit was derived from.
        """
        if not self.visible(principal, unit):
            raise as_ or not_found(unit.kind.value, unit.id)

    def require_all_visible(self, principal: Principal, units: Iterable[UnitRef]) -> None:
        """:meth:`require_visible` for each of ``units``, in order (the first unit refused is
        the one named), with their ancestors read in bulk (:meth:`ScopeResolver.ancestors_of`)."""
        wanted = list(units)
        if len(wanted) < 2:
            for unit in wanted:
                self.require_visible(principal, unit)
            return
        ancestors = self._scopes.ancestors_of(wanted)
        for unit in wanted:
            chain = ancestors.get(unit, frozenset())
            if not chain or not principal.scope.includes_any(chain):
                raise not_found(unit.kind.value, unit.id)

    def resolved_scope(self, principal: Principal, *, keep_folders: bool = False) -> ResolvedScope:
        """The principal's scope for set-based filtering (R0.6); ``keep_folders`` only for a
        consumer that reads ``ResolvedScope.folder_ids`` (:meth:`ScopeResolver.resolve`)."""
        if principal.scope.everything:
            return ResolvedScope(everything=True)
        return self._scopes.resolve(principal.scope, keep_folders=keep_folders)

    def require_may_grant(
        self, principal: Principal, roles: Iterable[Role], units: Iterable[UnitRef]
    ) -> None:
        """A user never grants more than they hold: every feature of the roles is one of the
        actor's, and every unit lies in the actor's scope (R0.6)."""
        wanted = frozenset(f for role in roles for f in role.features)
        missing = wanted - principal.features
        if missing:
            raise NotAllowed(
                "access.grant_exceeds_own",
                {"rule": "R0.6", "features": sorted(f.value for f in missing)},
            )
        for unit in units:
            self.require_visible(principal, unit)
