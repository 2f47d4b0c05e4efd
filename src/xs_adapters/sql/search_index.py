"""Writes to the search index tables (R1.3), set-based."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xs_adapters.search_documents import SearchDocument
from xs_adapters.sql.copy import insert_rows, reserve_ids
from xs_adapters.sql.tables import search_entries, search_entry_scopes
from xs_core.organisation.units import UnitKind


def remove(connection: Connection, kind: UnitKind, unit_ids: Sequence[uuid.UUID]) -> None:
    if not unit_ids:
        return
    ids = sa.select(search_entries.c.id).where(
        search_entries.c.kind == kind.value, search_entries.c.unit_id.in_(unit_ids)
    )
    connection.execute(search_entry_scopes.delete().where(search_entry_scopes.c.entry_id.in_(ids)))
    connection.execute(
        search_entries.delete().where(
            search_entries.c.kind == kind.value, search_entries.c.unit_id.in_(unit_ids)
        )
    )


def write(connection: Connection, documents: Sequence[SearchDocument], replace: bool) -> None:
    """Insert (or replace) the entries of ``documents`` in a few statements."""
    if not documents:
        return
    if replace:
        by_kind: dict[UnitKind, list[uuid.UUID]] = {}
        for doc in documents:
            by_kind.setdefault(doc.kind, []).append(doc.unit_id)
        for kind, ids in by_kind.items():
            remove(connection, kind, ids)
    # Ids reserved in one statement, rows streamed in one more per table: no query per row.
    entry_ids = reserve_ids(connection, search_entries, len(documents))
    entries = [
        {
            "id": entry_id,
            "kind": d.kind.value,
            "unit_id": d.unit_id,
            "kind_order": d.kind_order,
            "name": d.name,
            "code": d.code,
            "name_norm": d.name_norm,
            "code_norm": d.code_norm,
        }
        for d, entry_id in zip(documents, entry_ids, strict=True)
    ]
    insert_rows(connection, search_entries, entries)
    insert_rows(
        connection,
        search_entry_scopes,
        [
            {
                "entry_id": entry["id"],
                "employer_id": employer_id,
                "department_id": department_id,
                "kind": entry["kind"],
                "kind_order": entry["kind_order"],
                "unit_id": entry["unit_id"],
                "name_norm": entry["name_norm"],
                "code_norm": entry["code_norm"],
            }
            for d, entry in zip(documents, entries, strict=True)
            for employer_id, department_id in d.places
        ],
    )
