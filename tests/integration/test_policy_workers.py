"""The nightly evaluation on PostgreSQL, killed and scaled out (R6.6, ARCHITECTURE "Work that
scales out"): real processes, SIGKILL, and the result compared with an uninterrupted
single-process run of the same database (a copy made before either run).

* crash/resume: ``xs policies evaluate`` killed after some chunks; started again, it resumes the
  same run and ends with exactly the uninterrupted run's registrations and events;
* two ``xs worker`` processes share one queued run; one is killed mid-run; the survivor takes up
  the killed one's job (its heartbeat stopped) and the run ends with the same result.
"""

from __future__ import annotations

import datetime as _dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import _server_url, create_database, drop_database
from xs_adapters.sql import tables as t
from xs_app import bootstrap
from xs_app.services.configuration import SetParameter
from xs_app.services.policies import (
    CreateInsuranceProduct,
    CreateInsurer,
    CreatePolicy,
    SetProductConditions,
)
from xs_app.services.policy_evaluation import EvaluatePolicies, GetPolicyEvaluation
from xs_app.synthetic import SyntheticGenerator, SyntheticSize, load
from xs_app.worker import enqueue
from xs_core.organisation.model import EmploymentType
from xs_core.policies.conditions import (
    Age,
    AgeCondition,
    Conditions,
    EmploymentTypeCondition,
    SalaryCondition,
)
from xs_core.policies.model import ProductKind
from xs_core.settings import Parameter

pytestmark = pytest.mark.postgres

ON = _dt.date(2026, 1, 1)
CHUNK = 25
EMPLOYEES = 1_500
ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), *sys.path])}


@pytest.fixture
def world(postgres_server: sa.Engine, postgres_url: str) -> Iterator[tuple[str, str, str]]:
    """(database, its untouched copy, the admin's e-mail): 3 employers of ~500 employees,
    each with a policy on a product with the age, salary and employment-type conditions."""
    xs = bootstrap(database_url=postgres_url, migrate_database=False)
    load(
        xs.unit_of_work,
        SyntheticGenerator(
            7, SyntheticSize(folders=1, employers=3, departments=3, branches=3, employees=EMPLOYEES)
        ),
    )
    email = "beheer@example.nl"
    admin = xs.installation.create_super_administrator("Beheer", email)
    xs.configuration.set_parameter(
        SetParameter(actor=admin, parameter=Parameter.BUSINESS_RULES, value=1)
    )
    insurer = xs.policies.create_insurer(CreateInsurer(actor=admin, name="Verzekeraar"))
    product = xs.policies.create_product(
        CreateInsuranceProduct(
            actor=admin, insurer_id=insurer, name="Pensioen", kind=ProductKind.PENSION
        )
    )
    xs.policies.set_product_conditions(
        SetProductConditions(
            actor=admin,
            product_id=product,
            conditions=Conditions(
                age=AgeCondition(active=True, younger_than=Age(21), older_than=Age(66, 3)),
                salary=SalaryCondition(active=True),
                employment_type=EmploymentTypeCondition(
                    active=True, excluded=frozenset({EmploymentType.INTERN})
                ),
            ),
        )
    )
    with xs.unit_of_work(write=False) as uow:
        employers = [uow.employers.find_by_code(f"WG0000{n}") for n in (1, 2, 3)]
    for n, employer in enumerate(employers):
        assert employer is not None
        xs.policies.create_policy(
            CreatePolicy(
                actor=admin,
                employer_id=employer.id,
                product_id=product,
                number=f"P{n}",
                start=_dt.date(2025, 1, 1),
            )
        )
    xs.close()
    name = postgres_url.rpartition("/")[2]
    copy = create_database(postgres_server, name)
    yield postgres_url, _server_url(copy), email
    drop_database(postgres_server, copy)


def _registrations(url: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    r = t.policy_registrations
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(
                    r.c.policy_id,
                    r.c.employee_id,
                    r.c.start_date,
                    r.c.end_date,
                    r.c.included,
                    r.c.reasons,
                    r.c.source,
                    r.c.notes,
                    r.c.registered_on,
                )
            )
            return sorted(tuple(row) for row in rows)
    finally:
        engine.dispose()


def _events(url: str) -> list[tuple[str, str]]:
    """(name, payload) of the outbox's messages, the run's own ids left out."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(t.outbox.c.name, t.outbox.c.payload).where(
                    t.outbox.c.name == "ParticipationChanged"
                )
            )
            return sorted((row[0], str(row[1])) for row in rows)
    finally:
        engine.dispose()


def _done(url: str) -> int:
    engine = sa.create_engine(url)
    c = t.policy_run_chunks
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    sa.select(sa.func.count()).select_from(c).where(c.c.done.is_(True))
                ).scalar_one()
            )
    finally:
        engine.dispose()


def _uninterrupted(url: str, email: str) -> Any:
    xs = bootstrap(database_url=url, migrate_database=False)
    try:
        admin = xs.installation.user_id(email)
        assert admin is not None
        return xs.policy_evaluation.evaluate(EvaluatePolicies(actor=admin, on=ON, chunk_size=CHUNK))
    finally:
        xs.close()


def _xs(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "xs_app.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )


def _wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_r6_6_a_killed_run_resumes_to_the_uninterrupted_result(
    world: tuple[str, str, str],
) -> None:
    url, copy, email = world
    reference = _uninterrupted(copy, email)
    assert reference.finished and reference.added > EMPLOYEES
    run = _xs(
        "policies", "evaluate", "--on", ON.isoformat(), "--chunk-size", str(CHUNK),
        "--as", email, "--database-url", url,
    )  # fmt: skip
    _wait_for(lambda: _done(url) >= 5, 120, "five chunks")
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert 5 <= _done(url) < reference.chunks, "killed before the end"
    resumed = _uninterrupted(url, email)
    assert resumed.resumed and resumed.finished
    assert (resumed.changed, resumed.added, resumed.removed) == (
        reference.changed,
        reference.added,
        reference.removed,
    )
    assert _registrations(url) == _registrations(copy)
    assert _events(url) == _events(copy)


def _job_states(url: str) -> dict[str, int]:
    """The queue's jobs counted per status."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                str(status): int(count)
                for status, count in connection.execute(
                    sa.text("SELECT status, count(*) FROM procrastinate_jobs GROUP BY status")
                ).all()
            }
    finally:
        engine.dispose()


def test_r6_6_two_workers_share_a_run_and_survive_a_killed_one(
    world: tuple[str, str, str],
) -> None:
    url, copy, email = world
    reference = _uninterrupted(copy, email)
    xs = bootstrap(database_url=url, migrate_database=False)
    try:
        admin = xs.installation.user_id(email)
        assert admin is not None
        status = xs.policy_evaluation.start(EvaluatePolicies(actor=admin, on=ON, chunk_size=CHUNK))
        assert enqueue(url, admin, status) == status.chunks
        victim, survivor = (
            _xs("worker", "--database-url", url),
            _xs("worker", "--database-url", url),
        )
        try:
            _wait_for(lambda: _done(url) >= 4, 120, "four chunks")
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            assert _done(url) < status.chunks, "killed before the end"

            def finished() -> bool:
                assert survivor.poll() is None, survivor.communicate()[1]
                return xs.policy_evaluation.status(
                    GetPolicyEvaluation(actor=admin, run_id=status.run_id)
                ).finished

            _wait_for(finished, 180, "the run to finish")
            # The victim may have died after its chunk committed and before the queue marked
            # its job done: the job stays "doing" until a live worker's reaper retries it (a
            # stalled heartbeat, STALLED_AFTER), and that retry finds the chunk done.
            _wait_for(
                lambda: _job_states(url) == {"succeeded": status.chunks}, 60, "every job to end"
            )
        finally:
            for process in (victim, survivor):
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    try:
                        process.wait(timeout=30)
                    except subprocess.TimeoutExpired:  # pragma: no cover - a hung worker
                        process.kill()
        final = xs.policy_evaluation.status(GetPolicyEvaluation(actor=admin, run_id=status.run_id))
    finally:
        xs.close()
    assert (final.changed, final.added, final.removed) == (
        reference.changed,
        reference.added,
        reference.removed,
    )
    assert _registrations(url) == _registrations(copy)
    assert _events(url) == _events(copy)
    states = _job_states(url)
    assert states == {"succeeded": status.chunks}, states
    assert uuid.UUID(str(status.run_id))
