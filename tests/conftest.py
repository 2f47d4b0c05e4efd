"""Shared fixtures: real databases (SQLite files, PostgreSQL databases made per test).

PostgreSQL is required: when it cannot be reached the tests that need it fail, they are never
skipped. ``XS_TEST_POSTGRES_URL`` names the server (default ``postgresql://127.0.0.1:5432/postgres``).
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings

from xs_adapters.clock import FixedClock
from xs_adapters.sql.engine import create_engine
from xs_adapters.sql.migrate import upgrade
from xs_core import errors

settings.register_profile(
    "xs",
    deadline=None,
    # contract suites run one hypothesis test per backend class, by design
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.differing_executors],
)
settings.load_profile("xs")

# R0.5 for every refusal the run makes: a registered code, details that are plain data and fill
# the Dutch and English messages; anything else fails where it is made (a TypeError).
errors.construction_check = errors.require_data_details


@pytest.fixture(scope="session", autouse=True)
def _mail_and_documents_outside_the_work_tree(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """Applications on SQL storage write mail (``.eml``) and document content to directories;
    in tests those are temporary, never the current directory (R2.6, R2.7)."""
    root = tmp_path_factory.mktemp("xs-files")
    saved = {name: os.environ.get(name) for name in ("XS_MAIL_DIRECTORY", "XS_DOCUMENT_DIRECTORY")}
    os.environ["XS_MAIL_DIRECTORY"] = str(root / "mail")
    os.environ["XS_DOCUMENT_DIRECTORY"] = str(root / "documents")
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def unchecked_errors() -> Iterator[None]:
    """Lifts the R0.5 construction check, for tests of DomainError itself with made-up codes."""
    check, errors.construction_check = errors.construction_check, None
    yield
    errors.construction_check = check


POSTGRES_URL = os.environ.get("XS_TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/postgres")
TODAY = _dt.date(2026, 11, 29)


def _server_url(database: str) -> str:
    base, _, _ = POSTGRES_URL.rpartition("/")
    return f"{base}/{database}"


@pytest.fixture(scope="session")
def postgres_server() -> sa.Engine:
    """An autocommit connection to the PostgreSQL server; fails the test run if unreachable."""
    engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:  # pragma: no cover - environment failure
        pytest.fail(f"PostgreSQL is required and cannot be reached at {POSTGRES_URL}: {error}")
    return engine


def create_database(server: sa.Engine, template: str | None = None) -> str:
    name = f"xs_test_{uuid.uuid4().hex[:12]}"
    with server.connect() as connection:
        clause = f" TEMPLATE {template}" if template else ""
        connection.execute(sa.text(f"CREATE DATABASE {name}{clause}"))
    return name


def drop_database(server: sa.Engine, name: str) -> None:
    with server.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(scope="session")
def postgres_template(postgres_server: sa.Engine) -> Iterator[str]:
    """A migrated database that each test copies (CREATE DATABASE … TEMPLATE)."""
    name = create_database(postgres_server)
    engine = create_engine(_server_url(name))
    upgrade(engine)
    engine.dispose()
    yield name
    drop_database(postgres_server, name)


@pytest.fixture
def postgres_url(postgres_server: sa.Engine, postgres_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database with a unique name, dropped afterwards."""
    name = create_database(postgres_server, postgres_template)
    yield _server_url(name)
    drop_database(postgres_server, name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite database file."""
    path = tmp_path / "xs.sqlite3"
    shutil.copy(sqlite_template, path)
    for suffix in ("-wal", "-shm"):
        extra = sqlite_template.with_name(sqlite_template.name + suffix)
        if extra.exists():
            shutil.copy(extra, path.with_name(path.name + suffix))
    return f"sqlite:///{path}"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock.on(TODAY)
