"""R2.5 applies to every sickness trajectory, however it starts: a bulk start of a sickness
protocol decides the compensation-scheme task per employee exactly as a sickness report does
(memory, SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.apps import make_app
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.services.organisation import CreateEmployer, EmploymentTerms, RegisterEmployee
from xs_app.services.protocols import (
    BulkStart,
    CloseTrajectory,
    CreateProtocol,
    ReportRecovery,
    ReportSickness,
    StartTrajectory,
    TrajectoriesOf,
)
from xs_core.errors import DomainError
from xs_core.protocols.bulk import BulkStartRequest, BulkStartResult, BulkUnit, SkipReason
from xs_core.protocols.compensation import CompensationDecision, CompensationReason
from xs_core.protocols.model import (
    COMPENSATION_TASK,
    ProtocolCharacteristics,
    ProtocolKind,
    TaskTemplate,
    Trajectory,
)

D = _dt.date
FIRST_SICK_DAY = D(2026, 12, 1)  # five years earlier: 1 December 2021

#: name → (birth date, employment start, the decision worked out by hand from R2.5)
PEOPLE: dict[str, tuple[_dt.date | None, _dt.date, CompensationDecision]] = {
    # born before 1962, employed since 2023 (within five years): the task is added
    "Anna": (
        D(1961, 12, 31),
        D(2023, 1, 1),
        CompensationDecision(True, CompensationReason.ELIGIBLE),
    ),
    # employed since exactly five years before the first sick day: still "no longer than five"
    "Bep": (D(1958, 3, 3), D(2021, 12, 1), CompensationDecision(True, CompensationReason.ELIGIBLE)),
    # one day longer than five years
    "Cor": (
        D(1958, 3, 3),
        D(2021, 11, 30),
        CompensationDecision(False, CompensationReason.EMPLOYED_TOO_LONG),
    ),
    # born on 1 January 1962: not before it
    "Dirk": (
        D(1962, 1, 1),
        D(2023, 1, 1),
        CompensationDecision(False, CompensationReason.BORN_TOO_LATE),
    ),
    # birth date unknown: not added (the decision of R2.5)
    "Eva": (
        None,
        D(2023, 1, 1),
        CompensationDecision(False, CompensationReason.BIRTH_DATE_UNKNOWN),
    ),
}


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    xs = make_app(request, clock, request.param)
    yield xs
    xs.close()


def sickness_protocol(xs: Xs, admin: uuid.UUID, name: str) -> uuid.UUID:
    return xs.protocols.create_protocol(
        CreateProtocol(
            actor=admin,
            name=name,
            kind=ProtocolKind.SICKNESS,
            task_templates=(
                TaskTemplate(code="INTAKE", title="Intake"),
                TaskTemplate(code="ZIEKTEAANGIFTE_55PLUS", title="oud"),  # never added (R2.5)
            ),
            characteristics=ProtocolCharacteristics(
                may_start_in_bulk=True, bulk_end_date_may_be_empty=True
            ),
        )
    )


def start_in_bulk(
    xs: Xs,
    admin: uuid.UUID,
    protocol: uuid.UUID,
    employer: uuid.UUID,
    start: _dt.date,
    **request: Any,
) -> BulkStartResult:
    """A bulk start of ``protocol`` for the employer's employees on ``start`` (R2.2)."""
    return xs.bulk_start.start(
        BulkStart(
            actor=admin,
            request=BulkStartRequest(
                request_id=uuid.uuid4(),
                protocol_id=protocol,
                unit=BulkUnit(employer_ids=frozenset({employer})),
                start=start,
                **request,
            ),
        )
    )


def decision_and_tasks(x: Trajectory) -> tuple[object, ...]:
    return (x.compensation, [(t.code, t.title, t.reason) for t in x.tasks])


def test_r2_5_a_bulk_started_sickness_trajectory_gets_the_decision_of_a_report(app: Xs) -> None:
    admin = app.installation.create_super_administrator("Beheer", "beheer@example.nl")
    employer = app.organisation.create_employer(CreateEmployer(actor=admin, name="Bakkerij"))
    # twins: one of each pair is started in bulk, the other reports sick (one person cannot be
    # reported sick twice for the same days, R3.1)
    people, twins = (
        {
            name: app.organisation.register_employee(
                RegisterEmployee(
                    actor=admin,
                    first_name=name,
                    last_name=last_name,
                    birth_date=born,
                    employment=EmploymentTerms(employer_id=employer, start=employed),
                )
            )
            for name, (born, employed, _) in PEOPLE.items()
        }
        for last_name in ("Jansen", "Tweeling")
    )
    in_bulk = sickness_protocol(app, admin, "Verzuim (bulk)")
    reported = sickness_protocol(app, admin, "Verzuim (melding)")
    result = start_in_bulk(
        app, admin, in_bulk, employer, FIRST_SICK_DAY, deselected=frozenset(twins.values())
    )
    assert result.started == len(PEOPLE)
    for name, person in people.items():
        single = app.trajectories.report_sickness(
            ReportSickness(
                actor=admin,
                protocol_id=reported,
                employee_id=twins[name],
                first_sick_day=FIRST_SICK_DAY,
            )
        )
        (bulk,) = [
            x
            for x in app.trajectories.trajectories_of(
                TrajectoriesOf(actor=admin, employee_id=person)
            )
            if x.protocol_id == in_bulk
        ]
        decision = PEOPLE[name][2]
        expected_tasks = [("INTAKE", "Intake", None)]
        if decision.added:
            expected_tasks.append(
                (COMPENSATION_TASK.code, COMPENSATION_TASK.title, decision.reason.value)
            )
        assert decision_and_tasks(bulk) == (decision, expected_tasks), name
        assert decision_and_tasks(bulk) == decision_and_tasks(single), name


def test_r2_5_an_unknown_employment_start_never_reaches_a_bulk_start(app: Xs) -> None:
    """A sickness report for an employee without an employment on the first sick day records
    ``employment_start_unknown`` and adds the task; a bulk start skips such an employee
    (``no_employment_on_start_date``), so no bulk trajectory is ever decided without it."""
    admin = app.installation.create_super_administrator("Beheer", "beheer@example.nl")
    employer = app.organisation.create_employer(CreateEmployer(actor=admin, name="Bakkerij"))
    person = app.organisation.register_employee(
        RegisterEmployee(
            actor=admin,
            first_name="Frits",
            last_name="Jansen",
            birth_date=D(1955, 5, 5),
            employment=EmploymentTerms(
                employer_id=employer, start=D(2020, 1, 1), end=D(2026, 6, 1)
            ),
        )
    )
    in_bulk = sickness_protocol(app, admin, "Verzuim (bulk)")
    reported = sickness_protocol(app, admin, "Verzuim (melding)")
    result = start_in_bulk(
        app, admin, in_bulk, employer, FIRST_SICK_DAY, employee_ids=frozenset({person})
    )
    assert result.skipped_by_reason() == {SkipReason.NO_EMPLOYMENT: 1}
    single = app.trajectories.report_sickness(
        ReportSickness(
            actor=admin, protocol_id=reported, employee_id=person, first_sick_day=FIRST_SICK_DAY
        )
    )
    assert decision_and_tasks(single) == (
        CompensationDecision(True, CompensationReason.EMPLOYMENT_START_UNKNOWN),
        [
            ("INTAKE", "Intake", None),
            (COMPENSATION_TASK.code, COMPENSATION_TASK.title, "employment_start_unknown"),
        ],
    )


def test_r3_1_a_bulk_sickness_start_skips_whom_another_sickness_report_keeps_absent(
    app: Xs,
) -> None:
    """One absence at a time, under any protocol (R3.1): a bulk start of a sickness protocol on
    ``start`` skips (``overlapping_absence``) an employee whose sickness report under another
    protocol is not fully recovered and not closed by then, or starts later — as a single
    report would be refused (``sickness.overlapping_absence``). Worked out by hand: the new
    absence is ``[start, ∞)``; another ``[first, end)`` overlaps it when ``end`` is open or
    after ``start``."""
    start = D(2026, 11, 20)
    admin = app.installation.create_super_administrator("Beheer", "beheer@example.nl")
    employer = app.organisation.create_employer(CreateEmployer(actor=admin, name="Bakkerij"))
    names = ("Anna", "Bep", "Cor", "Dirk", "Eva", "Frits", "Gijs", "Henk")
    people = {
        name: app.organisation.register_employee(
            RegisterEmployee(
                actor=admin,
                first_name=name,
                last_name="Jansen",
                birth_date=D(1970, 1, 1),
                employment=EmploymentTerms(employer_id=employer, start=D(2020, 1, 1)),
            )
        )
        for name in names
    }
    other = sickness_protocol(app, admin, "Verzuim (melding)")
    pmo = app.protocols.create_protocol(
        CreateProtocol(
            actor=admin,
            name="PMO",
            kind=ProtocolKind.PMO,
            task_templates=(TaskTemplate(code="VRAGENLIJST", title="Vragenlijst"),),
        )
    )

    def report(name: str, first_sick_day: _dt.date, protocol: uuid.UUID | None = None) -> uuid.UUID:
        return app.trajectories.report_sickness(
            ReportSickness(
                actor=admin,
                protocol_id=protocol or other,
                employee_id=people[name],
                first_sick_day=first_sick_day,
            )
        ).id

    report("Anna", D(2026, 11, 1))  # not recovered: absent on the start
    bep = report("Bep", D(2026, 11, 1))  # fully recovered on the start: [1 Nov, 20 Nov)
    app.trajectories.report_recovery(ReportRecovery(actor=admin, trajectory_id=bep, date=start))
    cor = report("Cor", D(2026, 11, 1))  # recovered a day later: absent on the start
    app.trajectories.report_recovery(
        ReportRecovery(actor=admin, trajectory_id=cor, date=D(2026, 11, 21))
    )
    dirk = report("Dirk", D(2026, 11, 1))  # half recovered: still absent
    app.trajectories.report_recovery(
        ReportRecovery(
            actor=admin, trajectory_id=dirk, date=D(2026, 11, 10), recovered_percentage=50
        )
    )
    eva = report("Eva", D(2026, 11, 1))  # closed with 19 November as its last day
    app.trajectories.close_trajectory(
        CloseTrajectory(actor=admin, trajectory_id=eva, end_date=D(2026, 11, 19))
    )
    report("Frits", D(2026, 11, 25))  # sick after the start: the open new absence reaches it
    app.trajectories.start_trajectory(  # another kind of trajectory does not count
        StartTrajectory(actor=admin, protocol_id=pmo, employee_id=people["Gijs"], start=start)
    )
    in_bulk = sickness_protocol(app, admin, "Verzuim (bulk)")
    result = start_in_bulk(app, admin, in_bulk, employer, start)
    by_name = {name: people[name] for name in names}
    skipped = {
        name
        for name, person in by_name.items()
        for outcome in result.outcomes
        if outcome.employee_id == person and outcome.reason is SkipReason.OVERLAPPING_ABSENCE
    }
    started = {
        name
        for name, person in by_name.items()
        for outcome in result.outcomes
        if outcome.employee_id == person and outcome.started
    }
    assert skipped == {"Anna", "Cor", "Dirk", "Frits"}
    assert started == {"Bep", "Eva", "Gijs", "Henk"}
    # the answer a single report under a third protocol gives
    third = sickness_protocol(app, admin, "Verzuim (derde)")
    for name in ("Anna", "Cor"):
        with pytest.raises(DomainError) as refused:
            report(name, start, third)
        assert refused.value.code == "sickness.overlapping_absence"
