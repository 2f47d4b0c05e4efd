"""The collections of the in-memory store: rows, secondary indexes and the undo journal (R0.5).

A :class:`Collection` holds rows by primary key. Its :class:`Index`es group the primary keys by
keys derived from each row, and its :class:`Derived` values are computed from each row (a search
entry); both change with the rows. Every write appends ``(collection, key, previous value)`` to
the store's journal, so a rollback replays the journal backwards, rows and indexes alike.

**Invariant: a stored value is never changed in place** (a write replaces the row). Stored
values can therefore be shared between the journal and the rows, and between a collection and
its fork: a fork copies the dictionaries, not the values, and an index bucket is copied on its
first write after the fork.
"""

from __future__ import annotations

from collections.abc import (
    Callable,
    Hashable,
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Set,
    ValuesView,
)
from typing import Any, Final, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Absent:
    """The value of a key a collection does not hold."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()
_NO_KEYS: frozenset[Any] = frozenset()


class Index:
    """A secondary index: the primary keys of a collection's rows, grouped by the keys
    ``keys(row)`` derives from each row (none, one or several)."""

    __slots__ = ("_buckets", "_keys", "_owned")

    def __init__(self, keys: Callable[[Any], Iterable[Hashable]]) -> None:
        self._keys = keys
        self._buckets: dict[Hashable, set[Hashable]] = {}
        #: buckets this copy may change in place; the others may be shared with a fork
        self._owned: set[Hashable] = set()

    def find(self, key: Hashable) -> Set[Any]:
        """The primary keys of the rows under ``key`` (a live view: copy before writing)."""
        return self._buckets.get(key, _NO_KEYS)

    def _bucket(self, key: Hashable) -> set[Hashable]:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = set()
            self._owned.add(key)
        elif key not in self._owned:
            bucket = self._buckets[key] = set(bucket)
            self._owned.add(key)
        return bucket

    def _replace(self, pk: Hashable, old: Any, new: Any) -> None:
        before = () if old is ABSENT else tuple(self._keys(old))
        after = () if new is ABSENT else tuple(self._keys(new))
        if before == after:
            return
        for key in before:
            if key not in after:
                bucket = self._bucket(key)
                bucket.discard(pk)
                if not bucket:
                    del self._buckets[key]
                    self._owned.discard(key)
        for key in after:
            if key not in before:
                self._bucket(key).add(pk)

    def _fork(self) -> Index:
        forked = Index(self._keys)
        forked._buckets = self._buckets.copy()
        self._owned = set()  # every bucket is shared now: both sides copy on write
        return forked


class Derived:
    """A value derived from each row and kept with it (e.g. a unit's search document)."""

    __slots__ = ("_make", "_values")

    def __init__(self, make: Callable[[Any], Any]) -> None:
        self._make = make
        self._values: dict[Hashable, Any] = {}

    def get(self, pk: Hashable) -> Any:
        return self._values.get(pk)

    def values(self) -> ValuesView[Any]:
        return self._values.values()

    def _replace(self, pk: Hashable, old: Any, new: Any) -> None:
        if new is ABSENT:
            self._values.pop(pk, None)
        else:
            self._values[pk] = self._make(new)

    def _fork(self) -> Derived:
        forked = Derived(self._make)
        forked._values = self._values.copy()  # derived values are immutable
        return forked


#: One entry per write: the collection, the key and the value the key had before.
Journal = list[tuple["Collection[Any, Any]", Hashable, Any]]


class Collection(Generic[K, V]):
    """Rows by primary key, with their indexes; every write is journaled for rollback.

    Reads go straight to the rows. Writes go through :meth:`put` and :meth:`delete` only, and
    the values written must not be changed afterwards (see the module docstring).
    """

    __slots__ = ("_derived", "_indexes", "_journal", "_rows")

    def __init__(
        self,
        journal: Journal,
        indexes: dict[str, Index] | None = None,
        derived: dict[str, Derived] | None = None,
    ) -> None:
        self._journal = journal
        self._rows: dict[K, V] = {}
        self._indexes = indexes or {}
        self._derived = derived or {}

    # -- reads ------------------------------------------------------------------------------------

    def __getitem__(self, key: K) -> V:
        return self._rows[key]

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def __iter__(self) -> Iterator[K]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, key: K) -> V | None:
        return self._rows.get(key)

    def keys(self) -> KeysView[K]:
        return self._rows.keys()

    def values(self) -> ValuesView[V]:
        return self._rows.values()

    def items(self) -> ItemsView[K, V]:
        return self._rows.items()

    def find(self, index: str, key: Hashable) -> list[V]:
        """The rows under ``key`` in the index ``index`` (in no particular order)."""
        rows = self._rows
        return [rows[pk] for pk in self._indexes[index].find(key)]

    def find_keys(self, index: str, key: Hashable) -> Set[K]:
        return self._indexes[index].find(key)

    def derived(self, name: str) -> Derived:
        return self._derived[name]

    # -- writes -----------------------------------------------------------------------------------

    def put(self, key: K, value: V) -> None:
        old = self._rows.get(key, ABSENT)
        self._journal.append((self, key, old))
        self._rows[key] = value
        self._reindex(key, old, value)

    def delete(self, key: K) -> None:
        old = self._rows.pop(key, ABSENT)
        if old is not ABSENT:
            self._journal.append((self, key, old))
            self._reindex(key, old, ABSENT)

    def _undo(self, key: K, previous: Any) -> None:
        current = self._rows.get(key, ABSENT)
        if previous is ABSENT:
            del self._rows[key]
        else:
            self._rows[key] = previous
        self._reindex(key, current, previous)

    def _reindex(self, key: K, old: Any, new: Any) -> None:
        for index in self._indexes.values():
            index._replace(key, old, new)
        for derived in self._derived.values():
            derived._replace(key, old, new)

    def _fork(self, journal: Journal) -> Collection[K, V]:
        forked: Collection[K, V] = Collection(
            journal,
            {name: index._fork() for name, index in self._indexes.items()},
            {name: derived._fork() for name, derived in self._derived.items()},
        )
        forked._rows = self._rows.copy()
        return forked
