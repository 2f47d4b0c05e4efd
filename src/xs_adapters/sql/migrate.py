"""Run the Alembic migrations programmatically (``xs db upgrade``), and tell whether a
database is at the code's schema revision.

Alembic is imported only when migrating: an application on a migrated database (or on the memory
store) never loads it. :func:`head_revision` reads the revision ids from the migration files
themselves.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from alembic.config import Config

VERSIONS = Path(__file__).parent / "migrations" / "versions"
_REVISION = re.compile(r'^(down_revision|revision)\s*(?::[^=]*)?=\s*"?([^"\s]*)"?', re.MULTILINE)

#: Objects that live outside the metadata: the trigram search indexes of each engine.
DIALECT_OBJECTS = frozenset(
    {
        "search_fts",
        "search_fts_data",
        "search_fts_idx",
        "search_fts_content",
        "search_fts_docsize",
        "search_fts_config",
        "ix_search_entries_name_trgm",
        "ix_search_entry_scopes_name_trgm",
    }
)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Leave the engine-specific search objects out of autogenerate comparisons."""
    return name not in DIALECT_OBJECTS


@functools.cache
def _graph() -> tuple[frozenset[str], frozenset[str]]:
    """The revisions of the migrations in this code and those that have a successor."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        found = dict(_REVISION.findall(path.read_text()))
        if "revision" in found:
            revisions.add(found["revision"])
            if found.get("down_revision") not in (None, "", "None"):
                parents.add(found["down_revision"])
    return frozenset(revisions), frozenset(parents)


def known_revisions() -> frozenset[str]:
    return _graph()[0]


def head_revision() -> str:
    """The newest revision of the migrations in this code (read from the files)."""
    revisions, parents = _graph()
    heads = set(revisions - parents)
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def database_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty, never migrated database)."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "xs_adapters.sql:migrations")
    return config


def _run(engine: Engine, step: Callable[[Config], None]) -> None:
    """Run a migration step in one transaction.

    On SQLite foreign keys are switched off while migrating: batch mode rebuilds a table by
    copying it, and dropping the old copy must not cascade into the rows that refer to it.
    Afterwards every foreign key is checked and the step is refused when one is broken.
    """
    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw: Any = connection.connection.driver_connection
        if sqlite:
            # outside any transaction: PRAGMA foreign_keys is ignored inside one
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                step(config)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to ``revision``."""
    from alembic import command

    _run(engine, lambda config: command.upgrade(config, revision))


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    _run(engine, lambda config: command.downgrade(config, revision))


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
