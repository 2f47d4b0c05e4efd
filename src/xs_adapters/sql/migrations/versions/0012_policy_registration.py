"""Policy registration (R6.1–R6.6): insurers, insurance products with their conditions,
policies with their overrides, participant registrations; configuration parameters with their
audited changes

* ``insurers`` (codes unique, case-insensitively), ``insurance_products`` (codes unique per
  insurer; the conditions as one JSON document), ``insurance_policies`` (numbers unique per
  product; the overrides as one JSON document; a half-open period).
* ``policy_registrations``: per (policy, employee) non-overlapping half-open periods, included or
  excluded, with reasons, source, notes and the date registered. On PostgreSQL the rule is an
  exclusion constraint ``EXCLUDE USING gist (policy_id WITH =, employee_id WITH =,
  daterange(start_date, end_date, '[)') WITH &&)`` (``btree_gist``, created by 0010 and again here
  should it be missing); SQLite keeps the rule in the repository, under its single writer lock.
  The table is new, so no existing data can violate it.
* ``configuration_parameters`` (name, value) and ``configuration_parameter_changes`` (who changed
  which parameter when, from what to what). ``BusinessRules`` starts without a row: its default,
  0, applies (R6.1).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xs_adapters.sql.types import UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

EXCLUSION = "ex_policy_registrations_no_overlap"
CODE_NORM = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "insurers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=True),
        sa.Column("code_norm", CODE_NORM, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurers")),
    )
    op.create_index("uq_insurers_code_norm", "insurers", ["code_norm"], unique=True)
    op.create_table(
        "insurance_products",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("insurer_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=True),
        sa.Column("code_norm", CODE_NORM, nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["insurers.id"], name=op.f("fk_insurance_products_insurer_id_insurers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_products")),
    )
    op.create_index(
        "uq_insurance_products_insurer_code",
        "insurance_products",
        ["insurer_id", "code_norm"],
        unique=True,
    )
    op.create_table(
        "insurance_policies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("employer_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("run_in_damage_date", sa.Date(), nullable=True),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date > start_date",
            name=op.f("ck_insurance_policies_period_not_empty"),
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["employers.id"],
            name=op.f("fk_insurance_policies_employer_id_employers"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["insurance_products.id"],
            name=op.f("fk_insurance_policies_product_id_insurance_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_policies")),
    )
    op.create_index(
        "uq_insurance_policies_product_number",
        "insurance_policies",
        ["product_id", "number"],
        unique=True,
    )
    op.create_index("ix_insurance_policies_employer_id", "insurance_policies", ["employer_id"])
    op.create_table(
        "policy_registrations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("included", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.String(length=120), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("notes", sa.String(length=120), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date > start_date",
            name=op.f("ck_policy_registrations_period_not_empty"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["insurance_policies.id"],
            name=op.f("fk_policy_registrations_policy_id_insurance_policies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_policy_registrations_employee_id_employees"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_registrations")),
    )
    op.create_index(
        "ix_policy_registrations_participant",
        "policy_registrations",
        ["policy_id", "employee_id", "start_date"],
    )
    op.create_index("ix_policy_registrations_employee_id", "policy_registrations", ["employee_id"])
    op.create_table(
        "configuration_parameters",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_configuration_parameters")),
    )
    op.create_table(
        "configuration_parameter_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("parameter", sa.String(length=60), nullable=False),
        sa.Column("old_value", sa.Integer(), nullable=False),
        sa.Column("new_value", sa.Integer(), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=False),
        sa.Column("changed_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by"],
            ["users.id"],
            name=op.f("fk_configuration_parameter_changes_changed_by_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_configuration_parameter_changes")),
    )
    op.create_index(
        "ix_configuration_parameter_changes_parameter",
        "configuration_parameter_changes",
        ["parameter", "id"],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            f"ALTER TABLE policy_registrations ADD CONSTRAINT {EXCLUSION} EXCLUDE USING gist "
            "(policy_id WITH =, employee_id WITH =, "
            "daterange(start_date, end_date, '[)') WITH &&)"
        )


def downgrade() -> None:
    op.drop_index("ix_configuration_parameter_changes_parameter", "configuration_parameter_changes")
    op.drop_table("configuration_parameter_changes")
    op.drop_table("configuration_parameters")
    op.drop_index("ix_policy_registrations_employee_id", "policy_registrations")
    op.drop_index("ix_policy_registrations_participant", "policy_registrations")
    op.drop_table("policy_registrations")  # its exclusion constraint goes with it
    op.drop_index("ix_insurance_policies_employer_id", "insurance_policies")
    op.drop_index("uq_insurance_policies_product_number", "insurance_policies")
    op.drop_table("insurance_policies")
    op.drop_index("uq_insurance_products_insurer_code", "insurance_products")
    op.drop_table("insurance_products")
    op.drop_index("uq_insurers_code_norm", "insurers")
    op.drop_table("insurers")
