"""Contract of the absence-facts port of R3.1 on memory, SQLite and PostgreSQL: the same
employees, segments and sickness reports, whatever the backend and however the employees are
chunked."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pendulum
import pytest

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_adapters.sql import reports as sql_reports
from xs_core.dates import DateRange
from xs_core.organisation.model import Department, Employee, Employer, Employment
from xs_core.protocols.model import Protocol, ProtocolKind, Trajectory
from xs_core.reports.absence import EmployeeAbsence, EmploymentSegment, SicknessReport

D = pendulum.Date
TODAY = D(2026, 11, 29)
JANUARY = DateRange(D(2026, 1, 1), D(2026, 2, 1))


class AbsenceFactsContract:
    def _world(self, uow_factory: UowFactory) -> dict[str, uuid.UUID]:
        e1, e2 = Employer.create("Een", "E1"), Employer.create("Twee", "E2")
        dept = Department.create(e1.id, "Verkoop", "VK")
        protocol = Protocol.create("Verzuim", ProtocolKind.SICKNESS)
        protocol2 = Protocol.create("Verzuim 2", ProtocolKind.SICKNESS)
        ids = {"e1": e1.id, "e2": e2.id, "dept": dept.id}
        people: list[tuple[str, list[Employment]]] = [
            # in E1 all January; moves to the department from 16 January, 20 hours then
            ("anna", [Employment.create(id=uuid.uuid4(), employer_id=e1.id,
                                        period=DateRange(D(2025, 1, 1)))]),
            # at E1 and E2
            ("bert", [
                Employment.create(id=uuid.uuid4(), employer_id=e1.id,
                                  period=DateRange(D(2026, 1, 10), D(2026, 1, 20))),
                Employment.create(id=uuid.uuid4(), employer_id=e2.id,
                                  period=DateRange(D(2024, 1, 1))),
            ]),
            # left E1 before January: not in the report
            ("carla", [Employment.create(id=uuid.uuid4(), employer_id=e1.id,
                                         period=DateRange(D(2024, 1, 1), D(2026, 1, 1)))]),
            # starts on the period's end: not in it
            ("dirk", [Employment.create(id=uuid.uuid4(), employer_id=e1.id,
                                        period=DateRange(D(2026, 2, 1)))]),
        ] + [
            (f"extra{n}", [Employment.create(id=uuid.uuid4(), employer_id=e1.id,
                                             period=DateRange(D(2025, 6, 1)))])
            for n in range(5)
        ]  # fmt: skip
        people[0][1][0].change(D(2026, 1, 16), department_id=dept.id, hours_per_week=Decimal(20))
        with uow_factory() as uow:
            uow.employers.add(e1)
            uow.employers.add(e2)
            uow.departments.add(dept)
            uow.protocols.add(protocol)
            uow.protocols.add(protocol2)
            for name, employments in people:
                person = Employee.register(name.title(), "Jansen")
                for employment in employments:
                    person.add_employment(employment)
                uow.employees.add(person)
                ids[name] = person.id
            sick = Trajectory.start_sickness(protocol, ids["anna"], D(2025, 12, 20), TODAY, None,
                                             None)  # fmt: skip
            sick.report_recovery(D(2026, 1, 3), 50, TODAY)
            sick.report_recovery(D(2026, 1, 12), 100, TODAY)
            uow.trajectories.add(sick)
            closed = Trajectory.start_sickness(protocol, ids["bert"], D(2026, 1, 14), TODAY,
                                               None, None)  # fmt: skip
            closed.close(D(2026, 1, 17), TODAY, protocol)
            uow.trajectories.add(closed)
            later = Trajectory.start_sickness(protocol2, ids["anna"], D(2026, 2, 1), TODAY, None,
                                              None)  # fmt: skip
            uow.trajectories.add(later)  # starts after the period: not read
            uow.commit()
        return ids

    @pytest.mark.parametrize("chunk", [2, 2000])
    def test_r3_1_the_facts_of_the_employees_in_the_period(
        self, uow_factory: UowFactory, chunk: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(sql_reports, "CHUNK", chunk)
        ids = self._world(uow_factory)
        with uow_factory(write=False) as uow:
            facts = list(uow.absence_facts.absence_facts([ids["e1"]], JANUARY))
        expected_people = sorted([ids["anna"], ids["bert"], *(ids[f"extra{n}"] for n in range(5))])
        assert [f.employee_id for f in facts] == expected_people
        by_id = {f.employee_id: f for f in facts}
        anna = by_id[ids["anna"]]
        assert anna.segments == (
            EmploymentSegment(DateRange(D(2025, 1, 1), D(2026, 1, 16)), ids["e1"], None,
                              Decimal(40)),
            EmploymentSegment(DateRange(D(2026, 1, 16), None), ids["e1"], ids["dept"],
                              Decimal(20)),
        )  # fmt: skip
        [report] = anna.reports
        assert report == SicknessReport.of(D(2025, 12, 20), sick_reports(uow_factory, ids["anna"]))
        assert report.recovered_on == D(2026, 1, 12)
        assert [s.absent_fraction for s in report.spells] == [1, Decimal("0.5")]
        bert = by_id[ids["bert"]]
        assert [s.employer_id for s in bert.segments] == [ids["e1"]]  # only the asked employers
        assert bert.reports == (SicknessReport.of(D(2026, 1, 14), (), D(2026, 1, 18)),)

    def test_r3_1_no_employers_no_facts(self, uow_factory: UowFactory) -> None:
        self._world(uow_factory)
        with uow_factory(write=False) as uow:
            assert list(uow.absence_facts.absence_facts([], JANUARY)) == []
            assert list(uow.absence_facts.absence_facts([uuid.uuid4()], JANUARY)) == []

    def test_r3_1_both_employers(self, uow_factory: UowFactory) -> None:
        ids = self._world(uow_factory)
        with uow_factory(write=False) as uow:
            facts: list[EmployeeAbsence] = list(
                uow.absence_facts.absence_facts([ids["e2"], ids["e1"]], JANUARY)
            )
        bert = next(f for f in facts if f.employee_id == ids["bert"])
        assert {s.employer_id for s in bert.segments} == {ids["e1"], ids["e2"]}


def sick_reports(uow_factory: UowFactory, employee_id: uuid.UUID) -> tuple:  # type: ignore[type-arg]
    with uow_factory(write=False) as uow:
        [first, _] = uow.trajectories.for_employee(employee_id)
        return first.recovery_reports


class TestMemoryAbsenceFacts(MemoryBackend, AbsenceFactsContract):
    pass


class TestSqliteAbsenceFacts(SqliteBackend, AbsenceFactsContract):
    pass


class TestPostgresAbsenceFacts(PostgresBackend, AbsenceFactsContract):
    pass


class WiaClaimContract:
    """The WIA claims (R3.2, R3.3): stored and read back alike, by employer and start date."""

    def test_r3_2_claims_round_trip_and_stream_by_employer(self, uow_factory: UowFactory) -> None:
        from xs_core.errors import NotFound
        from xs_core.money import Money
        from xs_core.reports.wia import OutflowReason, WiaBenefit, WiaClaim

        e1, e2 = Employer.create("Een", "E1"), Employer.create("Twee", "E2")
        person = Employee.register("Anna", "Jansen")
        claims = [
            WiaClaim.register(
                employee_id=person.id, employer_id=employer, start=start,
                benefit=WiaBenefit.WGA, monthly_wage=Money("3100.55"),
                income_from_work=income, own_risk_end=own_risk_end,
            )
            for employer, start, income, own_risk_end in (
                (e1.id, D(2026, 3, 1), Money("10.01"), None),
                (e1.id, D(2025, 3, 1), None, D(2035, 3, 1)),
                (e2.id, D(2024, 3, 1), None, None),
            )
        ]  # fmt: skip
        with uow_factory() as uow:
            uow.employers.add(e1)
            uow.employers.add(e2)
            uow.employees.add(person)
            for claim in claims:
                uow.wia_claims.add(claim)
            uow.commit()
        with uow_factory() as uow:
            locked = uow.wia_claims.lock(claims[0].id)
            locked.record_outflow(D(2026, 9, 1), OutflowReason.AOW_AGE)
            uow.wia_claims.save(locked)
            uow.commit()
        with uow_factory(write=False) as uow:
            got = uow.wia_claims.get(claims[0].id)
            assert (got.outflow_date, got.outflow_reason) == (D(2026, 9, 1), OutflowReason.AOW_AGE)
            assert got.monthly_wage == Money("3100.55")
            assert got.income_from_work == Money("10.01")
            assert [c.start for c in uow.wia_claims.for_employers([e1.id])] == [
                D(2025, 3, 1),
                D(2026, 3, 1),
            ]
            assert uow.wia_claims.get(claims[1].id).own_risk_end == D(2035, 3, 1)
            assert len(list(uow.wia_claims.for_employers([e1.id, e2.id]))) == 3
            assert list(uow.wia_claims.for_employers([])) == []
            with pytest.raises(NotFound):
                uow.wia_claims.get(uuid.uuid4())


class TestMemoryWiaClaims(MemoryBackend, WiaClaimContract):
    pass


class TestSqliteWiaClaims(SqliteBackend, WiaClaimContract):
    pass


class TestPostgresWiaClaims(PostgresBackend, WiaClaimContract):
    pass
