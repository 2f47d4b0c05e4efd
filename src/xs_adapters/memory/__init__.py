"""In-memory adapters, held to the same contract tests as the SQL adapters."""

from xs_adapters.memory.store import MemoryStore
from xs_adapters.memory.uow import MemoryUnitOfWork

__all__ = ["MemoryStore", "MemoryUnitOfWork"]
