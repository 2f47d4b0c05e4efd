"""Set-based advanced search over the search index (R1.3).

The ranking of :mod:`xs_core.organisation.search` is evaluated class by class — code matches,
name prefixes, name substrings — each an ordered, limited query on an index, so that the first
page never needs every match. Name substrings use a trigram index: FTS5 (trigram tokenizer) on
SQLite, ``pg_trgm`` on PostgreSQL. A small scope is searched scope-first instead.
"""

from __future__ import annotations

from typing import Any

import attrs
import sqlalchemy as sa
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
        if not scope.everything and self._scope_is_small(scope):
            rows = self._scope_first(query, scope, needed)
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

    def _scope_is_small(self, scope: ResolvedScope) -> bool:
        limited = (
            sa.select(sa.literal(1))
            .where(self._scope_filter(scope))
            .limit(self._tuning.small_scope_rows + 1)
        )
        count = self._c.execute(sa.select(sa.func.count()).select_from(limited.subquery()))
        return int(count.scalar_one()) <= self._tuning.small_scope_rows

    def _scope_first(self, query: SearchQuery, scope: ResolvedScope, needed: int) -> list[Any]:
        term = query.term
        rank = self._rank(term)
        in_scope = sa.select(s.c.entry_id).where(self._scope_filter(scope))
        stmt = (
            sa.select(*self._columns(rank))
            .where(
                e.c.id.in_(in_scope),
                e.c.kind.in_([k.value for k in query.kinds]),
                sa.or_(self._code_prefix(term), self._substring(term)),
            )
            .order_by(*self._order(rank))
            .limit(needed)
        )
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
        classes: list[tuple[sa.ColumnElement[int], sa.ColumnElement[bool], bool]] = [
            (sa.case((e.c.code_norm == term, 0), else_=1), code_prefix, True),
            (
                sa.literal_column("2", sa.Integer),
                sa.and_(self._name_prefix(term), not_code_prefix),
                False,
            ),
            (
                sa.literal_column("3", sa.Integer),
                sa.and_(
                    self._substring_candidates(term),
                    sa.not_(self._name_prefix(term)),
                    not_code_prefix,
                ),
                False,
            ),
        ]
        rows: list[Any] = []
        for rank, condition, order_by_rank in classes:
            remaining = needed - len(rows)
            if remaining <= 0:
                break
            order = self._order(rank) if order_by_rank else self._order(rank)[1:]
            stmt = (
                sa.select(*self._columns(rank))
                .where(condition, kinds, scope_cond)
                .order_by(*order)
                .limit(remaining)
            )
            rows.extend(self._c.execute(stmt))
        return rows

    def _substring_candidates(self, term: str) -> sa.ColumnElement[bool]:
        """The substring condition; on SQLite, through FTS5 when the term is rare."""
        condition = self._substring(term)
        if not self._sqlite or len(term) < 3:
            return condition
        phrase = '"' + term.replace('"', '""') + '"'
        candidates = self._c.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH :q "
                "LIMIT :cap)"
            ),
            {"q": phrase, "cap": self._tuning.rare_term_candidates + 1},
        ).scalar_one()
        if int(candidates) > self._tuning.rare_term_candidates:
            return condition
        fts = sa.text("SELECT rowid FROM search_fts WHERE search_fts MATCH :q").bindparams(q=phrase)
        return sa.and_(e.c.id.in_(fts.columns(sa.column("rowid", sa.Integer))), condition)
