"""Use cases of dossier documents and secure messaging (Veilig Communiceren), R2.7, R0.6.

Documents: uploaded to a dossier (``documents.upload``), to a trajectory (the employee's dossier,
``documents.upload``), to the media library (``documents.manage_media_library``, installation
wide). Dialogs and messages: ``messaging.use`` and the dossier's unit in the actor's scope
(R0.6, as every dossier entity; **Decision:** participants are whom a dialog is addressed to, not
an access list — a colleague with the dossier in scope reads and answers too). A message's
attachments come from the picker
(:meth:`MessagingService.attachable`: the dossier's trajectory and uploaded documents and the
media library) or are local files uploaded with it; any other id — another dossier's document,
or none at all — is refused alike (``messaging.document_not_attachable``) and nothing is stored.

Content goes to the :class:`~xs_core.messaging.DocumentStore` in chunks, up to the size limit
(``XS_DOCUMENT_MAX_BYTES``), before the metadata is written in the unit of work; a refused or
rolled-back use case leaves at most unreferenced content behind (content addressed: harmless,
never served, since reading goes through the metadata).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping

import attrs

from xs_app.services.base import Service, UowFactory, hidden
from xs_app.services.command import Command, CommandPart
from xs_core.access.authoriser import Authoriser
from xs_core.access.features import Feature
from xs_core.access.model import Principal
from xs_core.clock import Clock
from xs_core.errors import NotFound, register_messages
from xs_core.messaging.model import (
    CHUNK,
    DEFAULT_MAX_SIZE,
    Dialog,
    Document,
    DocumentAdded,
    DocumentKind,
    DocumentStore,
    Message,
    check_attachable,
    message_body,
    valid_content_type,
    valid_file_name,
)
from xs_core.organisation.model import Dossier
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.uow import UnitOfWork

register_messages(
    {
        "documents.no_dossier": (
            "Medewerker {employee_id} heeft geen dossier.",
            "Employee {employee_id} has no dossier.",
        ),
    },
    kind=NotFound,
)

#: Who may read a dossier's documents and dialogs' attachments.
DOCUMENT_READERS = (Feature.USE_SECURE_MESSAGING, Feature.UPLOAD_DOCUMENTS)


@attrs.frozen(kw_only=True)
class DocumentSettings:
    """``XS_DOCUMENT_MAX_BYTES`` (default 20 MiB) and ``XS_DOCUMENT_DIRECTORY`` (the filesystem
    store's root on SQL storage; default ``xs-documents``)."""

    max_size: int = DEFAULT_MAX_SIZE
    directory: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> DocumentSettings:
        env = os.environ if environ is None else environ
        raw = env.get("XS_DOCUMENT_MAX_BYTES")
        return cls(
            max_size=int(raw) if raw and raw.isdigit() and int(raw) > 0 else DEFAULT_MAX_SIZE,
            directory=env.get("XS_DOCUMENT_DIRECTORY") or None,
        )


@attrs.frozen(kw_only=True)
class Upload(CommandPart):
    """A file as a command carries it."""

    file_name: str
    content_type: str
    content: bytes = attrs.field(repr=lambda b: f"<{len(b)} bytes>")


@attrs.frozen(kw_only=True)
class UploadDocument(Command):
    """Upload a document to a dossier (``uploaddocumenten``)."""

    actor: uuid.UUID
    dossier_id: uuid.UUID
    file: Upload


@attrs.frozen(kw_only=True)
class AddTrajectoryDocument(Command):
    """A document of a trajectory, kept in the employee's dossier."""

    actor: uuid.UUID
    trajectory_id: uuid.UUID
    file: Upload


@attrs.frozen(kw_only=True)
class AddMediaFile(Command):
    """A file of the installation-wide media library."""

    actor: uuid.UUID
    file: Upload


@attrs.frozen(kw_only=True)
class ListAttachable(Command):
    """The attachment picker of a dossier."""

    actor: uuid.UUID
    dossier_id: uuid.UUID


@attrs.frozen(kw_only=True)
class StartDialog(Command):
    actor: uuid.UUID
    dossier_id: uuid.UUID
    subject: str
    participant_ids: frozenset[uuid.UUID]


@attrs.frozen(kw_only=True)
class SendMessage(Command):
    """A message in a dialog, with documents from the picker and local files."""

    actor: uuid.UUID
    dialog_id: uuid.UUID
    body: str
    attachment_ids: tuple[uuid.UUID, ...] = ()
    uploads: tuple[Upload, ...] = ()


@attrs.frozen(kw_only=True)
class GetDialog(Command):
    actor: uuid.UUID
    dialog_id: uuid.UUID


@attrs.frozen(kw_only=True)
class ListDialogs(Command):
    actor: uuid.UUID
    dossier_id: uuid.UUID


@attrs.frozen(kw_only=True)
class ReadDocument(Command):
    actor: uuid.UUID
    document_id: uuid.UUID


@attrs.frozen(kw_only=True)
class AttachmentPicker:
    """What a message in a dossier can take, by kind (R2.7)."""

    dossier_id: uuid.UUID
    trajectory: tuple[Document, ...]
    uploaded: tuple[Document, ...]
    media_library: tuple[Document, ...]


@attrs.frozen(kw_only=True)
class DialogView:
    dialog: Dialog
    messages: tuple[Message, ...]
    #: every attached document, by id
    documents: Mapping[uuid.UUID, Document]


@attrs.frozen(kw_only=True)
class DocumentContent:
    """A document and its content, streamed in chunks."""

    document: Document
    chunks: Iterator[bytes] = attrs.field(repr=False)

    def read(self) -> bytes:
        return b"".join(self.chunks)


def _chunks(content: bytes) -> Iterator[bytes]:
    for start in range(0, len(content), CHUNK):
        yield content[start : start + CHUNK]


class MessagingService(Service):
    """Dossier documents and secure messaging (R2.7)."""

    def __init__(
        self,
        uow_factory: UowFactory,
        clock: Clock,
        store: DocumentStore,
        settings: DocumentSettings | None = None,
    ) -> None:
        super().__init__(uow_factory, clock)
        self._store = store
        self._settings = settings or DocumentSettings()

    # -- documents ---------------------------------------------------------------------------------

    def _dossier(
        self,
        uow: UnitOfWork,
        actor: uuid.UUID,
        feature: Feature | tuple[Feature, ...],
        ident: uuid.UUID,
    ) -> tuple[Authoriser, Principal, Dossier]:
        auth, principal = self._authorise(uow, actor, feature)
        dossier = uow.dossiers.get(ident)
        auth.require_visible(principal, dossier.unit, as_=hidden("dossier", ident))
        return auth, principal, dossier

    def _add(
        self,
        uow: UnitOfWork,
        actor: uuid.UUID,
        upload: Upload,
        kind: DocumentKind,
        dossier_id: uuid.UUID | None,
        trajectory_id: uuid.UUID | None = None,
    ) -> Document:
        name = valid_file_name(upload.file_name)
        content_type = valid_content_type(upload.content_type)
        stored = self._store.put(_chunks(upload.content), self._settings.max_size)
        document = Document(
            id=uuid.uuid4(),
            kind=kind,
            dossier_id=dossier_id,
            trajectory_id=trajectory_id,
            file_name=name,
            content_type=content_type,
            size=stored.size,
            sha256=stored.sha256,
            added_by=actor,
            added_at=self._clock.now(),
        )
        uow.documents.add(document)
        uow.publish(
            DocumentAdded(
                document_id=document.id,
                kind=kind,
                dossier_id=dossier_id,
                trajectory_id=trajectory_id,
                file_name=name,
                size=stored.size,
                sha256=stored.sha256,
            )
        )
        return document

    def upload_document(self, cmd: UploadDocument) -> uuid.UUID:
        """An uploaded document of the dossier; refused: an empty or path-like file name, a
        file over the size limit, an empty file."""
        with self._uow() as uow:
            self._dossier(uow, cmd.actor, Feature.UPLOAD_DOCUMENTS, cmd.dossier_id)
            document = self._add(uow, cmd.actor, cmd.file, DocumentKind.UPLOADED, cmd.dossier_id)
            uow.commit()
            return document.id

    def add_trajectory_document(self, cmd: AddTrajectoryDocument) -> uuid.UUID:
        """A trajectory document, in the dossier of the trajectory's employee."""
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.UPLOAD_DOCUMENTS)
            trajectory = uow.trajectories.get(cmd.trajectory_id)
            unit = UnitRef(UnitKind.EMPLOYEE, trajectory.employee_id)
            auth.require_visible(principal, unit, as_=hidden("trajectory", cmd.trajectory_id))
            dossier = uow.dossiers.for_unit(unit)
            if dossier is None:
                raise NotFound("documents.no_dossier", {"employee_id": str(unit.id)})
            document = self._add(
                uow, cmd.actor, cmd.file, DocumentKind.TRAJECTORY, dossier.id, trajectory.id
            )
            uow.commit()
            return document.id

    def add_media_file(self, cmd: AddMediaFile) -> uuid.UUID:
        """A file of the media library (installation wide: a scope of everything)."""
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.MANAGE_MEDIA_LIBRARY)
            auth.require_everything(principal)
            document = self._add(uow, cmd.actor, cmd.file, DocumentKind.MEDIA, None)
            uow.commit()
            return document.id

    def attachable(self, cmd: ListAttachable) -> AttachmentPicker:
        """R2.7: the picker lists the dossier's trajectory documents, **all** its uploaded
        documents, and the media library."""
        with self._uow(write=False) as uow:
            self._dossier(uow, cmd.actor, Feature.USE_SECURE_MESSAGING, cmd.dossier_id)
            own = uow.documents.for_dossier(cmd.dossier_id)
            return AttachmentPicker(
                dossier_id=cmd.dossier_id,
                trajectory=tuple(d for d in own if d.kind is DocumentKind.TRAJECTORY),
                uploaded=tuple(d for d in own if d.kind is DocumentKind.UPLOADED),
                media_library=tuple(uow.documents.media_library()),
            )

    def read_document(self, cmd: ReadDocument) -> DocumentContent:
        """A document with its content; a dossier's document only inside the actor's scope
        (``not_found`` alike otherwise)."""
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, DOCUMENT_READERS)
            document = uow.documents.find(cmd.document_id)
            if document is None:
                raise hidden("document", cmd.document_id)
            if document.dossier_id is not None:
                dossier = uow.dossiers.get(document.dossier_id)
                auth.require_visible(
                    principal, dossier.unit, as_=hidden("document", cmd.document_id)
                )
        return DocumentContent(document=document, chunks=self._store.read(document.sha256))

    # -- dialogs -----------------------------------------------------------------------------------

    def start_dialog(self, cmd: StartDialog) -> uuid.UUID:
        """A dialog in the dossier with the actor and the other participants: users whose scope
        holds the dossier's unit (any other id is answered as an unknown user)."""
        with self._uow() as uow:
            auth, _, dossier = self._dossier(
                uow, cmd.actor, Feature.USE_SECURE_MESSAGING, cmd.dossier_id
            )
            for user_id in sorted(cmd.participant_ids):
                if uow.users.find(user_id) is None or not auth.visible(
                    auth.principal(user_id), dossier.unit
                ):
                    raise hidden("user", user_id)
            dialog = Dialog.start(
                cmd.dossier_id, cmd.subject, cmd.actor, cmd.participant_ids, self._clock.now()
            )
            uow.dialogs.add(dialog)
            uow.commit()
            return dialog.id

    def _visible_dialog(
        self, uow: UnitOfWork, actor: uuid.UUID, dialog_id: uuid.UUID, lock: bool
    ) -> Dialog:
        auth, principal = self._authorise(uow, actor, Feature.USE_SECURE_MESSAGING)
        dialog = uow.dialogs.lock(dialog_id) if lock else uow.dialogs.get(dialog_id)
        dossier = uow.dossiers.get(dialog.dossier_id)
        if not auth.visible(principal, dossier.unit):
            raise hidden("dialog", dialog_id)
        return dialog

    def send_message(self, cmd: SendMessage) -> uuid.UUID:
        """A message in the dialog, with attachments: documents of this dossier or the media
        library (any other id refused alike), and local files uploaded with it."""
        with self._uow() as uow:
            dialog = self._visible_dialog(uow, cmd.actor, cmd.dialog_id, lock=True)
            attachments: list[uuid.UUID] = []
            for ident in cmd.attachment_ids:
                check_attachable(uow.documents.find(ident), dialog.dossier_id, ident)
                if ident not in attachments:
                    attachments.append(ident)
            # everything that can refuse the message is checked before any file is stored
            message_body(cmd.body, len(attachments) + len(cmd.uploads))
            for upload in cmd.uploads:
                valid_file_name(upload.file_name)
                valid_content_type(upload.content_type)
            for upload in cmd.uploads:
                local = self._add(uow, cmd.actor, upload, DocumentKind.LOCAL, dialog.dossier_id)
                attachments.append(local.id)
            message = dialog.message(cmd.actor, cmd.body, tuple(attachments), self._clock.now())
            uow.dialogs.add_message(message)
            uow.commit()
            return message.id

    def dialog(self, cmd: GetDialog) -> DialogView:
        """The dialog with its messages and their attachments."""
        with self._uow(write=False) as uow:
            dialog = self._visible_dialog(uow, cmd.actor, cmd.dialog_id, lock=False)
            messages = uow.dialogs.messages(dialog.id)
            documents: dict[uuid.UUID, Document] = {}
            for message in messages:
                for ident in message.attachment_ids:
                    found = uow.documents.find(ident)
                    if found is not None:
                        documents[ident] = found
            return DialogView(dialog=dialog, messages=tuple(messages), documents=documents)

    def dialogs(self, cmd: ListDialogs) -> list[Dialog]:
        """The dossier's dialogs."""
        with self._uow(write=False) as uow:
            self._dossier(uow, cmd.actor, Feature.USE_SECURE_MESSAGING, cmd.dossier_id)
            return [
                d for d in uow.dialogs.for_dossier(cmd.dossier_id) if cmd.actor in d.participant_ids
            ]


__all__ = [
    "AddMediaFile",
    "AddTrajectoryDocument",
    "AttachmentPicker",
    "DialogView",
    "DocumentContent",
    "DocumentSettings",
    "GetDialog",
    "ListAttachable",
    "ListDialogs",
    "MessagingService",
    "ReadDocument",
    "SendMessage",
    "StartDialog",
    "Upload",
    "UploadDocument",
]
