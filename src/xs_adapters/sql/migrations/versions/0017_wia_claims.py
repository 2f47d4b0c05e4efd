"""WIA claims (R3.2, R3.3): the WIA start date, the benefit (WGA or IVA), the WIA monthly wage,
the income from work, the end date of own-risk bearing, and the outflow date and reason (both or
neither).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 10:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xs_adapters.sql.types import Cents

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wia_claims",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("employer_id", sa.Uuid(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("benefit", sa.String(length=20), nullable=False),
        sa.Column("monthly_wage", Cents(), nullable=False),
        sa.Column("income_from_work", Cents(), nullable=True),
        sa.Column("own_risk_end", sa.Date(), nullable=True),
        sa.Column("outflow_date", sa.Date(), nullable=True),
        sa.Column("outflow_reason", sa.String(length=20), nullable=True),
        sa.CheckConstraint(
            "own_risk_end IS NULL OR own_risk_end > start_date", name="ck_wia_claims_own_risk_end"
        ),
        sa.CheckConstraint(
            "outflow_date IS NULL OR outflow_date > start_date", name="ck_wia_claims_outflow_date"
        ),
        sa.CheckConstraint(
            "(outflow_date IS NULL) = (outflow_reason IS NULL)",
            name="ck_wia_claims_outflow_date_and_reason",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name="fk_wia_claims_employee_id_employees",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name="fk_wia_claims_employer_id_employers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_wia_claims"),
    )
    op.create_index("ix_wia_claims_employer", "wia_claims", ["employer_id", "start_date", "id"])
    op.create_index("ix_wia_claims_employee", "wia_claims", ["employee_id"])


def downgrade() -> None:
    op.drop_index("ix_wia_claims_employee", table_name="wia_claims")
    op.drop_index("ix_wia_claims_employer", table_name="wia_claims")
    op.drop_table("wia_claims")
