"""PostgreSQL: a scoped search walks the name index alone (R1.3)

A scoped search that walks the name index in result order (stopping after a page of matches
inside the scope) checks every entry it passes: its substring, code and kind, and — for the
matches — whether a scope row places it inside the scope. The name index now carries the
entry's id, kind and code (``INCLUDE``), and the scope rows' entry index their employer and
department, so both checks read the indexes only (an index-only scan) instead of visiting a
table row per entry passed. (SQLite already defers a row's lookup until a column outside the
index is needed.)

The trigram index on the scope rows (migration 0008) goes: a scoped search no longer intersects
it with the scope (the term's candidates checked against the scope measured no slower), and
every scope row written paid for it.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 13:05:00
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_search_entries_name_norm", table_name="search_entries")
    op.create_index(
        "ix_search_entries_name_norm",
        "search_entries",
        ["name_norm", "kind_order", "unit_id"],
        postgresql_include=["id", "kind", "code_norm"],
    )
    op.drop_index("ix_search_entry_scopes_entry_id", table_name="search_entry_scopes")
    op.create_index(
        "ix_search_entry_scopes_entry_id",
        "search_entry_scopes",
        ["entry_id"],
        postgresql_include=["employer_id", "department_id"],
    )
    op.execute("DROP INDEX IF EXISTS ix_search_entry_scopes_name_trgm")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_search_entry_scopes_name_trgm ON search_entry_scopes "
        "USING gin ((translate(name_norm, ' -''.', '0123')) gin_trgm_ops)"
    )
    op.drop_index("ix_search_entry_scopes_entry_id", table_name="search_entry_scopes")
    op.create_index("ix_search_entry_scopes_entry_id", "search_entry_scopes", ["entry_id"])
    op.drop_index("ix_search_entries_name_norm", table_name="search_entries")
    op.create_index(
        "ix_search_entries_name_norm", "search_entries", ["name_norm", "kind_order", "unit_id"]
    )
