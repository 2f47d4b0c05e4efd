"""R2.5 in a bulk start: the core decides per started employee, exactly as a sickness report."""

from __future__ import annotations

import datetime as _dt
import uuid

from hypothesis import given
from hypothesis import strategies as st

from xs_core.protocols.bulk import (
    BulkOutcome,
    BulkStartPlan,
    BulkStartRequest,
    BulkUnit,
    SicknessFacts,
    SkipReason,
    decide_compensation,
)
from xs_core.protocols.compensation import CompensationDecision, CompensationReason
from xs_core.protocols.model import (
    COMPENSATION_TASK,
    Protocol,
    ProtocolKind,
    TaskTemplate,
    Trajectory,
)

D = _dt.date
TODAY = D(2026, 11, 29)
SICK = Protocol.create("Verzuim", ProtocolKind.SICKNESS, (TaskTemplate(code="A", title="A"),))
PMO = Protocol.create("PMO", ProtocolKind.PMO, (TaskTemplate(code="A", title="A"),))


def started(employee: uuid.UUID) -> BulkOutcome:
    return BulkOutcome(employee, uuid.uuid4(), None)


def test_r2_5_bulk_decisions_for_every_kind_of_fact() -> None:
    known, no_birth, no_start, not_told = (uuid.UUID(int=n) for n in range(1, 5))
    skipped = uuid.UUID(int=9)
    facts = {
        known: SicknessFacts(D(1960, 1, 1), D(2024, 1, 1)),
        no_birth: SicknessFacts(None, D(2024, 1, 1)),
        no_start: SicknessFacts(D(1960, 1, 1), None),
        skipped: SicknessFacts(D(1960, 1, 1), D(2024, 1, 1)),
    }
    outcomes = [
        started(known),
        started(no_birth),
        started(no_start),
        started(not_told),
        BulkOutcome(skipped, None, SkipReason.ALREADY_OPEN),
    ]
    assert decide_compensation(SICK, outcomes, facts, D(2026, 12, 1)) == {
        known: CompensationDecision(True, CompensationReason.ELIGIBLE),
        no_birth: CompensationDecision(False, CompensationReason.BIRTH_DATE_UNKNOWN),
        no_start: CompensationDecision(True, CompensationReason.EMPLOYMENT_START_UNKNOWN),
        # nothing known of the employee: the birth date is unknown, so not added
        not_told: CompensationDecision(False, CompensationReason.BIRTH_DATE_UNKNOWN),
    }
    assert decide_compensation(PMO, outcomes, facts, D(2026, 12, 1)) == {}


dates = st.dates(D(1940, 1, 1), D(2026, 12, 31))


@given(birth=st.none() | dates, employed=st.none() | dates, sick=dates)
def test_r2_5_a_bulk_decision_is_the_decision_of_a_sickness_report(
    birth: _dt.date | None, employed: _dt.date | None, sick: _dt.date
) -> None:
    """Whatever the facts, a bulk start decides and tasks as ``Trajectory.start_sickness``."""
    employee = uuid.uuid4()
    outcome = started(employee)
    decisions = decide_compensation(
        SICK, [outcome], {employee: SicknessFacts(birth, employed)}, sick
    )
    single = Trajectory.start_sickness(SICK, employee, sick, TODAY, birth, employed)
    assert decisions == {employee: single.compensation}
    plan = BulkStartPlan(
        request=BulkStartRequest(
            request_id=uuid.uuid4(),
            protocol_id=SICK.id,
            unit=BulkUnit(employer_ids=frozenset({uuid.uuid4()})),
            start=sick,
        ),
        protocol=SICK,
        requested_by=uuid.uuid4(),
        today=TODAY,
        tasks=SICK.tasks_to_add,
        outcomes=(outcome,),
        employments={},
        compensation=decisions,
    )
    assert [(t.code, t.title, reason) for t, reason in plan.tasks_for(employee)] == [
        (t.code, t.title, t.reason) for t in single.tasks
    ]
    if single.compensation is not None and single.compensation.added:
        assert plan.tasks_for(employee)[-1][0] == COMPENSATION_TASK
