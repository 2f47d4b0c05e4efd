"""exact money on SQLite: amounts as integer cents (R0.3)

SQLite has no decimal type: up to 0008 an amount column (``NUMERIC(14, 2)``) held a binary float
there. From 0009 on SQLite stores integer cents (``BIGINT``); PostgreSQL keeps ``NUMERIC(14, 2)``,
which is exact already (nothing changes there).

The conversion is exact: every stored amount was a whole number of cents ``c`` with
``|c| <= 99 999 999 999 999 < 2**47``. The float ``x`` stored for it is the double nearest
``c / 100`` (relative error at most 2**-53), and ``x * 100`` in doubles lies within
``|c| * 2**-51 < 0.07`` of ``c``, so rounding it to the nearest integer gives ``c`` back. Values
outside the limit, or not numbers, would not convert exactly: the migration then refuses and
changes nothing.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The naming convention of 0001, so that SQLite's batch mode can name reflected constraints.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: (table, amount column, nullable)
AMOUNTS = (
    ("employment_versions", "salary", True),
    ("price_categories", "price", False),
    ("subscriptions", "amount", False),
    ("invoice_bases", "total", False),
    ("invoice_subscription_lines", "amount", False),
    ("invoice_activity_lines", "amount", False),
)

#: The largest amount at revision 0009 (xs_core.money.MAX_AMOUNT then), in euros.
MAX_AMOUNT = "999999999999.99"
DECIMAL = sa.Numeric(precision=14, scale=2)
CENTS = sa.BigInteger()


def _refuse_inexact(table: str, column: str) -> None:
    """Stop (and roll back) when a value would not convert to cents exactly."""
    bad = (
        op.get_bind()
        .exec_driver_sql(
            f"SELECT rowid, {column}, typeof({column}) FROM {table} WHERE {column} IS NOT NULL"
            f" AND (typeof({column}) NOT IN ('integer', 'real') OR abs({column}) > {MAX_AMOUNT}"
            f" OR abs({column} * 100 - round({column} * 100)) > 0.25)"
            " LIMIT 5"
        )
        .fetchall()
    )
    if bad:
        raise RuntimeError(
            f"{table}.{column} holds values that are not whole cents within ±{MAX_AMOUNT}:"
            f" {[tuple(row) for row in bad]}"
        )


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL: NUMERIC(14, 2) is exact
    for table, column, nullable in AMOUNTS:
        _refuse_inexact(table, column)
        # still a NUMERIC column: an integral value stays an INTEGER
        op.execute(
            f"UPDATE {table} SET {column} = CAST(round({column} * 100) AS INTEGER)"
            f" WHERE {column} IS NOT NULL"
        )
        with op.batch_alter_table(table, naming_convention=NAMING) as batch_op:
            batch_op.alter_column(
                column, existing_type=DECIMAL, type_=CENTS, existing_nullable=nullable
            )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, column, nullable in AMOUNTS:
        with op.batch_alter_table(table, naming_convention=NAMING) as batch_op:
            batch_op.alter_column(
                column, existing_type=CENTS, type_=DECIMAL, existing_nullable=nullable
            )
        # back to what 0008 stored: euros as a float (whole euros as an integer)
        op.execute(f"UPDATE {table} SET {column} = {column} / 100.0 WHERE {column} IS NOT NULL")
