"""Exact totals of amount columns (R0.3) in SQL, on both engines: the aggregates to select and
the total in cents from their values."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

import sqlalchemy as sa

# exact for any total of amounts (34 digits), whatever the thread's decimal context
_EXACT = Context(prec=34, rounding=ROUND_HALF_EVEN)

#: SQLite sums an amount column's high parts (whole multiples of this many cents) and low parts
#: apart: each is below 10**7 per row, so neither 64-bit sum can overflow.
SPLIT = 10**7


def amount_sums(column: Any, dialect: str) -> list[Any]:
    """Aggregates over an amount column (R0.3) from which :func:`total_cents` gives the exact
    total in cents, without overflow on either engine. PostgreSQL sums ``NUMERIC`` exactly and
    without limit; SQLite stores integer cents (:class:`~xs_adapters.sql.types.Cents`) and its
    ``sum`` of integers raises on 64-bit overflow, hence the two parts. The amounts are read as
    plain numbers (``type_coerce``), so that no literal is bound as an amount."""
    if dialect == "sqlite":
        cents = sa.type_coerce(column, sa.BigInteger)
        return [sa.func.sum(cents // SPLIT), sa.func.sum(cents % SPLIT)]
    return [sa.func.sum(sa.type_coerce(column, sa.Numeric(asdecimal=True)))]


def total_cents(sums: Sequence[Any], dialect: str) -> int:
    """The exact total in cents from the values of :func:`amount_sums` (SQLite's integer
    division and remainder both truncate towards zero, so high × split + low is exact)."""
    if dialect == "sqlite":
        high, low = sums
        return int(high or 0) * SPLIT + int(low or 0)
    (total,) = sums
    return int(Decimal(total or 0).scaleb(2, _EXACT))
