"""Column types: pendulum dates, UTC instants, money, and byte-ordered text for search."""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any

import pendulum
import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from xs_core import limits


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


class Cents(sa.types.TypeDecorator[Decimal]):
    """An exact amount with two decimals (R0.3)."""

    impl = sa.Numeric(14, 2, asdecimal=True)
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value).quantize(Decimal("0.01"))


#: Text compared byte-wise (code-point order) on every engine, for prefix ranges and ordering.
SearchText = sa.String(limits.SEARCH_KEY).with_variant(
    sa.String(limits.SEARCH_KEY, collation="C"), "postgresql"
)
