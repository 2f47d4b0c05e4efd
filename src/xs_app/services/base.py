"""What every application service shares: the unit-of-work factory, the clock, and the one way
of asking the authoriser (R0.6)."""

from __future__ import annotations

import contextlib
import gc
import uuid
from collections.abc import Callable, Iterator

import attrs

from xs_core.access.api_clients import ClientActor
from xs_core.access.authoriser import Authoriser
from xs_core.access.features import Feature
from xs_core.access.model import Principal
from xs_core.clock import Clock
from xs_core.errors import DomainError, NotFound
from xs_core.organisation.model import Employee, Employment
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.uow import UnitOfWork

#: Reading the organisation and its dossiers: viewing it, or managing it or its employments.
VIEW_ORGANISATION = (
    Feature.VIEW_ORGANISATION,
    Feature.MANAGE_ORGANISATION,
    Feature.MANAGE_EMPLOYMENTS,
)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for a bulk use case (and restored after).

    A policy evaluation chunk (R6.6) or a bulk start (R2.2) makes a few hundred thousand
    short-lived objects, which reference counting frees; every collection those allocations
    trigger walks the process's long-lived objects too (docs/benchmarks.md). Their objects hold
    no reference cycles that need the collector. Pauses that overlap in threads end with the
    collector on, as the first one found it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: Opens a unit of work; ``write=False`` for queries (no write lock on SQLite).
UowFactory = Callable[..., UnitOfWork]


class Service:
    """Base of the application services. Every public method is a use case: it takes one command
    carrying its actor, checks the feature and the scope of every entity it touches, and runs in
    one unit of work."""

    def __init__(self, uow_factory: UowFactory, clock: Clock) -> None:
        self._uow = uow_factory
        self._clock = clock

    @staticmethod
    def _authoriser(uow: UnitOfWork) -> Authoriser:
        return Authoriser(uow.users, uow.roles, uow.scopes, uow.api_clients, uow.actors)

    def _authorise(
        self,
        uow: UnitOfWork,
        actor: uuid.UUID | ClientActor,
        feature: Feature | tuple[Feature, ...],
        *units: UnitRef,
    ) -> tuple[Authoriser, Principal]:
        """R0.6: the actor is a user, holds ``feature`` (or one of a tuple of features), and
        every unit exists and lies in their scope (``not_found`` alike otherwise)."""
        auth = self._authoriser(uow)
        principal = auth.principal(actor)
        features = feature if isinstance(feature, tuple) else (feature,)
        auth.require(principal, *features)
        auth.require_all_visible(principal, units)
        return auth, principal


def employee(employee_id: uuid.UUID) -> UnitRef:
    return UnitRef(UnitKind.EMPLOYEE, employee_id)


def employer(employer_id: uuid.UUID) -> UnitRef:
    return UnitRef(UnitKind.EMPLOYER, employer_id)


def department(department_id: uuid.UUID) -> UnitRef:
    return UnitRef(UnitKind.DEPARTMENT, department_id)


def folder(folder_id: uuid.UUID) -> UnitRef:
    return UnitRef(UnitKind.FOLDER, folder_id)


def hidden(kind: str, ident: uuid.UUID) -> NotFound:
    """The answer for an entity that exists but belongs to a unit outside the actor's scope:
    exactly what the repository answers for one that does not exist (R0.6)."""
    return NotFound("not_found", {"kind": kind, "id": str(ident)})


def employment_visible(auth: Authoriser, principal: Principal, employment: Employment) -> bool:
    """An employment lies in the actor's scope through its employer, or through a department it
    has been in (R0.6): scoped to employer A, one never touches the employment at B of an
    employee who also works at A."""
    if auth.visible(principal, employer(employment.employer_id)):
        return True
    return any(auth.visible(principal, department(d)) for d in employment.department_ids)


def employment_missing(employment_id: uuid.UUID) -> DomainError:
    """The very answer ``Employee.employment`` gives for an id that is not there (R0.6)."""
    return DomainError("organisation.employment_not_found", {"employment_id": str(employment_id)})


def employment_in_scope(
    auth: Authoriser, principal: Principal, found: Employee, employment_id: uuid.UUID
) -> Employment:
    """The employee's employment, if it lies in the actor's scope; otherwise the very answer an
    unknown employment id gets (R0.6)."""
    employment = found.employment(employment_id)
    if not employment_visible(auth, principal, employment):
        raise employment_missing(employment_id)
    return employment


def as_seen_by(auth: Authoriser, principal: Principal, found: Employee) -> Employee:
    """The employee as the actor may read them: only the employments in the actor's scope, so
    that a user scoped to employer A never learns of the same person's employment at B (R0.6)."""
    if principal.scope.everything:
        return found
    employments = [e for e in found.employments if employment_visible(auth, principal, e)]
    if len(employments) == len(found.employments):
        return found
    return attrs.evolve(found, employments=employments)
