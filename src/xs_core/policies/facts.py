"""The facts of one employee for the evaluation of one policy, from the organisation and
protocols aggregates (R6.2): what :func:`~xs_core.policies.participation.participation_timeline`
reads.

Shared by every place that evaluates one employee from aggregates (the participant timeline of
the service, the memory adapters); the SQL adapters read the same facts set-based.

Decision (recorded in ``docs/decisions.md``): a sickness spell is a sickness trajectory (R2.5);
its first day fully recovered (R) is the date of its 100 % recovery report, or — for a trajectory
closed without one — the day after its last day (its exclusive end); while neither exists it is
not recovered.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import pendulum

from xs_core.organisation.model import Employee, Employment
from xs_core.policies.participation import (
    EmployeeFacts,
    EmploymentFacts,
    EmploymentVersionFacts,
    SicknessSpell,
)
from xs_core.protocols.model import ProtocolKind, Trajectory
from xs_core.protocols.sickness import recovery_date


def employment_facts(employment: Employment) -> EmploymentFacts:
    """An employment with the conditions of each of its versions (R2.3)."""
    return EmploymentFacts(
        id=employment.id,
        period=employment.period,
        is_leading=employment.is_leading,
        versions=tuple(
            EmploymentVersionFacts(
                valid=version.valid,
                employment_type=version.conditions.employment_type,
                salary=(
                    None if version.conditions.salary is None else version.conditions.salary.amount
                ),
            )
            for version in employment.versions
        ),
    )


def sickness_spell(trajectory: Trajectory) -> SicknessSpell:
    """A sickness trajectory as a spell: its first sick day and its first day fully recovered."""
    recovered: pendulum.Date | None = recovery_date(trajectory.recovery_reports)
    if recovered is None:
        recovered = trajectory.period.end
    return SicknessSpell(first_day=trajectory.period.start, recovered_on=recovered)


def employee_facts(
    employee: Employee, employer_id: uuid.UUID, trajectories: Iterable[Trajectory] = ()
) -> EmployeeFacts:
    """The facts of ``employee`` for a policy of ``employer_id``: their birth date, their
    employments at that employer, and their sickness spells (any employer's: R6.2 (2) asks
    whether the person is sick)."""
    return EmployeeFacts(
        employee_id=employee.id,
        birth_date=employee.birth_date,
        employments=tuple(
            employment_facts(e) for e in employee.employments if e.employer_id == employer_id
        ),
        sickness=tuple(
            sickness_spell(t)
            for t in sorted(trajectories, key=lambda t: (t.period.start, str(t.id)))
            if t.kind is ProtocolKind.SICKNESS and t.employee_id == employee.id
        ),
    )
