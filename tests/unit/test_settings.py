"""Settings: which database URLs the application accepts (R0.5: a clear refusal, nothing
opened)."""

from __future__ import annotations

import pytest

from xs_app.settings import ConfigurationError, Settings


@pytest.mark.parametrize(
    "url",
    ["postgresql://127.0.0.1/xs", "postgresql+psycopg://127.0.0.1/xs", "sqlite:///:memory:"],
)
def test_postgresql_through_psycopg_and_sqlite_are_accepted(url: str) -> None:
    assert Settings.resolve(database_url=url, environ={}).database_url == url


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg2://u:geheim@127.0.0.1/xs",
        "postgresql+pg8000://127.0.0.1/xs",
        "postgresql+asyncpg://127.0.0.1/xs",
    ],
)
def test_another_postgresql_driver_is_refused(url: str) -> None:
    """Row locks, pipelines and COPY go through psycopg 3: another driver is refused at start,
    not half-way through a use case; the password is not repeated."""
    with pytest.raises(ConfigurationError) as refused:
        Settings.resolve(database_url=url, environ={})
    assert refused.value.code == "config.invalid_database_url"
    assert "psycopg 3 only" in refused.value.details["reason"]
    assert "geheim" not in str(refused.value.details)
