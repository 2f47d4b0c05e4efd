"""Strategies for aggregates made in memory, without the services: a small organisation of
employers, nested departments and employees with employments (R1.2). For a world built through
the services into an application, see ``xs.testing.worlds``."""

from __future__ import annotations

from decimal import Decimal

import attrs
from hypothesis import strategies as st

from xs_core.organisation.model import (
    Department,
    Employee,
    Employer,
    Employment,
    EmploymentType,
    Gender,
)
from xs_core.testing.moments import birth_dates, date_ranges
from xs_core.testing.text import codes, names
from xs_core.testing.values import uuids


@attrs.frozen
class Organisation:
    """A small organisation: employers, their departments (nested) and employees."""

    employers: tuple[Employer, ...]
    departments: tuple[Department, ...]
    employees: tuple[Employee, ...]


@st.composite
def organisations(
    draw: st.DrawFn, max_employers: int = 3, max_departments: int = 4, max_employees: int = 8
) -> Organisation:
    """Random organisations with unique codes per level, for search and scope properties; the
    aggregates' events are pulled (nothing to publish)."""
    short_names = names(20)
    short_codes = codes(6)
    employer_codes = draw(st.lists(short_codes, max_size=max_employers, unique_by=str.casefold))
    employers = [
        Employer.create(draw(short_names), code if draw(st.booleans()) else None, None, draw(uuids))
        for code in employer_codes
    ] or [Employer.create(draw(short_names), None, None, draw(uuids))]
    departments: list[Department] = []
    for employer in employers:
        dept_codes = draw(st.lists(short_codes, max_size=max_departments, unique_by=str.casefold))
        mine: list[Department] = []
        for code in dept_codes:
            parent = draw(st.sampled_from([None, *mine])) if mine else None
            mine.append(
                Department.create(
                    employer.id,
                    draw(short_names),
                    code,
                    None if parent is None else parent.id,
                    draw(uuids),
                )
            )
        departments += mine
    employees: list[Employee] = []
    for _ in range(draw(st.integers(0, max_employees))):
        employee = Employee.register(
            draw(short_names),
            draw(short_names),
            draw(birth_dates()),
            draw(st.sampled_from(Gender)),
            employee_id=draw(uuids),
        )
        for _ in range(draw(st.integers(0, 2))):
            employer = draw(st.sampled_from(employers))
            own = [d for d in departments if d.employer_id == employer.id]
            department = draw(st.sampled_from([None, *own])) if own else None
            employee.add_employment(
                Employment.create(
                    id=draw(uuids),
                    employer_id=employer.id,
                    department_id=None if department is None else department.id,
                    period=draw(date_ranges(max_days=4000)),
                    employment_type=draw(st.sampled_from(EmploymentType)),
                    hours_per_week=Decimal(draw(st.integers(1, 40))),
                )
            )
        employees.append(employee)
    for aggregate in [*employers, *departments, *employees]:
        aggregate.pull_events()
    return Organisation(tuple(employers), tuple(departments), tuple(employees))


__all__ = ["Organisation", "organisations"]
