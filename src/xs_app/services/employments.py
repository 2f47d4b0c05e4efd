"""Employment changes and the action links that lead to them (R2.3)."""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal

import attrs

from xs_app.services.base import (
    VIEW_ORGANISATION,
    Service,
    as_seen_by,
    department,
    employee,
    employment_in_scope,
    hidden,
)
from xs_app.services.command import Command, accepts_legacy
from xs_core.access.features import Feature
from xs_core.errors import DomainError
from xs_core.money import Money
from xs_core.organisation.model import Employment, EmploymentType, EndReason
from xs_core.organisation.search import SearchQuery
from xs_core.organisation.units import UnitKind
from xs_core.protocols.action_links import (
    ActionLink,
    Placement,
    UseCase,
    check_placement,
    links_for,
)
from xs_core.protocols.model import Trajectory


@attrs.frozen(kw_only=True)
class EndEmployment(Command):
    """R2.3 "Uit dienst melden": ``end`` is the first day no longer employed (half-open)."""

    actor: uuid.UUID
    employee_id: uuid.UUID
    employment_id: uuid.UUID
    end: _dt.date
    reason: EndReason


@attrs.frozen(kw_only=True)
class EndEmploymentResult:
    employment_id: uuid.UUID
    end: _dt.date
    #: trajectories still running after the employment ends: they stay open and are
    #: reported back (R2.3)
    open_trajectories: tuple[Trajectory, ...]


@attrs.frozen(kw_only=True)
class ChangeEmployment(Command):
    """R2.3 "Wijzigen dienstverband": the given fields change from ``effective`` on."""

    actor: uuid.UUID
    employee_id: uuid.UUID
    employment_id: uuid.UUID
    effective: _dt.date
    department_id: uuid.UUID | None = None
    employment_type: EmploymentType | None = None
    hours_per_week: Decimal | None = None
    yearly_salary: Decimal | None = None
    job_title: str | None = None


@attrs.frozen(kw_only=True)
class LeadingEmploymentOn(Command):
    """The leading employment and its department as of ``day`` (R1.2, R2.3)."""

    actor: uuid.UUID
    employee_id: uuid.UUID
    day: _dt.date


@attrs.frozen(kw_only=True)
class ActionLinks(Command):
    """The action links at a placement that the actor may follow (R2.3)."""

    actor: uuid.UUID
    placement: Placement


@attrs.frozen(kw_only=True)
class FindDossiers(Command):
    """The dossier search of a ``…DossierSearch`` link (R2.3)."""

    actor: uuid.UUID
    link: ActionLink
    term: str


@attrs.frozen(kw_only=True)
class OpenActionLink(Command):
    """Follow a link for a dossier: from the dossier's action list, or after the search."""

    actor: uuid.UUID
    link: ActionLink
    placement: Placement
    dossier_id: uuid.UUID


@attrs.frozen(kw_only=True)
class LeadingEmployment:
    employment_id: uuid.UUID
    employer_id: uuid.UUID
    department_id: uuid.UUID | None


@attrs.frozen(kw_only=True)
class DossierChoice:
    """A dossier offered by a ``…DossierSearch`` action link."""

    dossier_id: uuid.UUID
    employee_id: uuid.UUID
    name: str


@attrs.frozen(kw_only=True)
class ActionTarget:
    """Where an action link leads: the use case, for this employee's dossier."""

    link: ActionLink
    use_case: UseCase
    dossier_id: uuid.UUID
    employee_id: uuid.UUID
    employments: tuple[Employment, ...]


#: Listing action links needs the feature of at least one link; each link is shown only to
#: those holding its own feature.
_LINK_FEATURES = tuple(sorted({link.info.feature for link in ActionLink}, key=lambda f: f.value))


class EmploymentService(Service):
    """R2.3: ending and changing employments."""

    def end_employment(self, cmd: EndEmployment) -> EndEmploymentResult:
        """R2.3: end on ``end``, the first day not employed; the open trajectories are returned."""
        with self._uow() as uow:
            auth, principal = self._authorise(
                uow, cmd.actor, Feature.MANAGE_EMPLOYMENTS, employee(cmd.employee_id)
            )
            found = uow.employees.lock(cmd.employee_id)
            employment_in_scope(auth, principal, found, cmd.employment_id)
            found.end_employment(cmd.employment_id, cmd.end, cmd.reason)
            uow.employees.save(found)
            open_trajectories = tuple(
                x
                for x in uow.trajectories.for_employee(found.id)
                if x.period.end is None or x.period.end > cmd.end
            )
            uow.commit()
            return EndEmploymentResult(
                employment_id=cmd.employment_id, end=cmd.end, open_trajectories=open_trajectories
            )

    def change_employment(self, cmd: ChangeEmployment) -> None:
        """R2.3: the given conditions change from ``effective`` on (a new version of history)."""
        with self._uow() as uow:
            auth, principal = self._authorise(
                uow, cmd.actor, Feature.MANAGE_EMPLOYMENTS, employee(cmd.employee_id)
            )
            found = uow.employees.lock(cmd.employee_id)
            employment = employment_in_scope(auth, principal, found, cmd.employment_id)
            changes: dict[str, object] = {}
            if cmd.department_id is not None:
                auth.require_visible(principal, department(cmd.department_id))
                target = uow.departments.get(cmd.department_id)
                if target.employer_id != employment.employer_id:
                    raise DomainError(
                        "organisation.department_other_employer",
                        {
                            "department_id": str(target.id),
                            "employer_id": str(employment.employer_id),
                        },
                    )
                changes["department_id"] = cmd.department_id
            if cmd.employment_type is not None:
                changes["employment_type"] = cmd.employment_type
            if cmd.hours_per_week is not None:
                changes["hours_per_week"] = cmd.hours_per_week
            if cmd.yearly_salary is not None:
                changes["salary"] = Money(cmd.yearly_salary)
            if cmd.job_title is not None:
                changes["job_title"] = cmd.job_title
            found.change_employment(cmd.employment_id, cmd.effective, **changes)
            uow.employees.save(found)
            uow.commit()

    @accepts_legacy(LeadingEmploymentOn, "actor", "employee_id", "day")
    def leading_employment_on(self, cmd: LeadingEmploymentOn) -> LeadingEmployment | None:
        """The leading employment and its department as of ``day`` (R1.2, R2.3)."""
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(
                uow, cmd.actor, VIEW_ORGANISATION, employee(cmd.employee_id)
            )
            found = as_seen_by(auth, principal, uow.employees.get(cmd.employee_id))
            employment = found.leading_employment_on(cmd.day)
            if employment is None:
                return None
            return LeadingEmployment(
                employment_id=employment.id,
                employer_id=employment.employer_id,
                department_id=found.department_on(cmd.day),
            )


class ActionLinkService(Service):
    """R2.3: the action links, their placement, the dossier search and where they lead."""

    @accepts_legacy(ActionLinks, "actor", "placement")
    def links(self, cmd: ActionLinks) -> list[ActionLink]:
        """The action links at a placement whose feature the actor holds (R2.3)."""
        with self._uow(write=False) as uow:
            _, principal = self._authorise(uow, cmd.actor, _LINK_FEATURES)
            return links_for(cmd.placement, principal.features)

    @accepts_legacy(FindDossiers, "actor", "link", "term")
    def find_dossiers(self, cmd: FindDossiers) -> list[DossierChoice]:
        """The dossier search of a ``…DossierSearch`` link: employee dossiers in scope."""
        check_placement(cmd.link, Placement.PORTAL_WIDGET)
        query = SearchQuery.create(cmd.term, kinds=frozenset({UnitKind.EMPLOYEE}), page_size=50)
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, cmd.link.info.feature)
            hits = uow.search.search(query, auth.resolved_scope(principal, keep_folders=True))
            return [
                DossierChoice(dossier_id=h.dossier_id, employee_id=h.id, name=h.name)
                for h in hits
                if h.dossier_id is not None
            ]

    @accepts_legacy(OpenActionLink, "actor", "link", "placement", "dossier_id")
    def open(self, cmd: OpenActionLink) -> ActionTarget:
        """Follow a link for a dossier: from the dossier's action list, or after the search."""
        check_placement(cmd.link, cmd.placement)
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, cmd.link.info.feature)
            dossier = uow.dossiers.get(cmd.dossier_id)
            auth.require_visible(principal, dossier.unit, hidden("dossier", cmd.dossier_id))
            if dossier.unit.kind is not UnitKind.EMPLOYEE:
                raise DomainError(
                    "action_link.not_an_employee_dossier", {"dossier_id": str(cmd.dossier_id)}
                )
            found = as_seen_by(auth, principal, uow.employees.get(dossier.unit.id))
            return ActionTarget(
                link=cmd.link,
                use_case=cmd.link.info.use_case,
                dossier_id=cmd.dossier_id,
                employee_id=found.id,
                employments=tuple(found.employments),
            )


__all__ = [
    "ActionLinkService",
    "ActionLinks",
    "ActionTarget",
    "ChangeEmployment",
    "DossierChoice",
    "EmploymentService",
    "EndEmployment",
    "EndEmploymentResult",
    "FindDossiers",
    "LeadingEmployment",
    "LeadingEmploymentOn",
    "OpenActionLink",
]
