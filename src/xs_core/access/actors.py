""":class:`~xs_core.access.ports.ActorReader` through the repositories (R0.6, R7.1): what the
authoriser reads when its unit of work has no reader of its own (the in-memory store, SQLite;
PostgreSQL reads the same facts in one round trip, :mod:`xs_adapters.sql.actors`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from xs_core.access.api_clients import ApiClientStore
from xs_core.access.model import Role
from xs_core.access.ports import ActingFacts, RoleRepository, UserRepository


class RepositoryActors:
    """Reads who acts one repository after another."""

    def __init__(
        self,
        users: UserRepository,
        roles: RoleRepository,
        clients: ApiClientStore | None = None,
    ) -> None:
        self._users = users
        self._roles = roles
        self._clients = clients

    def user_acting(self, user_id: uuid.UUID) -> ActingFacts:
        user = self._users.find(user_id)
        if user is None:
            return ActingFacts(user=None)
        return ActingFacts(user=user, roles=in_order(self._roles.get_many(user.role_ids)))

    def roles(self, role_ids: Iterable[uuid.UUID]) -> list[Role]:
        """The roles with ``role_ids`` (those that exist), read by id: the roles a user's row
        links that a read of that user's roles by their links did not return (a link removed
        between the two reads, :mod:`xs_adapters.sql.actors`)."""
        return self._roles.get_many(role_ids)

    def client_acting(self, client_id: uuid.UUID) -> ActingFacts:
        client = None if self._clients is None else self._clients.find(client_id)
        if client is None:
            return ActingFacts(user=None)
        if not client.active:  # an inactive client's user acts for nobody
            return ActingFacts(user=None, client=client)
        facts = self.user_acting(client.user_id)
        return ActingFacts(user=facts.user, roles=facts.roles, client=client)


def in_order(roles: Iterable[Role]) -> tuple[Role, ...]:
    """The roles of :class:`ActingFacts`, in the order of their ids (whatever order the
    storage returned them in: every reader gives equal facts for equal data)."""
    return tuple(sorted(roles, key=lambda role: role.id))
