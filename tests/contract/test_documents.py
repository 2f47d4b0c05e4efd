"""Contracts of R2.7's ports: the document store (filesystem and memory) and the document and
dialog repositories (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pendulum
import pytest

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_adapters.documents import FilesystemDocumentStore, MemoryDocumentStore
from xs_core.access.model import User
from xs_core.errors import InvalidInput, NotFound
from xs_core.messaging.model import CHUNK, Dialog, Document, DocumentKind, DocumentStore
from xs_core.organisation.model import Dossier, Employer
from xs_core.organisation.units import UnitKind, UnitRef

NOON = pendulum.datetime(2026, 12, 1, 12, tz="Europe/Amsterdam")


class DocumentStoreContract:
    @pytest.fixture
    def store(self) -> DocumentStore:
        raise NotImplementedError

    def test_r2_7_content_is_addressed_by_its_sha256_and_read_back_in_chunks(
        self, store: DocumentStore
    ) -> None:
        data = bytes(range(256)) * 1000  # several chunks
        stored = store.put(iter([data[:1000], data[1000:]]), max_size=len(data))
        assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == len(data)
        chunks = list(store.read(stored.sha256))
        assert b"".join(chunks) == data and max(len(c) for c in chunks) <= CHUNK
        assert store.exists(stored.sha256)
        assert store.put([data], max_size=len(data)) == stored  # the same content once

    def test_r2_7_over_the_size_limit_or_empty_is_refused_and_nothing_kept(
        self, store: DocumentStore
    ) -> None:
        with pytest.raises(InvalidInput) as refused:
            store.put(iter([b"x" * 10, b"y" * 10]), max_size=15)
        assert refused.value.code == "documents.too_large"
        assert not store.exists(hashlib.sha256(b"x" * 10 + b"y" * 10).hexdigest())
        with pytest.raises(InvalidInput) as refused:
            store.put(iter([]), max_size=15)
        assert refused.value.code == "documents.empty"

    def test_r2_7_unknown_content_is_not_found(self, store: DocumentStore) -> None:
        for sha in ("0" * 64, "../../etc/passwd"):
            with pytest.raises(NotFound) as missing:
                list(store.read(sha))
            assert missing.value.code == "documents.content_missing"
            assert not store.exists(sha)


class TestMemoryDocumentStore(DocumentStoreContract):
    @pytest.fixture
    def store(self) -> DocumentStore:
        return MemoryDocumentStore()


class TestFilesystemDocumentStore(DocumentStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[DocumentStore]:
        yield FilesystemDocumentStore(tmp_path / "documents")
        incoming = tmp_path / "documents" / "incoming"
        assert not incoming.exists() or list(incoming.iterdir()) == []  # no leftovers

    def test_r2_7_files_are_written_where_their_digest_says(self, tmp_path: Path) -> None:
        store = FilesystemDocumentStore(tmp_path)
        stored = store.put([b"inhoud"], max_size=100)
        path = tmp_path / stored.sha256[:2] / stored.sha256[2:4] / stored.sha256
        assert path.read_bytes() == b"inhoud"


def _world(uow_factory: UowFactory) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID]:
    with uow_factory() as uow:
        anne, bob = User.create("Anne", "anne@example.nl"), User.create("Bob", "bob@example.nl")
        uow.users.add(anne)
        uow.users.add(bob)
        employer, other = Employer.create("Bakkerij"), Employer.create("Slagerij")
        uow.employers.add(employer)
        uow.employers.add(other)
        dossier = Dossier.open(UnitRef(UnitKind.EMPLOYER, employer.id), NOON.date())
        second = Dossier.open(UnitRef(UnitKind.EMPLOYER, other.id), NOON.date())
        uow.dossiers.add(dossier)
        uow.dossiers.add(second)
        uow.commit()
    return anne.id, bob.id, dossier.id, second.id


def _document(
    kind: DocumentKind, dossier: uuid.UUID | None, by: uuid.UUID, name: str, at: pendulum.DateTime
) -> Document:
    return Document(
        id=uuid.uuid4(),
        kind=kind,
        dossier_id=dossier,
        file_name=name,
        content_type="application/pdf",
        size=3,
        sha256=hashlib.sha256(name.encode()).hexdigest(),
        added_by=by,
        added_at=at,
    )


class RepositoriesContract:
    def test_r2_7_documents_by_dossier_and_the_media_library(self, uow_factory: UowFactory) -> None:
        anne, _, dossier, other = _world(uow_factory)
        first = _document(DocumentKind.UPLOADED, dossier, anne, "a.pdf", NOON)
        second = _document(DocumentKind.LOCAL, dossier, anne, "b.pdf", NOON.add(minutes=1))
        elsewhere = _document(DocumentKind.UPLOADED, other, anne, "c.pdf", NOON)
        media = _document(DocumentKind.MEDIA, None, anne, "folder.pdf", NOON)
        with uow_factory() as uow:
            for document in (second, first, elsewhere, media):
                uow.documents.add(document)
            uow.commit()
        with uow_factory(write=False) as uow:
            assert uow.documents.for_dossier(dossier) == [first, second]
            assert uow.documents.media_library() == [media]
            assert uow.documents.find(elsewhere.id) == elsewhere
            assert uow.documents.find(uuid.uuid4()) is None
            found = uow.documents.find(first.id)
            assert found is not None and found.added_at == NOON

    def test_r2_7_dialogs_keep_their_participants_and_messages_in_order(
        self, uow_factory: UowFactory
    ) -> None:
        anne, bob, dossier, _ = _world(uow_factory)
        attachment = _document(DocumentKind.UPLOADED, dossier, anne, "a.pdf", NOON)
        dialog = Dialog.start(dossier, "Re-integratie", anne, [bob], NOON)
        with uow_factory() as uow:
            uow.documents.add(attachment)
            uow.dialogs.add(dialog)
            uow.commit()
        with uow_factory() as uow:
            locked = uow.dialogs.lock(dialog.id)
            assert locked.participant_ids == {anne, bob} and locked.subject == "Re-integratie"
            sent = [
                locked.message(anne, f"bericht {n}", (attachment.id,) if n == 1 else (), NOON)
                for n in range(3)
            ]
            for message in sent:
                uow.dialogs.add_message(message)
            uow.commit()
        with uow_factory(write=False) as uow:
            assert uow.dialogs.messages(dialog.id) == sent
            assert [d.id for d in uow.dialogs.for_dossier(dossier)] == [dialog.id]
            with pytest.raises(NotFound):
                uow.dialogs.get(uuid.uuid4())


class TestMemoryRepositories(MemoryBackend, RepositoriesContract):
    pass


class TestSqliteRepositories(SqliteBackend, RepositoriesContract):
    pass


@pytest.mark.postgres
class TestPostgresRepositories(PostgresBackend, RepositoriesContract):
    pass
