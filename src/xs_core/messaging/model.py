"""Dossier documents and secure messaging (Veilig Communiceren), R2.7.

A dossier holds documents of several kinds: *trajectory* documents (of a trajectory of the
dossier's employee), *uploaded* documents (``uploaddocumenten``, uploaded to the dossier by its
users) and *local files* uploaded with a message; the *media library* is installation-wide (no
dossier). A dialog in a dossier has participants and messages; a message may carry attachments
from the trajectory and uploaded documents of **that** dossier, from the media library, and local
files uploaded with it. A document of another dossier is never attachable, whatever id is passed
(:func:`check_attachable` answers it exactly like an unknown id).

Document content lives in a :class:`DocumentStore` (content addressed by SHA-256, streamed,
written atomically, bounded in size); its metadata in a :class:`DocumentRepository`.
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from collections.abc import Iterable, Iterator
from typing import ClassVar, Protocol

import attrs

from xs_core import limits
from xs_core.errors import InvalidInput, NotFound, register_messages
from xs_core.events import Aggregate, DomainEvent
from xs_core.organisation.validation import required_text

#: The default largest document (bytes); the application's settings may lower or raise it.
DEFAULT_MAX_SIZE = 20 * 1024 * 1024
#: Chunks a document is streamed in (bytes).
CHUNK = 64 * 1024

register_messages(
    {
        "documents.invalid_file_name": (
            "Ongeldige bestandsnaam: {reason}.",
            "Invalid file name: {reason}.",
        ),
        "documents.too_large": (
            "Het bestand is groter dan {maximum} bytes.",
            "The file is larger than {maximum} bytes.",
        ),
        "documents.empty": ("Het bestand is leeg.", "The file is empty."),
        "documents.invalid_content_type": (
            "Ongeldig bestandstype {value!r}.",
            "Invalid content type {value!r}.",
        ),
        "messaging.empty_message": (
            "Een bericht heeft tekst of een bijlage.",
            "A message has text or an attachment.",
        ),
        "messaging.no_participants": (
            "Een dialoog heeft minstens één andere deelnemer.",
            "A dialog has at least one other participant.",
        ),
        "messaging.too_many_attachments": (
            "Een bericht heeft hoogstens {maximum} bijlagen.",
            "A message has at most {maximum} attachments.",
        ),
    },
    kind=InvalidInput,
)
register_messages(
    {
        "messaging.document_not_attachable": (
            "Document {document_id} kan niet bij een bericht in dit dossier.",
            "Document {document_id} cannot be attached to a message in this dossier.",
        ),
        "documents.content_missing": (
            "De inhoud van document {sha256} ontbreekt.",
            "The content of document {sha256} is missing.",
        ),
    },
    kind=NotFound,
)

MAX_ATTACHMENTS = 20
_SEPARATORS = frozenset("/\\")


def valid_file_name(value: object) -> str:
    """A file name: 1 to 255 characters, no path separators, no control characters, not
    ``.`` or ``..``.

    >>> valid_file_name(" verslag.pdf ")
    'verslag.pdf'
    >>> valid_file_name("../etc/passwd")
    Traceback (most recent call last):
    ...
    xs_core.errors.InvalidInput: documents.invalid_file_name: ...
    """
    if not isinstance(value, str):
        raise InvalidInput("documents.invalid_file_name", {"reason": "not text"})
    name = value.strip()
    if not name:
        raise InvalidInput("documents.invalid_file_name", {"reason": "empty"})
    if set(name) & _SEPARATORS:
        raise InvalidInput("documents.invalid_file_name", {"reason": "path separator"})
    if name in (".", ".."):
        raise InvalidInput("documents.invalid_file_name", {"reason": "not a file"})
    return limits.single_line(name, "file_name", limits.FILE_NAME)


def valid_content_type(value: object) -> str:
    if (
        not isinstance(value, str)
        or value.count("/") != 1
        or not 3 <= len(value) <= limits.CONTENT_TYPE
        or not value.isascii()
        or any(c.isspace() or ord(c) < 32 for c in value)
    ):
        raise InvalidInput("documents.invalid_content_type", {"value": str(value)[:80]})
    return value.lower()


class DocumentKind(enum.Enum):
    """Where a document comes from (R2.7)."""

    TRAJECTORY = "trajectory"
    UPLOADED = "uploaded"
    LOCAL = "local_file"
    MEDIA = "media_library"


#: The kinds the attachment picker lists, in its order.
PICKER_KINDS = (DocumentKind.TRAJECTORY, DocumentKind.UPLOADED, DocumentKind.MEDIA)


@attrs.frozen(kw_only=True)
class StoredContent:
    """Content as the document store keeps it."""

    sha256: str
    size: int


@attrs.frozen(kw_only=True)
class Document:
    """A document's metadata. ``dossier_id`` is ``None`` for the media library only;
    ``trajectory_id`` is set for trajectory documents."""

    id: uuid.UUID
    kind: DocumentKind
    dossier_id: uuid.UUID | None
    trajectory_id: uuid.UUID | None = None
    file_name: str
    content_type: str
    size: int
    sha256: str
    added_by: uuid.UUID
    added_at: _dt.datetime


def check_attachable(document: Document | None, dossier_id: uuid.UUID, ident: uuid.UUID) -> None:
    """R2.7: a document may be attached in ``dossier_id`` when it is of that dossier (trajectory,
    uploaded or local) or of the media library; otherwise — another dossier's, or no document at
    all — the same refusal."""
    if document is None or (
        document.kind is not DocumentKind.MEDIA and document.dossier_id != dossier_id
    ):
        raise NotFound("messaging.document_not_attachable", {"document_id": str(ident)})


@attrs.frozen(kw_only=True)
class DocumentAdded(DomainEvent):
    """R2.7: a document was added: to a dossier (trajectory, uploaded, or a local file with a
    message) or to the media library (no ``dossier_id``)."""

    name: ClassVar[str] = "DocumentAdded"
    document_id: uuid.UUID
    kind: DocumentKind
    dossier_id: uuid.UUID | None
    trajectory_id: uuid.UUID | None
    file_name: str
    size: int
    sha256: str


@attrs.frozen(kw_only=True)
class Message:
    id: uuid.UUID
    dialog_id: uuid.UUID
    author_id: uuid.UUID
    body: str
    sent_at: _dt.datetime
    attachment_ids: tuple[uuid.UUID, ...] = ()


@attrs.frozen(kw_only=True)
class DialogStarted(DomainEvent):
    """R2.7: a dialog (Veilig Communiceren) was started in a dossier with its participants."""

    name: ClassVar[str] = "DialogStarted"
    dialog_id: uuid.UUID
    dossier_id: uuid.UUID
    participant_ids: tuple[uuid.UUID, ...]


@attrs.frozen(kw_only=True)
class MessageSent(DomainEvent):
    """R2.7: a message was sent in a dialog, with its attachments."""

    name: ClassVar[str] = "MessageSent"
    message_id: uuid.UUID
    dialog_id: uuid.UUID
    author_id: uuid.UUID
    attachment_ids: tuple[uuid.UUID, ...]


@attrs.define(kw_only=True)
class Dialog(Aggregate):
    """A dialog in a dossier: a subject and its participants (the starter among them)."""

    id: uuid.UUID
    dossier_id: uuid.UUID
    subject: str
    participant_ids: frozenset[uuid.UUID]
    started_by: uuid.UUID
    started_at: _dt.datetime

    @classmethod
    def start(
        cls,
        dossier_id: uuid.UUID,
        subject: str,
        starter: uuid.UUID,
        others: Iterable[uuid.UUID],
        at: _dt.datetime,
    ) -> Dialog:
        participants = frozenset(others) - {starter}
        if not participants:
            raise InvalidInput("messaging.no_participants", {})
        dialog = cls(
            id=uuid.uuid4(),
            dossier_id=dossier_id,
            subject=required_text(subject, "subject", limits.DIALOG_SUBJECT),
            participant_ids=participants | {starter},
            started_by=starter,
            started_at=at,
        )
        dialog.record(
            DialogStarted(
                dialog_id=dialog.id,
                dossier_id=dossier_id,
                participant_ids=tuple(sorted(dialog.participant_ids, key=str)),
            )
        )
        return dialog

    def message(
        self, author: uuid.UUID, body: str, attachments: tuple[uuid.UUID, ...], at: _dt.datetime
    ) -> Message:
        text = message_body(body, len(attachments))
        message = Message(
            id=uuid.uuid4(),
            dialog_id=self.id,
            author_id=author,
            body=text,
            sent_at=at,
            attachment_ids=attachments,
        )
        self.record(
            MessageSent(
                message_id=message.id,
                dialog_id=self.id,
                author_id=author,
                attachment_ids=attachments,
            )
        )
        return message


def message_body(body: str, attachments: int) -> str:
    """A message's text as kept (R2.7): multi-line, at most ``MESSAGE_BODY`` characters,
    trimmed; refused when there is neither text nor an attachment, or more than
    :data:`MAX_ATTACHMENTS` attachments. The services check it before they store any uploaded
    file, so that a refused message leaves no content behind."""
    text = limits.multi_line(body, "body", limits.MESSAGE_BODY).strip()
    if not text and not attachments:
        raise InvalidInput("messaging.empty_message", {})
    if attachments > MAX_ATTACHMENTS:
        raise InvalidInput("messaging.too_many_attachments", {"maximum": MAX_ATTACHMENTS})
    return text


class DocumentStore(Protocol):
    """Document content, addressed by its SHA-256 (filesystem, memory)."""

    def put(self, chunks: Iterable[bytes], max_size: int) -> StoredContent:
        """Store the content streamed as ``chunks``; refused (``documents.too_large``) as soon
        as it exceeds ``max_size`` bytes, and ``documents.empty`` when there is none — nothing
        is kept then. Storing the same content twice keeps one copy."""
        ...

    def read(self, sha256: str) -> Iterator[bytes]:
        """The content in chunks (``documents.content_missing`` when absent)."""
        ...

    def exists(self, sha256: str) -> bool: ...


class DocumentRepository(Protocol):
    def add(self, document: Document) -> None: ...

    def find(self, document_id: uuid.UUID) -> Document | None: ...

    def for_dossier(self, dossier_id: uuid.UUID) -> list[Document]:
        """The dossier's documents (every kind but the media library), oldest first."""
        ...

    def media_library(self) -> list[Document]: ...


class DialogRepository(Protocol):
    def add(self, dialog: Dialog) -> None: ...

    def get(self, dialog_id: uuid.UUID) -> Dialog:
        """The dialog (``not_found`` when there is none)."""
        ...

    def lock(self, dialog_id: uuid.UUID) -> Dialog: ...

    def add_message(self, message: Message) -> None: ...

    def messages(self, dialog_id: uuid.UUID) -> list[Message]:
        """The dialog's messages, oldest first, with their attachments."""
        ...

    def for_dossier(self, dossier_id: uuid.UUID) -> list[Dialog]: ...
