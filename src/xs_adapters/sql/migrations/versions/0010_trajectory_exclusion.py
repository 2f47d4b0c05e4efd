"""No two overlapping trajectories of one protocol for one employee (R2.2); an index on
appointments(availability_id) (R4.3, R4.4)

PostgreSQL only: an exclusion constraint ``EXCLUDE USING gist (employee_id WITH =, protocol_id
WITH =, daterange(start_date, end_date, '[)') WITH &&)`` (needs ``btree_gist`` for the ``=`` on
uuids). The services already refuse such a trajectory under the protocol's row lock; the
constraint makes the database refuse it too, whatever writes it. Existing data that violates it
stops the migration with a message naming the first overlapping pairs, to be resolved by hand
(close or remove one trajectory of each pair) before upgrading again. SQLite keeps the rule in
the repository, checked under its single writer lock.

Both engines: an index on ``appointments(availability_id)``; the agenda reads an availability's
appointments when it plans, moves or removes in it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

CONSTRAINT = "ex_trajectories_no_overlap"

#: The first overlapping pairs, if any: what the constraint would refuse.
_OVERLAPPING = """
SELECT a.employee_id, a.protocol_id, a.id AS first_id, b.id AS second_id,
       a.start_date AS first_start, a.end_date AS first_end,
       b.start_date AS second_start, b.end_date AS second_end
FROM trajectories a
JOIN trajectories b
  ON b.employee_id = a.employee_id AND b.protocol_id = a.protocol_id AND a.id < b.id
 AND daterange(a.start_date, a.end_date, '[)') && daterange(b.start_date, b.end_date, '[)')
ORDER BY a.employee_id, a.protocol_id, a.start_date
LIMIT 20
"""


class OverlappingTrajectories(RuntimeError):
    """Existing trajectories violate R2.2; the migration cannot add its constraint."""


def _refuse_overlapping_data(bind: sa.engine.Connection) -> None:
    rows = bind.execute(sa.text(_OVERLAPPING)).all()
    if not rows:
        return
    pairs = "\n".join(
        f"  employee {r.employee_id}, protocol {r.protocol_id}: trajectory {r.first_id} "
        f"[{r.first_start}, {r.first_end or '…'}) overlaps {r.second_id} "
        f"[{r.second_start}, {r.second_end or '…'})"
        for r in rows
    )
    raise OverlappingTrajectories(
        "migration 0010: existing trajectories overlap another trajectory of the same protocol "
        f"for the same employee (R2.2), first {len(rows)} pair(s):\n{pairs}\n"
        "Close or remove one trajectory of each pair, then upgrade again."
    )


def upgrade() -> None:
    op.create_index("ix_appointments_availability_id", "appointments", ["availability_id"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _refuse_overlapping_data(bind)
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            f"ALTER TABLE trajectories ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
            "(employee_id WITH =, protocol_id WITH =, "
            "daterange(start_date, end_date, '[)') WITH &&)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE trajectories DROP CONSTRAINT IF EXISTS {CONSTRAINT}")
    op.drop_index("ix_appointments_availability_id", table_name="appointments")
