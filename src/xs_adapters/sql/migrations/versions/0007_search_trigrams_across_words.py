"""PostgreSQL: trigrams across word boundaries (R1.3)

``pg_trgm`` builds trigrams per word, so a term such as ``g-k`` or ``p e`` found no trigram of
its own and had to be searched by walking the name index. The trigram index now covers the name
with its separators (space, hyphen, apostrophe, full stop) mapped to digits, which ``pg_trgm``
treats as part of a word; the query maps the term the same way. (SQLite's FTS5 trigram tokenizer
already indexes every character.)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 12:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_entries_name_trgm")
        op.execute(
            "CREATE INDEX ix_search_entries_name_trgm ON search_entries "
            "USING gin ((translate(name_norm, ' -''.', '0123')) gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_entries_name_trgm")
        op.execute(
            "CREATE INDEX ix_search_entries_name_trgm ON search_entries "
            "USING gin (name_norm gin_trgm_ops)"
        )
