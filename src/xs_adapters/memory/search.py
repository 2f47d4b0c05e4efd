"""Advanced search in the in-memory store: the brute-force reference ranking (R1.3, R0.6).

Every unit's search document is normalised once, when the unit is written (a
:class:`SearchEntry`), and every search looks at every entry of the kinds searched: an entry
matches when :func:`~xs_core.organisation.search.rank` gives it a rank and one of its places
lies in the scope; the matches are ordered by
:func:`~xs_core.organisation.search.sort_key`. This is the ranking the SQL adapter is held to.

So that looking at 100,000 entries stays cheap, :class:`SearchEntries` keeps the entries' names
and codes in one string per collection as well: the entries that contain the term are found by
``str.find`` over that string (plus the few entries written since it was built), and only those
are ranked. A matching name or code always contains the term, so no match is missed.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from xs_adapters.memory.tables import ABSENT, Collection, Derived
from xs_adapters.search_documents import SearchDocument
from xs_core.access.model import ResolvedScope
from xs_core.organisation.search import SearchHit, SearchQuery, rank, sort_key
from xs_core.organisation.units import UnitKind, UnitRef

if TYPE_CHECKING:
    from xs_adapters.memory.store import MemoryStore


@attrs.frozen
class SearchEntry:
    """A unit's search document, normalised once when the unit is written (R1.3).

    ``haystack`` holds the normalised name and code apart: a term that matches either is a
    substring of it. ``order`` is the rest of the unit's
    :func:`~xs_core.organisation.search.sort_key` after the rank, which does not depend on the
    term. ``places`` are the employers and departments of the document's places as
    ``(0, employer.int)`` and ``(1, department.int)`` (R0.6), which hash faster than UUIDs.
    """

    document: SearchDocument
    name_norm: str
    code_norm: str | None
    haystack: str
    order: tuple[str, int, str]
    places: frozenset[tuple[int, int]]

    @classmethod
    def of(cls, document: SearchDocument) -> SearchEntry:
        name, code = document.name_norm, document.code_norm
        _, name_key, kind_key, id_key = sort_key(0, name, document.kind, document.unit_id)
        haystack = name if code is None else f"{name}\n{code}"
        order = (name_key, kind_key, id_key)
        return cls(document, name, code, haystack, order, scope_keys(document.places))


def scope_keys(
    places: Iterable[tuple[uuid.UUID | None, uuid.UUID | None]],
) -> frozenset[tuple[int, int]]:
    """Employers and departments as :attr:`SearchEntry.places` holds them."""
    keys = {(0, employer.int) for employer, _ in places if employer is not None}
    keys |= {(1, department.int) for _, department in places if department is not None}
    return frozenset(keys)


@attrs.frozen
class _Text:
    """Search entries laid out for a scan: their haystacks joined by NUL in one string."""

    text: str
    starts: list[int]  # where each entry's haystack starts, then len(text) + 1
    entries: list[SearchEntry]

    @classmethod
    def of(cls, entries: Iterable[SearchEntry]) -> _Text:
        listed = list(entries)
        lengths = (len(e.haystack) + 1 for e in listed)
        starts = [0, *itertools.accumulate(lengths)]
        return cls("\0".join(e.haystack for e in listed), starts, listed)


class SearchEntries(Derived):
    """Each row's :class:`SearchEntry`, and a scan of them by term (:meth:`containing`).

    The entries live in an immutable :class:`_Text` built at some moment, plus the entries
    written since (``_recent``); an entry replaced since is ``_stale`` (by identity: the text
    keeps its entries alive, so their ids stay theirs). The text is rebuilt by a search once the
    changes since exceed ``slack`` plus an eighth of the entries. A fork shares the text.
    """

    __slots__ = ("_recent", "_slack", "_stale", "_text")

    def __init__(self, make: Callable[[Any], SearchDocument], slack: int = 64) -> None:
        super().__init__(lambda row: SearchEntry.of(make(row)))
        self._slack = slack
        self._text = _Text.of(())
        self._recent: dict[Hashable, SearchEntry] = {}
        self._stale: set[int] = set()

    def _replace(self, pk: Hashable, old: Any, new: Any) -> None:
        previous = self._values.get(pk)
        if previous is not None:
            self._stale.add(id(previous))
            self._recent.pop(pk, None)
        super()._replace(pk, old, new)
        if new is not ABSENT:
            self._recent[pk] = self._values[pk]

    def _compact(self) -> None:
        if len(self._recent) + len(self._stale) > self._slack + len(self._values) // 8:
            self._text = _Text.of(self._values.values())
            self._recent = {}
            self._stale = set()

    def containing(self, term: str) -> Iterator[SearchEntry]:
        """Every entry whose haystack contains ``term``, each once, in no particular order."""
        self._compact()
        text, stale = self._text, self._stale
        find, starts, entries = text.text.find, text.starts, text.entries
        position = find(term)
        while position != -1:
            index = bisect.bisect_right(starts, position) - 1
            entry = entries[index]
            if term in entry.haystack:  # not a stretch across two entries
                if id(entry) not in stale:
                    yield entry
                position = find(term, starts[index + 1])
            else:
                position = find(term, position + 1)
        for entry in self._recent.values():
            if term in entry.haystack:
                yield entry

    def _fork(self) -> SearchEntries:
        self._compact()
        forked = SearchEntries.__new__(SearchEntries)
        forked._make, forked._slack = self._make, self._slack
        forked._values = self._values.copy()
        forked._text = self._text  # immutable: shared
        forked._recent = self._recent.copy()
        forked._stale = self._stale.copy()
        return forked


class MemoryOrganisationSearch:
    """The ranking of R1.3 evaluated by brute force: the reference the SQL adapter must match."""

    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    def _entries(self, kinds: frozenset[UnitKind]) -> list[SearchEntries]:
        collections: dict[UnitKind, Collection[uuid.UUID, Any]] = {
            UnitKind.EMPLOYER: self._s.employers,
            UnitKind.DEPARTMENT: self._s.departments,
            UnitKind.EMPLOYEE: self._s.employees,
        }
        found = []
        for kind, collection in collections.items():
            if kind in kinds:
                entries = collection.derived("search")
                assert isinstance(entries, SearchEntries)
                found.append(entries)
        return found

    def search(self, query: SearchQuery, scope: ResolvedScope) -> list[SearchHit]:
        term, everything = query.term, scope.everything
        # a unit is in scope when one of its places has an employer or a department of the scope
        employers = set(scope.employer_ids)
        for folder in scope.folder_ids:  # a folder kept as a folder covers its employers
            employers |= self._s.employers.find_keys("folder", folder)
        in_scope = scope_keys(
            [(e, None) for e in employers] + [(None, d) for d in scope.department_ids]
        )
        matches: list[tuple[tuple[int, tuple[str, int, str]], SearchEntry]] = []
        for entries in self._entries(query.kinds):
            for entry in entries.containing(term):  # a matching name or code contains the term
                found = rank(term, entry.name_norm, entry.code_norm)
                if found is None:
                    continue
                if not everything and entry.places.isdisjoint(in_scope):
                    continue  # no place of the unit lies in the scope (R0.6)
                # (rank, order) sorts as sort_key(rank, name_norm, kind, id); no two are equal
                matches.append(((found, entry.order), entry))
        best = heapq.nsmallest(query.offset + query.page_size, matches)
        hits = []
        for (found, _), entry in best[query.offset :]:
            doc = entry.document
            dossiers = self._s.dossiers.find_keys("unit", UnitRef(doc.kind, doc.unit_id))
            hits.append(
                SearchHit(
                    kind=doc.kind,
                    id=doc.unit_id,
                    name=doc.name,
                    code=doc.code,
                    rank=found,
                    employer_id=None,
                    dossier_id=min(dossiers, key=str) if dossiers else None,
                )
            )
        return hits
