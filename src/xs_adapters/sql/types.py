"""Column types: pendulum dates, UTC instants, money, and byte-ordered text for search."""

from __future__ import annotations

import datetime as _dt
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

import pendulum
import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from xs_core import limits
from xs_core.money import CENT, MAX_CENTS, InvalidMoney, Money, exact_amount

# exact for every amount within the limit, whatever the thread's decimal context
_EXACT = Context(prec=34, rounding=ROUND_HALF_EVEN)


class PendulumDate(sa.types.TypeDecorator[pendulum.Date]):
    """A calendar date, returned as :class:`pendulum.Date` (R0.1)."""

    impl = sa.Date
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> _dt.date | None:
        if value is None:
            return None
        return _dt.date(value.year, value.month, value.day)

    def process_result_value(self, value: Any, dialect: Dialect) -> pendulum.Date | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = _dt.date.fromisoformat(value)
        return pendulum.Date(value.year, value.month, value.day)


class UtcDateTime(sa.types.TypeDecorator[pendulum.DateTime]):
    """An instant stored as UTC, returned as an aware pendulum value (R0.1)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> _dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give an aware instant")
        utc: _dt.datetime = value.astimezone(_dt.UTC)
        # a plain stdlib value: drivers subtract epochs from it, and pendulum's subtraction
        # builds a calendar interval each time (tens of microseconds per parameter)
        plain = _dt.datetime(
            utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond
        )
        if dialect.name == "sqlite":
            return plain
        return plain.replace(tzinfo=_dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> pendulum.DateTime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() == _dt.timedelta(0):
            # already UTC (PostgreSQL returns UTC, SQLite naive UTC): no time-zone conversion
            utc: pendulum.DateTime = pendulum.instance(value.replace(tzinfo=None), tz="UTC")
            return utc
        instant: pendulum.DateTime = pendulum.instance(value).in_timezone("UTC")
        return instant


#: Decimal digits of an amount column: all of :data:`~xs_core.money.MAX_AMOUNT`'s, two after the
#: point (NUMERIC(14, 2)); no :class:`Money` needs more, and the column refuses any that would.
AMOUNT_SCALE = 2
AMOUNT_PRECISION = len(str(MAX_CENTS))


class AmountRefused(InvalidMoney, sa.exc.DontWrapMixin):
    """An amount refused while binding it to a statement, with the code :class:`Money` gives
    (``money.out_of_range``, ``money.invalid_amount``); raised as is, not wrapped in
    SQLAlchemy's ``StatementError``."""


class Cents(sa.types.TypeDecorator[Decimal]):
    """An exact amount with two decimals (R0.3), within :data:`~xs_core.money.MAX_AMOUNT`.

    PostgreSQL stores ``NUMERIC(14, 2)``. SQLite has no decimal type (a ``NUMERIC`` column holds
    a binary float there), so it stores the amount as integer cents (``BIGINT``): exact, summed
    and compared exactly by SQLite itself. Values bound are checked like :class:`Money` (floats,
    fractions of a cent and out-of-range amounts are refused with a ``DomainError``) and read
    back as ``Decimal`` with two decimals on both engines.
    """

    impl = sa.Numeric(AMOUNT_PRECISION, AMOUNT_SCALE, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(self.impl_instance)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Decimal | int | None:
        if value is None:
            return None
        if isinstance(value, Money):
            amount = value.amount
        else:
            try:
                amount = exact_amount(value)
            except InvalidMoney as refused:
                raise AmountRefused(refused.code, refused.details) from None
        if dialect.name == "sqlite":
            return int(amount.scaleb(AMOUNT_SCALE, _EXACT))
        return amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            if not isinstance(value, int):  # a REAL would be an inexact amount: never guess
                raise TypeError(f"an amount column holds {value!r}, not integer cents")
            return Decimal(f"{value}E-{AMOUNT_SCALE}")
        return Decimal(value).quantize(CENT, context=_EXACT)


#: Text compared byte-wise (code-point order) on every engine, for prefix ranges and ordering.
SearchText = sa.String(limits.SEARCH_KEY).with_variant(
    sa.String(limits.SEARCH_KEY, collation="C"), "postgresql"
)
