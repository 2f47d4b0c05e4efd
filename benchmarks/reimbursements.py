"""Benchmark: reimbursement batches (R5.5) for 1,000 suppliers, 10,000 contract holders and
1,000,000 offered activities, on SQLite and PostgreSQL, through the use case (authorisation, the
supplier's lock, the batch and its contract holders, one ``INSERT … SELECT`` for the lines with
every filter of R5.5 and the partial unique indexes, counts, outbox, commit), beside a bare
``INSERT … SELECT`` of the same rows into a table without keys or indexes (the floor).

    python -m benchmarks.reimbursements [--engines sqlite,postgres] [--suppliers N]
        [--users N] [--activities N] [--keep]

The data: ``--users`` users, ten per supplier by default, each reimbursed through one supplier
on one reimbursement contract model (two price categories, one of them zero) from 2025; the
activities spread over the users and over the first quarter of 2026, all offered; one in twenty
of a type the model does not reimburse. Measured:

1. one supplier with all its contract holders (the use case, then discarded);
2. every supplier one after another (one batch each, the use case);
3. the bare ``INSERT … SELECT`` of each supplier's rows (same rows, no filters beyond them, no
   keys), one statement per supplier, in the same run.

Figures are printed and written to ``benchmarks/results/reimbursements.json``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import random
import time
import uuid
from pathlib import Path
from typing import Any

import pendulum
import sqlalchemy as sa

from benchmarks.engines import run_on, settle
from benchmarks.floors import peak_rss_mib
from xs_adapters.clock import FixedClock
from xs_adapters.sql import tables as t
from xs_adapters.sql.copy import fresh_uuid_hex, insert_rows
from xs_adapters.sql.types import Cents, PendulumDate
from xs_app import bootstrap
from xs_app.services.billing import CreateContractModel
from xs_app.services.reimbursements import (
    DiscardReimbursementBatch,
    GenerateReimbursementBatch,
    ListReimbursementBatches,
)
from xs_core.billing import BillingFrequency, ContractKind, ContractModelType, Payer, PriceCategory
from xs_core.dates import DateRange
from xs_core.money import Money
from xs_core.organisation.model import Employee, Employer, Employment
from xs_core.reimbursements import Relation, RelationKind

ROOT = Path(__file__).parent
RESULTS = ROOT / "results"
CLOCK = FixedClock.on(pendulum.Date(2026, 11, 29))
QUARTER = DateRange(_dt.date(2026, 1, 1), _dt.date(2026, 4, 1))
REFERENCE = _dt.date(2026, 3, 31)
CHUNK = 100_000

#: the floor's table: the line table's columns, without keys, references or indexes
BARE = sa.Table(
    "bench_bare_lines",
    sa.MetaData(),
    sa.Column("batch_id", sa.Uuid),
    sa.Column("activity_id", sa.Uuid),
    sa.Column("final", sa.Boolean),
    sa.Column("user_id", sa.Uuid),
    sa.Column("employee_id", sa.Uuid),
    sa.Column("activity_type", sa.String(60)),
    sa.Column("performed_on", PendulumDate),
    sa.Column("amount", Cents),
    sa.Column("decision", sa.String(20)),
)


def _load(
    url: str, suppliers: int, users: int, activities: int
) -> tuple[uuid.UUID, uuid.UUID, list[uuid.UUID]]:
    xs = bootstrap(database_url=url, clock=CLOCK, migrate_database=True)
    admin = xs.installation.create_super_administrator("Bench", f"b-{uuid.uuid4().hex}@example.nl")
    model = xs.billing.create_contract_model(
        CreateContractModel(
            actor=admin,
            name="Vergoeding",
            kind=ContractKind.GUIDANCE,
            billing_frequency=BillingFrequency.MONTHLY,
            active=DateRange(_dt.date(2020, 1, 1)),
            model_type=ContractModelType.REIMBURSEMENT,
            price_categories=(
                PriceCategory(
                    activity_type="Spreekuur", price=Money("40.00"), payer=Payer.SUPPLIER
                ),
                PriceCategory(
                    activity_type="Telefonisch", price=Money("0.00"), payer=Payer.SUPPLIER
                ),
            ),
        )
    )
    employers = [Employer.create(f"Klant {i:04d}", f"K{i:04d}") for i in range(100)]
    employees: list[Employee] = []
    for employer in employers:
        for _ in range(10):
            employee = Employee.register("Werk", "Nemer")
            employee.add_employment(
                Employment.create(
                    id=uuid.uuid4(),
                    employer_id=employer.id,
                    period=DateRange(_dt.date(2020, 1, 1)),
                )
            )
            employees.append(employee)
    relations = [
        Relation.create(RelationKind.SUPPLIER, f"Leverancier {i}", f"L{i:05d}")
        for i in range(suppliers)
    ]
    user_ids = [uuid.uuid4() for _ in range(users)]
    with xs.unit_of_work() as uow:
        uow.bulk.add_all(employers=employers, employees=employees)
        connection = uow.connection  # type: ignore[attr-defined]
        for relation in relations:
            uow.relations.add(relation)
        insert_rows(
            connection,
            t.users,
            [
                {
                    "id": u,
                    "name": f"Professional {n}",
                    "email": f"prof{n}@example.nl",
                    "email_norm": f"prof{n}@example.nl",
                    "is_super_administrator": False,
                    "active": True,
                }
                for n, u in enumerate(user_ids)
            ],
        )
        insert_rows(
            connection,
            t.user_contract_settings,
            [
                {
                    "user_id": u,
                    "valid_from": _dt.date(2025, 1, 1),
                    "valid_until": None,
                    "may_register_activities": True,
                    "reimbursed_via_supplier": True,
                    "supplier_id": relations[n % suppliers].id,
                    "contract_model_id": model,
                }
                for n, u in enumerate(user_ids)
            ],
        )
        uow.commit()
    print(f"  loaded {suppliers:,} suppliers and {users:,} contract holders", flush=True)
    rng = random.Random(2021)
    employee_ids = [e.id.hex for e in employees]
    holders = [u.hex for u in user_ids]
    days = [QUARTER.start + _dt.timedelta(days=d) for d in range(QUARTER.days or 0)]
    # one in twenty not reimbursed by the model, a quarter of the rest reimbursed with zero
    kinds = ["Huisbezoek"] + ["Telefonisch"] * 5 + ["Spreekuur"] * 14
    for start in range(0, activities, CHUNK):
        count = min(CHUNK, activities - start)
        ids = fresh_uuid_hex(count)
        with xs.unit_of_work() as uow:
            insert_rows(
                uow.connection,  # type: ignore[attr-defined]
                t.activities,
                [
                    {
                        "id": ids[n],
                        "professional_id": holders[(start + n) % len(holders)],
                        "employee_id": employee_ids[rng.randrange(len(employee_ids))],
                        "activity_type": kinds[rng.randrange(20)],
                        "performed_on": days[(start + n) % len(days)],
                        "appointment_id": None,
                        "status": "offered",
                    }
                    for n in range(count)
                ],
            )
            uow.commit()
    print(f"  loaded {activities:,} offered activities", flush=True)
    engine = xs.container.engine()
    BARE.create(engine)
    settle(engine)
    xs.close()
    return admin, model, [r.id for r in relations]


def _bare(connection: sa.Connection, supplier: uuid.UUID, model: uuid.UUID) -> int:
    """The floor: the same rows (the supplier's holders' offered activities up to the
    reference date, priced by the model) in one plain INSERT … SELECT, without the settings'
    dates, the draft and settled checks, keys or indexes."""
    a, s, pc = t.activities, t.user_contract_settings, t.price_categories
    select = (
        sa.select(
            sa.literal(uuid.uuid4(), sa.Uuid),
            a.c.id,
            sa.literal(False, sa.Boolean),
            a.c.professional_id,
            a.c.employee_id,
            a.c.activity_type,
            a.c.performed_on,
            pc.c.price,
            sa.literal("reimburse", sa.String),
        )
        .select_from(s)
        .join(a, a.c.professional_id == s.c.user_id)
        .join(
            pc,
            sa.and_(
                pc.c.contract_model_id == model,
                pc.c.activity_type == a.c.activity_type,
                pc.c.payer == "supplier",
            ),
        )
        .where(
            s.c.supplier_id == supplier,
            a.c.status == "offered",
            a.c.performed_on <= REFERENCE,
        )
    )
    statement = (
        BARE.insert()
        .from_select([c.name for c in BARE.columns], select)
        .execution_options(preserve_rowcount=True)
    )
    return int(connection.execute(statement).rowcount)


def run_engine(name: str, url: str, suppliers: int, users: int, activities: int) -> dict[str, Any]:
    loaded = time.perf_counter()
    admin, model, supplier_ids = _load(url, suppliers, users, activities)
    print(f"[{name}] data loaded in {time.perf_counter() - loaded:.0f} s", flush=True)
    xs = bootstrap(database_url=url, clock=CLOCK, migrate_database=False)

    def generate(supplier: uuid.UUID) -> tuple[int, float, float]:
        """The use case for one supplier: its lines, its seconds, the INSERT … SELECT's."""
        marks: dict[str, float] = {}

        def progress(stage: str, done: int, total: int | None) -> None:
            marks[f"{stage}:{'end' if total is not None else 'start'}"] = time.perf_counter()

        started = time.perf_counter()
        batch = xs.reimbursements.generate(
            GenerateReimbursementBatch(
                actor=admin, supplier_id=supplier, contract_model_id=model, reference_date=REFERENCE
            ),
            progress,
        )
        return (
            batch.counts.lines,
            time.perf_counter() - started,
            marks["lines:end"] - marks["lines:start"],
        )

    # 1. one supplier with all its contract holders
    one_lines, one_seconds, one_statement = generate(supplier_ids[0])
    for batch in xs.reimbursements.batches(ListReimbursementBatches(actor=admin)):
        xs.reimbursements.discard(DiscardReimbursementBatch(actor=admin, batch_id=batch.id))
    # 3. the floor: the same rows, bare, one statement per supplier
    engine = xs.container.engine()
    bare_rows, bare_seconds, bare_one = 0, 0.0, 0.0
    for n, supplier in enumerate(supplier_ids):
        with engine.begin() as connection:
            started = time.perf_counter()
            bare_rows += _bare(connection, supplier, model)
            elapsed = time.perf_counter() - started
        bare_seconds += elapsed
        if n == 0:
            bare_one = elapsed
    # 2. every supplier one after another
    all_lines, all_seconds, all_statements = 0, 0.0, 0.0
    started = time.perf_counter()
    for supplier in supplier_ids:
        lines, _, statement = generate(supplier)
        all_lines += lines
        all_statements += statement
    all_seconds = time.perf_counter() - started
    report = {
        "engine": name,
        "suppliers": suppliers,
        "contract_holders": users,
        "activities": activities,
        "one_supplier": {
            "lines": one_lines,
            "use_case_seconds": round(one_seconds, 4),
            "insert_select_seconds": round(one_statement, 4),
            "bare_insert_select_seconds": round(bare_one, 4),
        },
        "all_suppliers": {
            "lines": all_lines,
            "use_case_seconds": round(all_seconds, 2),
            "use_case_lines_per_second": round(all_lines / all_seconds),
            "insert_select_seconds": round(all_statements, 2),
            "insert_select_lines_per_second": round(all_lines / all_statements),
            "bare_rows": bare_rows,
            "bare_insert_select_seconds": round(bare_seconds, 2),
            "bare_lines_per_second": round(bare_rows / bare_seconds),
            "insert_select_vs_bare": round(all_statements / bare_seconds, 2),
            "use_case_vs_bare": round(all_seconds / bare_seconds, 2),
        },
        "ratio": round(all_seconds / bare_seconds, 2),
        "peak_rss_mib": peak_rss_mib(),
    }
    a = report["all_suppliers"]
    print(
        f"[{name}] one supplier: {one_lines:,} lines, use case {one_seconds * 1000:.1f} ms "
        f"(INSERT … SELECT {one_statement * 1000:.1f} ms; bare {bare_one * 1000:.1f} ms)\n"
        f"[{name}] all {suppliers:,} suppliers one after another: {all_lines:,} lines in "
        f"{all_seconds:.1f} s ({a['use_case_lines_per_second']:,} lines/s); their INSERT … "
        f"SELECTs {all_statements:.1f} s ({a['insert_select_lines_per_second']:,} lines/s); "
        f"bare INSERT … SELECT of the same {bare_rows:,} rows {bare_seconds:.1f} s "
        f"({a['bare_lines_per_second']:,} lines/s): statement {a['insert_select_vs_bare']}×, "
        f"use case {a['use_case_vs_bare']}× the bare floor (ratio = use case / floor); peak "
        f"RSS {report['peak_rss_mib']} MiB",
        flush=True,
    )
    xs.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--suppliers", type=int, default=1_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args()
    reports = [
        run_on(
            name,
            "reimbursements",
            lambda url, n=name: run_engine(n, url, args.suppliers, args.users, args.activities),
            keep=args.keep,
        )
        for name in args.engines.split(",")
    ]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "reimbursements.json"
    out.write_text(json.dumps(reports, indent=2))
    print(f"written {out}")


if __name__ == "__main__":
    main()
