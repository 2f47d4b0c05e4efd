"""COPY's text format written by hand (``copy_text`` / ``copy_lines``, the nightly run's bulk
writes on PostgreSQL, R6.6): any text PostgreSQL can store, and NULL, reads back as it was — the
same as the driver's own COPY (``copy_rows``) writes it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from xs_adapters.sql.copy import copy_lines, copy_rows, copy_text
from xs_adapters.sql.engine import create_engine

pytestmark = pytest.mark.postgres

#: Text PostgreSQL stores: any character but NUL (and no lone surrogates, which UTF-8 cannot
#: encode); COPY's own separators and escapes weighted in.
TEXTS = st.one_of(
    st.none(),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00")),
    st.lists(st.sampled_from(["\\", "\t", "\n", "\r", "\\N", "N", "a", "é", " "])).map("".join),
)
ROWS = st.lists(st.tuples(TEXTS, TEXTS), max_size=80)


@pytest.fixture
def engine(postgres_url: str) -> Iterator[sa.Engine]:
    created = create_engine(postgres_url)
    yield created
    created.dispose()


def _written(engine: sa.Engine, rows: list[tuple[str | None, str | None]], lines: bool) -> list:
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TEMPORARY TABLE t (n integer, a text, b text)")
        numbered = [(n, a, b) for n, (a, b) in enumerate(rows)]
        if lines:
            copy_lines(
                connection,
                "t",
                ("n", "a", "b"),
                (f"{n}\t{copy_text(a)}\t{copy_text(b)}\n" for n, a, b in numbered),
            )
        else:
            copy_rows(connection, "t", ("n", "a", "b"), numbered)
        found = connection.exec_driver_sql("SELECT a, b FROM t ORDER BY n").all()
        connection.rollback()
    return [tuple(row) for row in found]


@settings(max_examples=150, deadline=None)
@given(rows=ROWS)
def test_r6_6_lines_of_copy_text_read_back_as_written(
    engine: sa.Engine, rows: list[tuple[str | None, str | None]]
) -> None:
    assert _written(engine, rows, lines=True) == rows
    assert _written(engine, rows, lines=False) == rows


def test_r6_6_lines_go_to_the_server_in_blocks(engine: sa.Engine) -> None:
    """More than one block of about a megabyte, a line never split between blocks' meaning."""
    rows = [(f"{n}\\\t\n" * 40, None if n % 7 else "x") for n in range(5_000)]
    assert _written(engine, rows, lines=True) == rows
