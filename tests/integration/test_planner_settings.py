"""The planner settings of one statement (``xs_adapters.sql.planner``): PostgreSQL's
``SET LOCAL``, applied in one round trip and set back to the session's defaults after the block
(as ``SET LOCAL … TO DEFAULT`` did), so that later statements of the transaction (the search's
next rank class, a billing run's next stage) plan as before (R1.3, R5.1)."""

from __future__ import annotations

import sqlalchemy as sa

from xs_adapters.sql.engine import create_engine
from xs_adapters.sql.planner import planner


def _setting(connection: sa.Connection, name: str) -> str:
    return str(connection.execute(sa.text(f"SHOW {name}")).scalar_one())


def test_r1_3_planner_settings_hold_inside_the_block_and_are_restored_after_it(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        with planner(connection, enable_seqscan="off", enable_bitmapscan="off"):
            assert _setting(connection, "enable_seqscan") == "off"
            assert _setting(connection, "enable_bitmapscan") == "off"
            assert _setting(connection, "enable_hashjoin") == "on"  # only what was named
        assert _setting(connection, "enable_seqscan") == "on"
        assert _setting(connection, "enable_bitmapscan") == "on"
        with planner(connection, work_mem="8MB"):
            assert _setting(connection, "work_mem") == "8MB"
        assert _setting(connection, "work_mem") != "8MB"
    engine.dispose()


def test_r1_3_planner_settings_do_nothing_on_sqlite(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    with engine.connect() as connection, planner(connection, enable_seqscan="off"):
        assert connection.execute(sa.text("SELECT 1")).scalar_one() == 1
    engine.dispose()
