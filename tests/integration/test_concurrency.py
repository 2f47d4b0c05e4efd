"""A uniqueness invariant under real concurrent connections (R0.5, ARCHITECTURE "Invariants").

Many threads, each with its own connection, create an employer with the same code at the same
moment: exactly one succeeds, every other one gets the domain error — never a database error —
and nothing of the refused ones is stored.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from xs_adapters.clock import FixedClock
from xs_app import bootstrap
from xs_app.services.organisation import CreateEmployer
from xs_core.errors import DomainError

RACERS = 8


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_r1_2_employer_code_unique_under_concurrency(
    backend: str, request: pytest.FixtureRequest, clock: FixedClock
) -> None:
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")
    xs = bootstrap(database_url=url, clock=clock, migrate_database=False)
    admin = xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
    barrier = threading.Barrier(RACERS)
    outcomes: list[object] = []
    lock = threading.Lock()

    def race(number: int) -> None:
        barrier.wait()
        try:
            outcome: object = xs.organisation.create_employer(
                CreateEmployer(actor=admin, name=f"Racer {number}", code="SAME")
            )
        except DomainError as error:
            outcome = error.code
        except Exception as error:
            outcome = repr(error)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=race, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = [o for o in outcomes if o == "organisation.code_in_use"]
    assert len(refused) == RACERS - 1, outcomes
    engine = xs.container.engine()
    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM employers")).scalar_one()
        events = connection.execute(
            sa.text("SELECT count(*) FROM outbox WHERE name = 'EmployerCreated'")
        ).scalar_one()
    assert (count, events) == (1, 1)
    xs.close()
