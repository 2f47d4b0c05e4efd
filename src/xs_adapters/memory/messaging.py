"""Document metadata, dialogs and messages in memory, held to the SQL repositories' contract
(R2.7)."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable

import attrs

from xs_adapters.memory.clone import clone
from xs_adapters.memory.store import MemoryStore
from xs_core.errors import not_found
from xs_core.events import Aggregate
from xs_core.messaging.model import Dialog, Document, DocumentKind, Message


def _utc(at: _dt.datetime) -> _dt.datetime:
    return at.astimezone(_dt.UTC)


class MemoryDocumentRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    def add(self, document: Document) -> None:
        self._s.documents.put(document.id, attrs.evolve(document, added_at=_utc(document.added_at)))

    def find(self, document_id: uuid.UUID) -> Document | None:
        return self._s.documents.get(document_id)

    def for_dossier(self, dossier_id: uuid.UUID) -> list[Document]:
        found = self._s.documents.find("dossier", dossier_id)
        return sorted(found, key=lambda d: (d.added_at, str(d.id)))

    def media_library(self) -> list[Document]:
        found = self._s.documents.find("dossier", None)
        return sorted(
            (d for d in found if d.kind is DocumentKind.MEDIA),
            key=lambda d: (d.file_name, str(d.id)),
        )


class MemoryDialogRepository:
    def __init__(self, store: MemoryStore, track: Callable[[Aggregate], None]) -> None:
        self._s = store
        self._track = track

    def add(self, dialog: Dialog) -> None:
        stored = clone(dialog)
        stored.pending_events = []
        stored.started_at = _utc(stored.started_at)
        self._s.dialogs.put(dialog.id, stored)
        self._track(dialog)

    def get(self, dialog_id: uuid.UUID) -> Dialog:
        found = self._s.dialogs.get(dialog_id)
        if found is None:
            raise not_found("dialog", dialog_id)
        dialog = clone(found)
        dialog.pending_events = []
        self._track(dialog)
        return dialog

    def lock(self, dialog_id: uuid.UUID) -> Dialog:
        return self.get(dialog_id)

    def add_message(self, message: Message) -> None:
        position = len(self._s.dialog_messages.find_keys("dialog", message.dialog_id))
        self._s.dialog_messages.put(
            (message.dialog_id, position), attrs.evolve(message, sent_at=_utc(message.sent_at))
        )

    def messages(self, dialog_id: uuid.UUID) -> list[Message]:
        keys = sorted(self._s.dialog_messages.find_keys("dialog", dialog_id), key=lambda k: k[1])
        return [self._s.dialog_messages[k] for k in keys]

    def for_dossier(self, dossier_id: uuid.UUID) -> list[Dialog]:
        ids = sorted(
            self._s.dialogs.find("dossier", dossier_id), key=lambda d: (d.started_at, str(d.id))
        )
        return [self.get(d.id) for d in ids]
