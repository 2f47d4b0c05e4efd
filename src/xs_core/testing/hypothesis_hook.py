"""Hypothesis entry point: lets ``st.from_type`` build xs value objects.

It imports nothing at module level, because hypothesis calls it while it is being imported.
"""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    from hypothesis import strategies as st

    from xs_core.dates import DateRange
    from xs_core.money import Money
    from xs_core.organisation.vat import VatNumber
    from xs_core.testing import strategies as xst

    st.register_type_strategy(DateRange, xst.date_ranges())
    st.register_type_strategy(Money, xst.money())
    st.register_type_strategy(VatNumber, xst.vat_numbers())
