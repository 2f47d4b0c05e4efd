"""The facts of planning an availability (R4.3) read through the repositories, one statement
after another: the in-memory store's and SQLite's way (one writer at a time holds the store's
lock or the database's write lock). PostgreSQL's adapter sends the same reads in one round trip
(:class:`xs_adapters.sql.agenda.SqlAvailabilityPlanning`)."""

from __future__ import annotations

import uuid

from xs_core.access.model import User
from xs_core.access.ports import RoleRepository, UserRepository
from xs_core.agenda.ports import AvailabilityRepository, LocationRepository, PlanningFacts
from xs_core.agenda.spans import TimeSpan
from xs_core.errors import NotFound


class RepositoryPlanning:
    """:class:`~xs_core.agenda.ports.AvailabilityPlanning` through the repositories (R4.3)."""

    def __init__(
        self,
        users: UserRepository,
        roles: RoleRepository,
        locations: LocationRepository,
        availabilities: AvailabilityRepository,
    ) -> None:
        self._users = users
        self._roles = roles
        self._locations = locations
        self._availabilities = availabilities

    def lock_and_read(
        self,
        actor_id: uuid.UUID,
        professional_id: uuid.UUID,
        location_id: uuid.UUID,
        span: TimeSpan,
    ) -> PlanningFacts:
        """R4.3: the professional's row, then the location's, locked; the facts read after."""
        professional: User | None
        try:
            professional = self._users.lock(professional_id)  # read after its lock
        except NotFound:
            professional = None
        try:
            location = self._locations.lock(location_id)
        except NotFound:
            location = None
        actor = self._users.find(actor_id)
        role_ids = {r for u in (actor, professional) if u is not None for r in u.role_ids}
        roles = {role.id: role for role in self._roles.get_many(sorted(role_ids, key=str))}
        here: list[tuple[uuid.UUID, TimeSpan]] = []
        mine: list[tuple[uuid.UUID, TimeSpan]] = []
        if location is not None:
            here, mine = self._availabilities.overlapping_here_and_for(
                location_id, professional_id, span
            )
        return PlanningFacts(
            actor=actor,
            professional=professional,
            roles=roles,
            location=location,
            here=here,
            mine=mine,
        )
