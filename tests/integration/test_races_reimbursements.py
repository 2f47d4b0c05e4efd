"""R5.5 under real concurrency, in several **processes** on SQLite and PostgreSQL: an activity is
reimbursed (settled) at most once and on at most one draft batch, whatever happens at once.

Each worker process bootstraps its own application on the same database, waits at a barrier and
then generates, decides, finalises and discards batches for overlapping sets of contract holders.
A second race goes around the services' supplier lock and writes through the store directly, to
show that the database's partial unique indexes alone keep the promise.
"""

from __future__ import annotations

import datetime as _dt
import multiprocessing
import random
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tests.apps import make_app, user_with
from tests.races import ENGINES
from tests.reimbursements_world import ReimbursementWorld, reimbursement_world
from xs_adapters.clock import FixedClock
from xs_adapters.sql import tables as t
from xs_app import Xs, bootstrap
from xs_app.services.reimbursements import (
    DecideReimbursementLines,
    DiscardReimbursementBatch,
    FinaliseReimbursementBatch,
    GenerateReimbursementBatch,
    ReimbursementBatchLines,
    SetContractSettings,
)
from xs_core.access.features import Feature
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.reimbursements.batches import LineDecision, ReimbursementBatch

D = _dt.date
WORKERS = 4
ROUNDS = 6
TODAY = D(2026, 11, 29)
#: the codes a racer may meet: a batch another racer finalised or discarded meanwhile, or
#: (without the supplier lock) a settled activity
EXPECTED = {"not_found", "reimbursements.batch_final", "reimbursements.already_settled"}


@pytest.fixture(params=ENGINES)
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    xs = make_app(request, clock, request.param)
    yield xs
    xs.close()


def _world(xs: Xs) -> tuple[ReimbursementWorld, list[uuid.UUID]]:
    """Six contract holders with five offered activities each."""
    w = reimbursement_world(xs)
    scope = frozenset({UnitRef(UnitKind.EMPLOYER, w.employer)})
    users = [w.anna, w.bert]
    for n in range(4):
        user = user_with(
            xs, w.admin, f"prof{n}@example.nl", frozenset({Feature.REGISTER_ACTIVITIES}), scope
        )
        xs.reimbursements.set_contract_settings(
            SetContractSettings(
                actor=w.admin,
                user_id=user,
                valid_from=D(2025, 1, 1),
                reimbursed_via_supplier=True,
                supplier_id=w.supplier,
                contract_model_id=w.model,
            )
        )
        users.append(user)
    for user in users:
        for day in range(1, 6):
            w.register(user, D(2026, 2, day), "Spreekuur" if day % 2 else "Telefonisch")
    w.offer(DateRange(D(2026, 1, 1), D(2026, 4, 1)))
    return w, users


def _url(xs: Xs) -> str:
    return xs.container.engine().url.render_as_string(hide_password=False)


def _worker(
    url: str,
    admin: str,
    supplier: str,
    model: str,
    users: list[str],
    index: int,
    barrier: Any,
    results: Any,
) -> None:
    """Generate batches for a window of three holders (the windows of neighbours overlap),
    postpone or exclude a line now and then, and finalise or discard."""
    xs = bootstrap(database_url=url, clock=FixedClock.on(TODAY), migrate_database=False)
    svc = xs.reimbursements
    actor = uuid.UUID(admin)
    chance = random.Random(index)
    outcomes: list[str] = []
    barrier.wait(60)
    try:
        for round_ in range(ROUNDS):
            window = [uuid.UUID(users[(index + round_ + k) % len(users)]) for k in range(3)]
            try:
                batch = svc.generate(
                    GenerateReimbursementBatch(
                        actor=actor,
                        supplier_id=uuid.UUID(supplier),
                        contract_model_id=uuid.UUID(model),
                        reference_date=D(2026, 3, 31),
                        user_ids=frozenset(window),
                    )
                )
                lines = [
                    line.activity_id
                    for line in svc.lines(ReimbursementBatchLines(actor=actor, batch_id=batch.id))
                ]
                if lines:
                    decision = chance.choice(list(LineDecision))
                    svc.decide(
                        DecideReimbursementLines(
                            actor=actor,
                            batch_id=batch.id,
                            activity_ids=frozenset(lines[:1]),
                            decision=decision,
                        )
                    )
                if chance.random() < 0.8:
                    svc.finalise(FinaliseReimbursementBatch(actor=actor, batch_id=batch.id))
                else:
                    svc.discard(DiscardReimbursementBatch(actor=actor, batch_id=batch.id))
                outcomes.append("ok")
            except DomainError as error:
                outcomes.append(error.code)
    except Exception as error:  # reported, and the test fails on it
        outcomes.append(f"crash: {error!r}")
    finally:
        xs.close()
    results.put((index, outcomes))


def _race(target: Any, args: list[tuple[Any, ...]]) -> list[str]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(args))
    results = context.Queue()
    processes = [
        context.Process(target=target, args=(*a, i, barrier, results)) for i, a in enumerate(args)
    ]
    for process in processes:
        process.start()
    collected = [results.get(timeout=240) for _ in processes]
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    return [code for _, outcomes in collected for code in outcomes]


def _invariants(xs: Xs) -> tuple[int, int]:
    """Every activity on at most one draft line and settled at most once (checked by query,
    not trusted to the indexes); the settled and the reimbursed activities."""
    line, batch = t.reimbursement_lines, t.reimbursement_batches
    with xs.container.engine().connect() as c:
        drafts = c.execute(
            sa.select(line.c.activity_id, sa.func.count())
            .join(batch, batch.c.id == line.c.batch_id)
            .where(~batch.c.final)
            .group_by(line.c.activity_id)
            .having(sa.func.count() > 1)
        ).all()
        settled = c.execute(
            sa.select(line.c.activity_id, sa.func.count())
            .join(batch, batch.c.id == line.c.batch_id)
            .where(batch.c.final, line.c.decision != "postpone")
            .group_by(line.c.activity_id)
            .having(sa.func.count() > 1)
        ).all()
        mismatched = c.execute(
            sa.select(sa.func.count())
            .select_from(line)
            .join(batch, batch.c.id == line.c.batch_id)
            .where(line.c.final != batch.c.final)
        ).scalar_one()
        total_settled = c.execute(
            sa.select(sa.func.count(sa.distinct(line.c.activity_id))).where(
                line.c.final, line.c.decision != "postpone"
            )
        ).scalar_one()
        reimbursed = c.execute(
            sa.select(sa.func.count()).where(line.c.final, line.c.decision == "reimburse")
        ).scalar_one()
    assert drafts == [] and settled == [] and mismatched == 0
    return int(total_settled), int(reimbursed)


def test_r5_5_processes_generating_and_finalising_overlapping_batches_settle_each_activity_once(
    app: Xs,
) -> None:
    w, users = _world(app)
    args = [
        (_url(app), str(w.admin), str(w.supplier), str(w.model), [str(u) for u in users])
        for _ in range(WORKERS)
    ]
    codes = _race(_worker, args)
    assert not [c for c in codes if c.startswith("crash")], codes
    assert set(codes) <= {"ok"} | EXPECTED, codes
    assert codes.count("ok") >= 1
    settled, reimbursed = _invariants(app)
    assert 0 < settled <= 30 and reimbursed <= settled


def _store_worker(
    url: str, supplier: str, model: str, index: int, barrier: Any, results: Any
) -> None:
    """Without the supplier lock: open a batch for every holder, fill it with one INSERT …
    SELECT and finalise it at once, through the store alone."""
    xs = bootstrap(database_url=url, clock=FixedClock.on(TODAY), migrate_database=False)
    outcomes: list[str] = []
    barrier.wait(60)
    try:
        for _ in range(3):
            try:
                with xs.unit_of_work() as uow:
                    batch = ReimbursementBatch.open(
                        uuid.UUID(supplier), uuid.UUID(model), D(2026, 3, 31), TODAY
                    )
                    holders = uow.contract_settings.holders(
                        batch.supplier_id, batch.contract_model_id
                    )
                    uow.reimbursements.add(batch, holders)
                    added = uow.reimbursements.add_lines(batch.id)
                    batch.generated(uow.reimbursements.counts(batch.id), len(holders))
                    batch.finalise(TODAY)
                    uow.reimbursements.finalise(batch)
                    uow.reimbursements.save(batch)
                    uow.commit()
                outcomes.append(f"ok {added}")
            except DomainError as error:
                outcomes.append(error.code)
    except Exception as error:
        outcomes.append(f"crash: {error!r}")
    finally:
        xs.close()
    results.put((index, outcomes))


def test_r5_5_without_the_supplier_lock_the_database_alone_settles_each_activity_once(
    app: Xs,
) -> None:
    w, _ = _world(app)
    args = [(_url(app), str(w.supplier), str(w.model)) for _ in range(WORKERS)]
    codes = _race(_store_worker, args)
    assert not [c for c in codes if c.startswith("crash")], codes
    added = sum(int(c.split()[1]) for c in codes if c.startswith("ok"))
    assert added == 30  # each of the 30 offered activities went into exactly one batch
    assert set(c for c in codes if not c.startswith("ok")) <= EXPECTED | {"storage.conflict"}
    assert _invariants(app) == (30, 30)


def test_r5_5_the_index_refuses_a_second_line_taking_an_activity(app: Xs) -> None:
    """Written straight into the table, past every check in Python: a second draft line, a
    draft line for a settled activity, and finalising a batch over a settled activity."""
    w, _ = _world(app)
    first = w.generate(D(2026, 3, 31))
    line, batch = t.reimbursement_lines, t.reimbursement_batches
    with app.container.engine().connect() as c:
        row = c.execute(sa.select(line).where(line.c.batch_id == first.id)).first()
        assert row is not None
    with app.unit_of_work() as uow:
        second = ReimbursementBatch.open(w.supplier, w.model, D(2026, 3, 31), TODAY)
        uow.reimbursements.add(second, [])
        uow.commit()
    values = {**row._mapping, "batch_id": second.id}
    with pytest.raises(sa.exc.IntegrityError), app.container.engine().begin() as c:
        c.execute(line.insert().values(**values))  # a second draft line
    w.xs.reimbursements.finalise(FinaliseReimbursementBatch(actor=w.admin, batch_id=first.id))
    with pytest.raises(sa.exc.IntegrityError), app.container.engine().begin() as c:
        c.execute(line.insert().values(**values))  # a draft line for a settled activity
    # a postponed line of a final batch takes nothing (and carries its batch's final flag, or
    # the composite reference refuses it)
    with app.container.engine().begin() as c:
        c.execute(batch.update().where(batch.c.id == second.id).values(final=True))
        c.execute(line.insert().values(**{**values, "final": True, "decision": "postpone"}))
    with pytest.raises(sa.exc.IntegrityError), app.container.engine().begin() as c:
        c.execute(  # settling it again
            line.update()
            .where(line.c.batch_id == second.id)
            .values(decision=LineDecision.REIMBURSE.value)
        )
