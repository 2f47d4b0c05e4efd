"""The Alembic migrations and the SQLAlchemy metadata agree, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from xs_adapters.sql.engine import create_engine
from xs_adapters.sql.migrate import (
    alembic_config,
    current_revision,
    downgrade,
    include_object,
    upgrade,
)
from xs_adapters.sql.tables import metadata

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def _diff(engine: sa.Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_object": include_object, "compare_type": True},
        )
        return list(compare_metadata(context, metadata))


def test_migrations_match_metadata_on_sqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    upgrade(engine)
    assert current_revision(engine) == HEAD
    assert _diff(engine) == []
    downgrade(engine, "base")
    assert sa.inspect(engine).get_table_names() == ["alembic_version"]
    upgrade(engine)
    assert _diff(engine) == []
    engine.dispose()


def test_migrations_match_metadata_on_postgres(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    assert current_revision(engine) == HEAD  # the template was migrated
    assert _diff(engine) == []
    with engine.connect() as connection:
        indexes = connection.execute(
            sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'search_entries'")
        ).scalars()
        assert "ix_search_entries_name_trgm" in set(indexes)
    downgrade(engine, "base")
    upgrade(engine)
    assert _diff(engine) == []
    engine.dispose()


def _employment_history_survives(engine: sa.Engine) -> None:
    """0002 turns each employment's conditions into a version, and back on downgrade."""
    downgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            uuids("INSERT INTO employers (id, name) VALUES (:e, 'A')"), {"e": EMPLOYER}
        )
        connection.execute(
            uuids(
                "INSERT INTO employees (id, first_name, last_name, gender)"
                " VALUES (:p, 'Jan', 'Jansen', 'M')"
            ),
            {"p": PERSON},
        )
        connection.execute(
            uuids(
                "INSERT INTO employments (id, employee_id, employer_id, start_date,"
                " employment_type, hours_per_week, salary, job_title, is_leading)"
                " VALUES (:m, :p, :e, :start, 'permanent', 32, 45000, 'Bakker', :yes)"
            ),
            {"m": EMPLOYMENT, "p": PERSON, "e": EMPLOYER, "start": D(2020, 1, 1), "yes": True},
        )
    upgrade(engine)
    with engine.connect() as connection:
        version = connection.execute(
            sa.text(
                "SELECT valid_from, valid_until, hours_per_week, job_title FROM employment_versions"
            )
        ).one()
    assert (
        str(version.valid_from)[:10],
        version.valid_until,
        float(version.hours_per_week),
        version.job_title,
    ) == ("2020-01-01", None, 32.0, "Bakker")
    downgrade(engine, "0001")
    with engine.connect() as connection:
        row = connection.execute(sa.text("SELECT hours_per_week, job_title FROM employments")).one()
    assert (float(row.hours_per_week), row.job_title) == (32.0, "Bakker")
    upgrade(engine)


EMPLOYER, PERSON, EMPLOYMENT = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def uuids(sql: str) -> sa.TextClause:
    """Raw SQL whose :e, :p and :m parameters are UUIDs, stored as each engine stores them."""
    clause = sa.text(sql)
    names = [n for n in ("e", "p", "m") if f":{n}" in sql]
    return clause.bindparams(*(sa.bindparam(n, type_=sa.Uuid) for n in names))


D = _dt.date


def test_0002_moves_employment_conditions_into_versions_on_sqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    upgrade(engine)
    _employment_history_survives(engine)
    assert _diff(engine) == []
    engine.dispose()


def test_0002_moves_employment_conditions_into_versions_on_postgres(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    _employment_history_survives(engine)
    assert _diff(engine) == []
    engine.dispose()


def _search_scope_rows_get_their_ranking_columns(engine: sa.Engine) -> None:
    """0006 copies each entry's ranking columns into its scope rows (R1.3), and drops them on
    downgrade."""
    downgrade(engine, "0005")
    with engine.begin() as connection:
        connection.execute(
            uuids(
                "INSERT INTO search_entries (id, kind, unit_id, kind_order, name, code,"
                " name_norm, code_norm) VALUES (7, 'employee', :p, 2, 'Zoë Jansen', NULL,"
                " 'zoe jansen', NULL)"
            ),
            {"p": PERSON},
        )
        connection.execute(
            uuids(
                "INSERT INTO search_entry_scopes (entry_id, employer_id, department_id)"
                " VALUES (7, :e, NULL)"
            ),
            {"e": EMPLOYER},
        )
    upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(
                sa.column("kind"),
                sa.column("kind_order"),
                sa.column("unit_id", sa.Uuid),
                sa.column("name_norm"),
                sa.column("code_norm"),
            ).select_from(sa.table("search_entry_scopes"))
        ).one()
    assert tuple(row) == ("employee", 2, PERSON, "zoe jansen", None)
    downgrade(engine, "0005")
    with engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("search_entry_scopes")}
    assert columns == {"entry_id", "employer_id", "department_id"}
    upgrade(engine)


def test_0006_search_scope_rows_carry_ranking_columns_on_sqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 's.sqlite3'}")
    upgrade(engine)
    _search_scope_rows_get_their_ranking_columns(engine)
    assert _diff(engine) == []
    engine.dispose()


def test_0006_search_scope_rows_carry_ranking_columns_on_postgres(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    _search_scope_rows_get_their_ranking_columns(engine)
    assert _diff(engine) == []
    engine.dispose()


# -- 0009: exact money (R0.3) ----------------------------------------------------------------

MODEL, AGREEMENT, SUBSCRIPTION, BASIS, ACTIVITY = (uuid.uuid4() for _ in range(5))

#: (table, amount column, amount as 0008 stored it: a Decimal bound through NUMERIC, which is a
#: binary float on SQLite) — values whose float × 100 is not a whole number (0.29 × 100 =
#: 28.999999999999996), the limit, and a float sum 0.1 + 0.2 = 0.30000000000000004.
AMOUNTS_AT_0008: list[tuple[str, str, object, str]] = [
    ("employment_versions", "salary", Decimal("123456789012.34"), "123456789012.34"),
    ("price_categories", "price", Decimal("4.35"), "4.35"),
    ("subscriptions", "amount", Decimal("0.29"), "0.29"),
    ("invoice_bases", "total", Decimal("999999999999.99"), "999999999999.99"),
    ("invoice_subscription_lines", "amount", Decimal("1.15"), "1.15"),
    ("invoice_activity_lines", "amount", 0.1 + 0.2, "0.30"),
]


def _write_amounts_at_0008(engine: sa.Engine) -> None:
    day = D(2026, 1, 1)
    amount = sa.bindparam("amount", type_=sa.Numeric(14, 2))
    values = {table: value for table, _, value, _ in AMOUNTS_AT_0008}
    statements = [
        ("INSERT INTO employers (id, name) VALUES (:e, 'A')", {}),
        (
            "INSERT INTO employees (id, first_name, last_name, gender)"
            " VALUES (:p, 'Jan', 'Jansen', 'M')",
            {},
        ),
        (
            "INSERT INTO employments (id, employee_id, employer_id, start_date, is_leading)"
            " VALUES (:m, :p, :e, :day, :yes)",
            {"yes": True},
        ),
        (
            "INSERT INTO employment_versions (employment_id, valid_from, employment_type,"
            " hours_per_week, salary) VALUES (:m, :day, 'permanent', 32, :amount)",
            {"amount": values["employment_versions"]},
        ),
        (
            "INSERT INTO contract_models (id, name, kind, billing_frequency, active_from)"
            " VALUES (:model, 'Maand', 'sales', 'monthly', :day)",
            {},
        ),
        (
            "INSERT INTO price_categories (contract_model_id, activity_type, payer, price)"
            " VALUES (:model, 'Spreekuur', 'employer', :amount)",
            {"amount": values["price_categories"]},
        ),
        (
            "INSERT INTO service_agreements (id, employer_id, contract_model_id, starts_on)"
            " VALUES (:agreement, :e, :model, :day)",
            {},
        ),
        (
            "INSERT INTO subscriptions (id, agreement_id, description, amount, starts_on)"
            " VALUES (:subscription, :agreement, 'Abonnement', :amount, :day)",
            {"amount": values["subscriptions"]},
        ),
        (
            "INSERT INTO invoice_bases (id, employer_id, period_from, period_until, run_id,"
            " status, created_on, subscription_lines, activity_lines, total) VALUES (:basis,"
            " :e, :day, :until, :basis, 'draft', :day, 1, 1, :amount)",
            {"amount": values["invoice_bases"], "until": D(2026, 2, 1)},
        ),
        (
            "INSERT INTO invoice_subscription_lines (subscription_id, period_from, period_until,"
            " invoice_basis_id, amount) VALUES (:subscription, :day, :until, :basis, :amount)",
            {"amount": values["invoice_subscription_lines"], "until": D(2026, 2, 1)},
        ),
        (
            "INSERT INTO activities (id, professional_id, employee_id, activity_type,"
            " performed_on, status) VALUES (:activity, :p, :p, 'Spreekuur', :day, 'released')",
            {},
        ),
        (
            "INSERT INTO invoice_activity_lines (activity_id, invoice_basis_id, activity_type,"
            " performed_on, employee_id, amount) VALUES (:activity, :basis, 'Spreekuur', :day,"
            " :p, :amount)",
            # a raw float, as a float sum would have been stored
            {"amount": values["invoice_activity_lines"]},
        ),
    ]
    ids = {
        "e": EMPLOYER,
        "p": PERSON,
        "m": EMPLOYMENT,
        "model": MODEL,
        "agreement": AGREEMENT,
        "subscription": SUBSCRIPTION,
        "basis": BASIS,
        "activity": ACTIVITY,
    }
    with engine.begin() as connection:
        for sql, extra in statements:
            clause = sa.text(sql)
            params: dict[str, object] = {"day": day, **extra}
            for name, ident in ids.items():
                if f":{name}," in sql or f":{name})" in sql or f":{name} " in sql:
                    clause = clause.bindparams(sa.bindparam(name, type_=sa.Uuid))
                    params[name] = ident
            if ":amount" in sql and not isinstance(extra["amount"], float):
                clause = clause.bindparams(amount)
            connection.execute(clause, params)


def _stored_amounts(engine: sa.Engine) -> dict[str, object]:
    with engine.connect() as connection:
        return {
            table: connection.exec_driver_sql(f"SELECT {column} FROM {table}").scalar_one()
            for table, column, _, _ in AMOUNTS_AT_0008
        }


def _amounts_convert_exactly(engine: sa.Engine) -> None:
    """0009 turns the amounts 0008 stored into exact ones (SQLite: integer cents); the
    downgrade gives back what 0008 stored."""
    downgrade(engine, "0008")
    _write_amounts_at_0008(engine)
    before = _stored_amounts(engine)
    if engine.dialect.name == "sqlite":  # what 0008 stored: floats, inexact in cents
        assert isinstance(before["subscriptions"], float)
        assert int(before["subscriptions"] * 100) == 28  # not 29: truncating would be wrong
    upgrade(engine)
    assert current_revision(engine) == HEAD
    with engine.connect() as connection:
        for table, column, _, expected in AMOUNTS_AT_0008:
            # read through the metadata's column type, as the repositories read it
            read = connection.execute(sa.select(metadata.tables[table].c[column])).scalar_one()
            assert (table, str(read)) == (table, expected)
    raw = _stored_amounts(engine)
    if engine.dialect.name == "sqlite":
        cents = {table: int(Decimal(expected) * 100) for table, _, _, expected in AMOUNTS_AT_0008}
        assert raw == cents
        assert {type(v) for v in raw.values()} == {int}
    else:  # PostgreSQL: NUMERIC(14, 2) already, unchanged
        assert raw == before
    downgrade(engine, "0008")
    after = _stored_amounts(engine)
    if engine.dialect.name == "sqlite":
        # 0.1 + 0.2 comes back as 0.30, the others as 0008 stored them
        expected_floats = {table: float(e) for table, _, _, e in AMOUNTS_AT_0008}
        assert {t: float(v) for t, v in after.items()} == expected_floats
    else:
        assert after == before
    upgrade(engine)


def test_0009_stores_exact_amounts_on_sqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    upgrade(engine)
    _amounts_convert_exactly(engine)
    assert _diff(engine) == []
    engine.dispose()


def test_0009_keeps_exact_amounts_on_postgres(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    _amounts_convert_exactly(engine)
    assert _diff(engine) == []
    engine.dispose()


@pytest.mark.parametrize("price", [Decimal("0.105"), Decimal("1000000000000.00")])
def test_0009_refuses_an_amount_it_cannot_convert_exactly_on_sqlite(
    tmp_path: Path, price: Decimal
) -> None:
    """A fraction of a cent, or an amount beyond the limit, stops the migration: nothing
    changes, the database stays at 0008."""
    engine = create_engine(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    upgrade(engine, "0008")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO contract_models (id, name, kind, billing_frequency, active_from)"
                " VALUES (:model, 'Maand', 'sales', 'monthly', '2026-01-01')"
            ).bindparams(sa.bindparam("model", type_=sa.Uuid)),
            {"model": MODEL},
        )
        connection.execute(
            sa.text(
                "INSERT INTO price_categories (contract_model_id, activity_type, payer, price)"
                " VALUES (:model, 'Spreekuur', 'employer', :price)"
            ).bindparams(
                sa.bindparam("model", type_=sa.Uuid),
                sa.bindparam("price", type_=sa.Numeric(14, 2)),
            ),
            {"model": MODEL, "price": price},
        )
    with pytest.raises(RuntimeError, match=r"price_categories\.price holds values"):
        upgrade(engine)
    assert current_revision(engine) == "0008"
    with engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT price FROM price_categories").scalar_one()
        declared = connection.exec_driver_sql(
            "SELECT type FROM pragma_table_info('price_categories') WHERE name = 'price'"
        ).scalar_one()
    assert (stored, declared) == (float(price), "NUMERIC(14, 2)")
    engine.dispose()
