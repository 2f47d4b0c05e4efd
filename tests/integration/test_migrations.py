"""The Alembic migrations and the SQLAlchemy metadata agree, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from xs_adapters.sql.engine import create_engine
from xs_adapters.sql.migrate import current_revision, downgrade, include_object, upgrade
from xs_adapters.sql.tables import metadata


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
    assert current_revision(engine) == "0001"
    assert _diff(engine) == []
    downgrade(engine, "base")
    assert sa.inspect(engine).get_table_names() == ["alembic_version"]
    upgrade(engine)
    assert _diff(engine) == []
    engine.dispose()


def test_migrations_match_metadata_on_postgres(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    assert current_revision(engine) == "0001"  # the template was migrated
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
