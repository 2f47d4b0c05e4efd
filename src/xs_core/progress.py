"""Progress of long-running use cases (bulk start, billing runs, nightly evaluation).

One shape for every long-running use case: ``progress(stage, done, total)`` — the stage's name,
what is done so far, and the stage's total when known (``None`` while unknown).
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Told how a long-running use case advances; must not raise."""

    def __call__(self, stage: str, done: int, total: int | None) -> None: ...


def silent(stage: str, done: int, total: int | None) -> None:
    """A :class:`Progress` that ignores every report."""
    return None
