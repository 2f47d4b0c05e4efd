"""R0.5 and R0.1 on every engine: what the core accepts at its limits, every store keeps and gives
back unchanged — on PostgreSQL (which enforces ``VARCHAR(n)``) exactly as on SQLite and memory.

Each value is at its maximum: text of ``limit`` characters (multi-byte ones), the window's first
and last days and its exclusive end, the smallest and largest hours, the largest ``INTEGER``,
instants at the window's edges, and names whose normalised form is longer than the search key.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_core import limits
from xs_core.access.model import ResolvedScope
from xs_core.agenda.model import AppointmentLocation, AppointmentRequest, Availability
from xs_core.agenda.spans import TimeSpan
from xs_core.billing.contracts import (
    ContractKind,
    ContractModel,
    PriceCategory,
    ServiceAgreement,
    Subscription,
)
from xs_core.billing.frequency import BillingFrequency
from xs_core.dates import DateRange
from xs_core.money import Money
from xs_core.organisation.model import (
    Address,
    Branch,
    ContactPerson,
    Department,
    Employee,
    Employer,
    Employment,
    Folder,
)
from xs_core.organisation.search import SearchQuery
from xs_core.protocols.model import Protocol, ProtocolKind, TaskTemplate, Trajectory

D = _dt.date
TODAY = D(2026, 11, 29)
WHOLE_WINDOW = DateRange(limits.FIRST_DAY, limits.END_LIMIT)


def text(limit: int, char: str = "ë") -> str:
    return char * limit


def code(limit: int) -> str:
    return "Z" * limit


class InputLimitsContract:
    def test_r0_5_organisation_values_at_their_limits_round_trip(
        self, uow_factory: UowFactory
    ) -> None:
        folder = Folder.create(text(limits.NAME))
        employer = Employer.create(text(limits.NAME), code(limits.CODE), folder.id)
        employer.set_vat_number("NL 4495445 B01")
        employer.add_contact_person(
            ContactPerson.create(text(limits.NAME), text(limits.CONTACT_ROLE, "ø"))
        )
        department = Department.create(employer.id, text(limits.NAME, "ß"), code(limits.CODE))
        branch = Branch.create(
            employer.id,
            text(limits.NAME),
            code(limits.CODE),
            Address.create(
                text(limits.STREET),
                text(limits.HOUSE_NUMBER),
                text(limits.POSTCODE),
                text(limits.CITY),
            ),
        )
        employee = Employee.register(
            text(limits.FIRST_NAME, "ﬁ"),  # normalises to "fi": twice as long
            text(limits.LAST_NAME),
            limits.FIRST_DAY,
            personnel_number=text(limits.PERSONNEL_NUMBER),
        )
        employee.add_employment(
            Employment.create(
                id=uuid.uuid4(),
                employer_id=employer.id,
                period=WHOLE_WINDOW,
                department_id=department.id,
                hours_per_week=limits.HOURS_MIN,
                job_title=text(limits.JOB_TITLE),
            )
        )
        employee.change_employment(
            employee.employments[0].id, limits.LAST_DAY, hours_per_week=limits.HOURS_MAX
        )
        with uow_factory() as uow:
            uow.folders.add(folder)
            uow.employers.add(employer)
            uow.departments.add(department)
            uow.branches.add(branch)
            uow.employees.add(employee)
            uow.commit()
        with uow_factory() as uow:
            assert uow.folders.list() == [folder]
            assert uow.employers.get(employer.id) == employer
            assert str(uow.employers.get(employer.id).vat_number) == "NL004495445B01"
            assert uow.departments.get(department.id) == department
            assert uow.branches.get(branch.id) == branch
            loaded = uow.employees.get(employee.id)
            assert loaded == employee
            hours = [v.conditions.hours_per_week for v in loaded.employments[0].versions]
            assert hours == [Decimal("0.01"), Decimal(168)]
            assert loaded.employments[0].period.end == D(2200, 1, 1)
            found = uow.search.search(SearchQuery.create("fi" * 50), ResolvedScope(everything=True))
            assert [hit.id for hit in found] == [employee.id]
            departments = uow.search.search(
                SearchQuery.create("ss" * 99), ResolvedScope(everything=True)
            )
            assert [hit.id for hit in departments] == [department.id]

    def test_r0_5_agenda_values_at_their_limits_round_trip(self, uow_factory: UowFactory) -> None:
        location = AppointmentLocation.create(text(limits.NAME), limits.INTEGER_MAX)
        first = Availability.plan(
            uuid.uuid4(),
            location.id,
            TimeSpan(
                _dt.datetime(1900, 1, 1, tzinfo=_dt.UTC),
                _dt.datetime(1900, 1, 1, 23, tzinfo=_dt.UTC),
            ),
        )
        last = Availability.plan(
            uuid.uuid4(),
            location.id,
            TimeSpan(
                _dt.datetime(2199, 12, 31, 1, tzinfo=_dt.timezone(_dt.timedelta(hours=1))),
                _dt.datetime(2199, 12, 31, 23, 59, tzinfo=_dt.UTC),
            ),
        )
        employee = Employee.register("Anna", "Jansen")
        request = AppointmentRequest.create(employee.id, text(limits.PURPOSE), WHOLE_WINDOW, TODAY)
        with uow_factory() as uow:
            uow.employees.add(employee)
            uow.locations.add(location)
            uow.availabilities.add_all([first, last])
            uow.appointment_requests.add(request)
            uow.commit()
        with uow_factory() as uow:
            assert uow.locations.get(location.id).max_parallel == 2_147_483_647
            assert uow.availabilities.get(first.id).span == first.span
            assert uow.availabilities.get(last.id).span == last.span
            assert uow.appointment_requests.get(request.id) == request

    def test_r0_5_protocol_and_billing_values_at_their_limits_round_trip(
        self, uow_factory: UowFactory
    ) -> None:
        protocol = Protocol.create(
            text(limits.NAME),
            ProtocolKind.PMO,
            (TaskTemplate(code=text(limits.TASK_CODE), title=text(limits.TASK_TITLE)),),
        )
        employee = Employee.register("Anna", "Jansen")
        trajectory = Trajectory.start(protocol, employee.id, limits.FIRST_DAY, TODAY)
        trajectory.add_task(
            text(limits.TASK_CODE, "ç"),
            text(limits.TASK_TITLE, "ç"),
            TODAY,
            text(limits.TASK_REASON, "ç"),
        )
        employer = Employer.create("Bakkerij Jansen")
        model = ContractModel.create(
            text(limits.NAME),
            ContractKind.SALES,
            BillingFrequency.YEARLY,
            WHOLE_WINDOW,
            [PriceCategory(activity_type=text(limits.ACTIVITY_TYPE), price=Money("1.00"))],
        )
        agreement = ServiceAgreement.conclude(
            employer.id, model, WHOLE_WINDOW, text(limits.SERVICE_VARIATION)
        )
        subscription = Subscription.subscribe(
            agreement, text(limits.DESCRIPTION), Money("100.00"), WHOLE_WINDOW
        )
        with uow_factory() as uow:
            uow.protocols.add(protocol)
            uow.employees.add(employee)
            uow.trajectories.add(trajectory)
            uow.employers.add(employer)
            uow.contract_models.add(model)
            uow.service_agreements.add(agreement)
            uow.subscriptions.add(subscription)
            uow.commit()
        with uow_factory() as uow:
            assert uow.protocols.get(protocol.id) == protocol
            assert uow.trajectories.get(trajectory.id).tasks == trajectory.tasks
            assert uow.contract_models.get(model.id) == model
            assert uow.service_agreements.get(agreement.id) == agreement
            assert uow.subscriptions.get(subscription.id) == subscription


class TestMemoryInputLimits(MemoryBackend, InputLimitsContract):
    pass


class TestSqliteInputLimits(SqliteBackend, InputLimitsContract):
    pass


class TestPostgresInputLimits(PostgresBackend, InputLimitsContract):
    pass
