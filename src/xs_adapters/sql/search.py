"""Set-based advanced search over the search index (R1.3).

The ranking of :mod:`xs_core.organisation.search` is evaluated class by class — code matches,
name prefixes, name substrings — each an ordered, limited query on an index, so that the first
page never needs every match. Name substrings use a trigram index: FTS5 (trigram tokenizer) on
SQLite, ``pg_trgm`` on PostgreSQL. A scoped search chooses by estimated cost between walking
the name index in result order (stopping after a page of matches inside the scope), ranking the
term's trigram candidates that lie in the scope, and ranking the scope's own rows.
"""

from __future__ import annotations

import functools
import threading
import time
import weakref
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.util import ClauseAdapter

from xs_adapters.sql.organisation import dossier_ids
from xs_adapters.sql.planner import planner
from xs_adapters.sql.tables import dossiers, employers
from xs_adapters.sql.tables import search_entries as e
from xs_adapters.sql.tables import search_entry_scopes as s
from xs_core import limits
from xs_core.access.model import ResolvedScope
from xs_core.organisation.search import SEARCHABLE_KINDS, SearchHit, SearchQuery
from xs_core.organisation.units import UnitKind

#: The plans of a scoped search (R1.3), chosen per search by :class:`SearchCosts`.
SCOPE_FIRST, WALK, CANDIDATES = "scope", "walk", "candidates"
SCOPED_PLANS = (SCOPE_FIRST, WALK, CANDIDATES)


@attrs.frozen
class SearchCosts:
    """Estimated cost (microseconds) of each scoped plan, per row it visits: rough constants
    from per-term timings of each plan — SQLite at 100,000 employees by the process's CPU;
    PostgreSQL fitted at 1,000,000 employees to the 40 benchmark terms of the folder, ten-folder
    and half-organisation searchers, every plan forced (3 December 2026, wall time) — decision
    D-search-cost in docs/decisions.md."""

    #: walking the name index in result order: per entry walked (substring and scope checked)
    walk_row: float
    #: the term's trigram candidates (FTS5 / pg_trgm), each fetched, checked and sorted
    candidate: float
    candidate_fixed: float
    #: ranking the scope's own rows: per scope row, and per match inside it (distinct, sort)
    scope_row: float
    scope_match: float

    @classmethod
    def for_dialect(cls, name: str) -> SearchCosts:
        if name == "sqlite":
            return cls(
                walk_row=0.18, candidate=8.0, candidate_fixed=200, scope_row=0.3, scope_match=1.5
            )
        return cls(
            walk_row=0.1, candidate=12.0, candidate_fixed=8_000, scope_row=0.3, scope_match=3.0
        )


@attrs.frozen
class SearchTuning:
    """Thresholds that choose a query plan; results are the same whichever plan runs."""

    #: A scoped search's plan: ``None`` chooses by estimated cost; one of
    #: :data:`SCOPED_PLANS` forces it (tests run every plan against the reference).
    scoped_plan: str | None = None
    #: How many names in index order a first, bounded walk reads (unlimited scope): a common
    #: term fills its page there (0 skips the walk).
    walk_window: int = 2_000
    #: A term with at most this many trigram candidates (FTS5 on SQLite, pg_trgm on
    #: PostgreSQL) is ranked from them; a more common one by an ordered walk of the name index
    #: (unlimited scope).
    trigram_candidates: int = 20_000
    #: Entries sampled (the newest, by id) to estimate how common a term is.
    sample: int = 2_000
    #: A scope of at most this many scope rows (estimated) is ranked whole without estimating
    #: the other plans: a few milliseconds at most.
    small_scope_rows: int = 5_000

    @classmethod
    def for_dialect(cls, name: str) -> SearchTuning:
        """Measured defaults (``benchmarks/search.py``): SQLite asks FTS5 first, PostgreSQL
        walks the first names before the trigram index and walks the whole name index for a
        term with more than 5,000 trigram candidates."""
        if name == "sqlite":
            return cls(walk_window=0, trigram_candidates=20_000)
        return cls(walk_window=2_000, trigram_candidates=5_000)


#: A unit kind by its stored value (a dictionary lookup, not an enum call per row).
_KINDS = {kind.value: kind for kind in UnitKind}

_TOP = "\U0010ffff"


def _after_prefix(term: str) -> str:
    """The least text greater than every text starting with ``term``: the upper bound of a
    prefix range on a binary (code point) order — SQLite, and PostgreSQL's ``COLLATE "C"``.
    ``term`` + U+10FFFF is not one: a name holding U+10FFFF just after the term lies above it
    and would be no prefix match (R1.3). The last character that is not U+10FFFF is raised by
    one (skipping the surrogates, which no stored text holds); a term of U+10FFFF alone is
    bounded by more of them than any stored text holds (``limits.SEARCH_KEY``)."""
    stem = term.rstrip(_TOP)
    if not stem:
        return _TOP * (len(term) + limits.SEARCH_KEY + 1)
    last = ord(stem[-1]) + 1
    return stem[:-1] + chr(0xE000 if 0xD800 <= last <= 0xDFFF else last)


#: PostgreSQL: a scoped page is read by one process. With the scope probe a hashed subplan the
#: planner may estimate a walk dear enough to start parallel workers (a Gather Merge), whose
#: start-up costs more than the walk (R1.3: ``i d``, ten-folder user, 18 → 54 ms).
_SERIAL = {"max_parallel_workers_per_gather": "0"}

#: How long a database's size estimates are reused (seconds): they only choose a plan, and a
#: plan's results do not depend on them (D-search-cost).
ESTIMATES_SECONDS = 30.0


@attrs.define
class _Estimates:
    """A database's size estimates for the cost-based choice, shared by its connections: the
    table sizes, and the number of employers in a set of folders."""

    tables: tuple[float, float, float, float] | None = None
    tables_at: float = 0.0
    folders: dict[frozenset[Any], tuple[float, float]] = attrs.Factory(dict)

    def fresh_tables(self, now: float) -> tuple[float, float, float, float] | None:
        return self.tables if now - self.tables_at < ESTIMATES_SECONDS else None

    def fresh_folders(self, folders: frozenset[Any], now: float) -> float | None:
        found = self.folders.get(folders)
        return found[1] if found is not None and now - found[0] < ESTIMATES_SECONDS else None

    def remember_folders(self, folders: frozenset[Any], now: float, count: float) -> None:
        if len(self.folders) >= 1_024:
            self.folders.clear()
        self.folders[folders] = (now, count)


_ESTIMATES: weakref.WeakKeyDictionary[Engine, _Estimates] = weakref.WeakKeyDictionary()
_ESTIMATES_LOCK = threading.Lock()


def _estimates_of(engine: Engine) -> _Estimates:
    with _ESTIMATES_LOCK:
        found = _ESTIMATES.get(engine)
        if found is None:
            found = _ESTIMATES[engine] = _Estimates()
        return found


#: Separators mapped to digits for the PostgreSQL trigram index (migration 0007): pg_trgm builds
#: trigrams per word, and digits keep a word together. The same mapping, as SQL, must match the
#: index expression literally for the planner to use the index.
_SEPARATORS, _SEPARATOR_DIGITS = " -'.", "0123"
_JOIN_WORDS = str.maketrans(_SEPARATORS, _SEPARATOR_DIGITS)


def _joined_name(column: Any = e.c.name_norm) -> sa.ColumnElement[str]:
    return sa.func.translate(
        column,
        sa.literal_column("' -''.'"),
        sa.literal_column(f"'{_SEPARATOR_DIGITS}'"),
    )


def _has_trigram(term: str) -> bool:
    """True when the term, its separators mapped to digits, holds a run of three letters or
    digits: only then can the trigram index narrow the search (``öz`` gives none)."""
    run = 0
    for char in term.translate(_JOIN_WORDS):
        run = run + 1 if char.isalnum() else 0
        if run >= 3:
            return True
    return False


@attrs.frozen
class _Row:
    """A ranked entry as the page needs it."""

    entry: Any
    rank: int

    @property
    def kind(self) -> str:
        return str(self.entry.kind)

    @property
    def unit_id(self) -> Any:
        return self.entry.unit_id

    @property
    def name(self) -> str:
        return str(self.entry.name)

    @property
    def code(self) -> str | None:
        code: str | None = self.entry.code
        return code

    @property
    def dossier_id(self) -> Any:
        return self.entry.dossier_id


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _ids_in(column: Any, name: str, sqlite: bool) -> sa.ColumnElement[bool]:
    """``column`` in the ids bound as ``name`` (see :meth:`SqlOrganisationSearch._in`)."""
    if sqlite:
        return column.in_(sa.bindparam(name, type_=sa.String, expanding=True))  # type: ignore[no-any-return]
    return column == sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(sa.Uuid)))  # type: ignore[no-any-return]


@functools.cache
def _scope_first_statement(
    sqlite: bool, parts: tuple[bool, bool, bool], every_kind: bool = False
) -> sa.Select[Any]:
    """The scope-first ranking (R1.3) with its values as named parameters — ``term``,
    ``term_top``, ``pattern``, ``kinds`` (unless ``every_kind``: every searchable kind is
    asked, and every entry has one of them, so the condition is left out — a test per scope
    row saved), ``page_rows``, ``skip`` and the scope's ``folders``, ``employers`` and
    ``departments`` (those ``parts`` says it has) — built once per dialect, kind of scope and
    ``every_kind``: building and caching the statement cost more than running it."""
    term = sa.bindparam("term", type_=sa.String)
    top = sa.bindparam("term_top", type_=sa.String)
    code_prefix = sa.and_(s.c.code_norm >= term, s.c.code_norm < top)
    rank = sa.case(
        (s.c.code_norm == term, 0),
        (code_prefix, 1),
        (sa.and_(s.c.name_norm >= term, s.c.name_norm < top), 2),
        else_=3,
    ).label("rank")
    conditions = [
        sa.or_(
            code_prefix,
            s.c.name_norm.like(sa.bindparam("pattern", type_=sa.String), escape="\\"),
        ),
    ]
    if not every_kind:
        conditions.insert(0, s.c.kind.in_(sa.bindparam("kinds", type_=sa.String, expanding=True)))
    has_folders, has_employers, has_departments = parts
    # PostgreSQL: inside whole employers, their own rows only. An employee has a row per
    # employer without a department, and one more per department of that employment, which
    # only repeats it here (search_documents.employee_document); a department has only its row
    # with its department. The employer index holds exactly these rows (a partial index,
    # migration 0024), so the scan reads none of the repeating rows; the condition is written
    # literally, as the index states it, so that a generic plan of the prepared statement can
    # use the index too. SQLite would visit the table for it and keeps every row.
    own_rows: list[sa.ColumnElement[bool]] = (
        []
        if sqlite
        else [
            sa.or_(
                s.c.department_id.is_(None),
                s.c.kind == sa.literal_column(f"'{UnitKind.DEPARTMENT.value}'", sa.String),
            )
        ]
    )
    scope_parts: list[sa.ColumnElement[bool]] = []
    if has_folders:
        scope_parts.append(
            sa.and_(
                s.c.employer_id.in_(
                    sa.select(employers.c.id).where(
                        _ids_in(employers.c.folder_id, "folders", sqlite)
                    )
                ),
                *own_rows,
            )
        )
    if has_employers:
        scope_parts.append(sa.and_(_ids_in(s.c.employer_id, "employers", sqlite), *own_rows))
    if has_departments:
        scope_parts.append(_ids_in(s.c.department_id, "departments", sqlite))
    columns = [rank, s.c.name_norm, s.c.kind_order, s.c.unit_id, s.c.entry_id]
    selects = [sa.select(*columns).where(part, *conditions) for part in scope_parts]
    rows_of_page = sa.bindparam("page_rows", type_=sa.Integer)
    skip = sa.bindparam("skip", type_=sa.Integer)
    page: sa.Subquery
    if len(selects) == 1:
        # DISTINCT on the very columns of the order: one sort that removes the duplicates as
        # it goes and stops after the page (Unique under Limit), not a hash of every match
        # followed by a second, top-N sort — an entry is one (kind, unit), so the entry id
        # behind the unit id orders nothing and keeps the order total
        page = (
            selects[0]
            .distinct()
            .order_by(*columns)
            .limit(rows_of_page)
            .offset(skip)
            .subquery("page")
        )
    else:
        found = sa.union(*selects).subquery("found")
        page = (
            sa.select(found)
            .order_by(found.c.rank, found.c.name_norm, found.c.kind_order, found.c.unit_id)
            .limit(rows_of_page)
            .offset(skip)
            .subquery("page")
        )
    # the page's names, codes and dossiers in the same statement: only the page's own entries
    # are joined (the entries before the offset are ranked, never read)
    d = dossiers
    return (
        sa.select(
            page.c.rank, e.c.kind, e.c.unit_id, e.c.name, e.c.code, d.c.id.label("dossier_id")
        )
        .select_from(
            page.join(e, e.c.id == page.c.entry_id).outerjoin(
                d, sa.and_(d.c.unit_kind == e.c.kind, d.c.unit_id == e.c.unit_id)
            )
        )
        .order_by(page.c.rank, page.c.name_norm, page.c.kind_order, page.c.unit_id)
    )


class SqlOrganisationSearch:
    def __init__(self, connection: Connection, tuning: SearchTuning | None = None) -> None:
        self._c = connection
        self._sqlite = connection.dialect.name == "sqlite"
        self._tuning = tuning or SearchTuning.for_dialect(connection.dialect.name)
        self._costs = SearchCosts.for_dialect(connection.dialect.name)
        self._hex: dict[frozenset[Any], Any] = {}

    # -- conditions ---------------------------------------------------------------------------

    # Each condition reads the columns of ``rows``: the entries, or the scope rows that carry
    # the same ranking columns.

    def _prefix(self, column: Any, term: str) -> sa.ColumnElement[bool]:
        """``column`` starts with ``term``. PostgreSQL: a ``LIKE 'term%'``, which on a
        ``COLLATE "C"`` column the planner turns into the index range *and* estimates from the
        column's statistics — a range up to ``term`` + U+10FFFF was estimated at a few dozen
        rows whatever the prefix (``ste``: 44 against 9,505), so a common prefix inside a
        large scope was fetched whole and sorted instead of walked in name order (R1.3).
        SQLite: the range (its ``LIKE`` ignores case and no index serves it)."""
        if self._sqlite:
            return sa.and_(column >= term, column < _after_prefix(term))
        return column.like(f"{_escape_like(term)}%", escape="\\")  # type: ignore[no-any-return]

    def _code_prefix(self, term: str, rows: sa.Table = e) -> sa.ColumnElement[bool]:
        return self._prefix(rows.c.code_norm, term)

    def _name_prefix(self, term: str, rows: sa.Table = e) -> sa.ColumnElement[bool]:
        return self._prefix(rows.c.name_norm, term)

    @staticmethod
    def _substring(term: str, rows: sa.Table = e) -> sa.ColumnElement[bool]:
        return rows.c.name_norm.like(f"%{_escape_like(term)}%", escape="\\")

    @staticmethod
    def _joined_substring(term: str, rows: sa.Table = e) -> sa.ColumnElement[bool]:
        """PostgreSQL: the trigram-indexed form of :meth:`_substring` (separators as digits)."""
        return _joined_name(rows.c.name_norm).like(
            f"%{_escape_like(term.translate(_JOIN_WORDS))}%", escape="\\"
        )

    def _scope_filter(self, scope: ResolvedScope) -> sa.ColumnElement[bool]:
        """A scope row lies in the scope: the condition of the per-entry scope probes. On
        PostgreSQL a folder's ``employer_id IN (SELECT …)`` standing alone would be pulled up
        into a join that looks each scope row's employer up (a nested loop per probe); inside
        an ``OR`` it stays a subplan that hashes the folders' employers once per statement
        (``hashed SubPlan``: 50 → 33 ms for the ten-folder user's 7,189 candidates of
        ``mül`` at 1M)."""
        parts = self._scope_parts(scope)
        if not self._sqlite and scope.folder_ids and len(parts) == 1:
            parts.append(sa.literal_column("false", sa.Boolean))
        return sa.or_(*parts)

    def search(self, query: SearchQuery, scope: ResolvedScope) -> list[SearchHit]:
        if scope.is_empty or not query.kinds:
            return []
        needed = query.offset + query.page_size
        page: list[Any]
        plan: str | None = None
        if not scope.everything:
            plan = self._tuning.scoped_plan or self._choose(query, scope, needed)
        if plan == SCOPE_FIRST:
            # the statement skips the offset itself: the page's rows alone, whatever the page
            page = self._scope_first(query, scope)
        else:
            rows = self._by_rank_class(query, scope, needed, plan)
            page = rows[query.offset : query.offset + query.page_size]
        # rows read with their names (_Row) carry their dossier; the others' are read in one
        # statement
        kinds = [_KINDS[r.kind] for r in page]
        others = [
            (k, r.unit_id) for k, r in zip(kinds, page, strict=True) if not isinstance(r, _Row)
        ]
        found = dossier_ids(self._c, others) if others else {}
        return [
            SearchHit(
                kind=k,
                id=r.unit_id,
                name=r.name,
                code=r.code,
                rank=int(r.rank),
                employer_id=None,
                dossier_id=r.dossier_id if isinstance(r, _Row) else found.get((k, r.unit_id)),
            )
            for k, r in zip(kinds, page, strict=True)
        ]

    def _columns(self, rank: sa.ColumnElement[int]) -> list[Any]:
        return [e.c.kind, e.c.unit_id, e.c.name, e.c.code, rank.label("rank")]

    def _order(self, rank: sa.ColumnElement[int]) -> list[Any]:
        return [rank, e.c.name_norm, e.c.kind_order, e.c.unit_id]

    def _in(self, column: Any, ids: frozenset[Any]) -> sa.ColumnElement[bool]:
        """``column`` in a set of ids: on PostgreSQL one ``uuid[]`` parameter (a constant
        array the planner hashes; its text form cast to ``uuid[]`` is not folded, and every
        probe would parse it again)."""
        if self._sqlite:
            return column.in_(self._sqlite_ids(ids))  # type: ignore[no-any-return]
        return column == sa.any_(  # type: ignore[no-any-return]
            sa.bindparam(None, list(ids), type_=postgresql.ARRAY(sa.Uuid))
        )

    def _id_values(self, ids: frozenset[Any]) -> Any:
        """A set of ids as a bound value of :func:`_scope_first_statement`: as stored (hex
        text, converted once per scope) on SQLite, a list for a ``uuid[]`` on PostgreSQL."""
        if self._sqlite:
            return self._sqlite_ids(ids).value
        return list(ids)

    def _sqlite_ids(self, ids: frozenset[Any]) -> Any:
        """The ids as stored (hex text), converted once per scope, not once per statement."""
        found = self._hex.get(ids)
        if found is None:
            if len(self._hex) >= 3:  # a search's folders, employers and departments
                self._hex.clear()
            found = self._hex[ids] = sa.bindparam(
                None, sorted(i.hex for i in ids), type_=sa.String, expanding=True
            )
        return found

    def _folder_employers(self, scope: ResolvedScope) -> sa.Select[Any]:
        """The employers of the scope's folders, read by the statement that filters on them
        (a folder kept as a folder, ``ResolvedScope.folder_ids``)."""
        return sa.select(employers.c.id).where(self._in(employers.c.folder_id, scope.folder_ids))

    def _scope_parts(self, scope: ResolvedScope) -> list[sa.ColumnElement[bool]]:
        parts: list[sa.ColumnElement[bool]] = []
        if scope.folder_ids:
            parts.append(s.c.employer_id.in_(self._folder_employers(scope)))
        if scope.employer_ids:
            parts.append(self._in(s.c.employer_id, scope.employer_ids))
        if scope.department_ids:
            parts.append(self._in(s.c.department_id, scope.department_ids))
        return parts

    # -- the cost-based choice (R1.3) -----------------------------------------------------------

    def _choose(self, query: SearchQuery, scope: ResolvedScope, needed: int) -> str:
        """The cheapest plan for a scoped search, by estimated cost (D-search-cost).

        - *walk*: the name index in result order, each entry's substring and scope checked,
          stopping at a full page: cheap when the term's matches inside the scope are common
          (it reads about ``needed / share of in-scope matches`` entries);
        - *candidates*: the term's trigram candidates (FTS5 / pg_trgm), checked against the
          scope and sorted: cheap for a rare term;
        - *scope first*: the scope's own rows, ranked whole: cheap for a small scope.
        """
        entries, scope_rows, share = self._sizes(scope)
        if share * scope_rows <= self._tuning.small_scope_rows:
            return SCOPE_FIRST
        trigram = _has_trigram(query.term)
        matches = self._estimate_matches(query.term, trigram, entries)
        in_scope = max(matches * share, 0.5)
        costs = self._costs
        estimates = {
            WALK: costs.walk_row * min(entries, 5 * needed * entries / in_scope),
            SCOPE_FIRST: costs.scope_row * share * scope_rows + costs.scope_match * in_scope,
        }
        if trigram:
            estimates[CANDIDATES] = costs.candidate_fixed + costs.candidate * matches
        return min(estimates, key=lambda plan: estimates[plan])

    def _sizes(self, scope: ResolvedScope) -> tuple[float, float, float]:
        """The number of entries and of scope rows, and the share of the organisation the
        scope covers (its employers among all employers, its departments among all): from
        the largest row id on SQLite and the planner's statistics on PostgreSQL, so that no
        table is counted; reused for :data:`ESTIMATES_SECONDS` by every connection to the
        database (one statement fewer per search)."""
        now = time.monotonic()
        estimates = _estimates_of(self._c.engine)
        tables = estimates.fresh_tables(now)
        folded = estimates.fresh_folders(scope.folder_ids, now) if scope.folder_ids else 0.0
        if tables is None or folded is None:
            in_folders: Any = sa.literal(0)
            if scope.folder_ids:  # counted by the employer's folder index, in the same statement
                in_folders = (
                    sa.select(sa.func.count())
                    .select_from(employers)
                    .where(self._in(employers.c.folder_id, scope.folder_ids))
                    .scalar_subquery()
                )
            if self._sqlite:
                row = self._c.execute(
                    sa.select(
                        sa.literal_column("(SELECT max(id) FROM search_entries)"),
                        sa.literal_column("(SELECT max(rowid) FROM search_entry_scopes)"),
                        sa.literal_column("(SELECT count(*) FROM employers)"),
                        sa.literal_column("(SELECT count(*) FROM departments)"),
                        in_folders,
                    )
                ).one()
                found = [float(v or 0) for v in row]
            else:
                found = self._pg_rows(
                    ("search_entries", "search_entry_scopes", "employers", "departments"),
                    in_folders,
                )
            tables = (found[0], found[1], found[2], found[3])
            folded = found[4]
            estimates.tables, estimates.tables_at = tables, now
            if scope.folder_ids:
                estimates.remember_folders(scope.folder_ids, now, folded)
        entries, scope_rows, all_employers, departments = tables
        covered = len(scope.employer_ids) + folded
        share = covered / max(all_employers, 1.0) + len(scope.department_ids) / max(
            departments, 1.0
        )
        return max(entries, 1.0), scope_rows, min(share, 1.0)

    def _pg_rows(self, tables: tuple[str, ...], extra: Any) -> list[float]:
        """PostgreSQL's estimates of the tables' rows and the value of ``extra``, in one
        statement (a table never analysed is counted)."""
        pg_class = sa.table("pg_class", sa.column("reltuples"), sa.column("oid"))
        found = self._c.execute(
            sa.select(
                *(
                    sa.select(pg_class.c.reltuples)
                    .where(pg_class.c.oid == sa.func.to_regclass(table))
                    .scalar_subquery()
                    for table in tables
                ),
                extra,
            )
        ).one()
        rows = []
        for table, estimate in zip(tables, found[: len(tables)], strict=True):
            if estimate is None or float(estimate) < 0:
                estimate = self._c.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            rows.append(float(estimate))
        return [*rows, float(found[-1] or 0)]

    def _estimate_matches(self, term: str, trigram: bool, entries: float) -> float:
        """How many entries contain ``term``: counted by FTS5 on SQLite (up to the cap);
        otherwise from a sample of the newest entries."""
        cap = self._tuning.trigram_candidates
        if self._sqlite and trigram:
            count = int(
                self._c.execute(
                    sa.select(sa.func.count()).select_from(
                        self._fts_ids(term).limit(cap + 1).subquery()
                    )
                ).scalar_one()
            )
            if count <= cap:
                return float(count)
        sample = (
            sa.select(e.c.name_norm).order_by(e.c.id.desc()).limit(self._tuning.sample).subquery()
        )
        hits = self._c.execute(
            sa.select(sa.func.count())
            .select_from(sample)
            .where(sample.c.name_norm.like(f"%{_escape_like(term)}%", escape="\\"))
        ).scalar_one()
        return float(hits) * entries / min(float(self._tuning.sample), entries)

    @staticmethod
    def _fts_ids(term: str) -> sa.Select[Any]:
        """SQLite: the ids of the entries whose name holds ``term`` (FTS5 trigram phrase)."""
        phrase = '"' + term.replace('"', '""') + '"'
        return (
            sa.select(sa.column("rowid", sa.Integer))
            .select_from(sa.table("search_fts"))
            .where(sa.text("search_fts MATCH :phrase").bindparams(phrase=phrase))
        )

    def _scope_first(self, query: SearchQuery, scope: ResolvedScope) -> list[Any]:
        """A small scope: rank its entries directly from the scope rows, which carry the
        ranking columns (one index-only range per employer or department), and read the page's
        names with them. Only the page's rows: the statement skips the entries before it
        (``OFFSET``), and nothing here stands for them — a deep page costs no memory per entry
        skipped (R1.3). The statement is built once per dialect and kind of scope
        (:func:`_scope_first_statement`); a search only binds its values."""
        term = query.term
        parts = (bool(scope.folder_ids), bool(scope.employer_ids), bool(scope.department_ids))
        every_kind = query.kinds >= SEARCHABLE_KINDS
        values: dict[str, Any] = {
            "term": term,
            "term_top": _after_prefix(term),
            "pattern": f"%{_escape_like(term)}%",
            "page_rows": query.page_size,
            "skip": query.offset,
        }
        if not every_kind:
            values["kinds"] = [k.value for k in query.kinds]
        for name, ids in (
            ("folders", scope.folder_ids),
            ("employers", scope.employer_ids),
            ("departments", scope.department_ids),
        ):
            if ids:
                values[name] = self._id_values(ids)
        statement = _scope_first_statement(self._sqlite, parts, every_kind)
        return [_Row(r, int(r.rank)) for r in self._c.execute(statement, values)]

    def _with_names(self, ranked: list[tuple[int, int]], skip: int = 0) -> list[Any]:
        """The ranked entries (ids with their rank, in order) with their names, codes and
        dossiers, in one statement. The first ``skip`` lie before the page (its offset): they
        only hold their place (``None``), so a deep page reads the names of its own entries —
        at most a page — not of every entry ranked before it."""
        if not ranked:
            return []
        skip = min(skip, len(ranked))
        d = dossiers
        names = {
            r.id: r
            for r in self._c.execute(
                sa.select(
                    e.c.id, e.c.kind, e.c.unit_id, e.c.name, e.c.code, d.c.id.label("dossier_id")
                )
                .select_from(
                    e.outerjoin(d, sa.and_(d.c.unit_kind == e.c.kind, d.c.unit_id == e.c.unit_id))
                )
                .where(e.c.id.in_([entry_id for entry_id, _ in ranked[skip:]]))
            )
        }
        return [None] * skip + [_Row(names[entry_id], rank) for entry_id, rank in ranked[skip:]]

    def _substring_class(
        self,
        term: str,
        filters: list[sa.ColumnElement[bool]],
        not_code_prefix: sa.ColumnElement[bool],
        needed: int,
    ) -> list[Any]:
        """Rank 3 for an unlimited scope: names containing the term (not as a prefix), in name
        order.

        1. A bounded walk of the first names in index order: a common term fills its page here.
        2. Otherwise the trigram index finds the matches (FTS5 on SQLite, a ``pg_trgm`` bitmap
           on PostgreSQL), which are sorted — matches may cluster anywhere in name order.
        3. A term too short for trigrams (or with very many FTS5 candidates on SQLite) walks
           the whole name index in order until a page is full.
        """
        rank = sa.literal_column("3", sa.Integer)
        conditions = [
            self._substring(term),
            sa.not_(self._name_prefix(term)),
            not_code_prefix,
            *filters,
        ]
        if self._tuning.walk_window > 0:
            bounded = self._window_rows(rank, conditions, needed)
            if len(bounded) == needed:
                return bounded
        if _has_trigram(term):
            if self._sqlite:
                fts = self._fts_ids(term)
                cap = self._tuning.trigram_candidates
                count = self._c.execute(
                    sa.select(sa.func.count()).select_from(fts.limit(cap + 1).subquery())
                ).scalar_one()
                if int(count) <= cap:
                    return self._class_rows(rank, [e.c.id.in_(fts), *conditions], needed)
            else:
                joined = self._joined_substring(term)
                with planner(self._c, enable_indexscan="off", enable_seqscan="off"):
                    # a common term is found sooner by the ordered walk below than by
                    # fetching and sorting all its matches
                    cap = self._tuning.trigram_candidates
                    if self._count_up_to(joined, cap) <= cap:
                        return self._class_rows(rank, [joined, *conditions], needed)
        with planner(self._c, enable_bitmapscan="off", enable_seqscan="off"):
            return self._class_rows(rank, conditions, needed)

    def _count_up_to(self, condition: sa.ColumnElement[bool], cap: int) -> int:
        """How many entries meet ``condition``, counted up to ``cap + 1``."""
        limited = sa.select(e.c.id).where(condition).limit(cap + 1).subquery()
        return int(self._c.execute(sa.select(sa.func.count()).select_from(limited)).scalar_one())

    def _window_rows(
        self, rank: sa.ColumnElement[int], conditions: list[sa.ColumnElement[bool]], needed: int
    ) -> list[Any]:
        """The matches among the first names in index order, behind a LIMIT that the planner
        cannot see through."""
        window = (
            sa.select(e)
            .order_by(e.c.name_norm, e.c.kind_order, e.c.unit_id)
            .limit(self._tuning.walk_window)
            .subquery("window")
        )
        adapt = ClauseAdapter(window).traverse
        return list(
            self._c.execute(
                sa.select(
                    window.c.kind,
                    window.c.unit_id,
                    window.c.name,
                    window.c.code,
                    rank.label("rank"),
                )
                .where(*(adapt(c) for c in conditions))
                .order_by(window.c.name_norm, window.c.kind_order, window.c.unit_id)
                .limit(needed)
            )
        )

    def _class_rows(
        self,
        rank: sa.ColumnElement[int],
        conditions: list[sa.ColumnElement[bool]],
        limit: int,
        order_by_rank: bool = False,
    ) -> list[Any]:
        order = self._order(rank) if order_by_rank else self._order(rank)[1:]
        stmt = sa.select(*self._columns(rank)).where(*conditions).order_by(*order).limit(limit)
        return list(self._c.execute(stmt))

    def _scoped_substring_class(
        self,
        term: str,
        conditions: list[sa.ColumnElement[bool]],
        needed: int,
        plan: str,
        skip: int = 0,
    ) -> list[Any]:
        """Rank 3 inside a scope by the chosen plan: the term's trigram candidates (FTS5, or a
        ``pg_trgm`` bitmap), sorted; or the name index walked in order until a page is full.
        A term without trigrams (two letters) is always walked. The first ``skip`` entries lie
        before the page (:meth:`_with_names`)."""
        rank = sa.literal_column("3", sa.Integer)
        if plan == CANDIDATES and _has_trigram(term):
            if self._sqlite:
                return self._class_rows(
                    rank, [e.c.id.in_(self._fts_ids(term)), *conditions], needed
                )
            # The candidates first (a materialised CTE: the trigram bitmap, never a walk of the
            # name index), then each one's scope by an index-only probe — switching index
            # scans off for the whole statement would turn those probes into heap visits.
            candidates = (
                sa.select(e.c.id, e.c.name_norm, e.c.kind_order, e.c.unit_id)
                .where(self._joined_substring(term), *conditions[:-1])
                .cte("candidates")
                .prefix_with("MATERIALIZED")
            )
            in_scope = ClauseAdapter(candidates).traverse(conditions[-1])
            with planner(self._c, enable_seqscan="off", **_SERIAL):
                ids = self._c.execute(
                    sa.select(candidates.c.id)
                    .where(in_scope)
                    .order_by(candidates.c.name_norm, candidates.c.kind_order, candidates.c.unit_id)
                    .limit(needed)
                ).scalars()
                return self._with_names([(entry_id, 3) for entry_id in ids], skip)
        # the walk selects the ids alone: on PostgreSQL an index-only scan (migration 0019)
        with planner(self._c, enable_bitmapscan="off", enable_seqscan="off", **_SERIAL):
            ids = self._c.execute(
                sa.select(e.c.id)
                .where(*conditions)
                .order_by(e.c.name_norm, e.c.kind_order, e.c.unit_id)
                .limit(needed)
            ).scalars()
            return self._with_names([(entry_id, 3) for entry_id in ids], skip)

    def _by_rank_class(
        self, query: SearchQuery, scope: ResolvedScope, needed: int, plan: str | None
    ) -> list[Any]:
        term = query.term
        kinds = e.c.kind.in_([k.value for k in query.kinds])
        scope_cond: sa.ColumnElement[bool] = sa.true()
        if not scope.everything:
            scope_cond = sa.exists(
                sa.select(sa.literal(1)).where(s.c.entry_id == e.c.id, self._scope_filter(scope))
            )
        code_prefix = self._code_prefix(term)
        not_code_prefix = sa.or_(e.c.code_norm.is_(None), sa.not_(code_prefix))

        # Within the name classes the rank is a constant: ordering by name alone lets the
        # engine walk the (name_norm, kind_order, unit_id) index and stop after a page.
        rows: list[Any] = list(
            self._class_rows(
                sa.case((e.c.code_norm == term, 0), else_=1),
                [code_prefix, kinds, scope_cond],
                needed,
                order_by_rank=True,
            )
        )
        if len(rows) < needed:
            rows += self._class_rows(
                sa.literal_column("2", sa.Integer),
                [self._name_prefix(term), not_code_prefix, kinds, scope_cond],
                needed - len(rows),
            )
        if len(rows) < needed:
            if plan is None:
                rows += self._substring_class(term, [kinds], not_code_prefix, needed - len(rows))
            else:
                conditions = [
                    self._substring(term),
                    sa.not_(self._name_prefix(term)),
                    not_code_prefix,
                    kinds,
                    scope_cond,
                ]
                rows += self._scoped_substring_class(
                    term, conditions, needed - len(rows), plan, max(query.offset - len(rows), 0)
                )
        return rows
