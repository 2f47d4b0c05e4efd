"""A transaction that loses to another — a deadlock or lock timeout on PostgreSQL, a write lock
held past the busy timeout on SQLite — reaches the caller as ``storage.conflict`` (a coded
Conflict, "try again"), never as a driver error; the unit of work has rolled back
(docs/concurrency.md). The services lock in a fixed order, so these are provoked by hand here."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from xs_adapters.clock import FixedClock
from xs_adapters.sql import tables as t
from xs_adapters.sql.engine import create_engine
from xs_adapters.sql.locking import lock_row
from xs_adapters.sql.uow import SqlUnitOfWork
from xs_core.errors import Conflict
from xs_core.organisation.model import Employer


def employers(engine: sa.Engine, clock: FixedClock, count: int) -> list[Employer]:
    created = [Employer.create(f"Werkgever {n}") for n in range(count)]
    with SqlUnitOfWork(engine, clock) as uow:
        for employer in created:
            uow.employers.add(employer)
        uow.commit()
    return created


def test_a_lock_timeout_answers_storage_conflict(postgres_url: str, clock: FixedClock) -> None:
    engine = create_engine(postgres_url)
    (employer,) = employers(engine, clock, 1)
    with SqlUnitOfWork(engine, clock) as holder:
        holder.employers.lock(employer.id)
        # the driver error surfaces in the block; leaving the unit of work translates it
        with pytest.raises(Conflict) as lost, SqlUnitOfWork(engine, clock) as waiter:  # noqa: PT012
            waiter.connection.exec_driver_sql("SET LOCAL lock_timeout = '50ms'")
            waiter.employers.lock(employer.id)
        assert lost.value.code == "storage.conflict"
        assert lost.value.details == {"reason": "lock_not_available", "sqlstate": "55P03"}
    engine.dispose()


def test_a_deadlock_answers_storage_conflict(postgres_url: str, clock: FixedClock) -> None:
    """Two transactions lock two rows in opposite orders (the services never do): PostgreSQL
    breaks the deadlock by failing one, which answers ``storage.conflict``; the other commits."""
    engine = create_engine(postgres_url)
    first, second = employers(engine, clock, 2)
    both_hold_one = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def lock(name: str, order: list[Employer]) -> None:
        try:
            with SqlUnitOfWork(engine, clock) as uow:
                uow.connection.exec_driver_sql("SET LOCAL deadlock_timeout = '50ms'")
                lock_row(uow.connection, t.employers, order[0].id)
                both_hold_one.wait(10)
                lock_row(uow.connection, t.employers, order[1].id)
                uow.commit()
            outcomes[name] = "committed"
        except Conflict as error:
            outcomes[name] = error.details["reason"]
        except Exception as error:
            outcomes[name] = repr(error)

    threads = [
        threading.Thread(target=lock, args=("a", [first, second])),
        threading.Thread(target=lock, args=("b", [second, first])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(map(str, outcomes.values())) == ["committed", "deadlock"]
    engine.dispose()


def test_a_busy_sqlite_answers_storage_conflict(sqlite_url: str, clock: FixedClock) -> None:
    engine = create_engine(sqlite_url)

    @event.listens_for(engine, "connect")
    def _short_wait(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout = 50")

    with SqlUnitOfWork(engine, clock):  # a writing unit of work holds the write lock
        with pytest.raises(Conflict) as lost:
            SqlUnitOfWork(engine, clock).__enter__()
        assert (lost.value.code, lost.value.details["reason"]) == ("storage.conflict", "busy")
    with SqlUnitOfWork(engine, clock) as uow:  # and once it is free, writing works again
        uow.employers.add(Employer.create("Later"))
        uow.commit()
    engine.dispose()
