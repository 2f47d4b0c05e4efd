"""Statutory parameters as dated data with their sources (R0.4, DOMAIN §8).

>>> from datetime import date
>>> max_sv_wage(date(2026, 6, 1))
Decimal('79409')
>>> aow_date(date(1950, 8, 31)).date
Date(2015, 12, 1)
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

from xs_core.parameters.aow import AowDate, add_age, aow_date
from xs_core.parameters.table import (
    AowAge,
    ParameterNotAvailable,
    ParameterTable,
    ParameterValue,
    aow_age_table,
    max_sv_wage_table,
)

#: WGA own-risk bearing lasts 10 years from the start of the WGA benefit (DOMAIN §8).
WGA_OWN_RISK_YEARS = 10


def max_sv_wage(on_date: _dt.date) -> Decimal:
    """The maximum SV-wage (yearly maximum premieloon) in force on ``on_date``."""
    value: Decimal = max_sv_wage_table().value_on(on_date)
    return value


__all__ = [
    "WGA_OWN_RISK_YEARS",
    "AowAge",
    "AowDate",
    "ParameterNotAvailable",
    "ParameterTable",
    "ParameterValue",
    "add_age",
    "aow_age_table",
    "aow_date",
    "max_sv_wage",
    "max_sv_wage_table",
]
