"""The published hypothesis strategies and their entry point (``st.from_type``)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xs_core.dates import DateRange
from xs_core.money import Money
from xs_core.organisation.vat import VatNumber
from xs_core.testing import strategies as xst


@given(st.from_type(DateRange), st.from_type(Money), st.from_type(VatNumber))
def test_entry_point_registers_the_value_objects(r: DateRange, m: Money, v: VatNumber) -> None:
    assert r.end is None or r.start < r.end
    assert m == Money(m.amount)
    assert VatNumber.parse(str(v)) == v


@given(xst.organisations())
def test_organisations_are_consistent(org: xst.Organisation) -> None:
    employer_ids = {e.id for e in org.employers}
    departments = {d.id: d for d in org.departments}
    for department in org.departments:
        assert department.employer_id in employer_ids
        if department.parent_id is not None:
            assert departments[department.parent_id].employer_id == department.employer_id
    for employee in org.employees:
        leading = [e for e in employee.employments if e.is_leading]
        assert len(leading) == (1 if employee.employments else 0)
        for employment in employee.employments:
            assert employment.employer_id in employer_ids
            if employment.department_id is not None:
                assert departments[employment.department_id].employer_id == employment.employer_id
