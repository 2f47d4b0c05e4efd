"""PostgreSQL: the registrations' exclusion constraint holds the manual ones, led by the employee
(R6.4, R6.6)

``ex_policy_registrations_no_overlap`` was ``(policy_id WITH =, employee_id WITH =, period WITH
&&)`` over every registration: each of the nightly run's millions of automatic registrations
went into its GiST index, which took 60 % of writing them (594,218 registrations with every index
and key of the table, one ``INSERT … SELECT``: 27.0 s; the GiST index alone 16.6 s of it).

It is now ``(employee_id WITH =, policy_id WITH =, period WITH &&) WHERE source = 'manual'``:

* the database still refuses two overlapping manual registrations of an employee in a policy,
  whoever writes them — the registrations people make, one at a time, concurrently;
* automatic registrations are written under the policy's lock only: by the nightly run, as the
  periods of one computed timeline, which never overlap (a property test) and fill only the days
  no manual registration covers (R6.4); and by a manual registration cutting them. The lock and
  the computation keep the rule for them, as they do on SQLite, which has no exclusion
  constraints (docs/concurrency.md; the race tests fail without the lock);
* led by the employee, the index's first column tells its subtrees apart (a policy's key hardly
  does): an insert compares one column, not two (16.6 → 9.3 s for the same rows, all in the
  index).

The downgrade puts the constraint back over every registration; it fails, and changes nothing,
where automatic registrations overlap — which no code writes (the race tests hold the locks to
it), but a hand-made row could.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

EXCLUSION = "ex_policy_registrations_no_overlap"
_PERIOD = "daterange(start_date, end_date, '[)') WITH &&"


def _recreate(keys: str, where: str) -> None:
    """PostgreSQL: the exclusion constraint made again over ``keys`` (SQLite has none)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE policy_registrations DROP CONSTRAINT {EXCLUSION}")
    op.execute(
        f"ALTER TABLE policy_registrations ADD CONSTRAINT {EXCLUSION} EXCLUDE USING gist "
        f"({keys}, {_PERIOD}){where}"
    )


def upgrade() -> None:
    _recreate("employee_id WITH =, policy_id WITH =", " WHERE (source = 'manual')")


def downgrade() -> None:
    _recreate("policy_id WITH =, employee_id WITH =", "")
