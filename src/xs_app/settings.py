"""The settings of an application, resolved once in :func:`xs_app.bootstrap`.

Explicit arguments win over the environment; the environment (``XS_STORAGE``,
``XS_DATABASE_URL``) wins over the embedded defaults. Invalid settings are refused here, with a
coded :class:`ConfigurationError`, never at first use.

>>> Settings.resolve(database_url="sqlite:///:memory:", environ={"XS_STORAGE": "memory"}).storage
'sql'
>>> Settings.resolve(environ={"XS_STORAGE": "memroy"})
Traceback (most recent call last):
...
xs_app.settings.ConfigurationError: config.invalid_storage: ...
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import attrs

from xs_core.errors import InvalidInput, register_messages

DEFAULT_DATABASE_URL = "sqlite:///xs.sqlite3"
STORAGES = ("sql", "memory")

Storage = Literal["sql", "memory"]

register_messages(
    {
        "config.secret_key_too_short": (
            "XS_SECRET_KEY moet minstens {minimum} tekens lang zijn.",
            "XS_SECRET_KEY must be at least {minimum} characters long.",
        ),
        "config.invalid_storage": (
            "Ongeldige opslag {value!r}: kies {allowed}.",
            "Invalid storage {value!r}: choose {allowed}.",
        ),
        "config.conflicting": (
            "Opslag 'memory' en een database-URL gaan niet samen.",
            "Storage 'memory' and a database URL do not go together.",
        ),
        "config.invalid_database_url": (
            "Ongeldige database-URL {url}: {reason}.",
            "Invalid database URL {url}: {reason}.",
        ),
        "config.database_directory_missing": (
            "De map {directory} van de SQLite-database bestaat niet.",
            "The directory {directory} of the SQLite database does not exist.",
        ),
        "config.database_unreachable": (
            "De database {url} is niet bereikbaar: {reason}.",
            "The database {url} cannot be reached: {reason}.",
        ),
        "config.database_behind": (
            "Het databaseschema staat op {revision}, de code verwacht {expected}: voer "
            "`xs db upgrade` uit.",
            "The database schema is at {revision}, the code expects {expected}: run "
            "`xs db upgrade`.",
        ),
        "config.memory_only": (
            "Dit kan alleen met opslag 'memory'.",
            "This works with storage 'memory' only.",
        ),
        "config.database_ahead": (
            "Het databaseschema ({revision}) is nieuwer dan deze versie van xs ({expected}).",
            "The database schema ({revision}) is newer than this version of xs ({expected}).",
        ),
    },
    kind=InvalidInput,
)


class ConfigurationError(InvalidInput):
    """Settings that cannot work: refused when the application is built."""

    default_code = "config.invalid"


register_messages(
    {
        "config.invalid": ("Ongeldige instelling: {reason}.", "Invalid setting: {reason}."),
    },
    kind=InvalidInput,
)


def masked(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url  # SQL storage only: not loaded on the memory store
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid>"


@attrs.frozen(kw_only=True)
class Settings:
    storage: Storage
    database_url: str

    @classmethod
    def resolve(
        cls,
        database_url: str | None = None,
        storage: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Explicit arguments, then the environment, then the defaults; validated."""
        env = os.environ if environ is None else environ
        if storage is None:
            storage = "sql" if database_url is not None else env.get("XS_STORAGE", "sql")
        if storage not in STORAGES:
            raise ConfigurationError(
                "config.invalid_storage", {"value": storage, "allowed": list(STORAGES)}
            )
        if storage == "memory" and database_url is not None:
            raise ConfigurationError("config.conflicting", {})
        url = database_url or env.get("XS_DATABASE_URL") or DEFAULT_DATABASE_URL
        if storage == "sql":
            _check_url(url)
        return cls(storage="memory" if storage == "memory" else "sql", database_url=url)


def _check_url(url: str) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(
            "config.invalid_database_url", {"url": "<invalid>", "reason": "not a URL"}
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigurationError(
            "config.invalid_database_url",
            {"url": masked(url), "reason": f"unsupported engine {backend!r}"},
        )
    driver = parsed.get_driver_name()
    if backend == "postgresql" and "+" in parsed.drivername and driver != "psycopg":
        # row locks, pipelines and COPY go through psycopg 3 (xs_adapters.sql.pipeline)
        raise ConfigurationError(
            "config.invalid_database_url",
            {"url": masked(url), "reason": f"PostgreSQL through psycopg 3 only, not {driver!r}"},
        )
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        directory = Path(parsed.database).expanduser().resolve().parent
        if not directory.is_dir():
            raise ConfigurationError(
                "config.database_directory_missing", {"directory": str(directory)}
            )
