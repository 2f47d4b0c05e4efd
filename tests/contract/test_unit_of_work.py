"""Contract of the unit of work and the outbox (R0.5, R0.7), run on memory, SQLite, PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_core.errors import DomainError, NotFound
from xs_core.organisation.model import Employer


class UnitOfWorkContract:
    def test_r0_7_commit_persists_and_writes_events_to_the_outbox(
        self, uow_factory: UowFactory
    ) -> None:
        employer = Employer.create("Bakkerij Jansen", "BAK")
        employer.set_vat_number("NL004495445B01")
        with uow_factory() as uow:
            uow.employers.add(employer)
            assert uow.outbox.pending(100, "default") == []  # nothing before commit
            uow.commit()
        with uow_factory(write=False) as uow:
            assert uow.employers.get(employer.id).vat_number == employer.vat_number
            pending = uow.outbox.pending(100, "default")
        assert [m.name for m in pending] == ["EmployerCreated", "EmployerVatNumberChanged"]
        assert pending[1].payload == {
            "employer_id": str(employer.id),
            "vat_number": "NL004495445B01",
        }
        assert pending[0].id < pending[1].id

    def test_r0_7_acknowledged_messages_are_no_longer_pending(
        self, uow_factory: UowFactory
    ) -> None:
        with uow_factory() as uow:
            uow.employers.add(Employer.create("A"))
            uow.employers.add(Employer.create("B"))
            uow.commit()
        with uow_factory() as uow:
            first, second = uow.outbox.pending(100, "default")
            uow.outbox.acknowledge("default", [first.id])
            uow.commit()
        with uow_factory() as uow:
            assert [m.id for m in uow.outbox.pending(100, "default")] == [second.id]

    def test_r0_5_an_open_unit_of_work_is_not_entered_again(self, uow_factory: UowFactory) -> None:
        """R0.5: one unit of work is one transaction; entering it again while it is open is a
        programming error (on SQL it would open a second connection and leak the first), and
        the open one carries on. Closed, the same object may be opened again."""
        employer = Employer.create("Bakkerij Jansen")
        uow = uow_factory()
        with uow:
            uow.employers.add(employer)
            with pytest.raises(RuntimeError, match="already open"):
                uow.__enter__()
            uow.commit()
        with uow:
            assert uow.employers.get(employer.id).name == "Bakkerij Jansen"

    def test_r0_5_leaving_without_commit_rolls_back(self, uow_factory: UowFactory) -> None:
        employer = Employer.create("Bakkerij Jansen")
        with uow_factory() as uow:
            uow.employers.add(employer)
        with uow_factory() as uow, pytest.raises(NotFound):
            uow.employers.get(employer.id)
        with uow_factory() as uow:
            assert uow.outbox.pending(100, "default") == []

    def test_r0_5_a_refusal_midway_leaves_nothing(self, uow_factory: UowFactory) -> None:
        first = Employer.create("Eerste", "DUP")
        with uow_factory() as uow:
            uow.employers.add(first)
            uow.commit()
        other = Employer.create("Ander")
        clash = Employer.create("Tweede", "dup")
        with uow_factory() as uow:
            uow.employers.add(other)
            with pytest.raises(DomainError) as refused:
                uow.employers.add(clash)  # code in use: the database constraint refuses it
        assert refused.value.code == "organisation.code_in_use"
        with uow_factory() as uow:
            with pytest.raises(NotFound):
                uow.employers.get(other.id)
            assert [m.name for m in uow.outbox.pending(100, "default")] == ["EmployerCreated"]

    def test_r0_7_published_events_without_aggregate(self, uow_factory: UowFactory) -> None:
        from xs_core.organisation.events import DossierOpened
        from xs_core.organisation.units import UnitKind

        with uow_factory() as uow:
            employer = Employer.create("x")
            uow.publish(
                DossierOpened(
                    dossier_id=uuid.uuid4(), unit_kind=UnitKind.EMPLOYER, unit_id=employer.id
                )
            )
            uow.commit()
        with uow_factory() as uow:
            assert [m.name for m in uow.outbox.pending(100, "default")] == ["DossierOpened"]


class TestMemoryUnitOfWork(MemoryBackend, UnitOfWorkContract):
    pass


class TestSqliteUnitOfWork(SqliteBackend, UnitOfWorkContract):
    pass


class TestPostgresUnitOfWork(PostgresBackend, UnitOfWorkContract):
    pass
