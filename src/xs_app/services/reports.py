"""Use cases of reports (R3.1, R3.4): absence per organisation unit with duration categories.

A report is a query: it needs the feature ``reports.view`` and every unit it names must lie in
the actor's scope (R0.6) — a unit outside it is answered like one that does not exist. The units
below a named unit (a folder's employers, an employer's departments, a department's
sub-departments) are in the scope with it. The duration categories come from the configuration
parameters ``AbsenceDurationShort`` / ``…Medium`` / ``…Long`` (R6.1's settings store).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator

import attrs

from xs_app.services.base import Service
from xs_app.services.command import Command
from xs_core.access.features import Feature
from xs_core.dates import DateRange
from xs_core.errors import DomainError, NotFound, register_messages
from xs_core.organisation.model import Department
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.organisation.validation import valid_code
from xs_core.progress import Progress, silent
from xs_core.reports.absence import (
    AbsenceRow,
    EmployeeAbsence,
    UnitTree,
    absence_per_unit,
    absence_table,
    report_period,
)
from xs_core.reports.categories import DurationCategories, stored_duration_categories
from xs_core.reports.columns import ReportTable
from xs_core.uow import UnitOfWork

register_messages(
    {
        "reports.unknown_unit": (
            "Er is geen organisatieonderdeel met code {code}.",
            "There is no organisation unit with code {code}.",
        ),
    },
    kind=NotFound,
)

#: How often the absence report tells its progress, in employees.
PROGRESS_EVERY = 1000


@attrs.frozen(kw_only=True)
class AbsenceReport(Command):
    """R3.1 for ``period`` (half-open, closed) and ``units`` (folders, employers, departments),
    each with the units below it."""

    actor: uuid.UUID
    period: DateRange
    units: tuple[UnitRef, ...]


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

    def _employer(self, uow: UnitOfWork, tree: UnitTree, employer_id: uuid.UUID,
                  above: tuple[UnitRef, ...]) -> None:  # fmt: skip
        employer = uow.employers.get(employer_id)
        tree.add(employer.ref, employer.name, employer.code, above)
        departments = uow.departments.list_for_employer(employer.id)
        for top in sorted((d for d in departments if d.parent_id is None), key=lambda d: d.name):
            _department_tree(tree, departments, top, (*above, employer.ref))

    def _tree(self, uow: UnitOfWork, units: tuple[UnitRef, ...]) -> UnitTree:
        tree = UnitTree()
        for unit in units:
            if unit in tree:
                continue
            if unit.kind is UnitKind.FOLDER:
                found = uow.folders.get(unit.id)
                tree.add(found.ref, found.name, None)
                for employer in sorted(uow.employers.list(found.id), key=lambda e: e.name):
                    self._employer(uow, tree, employer.id, (found.ref,))
            elif unit.kind is UnitKind.EMPLOYER:
                self._employer(uow, tree, unit.id, ())
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
        (:mod:`xs_core.reports.absence`); the employees are read in chunks (flat memory)."""
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
            facts = uow.absence_facts.absence_facts(sorted(tree.employer_ids), period)
            rows = absence_per_unit(period, tree, _counted(facts, tell), categories)
            return AbsenceReportResult(period=period, categories=categories, rows=tuple(rows))

    def find_unit(self, cmd: FindReportUnit) -> UnitRef:
        """The employer (``W001``) or department (``W001/VERKOOP``) with that code in the
        actor's scope; ``reports.unknown_unit`` alike for a missing and a hidden one (R0.6)."""
        employer_text, _, department_text = cmd.code.partition("/")
        employer_code = valid_code(employer_text)  # organisation.invalid_code: not a code
        department_code = valid_code(department_text)
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.VIEW_REPORTS)
            unknown = NotFound("reports.unknown_unit", {"rule": "R3.1", "code": cmd.code})
            employer = uow.employers.find_by_code(employer_code) if employer_code else None
            if employer is None:
                raise unknown
            found = employer.ref
            if department_code:
                department = uow.departments.find_by_code(employer.id, department_code)
                if department is None:
                    raise unknown
                found = department.ref
            auth.require_visible(principal, found, unknown)
            return found


def _counted(facts: Iterator[EmployeeAbsence], tell: Progress) -> Iterator[EmployeeAbsence]:
    done = 0
    for item in facts:
        yield item
        done += 1
        if done % PROGRESS_EVERY == 0:
            tell("employees", done, None)
    tell("employees", done, done)


__all__ = ["AbsenceReport", "AbsenceReportResult", "FindReportUnit", "ReportService"]
