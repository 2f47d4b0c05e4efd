"""Use cases of reports (R3.1, R3.4): absence per organisation unit with duration categories.

A report is a query: it needs the feature ``reports.view`` and every unit it names must lie in
the actor's scope (R0.6) — a unit outside it is answered like one that does not exist. The units
below a named unit (a folder's employers, an employer's departments, a department's
sub-departments) are in the scope with it. The duration categories come from the configuration
parameters ``AbsenceDurationShort`` / ``…Medium`` / ``…Long`` (R6.1's settings store).
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

import attrs

from xs_app.services.base import Service, employee, employer, hidden
from xs_app.services.command import Command
from xs_core.access.features import Feature
from xs_core.dates import DateRange
from xs_core.errors import DomainError, InvalidInput, NotFound, register_messages
from xs_core.money import Money
from xs_core.organisation.model import Department, Employer
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.organisation.validation import valid_code
from xs_core.policies.model import Policy, ProductKind
from xs_core.progress import Progress, silent
from xs_core.reports.absence import (
    AbsenceRow,
    UnitTree,
    absence_table,
    report_period,
)
from xs_core.reports.categories import DurationCategories, stored_duration_categories
from xs_core.reports.columns import ReportTable
from xs_core.reports.sums import absence_from_sums
from xs_core.reports.wia import (
    WIA_NN_REPORT_NAME,
    WIA_REPORT_NAME,
    OutflowReason,
    PolicyFacts,
    WiaBenefit,
    WiaClaim,
    WiaFacts,
    WiaRow,
    wia_columns,
    wia_row,
)
from xs_core.uow import UnitOfWork

register_messages(
    {
        "reports.unsupported_wia_unit": (
            "Het Wia werkbestand gaat over mappen en werkgevers, niet over {kind}.",
            "The WIA work file covers folders and employers, not {kind}.",
        ),
        "wia.no_employment_at_employer": (
            "De werknemer heeft geen dienstverband bij deze werkgever.",
            "The employee has no employment with this employer.",
        ),
    },
    kind=InvalidInput,
)

register_messages(
    {
        "reports.unknown_unit": (
            "Er is geen organisatieonderdeel met code {code}.",
            "There is no organisation unit with code {code}.",
        ),
    },
    kind=NotFound,
)

#: Above this many named employers the report reads all employers at once instead of each.
BULK_EMPLOYERS = 50


@attrs.frozen(kw_only=True)
class AbsenceReport(Command):
    """R3.1 for ``period`` (half-open, closed) and ``units`` (folders, employers, departments),
    each with the units below it."""

    actor: uuid.UUID
    period: DateRange
    units: tuple[UnitRef, ...]


@attrs.frozen(kw_only=True)
class RegisterWiaClaim(Command):
    """R3.2: a WIA claim of an employee at an employer where they have an employment."""

    actor: uuid.UUID
    employee_id: uuid.UUID
    employer_id: uuid.UUID
    start: _dt.date
    benefit: WiaBenefit
    monthly_wage: Decimal
    income_from_work: Decimal | None = None
    own_risk_end: _dt.date | None = None


@attrs.frozen(kw_only=True)
class RecordWiaOutflow(Command):
    """R3.3: the claim ends on ``date`` for ``reason`` (e.g. ``OutflowReason.AOW_AGE``)."""

    actor: uuid.UUID
    claim_id: uuid.UUID
    date: _dt.date
    reason: OutflowReason


@attrs.frozen(kw_only=True)
class WiaWorkFile(Command):
    """R3.2 (``nn=False``) or R3.3 (``nn=True``) for the claims at the employers of ``units``
    (folders, employers); ``on`` is the day whose leading employment gives R3.3's department
    (default today)."""

    actor: uuid.UUID
    units: tuple[UnitRef, ...]
    nn: bool = False
    on: _dt.date | None = None


@attrs.frozen(kw_only=True)
class WiaWorkFileResult:
    """The rows of R3.2 or R3.3, by employer name, employee name and WIA start date."""

    nn: bool
    rows: tuple[WiaRow, ...]

    def table(self) -> ReportTable:
        """The rows as a table for the exporters (R3.4)."""
        name = WIA_NN_REPORT_NAME if self.nn else WIA_REPORT_NAME
        cells = (row.cells(self.nn) for row in self.rows)
        return ReportTable(name, wia_columns(self.nn), cells, len(self.rows))


@attrs.frozen(kw_only=True)
class FindReportUnit(Command):
    """The unit with ``code``: an employer code, or ``employer code/department code``."""

    actor: uuid.UUID
    code: str


@attrs.frozen(kw_only=True)
class AbsenceReportResult:
    """R3.1's rows, in tree order, with the period and the duration categories used."""

    period: DateRange
    categories: DurationCategories
    rows: tuple[AbsenceRow, ...]

    def table(self) -> ReportTable:
        """The rows as a table for the exporters (R3.4)."""
        return absence_table(list(self.rows), self.categories)


def _department_tree(
    tree: UnitTree,
    departments: list[Department],
    start: Department,
    above: tuple[UnitRef, ...],
) -> None:
    """``start`` and its sub-departments, depth first by name."""
    children: dict[uuid.UUID | None, list[Department]] = defaultdict(list)
    for d in departments:
        children[d.parent_id].append(d)
    stack = [(start, above)]
    while stack:
        department, over = stack.pop()
        tree.add(department.ref, department.name, department.code, over, department.employer_id)
        below = (*over, department.ref)
        for child in sorted(children[department.id], key=lambda d: d.name, reverse=True):
            stack.append((child, below))


class ReportService(Service):
    """R3: reports as typed rows (R3.4); exported by :mod:`xs_adapters.exports`."""

    def _tree(self, uow: UnitOfWork, units: tuple[UnitRef, ...]) -> UnitTree:
        """The units in row order: each named unit with the units below it. The employers and
        their departments are read in bulk (a query per folder, one for all employers when many
        are named, a query per thousand employers for their departments), not per employer."""
        tree = UnitTree()
        named = [u.id for u in units if u.kind is UnitKind.EMPLOYER]
        employers: dict[uuid.UUID, Employer] = {}
        if len(named) > BULK_EMPLOYERS:
            employers = {e.id: e for e in uow.employers.list()}
        in_folders: dict[uuid.UUID, list[Employer]] = {}
        for unit in units:
            if unit.kind is UnitKind.FOLDER and unit.id not in in_folders:
                in_folders[unit.id] = sorted(uow.employers.list(unit.id), key=lambda e: e.name)
                employers.update({e.id: e for e in in_folders[unit.id]})
        for employer_id in named:
            if employer_id not in employers:
                employers[employer_id] = uow.employers.get(employer_id)
        departments: dict[uuid.UUID, list[Department]] = {e: [] for e in employers}
        for department in uow.departments.list_for_employers(sorted(employers)):
            departments[department.employer_id].append(department)

        def add_employer(employer: Employer, above: tuple[UnitRef, ...]) -> None:
            tree.add(employer.ref, employer.name, employer.code, above)
            own = departments[employer.id]
            for top in sorted((d for d in own if d.parent_id is None), key=lambda d: d.name):
                _department_tree(tree, own, top, (*above, employer.ref))

        for unit in units:
            if unit in tree:
                continue
            if unit.kind is UnitKind.FOLDER:
                found = uow.folders.get(unit.id)
                tree.add(found.ref, found.name, None)
                for employer in in_folders[unit.id]:
                    add_employer(employer, (found.ref,))
            elif unit.kind is UnitKind.EMPLOYER:
                add_employer(employers[unit.id], ())
            elif unit.kind is UnitKind.DEPARTMENT:
                department = uow.departments.get(unit.id)
                _department_tree(
                    tree, uow.departments.list_for_employer(department.employer_id), department, ()
                )
            else:
                raise DomainError(
                    "reports.unsupported_unit", {"rule": "R3.1", "kind": unit.kind.value}
                )
        return tree

    def absence(self, cmd: AbsenceReport, progress: Progress | None = None) -> AbsenceReportResult:
        """R3.1: one row per unit (and per unit below it) with the figures of the 1996 standard
        (:mod:`xs_core.reports.absence`), from the sums per employer and department that the
        storage adds up set-based (:mod:`xs_core.reports.sums`): memory and Python time follow
        the units, not the employees."""
        tell = progress or silent
        period = report_period(cmd.period)
        if not cmd.units:
            raise DomainError("reports.no_units", {"rule": "R3.1"})
        for unit in cmd.units:
            if unit.kind not in (UnitKind.FOLDER, UnitKind.EMPLOYER, UnitKind.DEPARTMENT):
                raise DomainError(
                    "reports.unsupported_unit", {"rule": "R3.1", "kind": unit.kind.value}
                )
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, Feature.VIEW_REPORTS, *cmd.units)
            categories = stored_duration_categories(uow.settings)
            tree = self._tree(uow, cmd.units)
            tell("units", 0, len(tree))
            sums = uow.absence_facts.absence_sums(sorted(tree.employer_ids), period, categories)
            rows = absence_from_sums(period, tree, sums, categories)
            tell("units", len(rows), len(rows))
            return AbsenceReportResult(period=period, categories=categories, rows=tuple(rows))

    def register_wia_claim(self, cmd: RegisterWiaClaim) -> uuid.UUID:
        """R3.2: register a WIA claim; the employee has an employment at the employer."""
        with self._uow() as uow:
            self._authorise(
                uow,
                cmd.actor,
                Feature.MANAGE_EMPLOYMENTS,
                employee(cmd.employee_id),
                employer(cmd.employer_id),
            )
            found = uow.employees.get(cmd.employee_id)
            if not any(e.employer_id == cmd.employer_id for e in found.employments):
                raise DomainError("wia.no_employment_at_employer", {"rule": "R3.2"})
            claim = WiaClaim.register(
                employee_id=found.id,
                employer_id=cmd.employer_id,
                start=cmd.start,
                benefit=cmd.benefit,
                monthly_wage=Money(cmd.monthly_wage),
                income_from_work=None
                if cmd.income_from_work is None
                else Money(cmd.income_from_work),
                own_risk_end=cmd.own_risk_end,
            )
            uow.wia_claims.add(claim)
            uow.commit()
            return claim.id

    def record_wia_outflow(self, cmd: RecordWiaOutflow) -> None:
        """R3.3: the claim's outflow date and reason, once (its row is locked); the claim's
        employee and employer must both lie in the actor's scope (R0.6)."""
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.MANAGE_EMPLOYMENTS)
            claim = uow.wia_claims.lock(cmd.claim_id)
            for unit in (employee(claim.employee_id), employer(claim.employer_id)):
                # the claim's employer too, as registering needs it: scoped to A, one never
                # touches a claim at B of an employee who also works at A (R0.6)
                auth.require_visible(principal, unit, hidden("wia_claim", cmd.claim_id))
            claim.record_outflow(cmd.date, cmd.reason)
            uow.wia_claims.save(claim)
            uow.commit()

    def wia_work_file(self, cmd: WiaWorkFile) -> WiaWorkFileResult:
        """R3.2 ``Wia werkbestand`` or R3.3 ``Wia werkbestand tbv NN``: one row per claim at
        the employers of the units (in the actor's scope, R0.6)."""
        if not cmd.units:
            raise DomainError("reports.no_units", {"rule": "R3.2"})
        for unit in cmd.units:
            if unit.kind not in (UnitKind.FOLDER, UnitKind.EMPLOYER):
                raise DomainError(
                    "reports.unsupported_wia_unit", {"rule": "R3.2", "kind": unit.kind.value}
                )
        on = cmd.on or self._clock.today()
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, Feature.VIEW_REPORTS, *cmd.units)
            employers = {}
            for unit in cmd.units:
                found = (
                    uow.employers.list(unit.id)
                    if unit.kind is UnitKind.FOLDER
                    else [uow.employers.get(unit.id)]
                )
                employers.update({e.id: e for e in found})
            policies = _wga_erd_policies(uow, frozenset(employers))
            departments = {
                d.id: d.name for e in employers for d in uow.departments.list_for_employer(e)
            }
            rows = []
            for claim in uow.wia_claims.for_employers(sorted(employers)):
                person = uow.employees.get(claim.employee_id)
                employer_ = employers[claim.employer_id]
                leading = person.leading_employment_on(on) or person.leading_employment
                conditions = None if leading is None else leading.conditions_on(on)
                if leading is not None and conditions is None:
                    conditions = leading.conditions
                department_id = None if conditions is None else conditions.department_id
                facts = WiaFacts(
                    claim=claim,
                    employee_name=person.full_name,
                    personnel_number=person.personnel_number,
                    gender=person.gender,
                    birth_date=person.birth_date,
                    employer_name=employer_.name,
                    employer_code=employer_.code,
                    policy=policies(claim),
                    department=None if department_id is None else departments.get(department_id),
                )
                rows.append(wia_row(facts, cmd.nn))
            rows.sort(
                key=lambda r: (
                    r.facts.employer_name,
                    r.facts.employee_name,
                    r.facts.claim.start,
                    str(r.facts.claim.id),
                )
            )
            return WiaWorkFileResult(nn=cmd.nn, rows=tuple(rows))

    def find_unit(self, cmd: FindReportUnit) -> UnitRef:
        """The employer (``W001``) or department (``W001/VERKOOP``) with that code in the
        actor's scope; ``reports.unknown_unit`` alike for a missing and a hidden one (R0.6)."""
        employer_text, slash, department_text = cmd.code.partition("/")
        employer_code = valid_code(employer_text)  # organisation.invalid_code: not a code
        department_code = valid_code(department_text)
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.VIEW_REPORTS)
            unknown = NotFound("reports.unknown_unit", {"rule": "R3.1", "code": cmd.code})
            employer = uow.employers.find_by_code(employer_code) if employer_code else None
            if employer is None or (slash and not department_code):
                raise unknown  # "W1/" names no department, and not the whole employer either
            found = employer.ref
            if department_code:
                department = uow.departments.find_by_code(employer.id, department_code)
                if department is None:
                    raise unknown
                found = department.ref
            auth.require_visible(principal, found, unknown)
            return found


def _wga_erd_policies(
    uow: UnitOfWork, employer_ids: frozenset[uuid.UUID]
) -> Callable[[WiaClaim], PolicyFacts | None]:
    """R3.2: the employer's WGA-ERD policy in force on the claim's WIA start date (of several,
    the lowest number), as the work file's policy columns."""
    products = {p.id: p for p in uow.products.list() if p.kind is ProductKind.WGA_ERD}
    insurers = {i.id: i.name for i in uow.insurers.list()}
    by_employer: dict[uuid.UUID, list[Policy]] = defaultdict(list)
    for policy in uow.policies.list(employer_ids):
        if policy.product_id in products:
            by_employer[policy.employer_id].append(policy)

    def find(claim: WiaClaim) -> PolicyFacts | None:
        candidates = [p for p in by_employer.get(claim.employer_id, ()) if claim.start in p.period]
        if not candidates:
            return None
        policy = min(candidates, key=lambda p: p.number)
        product = products[policy.product_id]
        return PolicyFacts(
            number=policy.number,
            insurer=insurers.get(product.insurer_id, ""),
            product=product.name,
            start=policy.period.start,
            last_day=policy.period.last_day,
            run_in_damage_date=policy.run_in_damage_date,
        )

    return find


__all__ = [
    "AbsenceReport",
    "AbsenceReportResult",
    "FindReportUnit",
    "RecordWiaOutflow",
    "RegisterWiaClaim",
    "ReportService",
    "WiaWorkFile",
    "WiaWorkFileResult",
]
