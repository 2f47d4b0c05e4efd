"""What the search index holds for each unit (R1.3): shared by every storage adapter."""

from __future__ import annotations

import uuid

import attrs

from xs_core.organisation.model import Department, Employee, Employer
from xs_core.organisation.search import KIND_ORDER, index_name, normalise_code
from xs_core.organisation.units import UnitKind


@attrs.frozen
class SearchDocument:
    kind: UnitKind
    unit_id: uuid.UUID
    name: str
    code: str | None
    #: where the unit lives, for scope filtering: (employer_id, department_id) pairs
    places: tuple[tuple[uuid.UUID | None, uuid.UUID | None], ...]

    @property
    def name_norm(self) -> str:
        """Fits the index column (R1.3): see :func:`xs_core.organisation.search.index_name`."""
        return index_name(self.name)

    @property
    def code_norm(self) -> str | None:
        return normalise_code(self.code)

    @property
    def kind_order(self) -> int:
        return KIND_ORDER[self.kind]


def employer_document(employer: Employer) -> SearchDocument:
    return SearchDocument(
        UnitKind.EMPLOYER, employer.id, employer.name, employer.code, ((employer.id, None),)
    )


def department_document(department: Department) -> SearchDocument:
    return SearchDocument(
        UnitKind.DEPARTMENT,
        department.id,
        department.name,
        department.code,
        ((department.employer_id, department.id),),
    )


def employee_document(employee: Employee) -> SearchDocument:
    """An employee's entry: a place per employer it is employed by (no department), and one
    more per department of each employment. Every department place has its employer's own
    place beside it — a search inside whole employers relies on it (R1.3)."""
    pairs: list[tuple[uuid.UUID | None, uuid.UUID | None]] = []
    for employment in employee.employments:
        pairs.append((employment.employer_id, None))
        pairs.extend(
            (employment.employer_id, d) for d in sorted(employment.department_ids, key=str)
        )
    places = tuple(dict.fromkeys(pairs)) or ((None, None),)
    return SearchDocument(UnitKind.EMPLOYEE, employee.id, employee.full_name, None, places)
