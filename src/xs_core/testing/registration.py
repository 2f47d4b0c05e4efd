"""Which strategy ``st.from_type`` uses for each value object of the core (R0.5).

:func:`register` is run by :mod:`xs_core.testing.hypothesis_hook` once hypothesis and xs are
both imported. It registers callables, which import :mod:`xs_core.testing.strategies` only when
hypothesis resolves a type; this module itself imports the value types, not the strategies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xs_core.access.api_clients import ClientActor
from xs_core.access.model import Scope
from xs_core.agenda.spans import TimeSpan
from xs_core.billing.contracts import PriceCategory
from xs_core.dates import DateRange
from xs_core.money import Money
from xs_core.organisation.model import Address, ContactPerson, EmploymentConditions
from xs_core.organisation.search import SearchQuery
from xs_core.organisation.units import UnitRef
from xs_core.organisation.vat import VatNumber
from xs_core.policies.conditions import ConditionOverrides, Conditions
from xs_core.protocols.bulk import BulkStartRequest, BulkUnit
from xs_core.protocols.model import ProtocolCharacteristics, ProtocolVariation, TaskTemplate
from xs_core.protocols.sickness import RecoveryReport

#: Every value object a caller builds, with the name of its strategy in
#: :mod:`xs_core.testing.strategies` (called without arguments).
VALUE_STRATEGIES: dict[type, str] = {
    Address: "addresses",
    BulkStartRequest: "bulk_start_requests",
    BulkUnit: "bulk_units",
    ClientActor: "client_actors",
    ConditionOverrides: "condition_overrides",
    Conditions: "conditions",
    ContactPerson: "contact_persons",
    DateRange: "date_ranges",
    EmploymentConditions: "employment_conditions",
    Money: "money",
    PriceCategory: "price_categories",
    ProtocolCharacteristics: "protocol_characteristics",
    ProtocolVariation: "protocol_variations",
    RecoveryReport: "recovery_reports",
    Scope: "scopes",
    SearchQuery: "search_queries",
    TaskTemplate: "task_templates",
    TimeSpan: "time_spans",
    UnitRef: "unit_refs",
    VatNumber: "vat_numbers",
}


def strategy_for(value_type: type) -> Any:
    """The default strategy of a value object (imports the strategies module)."""
    from xs_core.testing import strategies

    return getattr(strategies, VALUE_STRATEGIES[value_type])()


def _resolver(value_type: type) -> Callable[[type], Any]:
    # hypothesis may call this with a supertype it was asked for: the strategy is value_type's
    return lambda _requested: strategy_for(value_type)


def register() -> None:
    """Register every value object for ``st.from_type``."""
    from hypothesis import strategies as st

    for value_type in VALUE_STRATEGIES:
        st.register_type_strategy(value_type, _resolver(value_type))


__all__ = ["VALUE_STRATEGIES", "register", "strategy_for"]
