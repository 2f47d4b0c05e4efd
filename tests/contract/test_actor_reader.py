"""Contract of the actor reader (R0.6, R7.1), run on memory, SQLite and PostgreSQL: who acts —
the user with their roles and scope, an API client with its technical user — is read exactly
as the repositories answer it, and on PostgreSQL in one round trip together with the
transaction's ``BEGIN`` (no statement of its own through SQLAlchemy)."""

from __future__ import annotations

import threading
import time
import types
import uuid
from typing import cast

import pendulum
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_adapters.clock import FixedClock
from xs_adapters.memory import MemoryStore, MemoryUnitOfWork
from xs_adapters.sql import tables as t
from xs_adapters.sql.actors import SqlActorReader, uses_pipeline
from xs_adapters.sql.engine import create_engine
from xs_core.access.api_clients import ApiClient
from xs_core.access.features import Feature
from xs_core.access.model import Role, RoleKind, Scope, User
from xs_core.access.ports import ActingFacts, ActorReader
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

    @pytest.mark.parametrize("acting", ["user", "client"])
    @pytest.mark.parametrize("change", ["link", "unlink"])
    def test_r0_6_a_link_committed_between_the_reads_does_not_mix_two_states(
        self, postgres_url: str, uow_factory: UowFactory, acting: str, change: str
    ) -> None:
        """R0.6: the user row and the roles are read by two statements, each with its own
        snapshot (READ COMMITTED). A link between the user and a role committed after the
        user's read and before the roles' read (held up by a lock on ``role_features``) leaves
        the facts those of the user row as read: a role linked meanwhile brings none of its
        features, a role unlinked meanwhile is still there, read by its id."""
        user, viewing, empty, active, _ = _world(uow_factory)
        other = _role_named(uow_factory, "Ander")
        engine = create_engine(postgres_url)
        got: list[ActingFacts | BaseException] = []

        def read() -> None:
            try:
                with uow_factory(write=False) as uow:
                    reader = uow.actors
                    got.append(
                        reader.user_acting(user.id)
                        if acting == "user"
                        else reader.client_acting(active.id)
                    )
            except BaseException as error:  # the assertions below name it
                got.append(error)

        reader = threading.Thread(target=read)
        try:
            with engine.connect() as locker, engine.connect() as changer:
                locker.execute(sa.text("LOCK TABLE role_features IN ACCESS EXCLUSIVE MODE"))
                reader.start()
                _wait_until_blocked(changer, "role_features")
                ur = t.user_roles
                if change == "link":
                    changer.execute(ur.insert().values(user_id=user.id, role_id=other.id))
                else:
                    changer.execute(
                        ur.delete().where(ur.c.user_id == user.id, ur.c.role_id == viewing.id)
                    )
                changer.commit()
                locker.rollback()  # the lock goes: the roles' read runs, seeing the change
                reader.join(60)
        finally:
            engine.dispose()
        assert not reader.is_alive(), "the reader hung"
        [facts] = got
        assert isinstance(facts, ActingFacts), facts
        # the user row was read before the change: it links viewing and empty, not other
        assert facts.user is not None and facts.user.role_ids == {viewing.id, empty.id}
        assert _roles(facts) == {viewing.id: viewing, empty.id: empty}
        assert Feature.MANAGE_ORGANISATION not in {f for r in facts.roles for f in r.features}
        with uow_factory(write=False) as uow:  # and the change did commit
            linked = uow.users.get(user.id).role_ids
        assert (other.id in linked) == (change == "link")
        assert (viewing.id in linked) == (change == "link")

    def test_r0_6_r7_1_the_pipeline_and_the_repositories_give_equal_facts(
        self, uow_factory: UowFactory
    ) -> None:
        """R0.6, R7.1 (differential): for the same users and clients — users with several
        roles, without roles, a super administrator, an active, a disabled and an unknown
        client, an unknown user — the pipelined read and the repositories' read give equal
        facts, inside one transaction each."""
        user, viewing, empty, active, disabled = _world(uow_factory)
        other = _role_named(uow_factory, "Ander")
        with uow_factory() as uow:
            many = User.create("Veel", "veel@example.nl", role_ids=(viewing.id, empty.id, other.id))
            lone = User.create("Alleen", "alleen@example.nl", role_ids=(other.id,))
            bare = User.create("Kaal", "kaal@example.nl")
            boss = User.create(
                "Baas", "baas@example.nl", role_ids=(viewing.id,), super_administrator=True
            )
            for extra in (many, lone, bare, boss):
                uow.users.add(extra)
            through = ApiClient.register("Veel", many.id, "$argon2id$z", (), NOON)
            uow.api_clients.add(through)
            uow.commit()
        users = [user.id, many.id, lone.id, bare.id, boss.id, uuid.uuid4()]
        clients = [active.id, disabled.id, through.id, uuid.uuid4()]
        readings: list[list[ActingFacts]] = []
        for pipelined in (True, False):
            with uow_factory(write=False) as uow:
                reader: ActorReader = uow.actors
                assert isinstance(reader, SqlActorReader)
                if not pipelined:
                    reader = reader._repositories
                readings.append(
                    [reader.user_acting(i) for i in users]
                    + [reader.client_acting(i) for i in clients]
                )
        assert readings[0] == readings[1]
        assert sum(f.user is not None for f in readings[0]) == 7
        assert len(readings[0][1].roles) == 3


def _role_named(uow_factory: UowFactory, name: str) -> Role:
    with uow_factory(write=False) as uow:
        [role] = [r for r in uow.roles.list() if r.name == name]
    return role


def _wait_until_blocked(connection: Connection, table: str) -> None:
    """Until some transaction waits for a lock on ``table`` (``pg_locks``), at most a minute."""
    waiting = sa.text(
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "WHERE c.relname = :table AND NOT l.granted"
    )
    deadline = time.monotonic() + 60
    while not connection.execute(waiting, {"table": table}).scalar_one():
        assert time.monotonic() < deadline, f"nobody waits for {table}"
        connection.rollback()  # each poll a fresh snapshot of pg_locks
        time.sleep(0.01)
    connection.rollback()


@pytest.mark.parametrize(
    ("name", "driver", "pipelined"),
    [
        ("postgresql", "psycopg", True),
        ("postgresql", "psycopg2", False),
        ("postgresql", "pg8000", False),
        ("postgresql", "asyncpg", False),
        ("sqlite", "pysqlite", False),
    ],
)
def test_r0_6_only_psycopg_reads_in_a_pipeline(name: str, driver: str, pipelined: bool) -> None:
    """R0.6, R7.1: the pipeline is psycopg 3's; on any other driver the reader reads through
    the repositories (and touches nothing of the connection but its dialect)."""
    connection = cast(
        Connection, types.SimpleNamespace(dialect=types.SimpleNamespace(name=name, driver=driver))
    )
    assert uses_pipeline(connection) is pipelined
    if pipelined:
        return
    store = MemoryStore()
    with MemoryUnitOfWork(store, FixedClock.on(pendulum.date(2026, 12, 1)), True) as uow:
        role = Role.create("Bekijken", {Feature.VIEW_ORGANISATION}, RoleKind.EMPLOYER)
        uow.roles.add(role)
        user = User.create("Koppeling", "koppeling@example.nl", role_ids=(role.id,))
        uow.users.add(user)
        reader = SqlActorReader(connection, uow.actors)
        assert reader.user_acting(user.id) == ActingFacts(user=user, roles=(role,))
        assert reader.client_acting(uuid.uuid4()) == ActingFacts(user=None)
