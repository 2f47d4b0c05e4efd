"""The billing run's anti-join reads the activities' index alone (R5.1, R4.4)

* ``ix_activities_status_performed`` gets the activity's id as a trailing column: a billing run
  leaves out the released activities of its period that are already on a line by their id, so
  a repeated run checks each activity from the index (SQLite defers the row's lookup to the
  activities not billed yet; PostgreSQL can scan the index only) instead of reading every row.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 10:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_activities_status_performed", table_name="activities")
    op.create_index(
        "ix_activities_status_performed", "activities", ["status", "performed_on", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_activities_status_performed", table_name="activities")
    op.create_index("ix_activities_status_performed", "activities", ["status", "performed_on"])
