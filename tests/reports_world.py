"""A small organisation for the report tests (R3.1), its figures worked out by hand in
``tests/integration/test_report_services.py``.

Folder "Holding" with two employers: "Bakkerij" (code W1, departments "Verkoop" VK and
"Productie" PR) and "Slagerij" (W2). January 2026 (31 days):

* Anna — Bakkerij/Verkoop, 20 hours (factor 0.5); sick 5 January, 50 % recovered 6 January,
  fully 15 January (10 days; absent 1 × 1 + 9 × 0.5 = 5.5 days × 0.5 = 2.75).
* Bert — Bakkerij, full time, Verkoop until 15 January and Productie from 16 January; sick 14
  January, recovered 19 January (5 days: 2 in Verkoop, 3 in Productie).
* Carla — Slagerij, full time; sick 20 December 2025 until 10 February 2026 (crosses both ends).
* Dirk — Slagerij, full time; sick 2–5 January (3 days), the trajectory closed, and again
  10–12 January (2 days): a relapse within 28 days.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal

import attrs

from xs_app import Xs
from xs_app.services.employments import ChangeEmployment
from xs_app.services.organisation import (
    CreateDepartment,
    CreateEmployer,
    CreateFolder,
    EmploymentTerms,
    GetEmployee,
    RegisterEmployee,
)
from xs_app.services.protocols import (
    CloseTrajectory,
    CreateProtocol,
    ReportRecovery,
    ReportSickness,
)
from xs_core.dates import DateRange
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.protocols.model import ProtocolKind

D = _dt.date
JANUARY = DateRange(D(2026, 1, 1), D(2026, 2, 1))


@attrs.frozen
class ReportsWorld:
    xs: Xs
    admin: uuid.UUID
    folder: uuid.UUID
    bakkerij: uuid.UUID
    slagerij: uuid.UUID
    verkoop: uuid.UUID
    productie: uuid.UUID
    protocol: uuid.UUID
    people: dict[str, uuid.UUID]

    @property
    def folder_ref(self) -> UnitRef:
        return UnitRef(UnitKind.FOLDER, self.folder)

    def sick(self, who: str, first: D, *recoveries: tuple[D, int], close: D | None = None) -> None:
        trajectory = self.xs.trajectories.report_sickness(
            ReportSickness(
                actor=self.admin,
                protocol_id=self.protocol,
                employee_id=self.people[who],
                first_sick_day=first,
            )
        )
        for day, percentage in recoveries:
            self.xs.trajectories.report_recovery(
                ReportRecovery(
                    actor=self.admin,
                    trajectory_id=trajectory.id,
                    date=day,
                    recovered_percentage=percentage,
                )
            )
        if close is not None:
            self.xs.trajectories.close_trajectory(
                CloseTrajectory(actor=self.admin, trajectory_id=trajectory.id, end_date=close)
            )


def reports_world(xs: Xs) -> ReportsWorld:
    admin = xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
    folder = xs.organisation.create_folder(CreateFolder(actor=admin, name="Holding"))
    bakkerij = xs.organisation.create_employer(
        CreateEmployer(actor=admin, name="Bakkerij", code="W1", folder_id=folder)
    )
    slagerij = xs.organisation.create_employer(
        CreateEmployer(actor=admin, name="Slagerij", code="W2", folder_id=folder)
    )
    verkoop, productie = (
        xs.organisation.create_department(
            CreateDepartment(actor=admin, employer_id=bakkerij, name=name, code=code)
        )
        for name, code in (("Verkoop", "VK"), ("Productie", "PR"))
    )
    since = D(2025, 1, 1)

    def hire(name: str, employer: uuid.UUID, department: uuid.UUID | None, hours: int) -> uuid.UUID:
        return xs.organisation.register_employee(
            RegisterEmployee(
                actor=admin,
                first_name=name,
                last_name="Jansen",
                birth_date=D(1980, 5, 1),
                employment=EmploymentTerms(
                    employer_id=employer,
                    start=since,
                    department_id=department,
                    hours_per_week=Decimal(hours),
                    leading=True,
                ),
            )
        )

    people = {
        "anna": hire("Anna", bakkerij, verkoop, 20),
        "bert": hire("Bert", bakkerij, verkoop, 40),
        "carla": hire("Carla", slagerij, None, 40),
        "dirk": hire("Dirk", slagerij, None, 40),
    }
    bert = xs.organisation.employee(GetEmployee(actor=admin, employee_id=people["bert"]))
    xs.employments.change_employment(
        ChangeEmployment(
            actor=admin,
            employee_id=bert.id,
            employment_id=bert.employments[0].id,
            effective=D(2026, 1, 16),
            department_id=productie,
        )
    )
    protocol = xs.protocols.create_protocol(
        CreateProtocol(actor=admin, name="Verzuim", kind=ProtocolKind.SICKNESS)
    )
    world = ReportsWorld(
        xs, admin, folder, bakkerij, slagerij, verkoop, productie, protocol, people
    )
    world.sick("anna", D(2026, 1, 5), (D(2026, 1, 6), 50), (D(2026, 1, 15), 100))
    world.sick("bert", D(2026, 1, 14), (D(2026, 1, 19), 100))
    world.sick("carla", D(2025, 12, 20), (D(2026, 2, 10), 100))
    world.sick("dirk", D(2026, 1, 2), (D(2026, 1, 5), 100), close=D(2026, 1, 4))
    world.sick("dirk", D(2026, 1, 10), (D(2026, 1, 12), 100))
    return world
