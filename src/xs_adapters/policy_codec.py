"""How the storage holds the conditions of a product, the overrides of a policy and the reasons
of a registration (R6.2–R6.5), typed and validated when read.

Conditions are one JSON document per product::

    {"age": {"active": true, "younger_than": {"years": 18, "months": 0}, "older_than": null},
     "sickness": {"active": false}, "salary": {"active": true},
     "employment_type": {"active": true, "excluded": ["intern", "on_call"]}}

A policy's overrides are a document of the same shape holding only the overridden conditions
(a missing key follows the product, R6.3). Reading goes through the core's constructors, so a
stored value the rules do not allow (an age of 200 years, an unknown employment type) is refused
with the core's own code; a document of the wrong shape with ``policies.invalid_stored_data``.
Reasons and notes of a registration are their codes, sorted and comma-separated.
"""

from __future__ import annotations

from typing import Any

from xs_core.errors import InvalidInput, register_messages
from xs_core.policies.conditions import (
    Age,
    AgeCondition,
    ConditionName,
    ConditionOverrides,
    Conditions,
    EmploymentTypeCondition,
    SalaryCondition,
    SicknessCondition,
)
from xs_core.policies.participation import ExclusionReason, Note

register_messages(
    {
        "policies.invalid_stored_data": (
            "Opgeslagen gegevens van {what} zijn ongeldig: {reason}.",
            "Stored data of {what} is invalid: {reason}.",
        ),
    },
    kind=InvalidInput,
)

#: The keys a stored condition may hold, besides ``active``.
_FIELDS: dict[ConditionName, frozenset[str]] = {
    ConditionName.AGE: frozenset({"younger_than", "older_than"}),
    ConditionName.SICKNESS: frozenset(),
    ConditionName.SALARY: frozenset(),
    ConditionName.EMPLOYMENT_TYPE: frozenset({"excluded"}),
}

Condition = AgeCondition | SicknessCondition | SalaryCondition | EmploymentTypeCondition


class StoredDataInvalid(InvalidInput):
    default_code = "policies.invalid_stored_data"


def _invalid(what: str, reason: str) -> StoredDataInvalid:
    return StoredDataInvalid("policies.invalid_stored_data", {"what": what, "reason": reason})


# -- writing ---------------------------------------------------------------------------------------


def _age_json(age: Age | None) -> dict[str, int] | None:
    return None if age is None else {"years": age.years, "months": age.months}


def condition_json(condition: Condition) -> dict[str, Any]:
    doc: dict[str, Any] = {"active": condition.active}
    if isinstance(condition, AgeCondition):
        doc["younger_than"] = _age_json(condition.younger_than)
        doc["older_than"] = _age_json(condition.older_than)
    elif isinstance(condition, EmploymentTypeCondition):
        doc["excluded"] = sorted(t.value for t in condition.excluded)
    return doc


def conditions_json(conditions: Conditions) -> dict[str, Any]:
    return {name.value: condition_json(getattr(conditions, name.value)) for name in ConditionName}


def overrides_json(overrides: ConditionOverrides) -> dict[str, Any]:
    return {
        name.value: condition_json(getattr(overrides, name.value))
        for name in ConditionName
        if getattr(overrides, name.value) is not None
    }


# -- reading ---------------------------------------------------------------------------------------


def _age(value: Any, what: str) -> Age | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"years", "months"}:
        raise _invalid(what, "an age is {years, months}")
    return Age(value["years"], value["months"])


def _condition(name: ConditionName, doc: Any, what: str) -> Condition:
    if not isinstance(doc, dict) or "active" not in doc:
        raise _invalid(what, f"condition {name.value} is not an object with 'active'")
    extra = set(doc) - {"active"} - _FIELDS[name]
    if extra:
        raise _invalid(what, f"condition {name.value} has unknown keys {sorted(extra)}")
    active = doc["active"]
    if name is ConditionName.AGE:
        return AgeCondition(
            active=active,
            younger_than=_age(doc.get("younger_than"), what),
            older_than=_age(doc.get("older_than"), what),
        )
    if name is ConditionName.SICKNESS:
        return SicknessCondition(active=active)
    if name is ConditionName.SALARY:
        return SalaryCondition(active=active)
    excluded = doc.get("excluded", [])
    if not isinstance(excluded, list):
        raise _invalid(what, "excluded employment types are a list")
    return EmploymentTypeCondition(active=active, excluded=frozenset(excluded))


def _document(doc: Any, what: str) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise _invalid(what, "not an object")
    unknown = set(doc) - {n.value for n in ConditionName}
    if unknown:
        raise _invalid(what, f"unknown conditions {sorted(unknown)}")
    return doc


def conditions_from_json(doc: Any, what: str = "conditions") -> Conditions:
    """A product's conditions; a condition that is not stored is off (R6.1)."""
    found = _document(doc, what)
    stored: dict[str, Any] = {
        name.value: _condition(name, found[name.value], what)
        for name in ConditionName
        if name.value in found
    }
    return Conditions(**stored)


def overrides_from_json(doc: Any, what: str = "overrides") -> ConditionOverrides:
    """A policy's overrides; a condition that is not stored follows the product (R6.3)."""
    found = _document(doc, what)
    stored: dict[str, Any] = {
        name.value: _condition(name, found[name.value], what)
        for name in ConditionName
        if name.value in found and found[name.value] is not None
    }
    return ConditionOverrides(**stored)


def codes(values: frozenset[ExclusionReason] | frozenset[Note]) -> str:
    """Reasons or notes as stored: their codes, sorted, comma-separated."""
    return ",".join(sorted(v.value for v in values))


def reasons_from_codes(text: str, what: str = "registration") -> frozenset[ExclusionReason]:
    try:
        return frozenset(ExclusionReason(c) for c in text.split(",") if c)
    except ValueError:
        raise _invalid(what, f"unknown exclusion reason in {text!r}") from None


def notes_from_codes(text: str, what: str = "registration") -> frozenset[Note]:
    try:
        return frozenset(Note(c) for c in text.split(",") if c)
    except ValueError:
        raise _invalid(what, f"unknown note in {text!r}") from None
