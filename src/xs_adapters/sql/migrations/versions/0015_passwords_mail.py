"""Passwords and mail (R2.6), documents and secure messaging (R2.7)

* ``user_accounts`` (the Argon2id password hash and the language of a user), ``password_tokens``
  (invitation, reset; only their SHA-256 digest, unique), ``mail_templates`` (custom templates per
  event and language).
* ``documents`` (metadata; the content is in the document store by SHA-256; a media-library
  document has no dossier, every other kind has one), ``dialogs`` with ``dialog_participants``,
  ``dialog_messages`` with ``message_attachments``.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 07:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xs_adapters.sql.types import UtcDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_accounts",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("password_changed_at", UtcDateTime(), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_accounts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_accounts")),
    )
    op.create_table(
        "password_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_password_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_tokens")),
    )
    op.create_index("uq_password_tokens_digest", "password_tokens", ["digest"], unique=True)
    op.create_index("ix_password_tokens_user_id", "password_tokens", ["user_id"])
    op.create_table(
        "mail_templates",
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text", sa.String(length=20000), nullable=False),
        sa.Column("html", sa.String(length=20000), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_mail_templates_updated_by_users")
        ),
        sa.PrimaryKeyConstraint("event", "language", name=op.f("pk_mail_templates")),
    )

    op.create_table(
        "documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("dossier_id", sa.Uuid(), nullable=True),
        sa.Column("trajectory_id", sa.Uuid(), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("added_by", sa.Uuid(), nullable=False),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'media_library') = (dossier_id IS NULL)",
            name=op.f("ck_documents_media_no_dossier"),
        ),
        sa.ForeignKeyConstraint(
            ["added_by"], ["users.id"], name=op.f("fk_documents_added_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_documents_dossier_id_dossiers")
        ),
        sa.ForeignKeyConstraint(
            ["trajectory_id"],
            ["trajectories.id"],
            name=op.f("fk_documents_trajectory_id_trajectories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_index("ix_documents_dossier_id", "documents", ["dossier_id"])
    op.create_table(
        "dialogs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dossier_id", sa.Uuid(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("started_by", sa.Uuid(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_dialogs_dossier_id_dossiers")
        ),
        sa.ForeignKeyConstraint(
            ["started_by"], ["users.id"], name=op.f("fk_dialogs_started_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogs")),
    )
    op.create_index("ix_dialogs_dossier_id", "dialogs", ["dossier_id"])
    op.create_table(
        "dialog_participants",
        sa.Column("dialog_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dialog_id"],
            ["dialogs.id"],
            name=op.f("fk_dialog_participants_dialog_id_dialogs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_dialog_participants_user_id_users")
        ),
        sa.PrimaryKeyConstraint("dialog_id", "user_id", name=op.f("pk_dialog_participants")),
    )
    op.create_table(
        "dialog_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dialog_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.String(length=10000), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_dialog_messages_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["dialog_id"],
            ["dialogs.id"],
            name=op.f("fk_dialog_messages_dialog_id_dialogs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialog_messages")),
        sa.UniqueConstraint("dialog_id", "position", name="uq_dialog_messages_position"),
    )
    op.create_table(
        "message_attachments",
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_message_attachments_document_id_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["dialog_messages.id"],
            name=op.f("fk_message_attachments_message_id_dialog_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", "position", name=op.f("pk_message_attachments")),
    )


def downgrade() -> None:
    op.drop_table("message_attachments")
    op.drop_table("dialog_messages")
    op.drop_table("dialog_participants")
    op.drop_index("ix_dialogs_dossier_id", table_name="dialogs")
    op.drop_table("dialogs")
    op.drop_index("ix_documents_dossier_id", table_name="documents")
    op.drop_table("documents")
    op.drop_table("mail_templates")
    op.drop_index("ix_password_tokens_user_id", table_name="password_tokens")
    op.drop_index("uq_password_tokens_digest", table_name="password_tokens")
    op.drop_table("password_tokens")
    op.drop_table("user_accounts")
