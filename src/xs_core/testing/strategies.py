"""Hypothesis strategies for the value objects of xs, for property-based suites (R0.5).

Install with the ``testing`` extra. Every strategy gives values the core accepts: days in the
supported window, text within its column's limit and without control characters, amounts within
``MAX_AMOUNT``. ``st.from_type`` knows the value objects (the hypothesis entry point registers
them, see :mod:`xs_core.testing.hypothesis_hook`). The public surface is ``xs.testing``, which
adds the strategies for commands and worlds; ``docs/testing.md`` shows each one.

>>> from hypothesis import given
>>> from xs_core.testing import strategies as xst
>>> @given(xst.date_ranges())
... def test_a_range_contains_its_start(r):
...     assert r.start in r
"""

from __future__ import annotations

from xs_core.testing.aggregates import Organisation, organisations
from xs_core.testing.moments import (
    MAX_DATE,
    MAX_INSTANT,
    MIN_DATE,
    MIN_INSTANT,
    ZONES,
    birth_dates,
    date_ranges,
    dates,
    dates_outside_window,
    instants,
    span_bounds,
    time_spans,
)
from xs_core.testing.text import (
    NAME_ALPHABET,
    codes,
    emails,
    names,
    phones,
    postcodes,
    search_terms,
    text,
)
from xs_core.testing.values import (
    activity_types,
    addresses,
    age_conditions,
    ages,
    amounts,
    billing_frequencies,
    bulk_start_requests,
    bulk_units,
    client_actors,
    condition_overrides,
    conditions,
    contact_persons,
    contract_kinds,
    deviating_frequencies,
    deviations,
    dutch_vat_numbers,
    employment_conditions,
    employment_type_conditions,
    hours_per_week,
    money,
    price_categories,
    protocol_characteristics,
    protocol_variations,
    ratios,
    recovery_reports,
    scopes,
    search_queries,
    task_templates,
    unit_refs,
    uuids,
    vat_numbers,
)

__all__ = [
    "MAX_DATE",
    "MAX_INSTANT",
    "MIN_DATE",
    "MIN_INSTANT",
    "NAME_ALPHABET",
    "ZONES",
    "Organisation",
    "activity_types",
    "addresses",
    "age_conditions",
    "ages",
    "amounts",
    "billing_frequencies",
    "birth_dates",
    "bulk_start_requests",
    "bulk_units",
    "client_actors",
    "codes",
    "condition_overrides",
    "conditions",
    "contact_persons",
    "contract_kinds",
    "date_ranges",
    "dates",
    "dates_outside_window",
    "deviating_frequencies",
    "deviations",
    "dutch_vat_numbers",
    "emails",
    "employment_conditions",
    "employment_type_conditions",
    "hours_per_week",
    "instants",
    "money",
    "names",
    "organisations",
    "phones",
    "postcodes",
    "price_categories",
    "protocol_characteristics",
    "protocol_variations",
    "ratios",
    "recovery_reports",
    "scopes",
    "search_queries",
    "search_terms",
    "span_bounds",
    "task_templates",
    "text",
    "time_spans",
    "unit_refs",
    "uuids",
    "vat_numbers",
]
