"""Dossier documents and secure messaging through the services (R2.7, R0.5, R0.6), on memory,
SQLite (with the filesystem document store) and PostgreSQL."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import xs
from tests.apps import user_with
from tests.usecases import World, make_world
from xs_adapters.clock import FixedClock
from xs_adapters.documents import FilesystemDocumentStore
from xs_core.access.features import Feature
from xs_core.errors import DomainError, InvalidInput, NotFound
from xs_core.organisation.units import UnitKind, UnitRef


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, clock: FixedClock, tmp_path: Path) -> Iterator[World]:
    settings = xs.DocumentSettings(max_size=1000)
    if request.param == "memory":
        app = xs.bootstrap(storage="memory", clock=clock, document_settings=settings)
    else:
        app = xs.bootstrap(
            request.getfixturevalue(f"{request.param}_url"),
            clock=clock,
            migrate_database=True,
            document_store=FilesystemDocumentStore(tmp_path / "documents"),
            document_settings=settings,
        )
    yield make_world(app)
    app.close()


def _file(name: str = "verslag.pdf", content: bytes = b"%PDF-1.7 inhoud") -> xs.Upload:
    return xs.Upload(file_name=name, content_type="application/pdf", content=content)


def _counts(w: World) -> tuple[int, int]:
    pending = w.xs.outbox.pending(10_000, subscription="test")
    return len(pending), sum(1 for m in pending if m.name == "DocumentAdded")


def test_r2_7_the_picker_lists_all_uploaded_documents_of_the_dossier_by_kind(w: World) -> None:
    a, b = w.a, w.b
    messaging = w.xs.messaging
    more = [
        messaging.upload_document(
            xs.UploadDocument(actor=w.admin, dossier_id=a.dossier, file=_file(f"upload-{n}.pdf"))
        )
        for n in range(3)
    ]
    media = messaging.add_media_file(xs.AddMediaFile(actor=w.admin, file=_file("folder.pdf")))
    picker = messaging.attachable(xs.ListAttachable(actor=w.admin, dossier_id=a.dossier))
    assert {d.id for d in picker.uploaded} == {a.uploaded_document, *more}  # all of them
    assert [d.id for d in picker.trajectory] == [a.trajectory_document]
    assert [d.id for d in picker.media_library] == [media]
    assert b.uploaded_document not in {d.id for d in picker.uploaded}


@pytest.fixture
def w(world: World) -> World:
    return world


def test_r2_7_a_message_takes_every_kind_of_attachment(w: World) -> None:
    a = w.a
    messaging = w.xs.messaging
    media = messaging.add_media_file(xs.AddMediaFile(actor=w.admin, file=_file("folder.pdf")))
    message = messaging.send_message(
        xs.SendMessage(
            actor=w.admin,
            dialog_id=a.dialog,
            body="Zie de bijlagen.",
            attachment_ids=(a.trajectory_document, a.uploaded_document, media),
            uploads=(_file("lokaal.pdf", b"lokaal bestand"),),
        )
    )
    view = messaging.dialog(xs.GetDialog(actor=w.admin, dialog_id=a.dialog))
    (sent,) = view.messages
    assert sent.id == message and sent.body == "Zie de bijlagen."
    kinds = [view.documents[d].kind for d in sent.attachment_ids]
    assert kinds == [
        xs.DocumentKind.TRAJECTORY,
        xs.DocumentKind.UPLOADED,
        xs.DocumentKind.MEDIA,
        xs.DocumentKind.LOCAL,
    ]
    local = view.documents[sent.attachment_ids[-1]]
    content = messaging.read_document(xs.ReadDocument(actor=w.admin, document_id=local.id))
    assert content.read() == b"lokaal bestand" and local.dossier_id == view.dialog.dossier_id


@pytest.mark.parametrize("other", ["uploaded_document", "trajectory_document", "unknown"])
def test_r2_7_a_document_of_another_dossier_is_never_attached(w: World, other: str) -> None:
    ident = uuid.uuid4() if other == "unknown" else getattr(w.b, other)
    before = _counts(w)
    with pytest.raises(NotFound) as refused:
        w.xs.messaging.send_message(
            xs.SendMessage(
                actor=w.admin,
                dialog_id=w.a.dialog,
                body="Bijlage",
                attachment_ids=(w.a.uploaded_document, ident),
                uploads=(_file("lokaal.pdf"),),
            )
        )
    assert refused.value.code == "messaging.document_not_attachable"
    assert refused.value.details == {"document_id": str(ident)}  # alike for every id
    assert _counts(w) == before
    view = w.xs.messaging.dialog(xs.GetDialog(actor=w.admin, dialog_id=w.a.dialog))
    assert view.messages == ()


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (_file(""), "documents.invalid_file_name"),
        (_file("   "), "documents.invalid_file_name"),
        (_file("map/verslag.pdf"), "documents.invalid_file_name"),
        (_file("..\\verslag.pdf"), "documents.invalid_file_name"),
        (_file(".."), "documents.invalid_file_name"),
        (_file("a\x00b.pdf"), "input.control_character"),
        (_file("x" * 256), "input.too_long"),
        (_file("groot.pdf", b"x" * 1001), "documents.too_large"),
        (_file("leeg.pdf", b""), "documents.empty"),
        (
            xs.Upload(file_name="a.pdf", content_type="geen type", content=b"x"),
            "documents.invalid_content_type",
        ),
    ],
)
def test_r2_7_bad_files_are_refused_and_nothing_is_written(
    w: World, upload: xs.Upload, code: str
) -> None:
    before = _counts(w)
    with pytest.raises(InvalidInput) as refused:
        w.xs.messaging.upload_document(
            xs.UploadDocument(actor=w.admin, dossier_id=w.a.dossier, file=upload)
        )
    assert refused.value.code == code
    with pytest.raises(InvalidInput):
        w.xs.messaging.send_message(
            xs.SendMessage(actor=w.admin, dialog_id=w.a.dialog, body="x", uploads=(upload,))
        )
    assert _counts(w) == before


@pytest.mark.parametrize(
    ("body", "uploads", "code"),
    [
        ("a\x00b", 1, "input.control_character"),
        ("x" * 10_001, 1, "input.too_long"),
        ("", 21, "messaging.too_many_attachments"),
        ("later upload badly named", -1, "documents.invalid_file_name"),
    ],
)
def test_r2_7_a_refused_message_leaves_no_uploaded_content_behind(
    w: World, body: str, uploads: int, code: str
) -> None:
    """Everything that can refuse a message — its text, the number of attachments, every
    upload's name and type — is checked before any file is stored (R2.7, R0.5): the local files
    of a refused message leave no content in the document store."""
    contents = [f"inhoud {code} {n}".encode() for n in range(max(uploads, 2))]
    files = tuple(_file(f"lokaal-{n}.pdf", content) for n, content in enumerate(contents))
    if uploads < 0:  # the second upload's name is refused, after the first one's was fine
        files = (files[0], _file("map/verslag.pdf", contents[1]))
    before = _counts(w)
    with pytest.raises(InvalidInput) as refused:
        w.xs.messaging.send_message(
            xs.SendMessage(actor=w.admin, dialog_id=w.a.dialog, body=body, uploads=files)
        )
    assert refused.value.code == code
    assert _counts(w) == before
    store = w.xs.container.document_store()
    assert [store.exists(hashlib.sha256(c).hexdigest()) for c in contents] == [False] * len(
        contents
    )


def test_r2_7_the_size_limit_holds_exactly(w: World) -> None:
    ident = w.xs.messaging.upload_document(
        xs.UploadDocument(actor=w.admin, dossier_id=w.a.dossier, file=_file("a.pdf", b"x" * 1000))
    )
    document = w.xs.messaging.read_document(xs.ReadDocument(actor=w.admin, document_id=ident))
    assert document.document.size == 1000 and len(document.read()) == 1000


def test_r0_6_documents_and_dialogs_are_read_only_inside_the_scope(w: World) -> None:
    reader = user_with(
        w.xs,
        w.admin,
        "lezer@example.nl",
        frozenset({Feature.USE_SECURE_MESSAGING}),
        frozenset({UnitRef(UnitKind.EMPLOYER, w.a.employer)}),
    )
    messaging = w.xs.messaging
    assert messaging.read_document(
        xs.ReadDocument(actor=reader, document_id=w.a.uploaded_document)
    ).read()
    for attempt in (
        lambda: messaging.read_document(
            xs.ReadDocument(actor=reader, document_id=w.b.uploaded_document)
        ),
        lambda: messaging.dialog(xs.GetDialog(actor=reader, dialog_id=w.b.dialog)),
        lambda: messaging.attachable(xs.ListAttachable(actor=reader, dossier_id=w.b.dossier)),
    ):
        with pytest.raises(NotFound) as refused:
            attempt()
        assert refused.value.code == "not_found"
    unknown = uuid.uuid4()
    with pytest.raises(NotFound) as refused:
        messaging.read_document(xs.ReadDocument(actor=reader, document_id=unknown))
    assert refused.value.details == {"kind": "document", "id": str(unknown)}


def test_r2_7_a_dialog_needs_another_participant_and_a_message_text_or_attachment(
    w: World,
) -> None:
    messaging = w.xs.messaging
    with pytest.raises(DomainError) as refused:
        messaging.start_dialog(
            xs.StartDialog(
                actor=w.admin, dossier_id=w.a.dossier, subject="x", participant_ids=frozenset()
            )
        )
    assert refused.value.code == "messaging.no_participants"
    with pytest.raises(DomainError) as refused:
        messaging.send_message(xs.SendMessage(actor=w.admin, dialog_id=w.a.dialog, body="  "))
    assert refused.value.code == "messaging.empty_message"
