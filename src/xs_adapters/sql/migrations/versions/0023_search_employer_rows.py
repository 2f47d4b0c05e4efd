"""PostgreSQL: an employer's scope rows are told from its departments' in the index (R1.3)

An employee has a scope row per employer it is employed by (no department) and one more per
department of that employment. A search inside employers ranks the employer's own rows only
(every employee of the employer has one), not the department rows that repeat them — about half
the rows to remove as duplicates for a scope of whole employers. The employer index carries the
department (``INCLUDE``), so that choice is made in the index (an index-only scan still).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 06:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

_COLUMNS = ["employer_id", "kind", "name_norm", "code_norm", "kind_order", "unit_id", "entry_id"]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_search_entry_scopes_employer_rank", table_name="search_entry_scopes")
    op.create_index(
        "ix_search_entry_scopes_employer_rank",
        "search_entry_scopes",
        _COLUMNS,
        postgresql_include=["department_id"],
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_search_entry_scopes_employer_rank", table_name="search_entry_scopes")
    op.create_index("ix_search_entry_scopes_employer_rank", "search_entry_scopes", _COLUMNS)
