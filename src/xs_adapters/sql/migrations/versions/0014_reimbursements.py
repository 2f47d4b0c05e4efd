"""Reimbursements (R5.2–R5.5): suppliers and referrers, user contract settings, the type of a
contract model, reimbursement batches with their contract holders and lines

* ``ix_activities_professional_id``: a batch takes the activities of its contract holders.
* ``contract_models.model_type``: ``service`` (every existing model) or ``reimbursement`` (R5.4).
* ``relations``: suppliers and referrers, codes unique per kind case-insensitively (R5.2).
* ``user_contract_settings``: per user dated versions ``[valid_from, valid_until)`` (R5.3).
* ``reimbursement_batches``, ``reimbursement_batch_users`` and ``reimbursement_lines`` (R5.5). A
  line carries its batch's ``final`` flag, kept equal by a composite foreign key ``(batch_id,
  final)`` with ``ON UPDATE CASCADE``; a partial unique index on ``activity_id`` holds the
  promise of R5.5 in the database: at most one line *takes* an activity (``WHERE NOT final OR
  decision <> 'postpone'``: a draft line, or a reimbursed or excluded line of a final batch), so
  an activity is on at most one draft, settled at most once, and on no draft once settled. The
  tables are new, so no existing data can violate it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 07:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xs_adapters.sql.types import Cents

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

#: a line that takes its activity: on a draft, or settling it on a final batch
TAKEN = "NOT final OR decision <> 'postpone'"
CODE_NORM = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_index(
        "ix_activities_professional_id", "activities", ["professional_id", "performed_on"]
    )
    with op.batch_alter_table("contract_models") as batch:
        batch.add_column(
            sa.Column("model_type", sa.String(length=20), nullable=False, server_default="service")
        )
    op.create_table(
        "relations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("code_norm", CODE_NORM, nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("house_number", sa.String(length=20), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("vat_number", sa.String(length=20), nullable=True),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relations")),
    )
    op.create_index("uq_relations_kind_code", "relations", ["kind", "code_norm"], unique=True)
    op.create_table(
        "user_contract_settings",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("may_register_activities", sa.Boolean(), nullable=False),
        sa.Column("reimbursed_via_supplier", sa.Boolean(), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=True),
        sa.Column("contract_model_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_until > valid_from",
            name=op.f("ck_user_contract_settings_period_not_empty"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_contract_settings_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["relations.id"],
            name=op.f("fk_user_contract_settings_supplier_id_relations"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_model_id"],
            ["contract_models.id"],
            name=op.f("fk_user_contract_settings_contract_model_id_contract_models"),
        ),
        sa.PrimaryKeyConstraint("user_id", "valid_from", name=op.f("pk_user_contract_settings")),
    )
    op.create_index(
        "ix_user_contract_settings_supplier",
        "user_contract_settings",
        ["supplier_id", "contract_model_id"],
    )
    op.create_table(
        "reimbursement_batches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("contract_model_id", sa.Uuid(), nullable=False),
        sa.Column("reference_date", sa.Date(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("finalised_on", sa.Date(), nullable=True),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("reimbursed", sa.Integer(), nullable=False),
        sa.Column("excluded", sa.Integer(), nullable=False),
        sa.Column("postponed", sa.Integer(), nullable=False),
        sa.Column("total", Cents(), nullable=False),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["relations.id"],
            name=op.f("fk_reimbursement_batches_supplier_id_relations"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_model_id"],
            ["contract_models.id"],
            name=op.f("fk_reimbursement_batches_contract_model_id_contract_models"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reimbursement_batches")),
        sa.UniqueConstraint("id", "final", name="uq_reimbursement_batches_id_final"),
    )
    op.create_index(
        "ix_reimbursement_batches_supplier_id",
        "reimbursement_batches",
        ["supplier_id", "created_on"],
    )
    op.create_table(
        "reimbursement_batch_users",
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["reimbursement_batches.id"],
            name=op.f("fk_reimbursement_batch_users_batch_id_reimbursement_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_reimbursement_batch_users_user_id_users")
        ),
        sa.PrimaryKeyConstraint("batch_id", "user_id", name=op.f("pk_reimbursement_batch_users")),
    )
    op.create_table(
        "reimbursement_lines",
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("activity_type", sa.String(length=60), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("amount", Cents(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id", "final"],
            ["reimbursement_batches.id", "reimbursement_batches.final"],
            name="fk_reimbursement_lines_batch",
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("batch_id", "activity_id", name=op.f("pk_reimbursement_lines")),
    )
    op.create_index(
        "uq_reimbursement_lines_taken",
        "reimbursement_lines",
        ["activity_id"],
        unique=True,
        sqlite_where=sa.text(TAKEN),
        postgresql_where=sa.text(TAKEN),
    )


def downgrade() -> None:
    op.drop_index("uq_reimbursement_lines_taken", "reimbursement_lines")
    op.drop_table("reimbursement_lines")
    op.drop_table("reimbursement_batch_users")
    op.drop_index("ix_reimbursement_batches_supplier_id", "reimbursement_batches")
    op.drop_table("reimbursement_batches")
    op.drop_index("ix_user_contract_settings_supplier", "user_contract_settings")
    op.drop_table("user_contract_settings")
    op.drop_index("uq_relations_kind_code", "relations")
    op.drop_table("relations")
    with op.batch_alter_table("contract_models") as batch:
        batch.drop_column("model_type")
    op.drop_index("ix_activities_professional_id", "activities")
