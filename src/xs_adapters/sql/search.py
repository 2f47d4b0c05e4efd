"""Set-based advanced search over the search index (R1.3).

The ranking of :mod:`xs_core.organisation.search` is evaluated class by class — code matches,
name prefixes, name substrings — each an ordered, limited query on an index, so that the first
page never needs every match. Name substrings use a trigram index: FTS5 (trigram tokenizer) on
SQLite, ``pg_trgm`` on PostgreSQL. A small scope is searched scope-first instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from xs_adapters.sql.organisation import dossier_ids
from xs_adapters.sql.tables import search_entries as e
from xs_adapters.sql.tables import search_entry_scopes as s
from xs_core.access.model import ResolvedScope
from xs_core.organisation.search import SearchHit, SearchQuery
from xs_core.organisation.units import UnitKind


@attrs.frozen
class SearchTuning:
    """Thresholds that choose a query plan; results are the same whichever plan runs."""

    #: Scopes with at most this many index rows are searched scope-first.
    small_scope_rows: int = 20_000
    #: On SQLite, a substring with at most this many trigram candidates is fetched through FTS5.
    rare_term_candidates: int = 5_000


_TOP = "\U0010ffff"


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlOrganisationSearch:
    def __init__(self, connection: Connection, tuning: SearchTuning | None = None) -> None:
        self._c = connection
        self._sqlite = connection.dialect.name == "sqlite"
        self._tuning = tuning or SearchTuning()

    # -- conditions ---------------------------------------------------------------------------

    @staticmethod
    def _code_prefix(term: str) -> sa.ColumnElement[bool]:
        return sa.and_(e.c.code_norm >= term, e.c.code_norm < term + _TOP)

    @staticmethod
    def _name_prefix(term: str) -> sa.ColumnElement[bool]:
        return sa.and_(e.c.name_norm >= term, e.c.name_norm < term + _TOP)

    @staticmethod
    def _substring(term: str) -> sa.ColumnElement[bool]:
        return e.c.name_norm.like(f"%{_escape_like(term)}%", escape="\\")

    def _scope_filter(self, scope: ResolvedScope) -> sa.ColumnElement[bool]:
        conditions: list[sa.ColumnElement[bool]] = []
        if scope.employer_ids:
            conditions.append(s.c.employer_id.in_(sorted(scope.employer_ids)))
        if scope.department_ids:
            conditions.append(s.c.department_id.in_(sorted(scope.department_ids)))
        return sa.or_(*conditions)

    def _rank(self, term: str) -> sa.ColumnElement[int]:
        return sa.case(
            (e.c.code_norm == term, 0),
            (self._code_prefix(term), 1),
            (self._name_prefix(term), 2),
            else_=3,
        )

    # -- search -------------------------------------------------------------------------------

    def search(self, query: SearchQuery, scope: ResolvedScope) -> list[SearchHit]:
        if scope.is_empty or not query.kinds:
            return []
        needed = query.offset + query.page_size
        rows: list[Any]
        if scope.everything:
            rows = self._by_rank_class(query, scope, needed)
        else:
            entry_ids = self._entries_in_scope(scope)
            if len(entry_ids) <= self._tuning.small_scope_rows:
                rows = self._scope_first(query, entry_ids, needed)
            else:
                rows = self._by_rank_class(query, scope, needed)
        page = rows[query.offset : query.offset + query.page_size]
        dossiers = dossier_ids(self._c, [(UnitKind(r.kind), r.unit_id) for r in page])
        return [
            SearchHit(
                kind=UnitKind(r.kind),
                id=r.unit_id,
                name=r.name,
                code=r.code,
                rank=int(r.rank),
                employer_id=None,
                dossier_id=dossiers.get((UnitKind(r.kind), r.unit_id)),
            )
            for r in page
        ]

    def _columns(self, rank: sa.ColumnElement[int]) -> list[Any]:
        return [e.c.kind, e.c.unit_id, e.c.name, e.c.code, rank.label("rank")]

    def _order(self, rank: sa.ColumnElement[int]) -> list[Any]:
        return [rank, e.c.name_norm, e.c.kind_order, e.c.unit_id]

    def _ids_condition(self, ids: list[int]) -> sa.ColumnElement[bool]:
        """``e.id`` in a fetched list: one array parameter on PostgreSQL."""
        if self._sqlite:
            return e.c.id.in_(ids)
        return e.c.id == sa.any_(sa.bindparam("ids", ids, type_=postgresql.ARRAY(sa.Integer)))

    def _entries_in_scope(self, scope: ResolvedScope) -> list[int]:
        """The index entries inside the scope, up to one more than a small scope holds."""
        limited = (
            sa.select(s.c.entry_id)
            .where(self._scope_filter(scope))
            .limit(self._tuning.small_scope_rows + 1)
        )
        return sorted(set(self._c.execute(limited).scalars()))

    def _scope_first(self, query: SearchQuery, entry_ids: list[int], needed: int) -> list[Any]:
        """A small scope: rank its (few) entries directly, driven by their ids."""
        if not entry_ids:
            return []
        term = query.term
        rank = self._rank(term)
        stmt = (
            sa.select(*self._columns(rank))
            .where(
                self._ids_condition(entry_ids),
                e.c.kind.in_([k.value for k in query.kinds]),
                sa.or_(self._code_prefix(term), self._substring(term)),
            )
            .order_by(*self._order(rank))
            .limit(needed)
        )
        return list(self._c.execute(stmt))

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

    def _by_rank_class(self, query: SearchQuery, scope: ResolvedScope, needed: int) -> list[Any]:
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
            not_prefix = [sa.not_(self._name_prefix(term)), not_code_prefix, kinds, scope_cond]
            rare = self._rare_candidates(term)
            substring = self._substring(term)
            if rare is not None:
                # few matches: fetch them by id through the trigram index, then sort
                conditions = [self._ids_condition(rare), substring, *not_prefix]
                rows += self._class_rows(
                    sa.literal_column("3", sa.Integer), conditions, needed - len(rows)
                )
            else:
                # many matches: walk the name index in order and stop after a page
                with self._planner(enable_bitmapscan="off", enable_seqscan="off"):
                    rows += self._class_rows(
                        sa.literal_column("3", sa.Integer),
                        [substring, *not_prefix],
                        needed - len(rows),
                    )
        return rows

    @contextmanager
    def _planner(self, **settings: str) -> Iterator[None]:
        """PostgreSQL: steer the plan of the next statements (``SET LOCAL``), then restore."""
        if self._sqlite:
            yield
            return
        for name, value in settings.items():
            self._c.execute(sa.text(f"SET LOCAL {name} = {value}"))
        try:
            yield
        finally:
            for name in settings:
                self._c.execute(sa.text(f"SET LOCAL {name} = DEFAULT"))

    def _rare_candidates(self, term: str) -> list[int] | None:
        """The entries containing ``term`` when there are few (through the trigram index);
        ``None`` when the term is common and an ordered walk of the name index finds a page
        sooner."""
        cap = self._tuning.rare_term_candidates
        if self._sqlite:
            if len(term) < 3:
                return None
            phrase = '"' + term.replace('"', '""') + '"'
            found = self._c.execute(
                sa.text("SELECT rowid FROM search_fts WHERE search_fts MATCH :q LIMIT :cap"),
                {"q": phrase, "cap": cap + 1},
            ).scalars()
        else:
            with self._planner(enable_seqscan="off", enable_indexscan="off"):
                found = self._c.execute(
                    sa.select(e.c.id).where(self._substring(term)).limit(cap + 1)
                ).scalars()
        ids = list(found)
        return None if len(ids) > cap else ids
