"""R6.6 "skip unchanged participants", checked against an oracle: after a change between two
runs, the second (incremental) run must leave nothing for a full re-evaluation to do — the
inputs of every participant forgotten, a dry run then finds no change."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.apps import make_app
from tests.policies_world import PolicyWorld, policy_world
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_app.services.employments import ChangeEmployment, EndEmployment
from xs_app.services.organisation import (
    AddEmployment,
    ChangeEmployee,
    EmploymentTerms,
    SetLeadingEmployment,
)
from xs_app.services.policies import (
    RegisterParticipation,
    RemoveRegistration,
    SetPolicyOverrides,
    SetProductConditions,
)
from xs_app.services.policy_evaluation import EvaluatePolicies
from xs_app.services.protocols import (
    CloseTrajectory,
    CreateProtocol,
    ReportRecovery,
    ReportSickness,
)
from xs_core.dates import DateRange
from xs_core.organisation.model import EmploymentType
from xs_core.policies.conditions import (
    Age,
    AgeCondition,
    ConditionOverrides,
    Conditions,
    EmploymentTypeCondition,
    SalaryCondition,
    SicknessCondition,
)
from xs_core.protocols.model import ProtocolKind

D = _dt.date
ON = D(2026, 1, 1)
ALL = Conditions(
    age=AgeCondition(active=True, younger_than=Age(21), older_than=Age(66, 3)),
    sickness=SicknessCondition(active=True),
    salary=SalaryCondition(active=True),
    employment_type=EmploymentTypeCondition(
        active=True, excluded=frozenset({EmploymentType.ON_CALL})
    ),
)


@pytest.fixture(params=["sqlite", "postgres"])
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    xs = make_app(request, clock, request.param)
    yield xs
    xs.close()


@pytest.fixture
def w(app: Xs) -> PolicyWorld:
    return policy_world(app)


def _employment(w: PolicyWorld, employee: uuid.UUID) -> uuid.UUID:
    with w.xs.unit_of_work(write=False) as uow:
        return uow.employees.get(employee).employments[0].id


def _sick(w: PolicyWorld, employee: uuid.UUID, first: _dt.date) -> uuid.UUID:
    protocol = w.xs.protocols.create_protocol(
        CreateProtocol(actor=w.admin, name=f"Verzuim {first}", kind=ProtocolKind.SICKNESS)
    )
    return w.xs.trajectories.report_sickness(
        ReportSickness(
            actor=w.admin, protocol_id=protocol, employee_id=employee, first_sick_day=first
        )
    ).id


def birth_date(w: PolicyWorld) -> None:
    w.xs.organisation.change_employee(
        ChangeEmployee(actor=w.admin, employee_id=w.rich, birth_date=D(1959, 5, 5))
    )


def salary(w: PolicyWorld) -> None:
    w.xs.employments.change_employment(
        ChangeEmployment(
            actor=w.admin,
            employee_id=w.poor,
            employment_id=_employment(w, w.poor),
            effective=D(2026, 3, 1),
            yearly_salary=Decimal(95_000),
            employment_type=EmploymentType.PERMANENT,
        )
    )


def end_employment(w: PolicyWorld) -> None:
    from xs_core.organisation.model import EndReason

    w.xs.employments.end_employment(
        EndEmployment(
            actor=w.admin,
            employee_id=w.rich,
            employment_id=_employment(w, w.rich),
            end=D(2026, 5, 31),
            reason=next(iter(EndReason)),
        )
    )


def leading(w: PolicyWorld) -> None:
    second = w.xs.organisation.add_employment(
        AddEmployment(
            actor=w.admin,
            employee_id=w.rich,
            terms=EmploymentTerms(
                employer_id=w.employer_a,
                start=D(2025, 6, 1),
                yearly_salary=Decimal(20_000),
                employment_type=EmploymentType.PERMANENT,
            ),
        )
    )
    w.xs.organisation.set_leading_employment(
        SetLeadingEmployment(actor=w.admin, employee_id=w.rich, employment_id=second)
    )


def sickness_recovered(w: PolicyWorld) -> None:
    trajectory = _sick(w, w.rich, D(2025, 12, 20))
    w.xs.trajectories.report_recovery(
        ReportRecovery(actor=w.admin, trajectory_id=trajectory, date=D(2026, 2, 1))
    )


def sickness_closed(w: PolicyWorld) -> None:
    trajectory = _sick(w, w.rich, D(2025, 12, 20))
    w.xs.trajectories.close_trajectory(
        CloseTrajectory(actor=w.admin, trajectory_id=trajectory, end_date=D(2026, 2, 10))
    )


def override(w: PolicyWorld) -> None:
    w.xs.policies.set_policy_overrides(
        SetPolicyOverrides(
            actor=w.admin,
            policy_id=w.policy_a,
            overrides=ConditionOverrides(salary=SalaryCondition(active=False)),
        )
    )


def manual(w: PolicyWorld) -> None:
    w.xs.policies.register_manually(
        RegisterParticipation(
            actor=w.admin,
            policy_id=w.policy_a,
            employee_id=w.rich,
            period=DateRange(D(2026, 3, 1), D(2026, 4, 1)),
            included=False,
            note="handmatig",
        )
    )


def manual_removed(w: PolicyWorld) -> None:
    made = w.xs.policies.register_manually(
        RegisterParticipation(
            actor=w.admin,
            policy_id=w.policy_a,
            employee_id=w.rich,
            period=DateRange(D(2026, 3, 1), D(2026, 4, 1)),
            included=False,
        )
    )
    w.xs.policies.remove_registration(RemoveRegistration(actor=w.admin, registration_id=made))


MUTATIONS: list[Callable[[PolicyWorld], None]] = [
    birth_date,
    salary,
    end_employment,
    leading,
    sickness_recovered,
    sickness_closed,
    override,
    manual,
    manual_removed,
]


@pytest.mark.parametrize("mutate", MUTATIONS, ids=[m.__name__ for m in MUTATIONS])
def test_r6_6_an_incremental_run_leaves_nothing_for_a_full_one(
    w: PolicyWorld, mutate: Callable[[PolicyWorld], None]
) -> None:
    w.xs.policies.set_product_conditions(
        SetProductConditions(actor=w.admin, product_id=w.product, conditions=ALL)
    )
    service = w.xs.policy_evaluation
    service.evaluate(EvaluatePolicies(actor=w.admin, on=ON))
    mutate(w)
    second = service.evaluate(EvaluatePolicies(actor=w.admin, on=ON))
    assert second.changed >= 0
    with w.xs.unit_of_work() as uow:
        uow.connection.execute(sa.text("DELETE FROM policy_participant_inputs"))  # type: ignore[attr-defined]
        uow.commit()
    full = service.dry_run(EvaluatePolicies(actor=w.admin, on=ON))
    assert full.employees_changed == 0, full
