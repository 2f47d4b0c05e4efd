"""employment history: conditions as non-overlapping versions (R2.3)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The naming convention of 0001, so that SQLite's batch mode can name reflected constraints.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "employment_versions",
        sa.Column("employment_id", sa.Uuid(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("department_id", sa.Uuid(), nullable=True),
        sa.Column("employment_type", sa.String(length=20), nullable=False),
        sa.Column("hours_per_week", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("salary", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("job_title", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_until > valid_from",
            name=op.f("ck_employment_versions_valid_not_empty"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_employment_versions_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["employment_id"],
            ["employments.id"],
            name=op.f("fk_employment_versions_employment_id_employments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("employment_id", "valid_from", name=op.f("pk_employment_versions")),
    )
    op.create_index(
        "ix_employment_versions_department_id", "employment_versions", ["department_id"]
    )
    # Every existing employment becomes one version with its current conditions.
    op.execute(
        "INSERT INTO employment_versions (employment_id, valid_from, valid_until, department_id,"
        " employment_type, hours_per_week, salary, job_title)"
        " SELECT id, start_date, end_date, department_id, employment_type, hours_per_week,"
        " salary, job_title FROM employments"
    )
    with op.batch_alter_table("employments", naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column("end_reason", sa.String(length=20), nullable=True))
        batch_op.drop_index("ix_employments_department_id")
        batch_op.drop_index("ix_employments_employer_id")
        batch_op.create_index("ix_employments_employer_id", ["employer_id", "start_date"])
        batch_op.drop_constraint(
            op.f("fk_employments_department_id_departments"), type_="foreignkey"
        )
        for column in ("department_id", "employment_type", "hours_per_week", "salary", "job_title"):
            batch_op.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table("employments", naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column("department_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("employment_type", sa.String(20), nullable=True))
        batch_op.add_column(sa.Column("hours_per_week", sa.Numeric(6, 2), nullable=True))
        batch_op.add_column(sa.Column("salary", sa.Numeric(14, 2), nullable=True))
        batch_op.add_column(sa.Column("job_title", sa.String(200), nullable=True))
    # The latest version's conditions go back on the employment.
    op.execute(
        "UPDATE employments SET department_id = v.department_id,"
        " employment_type = v.employment_type, hours_per_week = v.hours_per_week,"
        " salary = v.salary, job_title = v.job_title"
        " FROM employment_versions AS v WHERE v.employment_id = employments.id"
        " AND v.valid_from = (SELECT max(w.valid_from) FROM employment_versions AS w"
        " WHERE w.employment_id = employments.id)"
    )
    with op.batch_alter_table("employments", naming_convention=NAMING) as batch_op:
        batch_op.alter_column("employment_type", nullable=False)
        batch_op.alter_column("hours_per_week", nullable=False)
        batch_op.drop_index("ix_employments_employer_id")
        batch_op.create_index("ix_employments_employer_id", ["employer_id"])
        batch_op.create_index("ix_employments_department_id", ["department_id"])
        batch_op.create_foreign_key(
            op.f("fk_employments_department_id_departments"),
            "departments",
            ["department_id"],
            ["id"],
        )
        batch_op.drop_column("end_reason")
    op.drop_index("ix_employment_versions_department_id", table_name="employment_versions")
    op.drop_table("employment_versions")
