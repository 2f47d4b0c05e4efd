"""The Alembic migrations and the SQLAlchemy metadata agree, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as _dt
import uuid
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from xs_adapters.sql.engine import create_engine
from xs_adapters.sql.migrate import (
    alembic_config,
    current_revision,
    downgrade,
    include_object,
    upgrade,
)
from xs_adapters.sql.tables import metadata

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def _diff(engine: sa.Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_object": include_object, "compare_type": True},
        )
        return list(compare_metadata(context, metadata))


def test_migrations_match_metadata_on_sqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    upgrade(engine)
    assert current_revision(engine) == HEAD
    assert _diff(engine) == []
    downgrade(engine, "base")
    assert sa.inspect(engine).get_table_names() == ["alembic_version"]
    upgrade(engine)
    assert _diff(engine) == []
    engine.dispose()


def test_migrations_match_metadata_on_postgres(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    assert current_revision(engine) == HEAD  # the template was migrated
    assert _diff(engine) == []
    with engine.connect() as connection:
        indexes = connection.execute(
            sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'search_entries'")
        ).scalars()
        assert "ix_search_entries_name_trgm" in set(indexes)
    downgrade(engine, "base")
    upgrade(engine)
    assert _diff(engine) == []
    engine.dispose()


def _employment_history_survives(engine: sa.Engine) -> None:
    """0002 turns each employment's conditions into a version, and back on downgrade."""
    downgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            uuids("INSERT INTO employers (id, name) VALUES (:e, 'A')"), {"e": EMPLOYER}
        )
        connection.execute(
            uuids(
                "INSERT INTO employees (id, first_name, last_name, gender)"
                " VALUES (:p, 'Jan', 'Jansen', 'M')"
            ),
            {"p": PERSON},
        )
        connection.execute(
            uuids(
                "INSERT INTO employments (id, employee_id, employer_id, start_date,"
                " employment_type, hours_per_week, salary, job_title, is_leading)"
                " VALUES (:m, :p, :e, :start, 'permanent', 32, 45000, 'Bakker', :yes)"
            ),
            {"m": EMPLOYMENT, "p": PERSON, "e": EMPLOYER, "start": D(2020, 1, 1), "yes": True},
        )
    upgrade(engine)
    with engine.connect() as connection:
        version = connection.execute(
            sa.text(
                "SELECT valid_from, valid_until, hours_per_week, job_title FROM employment_versions"
            )
        ).one()
    assert (
        str(version.valid_from)[:10],
        version.valid_until,
        float(version.hours_per_week),
        version.job_title,
    ) == ("2020-01-01", None, 32.0, "Bakker")
    downgrade(engine, "0001")
    with engine.connect() as connection:
        row = connection.execute(sa.text("SELECT hours_per_week, job_title FROM employments")).one()
    assert (float(row.hours_per_week), row.job_title) == (32.0, "Bakker")
    upgrade(engine)


EMPLOYER, PERSON, EMPLOYMENT = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def uuids(sql: str) -> sa.TextClause:
    """Raw SQL whose :e, :p and :m parameters are UUIDs, stored as each engine stores them."""
    clause = sa.text(sql)
    names = [n for n in ("e", "p", "m") if f":{n}" in sql]
    return clause.bindparams(*(sa.bindparam(n, type_=sa.Uuid) for n in names))


D = _dt.date


def test_0002_moves_employment_conditions_into_versions_on_sqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    upgrade(engine)
    _employment_history_survives(engine)
    assert _diff(engine) == []
    engine.dispose()


def test_0002_moves_employment_conditions_into_versions_on_postgres(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    _employment_history_survives(engine)
    assert _diff(engine) == []
    engine.dispose()


def _search_scope_rows_get_their_ranking_columns(engine: sa.Engine) -> None:
    """0006 copies each entry's ranking columns into its scope rows (R1.3), and drops them on
    downgrade."""
    downgrade(engine, "0005")
    with engine.begin() as connection:
        connection.execute(
            uuids(
                "INSERT INTO search_entries (id, kind, unit_id, kind_order, name, code,"
                " name_norm, code_norm) VALUES (7, 'employee', :p, 2, 'Zoë Jansen', NULL,"
                " 'zoe jansen', NULL)"
            ),
            {"p": PERSON},
        )
        connection.execute(
            uuids(
                "INSERT INTO search_entry_scopes (entry_id, employer_id, department_id)"
                " VALUES (7, :e, NULL)"
            ),
            {"e": EMPLOYER},
        )
    upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(
                sa.column("kind"),
                sa.column("kind_order"),
                sa.column("unit_id", sa.Uuid),
                sa.column("name_norm"),
                sa.column("code_norm"),
            ).select_from(sa.table("search_entry_scopes"))
        ).one()
    assert tuple(row) == ("employee", 2, PERSON, "zoe jansen", None)
    downgrade(engine, "0005")
    with engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("search_entry_scopes")}
    assert columns == {"entry_id", "employer_id", "department_id"}
    upgrade(engine)


def test_0006_search_scope_rows_carry_ranking_columns_on_sqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 's.sqlite3'}")
    upgrade(engine)
    _search_scope_rows_get_their_ranking_columns(engine)
    assert _diff(engine) == []
    engine.dispose()


def test_0006_search_scope_rows_carry_ranking_columns_on_postgres(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    _search_scope_rows_get_their_ranking_columns(engine)
    assert _diff(engine) == []
    engine.dispose()
