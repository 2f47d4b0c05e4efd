"""The conditions of automatic participation (aanvullende voorwaarden), R6.1–R6.3.

Four conditions, each switched on separately and all off at first (R6.1, R6.2):

1. :class:`AgeCondition` — excluded before reaching ``younger_than`` and from reaching
   ``older_than`` (an age in years and months, reached as for the AOW date, DOMAIN §8);
2. :class:`SicknessCondition` — excluded when sick on the policy start date, until fully
   recovered for more than 42 days (R6.2 Decision);
3. :class:`SalaryCondition` — included only while the annual salary exceeds the maximum SV-wage
   of the year (R0.4);
4. :class:`EmploymentTypeCondition` — the chosen employment types are excluded.

A product's conditions apply to its policies; a policy may override any single condition
(R6.3): :func:`effective_conditions`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

import attrs

from xs_core.errors import InvalidInput, register_messages
from xs_core.organisation.model import EmploymentType

#: The oldest age a condition may name.
MAX_AGE_YEARS = 120

register_messages(
    {
        "policies.invalid_age": (
            "Een leeftijd is 0 tot {maximum} jaar en 0 tot 11 maanden: {years} jaar en {months} "
            "maanden.",
            "An age is 0 to {maximum} years and 0 to 11 months: {years} years and {months} months.",
        ),
        "policies.age_bounds_reversed": (
            "De bovengrens ({older_than}) moet hoger zijn dan de ondergrens ({younger_than}).",
            "The upper bound ({older_than}) must be higher than the lower bound ({younger_than}).",
        ),
        "policies.age_condition_empty": (
            "Een actieve leeftijdsvoorwaarde heeft een onder- of bovengrens nodig.",
            "An active age condition needs a lower or an upper bound.",
        ),
        "policies.no_employment_types": (
            "Een actieve voorwaarde op dienstverbandtype sluit minstens één type uit.",
            "An active employment-type condition excludes at least one type.",
        ),
        "policies.unknown_employment_type": (
            "Het dienstverbandtype '{value}' bestaat niet; kies uit {allowed}.",
            "The employment type '{value}' does not exist; choose from {allowed}.",
        ),
        "policies.invalid_condition": (
            "Ongeldige voorwaarde {condition}: {field} moet {expected} zijn.",
            "Invalid condition {condition}: {field} must be {expected}.",
        ),
    },
    kind=InvalidInput,
)


def _check(condition: str, field: str, value: Any, expected: type, label: str) -> None:
    ok = isinstance(value, expected) and (expected is bool or not isinstance(value, bool))
    if not ok:
        raise InvalidInput(
            "policies.invalid_condition",
            {"rule": "R6.2", "condition": condition, "field": field, "expected": label},
        )


def employment_type(value: object) -> EmploymentType:
    """An employment type, or its stored value (``"intern"``); anything else is refused with
    ``policies.unknown_employment_type`` (R6.2 (4))."""
    if isinstance(value, EmploymentType):
        return value
    for member in EmploymentType:
        if isinstance(value, str) and value == member.value:
            return member
    raise InvalidInput(
        "policies.unknown_employment_type",
        {
            "rule": "R6.2",
            "value": str(value)[:40],
            "allowed": [m.value for m in EmploymentType],
        },
    )


def _employment_types(values: Iterable[object]) -> frozenset[EmploymentType]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInput(
            "policies.invalid_condition",
            {
                "rule": "R6.2",
                "condition": "employment_type",
                "field": "excluded",
                "expected": "a set of employment types",
            },
        )
    return frozenset(employment_type(v) for v in values)


@attrs.frozen(order=True)
class Age:
    """An age of ``years`` and ``months`` (0–11), e.g. 66 years and 3 months."""

    years: int
    months: int = 0

    def __attrs_post_init__(self) -> None:
        valid = (
            not isinstance(self.years, bool)
            and isinstance(self.years, int)
            and not isinstance(self.months, bool)
            and isinstance(self.months, int)
            and 0 <= self.years <= MAX_AGE_YEARS
            and 0 <= self.months <= 11
        )
        if not valid:
            raise InvalidInput(
                "policies.invalid_age",
                {
                    "rule": "R6.2",
                    "years": str(self.years),
                    "months": str(self.months),
                    "maximum": MAX_AGE_YEARS,
                },
            )

    @property
    def in_months(self) -> int:
        return self.years * 12 + self.months

    def __str__(self) -> str:
        return f"{self.years} jaar" + (f" en {self.months} maanden" if self.months else "")


@attrs.frozen(kw_only=True)
class AgeCondition:
    """R6.2 (1): excluded while younger than ``younger_than`` and from reaching ``older_than``."""

    active: bool = False
    younger_than: Age | None = None
    older_than: Age | None = None

    def __attrs_post_init__(self) -> None:
        _check("age", "active", self.active, bool, "true or false")
        for field in ("younger_than", "older_than"):
            if getattr(self, field) is not None:
                _check("age", field, getattr(self, field), Age, "an age")
        if self.active and self.younger_than is None and self.older_than is None:
            raise InvalidInput("policies.age_condition_empty", {"rule": "R6.2"})
        if (
            self.younger_than is not None
            and self.older_than is not None
            and self.older_than.in_months <= self.younger_than.in_months
        ):
            raise InvalidInput(
                "policies.age_bounds_reversed",
                {
                    "rule": "R6.2",
                    "younger_than": str(self.younger_than),
                    "older_than": str(self.older_than),
                },
            )


@attrs.frozen(kw_only=True)
class SicknessCondition:
    """R6.2 (2): excluded when sick on the policy start date."""

    active: bool = False

    def __attrs_post_init__(self) -> None:
        _check("sickness", "active", self.active, bool, "true or false")


@attrs.frozen(kw_only=True)
class SalaryCondition:
    """R6.2 (3): included only while the annual salary exceeds the maximum SV-wage."""

    active: bool = False

    def __attrs_post_init__(self) -> None:
        _check("salary", "active", self.active, bool, "true or false")


@attrs.frozen(kw_only=True)
class EmploymentTypeCondition:
    """R6.2 (4): the ``excluded`` employment types (of the leading employment) are excluded."""

    active: bool = False
    #: the excluded types; their stored values (``"intern"``) are accepted too, anything else is
    #: refused with ``policies.unknown_employment_type``
    excluded: frozenset[EmploymentType] = attrs.field(
        default=frozenset(), converter=_employment_types
    )

    def __attrs_post_init__(self) -> None:
        _check("employment_type", "active", self.active, bool, "true or false")
        if self.active and not self.excluded:
            raise InvalidInput("policies.no_employment_types", {"rule": "R6.2"})


@attrs.frozen(kw_only=True)
class Conditions:
    """The four conditions of a product or policy (R6.2); all off by default (R6.1)."""

    age: AgeCondition = AgeCondition()
    sickness: SicknessCondition = SicknessCondition()
    salary: SalaryCondition = SalaryCondition()
    employment_type: EmploymentTypeCondition = EmploymentTypeCondition()

    def __attrs_post_init__(self) -> None:
        for name in ConditionName:
            _check(name.value, name.value, getattr(self, name.value), name.kind, "a condition")

    @property
    def any_active(self) -> bool:
        return (
            self.age.active
            or self.sickness.active
            or self.salary.active
            or self.employment_type.active
        )


@attrs.frozen(kw_only=True)
class ConditionOverrides:
    """A policy's own settings of single conditions (R6.3); ``None`` follows the product."""

    age: AgeCondition | None = None
    sickness: SicknessCondition | None = None
    salary: SalaryCondition | None = None
    employment_type: EmploymentTypeCondition | None = None

    def __attrs_post_init__(self) -> None:
        for name in ConditionName:
            value = getattr(self, name.value)
            if value is not None:
                _check(name.value, name.value, value, name.kind, "a condition or none")

    def without(self, name: ConditionName) -> ConditionOverrides:
        """R6.3: the same overrides, ``name`` following the product again."""
        return attrs.evolve(self, **{name.value: None})

    @property
    def overridden(self) -> frozenset[ConditionName]:
        return frozenset(n for n in ConditionName if getattr(self, n.value) is not None)


class ConditionName(enum.Enum):
    """The four conditions by name (R6.2), as fields of :class:`Conditions`."""

    AGE = "age"
    SICKNESS = "sickness"
    SALARY = "salary"
    EMPLOYMENT_TYPE = "employment_type"

    @property
    def kind(self) -> type:
        return _KINDS[self]

    @property
    def label_nl(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]


_KINDS: dict[ConditionName, type] = {
    ConditionName.AGE: AgeCondition,
    ConditionName.SICKNESS: SicknessCondition,
    ConditionName.SALARY: SalaryCondition,
    ConditionName.EMPLOYMENT_TYPE: EmploymentTypeCondition,
}

_LABELS: dict[ConditionName, tuple[str, str]] = {
    ConditionName.AGE: (
        "Uitsluiten indien jonger/ouder dan",
        "Exclude when younger/older than",
    ),
    ConditionName.SICKNESS: (
        "Uitsluiten indien ziek bij ingangsdatum polis",
        "Exclude when sick on the policy start date",
    ),
    ConditionName.SALARY: (
        "Insluiten indien loon hoger dan SV-loon",
        "Include when the salary exceeds the maximum SV-wage",
    ),
    ConditionName.EMPLOYMENT_TYPE: (
        "Uitsluiten dienstverbandtypes",
        "Exclude employment types",
    ),
}


def effective_conditions(product: Conditions, overrides: ConditionOverrides) -> Conditions:
    """R6.3: the product's conditions, each replaced by the policy's override where it has one."""
    return Conditions(
        age=product.age if overrides.age is None else overrides.age,
        sickness=product.sickness if overrides.sickness is None else overrides.sickness,
        salary=product.salary if overrides.salary is None else overrides.salary,
        employment_type=(
            product.employment_type
            if overrides.employment_type is None
            else overrides.employment_type
        ),
    )
