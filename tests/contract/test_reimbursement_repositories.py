"""Contract of the reimbursement ports (R5.2–R5.5) on memory, SQLite and PostgreSQL: the same
calls give the same answers on every backend."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import attrs
import pendulum
import pytest

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_core.access.model import User
from xs_core.agenda.model import Activity, ActivityStatus
from xs_core.billing.contracts import (
    ContractKind,
    ContractModel,
    ContractModelType,
    Payer,
    PriceCategory,
)
from xs_core.billing.frequency import BillingFrequency
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.money import Money
from xs_core.organisation.model import Employee, Employer, Employment
from xs_core.organisation.vat import VatNumber
from xs_core.reimbursements.batches import (
    BatchCounts,
    BatchStatus,
    LineDecision,
    ReimbursementBatch,
)
from xs_core.reimbursements.contract_settings import ContractSettings, UserContractSettings
from xs_core.reimbursements.relations import Iban, PostalAddress, Relation, RelationKind

D = pendulum.Date
TODAY = D(2026, 11, 29)


@attrs.define
class Setup:
    supplier: Relation
    model: ContractModel
    users: list[User]
    employee: Employee
    activities: list[Activity]


def _setup(uow_factory: UowFactory) -> Setup:
    employer = Employer.create("Bakkerij", "BAK")
    employee = Employee.register("Anna", "Klant")
    employee.add_employment(
        Employment.create(
            id=uuid.uuid4(),
            employer_id=employer.id,
            period=DateRange(D(2020, 1, 1)),
            is_leading=True,
        )
    )
    supplier = Relation.create(
        RelationKind.SUPPLIER,
        "Arbo Leverancier",
        "LEV",
        PostalAddress.create("Dorpsstraat", "1", "3511ab", "Utrecht"),
        VatNumber.parse("NL004495445B01"),
        Iban.parse("NL91ABNA0417164300"),
    )
    model = ContractModel.create(
        "Vergoeding",
        ContractKind.GUIDANCE,
        BillingFrequency.MONTHLY,
        DateRange(D(2020, 1, 1)),
        (
            PriceCategory(activity_type="Spreekuur", price=Money("40.00"), payer=Payer.SUPPLIER),
            PriceCategory(activity_type="Telefonisch", price=Money("0.00"), payer=Payer.SUPPLIER),
        ),
        ContractModelType.REIMBURSEMENT,
    )
    users = [User.create(f"Prof {n}", f"prof{n}@example.nl") for n in range(2)]
    activities = []
    for n, (user, day, kind, status) in enumerate(
        [
            (users[0], D(2026, 1, 10), "Spreekuur", ActivityStatus.OFFERED),
            (users[0], D(2026, 3, 31), "Telefonisch", ActivityStatus.OFFERED),
            (users[0], D(2026, 4, 1), "Spreekuur", ActivityStatus.OFFERED),  # after reference
            (users[1], D(2026, 2, 1), "Spreekuur", ActivityStatus.OFFERED),
            (users[1], D(2026, 2, 2), "Spreekuur", ActivityStatus.RELEASED),  # not offered
            (users[1], D(2026, 2, 3), "Huisbezoek", ActivityStatus.OFFERED),  # no price
        ]
    ):
        activity = Activity.register(user.id, employee.id, kind, day)
        activity.status = status
        activities.append(activity)
        assert n == len(activities) - 1
    with uow_factory() as uow:
        uow.employers.add(employer)
        uow.employees.add(employee)
        for user in users:
            uow.users.add(user)
        uow.relations.add(supplier)
        uow.contract_models.add(model)
        for activity in activities:
            uow.activities.add(activity)
        for user in users:
            settings = UserContractSettings(user_id=user.id)
            settings.set_from(
                D(2025, 1, 1),
                ContractSettings(
                    reimbursed_via_supplier=True,
                    supplier_id=supplier.id,
                    contract_model_id=model.id,
                ),
            )
            uow.contract_settings.save(settings)
        uow.commit()
    return Setup(supplier, model, users, employee, activities)


def _refused(code: str, call: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as refused:
        call()
    assert refused.value.code == code, repr(refused.value)
    return refused.value


def _batch(
    uow_factory: UowFactory, s: Setup, users: list[User] | None = None
) -> ReimbursementBatch:
    batch = ReimbursementBatch.open(s.supplier.id, s.model.id, D(2026, 3, 31), TODAY)
    with uow_factory() as uow:
        uow.reimbursements.add(batch, [u.id for u in (s.users if users is None else users)])
        uow.reimbursements.add_lines(batch.id)
        batch.generated(uow.reimbursements.counts(batch.id), 2)
        uow.reimbursements.save(batch)
        uow.commit()
    return batch


class ReimbursementContract:
    def test_r5_2_relations_round_trip_and_search(self, uow_factory: UowFactory) -> None:
        s = _setup(uow_factory)
        referrer = Relation.create(RelationKind.REFERRER, "Aanmelder Émile", "lev")
        other = Relation.create(RelationKind.SUPPLIER, "Zorg Levering", "ZL1")
        with uow_factory() as uow:
            uow.relations.add(referrer)  # another kind: the code is free
            uow.relations.add(other)
            uow.commit()
        with uow_factory(write=False) as uow:
            found = uow.relations.get(s.supplier.id)
            assert found == s.supplier
            assert found.iban == Iban("NL91ABNA0417164300", "ABNANL2A")
            kinds = uow.relations.list(RelationKind.SUPPLIER)
            assert [r.code for r in kinds] == ["LEV", "ZL1"]
            assert [r.code for r in uow.relations.list(RelationKind.SUPPLIER, "lev")] == [
                "LEV",
                "ZL1",
            ]  # exact code first, then a name containing the term
            assert [r.code for r in uow.relations.list(RelationKind.SUPPLIER, "zl")] == ["ZL1"]
            assert [r.id for r in uow.relations.list(RelationKind.REFERRER, "emile")] == [
                referrer.id
            ]
        duplicate = Relation.create(RelationKind.SUPPLIER, "Dubbel", " Lev ")
        with uow_factory() as uow:
            _refused("reimbursements.relation_code_in_use", lambda: uow.relations.add(duplicate))
        with uow_factory() as uow:
            found = uow.relations.lock(other.id)
            found.change("Zorg", "lev", PostalAddress(), None, None)
            _refused("reimbursements.relation_code_in_use", lambda: uow.relations.save(found))
        with uow_factory() as uow:
            found = uow.relations.lock(other.id)
            found.set_active(False)
            uow.relations.save(found)
            uow.commit()
        with uow_factory(write=False) as uow:
            assert [r.id for r in uow.relations.list(RelationKind.SUPPLIER, active=False)] == [
                other.id
            ]

    def test_r5_3_dated_settings_round_trip_and_holders(self, uow_factory: UowFactory) -> None:
        s = _setup(uow_factory)
        with uow_factory() as uow:
            settings = uow.contract_settings.get(s.users[0].id)
            settings.set_from(D(2026, 6, 1), ContractSettings(may_register_activities=False))
            uow.contract_settings.save(settings)
            uow.commit()
        with uow_factory(write=False) as uow:
            found = uow.contract_settings.get(s.users[0].id)
            assert found.versions == settings.versions
            assert found.may_register_on(D(2026, 5, 31)) and not found.may_register_on(
                D(2026, 6, 1)
            )
            assert uow.contract_settings.holders(s.supplier.id, s.model.id) == sorted(
                u.id for u in s.users
            )
            assert uow.contract_settings.get(uuid.uuid4()).versions == ()

    def test_r5_5_lines_generated_set_based_with_every_filter(
        self, uow_factory: UowFactory
    ) -> None:
        s = _setup(uow_factory)
        batch = _batch(uow_factory, s)
        a = s.activities
        with uow_factory(write=False) as uow:
            lines = list(uow.reimbursements.lines(batch.id))
            assert [x.activity_id for x in lines] == [a[0].id, a[3].id, a[1].id]
            assert [str(x.amount) for x in lines] == ["€ 40.00", "€ 40.00", "€ 0.00"]
            assert uow.reimbursements.counts(batch.id) == BatchCounts(
                lines=3, reimbursed=3, total=Money("80.00")
            )
            assert uow.reimbursements.get(batch.id) == batch
            assert uow.reimbursements.user_ids(batch.id) == sorted(u.id for u in s.users)
            assert uow.reimbursements.list(s.supplier.id) == [batch]
            assert uow.reimbursements.activity_status(a[4].id) == "released"
            assert uow.reimbursements.activity_status(uuid.uuid4()) is None
        # a second draft takes nothing: every activity is on a draft line already
        second = _batch(uow_factory, s)
        assert second.counts.lines == 0

    def test_r5_5_decisions_finalising_and_what_comes_back(self, uow_factory: UowFactory) -> None:
        s = _setup(uow_factory)
        a = s.activities
        batch = _batch(uow_factory, s)
        with uow_factory() as uow:
            missing = uow.reimbursements.decide(batch.id, [a[0].id, a[4].id], LineDecision.POSTPONE)
            assert missing == [a[4].id]
            uow.reimbursements.decide(batch.id, [a[1].id], LineDecision.EXCLUDE)
            assert uow.reimbursements.decisions(batch.id) == {
                a[0].id: LineDecision.POSTPONE,
                a[1].id: LineDecision.EXCLUDE,
            }
            counts = uow.reimbursements.counts(batch.id)
            assert counts == BatchCounts(
                lines=3, reimbursed=1, excluded=1, postponed=1, total=Money("40.00")
            )
            stored = uow.reimbursements.lock(batch.id)
            stored.decided(LineDecision.EXCLUDE, 1, counts)
            stored.finalise(TODAY)
            uow.reimbursements.finalise(stored)
            uow.reimbursements.save(stored)
            uow.commit()
        with uow_factory(write=False) as uow:
            found = uow.reimbursements.get(batch.id)
            assert (found.status, found.finalised_on, found.counts) == (
                BatchStatus.FINAL,
                TODAY,
                counts,
            )
        again = _batch(uow_factory, s)
        with uow_factory(write=False) as uow:
            assert [x.activity_id for x in uow.reimbursements.lines(again.id)] == [a[0].id]

    def test_r5_5_clearing_and_deleting_a_draft_frees_its_activities(
        self, uow_factory: UowFactory
    ) -> None:
        s = _setup(uow_factory)
        first = _batch(uow_factory, s, s.users[:1])
        with uow_factory() as uow:
            uow.reimbursements.clear_lines(first.id)
            assert uow.reimbursements.counts(first.id) == BatchCounts()
            uow.reimbursements.delete(first.id)
            uow.commit()
        with uow_factory(write=False) as uow:
            _refused("not_found", lambda: uow.reimbursements.get(first.id))
            assert uow.reimbursements.list() == []
        assert _batch(uow_factory, s).counts.lines == 3


class TestMemoryReimbursements(MemoryBackend, ReimbursementContract):
    pass


class TestSqliteReimbursements(SqliteBackend, ReimbursementContract):
    pass


class TestPostgresReimbursements(PostgresBackend, ReimbursementContract):
    pass
