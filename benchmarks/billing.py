"""Benchmark: a billing run (R5.1, R4.4) for 100,000 subscriptions and 1,000,000 released
activities, on SQLite and PostgreSQL, through the use case (authorisation, customer locks,
schedule of every subscription, bulk subscription lines, one ``INSERT … SELECT`` for the
activity lines, totals, outbox, commit).

    python -m benchmarks.billing [--engines sqlite,postgres] [--employers N]
        [--subscriptions N] [--activities N] [--keep]

The data: ``--employers`` customers (10,000), ten employees each with a leading employment, one
service agreement each on one of four contract models (yearly, half-yearly, quarterly, monthly;
every other agreement with a deviating, shorter frequency), the subscriptions spread over the
agreements, starting on every day of 2025 (the 29th–31st included), and the activities spread
over the first quarter of 2026 (one in twenty of a type no price category covers, one in ten
still a draft). The run bills that quarter. Figures are printed and written to
``benchmarks/results/billing.json``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import multiprocessing
import random
import time
import uuid
from pathlib import Path
from typing import Any

import pendulum

from benchmarks.engines import run_on, settle
from benchmarks.floors import PeakMemory, copy_floor, current_rss_mib, peak_rss_mib, ratio
from xs_adapters.clock import FixedClock
from xs_adapters.sql import tables as t
from xs_adapters.sql.copy import fresh_uuid_hex, insert_rows
from xs_app import bootstrap
from xs_app.services.billing import CreateContractModel, RunBilling
from xs_core.billing import ALLOWED_DEVIATIONS, BillingFrequency, ContractKind, PriceCategory
from xs_core.dates import DateRange
from xs_core.money import Money
from xs_core.organisation.model import Employee, Employer, Employment

ROOT = Path(__file__).parent
RESULTS = ROOT / "results"
CLOCK = FixedClock.on(pendulum.Date(2026, 11, 29))
QUARTER = DateRange(_dt.date(2026, 1, 1), _dt.date(2026, 4, 1))
PRICED = ["Spreekuur", "Telefonisch consult", "Huisbezoek", "Werkplekonderzoek", "Rapportage"]
CHUNK = 100_000


def _load(url: str, employers: int, subscriptions: int, activities: int) -> uuid.UUID:
    xs = bootstrap(database_url=url, clock=CLOCK, migrate_database=True)
    admin = xs.installation.create_super_administrator("Bench", f"b-{uuid.uuid4().hex}@example.nl")
    models = {
        frequency: xs.billing.create_contract_model(
            CreateContractModel(
                actor=admin,
                name=f"Verkoop {frequency.value}",
                kind=ContractKind.SALES,
                billing_frequency=frequency,
                active=DateRange(_dt.date(2020, 1, 1)),
                price_categories=tuple(
                    PriceCategory(activity_type=kind, price=Money(f"{40 + 15 * i}.50"))
                    for i, kind in enumerate(PRICED)
                ),
            )
        )
        for frequency in BillingFrequency
    }
    rng = random.Random(2021)
    customers = [Employer.create(f"Klant {i:05d}", f"K{i:05d}") for i in range(employers)]
    employees: list[Employee] = []
    for customer in customers:
        for _ in range(10):
            employee = Employee.register("Werk", "Nemer")
            employee.add_employment(
                Employment.create(
                    id=uuid.uuid4(),
                    employer_id=customer.id,
                    period=DateRange(_dt.date(2020, 1, 1)),
                )
            )
            employees.append(employee)
    with xs.unit_of_work() as uow:
        uow.bulk.add_all(employers=customers, employees=employees)
        uow.commit()
    print(f"  loaded {len(customers):,} customers and {len(employees):,} employees", flush=True)

    frequencies = list(BillingFrequency)
    agreement_rows = []
    for i, customer in enumerate(customers):
        frequency = frequencies[i % 4]
        choices = ALLOWED_DEVIATIONS[frequency]
        deviating = choices[i // 4 % len(choices)] if choices and i % 2 else None
        agreement_rows.append(
            {
                "id": uuid.uuid4(),
                "employer_id": customer.id,
                "contract_model_id": models[frequency],
                "starts_on": _dt.date(2025, 1, 1),
                "ends_on": None,
                "service_variation": None if deviating is None else "Variatie",
                "deviating_frequency": None if deviating is None else deviating.value,
            }
        )
    year_2025 = [_dt.date(2025, 1, 1) + _dt.timedelta(days=d) for d in range(365)]
    with xs.unit_of_work() as uow:
        connection = uow.connection  # type: ignore[attr-defined]
        insert_rows(connection, t.service_agreements, agreement_rows)
        for start in range(0, subscriptions, CHUNK):
            count = min(CHUNK, subscriptions - start)
            ids = fresh_uuid_hex(count)
            insert_rows(
                connection,
                t.subscriptions,
                [
                    {
                        "id": ids[n],
                        "agreement_id": agreement_rows[(start + n) % employers]["id"],
                        "description": "Abonnement",
                        "amount": Money.from_cents(rng.randrange(10_000, 500_000)).amount,
                        "starts_on": year_2025[(start + n) % 365],
                        # one in ten ends inside the quarter: billed pro rata
                        "ends_on": _dt.date(2026, 2, 1 + (start + n) % 28)
                        if (start + n) % 10 == 0
                        else None,
                    }
                    for n in range(count)
                ],
            )
        uow.commit()
    print(f"  loaded {subscriptions:,} subscriptions", flush=True)

    employee_ids = [e.id.hex for e in employees]
    days = [QUARTER.start + _dt.timedelta(days=d) for d in range(QUARTER.days or 0)]
    kinds = [*PRICED, "Ongeprijsd"]
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
                        "professional_id": admin,
                        "employee_id": employee_ids[rng.randrange(len(employee_ids))],
                        "activity_type": kinds[rng.randrange(len(kinds))]
                        if (start + n) % 20 == 0
                        else PRICED[(start + n) % len(PRICED)],
                        "performed_on": days[(start + n) % len(days)],
                        "appointment_id": None,
                        "status": "draft" if (start + n) % 10 == 5 else "released",
                    }
                    for n in range(count)
                ],
            )
            uow.commit()
    print(f"  loaded {activities:,} activities", flush=True)
    engine = xs.container.engine()
    settle(engine)
    xs.close()
    return admin


def run_engine(
    name: str, url: str, employers: int, subscriptions: int, activities: int
) -> dict[str, Any]:
    loaded = time.perf_counter()
    # loaded in a child process, so that this process's peak memory is the run's own
    with multiprocessing.get_context("fork").Pool(1) as loader:
        admin = loader.apply(_load, (url, employers, subscriptions, activities))
    rss_before_run = current_rss_mib()
    print(f"[{name}] data loaded in {time.perf_counter() - loaded:.0f} s", flush=True)
    xs = bootstrap(database_url=url, clock=CLOCK, migrate_database=False)
    stages: dict[str, float] = {}
    started = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        if total or stage == "activities":
            stages[stage] = round(time.perf_counter() - started, 2)

    with PeakMemory() as memory:
        summary = xs.billing.run(RunBilling(actor=admin, period=QUARTER), progress)
        seconds = time.perf_counter() - started
        again = time.perf_counter()
        repeat = xs.billing.run(RunBilling(actor=admin, period=QUARTER))
        repeat_seconds = time.perf_counter() - again
    lines = summary.subscription_lines + summary.activity_lines
    # the floor: the same lines, bare, into scratch tables with the same keys (foreign keys
    # included: every line refers to its activity or subscription and its basis) and indexes;
    # and the same without the foreign keys, as the floor was measured before
    engine = xs.container.engine()
    activity_rows, activity_floor = copy_floor(engine, t.invoice_activity_lines, references=True)
    subscription_rows, subscription_floor = copy_floor(
        engine, t.invoice_subscription_lines, references=True
    )
    assert (activity_rows, subscription_rows) == (
        summary.activity_lines,
        summary.subscription_lines,
    )
    floor = activity_floor + subscription_floor
    bare_floor = (
        copy_floor(engine, t.invoice_activity_lines)[1]
        + copy_floor(engine, t.invoice_subscription_lines)[1]
    )
    report = {
        "engine": name,
        "customers": employers,
        "subscriptions": subscriptions,
        "activities": activities,
        "invoice_bases": len(summary.invoice_bases),
        "subscription_lines": summary.subscription_lines,
        "activity_lines": summary.activity_lines,
        "total": str(summary.total.amount),
        "unbilled_activities": summary.unbilled_activities,
        "run_seconds": round(seconds, 2),
        "lines_per_second": round(lines / seconds),
        "stage_done_at_seconds": stages,
        "repeat_run_seconds": round(repeat_seconds, 2),
        "repeat_run_lines": repeat.subscription_lines + repeat.activity_lines,
        "repeat_vs_first": round(repeat_seconds / seconds, 3),
        "floor_seconds": round(floor, 2),
        "floor_activity_lines_seconds": round(activity_floor, 2),
        "floor_subscription_lines_seconds": round(subscription_floor, 2),
        "ratio": ratio(seconds, floor),
        "floor_without_references_seconds": round(bare_floor, 2),
        "ratio_without_references": ratio(seconds, bare_floor),
        "peak_rss_mib": peak_rss_mib(),
        "rss_before_run_mib": rss_before_run,
        # of the two runs alone: the process's own memory, and the file pages it had mapped
        "peak_private_mib": memory.private_mib,
        "peak_file_pages_mib": memory.file_mib,
    }
    print(
        f"[{name}] billing run {QUARTER}: {len(summary.invoice_bases):,} invoice bases, "
        f"{summary.subscription_lines:,} subscription lines, {summary.activity_lines:,} activity "
        f"lines ({summary.unbilled_activities:,} released activities unpriced) in "
        f"{seconds:.2f} s ({report['lines_per_second']:,} lines/s; stages done at "
        f"{stages}); the same run again: {repeat_seconds:.2f} s, "
        f"{report['repeat_run_lines']} new lines ({report['repeat_vs_first']:.1%} of the "
        f"first)\n[{name}] floor (bare INSERT … SELECT of the same lines into tables with the "
        f"same keys, foreign keys included, and indexes): {floor:.2f} s -> ratio = use case / "
        f"floor = {report['ratio']} (without the foreign keys: {bare_floor:.2f} s, ratio "
        f"{report['ratio_without_references']}); peak RSS {report['peak_rss_mib']} MiB (of the "
        f"run: the data was loaded by a child process; {rss_before_run} MiB before it); "
        f"during the runs private memory peaked at {memory.private_mib} MiB, file pages "
        f"(SQLite's mapped database) at {memory.file_mib} MiB",
        flush=True,
    )
    xs.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--employers", type=int, default=10_000)
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args()
    reports = [
        run_on(
            name,
            "billing",
            lambda url, n=name: run_engine(
                n, url, args.employers, args.subscriptions, args.activities
            ),
            keep=args.keep,
        )
        for name in args.engines.split(",")
    ]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "billing.json"
    out.write_text(json.dumps(reports, indent=2))
    print(f"written {out}")


if __name__ == "__main__":
    main()
