"""A bulk request keeps its first result in one value (R2.2)

``bulk_start_requests.summary`` holds every outcome of the request, packed (employee ids,
trajectory ids, skip reasons; ``xs_adapters.sql.protocols.pack_outcomes``), written in the
transaction that starts the trajectories. A repeated request returns the first result from it
instead of reading back a trajectory per employee. Requests handled before this migration have
no summary and are answered from their rows, as before.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bulk_start_requests") as batch:
        batch.add_column(sa.Column("summary", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bulk_start_requests") as batch:
        batch.drop_column("summary")
