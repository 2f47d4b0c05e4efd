"""R2.2: no two overlapping trajectories of one protocol for one employee — held by the
services (under the protocol's lock), by every trajectory repository, and on PostgreSQL by an
exclusion constraint (migration 0010) that refuses whatever writes the row."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterator

import attrs
import pytest
import sqlalchemy as sa

from tests.apps import make_app
from xs_adapters.clock import FixedClock
from xs_adapters.sql import migrate
from xs_adapters.sql.conflicts import EXCLUSION_VIOLATION, sqlstate
from xs_adapters.sql.engine import create_engine
from xs_app import Xs
from xs_app.services.organisation import CreateEmployer, EmploymentTerms, RegisterEmployee
from xs_app.services.protocols import (
    CloseTrajectory,
    CreateProtocol,
    StartTrajectory,
    TrajectoriesOf,
)
from xs_core.errors import DomainError
from xs_core.protocols.model import ProtocolCharacteristics, ProtocolKind

D = _dt.date


@attrs.define
class Setting:
    xs: Xs
    admin: uuid.UUID
    anna: uuid.UUID
    bram: uuid.UUID
    pmo: uuid.UUID
    other: uuid.UUID


def setting(xs: Xs) -> Setting:
    admin = xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
    employer = xs.organisation.create_employer(CreateEmployer(actor=admin, name="Bakkerij"))
    anna, bram = (
        xs.organisation.register_employee(
            RegisterEmployee(
                actor=admin,
                first_name=name,
                last_name="Jansen",
                employment=EmploymentTerms(employer_id=employer, start=D(2020, 1, 1)),
            )
        )
        for name in ("Anna", "Bram")
    )
    pmo, other = (
        xs.protocols.create_protocol(
            CreateProtocol(
                actor=admin,
                name=name,
                kind=ProtocolKind.PMO,
                characteristics=ProtocolCharacteristics(end_date_may_be_in_future=True),
            )
        )
        for name in ("PMO", "Griepprik")
    )
    return Setting(xs, admin, anna, bram, pmo, other)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def world(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Setting]:
    xs = make_app(request, clock, request.param)
    yield setting(xs)
    xs.close()


@pytest.fixture
def pg(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Setting]:
    xs = make_app(request, clock, "postgres")
    yield setting(xs)
    xs.close()


def start(
    s: Setting, employee: uuid.UUID, first: _dt.date, last: _dt.date | None = None
) -> uuid.UUID:
    return s.xs.trajectories.start_trajectory(
        StartTrajectory(
            actor=s.admin, protocol_id=s.pmo, employee_id=employee, start=first, end_date=last
        )
    )


def test_r2_2_closing_a_trajectory_into_the_next_one_is_refused(world: Setting) -> None:
    """A planned end moved later by a closing may not reach into the next trajectory of the
    protocol (R2.2 with R2.4); up to the day before it, it may."""
    first = start(world, world.anna, D(2026, 12, 1), D(2027, 5, 31))
    start(world, world.anna, D(2027, 6, 1))
    with pytest.raises(DomainError) as overlap:
        world.xs.trajectories.close_trajectory(
            CloseTrajectory(actor=world.admin, trajectory_id=first, end_date=D(2027, 6, 1))
        )
    assert overlap.value.code == "trajectory.overlaps"
    world.xs.trajectories.close_trajectory(
        CloseTrajectory(actor=world.admin, trajectory_id=first, end_date=D(2026, 12, 31))
    )
    periods = [
        (x.period.start, x.period.end)
        for x in world.xs.trajectories.trajectories_of(
            TrajectoriesOf(actor=world.admin, employee_id=world.anna)
        )
    ]
    assert periods == [(D(2026, 12, 1), D(2027, 1, 1)), (D(2027, 6, 1), None)]


def test_r2_2_the_repository_refuses_an_overlapping_trajectory(world: Setting) -> None:
    """Written past the services, straight through the repository: refused on every backend
    with the services' own code, the other trajectory named; touching periods are fine."""
    first = start(world, world.anna, D(2026, 1, 1), D(2026, 6, 30))
    with world.xs.unit_of_work() as uow:
        (stored,) = uow.trajectories.for_employee(world.anna)
        clash = attrs.evolve(stored, id=uuid.uuid4(), period=attrs.evolve(stored.period))
        with pytest.raises(DomainError) as refused:
            uow.trajectories.add(clash)
        assert refused.value.code == "trajectory.overlaps"
        assert refused.value.details["trajectory_id"] == str(first)
        assert refused.value.details["period"] == str(stored.period)
    with world.xs.unit_of_work() as uow:
        (stored,) = uow.trajectories.for_employee(world.anna)
        touching = attrs.evolve(
            stored,
            id=uuid.uuid4(),
            period=attrs.evolve(stored.period, start=stored.period.end, end=None),
        )
        uow.trajectories.add(touching)
        uow.commit()
    with world.xs.unit_of_work() as uow:
        assert len(uow.trajectories.for_employee(world.anna)) == 2
        moved = uow.trajectories.get(first)
        moved.period = attrs.evolve(moved.period, end=D(2026, 7, 2))
        with pytest.raises(DomainError) as extended:
            uow.trajectories.save(moved)
        assert extended.value.code == "trajectory.overlaps"


INSERT = sa.text(
    "INSERT INTO trajectories (id, protocol_id, kind, employee_id, start_date, end_date)"
    " VALUES (:id, :protocol, 'pmo', :employee, :start, :end)"
).bindparams(
    sa.bindparam("id", type_=sa.Uuid),
    sa.bindparam("protocol", type_=sa.Uuid),
    sa.bindparam("employee", type_=sa.Uuid),
)


def insert(
    connection: sa.Connection,
    protocol: uuid.UUID,
    employee: uuid.UUID,
    first: _dt.date,
    end: _dt.date | None,
) -> None:
    connection.execute(
        INSERT,
        {
            "id": uuid.uuid4(),
            "protocol": protocol,
            "employee": employee,
            "start": first,
            "end": end,
        },
    )


def test_r2_2_postgres_constraint_refuses_an_overlapping_row(pg: Setting) -> None:
    """Plain SQL, past every repository: the exclusion constraint refuses the overlap
    (SQLSTATE 23P01); touching periods, another employee or another protocol are fine."""
    engine = pg.xs.container.engine()
    with engine.begin() as connection:
        insert(connection, pg.pmo, pg.anna, D(2026, 1, 1), D(2026, 7, 1))
        insert(connection, pg.pmo, pg.anna, D(2026, 7, 1), None)  # [) ranges only touch
        insert(connection, pg.pmo, pg.bram, D(2026, 1, 1), None)
        insert(connection, pg.other, pg.anna, D(2026, 1, 1), None)
    for first, end in (
        (D(2026, 6, 30), D(2026, 7, 2)),
        (D(2025, 1, 1), None),
        (D(2027, 1, 1), None),
    ):
        with engine.begin() as connection, pytest.raises(sa.exc.IntegrityError) as refused:
            insert(connection, pg.pmo, pg.anna, first, end)
        assert sqlstate(refused.value) == EXCLUSION_VIOLATION
    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM trajectories")).scalar_one()
    assert count == 4


def test_r2_2_migration_0010_stops_on_overlapping_trajectories(pg: Setting) -> None:
    """Existing rows that break the rule stop the upgrade with a message naming them; once they
    are resolved the upgrade adds the constraint."""
    engine = create_engine(str(pg.xs.container.engine().url.render_as_string(hide_password=False)))
    migrate.downgrade(engine, "0009")
    ids = []
    with engine.begin() as connection:
        for first, end in ((D(2026, 1, 1), D(2026, 7, 1)), (D(2026, 3, 1), None)):
            ident = uuid.uuid4()
            ids.append(ident)
            connection.execute(
                INSERT,
                {"id": ident, "protocol": pg.pmo, "employee": pg.anna, "start": first, "end": end},
            )
    with pytest.raises(RuntimeError) as stopped:
        migrate.upgrade(engine)
    message = str(stopped.value)
    assert "migration 0010" in message and "R2.2" in message
    assert str(ids[0]) in message and str(ids[1]) in message
    assert migrate.current_revision(engine) != "0010"
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE trajectories SET end_date = :end WHERE id = :id").bindparams(
                sa.bindparam("id", type_=sa.Uuid)
            ),
            {"end": D(2026, 3, 1), "id": ids[0]},
        )
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as connection:
        constraints = connection.execute(
            sa.text("SELECT conname FROM pg_constraint WHERE contype = 'x'")
        ).scalars()
        assert "ex_trajectories_no_overlap" in set(constraints)  # 0012 adds another
    engine.dispose()
