"""Document metadata, dialogs and messages in SQL (R2.7)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xs_adapters.sql.locking import lock_row
from xs_adapters.sql.tables import (
    dialog_messages,
    dialog_participants,
    dialogs,
    documents,
    message_attachments,
)
from xs_core.errors import not_found
from xs_core.events import Aggregate
from xs_core.messaging.model import Dialog, Document, DocumentKind, Message

_d = documents


def _document(row: Any) -> Document:
    return Document(
        id=row.id,
        kind=DocumentKind(row.kind),
        dossier_id=row.dossier_id,
        trajectory_id=row.trajectory_id,
        file_name=row.file_name,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        added_by=row.added_by,
        added_at=row.added_at,
    )


class SqlDocumentRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, document: Document) -> None:
        self._c.execute(
            _d.insert().values(
                id=document.id,
                kind=document.kind.value,
                dossier_id=document.dossier_id,
                trajectory_id=document.trajectory_id,
                file_name=document.file_name,
                content_type=document.content_type,
                size=document.size,
                sha256=document.sha256,
                added_by=document.added_by,
                added_at=document.added_at,
            )
        )

    def find(self, document_id: uuid.UUID) -> Document | None:
        row = self._c.execute(sa.select(_d).where(_d.c.id == document_id)).first()
        return None if row is None else _document(row)

    def for_dossier(self, dossier_id: uuid.UUID) -> list[Document]:
        rows = self._c.execute(
            sa.select(_d).where(_d.c.dossier_id == dossier_id).order_by(_d.c.added_at, _d.c.id)
        )
        return [_document(r) for r in rows]

    def media_library(self) -> list[Document]:
        rows = self._c.execute(
            sa.select(_d)
            .where(_d.c.kind == DocumentKind.MEDIA.value)
            .order_by(_d.c.file_name, _d.c.id)
        )
        return [_document(r) for r in rows]


class SqlDialogRepository:
    def __init__(self, connection: Connection, track: Callable[[Aggregate], None]) -> None:
        self._c = connection
        self._track = track

    def add(self, dialog: Dialog) -> None:
        self._c.execute(
            dialogs.insert().values(
                id=dialog.id,
                dossier_id=dialog.dossier_id,
                subject=dialog.subject,
                started_by=dialog.started_by,
                started_at=dialog.started_at,
            )
        )
        self._c.execute(
            dialog_participants.insert(),
            [{"dialog_id": dialog.id, "user_id": u} for u in sorted(dialog.participant_ids)],
        )
        self._track(dialog)

    def _load(self, rows: list[Any]) -> list[Dialog]:
        if not rows:
            return []
        members: dict[uuid.UUID, set[uuid.UUID]] = {r.id: set() for r in rows}
        for dialog_id, user_id in self._c.execute(
            sa.select(dialog_participants.c.dialog_id, dialog_participants.c.user_id).where(
                dialog_participants.c.dialog_id.in_(list(members))
            )
        ):
            members[dialog_id].add(user_id)
        found = []
        for r in rows:
            dialog = Dialog(
                id=r.id,
                dossier_id=r.dossier_id,
                subject=r.subject,
                participant_ids=frozenset(members[r.id]),
                started_by=r.started_by,
                started_at=r.started_at,
            )
            self._track(dialog)
            found.append(dialog)
        return found

    def get(self, dialog_id: uuid.UUID) -> Dialog:
        rows = list(self._c.execute(sa.select(dialogs).where(dialogs.c.id == dialog_id)))
        if not rows:
            raise not_found("dialog", dialog_id)
        return self._load(rows)[0]

    def lock(self, dialog_id: uuid.UUID) -> Dialog:
        if not lock_row(self._c, dialogs, dialog_id):
            raise not_found("dialog", dialog_id)
        return self.get(dialog_id)

    def add_message(self, message: Message) -> None:
        position = self._c.execute(
            sa.select(sa.func.count()).where(dialog_messages.c.dialog_id == message.dialog_id)
        ).scalar_one()
        self._c.execute(
            dialog_messages.insert().values(
                id=message.id,
                position=position,
                dialog_id=message.dialog_id,
                author_id=message.author_id,
                body=message.body,
                sent_at=message.sent_at,
            )
        )
        if message.attachment_ids:
            self._c.execute(
                message_attachments.insert(),
                [
                    {"message_id": message.id, "position": n, "document_id": d}
                    for n, d in enumerate(message.attachment_ids)
                ],
            )

    def messages(self, dialog_id: uuid.UUID) -> list[Message]:
        m, a = dialog_messages, message_attachments
        rows = list(
            self._c.execute(sa.select(m).where(m.c.dialog_id == dialog_id).order_by(m.c.position))
        )
        attached: dict[uuid.UUID, list[uuid.UUID]] = {r.id: [] for r in rows}
        if rows:
            for message_id, document_id in self._c.execute(
                sa.select(a.c.message_id, a.c.document_id)
                .where(a.c.message_id.in_(list(attached)))
                .order_by(a.c.message_id, a.c.position)
            ):
                attached[message_id].append(document_id)
        return [
            Message(
                id=r.id,
                dialog_id=r.dialog_id,
                author_id=r.author_id,
                body=r.body,
                sent_at=r.sent_at,
                attachment_ids=tuple(attached[r.id]),
            )
            for r in rows
        ]

    def for_dossier(self, dossier_id: uuid.UUID) -> list[Dialog]:
        rows = list(
            self._c.execute(
                sa.select(dialogs)
                .where(dialogs.c.dossier_id == dossier_id)
                .order_by(dialogs.c.started_at, dialogs.c.id)
            )
        )
        return self._load(rows)
