"""Outbox consumption by subscriptions with leased claims (R0.7, xs_core.outbox); event versions;
an index on a professional's availabilities (R4.3)

* ``outbox.version``: the version of the event's payload schema (``docs/events.md``).
* ``outbox_subscriptions`` (name, position) and ``outbox_claims`` (subscription, message,
  consumer, lease, attempts, acknowledged) replace ``outbox.dispatched_at``: the messages that
  were marked dispatched become acknowledged by the subscription ``default`` (the position is
  the last id before the first undispatched one; dispatched ids after it get an acknowledged
  claim), then the column and its index go.
* ``availabilities(professional_id, starts_at)``: a professional's availabilities are looked up
  as a bounded index range when planning (one place at a time).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xs_adapters.sql.types import UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NAME = sa.String(100)


def upgrade() -> None:
    op.create_index(
        "ix_availabilities_professional_start",
        "availabilities",
        ["professional_id", "starts_at"],
    )
    op.create_table(
        "outbox_subscriptions",
        sa.Column("name", NAME, primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_outbox_subscriptions"),
    )
    op.create_table(
        "outbox_claims",
        sa.Column("subscription", NAME, nullable=False),
        sa.Column("message_id", sa.Integer, nullable=False),
        sa.Column("consumer", NAME),
        sa.Column("lease_until", UtcDateTime),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("acknowledged", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("subscription", "message_id", name="pk_outbox_claims"),
        sa.ForeignKeyConstraint(
            ["subscription"],
            ["outbox_subscriptions.name"],
            name="fk_outbox_claims_subscription_outbox_subscriptions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox.id"],
            name="fk_outbox_claims_message_id_outbox",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_outbox_claims_message_id", "outbox_claims", ["message_id"])
    connection = op.get_bind()
    undispatched = connection.execute(
        sa.text("SELECT min(id) FROM outbox WHERE dispatched_at IS NULL")
    ).scalar()
    last = connection.execute(sa.text("SELECT max(id) FROM outbox")).scalar()
    position = (undispatched - 1) if undispatched is not None else (last or 0)
    connection.execute(
        sa.text("INSERT INTO outbox_subscriptions (name, position) VALUES ('default', :p)"),
        {"p": position},
    )
    connection.execute(
        sa.text(
            "INSERT INTO outbox_claims"
            " (subscription, message_id, consumer, lease_until, attempts, acknowledged)"
            " SELECT 'default', id, NULL, NULL, 0, :yes FROM outbox"
            " WHERE id > :p AND dispatched_at IS NOT NULL"
        ),
        {"p": position, "yes": True},
    )
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_pending")
        batch.drop_column("dispatched_at")
        batch.add_column(sa.Column("version", sa.SmallInteger, nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("version")
        batch.add_column(sa.Column("dispatched_at", UtcDateTime))
        batch.create_index("ix_outbox_pending", ["dispatched_at", "id"])
    connection = op.get_bind()
    # what the subscription "default" acknowledged counts as dispatched
    connection.execute(
        sa.text(
            "UPDATE outbox SET dispatched_at = occurred_at WHERE id <= coalesce("
            "(SELECT position FROM outbox_subscriptions WHERE name = 'default'), 0)"
            " OR id IN (SELECT message_id FROM outbox_claims"
            " WHERE subscription = 'default' AND acknowledged)"
        )
    )
    op.drop_index("ix_outbox_claims_message_id", "outbox_claims")
    op.drop_table("outbox_claims")
    op.drop_table("outbox_subscriptions")
    op.drop_index("ix_availabilities_professional_start", "availabilities")
