"""Idempotency keys expire after a day (R7.1)

* ``ix_idempotency_keys_created_at``: a claim deletes a few expired keys, oldest first, so that
  the table holds about a day's keys without a separate job.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 16:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
