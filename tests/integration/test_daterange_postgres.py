"""R0.2: DateRange's algebra checked by hypothesis against PostgreSQL's own daterange operators."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from hypothesis import given, settings

from xs_core.dates import DateRange
from xs_core.testing import strategies as xst

D = _dt.date
ranges = xst.date_ranges(min_value=D(2026, 1, 1), max_value=D(2026, 4, 1))


@pytest.fixture(scope="module")
def pg(postgres_server: sa.Engine) -> Iterator[sa.Connection]:
    with postgres_server.connect() as connection:
        yield connection


def _lit(r: DateRange) -> str:
    return f"[{r.start.isoformat()},{'' if r.end is None else r.end.isoformat()})"


def _from_pg(lower: _dt.date | None, upper: _dt.date | None, empty: bool) -> DateRange | None:
    if empty:
        return None
    assert lower is not None
    return DateRange(lower, upper)


@settings(max_examples=300)
@given(a=ranges, b=ranges, day=xst.dates(D(2025, 12, 1), D(2026, 5, 1)))
def test_r0_2_algebra_equals_postgres_daterange(
    pg: sa.Connection, a: DateRange, b: DateRange, day: _dt.date
) -> None:
    row = pg.execute(
        sa.text(
            "SELECT a && b AS overlaps, a -|- b AS adjacent, a @> b AS encloses,"
            " a @> CAST(:day AS date) AS contains,"
            " lower(a * b) AS i_lower, upper(a * b) AS i_upper, isempty(a * b) AS i_empty,"
            " (a && b OR a -|- b) AS unionable"
            " FROM (SELECT CAST(:a AS daterange) AS a, CAST(:b AS daterange) AS b) AS t"
        ),
        {"a": _lit(a), "b": _lit(b), "day": day},
    ).one()
    assert a.overlaps(b) == row.overlaps
    assert a.is_adjacent_to(b) == row.adjacent
    assert a.encloses(b) == row.encloses
    assert a.contains(day) == row.contains
    assert a.intersection(b) == _from_pg(row.i_lower, row.i_upper, row.i_empty)
    if row.unionable:
        union = pg.execute(
            sa.text(
                "SELECT lower(r) AS lo, upper(r) AS up FROM "
                "(SELECT CAST(:a AS daterange) + CAST(:b AS daterange) AS r) AS t"
            ),
            {"a": _lit(a), "b": _lit(b)},
        ).one()
        assert a.union(b) == DateRange(union.lo, union.up)
    # PostgreSQL's "-" answers when at most one piece remains; ours gives the pieces.
    pieces = a.difference(b)
    if len(pieces) <= 1:
        diff = pg.execute(
            sa.text(
                "SELECT lower(r) AS lo, upper(r) AS up, isempty(r) AS empty FROM "
                "(SELECT CAST(:a AS daterange) - CAST(:b AS daterange) AS r) AS t"
            ),
            {"a": _lit(a), "b": _lit(b)},
        ).one()
        assert (pieces[0] if pieces else None) == _from_pg(diff.lo, diff.up, diff.empty)
    else:
        with pytest.raises(sa.exc.DataError):  # "would not be contiguous"
            pg.execute(
                sa.text("SELECT CAST(:a AS daterange) - CAST(:b AS daterange)"),
                {"a": _lit(a), "b": _lit(b)},
            )
