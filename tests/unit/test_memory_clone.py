"""The copy the in-memory store makes of what it stores and returns (R0.5: copied in and out)."""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal
from typing import Any

import attrs
import pendulum
from hypothesis import given

from xs_adapters.memory.clone import clone
from xs_adapters.memory.store import _copy
from xs_core.organisation.model import Employer
from xs_core.testing import strategies as xst


def _mutable_parts(value: Any, found: dict[int, Any] | None = None) -> dict[int, Any]:
    """Every mutable object reachable from ``value`` (lists, dicts, sets, mutable attrs)."""
    found = {} if found is None else found
    if isinstance(value, list | set | dict):
        found[id(value)] = value
        items = value.items() if isinstance(value, dict) else value
        for item in items:
            _mutable_parts(item, found)
    elif isinstance(value, tuple | frozenset):
        for item in value:
            _mutable_parts(item, found)
    elif attrs.has(type(value)):
        if not attrs.inspect(type(value)).is_frozen:
            found[id(value)] = value
        for field in attrs.fields(type(value)):
            _mutable_parts(getattr(value, field.name), found)
    return found


@given(xst.organisations())
def test_r0_5_a_clone_is_equal_and_shares_nothing_mutable(org: xst.Organisation) -> None:
    for original in [*org.employers, *org.departments, *org.employees]:
        copied = clone(original)
        assert copied == original
        assert copied is not original
        assert not _mutable_parts(original).keys() & _mutable_parts(copied).keys()


@given(xst.organisations(max_employees=3))
def test_r0_5_changing_a_clone_leaves_the_original_alone(org: xst.Organisation) -> None:
    for employee in org.employees:
        before = [(e.id, e.is_leading, len(e.versions)) for e in employee.employments]
        copied = clone(employee)
        for employment in copied.employments:
            employment.is_leading = not employment.is_leading
            employment.versions.clear()
        copied.employments.clear()
        assert [(e.id, e.is_leading, len(e.versions)) for e in employee.employments] == before


def test_r0_7_a_stored_copy_carries_no_pending_events() -> None:
    employer = Employer.create("Bakkerij Jansen")
    assert [e.name for e in employer.pending_events] == ["EmployerCreated"]
    assert _copy(employer).pending_events == []
    assert [e.name for e in employer.pending_events] == ["EmployerCreated"]


@attrs.frozen
class Atoms:
    number: int
    day: pendulum.Date
    amount: Decimal | None
    ident: uuid.UUID
    nested: tuple[Atoms, ...] = ()


@attrs.frozen
class Holder:
    """Frozen, but holding a list: not immutable."""

    items: list[int]
    label: str = "x"


class Plain:
    def __init__(self, items: list[int]) -> None:
        self.items = items


def test_immutable_values_are_shared_and_mutable_ones_copied() -> None:
    atoms = Atoms(1, pendulum.Date(2026, 1, 1), Decimal("1.50"), uuid.uuid4())
    assert clone(atoms) is atoms
    assert clone(Atoms(2, atoms.day, None, atoms.ident, (atoms,))) is not None
    assert clone((atoms, "a", 1)) == (atoms, "a", 1)
    same = (atoms, "a", 1)
    assert clone(same) is same

    holder = Holder([1, 2])
    copied = clone(holder)
    assert copied == holder and copied is not holder and copied.items is not holder.items
    in_tuple = (holder, _dt.date(2026, 1, 1))
    assert clone(in_tuple)[0] is not holder

    plain = Plain([1])
    other = clone(plain)  # not an attrs class: a plain deep copy
    assert other is not plain and other.items == [1] and other.items is not plain.items

    nested: dict[str, Any] = {"a": [1, {2}], "b": (3, [4])}
    copy_of_nested = clone(nested)
    assert copy_of_nested == nested
    assert copy_of_nested["a"] is not nested["a"] and copy_of_nested["b"][1] is not nested["b"][1]
