"""Secure messaging (Veilig Communiceren) and dossier documents (R2.7)."""

from xs_core.messaging.model import (
    DEFAULT_MAX_SIZE,
    PICKER_KINDS,
    Dialog,
    DialogRepository,
    DialogStarted,
    Document,
    DocumentAdded,
    DocumentKind,
    DocumentRepository,
    DocumentStore,
    Message,
    MessageSent,
    StoredContent,
    check_attachable,
    valid_file_name,
)

__all__ = [
    "DEFAULT_MAX_SIZE",
    "PICKER_KINDS",
    "Dialog",
    "DialogRepository",
    "DialogStarted",
    "Document",
    "DocumentAdded",
    "DocumentKind",
    "DocumentRepository",
    "DocumentStore",
    "Message",
    "MessageSent",
    "StoredContent",
    "check_attachable",
    "valid_file_name",
]
