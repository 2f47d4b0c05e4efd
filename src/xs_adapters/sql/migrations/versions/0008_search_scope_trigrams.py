"""PostgreSQL: a trigram index on the search scope rows (R1.3)

A scoped substring search intersects (``BitmapAnd``) the scope's rows (the employer or department
index) with the rows whose name holds the term's trigrams, instead of checking the scope of every
match in the whole organisation.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 12:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_search_entry_scopes_name_trgm ON search_entry_scopes "
            "USING gin ((translate(name_norm, ' -''.', '0123')) gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_entry_scopes_name_trgm")
