"""R0.7: every domain event has a stable name, a version and a payload schema, and
``docs/events.md`` is their catalogue, generated from the event classes.

The schema of a payload is derived from the event's typed attrs fields
(:func:`xs_app.catalogues.payload_schema`). Payloads are checked against it twice: for
hypothesis-built instances of every event class, and for every payload the use cases really
write (the use-case table of ``tests/usecases.py``, every command run once on the memory store).
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
import re
import types
import typing
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.usecases import TABLE, command_for, invoke, make_world, use_cases
from xs_adapters.clock import FixedClock
from xs_app import bootstrap, catalogues
from xs_core.events import DomainEvent

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "events.md"
catalogues.import_all()
EVENTS = catalogues.event_classes()
BY_NAME = {event.name: event for event in EVENTS}

#: The rules of DOMAIN.md (checked by hand against its sections 0–7).
RULES = (
    {f"R0.{n}" for n in range(1, 8)}
    | {f"R1.{n}" for n in range(1, 6)}
    | {f"R2.{n}" for n in range(1, 8)}
    | {f"R3.{n}" for n in range(1, 5)}
    | {f"R4.{n}" for n in range(1, 5)}
    | {f"R5.{n}" for n in range(1, 6)}
    | {f"R6.{n}" for n in range(1, 7)}
    | {"R7.1"}
)

#: Events no use case of the services writes (yet): ``User.revoke`` has no service.
NOT_WRITTEN_BY_A_USE_CASE = {
    "UserAuthorisationRevoked",
    # written when a start supersedes an older unfinished run of its policies: the world has
    # none (tests/integration/test_policy_evaluation_scopes.py writes it)
    "PolicyEvaluationSuperseded",
}


def test_r0_7_the_catalogue_page_is_generated_from_the_event_classes() -> None:
    assert PAGE.read_text(encoding="utf-8") == catalogues.events_page(), (
        "docs/events.md is out of date: run `python -m xs_app.catalogues`"
    )


def test_r0_7_every_event_class_in_the_source_is_in_the_catalogue() -> None:
    """Found independently of the generator: by reading the source."""
    declared = set()
    for path in (ROOT / "src").rglob("*.py"):
        declared |= set(re.findall(r"^class (\w+)\(DomainEvent\):", path.read_text(), re.M))
    assert len(declared) > 40
    assert declared == {event.__name__ for event in EVENTS}
    page = PAGE.read_text(encoding="utf-8")
    for name in declared:
        assert f"\n### {name}\n" in page, name


def test_r0_7_names_are_class_names_unique_past_tense_and_versioned() -> None:
    names = [event.name for event in EVENTS]
    assert len(names) == len(set(names))
    for event in EVENTS:
        assert event.name == event.__name__
        assert re.search(r"(ed|Made|Sent)(?=[A-Z]|$)", event.name), f"{event.name}: not past tense"
        assert isinstance(event.version, int) and event.version >= 1, event.name
    assert BY_NAME["TrajectoryStarted"].version == 2  # kind and employment_id, end_date
    assert BY_NAME["DossierOpened"].version == 2  # unit_kind and unit_id
    assert BY_NAME["InvoiceBasisGenerated"].version == 2  # the period as two dates


def test_r0_7_the_former_names_are_no_longer_written() -> None:
    for old, new in catalogues.RENAMED:
        assert old.split()[0] not in BY_NAME or "DepartmentChanged" in old, old
        for name in re.findall(r"`(\w+)`", new):
            assert name in BY_NAME or name in ("status", "change"), name


def test_r0_7_every_event_names_its_rules_and_when_it_is_written() -> None:
    for event in EVENTS:
        rules, text = catalogues.event_doc(event)
        assert set(rules) <= RULES, event.name
        assert len(text) > 20, event.name


def test_r0_7_every_event_carries_the_ids_it_concerns_and_typed_fields() -> None:
    for event in EVENTS:
        schema = catalogues.payload_schema(event)  # a TypeError for an untyped field
        ids = [name for name in schema["properties"] if name.endswith("_id")]
        assert ids, f"{event.name} names no aggregate"
    trajectory = catalogues.payload_schema(BY_NAME["TrajectoryStarted"])["properties"]
    assert trajectory["kind"] == {"type": "string", "enum": ["sickness", "pmo", "other"]}
    assert trajectory["end_date"] == {
        "anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]
    }


def test_r0_7_the_schema_check_finds_what_is_wrong() -> None:
    schema = catalogues.payload_schema(BY_NAME["TrajectoryClosed"])
    ident = str(uuid.uuid4())
    good = {"trajectory_id": ident, "protocol_id": ident, "employee_id": ident}
    assert list(catalogues.violations({**good, "end_date": "2026-01-31"}, schema)) == []
    assert list(catalogues.violations({**good, "end_date": ident}, schema)) == [
        f"payload.end_date: {ident!r} is not a date"
    ]
    assert list(catalogues.violations(good, schema)) == [
        "payload: keys ['employee_id', 'protocol_id', 'trajectory_id'] are not "
        "['employee_id', 'end_date', 'protocol_id', 'trajectory_id']"
    ]
    planned = catalogues.payload_schema(BY_NAME["AvailabilityPlanned"])["properties"]["start"]
    assert list(catalogues.violations("2026-07-20T09:00:00+02:00", planned)) == []
    assert list(catalogues.violations("2026-07-20T09:00:00", planned))  # no offset
    amount = catalogues.payload_schema(BY_NAME["SubscriptionCreated"])["properties"]["amount"]
    assert list(catalogues.violations("12.50", amount)) == []
    assert list(catalogues.violations(12.5, amount)) and list(catalogues.violations("NaN", amount))


# -- hypothesis-built events ------------------------------------------------------------------


def sample(tp: Any) -> st.SearchStrategy[Any]:
    """Values of a payload field's type, as the domain makes them (aware instants, finite
    amounts)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([sample(arg) for arg in typing.get_args(tp)])
    if origin is tuple:
        return st.lists(sample(typing.get_args(tp)[0]), max_size=3).map(tuple)
    if tp is type(None):
        return st.none()
    if tp is _dt.datetime:
        zones = st.sampled_from([_dt.UTC, ZoneInfo("Europe/Amsterdam")])
        return st.datetimes(timezones=zones)
    if tp is Decimal:
        return st.decimals(allow_nan=False, allow_infinity=False, places=2)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(tp)
    if attrs.has(tp):
        return builds(tp)
    return st.from_type(tp)


def builds(cls: type) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    return st.builds(cls, **{f.name: sample(hints[f.name]) for f in attrs.fields(cls)})


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.name)
@settings(max_examples=30)  # per event class; 51 classes
@given(data=st.data())
def test_r0_7_every_payload_matches_its_schema(
    event: type[DomainEvent], data: st.DataObject
) -> None:
    instance = data.draw(builds(event))
    payload = instance.payload()
    assert json.loads(json.dumps(payload)) == payload  # plain JSON
    assert list(catalogues.violations(payload, catalogues.payload_schema(event))) == []


# -- the payloads the use cases write ---------------------------------------------------------


def written_by_the_use_cases(clock: FixedClock) -> Iterator[tuple[str, int, dict[str, Any]]]:
    xs = bootstrap(storage="memory", clock=clock)
    world = make_world(xs)
    for name in use_cases(xs):
        if not TABLE[name].query:
            invoke(xs, name, command_for(TABLE[name], world, world.a, world.admin))  # type: ignore[arg-type]
    for message in xs.outbox.pending(10_000):
        yield message.name, message.version, message.payload


def test_r0_7_every_payload_the_use_cases_write_matches_its_schema(clock: FixedClock) -> None:
    seen = set()
    for name, version, payload in written_by_the_use_cases(clock):
        assert name in BY_NAME, f"{name} is not in the catalogue"
        event = BY_NAME[name]
        assert version == event.version, name
        problems = list(catalogues.violations(payload, catalogues.payload_schema(event)))
        assert problems == [], f"{name}: {problems}"
        seen.add(name)
    assert seen == set(BY_NAME) - NOT_WRITTEN_BY_A_USE_CASE
