"""search scope rows carry the ranking columns (R1.3)

A scope's entries are ranked from one index range of ``search_entry_scopes`` (an index-only
scan) instead of a probe of ``search_entries`` per entry.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_SEARCH_TEXT = sa.String(length=200).with_variant(
    sa.String(length=200, collation="C"), "postgresql"
)
_RANK_COLUMNS = ["kind", "name_norm", "code_norm", "kind_order", "unit_id", "entry_id"]


def upgrade() -> None:
    with op.batch_alter_table("search_entry_scopes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("kind_order", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("unit_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("name_norm", _SEARCH_TEXT, nullable=True))
        batch_op.add_column(sa.Column("code_norm", _SEARCH_TEXT, nullable=True))
    op.execute(
        "UPDATE search_entry_scopes SET kind = e.kind, kind_order = e.kind_order, "
        "unit_id = e.unit_id, name_norm = e.name_norm, code_norm = e.code_norm "
        "FROM search_entries AS e WHERE e.id = search_entry_scopes.entry_id"
    )
    with op.batch_alter_table("search_entry_scopes", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column("kind_order", existing_type=sa.SmallInteger(), nullable=False)
        batch_op.alter_column("unit_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.alter_column("name_norm", existing_type=_SEARCH_TEXT, nullable=False)
        batch_op.drop_index("ix_search_entry_scopes_employer_id")
        batch_op.drop_index("ix_search_entry_scopes_department_id")
        batch_op.create_index(
            "ix_search_entry_scopes_employer_rank", ["employer_id", *_RANK_COLUMNS], unique=False
        )
        batch_op.create_index(
            "ix_search_entry_scopes_department_rank",
            ["department_id", *_RANK_COLUMNS],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("search_entry_scopes", schema=None) as batch_op:
        batch_op.drop_index("ix_search_entry_scopes_department_rank")
        batch_op.drop_index("ix_search_entry_scopes_employer_rank")
        batch_op.create_index(
            "ix_search_entry_scopes_department_id", ["department_id", "entry_id"], unique=False
        )
        batch_op.create_index(
            "ix_search_entry_scopes_employer_id", ["employer_id", "entry_id"], unique=False
        )
        batch_op.drop_column("code_norm")
        batch_op.drop_column("name_norm")
        batch_op.drop_column("unit_id")
        batch_op.drop_column("kind_order")
        batch_op.drop_column("kind")
