"""R6.6, R2.2: a chunk of the nightly run and a bulk start are worked with Python's cyclic
garbage collector paused; the collector's state is restored after, also when the work fails,
and a pause inside another (or overlapping in threads) ends with the collector as found."""

from __future__ import annotations

import gc
import uuid

import pytest

from tests.apps import make_app
from xs_adapters.clock import FixedClock
from xs_app.services.base import collector_paused
from xs_app.services.organisation import CreateEmployer, EmploymentTerms, RegisterEmployee
from xs_app.services.protocols import BulkStart, CreateProtocol
from xs_core.protocols.bulk import BulkStartRequest, BulkUnit
from xs_core.protocols.model import ProtocolCharacteristics, ProtocolKind, TaskTemplate


def _failing_chunk() -> None:
    with collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("the chunk failed")


def test_r6_6_the_collector_is_paused_for_a_chunk_and_restored_after_a_failure() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        _failing_chunk()
    assert gc.isenabled()


def test_r6_6_a_collector_paused_by_the_caller_stays_paused() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_r2_2_overlapping_pauses_end_with_the_collector_on() -> None:
    """Two requests in two threads: the second pause begins inside the first and ends after."""
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_r2_2_a_bulk_start_runs_with_the_collector_paused(
    request: pytest.FixtureRequest, clock: FixedClock
) -> None:
    xs = make_app(request, clock, "memory")
    try:
        admin = xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
        employer = xs.organisation.create_employer(CreateEmployer(actor=admin, name="Bakkerij"))
        xs.organisation.register_employee(
            RegisterEmployee(
                actor=admin,
                first_name="Anna",
                last_name="Jansen",
                employment=EmploymentTerms(employer_id=employer, start=clock.today()),
            )
        )
        protocol = xs.protocols.create_protocol(
            CreateProtocol(
                actor=admin,
                name="Re-integratie",
                kind=ProtocolKind.OTHER,
                task_templates=(TaskTemplate(code="INTAKE", title="Intake"),),
                characteristics=ProtocolCharacteristics(
                    may_start_in_bulk=True, bulk_end_date_may_be_empty=True
                ),
            )
        )
        seen: list[bool] = []
        result = xs.bulk_start.start(
            BulkStart(
                actor=admin,
                request=BulkStartRequest(
                    request_id=uuid.uuid4(),
                    protocol_id=protocol,
                    unit=BulkUnit(employer_ids=frozenset({employer})),
                    start=clock.today(),
                ),
            ),
            progress=lambda *_: seen.append(gc.isenabled()),
        )
        assert result.started == 1
        assert seen and not any(seen)  # every step inside the request: paused
        assert gc.isenabled()  # and on again after it
    finally:
        xs.close()
