"""Hostile and careless input to every command of every service (R0.5).

For every use case of the table (``tests/usecases.py``), hypothesis takes the valid command the
table builds and replaces one or more of its fields — nested values too — by hostile values of the
field's type: extreme and out-of-window dates, naive and far-off instants and times in the
daylight-saving gap, NaN/∞/huge/over-precise decimals, huge and negative integers, long text,
control characters, NUL and lone surrogates, random ids and ids of entities of another kind. The
only outcomes allowed are success or a :class:`~xs_core.errors.DomainError` — never a driver, type
or overflow error — and a refused command changes nothing: every row of every table (the outbox
included) or every collection of the memory store is compared before and after.
"""

from __future__ import annotations

import datetime as _dt
import enum
import types
import typing
import uuid
import zoneinfo
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs
import pendulum
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import POSTGRES_URL, create_database, drop_database
from tests.usecases import TABLE, World, fingerprint, invoke, make_world
from xs_adapters.clock import FixedClock
from xs_app import Xs, bootstrap
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.money import Money

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")

# -- hostile values by type ------------------------------------------------------------------------

_texts = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "Jan\x00sen",
            "a\u0007b",
            "\ud800",  # a lone surrogate: no engine can encode it
            "\u202eRTL",
            "x" * 101,
            "y" * 151,
            "z" * 201,
            "w" * 321,
            "é" * 5000,
            "Robert'); DROP TABLE employees;--",
            "%_\\",
            "\n\t\r",
            "NL004495445B01",
            "1234 AB",
            "jans",
        ]
    ),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=190, max_size=420),
)

_decimals = st.one_of(
    st.sampled_from(
        [
            Decimal("NaN"),
            Decimal("sNaN"),
            Decimal("Infinity"),
            Decimal("-Infinity"),
            Decimal("-0"),
            Decimal("1e30"),
            Decimal("-1e30"),
            Decimal("0.001"),
            Decimal("1E-30"),
            Decimal("999999999999.995"),
            Decimal("1000000000000"),
            Decimal("168.01"),
            Decimal("0"),
        ]
    ),
    st.decimals(allow_nan=True, allow_infinity=True),
)

_ints = st.one_of(
    st.sampled_from([0, -1, 1, 2**31, 2**31 - 1, -(2**31), 2**62, 2**63, 2**64, 10**30]),
    st.integers(),
)

_dates = st.one_of(
    st.sampled_from(
        [
            _dt.date.min,
            _dt.date.max,
            _dt.date(1899, 12, 31),
            _dt.date(1900, 1, 1),
            _dt.date(2199, 12, 31),
            _dt.date(2200, 1, 1),
            _dt.date(2026, 2, 28),
            _dt.date(2024, 2, 29),
        ]
    ),
    st.dates(),
)

_instants = st.one_of(
    st.sampled_from(
        [
            _dt.datetime(2026, 3, 29, 2, 30, tzinfo=AMSTERDAM),  # in the gap
            _dt.datetime(2026, 10, 25, 2, 30, tzinfo=AMSTERDAM),  # the repeated hour, fold 0
            _dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=AMSTERDAM),
            _dt.datetime(2026, 12, 1, 9, 0),  # naive
            _dt.datetime.min.replace(tzinfo=_dt.UTC),
            _dt.datetime.max.replace(tzinfo=_dt.UTC),
            _dt.datetime(1, 1, 1, tzinfo=_dt.timezone(_dt.timedelta(hours=14))),
            _dt.datetime(9999, 12, 31, 23, 59, tzinfo=_dt.timezone(-_dt.timedelta(hours=23))),
            pendulum.datetime(2026, 12, 1, 9, tz="Europe/Amsterdam"),
        ]
    ),
    st.datetimes(timezones=st.one_of(st.none(), st.timezones())),
)

_uuids = st.one_of(st.sampled_from([uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)]), st.uuids())


def _date_ranges() -> st.SearchStrategy[Any]:
    return st.builds(lambda a, b: DateRange(a, b), _dates, st.one_of(st.none(), _dates))


def _money() -> st.SearchStrategy[Any]:
    return _decimals.map(Money)


def _world_ids(world: World) -> st.SearchStrategy[uuid.UUID]:
    """Ids of real entities of any kind (an employee's id where an employer's belongs, …)."""
    ids = [v for side in world.sides.values() for v in side.values() if isinstance(v, uuid.UUID)]
    ids += [world.admin, world.pmo, world.location, world.availability, world.model]
    return st.sampled_from(ids)


def hostile(hint: Any, world: World, depth: int = 0) -> st.SearchStrategy[Any]:
    """Hostile values of the type ``hint`` (building one may itself be refused: a DomainError
    while drawing is a refusal too)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([hostile(a, world, depth) for a in args])
    if hint is type(None):
        return st.none()
    if origin in (frozenset, set):
        if depth >= 2:
            return st.just(frozenset())
        return st.frozensets(hostile(args[0], world, depth + 1), max_size=3)
    if origin is tuple:
        if depth >= 2:
            return st.just(())
        return st.lists(hostile(args[0], world, depth + 1), max_size=3).map(tuple)
    if hint is uuid.UUID:
        return st.one_of(_uuids, _world_ids(world))
    if hint is str:
        return _texts
    if hint is bool:
        return st.booleans()
    if hint is int:
        return _ints
    if hint is Decimal:
        return _decimals
    if hint is _dt.datetime or hint is pendulum.DateTime:
        return _instants
    if hint is _dt.date or hint is pendulum.Date:
        return _dates
    if hint is DateRange:
        return _date_ranges()
    if hint is Money:
        return _money()
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(list(hint))
    if isinstance(hint, type) and attrs.has(hint) and depth < 2:
        hints = typing.get_type_hints(hint)
        fields = {
            f.name: hostile(hints[f.name], world, depth + 1)
            for f in attrs.fields(hint)
            if f.init and f.name in hints
        }
        return st.builds(hint, **fields)
    return st.nothing()


@st.composite
def hostile_command(draw: st.DrawFn, name: str, world: World) -> Any:
    """The table's valid command for ``name`` with one to three fields made hostile."""
    valid = TABLE[name].build(world, world.a)
    cls = type(valid)
    hints = typing.get_type_hints(cls)
    fields = [f for f in attrs.fields(cls) if f.init]
    chosen = draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3, unique=True))
    changes: dict[str, Any] = {}
    for field in chosen:
        strategy = hostile(hints[field.name], world)
        if field.name == "actor":  # mostly act as the world's super administrator
            strategy = st.one_of(st.just(valid.actor), strategy)
        changes[field.name] = draw(strategy)
    return attrs.evolve(valid, **changes)


# -- the worlds ------------------------------------------------------------------------------------

TODAY = _dt.date(2026, 11, 29)


def _server_url(database: str) -> str:
    base, _, _ = POSTGRES_URL.rpartition("/")
    return f"{base}/{database}"


@pytest.fixture(scope="module", params=["memory", "sqlite", "postgres"])
def world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[World]:
    clock = FixedClock.on(TODAY)
    if request.param == "memory":
        xs: Xs = bootstrap(storage="memory", clock=clock)
        yield make_world(xs)
        return
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("hostile") / "xs.sqlite3"
        xs = bootstrap(database_url=f"sqlite:///{path}", clock=clock)
        yield make_world(xs)
        xs.close()
        return
    server: sa.Engine = request.getfixturevalue("postgres_server")
    name = create_database(server, request.getfixturevalue("postgres_template"))
    xs = bootstrap(database_url=_server_url(name), clock=clock, migrate_database=False)
    yield make_world(xs)
    xs.close()
    drop_database(server, name)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_r0_5_hostile_input_is_refused_with_a_code_and_changes_nothing(
    world: World, name: str
) -> None:
    examples = 15 if world.xs.settings.storage == "memory" else 8

    @settings(
        max_examples=examples,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        before = fingerprint(world.xs)
        try:
            command = data.draw(hostile_command(name, world), label="command")
            invoke(world.xs, name, command)
        except DomainError as refusal:
            code = refusal.code
        else:
            return
        after = fingerprint(world.xs)
        assert after == before, f"{code} changed {sorted(_diff(before, after))}"

    check()


def _diff(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
