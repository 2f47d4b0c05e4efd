"""Advanced search (uitgebreid zoeken) and branch search: the rules, not the storage (R1.3, R1.4).

Names match as case- and accent-insensitive substrings; codes match by prefix; an exact code
match ranks first. Ranking, best first:

====  =====================================
rank  meaning
====  =====================================
0     the code equals the term
1     the code starts with the term
2     the name starts with the term
3     the name contains the term
====  =====================================

Within a rank results are ordered by normalised name, then kind (employer, department,
employee), then id. Storage adapters implement the same order set-based; the contract suite
holds them to it.
"""

from __future__ import annotations

import enum
import unicodedata
import uuid

import attrs

from xs_core import limits
from xs_core.errors import DomainError, InvalidInput, register_messages
from xs_core.organisation.model import Branch
from xs_core.organisation.units import UnitKind

register_messages(
    {
        "search.term_too_short": (
            "Geef minstens {minimum} tekens op om te zoeken.",
            "Enter at least {minimum} characters to search.",
        ),
        "search.invalid_page": (
            "Ongeldige pagina: {page} (paginagrootte {page_size}); pagina 1 tot en met "
            "{max_page}, paginagrootte 1 tot en met {max_page_size}.",
            "Invalid page: {page} (page size {page_size}); pages 1 to {max_page}, page size 1 "
            "to {max_page_size}.",
        ),
        "search.page_too_deep": (
            "Pagina {page} van {page_size} valt buiten de eerste {max_results} resultaten; "
            "verfijn de zoekterm.",
            "Page {page} of {page_size} lies beyond the first {max_results} results; refine "
            "the search term.",
        ),
    },
    kind=InvalidInput,
)

MIN_TERM_LENGTH = 2
MAX_PAGE = limits.MAX_PAGE
MAX_PAGE_SIZE = limits.MAX_PAGE_SIZE
MAX_SEARCH_RESULTS = limits.MAX_SEARCH_RESULTS

#: Order of kinds within one rank and name.
KIND_ORDER = {UnitKind.EMPLOYER: 0, UnitKind.DEPARTMENT: 1, UnitKind.EMPLOYEE: 2}
SEARCHABLE_KINDS = frozenset(KIND_ORDER)


def normalise(text: str) -> str:
    """Case- and accent-insensitive form: NFKD without combining marks, case-folded, single spaces.

    >>> normalise("  Çelik-Öztürk  ")
    'celik-ozturk'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def index_name(name: str) -> str:
    """The normalised name a search index holds: at most :data:`~xs_core.limits.SEARCH_KEY`
    characters (R1.3, decision). Normalising can lengthen a name (``ﬁ`` becomes ``fi``), and an
    employee's full name may be longer than the key, so longer names are indexed by their first
    ``SEARCH_KEY`` characters, identically in every storage adapter."""
    return normalise(name)[: limits.SEARCH_KEY]


def search_term(term: str) -> str:
    """A search term as typed (R1.3, R1.4): single-line text of at most
    :data:`~xs_core.limits.SEARCH_TERM` characters without control characters."""
    return limits.single_line(term, "term", limits.SEARCH_TERM)


def normalise_code(code: str | None) -> str | None:
    return None if code is None else code.strip().casefold()


def rank(term: str, name_norm: str, code_norm: str | None) -> int | None:
    """The rank of a unit for a normalised term, ``None`` when it does not match (R1.3)."""
    if code_norm is not None:
        if code_norm == term:
            return 0
        if code_norm.startswith(term):
            return 1
    if name_norm.startswith(term):
        return 2
    if term in name_norm:
        return 3
    return None


class SearchContext(enum.Enum):
    """Where the search was started (R1.3)."""

    ADMINISTRATION = "administration"  # organisatiebeheer
    PORTAL = "portal"  # dossier/werkgever zoeken-widgets and anywhere else


class TargetKind(enum.Enum):
    ADMINISTRATION_PAGE = "administration_page"
    DOSSIER = "dossier"


@attrs.frozen
class Target:
    """Where a search result leads when clicked."""

    kind: TargetKind
    id: uuid.UUID


def result_target(
    context: SearchContext,
    may_manage_organisation: bool,
    unit_kind: UnitKind,
    unit_id: uuid.UUID,
    dossier_id: uuid.UUID | None,
) -> Target | None:
    """R1.3: the administration page from administration for an authorised manager; otherwise
    the unit's dossier if it has one; otherwise no target (shown, but cannot be opened).

    The release note states this for departments; **Decision**: employers and employees follow
    the same rule, so that one result list behaves uniformly.
    """
    if context is SearchContext.ADMINISTRATION and may_manage_organisation:
        return Target(TargetKind.ADMINISTRATION_PAGE, unit_id)
    if dossier_id is not None:
        return Target(TargetKind.DOSSIER, dossier_id)
    return None


@attrs.frozen(kw_only=True)
class SearchQuery:
    """A validated advanced-search request."""

    term: str
    context: SearchContext = SearchContext.PORTAL
    kinds: frozenset[UnitKind] = SEARCHABLE_KINDS
    page: int = 1
    page_size: int = 20

    @classmethod
    def create(
        cls,
        term: str,
        context: SearchContext = SearchContext.PORTAL,
        kinds: frozenset[UnitKind] | None = None,
        page: int = 1,
        page_size: int = 20,
    ) -> SearchQuery:
        normalised = normalise(search_term(term))
        if len(normalised) < MIN_TERM_LENGTH:
            raise DomainError("search.term_too_short", {"rule": "R1.3", "minimum": MIN_TERM_LENGTH})
        if not (_whole(page) and _whole(page_size)) or not (
            1 <= page <= MAX_PAGE and 1 <= page_size <= MAX_PAGE_SIZE
        ):
            raise DomainError(
                "search.invalid_page",
                {
                    "rule": "R1.3",
                    "page": repr(page) if not _whole(page) else page,
                    "page_size": repr(page_size) if not _whole(page_size) else page_size,
                    "max_page": MAX_PAGE,
                    "max_page_size": MAX_PAGE_SIZE,
                },
            )
        if page * page_size > MAX_SEARCH_RESULTS:
            # a deeper page would rank and hold every result before it (R1.3)
            raise DomainError(
                "search.page_too_deep",
                {
                    "rule": "R1.3",
                    "page": page,
                    "page_size": page_size,
                    "max_results": MAX_SEARCH_RESULTS,
                },
            )
        chosen = SEARCHABLE_KINDS if kinds is None else frozenset(kinds) & SEARCHABLE_KINDS
        return cls(term=normalised, context=context, kinds=chosen, page=page, page_size=page_size)

    @property
    def offset(self) -> int:
        """Rows before the page: less than :data:`MAX_SEARCH_RESULTS`."""
        return (self.page - 1) * self.page_size


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@attrs.frozen(kw_only=True)
class SearchHit:
    """One match as a storage adapter returns it, in ranking order."""

    kind: UnitKind
    id: uuid.UUID
    name: str
    code: str | None
    rank: int
    employer_id: uuid.UUID | None
    dossier_id: uuid.UUID | None = None


@attrs.frozen(kw_only=True)
class SearchResult:
    """One result as shown to the searcher, with its target (R1.3)."""

    kind: UnitKind
    id: uuid.UUID
    name: str
    code: str | None
    rank: int
    target: Target | None


def sort_key(
    hit_rank: int, name_norm: str, kind: UnitKind, ident: uuid.UUID
) -> tuple[int, str, int, str]:
    """The total order of search results (R1.3)."""
    return (hit_rank, name_norm, KIND_ORDER[kind], str(ident))


# -- branch search (R1.4) -------------------------------------------------------------------------


def branch_matches(branch: Branch, term: str) -> bool:
    """R1.4: the term is a case- and accent-insensitive substring of name, code, street,
    postcode or city. Postcodes also match without their space (``1234ab`` finds ``1234 AB``).
    """
    wanted = normalise(search_term(term))
    if not wanted:
        return True
    fields = [
        branch.name,
        branch.code or "",
        branch.address.street,
        branch.address.postcode,
        branch.address.city,
    ]
    for field in fields:
        if wanted in normalise(field):
            return True
    postcode = normalise(branch.address.postcode).replace(" ", "")
    return bool(postcode) and wanted.replace(" ", "") in postcode


def search_branches(branches: list[Branch], term: str) -> list[Branch]:
    """Filter an employer's branch overview by a search term (R1.4), ordered by name."""
    term = search_term(term)
    return sorted(
        (b for b in branches if branch_matches(b, term)),
        key=lambda b: (normalise(b.name), str(b.id)),
    )
