"""Authorisation on every use case (R0.6), table-driven, on memory, SQLite and PostgreSQL.

Every public method of every service (found by introspection, :mod:`tests.usecases`) is tried

(a) by an actor holding every feature but the ones that grant it, scoped like the actor that
    succeeds: refused with ``access.not_authorised``;
(b) by an actor holding the feature, scoped to employer A, on B's entities — each entity the
    command names in turn, then all of them: refused (queries may instead answer as for an unknown
    id), with exactly the answer an unknown id of the same kind gets (class, code, details keys,
    kind), naming no id of B that the caller did not give;
(c) by an unknown actor (a random id and the nil UUID): refused with ``access.unknown_actor``;

and every refusal leaves the store exactly as it was (every row of every table and the outbox on
SQL, every collection of the memory store). Then the positive control: the actor holding the
feature (each alternative, for queries) succeeds, a query changes nothing, and no answer names an
entity of B.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.apps import make_app
from tests.usecases import (
    NIL,
    TABLE,
    Side,
    UseCase,
    World,
    changed,
    command_for,
    fingerprint,
    invoke,
    make_world,
    use_cases,
)
from xs_adapters.clock import FixedClock
from xs_app import bootstrap
from xs_app.services.command import Command
from xs_core.errors import DomainError, NotAllowed


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def world(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[World]:
    xs = make_app(request, clock, request.param)
    yield make_world(xs)
    xs.close()


def test_r0_6_every_public_service_method_has_a_table_entry(clock: FixedClock) -> None:
    xs = bootstrap(storage="memory", clock=clock)
    found = use_cases(xs)
    assert len(found) > 70  # the introspection finds the services and their methods
    assert sorted(set(found) - set(TABLE)) == [], "use cases without a table entry"
    assert sorted(set(TABLE) - set(found)) == [], "table entries of no use case"


# -- helpers --------------------------------------------------------------------------------------


def _outcome(w: World, name: str, cmd: Command) -> tuple[str, Any]:
    try:
        return ("value", invoke(w.xs, name, cmd))
    except DomainError as error:
        return ("error", error)


def _refused(w: World, name: str, cmd: Command) -> DomainError:
    kind, value = _outcome(w, name, cmd)
    if kind == "value":
        raise AssertionError(f"not refused: {cmd!r} answered {value!r}")
    assert isinstance(value, DomainError)
    return value


def _shape(error: DomainError) -> tuple[type, str, list[str], object]:
    return (type(error), error.code, sorted(error.details), error.details.get("kind"))


def _unchanged(w: World, before: dict[str, Any], what: str) -> None:
    after = fingerprint(w.xs)
    if after != before:
        raise AssertionError(f"{what} changed {changed(before, after)}")


def _leaks(w: World, value: object, given: Command) -> list[str]:
    """The ids of B's entities that ``value`` mentions although the command did not name them."""
    text, named = repr(value), repr(given)
    return sorted(i for i in w.b.ids() if i in text and i not in named)


def _refusal_scope(case: UseCase) -> str:
    # a non-super-administrator never has the whole organisation in scope
    return "folder" if case.scope == "everything" else case.scope


def _check_refusals(w: World, name: str, case: UseCase, before: dict[str, Any]) -> None:
    # (a) every feature but the ones that grant it, the right scope
    lacking = w.actor(case.without(), _refusal_scope(case))
    error = _refused(w, name, command_for(case, w, w.a, lacking))
    assert (type(error), error.code) == (NotAllowed, "access.not_authorised"), repr(error)
    _unchanged(w, before, "(a)")

    # (c) unknown actors: a random id and the nil UUID
    for unknown in (uuid.uuid4(), NIL):
        error = _refused(w, name, command_for(case, w, w.a, unknown))
        assert (type(error), error.code) == (NotAllowed, "access.unknown_actor"), repr(error)
        _unchanged(w, before, f"(c) {unknown}")

    # (b) B's entities, one name at a time and all at once, against unknown ids
    recorder = w.a
    case.build(w, recorder)
    names = [n for n in recorder.read if n not in case.filters]
    groups = [[n] for n in names] + ([names] if len(names) > 1 else [])
    holder = w.actor(case.features[:1], _refusal_scope(case))
    unknown_side = w.a.unknown()
    for group in groups:
        cmd_b = command_for(case, w, w.a.mixed(w.b, group), holder)
        cmd_u = command_for(case, w, w.a.mixed(unknown_side, group), holder)
        out_b, out_u = _outcome(w, name, cmd_b), _outcome(w, name, cmd_u)
        _unchanged(w, before, f"(b) {group}")
        label = f"(b) {group}"
        if not case.query:
            assert out_b[0] == "error", f"{label}: not refused, answered {out_b[1]!r}"
        assert out_b[0] == out_u[0], f"{label}: B answered {out_b[1]!r}, unknown {out_u[1]!r}"
        if out_b[0] == "error":
            assert _shape(out_b[1]) == _shape(out_u[1]), (
                f"{label}: B answered {out_b[1]!r}, unknown {out_u[1]!r}"
            )
        else:
            assert out_b[1] == out_u[1], f"{label}: B answered {out_b[1]!r}, unknown {out_u[1]!r}"
        assert _leaks(w, out_b[1].details if out_b[0] == "error" else out_b[1], cmd_b) == [], (
            f"{label}: the answer {out_b[1]!r} names B's entities"
        )


def _check_positive(w: World, name: str, case: UseCase) -> None:
    alternatives = case.features if case.query else case.features[:1]
    for feature in alternatives:
        actor = w.actor({feature}, case.scope)
        cmd = command_for(case, w, w.a, actor)
        before = fingerprint(w.xs) if case.query else None
        try:
            result = invoke(w.xs, name, cmd)
        except DomainError as error:
            raise AssertionError(f"positive control with {feature.value} refused: {error!r}")
        if before is not None:
            _unchanged(w, before, "a query")
        assert _leaks(w, result, cmd) == [], f"{feature.value}: {result!r} names B's entities"


def _actors(w: World, case: UseCase) -> None:
    """Make the users a case acts as, before the store's fingerprint is taken."""
    w.actor(case.without(), _refusal_scope(case))
    w.actor(case.features[:1], _refusal_scope(case))
    for feature in case.features:
        w.actor({feature}, case.scope)


def _run_table(w: World) -> list[str]:
    failures: list[str] = []
    names = use_cases(w.xs)
    for name in names:
        if name in TABLE:
            _actors(w, TABLE[name])
    before = fingerprint(w.xs)
    for name in names:
        try:
            _check_refusals(w, name, TABLE[name], before)
        except (AssertionError, KeyError) as error:
            failures.append(f"{name}: {error}")
            before = fingerprint(w.xs)  # report each case's own failure, not its aftermath
    for name in names:
        try:
            _check_positive(w, name, TABLE[name])
        except (AssertionError, KeyError) as error:
            failures.append(f"{name} (positive): {error}")
    return failures


def test_r0_6_every_use_case_refuses_the_unauthorised_and_changes_nothing(world: World) -> None:
    failures = _run_table(world)
    assert failures == [], "\n".join(failures)


def test_side_records_what_a_builder_names(world: World) -> None:
    """The swaps of (b) rely on the recording side: a builder's names are recorded once, in
    order, and a mixed side takes exactly the swapped names from the other side."""
    side = world.a
    TABLE["employments.end_employment"].build(world, side)
    assert side.read == ["employee", "employment"]
    mixed = world.a.mixed(world.b, ["employment"])
    assert (mixed.employee, mixed.employment) == (
        world.sides["A"]["employee"],
        world.sides["B"]["employment"],
    )
    assert isinstance(world.a.unknown(), Side)
