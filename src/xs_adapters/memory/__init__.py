"""In-memory adapters, held to the same contract tests as the SQL adapters.

For test suites: :func:`fork` gives an independent copy of a store's committed state, cheaply
(see ``docs/embedding.md``); ``store.snapshot()`` and ``store.restore(snapshot)`` reset a store.
"""

from xs_adapters.memory.store import MemoryStore
from xs_adapters.memory.uow import MemoryUnitOfWork


def fork(store: MemoryStore) -> MemoryStore:
    """An independent store holding ``store``'s committed state (its dictionaries are copied,
    the stored values shared: they are never changed in place)."""
    return store.fork()


__all__ = ["MemoryStore", "MemoryUnitOfWork", "fork"]
