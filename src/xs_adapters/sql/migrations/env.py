"""Alembic environment of xs: runs on the connection given by xs_adapters.sql.migrate."""

from __future__ import annotations

from alembic import context

from xs_adapters.sql.migrate import include_object
from xs_adapters.sql.tables import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - always run through xs_adapters.sql.migrate
    raise RuntimeError("run migrations through xs_adapters.sql.migrate (xs db upgrade)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
