"""Racing use cases on real concurrent connections (R0.5, ARCHITECTURE "Invariants across rows").

Each racer is a thread that calls a service of one ``bootstrap()``ed application; every call
opens its own unit of work, so every racer has its own connection and its own transaction. The
racers wait at a barrier and then go at once. An outcome is ``"ok"`` (with the value returned),
the code of the :class:`DomainError` raised, or ``"crash: …"`` for anything else — a database
error that reached the caller is a crash, and no test accepts one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import attrs
import pytest

from tests.apps import make_app
from xs_adapters.clock import FixedClock
from xs_app import Xs
from xs_core.errors import DomainError

#: How long a racer may take before the race counts as hung.
TIMEOUT = 60.0


@attrs.frozen
class Outcome:
    code: str
    value: object = None

    @property
    def ok(self) -> bool:
        return self.code == "ok"


def race(*calls: Callable[[], object]) -> list[Outcome]:
    """Run ``calls`` at the same moment, one thread each; their outcomes in the same order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Outcome | None] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait(TIMEOUT)
        try:
            outcomes[index] = Outcome("ok", calls[index]())
        except DomainError as error:
            outcomes[index] = Outcome(error.code, error)
        except Exception as error:  # the assertions name it
            outcomes[index] = Outcome(f"crash: {error!r}", error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert all(not t.is_alive() for t in threads), "a racer hung"
    return [o if o is not None else Outcome("crash: no outcome") for o in outcomes]


def codes(outcomes: list[Outcome]) -> list[str]:
    """The outcomes' codes, sorted: ``["ok", "x.refused", …]`` compares as a multiset."""
    return sorted(o.code for o in outcomes)


def events(xs: Xs, name: str) -> list[dict[str, object]]:
    """The payloads of the pending outbox messages called ``name``."""
    return [m.payload for m in xs.outbox.pending(10_000) if m.name == name]


def sql_app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Xs]:
    """The body of a test module's ``app`` fixture, parametrised over ``ENGINES``: one
    application per engine; each racer gets its own connection from its pool."""
    xs = make_app(request, clock, request.param)
    yield xs
    xs.close()


#: Races run on both SQL engines: PostgreSQL (READ COMMITTED, row locks) and SQLite (one writer).
ENGINES = ["sqlite", "postgres"]
