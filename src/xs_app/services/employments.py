"""Employment changes and the action links that lead to them (R2.3)."""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal

import attrs

from xs_app.services.base import Service
from xs_core.access.features import Feature
from xs_core.errors import DomainError
from xs_core.money import Money
from xs_core.organisation.model import Employment, EmploymentType, EndReason
from xs_core.organisation.search import SearchQuery
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.protocols.action_links import (
    ActionLink,
    Placement,
    UseCase,
    check_placement,
    links_for,
)
from xs_core.protocols.model import Trajectory
from xs_core.uow import UnitOfWork


@attrs.frozen(kw_only=True)
class EndEmployment:
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
class ChangeEmployment:
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


class EmploymentService(Service):
    def _employee(self, uow: UnitOfWork, actor: uuid.UUID, employee_id: uuid.UUID) -> None:
        self.authorise(
            uow, actor, Feature.MANAGE_EMPLOYMENTS, UnitRef(UnitKind.EMPLOYEE, employee_id)
        )

    def end_employment(self, cmd: EndEmployment) -> EndEmploymentResult:
        with self._uow() as uow:
            self._employee(uow, cmd.actor, cmd.employee_id)
            employee = uow.employees.get(cmd.employee_id)
            employee.end_employment(cmd.employment_id, cmd.end, cmd.reason)
            uow.employees.save(employee)
            open_trajectories = tuple(
                x
                for x in uow.trajectories.for_employee(employee.id)
                if x.period.end is None or x.period.end > cmd.end
            )
            uow.commit()
            return EndEmploymentResult(
                employment_id=cmd.employment_id, end=cmd.end, open_trajectories=open_trajectories
            )

    def change_employment(self, cmd: ChangeEmployment) -> None:
        with self._uow() as uow:
            self._employee(uow, cmd.actor, cmd.employee_id)
            employee = uow.employees.get(cmd.employee_id)
            employment = employee.employment(cmd.employment_id)
            changes: dict[str, object] = {}
            if cmd.department_id is not None:
                department = uow.departments.get(cmd.department_id)
                if department.employer_id != employment.employer_id:
                    raise DomainError(
                        "organisation.department_other_employer",
                        {
                            "department_id": str(department.id),
                            "employer_id": str(employment.employer_id),
                        },
                    )
                auth = self.authoriser(uow)
                auth.require_in_scope(auth.principal(cmd.actor), department.ref)
                changes["department_id"] = cmd.department_id
            if cmd.employment_type is not None:
                changes["employment_type"] = cmd.employment_type
            if cmd.hours_per_week is not None:
                changes["hours_per_week"] = cmd.hours_per_week
            if cmd.yearly_salary is not None:
                changes["salary"] = Money(cmd.yearly_salary)
            if cmd.job_title is not None:
                changes["job_title"] = cmd.job_title
            employee.change_employment(cmd.employment_id, cmd.effective, **changes)
            uow.employees.save(employee)
            uow.commit()

    def leading_employment_on(
        self, actor: uuid.UUID, employee_id: uuid.UUID, day: _dt.date
    ) -> LeadingEmployment | None:
        """The leading employment and its department as of ``day`` (R1.2, R2.3)."""
        with self._uow(write=False) as uow:
            auth = self.authoriser(uow)
            auth.require_in_scope(auth.principal(actor), UnitRef(UnitKind.EMPLOYEE, employee_id))
            employee = uow.employees.get(employee_id)
            employment = employee.leading_employment_on(day)
            if employment is None:
                return None
            return LeadingEmployment(
                employment_id=employment.id,
                employer_id=employment.employer_id,
                department_id=employee.department_on(day),
            )


class ActionLinkService(Service):
    """R2.3: the action links, their placement, the dossier search and where they lead."""

    def links(self, actor: uuid.UUID, placement: Placement) -> list[ActionLink]:
        with self._uow(write=False) as uow:
            auth = self.authoriser(uow)
            return links_for(placement, auth.principal(actor).features)

    def find_dossiers(self, actor: uuid.UUID, link: ActionLink, term: str) -> list[DossierChoice]:
        """The dossier search of a ``…DossierSearch`` link: employee dossiers in scope."""
        check_placement(link, Placement.PORTAL_WIDGET)
        query = SearchQuery.create(term, kinds=frozenset({UnitKind.EMPLOYEE}), page_size=50)
        with self._uow(write=False) as uow:
            auth = self.authoriser(uow)
            principal = auth.principal(actor)
            auth.require(principal, link.info.feature)
            hits = uow.search.search(query, auth.resolved_scope(principal))
            return [
                DossierChoice(dossier_id=h.dossier_id, employee_id=h.id, name=h.name)
                for h in hits
                if h.dossier_id is not None
            ]

    def open(
        self, actor: uuid.UUID, link: ActionLink, placement: Placement, dossier_id: uuid.UUID
    ) -> ActionTarget:
        """Follow a link for a dossier: from the dossier's action list, or after the search."""
        check_placement(link, placement)
        with self._uow(write=False) as uow:
            auth = self.authoriser(uow)
            principal = auth.principal(actor)
            auth.require(principal, link.info.feature)
            dossier = uow.dossiers.get(dossier_id)
            if dossier.unit.kind is not UnitKind.EMPLOYEE:
                raise DomainError(
                    "action_link.not_an_employee_dossier", {"dossier_id": str(dossier_id)}
                )
            auth.require_in_scope(principal, dossier.unit)
            employee = uow.employees.get(dossier.unit.id)
            return ActionTarget(
                link=link,
                use_case=link.info.use_case,
                dossier_id=dossier_id,
                employee_id=employee.id,
                employments=tuple(employee.employments),
            )
