"""Token attempts counted per remote address (R7.1)

* ``token_attempts``: how many ``POST /oauth/token`` attempts an address has failed (or has in
  flight) per fixed window (``xs_core.access.attempts``); an address over its limit is refused
  before any secret is hashed.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 06:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xs_adapters.sql.types import UtcDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "token_attempts",
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("window_start", UtcDateTime, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_token_attempts")),
    )
    op.create_index("ix_token_attempts_window_start", "token_attempts", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_token_attempts_window_start", table_name="token_attempts")
    op.drop_table("token_attempts")
