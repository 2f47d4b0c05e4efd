"""Contract of the policy-registration ports and the configuration-parameter store (R6.1–R6.6) on
memory, SQLite and PostgreSQL: the same calls give the same answers on every backend."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable

import attrs
import pendulum
import pytest
import sqlalchemy as sa

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_adapters.sql import tables as t
from xs_core.access.model import ResolvedScope
from xs_core.dates import DateRange
from xs_core.errors import Conflict, DomainError, InvalidInput, NotFound
from xs_core.organisation.model import Department, Employee, Employer, Employment, EmploymentType
from xs_core.policies.conditions import (
    Age,
    AgeCondition,
    ConditionOverrides,
    Conditions,
    EmploymentTypeCondition,
    SalaryCondition,
    SicknessCondition,
)
from xs_core.policies.model import InsuranceProduct, Insurer, Policy, ProductKind, Registration
from xs_core.policies.participation import ExclusionReason, Note, Source
from xs_core.settings import Parameter, ParameterChange

D = pendulum.Date
POLICY_PERIOD = DateRange(D(2026, 1, 1), D(2028, 1, 1))
EVERYTHING = ResolvedScope(everything=True)

CONDITIONS = Conditions(
    age=AgeCondition(active=True, younger_than=Age(21), older_than=Age(66, 3)),
    sickness=SicknessCondition(active=True),
    salary=SalaryCondition(active=False),
    employment_type=EmploymentTypeCondition(
        active=True, excluded=frozenset({EmploymentType.INTERN, EmploymentType.ON_CALL})
    ),
)
OVERRIDES = ConditionOverrides(
    salary=SalaryCondition(active=True),
    employment_type=EmploymentTypeCondition(active=False),
)


def _employee(
    employer: Employer, first: str, last: str, department: uuid.UUID | None = None
) -> Employee:
    employee = Employee.register(first, last, birth_date=D(1980, 6, 15))
    employee.add_employment(
        Employment.create(
            id=uuid.uuid4(),
            employer_id=employer.id,
            period=DateRange(D(2020, 1, 1)),
            department_id=department,
            is_leading=True,
        )
    )
    return employee


@attrs.define
class Setup:
    employer: Employer
    other_employer: Employer
    department: Department
    insurer: Insurer
    product: InsuranceProduct
    policy: Policy
    employees: list[Employee]


def _setup(uow_factory: UowFactory) -> Setup:
    employer, other = Employer.create("Bakkerij", "BAK"), Employer.create("Slagerij", "SLA")
    department = Department.create(employer.id, "Oven")
    insurer = Insurer.create("Verzekeraar NV", "VNV")
    product = InsuranceProduct.create(insurer.id, "WIA-excedent", ProductKind.WIA_EXCEDENT, "WIAX")
    policy = Policy.create(employer.id, product.id, "P-001", POLICY_PERIOD)
    employees = [
        _employee(employer, "Zeger", "Zwart"),
        _employee(employer, "Anna", "Jansen", department.id),
        _employee(employer, "Émile", "Bakker"),
        _employee(other, "Otto", "Ander"),
    ]
    with uow_factory() as uow:
        uow.employers.add(employer)
        uow.employers.add(other)
        uow.departments.add(department)
        for employee in employees:
            uow.employees.add(employee)
        uow.insurers.add(insurer)
        uow.products.add(product)
        uow.policies.add(policy)
        uow.commit()
    return Setup(employer, other, department, insurer, product, policy, employees)


def _registration(
    policy: Policy,
    employee: Employee,
    period: DateRange,
    included: bool = False,
    source: Source = Source.AUTOMATIC,
    reasons: frozenset[ExclusionReason] = frozenset({ExclusionReason.SALARY}),
) -> Registration:
    return Registration(
        id=uuid.uuid4(),
        policy_id=policy.id,
        employee_id=employee.id,
        period=period,
        included=included,
        reasons=frozenset() if included else reasons,
        source=source,
        notes=frozenset({Note.SALARY_UNKNOWN}) if not included else frozenset(),
        note="handmatig" if source is Source.MANUAL else None,
        registered_on=D(2026, 11, 29),
    )


def _refused(code: str, call: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as refused:
        call()
    assert refused.value.code == code, repr(refused.value)
    return refused.value


class PolicyContract:
    def test_r6_3_insurers_products_and_policies_round_trip_with_conditions(
        self, uow_factory: UowFactory
    ) -> None:
        s = _setup(uow_factory)
        second = Insurer.create("Anders NV")
        with uow_factory() as uow:
            uow.insurers.add(second)
            product = uow.products.lock(s.product.id)
            product.set_conditions(CONDITIONS)
            uow.products.save(product)
            policy = uow.policies.lock(s.policy.id)
            policy.set_overrides(OVERRIDES)
            uow.policies.save(policy)
            uow.commit()
        with uow_factory(write=False) as uow:
            assert uow.insurers.get(s.insurer.id) == s.insurer
            assert [i.name for i in uow.insurers.list()] == ["Anders NV", "Verzekeraar NV"]
            found = uow.products.get(s.product.id)
            assert found.conditions == CONDITIONS
            assert (found.name, found.code, found.kind) == (
                "WIA-excedent",
                "WIAX",
                ProductKind.WIA_EXCEDENT,
            )
            assert uow.products.list(s.insurer.id) == [found]
            assert uow.products.list(second.id) == []
            assert uow.products.list() == [found]
            stored = uow.policies.get(s.policy.id)
            assert stored.overrides == OVERRIDES
            assert (stored.number, stored.period, stored.employer_id) == (
                "P-001",
                POLICY_PERIOD,
                s.employer.id,
            )
            assert uow.policies.list(frozenset({s.employer.id})) == [stored]
            assert uow.policies.list(frozenset({s.other_employer.id})) == []
            assert uow.policies.list(frozenset()) == []
            assert uow.policies.list(None, s.product.id) == [stored]
            assert uow.policies.list(None, uuid.uuid4()) == []
            for call, kind in (
                (lambda: uow.insurers.get(uuid.uuid4()), "insurer"),
                (lambda: uow.products.get(uuid.uuid4()), "insurance_product"),
                (lambda: uow.policies.get(uuid.uuid4()), "policy"),
                (lambda: uow.registrations.get(uuid.uuid4()), "registration"),
            ):
                with pytest.raises(NotFound) as missing:
                    call()
                assert missing.value.details["kind"] == kind

    def test_r6_3_a_condition_left_default_round_trips_as_off(
        self, uow_factory: UowFactory
    ) -> None:
        s = _setup(uow_factory)
        with uow_factory(write=False) as uow:
            assert uow.products.get(s.product.id).conditions == Conditions()
            assert uow.policies.get(s.policy.id).overrides == ConditionOverrides()

    def test_codes_and_numbers_are_unique(self, uow_factory: UowFactory) -> None:
        s = _setup(uow_factory)
        with uow_factory() as uow:
            _refused(
                "policies.insurer_code_in_use",
                lambda: uow.insurers.add(Insurer.create("Ander", "vnv")),
            )
        with uow_factory() as uow:  # another insurer may use the product code
            other = Insurer.create("Ander", "AND")
            uow.insurers.add(other)
            uow.products.add(InsuranceProduct.create(other.id, "X", ProductKind.OTHER, "wiax"))
            uow.commit()
        with uow_factory() as uow:
            _refused(
                "policies.product_code_in_use",
                lambda: uow.products.add(
                    InsuranceProduct.create(s.insurer.id, "Y", ProductKind.OTHER, "WiaX")
                ),
            )
        with uow_factory() as uow:
            _refused(
                "policies.number_in_use",
                lambda: uow.policies.add(
                    Policy.create(s.other_employer.id, s.product.id, "P-001", POLICY_PERIOD)
                ),
            )
        with uow_factory(write=False) as uow:
            assert len(uow.insurers.list()) == 2
            assert len(uow.products.list()) == 2
            assert len(uow.policies.list()) == 1

    def test_what_a_product_or_policy_refers_to_must_exist(self, uow_factory: UowFactory) -> None:
        s = _setup(uow_factory)
        with uow_factory() as uow:
            missing = _refused(
                "not_found",
                lambda: uow.products.add(
                    InsuranceProduct.create(uuid.uuid4(), "Y", ProductKind.OTHER)
                ),
            )
            assert missing.details["kind"] == "insurer"
            missing = _refused(
                "not_found",
                lambda: uow.policies.add(
                    Policy.create(uuid.uuid4(), s.product.id, "P-2", POLICY_PERIOD)
                ),
            )
            assert missing.details["kind"] == "employer"
            missing = _refused(
                "not_found",
                lambda: uow.policies.add(
                    Policy.create(s.employer.id, uuid.uuid4(), "P-3", POLICY_PERIOD)
                ),
            )
            assert missing.details["kind"] == "insurance_product"

    def test_r6_6_registrations_round_trip_and_never_overlap(self, uow_factory: UowFactory) -> None:
        s = _setup(uow_factory)
        anna, zeger = s.employees[1], s.employees[0]
        first = _registration(s.policy, anna, DateRange(D(2026, 1, 1), D(2026, 7, 1)))
        manual = _registration(
            s.policy,
            anna,
            DateRange(D(2026, 7, 1), D(2027, 1, 1)),
            source=Source.MANUAL,
            reasons=frozenset({ExclusionReason.MANUAL}),
        )
        included = _registration(s.policy, anna, DateRange(D(2027, 1, 1)), included=True)
        same_days = _registration(s.policy, zeger, DateRange(D(2026, 1, 1), D(2026, 7, 1)))
        with uow_factory() as uow:
            uow.registrations.add([included, first])
            uow.registrations.add([manual, same_days])  # adjacent; another employee
            uow.commit()
        with uow_factory(write=False) as uow:
            assert uow.registrations.for_participant(s.policy.id, anna.id) == [
                first,
                manual,
                included,
            ]
            assert uow.registrations.get(manual.id) == manual
            assert uow.registrations.for_participant(s.policy.id, s.employees[3].id) == []
        clash = _registration(s.policy, anna, DateRange(D(2026, 12, 31), D(2027, 1, 2)))
        with uow_factory() as uow:
            refused = _refused(
                "policies.registrations_overlap", lambda: uow.registrations.add([clash])
            )
            assert isinstance(refused, Conflict)
            assert refused.details["other"] in {str(manual.period), str(included.period)}
        twins = [
            _registration(s.policy, s.employees[2], DateRange(D(2026, 1, 1), D(2026, 3, 1))),
            _registration(s.policy, s.employees[2], DateRange(D(2026, 2, 1), D(2026, 4, 1))),
        ]
        with uow_factory() as uow:
            _refused("policies.registrations_overlap", lambda: uow.registrations.add(twins))
        with uow_factory(write=False) as uow:
            assert uow.registrations.for_participant(s.policy.id, s.employees[2].id) == []
        with uow_factory() as uow:
            uow.registrations.remove([first.id, uuid.uuid4()])
            uow.registrations.add([attrs.evolve(clash, period=first.period)])
            uow.commit()
        with uow_factory(write=False) as uow:
            periods = [r.period for r in uow.registrations.for_participant(s.policy.id, anna.id)]
            assert periods == [
                DateRange(D(2026, 1, 1), D(2026, 7, 1)),
                manual.period,
                included.period,
            ]

    def test_r6_6_the_participant_page_by_name_in_scope_paged(
        self, uow_factory: UowFactory
    ) -> None:
        s = _setup(uow_factory)
        zeger, anna, emile, otto = s.employees
        for employee in (zeger, anna, emile, otto):
            period = DateRange(D(2026, 1, 1), D(2026, 2, 1))
            with uow_factory() as uow:
                uow.registrations.add(
                    [
                        _registration(s.policy, employee, DateRange(D(2026, 2, 1))),
                        _registration(s.policy, employee, period, included=True),
                    ]
                )
                uow.commit()
        with uow_factory(write=False) as uow:
            page = uow.registrations.page(s.policy.id, EVERYTHING, 1, 2)
            # by name as the search index normalises it: "anna jansen", "emile bakker", …
            assert [row.name for row in page] == ["Anna Jansen", "Émile Bakker"]
            assert [r.period.start for r in page[0].registrations] == [D(2026, 1, 1), D(2026, 2, 1)]
            rest = uow.registrations.page(s.policy.id, EVERYTHING, 2, 2)
            assert [row.name for row in rest] == ["Otto Ander", "Zeger Zwart"]
            assert uow.registrations.page(s.policy.id, EVERYTHING, 3, 2) == []
            assert uow.registrations.count(s.policy.id, EVERYTHING) == 4
            employer_scope = ResolvedScope(
                everything=False, employer_ids=frozenset({s.employer.id})
            )
            assert [r.name for r in uow.registrations.page(s.policy.id, employer_scope, 1, 10)] == [
                "Anna Jansen",
                "Émile Bakker",
                "Zeger Zwart",
            ]
            assert uow.registrations.count(s.policy.id, employer_scope) == 3
            department_scope = ResolvedScope(
                everything=False, department_ids=frozenset({s.department.id})
            )
            assert [
                r.employee_id for r in uow.registrations.page(s.policy.id, department_scope, 1, 10)
            ] == [anna.id]
            assert uow.registrations.count(s.policy.id, department_scope) == 1
            nothing = ResolvedScope(everything=False)
            assert uow.registrations.page(s.policy.id, nothing, 1, 10) == []
            assert uow.registrations.count(s.policy.id, nothing) == 0
            assert uow.registrations.count(uuid.uuid4(), EVERYTHING) == 0

    def test_r6_1_configuration_parameters_default_change_and_history(
        self, uow_factory: UowFactory
    ) -> None:
        s = _setup(uow_factory)
        user = uuid.uuid4()
        from xs_core.access.model import User

        admin = User.create("Beheer", "beheer@example.nl", user_id=user)
        with uow_factory() as uow:
            uow.users.add(admin)
            assert uow.settings.value(Parameter.BUSINESS_RULES) == 0
            assert uow.settings.lock(Parameter.BUSINESS_RULES) == 0
            uow.commit()
        at = pendulum.datetime(2026, 11, 29, 9, 30, tz="Europe/Amsterdam")
        with uow_factory() as uow:
            old = uow.settings.lock(Parameter.BUSINESS_RULES)
            uow.settings.change(
                ParameterChange(
                    parameter=Parameter.BUSINESS_RULES,
                    old_value=old,
                    new_value=1,
                    changed_by=user,
                    changed_at=at,
                )
            )
            uow.commit()
        with uow_factory() as uow:  # not committed: changes nothing
            uow.settings.change(
                ParameterChange(
                    parameter=Parameter.BUSINESS_RULES,
                    old_value=1,
                    new_value=0,
                    changed_by=user,
                    changed_at=at,
                )
            )
        with uow_factory(write=False) as uow:
            assert uow.settings.value(Parameter.BUSINESS_RULES) == 1
            (change,) = uow.settings.history(Parameter.BUSINESS_RULES)
            assert (change.old_value, change.new_value, change.changed_by) == (0, 1, user)
            assert change.changed_at == at
        with uow_factory() as uow:
            _refused(
                "settings.invalid_value",
                lambda: uow.settings.change(
                    ParameterChange(
                        parameter=Parameter.BUSINESS_RULES,
                        old_value=1,
                        new_value=2,
                        changed_by=user,
                        changed_at=at,
                    )
                ),
            )
        assert s.policy  # the world is there, untouched by the parameters


class TestMemoryPolicies(MemoryBackend, PolicyContract):
    pass


class TestSqlitePolicies(SqliteBackend, PolicyContract):
    pass


class TestPostgresPolicies(PostgresBackend, PolicyContract):
    pass


# -- SQL only: what the storage holds is validated when read ---------------------------------------


class StoredDataContract:
    def _raw(self, uow_factory: UowFactory, statement: sa.Executable) -> None:
        with uow_factory() as uow:
            uow.connection.execute(statement)  # type: ignore[attr-defined]
            uow.commit()

    def test_r6_2_stored_conditions_are_typed_and_checked_when_read(
        self, uow_factory: UowFactory
    ) -> None:
        s = _setup(uow_factory)
        p = t.insurance_products
        cases = [
            (
                {"age": {"active": True, "younger_than": {"years": 200, "months": 0}}},
                "policies.invalid_age",
            ),
            (
                {"age": {"active": True, "older_than": {"years": 66, "months": 12}}},
                "policies.invalid_age",
            ),
            (
                {"employment_type": {"active": True, "excluded": ["zzp"]}},
                "policies.unknown_employment_type",
            ),
            ({"salary": {"active": "ja"}}, "policies.invalid_condition"),
            ({"salary": {"aktief": True}}, "policies.invalid_stored_data"),
            ({"pension": {"active": True}}, "policies.invalid_stored_data"),
            (["age"], "policies.invalid_stored_data"),
        ]
        for document, code in cases:
            self._raw(
                uow_factory, p.update().where(p.c.id == s.product.id).values(conditions=document)
            )
            with uow_factory(write=False) as uow:
                refused = _refused(code, lambda: uow.products.get(s.product.id))
                assert isinstance(refused, InvalidInput)
        r = t.policy_registrations
        registration = _registration(s.policy, s.employees[0], DateRange(D(2026, 1, 1)))
        with uow_factory() as uow:
            uow.registrations.add([registration])
            uow.commit()
        self._raw(uow_factory, r.update().values(reasons="salary,pension"))
        with uow_factory(write=False) as uow:
            _refused("policies.invalid_stored_data", lambda: uow.registrations.get(registration.id))

    def test_r6_1_a_stored_parameter_value_is_checked_when_read(
        self, uow_factory: UowFactory
    ) -> None:
        self._raw(
            uow_factory, t.configuration_parameters.insert().values(name="BusinessRules", value=7)
        )
        with uow_factory(write=False) as uow:
            _refused("settings.invalid_value", lambda: uow.settings.value(Parameter.BUSINESS_RULES))


class TestSqliteStoredData(SqliteBackend, StoredDataContract):
    pass


class TestPostgresStoredData(PostgresBackend, StoredDataContract):
    pass


def test_r6_4_postgres_refuses_overlapping_registrations_written_in_plain_sql(
    postgres_url: str,
) -> None:
    """The exclusion constraint holds whatever writes (migrations 0012, 0025): an employee's
    manual registrations in one policy never overlap; another policy's or another employee's
    may."""
    from xs_adapters.sql.engine import create_engine

    engine = create_engine(postgres_url)
    employer, person, insurer, product, policy = (uuid.uuid4() for _ in range(5))
    with engine.begin() as c:
        c.execute(t.employers.insert().values(id=employer, name="A"))
        c.execute(t.employees.insert().values(id=person, first_name="A", last_name="B", gender="O"))
        c.execute(t.insurers.insert().values(id=insurer, name="I"))
        c.execute(
            t.insurance_products.insert().values(
                id=product, insurer_id=insurer, name="P", kind="other", conditions={}
            )
        )
        c.execute(
            t.insurance_policies.insert().values(
                id=policy,
                employer_id=employer,
                product_id=product,
                number="1",
                start_date=_dt.date(2026, 1, 1),
                overrides={},
            )
        )

    def row(start: _dt.date, end: _dt.date | None) -> dict[str, object]:
        return {
            "id": uuid.uuid4(),
            "policy_id": policy,
            "employee_id": person,
            "start_date": start,
            "end_date": end,
            "included": True,
            "reasons": "",
            "source": "manual",
            "notes": "",
            "registered_on": _dt.date(2026, 1, 1),
        }

    with engine.begin() as c:
        c.execute(
            t.policy_registrations.insert().values(
                **row(_dt.date(2026, 1, 1), _dt.date(2026, 6, 1))
            )
        )
        c.execute(
            t.policy_registrations.insert().values(**row(_dt.date(2026, 6, 1), None))
        )  # adjacent
    with pytest.raises(sa.exc.IntegrityError) as refused, engine.begin() as c:
        c.execute(
            t.policy_registrations.insert().values(
                **row(_dt.date(2026, 5, 31), _dt.date(2026, 6, 2))
            )
        )
    assert "ex_policy_registrations_no_overlap" in str(refused.value)
    # the same days in another policy, and another employee's, are no overlap
    other_policy, other_person = uuid.uuid4(), uuid.uuid4()
    with engine.begin() as c:
        c.execute(
            t.employees.insert().values(id=other_person, first_name="C", last_name="D", gender="O")
        )
        c.execute(
            t.insurance_policies.insert().values(
                id=other_policy,
                employer_id=employer,
                product_id=product,
                number="2",
                start_date=_dt.date(2026, 1, 1),
                overrides={},
            )
        )
        c.execute(
            t.policy_registrations.insert().values(
                **{**row(_dt.date(2026, 5, 31), None), "policy_id": other_policy}
            )
        )
        c.execute(
            t.policy_registrations.insert().values(
                **{**row(_dt.date(2026, 5, 31), None), "employee_id": other_person}
            )
        )
        # migration 0025: the constraint holds the manual registrations (the automatic ones are
        # written under the policy's lock), its GiST index led by the employee (R6.6)
        definition = c.execute(
            sa.text(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conname = 'ex_policy_registrations_no_overlap'"
            )
        ).scalar_one()
    assert "(employee_id WITH =, policy_id WITH =, daterange(" in definition
    assert definition.endswith("WHERE (((source)::text = 'manual'::text))")
    engine.dispose()
