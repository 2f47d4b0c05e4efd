"""What every application service shares: the unit-of-work factory, the clock, the authoriser."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from xs_core.access.authoriser import Authoriser
from xs_core.access.features import Feature
from xs_core.access.model import Principal
from xs_core.clock import Clock
from xs_core.organisation.units import UnitRef
from xs_core.uow import UnitOfWork

#: Opens a unit of work; ``write=False`` for queries (no write lock on SQLite).
UowFactory = Callable[..., UnitOfWork]


class Service:
    def __init__(self, uow_factory: UowFactory, clock: Clock) -> None:
        self._uow = uow_factory
        self._clock = clock

    @staticmethod
    def authoriser(uow: UnitOfWork) -> Authoriser:
        return Authoriser(uow.users, uow.roles, uow.scopes)

    def authorise(
        self, uow: UnitOfWork, actor: uuid.UUID, feature: Feature, *units: UnitRef
    ) -> tuple[Authoriser, Principal]:
        """R0.6: the actor holds ``feature`` and every unit lies in their scope."""
        auth = self.authoriser(uow)
        principal = auth.principal(actor)
        auth.require(principal, feature)
        for unit in units:
            auth.require_in_scope(principal, unit)
        return auth, principal
