"""Set-based writes of many new organisation units (generators, data loads)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy.engine import Connection

from xs_adapters.search_documents import (
    department_document,
    employee_document,
    employer_document,
)
from xs_adapters.sql import mappers, search_index
from xs_adapters.sql import tables as t
from xs_adapters.sql.copy import insert_rows
from xs_adapters.sql.organisation import (
    _branch_values,
    _contact_rows,
    _department_values,
    write_employments,
)
from xs_adapters.sql.organisation import _employer_values as employer_values
from xs_core.events import Aggregate
from xs_core.organisation.model import Branch, Department, Dossier, Employee, Employer, Folder

CHUNK = 20_000
T = TypeVar("T")


def _chunks(items: Sequence[T]) -> list[Sequence[T]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def parents_first(departments: Sequence[Department]) -> list[Department]:
    """Order departments so that a parent is inserted before its children."""
    by_id = {d.id: d for d in departments}
    depth: dict[object, int] = {}

    def level(d: Department) -> int:
        if d.id not in depth:
            parent = by_id.get(d.parent_id) if d.parent_id else None
            depth[d.id] = 0 if parent is None else level(parent) + 1
        return depth[d.id]

    return sorted(departments, key=level)


class SqlOrganisationBulkWriter:
    def __init__(self, connection: Connection, track: Callable[[Aggregate], None]) -> None:
        self._c = connection
        self._track = track

    def add_all(
        self,
        folders: Sequence[Folder] = (),
        employers: Sequence[Employer] = (),
        departments: Sequence[Department] = (),
        branches: Sequence[Branch] = (),
        employees: Sequence[Employee] = (),
        dossiers: Sequence[Dossier] = (),
    ) -> None:
        c = self._c
        for folder_chunk in _chunks(folders):
            insert_rows(c, t.folders, [{"id": f.id, "name": f.name} for f in folder_chunk])
        for employer_chunk in _chunks(employers):
            insert_rows(c, t.employers, [employer_values(e) for e in employer_chunk])
            contacts = [row for e in employer_chunk for row in _contact_rows(e)]
            insert_rows(c, t.employer_contact_persons, contacts)
            search_index.write(c, [employer_document(e) for e in employer_chunk], replace=False)
        for department_chunk in _chunks(parents_first(departments)):
            insert_rows(c, t.departments, [_department_values(d) for d in department_chunk])
            search_index.write(c, [department_document(d) for d in department_chunk], replace=False)
        for branch_chunk in _chunks(branches):
            insert_rows(c, t.branches, [_branch_values(b) for b in branch_chunk])
        for employee_chunk in _chunks(employees):
            insert_rows(c, t.employees, [mappers.employee_to_row(e) for e in employee_chunk])
            write_employments(c, employee_chunk)
            search_index.write(c, [employee_document(e) for e in employee_chunk], replace=False)
        for dossier_chunk in _chunks(dossiers):
            insert_rows(
                c,
                t.dossiers,
                [
                    {
                        "id": d.id,
                        "unit_kind": d.unit.kind.value,
                        "unit_id": d.unit.id,
                        "opened_on": d.opened_on,
                    }
                    for d in dossier_chunk
                ],
            )
        groups: list[Sequence[Aggregate]] = [
            folders,
            employers,
            departments,
            branches,
            employees,
            dossiers,
        ]
        for group in groups:
            for aggregate in group:
                self._track(aggregate)
