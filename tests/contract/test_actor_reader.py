"""Contract of the actor reader (R0.6, R7.1), run on memory, SQLite and PostgreSQL: who acts —
the user with their roles and scope, an API client with its technical user — is read exactly
as the repositories answer it, and on PostgreSQL in one round trip together with the
transaction's ``BEGIN`` (no statement of its own through SQLAlchemy)."""

from __future__ import annotations

import uuid

import pendulum
import pytest
import sqlalchemy as sa

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_core.access.api_clients import ApiClient
from xs_core.access.features import Feature
from xs_core.access.model import Role, RoleKind, Scope, User
from xs_core.access.ports import ActingFacts
from xs_core.organisation.model import Employer
from xs_core.organisation.units import UnitKind, UnitRef

NOON = pendulum.datetime(2026, 12, 1, 12, tz="Europe/Amsterdam")


def _world(uow_factory: UowFactory) -> tuple[User, Role, Role, ApiClient, ApiClient]:
    """A user with two roles (one without features) and two employers in scope; an active
    client acting through that user and a disabled one."""
    with uow_factory() as uow:
        first, second = Employer.create("Bakkerij", "A1"), Employer.create("Smederij", "A2")
        uow.employers.add(first)
        uow.employers.add(second)
        viewing = Role.create(
            "Bekijken", {Feature.VIEW_ORGANISATION, Feature.MANAGE_EMPLOYMENTS}, RoleKind.EMPLOYER
        )
        empty = Role.create("Leeg", (), RoleKind.EMPLOYER)
        other = Role.create("Ander", {Feature.MANAGE_ORGANISATION}, RoleKind.EMPLOYER)
        for role in (viewing, empty, other):
            uow.roles.add(role)
        scope = Scope(
            frozenset({UnitRef(UnitKind.EMPLOYER, first.id), UnitRef(UnitKind.EMPLOYER, second.id)})
        )
        user = User.create(
            "Koppeling", "koppeling@example.nl", role_ids=(viewing.id, empty.id), scope=scope
        )
        uow.users.add(user)
        spare = User.create("Reserve", "reserve@example.nl")
        uow.users.add(spare)
        active = ApiClient.register("HR", user.id, "$argon2id$x", (), NOON)
        disabled = ApiClient.register("Oud", spare.id, "$argon2id$y", (), NOON)
        disabled.disable()
        uow.api_clients.add(active)
        uow.api_clients.add(disabled)
        uow.commit()
    return user, viewing, empty, active, disabled


def _roles(facts: ActingFacts) -> dict[uuid.UUID, Role]:
    return {role.id: role for role in facts.roles}


class ActorReaderContract:
    def test_r0_6_a_user_acts_with_their_roles_and_scope(self, uow_factory: UowFactory) -> None:
        user, viewing, empty, _, _ = _world(uow_factory)
        with uow_factory(write=False) as uow:
            facts = uow.actors.user_acting(user.id)
            assert facts.client is None
            assert facts.user == uow.users.find(user.id)
            assert _roles(facts) == {viewing.id: viewing, empty.id: empty}

    def test_r0_6_an_unknown_user_is_nobody(self, uow_factory: UowFactory) -> None:
        _world(uow_factory)
        with uow_factory(write=False) as uow:
            assert uow.actors.user_acting(uuid.uuid4()) == ActingFacts(user=None)

    def test_r7_1_a_client_acts_through_its_technical_user(self, uow_factory: UowFactory) -> None:
        user, viewing, empty, active, _ = _world(uow_factory)
        with uow_factory(write=False) as uow:
            facts = uow.actors.client_acting(active.id)
            assert facts.client == uow.api_clients.find(active.id)
            assert facts.client is not None and facts.client.created_at == NOON
            assert facts.user == uow.users.find(user.id)
            assert _roles(facts) == {viewing.id: viewing, empty.id: empty}

    def test_r7_1_a_disabled_or_unknown_client_acts_for_nobody(
        self, uow_factory: UowFactory
    ) -> None:
        _, _, _, _, disabled = _world(uow_factory)
        with uow_factory(write=False) as uow:
            facts = uow.actors.client_acting(disabled.id)
            assert facts.user is None and facts.roles == ()
            assert facts.client is not None and not facts.client.active
            assert uow.actors.client_acting(uuid.uuid4()) == ActingFacts(user=None)

    def test_r0_6_who_acts_is_read_inside_the_unit_of_work(self, uow_factory: UowFactory) -> None:
        """What the unit of work wrote before is what the reader sees (the same transaction)."""
        user, viewing, _, _, _ = _world(uow_factory)
        with uow_factory() as uow:
            changed = uow.users.lock(user.id)
            changed.revoke(role_ids=[r for r in changed.role_ids if r != viewing.id])
            uow.users.save(changed)
            facts = uow.actors.user_acting(user.id)
            assert facts.user is not None and facts.user.role_ids == frozenset({viewing.id})
            assert _roles(facts) == {viewing.id: viewing}
            uow.rollback()


class TestMemory(MemoryBackend, ActorReaderContract):
    pass


class TestSqlite(SqliteBackend, ActorReaderContract):
    pass


@pytest.mark.postgres
class TestPostgres(PostgresBackend, ActorReaderContract):
    def test_r0_6_read_in_one_round_trip_with_begin(self, uow_factory: UowFactory) -> None:
        """PostgreSQL: the reader sends nothing through SQLAlchemy (its statements and the
        transaction's ``BEGIN`` go in one pipeline), and the transaction is open after it."""
        from psycopg.pq import TransactionStatus

        user, _, _, active, _ = _world(uow_factory)
        sent: list[str] = []

        def count(*args: object) -> None:
            sent.append(str(args[2]))

        sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
        try:
            for read in (
                lambda uow: uow.actors.user_acting(user.id),
                lambda uow: uow.actors.client_acting(active.id),
            ):
                with uow_factory(write=False) as uow:
                    facts = read(uow)
                    assert facts.user is not None
                    raw = uow.connection.connection.driver_connection
                    assert raw.pgconn.transaction_status == TransactionStatus.INTRANS
                    assert sent == []
        finally:
            sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)
