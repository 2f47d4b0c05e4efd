"""In-memory adapters, held to the same contract tests as the SQL adapters."""

from xs_adapters.memory.uow import MemoryStore, MemoryUnitOfWork

__all__ = ["MemoryStore", "MemoryUnitOfWork"]
