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
from xs_core.organisation.validation import valid_email
from xs_core.uow import UnitOfWork

#: The reserved e-mail address of the installation operator.
OPERATOR_EMAIL = "operator@xs-installation.internal"
OPERATOR_NAME = "Installatie (xs)"


class Installation:
    """Set-up steps of an installation; not a service, not reachable with an actor."""

    def __init__(self, uow_factory: UowFactory) -> None:
        self._uow = uow_factory

    def create_super_administrator(self, name: str, email: str) -> uuid.UUID:
        """A super administrator: every feature authorisation and every scope (R0.6). The
        operator's reserved address is refused as in use."""
        with self._uow() as uow:
            user = User.create(name, email, super_administrator=True)
            if user.email == OPERATOR_EMAIL or uow.users.find_by_email(user.email) is not None:
                raise Conflict("access.email_in_use", {"email": user.email})
            uow.users.add(user)
            uow.commit()
            return user.id

    def operator(self) -> uuid.UUID:
        """The installation operator's user id, made on first use (two processes making it at
        once both get the one the database kept)."""
        found = self.user_id(OPERATOR_EMAIL)
        if found is not None:
            return found
        try:
            with self._uow() as uow:
                user = _operator(uow)
                uow.commit()
                return user.id
        except Conflict:
            made = self.user_id(OPERATOR_EMAIL)
            if made is None:  # pragma: no cover - the conflict was about this address
                raise
            return made

    def user_id(self, email: str) -> uuid.UUID | None:
        """The id of the user with this e-mail address (the CLI's ``--as``); a text that is not
        an e-mail address is refused (``contact.invalid_email``)."""
        address = valid_email(email)
        if address is None:
            return None
        with self._uow(write=False) as uow:
            user = uow.users.find_by_email(address)
            return None if user is None else user.id


def _operator(uow: UnitOfWork) -> User:
    user = User.create(OPERATOR_NAME, OPERATOR_EMAIL, super_administrator=True)
    uow.users.add(user)
    return user
