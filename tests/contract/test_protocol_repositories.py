"""Contract of protocols, trajectories and the bulk-start store (R2.1–R2.5) on every backend."""

from __future__ import annotations

import datetime as _dt
import uuid

import pytest

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_core.access.model import ResolvedScope
from xs_core.dates import DateRange
from xs_core.errors import NotFound
from xs_core.organisation.model import Department, Employee, Employer, Employment
from xs_core.protocols.bulk import BulkStartPlan, BulkStartRequest, BulkUnit, decide
from xs_core.protocols.model import (
    Protocol,
    ProtocolCharacteristics,
    ProtocolKind,
    TaskTemplate,
    Trajectory,
)

D = _dt.date
TODAY = D(2026, 11, 29)


def person(
    name: str,
    employer: Employer,
    start: _dt.date,
    end: _dt.date | None = None,
    department: Department | None = None,
) -> Employee:
    employee = Employee.register(name, "Jansen")
    employee.add_employment(
        Employment.create(
            id=uuid.uuid4(),
            employer_id=employer.id,
            period=DateRange(start, end),
            department_id=None if department is None else department.id,
        )
    )
    return employee


class ProtocolContract:
    def test_r2_1_protocols_round_trip(self, uow_factory: UowFactory) -> None:
        protocol = Protocol.create(
            "PMO",
            ProtocolKind.PMO,
            (TaskTemplate(code="A", title="Eerste"), TaskTemplate(code="B", title="Tweede")),
            ProtocolCharacteristics(may_start_in_bulk=True, end_date_may_be_in_future=True),
        )
        protocol.add_variation("Kort")
        with uow_factory() as uow:
            uow.protocols.add(protocol)
            uow.commit()
        with uow_factory() as uow:
            assert uow.protocols.get(protocol.id) == protocol
            loaded = uow.protocols.get(protocol.id)
            loaded.change_characteristics(ProtocolCharacteristics())
            uow.protocols.save(loaded)
            uow.commit()
        with uow_factory() as uow:
            assert uow.protocols.get(protocol.id).characteristics == ProtocolCharacteristics()
            assert uow.protocols.list() == [loaded]
            with pytest.raises(NotFound):
                uow.protocols.get(uuid.uuid4())

    def test_r2_5_sickness_trajectories_round_trip(self, uow_factory: UowFactory) -> None:
        protocol = Protocol.create(
            "Verzuim", ProtocolKind.SICKNESS, (TaskTemplate(code="INTAKE", title="Intake"),)
        )
        employer = Employer.create("A")
        employee = person("Piet", employer, D(2024, 1, 1))
        trajectory = Trajectory.start_sickness(
            protocol, employee.id, D(2026, 10, 1), TODAY, D(1960, 1, 1), D(2024, 1, 1)
        )
        trajectory.report_recovery(D(2026, 10, 10), 40, TODAY)
        with uow_factory() as uow:
            uow.protocols.add(protocol)
            uow.employers.add(employer)
            uow.employees.add(employee)
            uow.trajectories.add(trajectory)
            uow.commit()
        with uow_factory() as uow:
            loaded = uow.trajectories.get(trajectory.id)
            assert loaded == trajectory
            loaded.report_recovery(D(2026, 11, 1), 100, TODAY)
            loaded.close(D(2026, 11, 20), TODAY, protocol)
            uow.trajectories.save(loaded)
            uow.commit()
        with uow_factory() as uow:
            (again,) = uow.trajectories.for_employee(employee.id)
            assert again == loaded
            assert again.end_date == D(2026, 11, 20)
            assert [t.code for t in again.tasks] == ["INTAKE", "COMPENSATIE_OUDERE_WERKNEMERS"]

    def test_r2_2_bulk_store_answers_the_set_questions(self, uow_factory: UowFactory) -> None:
        employer, other = Employer.create("A"), Employer.create("B")
        top = Department.create(employer.id, "Top")
        sub = Department.create(employer.id, "Sub", parent_id=top.id)
        anna = person("Anna", employer, D(2020, 1, 1), department=sub)
        bram = person("Bram", employer, D(2027, 1, 1))  # not yet employed on the start date
        cor = person("Cor", employer, D(2020, 1, 1), D(2026, 12, 1))  # ends before the start
        dirk = person("Dirk", other, D(2020, 1, 1))
        protocol = Protocol.create(
            "PMO",
            ProtocolKind.PMO,
            (TaskTemplate(code="A", title="A"),),
            ProtocolCharacteristics(may_start_in_bulk=True),
        )
        open_one = Trajectory.start(protocol, anna.id, D(2026, 1, 1), TODAY)
        with uow_factory() as uow:
            uow.bulk.add_all(
                employers=[employer, other],
                departments=[sub, top],
                employees=[anna, bram, cor, dirk],
            )
            uow.protocols.add(protocol)
            uow.trajectories.add(open_one)
            uow.commit()
        start = D(2026, 12, 1)
        everything = ResolvedScope(everything=True)
        with uow_factory() as uow:
            store = uow.bulk_starts
            by_employer = store.proposal(
                BulkUnit(employer_ids=frozenset({employer.id})), start, everything
            )
            assert [c.name for c in by_employer] == ["Anna Jansen"]
            assert by_employer[0].employment_id == anna.employments[0].id
            by_department = store.proposal(BulkUnit(department_id=top.id), start, everything)
            assert [c.employee_id for c in by_department] == [anna.id]
            both = store.proposal(
                BulkUnit(employer_ids=frozenset({employer.id, other.id})),
                start,
                ResolvedScope(False, frozenset({other.id})),
            )
            assert [c.employee_id for c in both] == [dirk.id]
            employers = BulkUnit(employer_ids=frozenset({employer.id, other.id}))
            expected = sorted(
                [(anna.id, anna.employments[0].id), (dirk.id, dirk.employments[0].id)],
                key=lambda pair: pair[0].int,
            )
            assert store.proposed_ids(employers, start, everything) == (
                [e for e, _ in expected],
                [m for _, m in expected],
            )
            assert store.proposed_ids(
                employers, start, ResolvedScope(False, frozenset({other.id}))
            ) == ([dirk.id], [dirk.employments[0].id])
            ids = [anna.id, bram.id, cor.id, dirk.id]
            assert store.in_scope(ids, ResolvedScope(False, frozenset({employer.id}))) == {
                anna.id,
                bram.id,
                cor.id,
            }
            assert store.employments_in_unit(
                ids, BulkUnit(employer_ids=frozenset({employer.id})), start
            ) == {anna.id: anna.employments[0].id}
            assert store.open_trajectories(protocol.id, DateRange(start)) == {anna.id}
            assert (
                store.open_trajectories(protocol.id, DateRange(D(2025, 1, 1), D(2026, 1, 1)))
                == set()
            )

    def test_r2_2_bulk_writes_and_remembers_the_request(self, uow_factory: UowFactory) -> None:
        employer = Employer.create("A")
        people = [person(f"P{i}", employer, D(2020, 1, 1)) for i in range(5)]
        protocol = Protocol.create(
            "PMO",
            ProtocolKind.PMO,
            (TaskTemplate(code="A", title="A"), TaskTemplate(code="B", title="B")),
            ProtocolCharacteristics(may_start_in_bulk=True),
        )
        request = BulkStartRequest(
            request_id=uuid.uuid4(),
            protocol_id=protocol.id,
            unit=BulkUnit(employer_ids=frozenset({employer.id})),
            start=D(2026, 12, 1),
            end_date=D(2027, 5, 31),
        )
        employments = {p.id: p.employments[0].id for p in people[:4]}
        outcomes = decide(
            [p.id for p in people],
            frozenset(p.id for p in people),
            employments,
            frozenset(),
            iter(uuid.uuid4, None),
        )
        with uow_factory() as uow:
            uow.bulk.add_all(employers=[employer], employees=people)
            uow.protocols.add(protocol)
            assert (
                uow.bulk_starts.claim(
                    request.request_id, request.fingerprint(), uuid.uuid4(), protocol.id
                )
                is None
            )
            uow.bulk_starts.start_all(
                BulkStartPlan(
                    request=request,
                    protocol=protocol,
                    requested_by=uuid.uuid4(),
                    today=TODAY,
                    tasks=protocol.tasks_to_add,
                    outcomes=tuple(outcomes),
                    employments=employments,
                )
            )
            uow.commit()
        with uow_factory() as uow:
            stored = uow.bulk_starts.claim(request.request_id, "x", uuid.uuid4(), protocol.id)
            assert stored is not None
            assert stored.fingerprint == request.fingerprint()
            assert sorted(stored.outcomes, key=lambda o: str(o.employee_id)) == sorted(
                outcomes, key=lambda o: str(o.employee_id)
            )
            started = uow.trajectories.for_employee(people[0].id)
            assert [(x.period, x.bulk_request_id, [t.code for t in x.tasks]) for x in started] == [
                (DateRange(D(2026, 12, 1), D(2027, 6, 1)), request.request_id, ["A", "B"])
            ]
            assert uow.trajectories.for_employee(people[4].id) == []


class TestMemoryProtocols(MemoryBackend, ProtocolContract):
    pass


class TestSqliteProtocols(SqliteBackend, ProtocolContract):
    pass


class TestPostgresProtocols(PostgresBackend, ProtocolContract):
    pass
