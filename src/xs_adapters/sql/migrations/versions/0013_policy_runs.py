"""The nightly evaluation of participation (R6.6): runs and their chunks

* ``policy_runs``: a run's date, the policy it was limited to, who started it and when, its chunk
  size, and when its last chunk finished.
* ``employments(employer_id, employee_id)``: the employees of an employer by id range.
* ``policy_participant_inputs``: per (policy, employee) what its last evaluation read, as one
  text, and the first day it wrote; a run skips the employees whose inputs did not change.
* ``policy_run_chunks``: per run the planned chunks (a policy's employees with
  ``after_id < id <= last_id``), done or not, with what each changed; a chunk's writes and its
  done mark commit in one transaction, so a run killed at any moment resumes where it stood.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xs_adapters.sql.types import PendulumDate, UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_employments_employer_employee", "employments", ["employer_id", "employee_id"]
    )
    op.create_table(
        "policy_runs",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("on_date", PendulumDate, nullable=False),
        sa.Column("policy_id", sa.Uuid),
        sa.Column("started_by", sa.Uuid, nullable=False),
        sa.Column("started_at", UtcDateTime, nullable=False),
        sa.Column("chunk_size", sa.Integer, nullable=False),
        sa.Column("finished_at", UtcDateTime),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["insurance_policies.id"],
            name=op.f("fk_policy_runs_policy_id_insurance_policies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["started_by"], ["users.id"], name=op.f("fk_policy_runs_started_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_runs")),
    )
    op.create_index("ix_policy_runs_on_date", "policy_runs", ["on_date", "finished_at"])
    op.create_table(
        "policy_run_chunks",
        sa.Column("run_id", sa.Uuid, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("policy_id", sa.Uuid, nullable=False),
        sa.Column("employer_id", sa.Uuid, nullable=False),
        sa.Column("after_id", sa.Uuid),
        sa.Column("last_id", sa.Uuid),
        sa.Column("done", sa.Boolean, nullable=False),
        sa.Column("changed", sa.Integer, nullable=False),
        sa.Column("added", sa.Integer, nullable=False),
        sa.Column("removed", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["policy_runs.id"],
            name=op.f("fk_policy_run_chunks_run_id_policy_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["insurance_policies.id"],
            name=op.f("fk_policy_run_chunks_policy_id_insurance_policies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["employers.id"],
            name=op.f("fk_policy_run_chunks_employer_id_employers"),
        ),
        sa.PrimaryKeyConstraint("run_id", "number", name=op.f("pk_policy_run_chunks")),
    )
    op.create_table(
        "policy_participant_inputs",
        sa.Column("policy_id", sa.Uuid, nullable=False),
        sa.Column("employee_id", sa.Uuid, nullable=False),
        sa.Column("inputs", sa.String(1_000_000), nullable=False),
        sa.Column("evaluated_from", PendulumDate, nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["insurance_policies.id"],
            name=op.f("fk_policy_participant_inputs_policy_id_insurance_policies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_policy_participant_inputs_employee_id_employees"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "policy_id", "employee_id", name=op.f("pk_policy_participant_inputs")
        ),
    )


def downgrade() -> None:
    op.drop_table("policy_participant_inputs")
    op.drop_table("policy_run_chunks")
    op.drop_index("ix_policy_runs_on_date", "policy_runs")
    op.drop_table("policy_runs")
    op.drop_index("ix_employments_employer_employee", "employments")
