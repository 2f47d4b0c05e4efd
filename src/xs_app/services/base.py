"""What every application service shares: the unit-of-work factory, the clock, the authoriser."""

from __future__ import annotations

from collections.abc import Callable

from xs_core.access.authoriser import Authoriser
from xs_core.clock import Clock
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
