"""Installation set-up: what the operator of an installation does, outside any user's rights.

Super administrators cannot be made through a service: a service is reachable by any caller that
names an actor, and a super administrator holds every feature and every scope (R0.6). They are
made here, by the code that installs xs (the CLI's ``xs users create-super-admin``, an embedding
service's set-up), which owns the database anyway.

The *installation operator* is the super administrator the command line acts as when no ``--as``
user is given: a real user (with a random id, reserved e-mail address :data:`OPERATOR_EMAIL`),
made on first use, so that every change the CLI makes is done by a named user and there is no
well-known id that acts as the system.
"""

from __future__ import annotations

import uuid

from xs_app.services.base import UowFactory
from xs_core.access.model import User
from xs_core.errors import Conflict
from xs_core.uow import UnitOfWork

#: The reserved e-mail address of the installation operator.
OPERATOR_EMAIL = "operator@xs-installation.internal"
OPERATOR_NAME = "Installatie (xs)"


class Installation:
    """Set-up steps of an installation; not a service, not reachable with an actor."""

    def __init__(self, uow_factory: UowFactory) -> None:
        self._uow = uow_factory

    def create_super_administrator(self, name: str, email: str) -> uuid.UUID:
        """A super administrator: every feature authorisation and every scope (R0.6)."""
        with self._uow() as uow:
            user = User.create(name, email, super_administrator=True)
            if uow.users.find_by_email(user.email) is not None:
                raise Conflict("access.email_in_use", {"email": user.email})
            uow.users.add(user)
            uow.commit()
            return user.id

    def operator(self) -> uuid.UUID:
        """The installation operator's user id, made on first use. Two first uses at once both
        find none; the unique e-mail address lets one insert through, and the other then reads
        the one that was made (a new statement sees it under READ COMMITTED)."""
        with self._uow() as uow:
            found = uow.users.find_by_email(OPERATOR_EMAIL)
            if found is not None:
                return found.id
            try:
                user = _operator(uow)
            except Conflict:
                made = uow.users.find_by_email(OPERATOR_EMAIL)
                if made is None:
                    raise
                return made.id
            uow.commit()
            return user.id

    def user_id(self, email: str) -> uuid.UUID | None:
        """The id of the user with this e-mail address (the CLI's ``--as``)."""
        with self._uow(write=False) as uow:
            user = uow.users.find_by_email(email)
            return None if user is None else user.id


def _operator(uow: UnitOfWork) -> User:
    user = User.create(OPERATOR_NAME, OPERATOR_EMAIL, super_administrator=True)
    uow.users.add(user)
    return user
