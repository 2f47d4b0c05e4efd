"""Database errors that mean "another transaction got in the way" (R0.5, docs/concurrency.md).

The services lock in a fixed order, so a deadlock or a lock timeout is not expected; should one
happen all the same, the caller gets a coded :class:`~xs_core.errors.Conflict`
(``storage.conflict``, "try again") instead of a driver error, and the unit of work has rolled
back. Constraint violations are not translated here: each repository maps the constraint it
knows to the domain's own code (e.g. ``trajectory.overlaps`` for the exclusion constraint).
"""

from __future__ import annotations

from xs_core.errors import Conflict, register_messages

register_messages(
    {
        "storage.conflict": (
            "Een andere handeling wijzigde dezelfde gegevens tegelijk; probeer het opnieuw.",
            "Another action changed the same data at the same time; please try again.",
        ),
    },
    kind=Conflict,
)

#: SQLSTATE of an exclusion-constraint violation (PostgreSQL).
EXCLUSION_VIOLATION = "23P01"

#: PostgreSQL SQLSTATEs of a transaction that lost to another one, and what they mean.
TRANSIENT = {
    "40P01": "deadlock",
    "40001": "serialization_failure",
    "55P03": "lock_not_available",
}

#: SQLite's answer when the write lock stayed taken for longer than the busy timeout.
_SQLITE_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a driver error, raw or wrapped by SQLAlchemy; ``None`` otherwise."""
    driver = getattr(error, "orig", None) or error
    state = getattr(driver, "sqlstate", None)
    return state if isinstance(state, str) else None


def transient_conflict(error: BaseException) -> Conflict | None:
    """``storage.conflict`` for a deadlock, serialization failure or lock timeout (PostgreSQL)
    or a busy database (SQLite); ``None`` for any other error."""
    state = sqlstate(error)
    if state in TRANSIENT:
        return Conflict("storage.conflict", {"reason": TRANSIENT[state], "sqlstate": state})
    driver = getattr(error, "orig", None) or error
    if getattr(driver, "sqlite_errorname", None) in _SQLITE_BUSY:
        return Conflict("storage.conflict", {"reason": "busy", "sqlstate": ""})
    return None
