"""Hypothesis strategies for the value objects of xs, for users' property-based suites.

Install with the ``testing`` extra. The hypothesis entry point registers them for
``st.from_type`` (``DateRange``, ``Money``, ``VatNumber``).

>>> from hypothesis import given
>>> from xs_core.testing import strategies as xst
>>> @given(xst.date_ranges())
... def test_a_range_contains_its_start(r):
...     assert r.start in r
"""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal

import attrs
from hypothesis import strategies as st

from xs_core.dates import DateRange
from xs_core.money import Money
from xs_core.organisation.model import (
    Department,
    Employee,
    Employer,
    Employment,
    EmploymentType,
    Gender,
)
from xs_core.organisation.vat import VatNumber

MIN_DATE = _dt.date(1990, 1, 1)
MAX_DATE = _dt.date(2040, 12, 31)


def dates(
    min_value: _dt.date = MIN_DATE, max_value: _dt.date = MAX_DATE
) -> st.SearchStrategy[_dt.date]:
    """Calendar dates (R0.1)."""
    return st.dates(min_value=min_value, max_value=max_value)


@st.composite
def date_ranges(
    draw: st.DrawFn,
    min_value: _dt.date = MIN_DATE,
    max_value: _dt.date = MAX_DATE,
    open_ended: bool = True,
    max_days: int | None = None,
) -> DateRange:
    """Half-open, never empty date ranges; some open-ended when ``open_ended`` (R0.2)."""
    start = draw(dates(min_value, max_value - _dt.timedelta(days=1)))
    if open_ended and draw(st.booleans()) and draw(st.booleans()):
        return DateRange(start, None)
    limit = (max_value - start).days
    if max_days is not None:
        limit = min(limit, max_days)
    length = draw(st.integers(min_value=1, max_value=max(1, limit)))
    return DateRange(start, start + _dt.timedelta(days=length))


def money(min_cents: int = -10_000_000, max_cents: int = 10_000_000) -> st.SearchStrategy[Money]:
    """Exact euro amounts (R0.3)."""
    return st.integers(min_value=min_cents, max_value=max_cents).map(Money.from_cents)


def ratios(max_parts: int = 24) -> st.SearchStrategy[list[int]]:
    """Allocation ratios: non-negative, at least one positive."""
    return st.lists(st.integers(0, 1000), min_size=1, max_size=max_parts).filter(
        lambda r: sum(r) > 0
    )


@st.composite
def dutch_vat_numbers(draw: st.DrawFn) -> str:
    """Valid Dutch btw-nummers in compact form, by the old mod-11 or the newer mod-97 check."""
    suffix = draw(st.integers(1, 99))
    if draw(st.booleans()):
        while True:
            first = draw(st.lists(st.integers(0, 9), min_size=8, max_size=8))
            check = sum(d * (9 - i) for i, d in enumerate(first)) % 11
            if check < 10 and any(first):
                digits = "".join(map(str, first)) + str(check)
                return f"NL{digits}B{suffix:02d}"
    head = draw(st.integers(1, 9_999_999))
    # "NL" -> 2321, "B" -> 11 (ISO 7064 mod 97-10); choose the last two digits so that the
    # whole number is 1 modulo 97: x * 10**4 contributes 9x (mod 97), and 9 * 54 = 1 (mod 97).
    rest = int(f"2321{head:07d}00" + "11" + f"{suffix:02d}") % 97
    tail = (54 * (1 - rest)) % 97
    return f"NL{head:07d}{tail:02d}B{suffix:02d}"


def vat_numbers() -> st.SearchStrategy[VatNumber]:
    """Valid VAT numbers (Dutch and a few other EU examples), R1.1."""
    others = st.sampled_from(["DE136695976", "BE0403170701", "FR40303265045", "ATU13585627"])
    return st.one_of(dutch_vat_numbers(), others).map(VatNumber.parse)


def birth_dates() -> st.SearchStrategy[_dt.date]:
    """Birth dates of working-age people (and the AOW table's edges)."""
    return st.dates(min_value=_dt.date(1940, 1, 1), max_value=_dt.date(2008, 12, 31))


names = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzéëïöüçABCDEFGHIJKLMNOPQRSTUVWXYZ -'")),
    min_size=1,
    max_size=20,
).filter(lambda s: bool(s.strip()))

codes = st.text(alphabet=st.sampled_from(list("ABCDEFGH0123456789-")), min_size=1, max_size=6)

uuids = st.uuids(version=4)


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
    """Random organisations with unique codes per level, for search and scope properties."""
    employer_codes = draw(st.lists(codes, max_size=max_employers, unique_by=str.casefold))
    employers = [
        Employer.create(draw(names), code if draw(st.booleans()) else None, None, draw(uuids))
        for code in employer_codes
    ] or [Employer.create(draw(names), None, None, draw(uuids))]
    departments: list[Department] = []
    for employer in employers:
        dept_codes = draw(st.lists(codes, max_size=max_departments, unique_by=str.casefold))
        mine: list[Department] = []
        for code in dept_codes:
            parent = draw(st.sampled_from([None, *mine])) if mine else None
            mine.append(
                Department.create(
                    employer.id,
                    draw(names),
                    code,
                    None if parent is None else parent.id,
                    draw(uuids),
                )
            )
        departments += mine
    employees: list[Employee] = []
    for _ in range(draw(st.integers(0, max_employees))):
        employee = Employee.register(
            draw(names),
            draw(names),
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


__all__ = [
    "Organisation",
    "birth_dates",
    "date_ranges",
    "dates",
    "dutch_vat_numbers",
    "money",
    "organisations",
    "ratios",
    "uuid",
    "vat_numbers",
]
