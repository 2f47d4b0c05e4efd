"""Every state change writes its event (R0.7), on memory, SQLite and PostgreSQL.

The state-changing use cases are the table's commands (:mod:`tests.usecases`, derived from every
public service method). Each, refused (an unknown id, or failing validation where it names no
scoped entity), writes nothing at all; each, succeeding, writes at least one event to the outbox
in its own transaction — the events the table names for it, one event class per fact.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.apps import make_app
from tests.usecases import (
    TABLE,
    World,
    changed,
    command_for,
    fingerprint,
    invoke,
    make_world,
    outbox_size,
    use_cases,
)
from xs_adapters.clock import FixedClock
from xs_app import bootstrap
from xs_app.services.billing import DiscardInvoiceBasis
from xs_core.errors import DomainError


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def world(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[World]:
    xs = make_app(request, clock, request.param)
    yield make_world(xs)
    xs.close()


def commands(names: list[str]) -> list[str]:
    return [name for name in names if not TABLE[name].query]


def test_r0_7_the_table_knows_the_commands(clock: FixedClock) -> None:
    names = use_cases(bootstrap(storage="memory", clock=clock))
    assert set(names) == set(TABLE)  # no use case escapes the event check
    assert 40 < len(commands(names)) < len(names)
    for name in names:  # a command names its events, a query none
        assert bool(TABLE[name].events) == (not TABLE[name].query), name


def _refusal(w: World, name: str) -> object:
    """A command of this use case that is refused: its own invalid one, or unknown ids."""
    case = TABLE[name]
    if case.invalid is not None:
        return case.invalid(w, w.a)
    recorder = w.a
    case.build(w, recorder)
    assert recorder.read, f"{name}: names no scoped entity; give it an invalid command"
    return command_for(case, w, w.a.unknown(), w.admin)


def test_r0_7_every_state_change_writes_its_event(world: World) -> None:
    w, failures = world, []
    names = commands(use_cases(w.xs))
    before = fingerprint(w.xs)
    for name in names:
        cmd = _refusal(w, name)
        try:
            invoke(w.xs, name, cmd)  # type: ignore[arg-type]
            failures.append(f"{name}: {cmd!r} was not refused")
        except DomainError:
            pass
        after = fingerprint(w.xs)
        if after != before:
            failures.append(f"{name}: the refused {cmd!r} changed {changed(before, after)}")
            before = after
    for name in names:
        written = outbox_size(w.xs)
        try:
            invoke(w.xs, name, command_for(TABLE[name], w, w.a, w.admin))
        except DomainError as error:
            failures.append(f"{name}: the valid command was refused: {error!r}")
            continue
        new = w.xs.outbox.pending(10_000)[written:]
        if not new:
            failures.append(f"{name}: changed the state without an event")
        elif sorted({m.name for m in new}) != sorted(TABLE[name].events):
            failures.append(f"{name}: wrote {[m.name for m in new]}, not {TABLE[name].events}")
    assert failures == [], "\n".join(failures)


def test_r0_7_the_outbox_has_the_last_word_on_a_discarded_basis(world: World) -> None:
    w = world
    basis = w.sides["A"]["discard_basis"]
    w.xs.billing.discard(DiscardInvoiceBasis(actor=w.admin, basis_id=basis))
    about = [
        m.payload
        for m in w.xs.outbox.pending(10_000)
        if m.payload.get("invoice_basis_id") == str(basis)
    ]
    names = [
        m.name
        for m in w.xs.outbox.pending(10_000)
        if m.payload.get("invoice_basis_id") == str(basis)
    ]
    assert len(about) >= 2  # generated, then discarded
    assert names[-1] == "InvoiceBasisDiscarded"
