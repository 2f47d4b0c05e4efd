"""Command line of passwords, mail and secure messaging (R2.6, R2.7):

* ``xs users set-password EMAIL`` (prompted twice, or ``--password-stdin``), ``xs users
  set-language EMAIL nl|en``, ``xs users issue-token EMAIL --purpose invitation|reset``;
* ``xs mail templates list|set|preview|remove``;
* ``xs outbox dispatch [--once]`` — deliver the mail of committed events;
* ``xs messages picker|upload|start|send|show`` — dossier documents and dialogs.

Registered on :data:`xs_app.cli.app` when that module loads.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from xs_app import cli as _cli
from xs_app.cli import AsOption, CliRefusal, DatabaseOption, _actor, _open, app, users_app
from xs_app.services.mail import (
    ListMailTemplates,
    PreviewMailTemplate,
    RemoveMailTemplate,
    SetMailTemplate,
)
from xs_app.services.messaging import (
    GetDialog,
    ListAttachable,
    SendMessage,
    StartDialog,
    Upload,
    UploadDocument,
)
from xs_app.services.passwords import IssuePasswordToken, SetLanguage, SetPassword
from xs_core.access.passwords import TokenPurpose
from xs_core.errors import InvalidInput, register_messages
from xs_core.mail.model import TemplateEvent

register_messages(
    {
        "cli.passwords_differ": (
            "De wachtwoorden komen niet overeen.",
            "The passwords do not match.",
        ),
        "cli.unreadable_file": (
            "Het bestand {path} kan niet gelezen worden.",
            "The file {path} cannot be read.",
        ),
    },
    kind=InvalidInput,
)

mail_app = typer.Typer(help="E-mail: templates (R2.6).", no_args_is_help=True)
templates_app = typer.Typer(help="Custom mail templates (R2.6).", no_args_is_help=True)
mail_app.add_typer(templates_app, name="templates")
outbox_app = typer.Typer(help="The outbox: delivery after commit (R0.7).", no_args_is_help=True)
messages_app = typer.Typer(
    help="Secure messaging (Veilig Communiceren) and dossier documents (R2.7).",
    no_args_is_help=True,
)
app.add_typer(mail_app, name="mail")
app.add_typer(outbox_app, name="outbox")
app.add_typer(messages_app, name="messages")


def _user(xs: object, email: str) -> uuid.UUID:
    user_id = xs.installation.user_id(email)  # type: ignore[attr-defined]
    if user_id is None:
        raise CliRefusal("cli.unknown_user", {"email": email})
    found: uuid.UUID = user_id
    return found


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        raise CliRefusal("cli.unreadable_file", {"path": str(path)}) from None


def _text(path: Path | None) -> str | None:
    return None if path is None else _read(path).decode("utf-8", "replace")


# -- users -----------------------------------------------------------------------------------------


@users_app.command("set-password")
def set_password(
    email: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Set a user's password (R2.6); the user gets the password-change e-mail once the outbox
    is dispatched. The password is never shown or stored in clear."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Nieuw wachtwoord / New password", hide_input=True)
        again = typer.prompt("Nogmaals / Again", hide_input=True)
        if password != again:
            raise CliRefusal("cli.passwords_differ", {})
    with _open(database_url) as xs:
        xs.passwords.set_password(
            SetPassword(actor=_actor(xs, as_email), user_id=_user(xs, email), password=password)
        )
    _cli.console.print(f"Wachtwoord van {email} gewijzigd / password of {email} changed")


@users_app.command("set-language")
def set_language(
    email: str,
    language: Annotated[str, typer.Argument(help="nl or en")],
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """The language of a user's e-mails."""
    with _open(database_url) as xs:
        xs.passwords.set_language(
            SetLanguage(actor=_actor(xs, as_email), user_id=_user(xs, email), language=language)
        )
    _cli.console.print(f"{email}: {language}")


@users_app.command("issue-token")
def issue_token(
    email: str,
    purpose: Annotated[TokenPurpose, typer.Option(help="invitation or reset")] = (
        TokenPurpose.INVITATION
    ),
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """An invitation or reset token for a user, shown this once (only its digest is stored)."""
    with _open(database_url) as xs:
        issued = xs.passwords.issue_token(
            IssuePasswordToken(
                actor=_actor(xs, as_email), user_id=_user(xs, email), purpose=purpose
            )
        )
    _cli.console.print(
        f"{issued.token}  (geldig tot / valid until {issued.expires_at.isoformat()})"
    )


# -- mail templates --------------------------------------------------------------------------------


@templates_app.command("list")
def templates_list(as_email: AsOption = None, database_url: DatabaseOption = None) -> None:
    """Every event and language: custom or standard, and the variables it may use."""
    with _open(database_url) as xs:
        views = xs.mail_templates.templates(ListMailTemplates(actor=_actor(xs, as_email)))
    table = Table(title="E-mailsjablonen / mail templates")
    for column in ("Event", "Taal", "Eigen/custom", "Onderwerp/subject", "Variabelen"):
        table.add_column(column)
    for view in views:
        table.add_row(
            view.event.value,
            view.language,
            "ja" if view.custom else "standaard",
            view.parts.subject,
            ", ".join(view.variables),
        )
    _cli.console.print(table)


EventArgument = Annotated[TemplateEvent, typer.Argument(help="e.g. password_changed")]
LanguageArgument = Annotated[str, typer.Argument(help="nl or en")]


@templates_app.command("set")
def templates_set(
    event: EventArgument,
    language: LanguageArgument,
    subject: Annotated[str, typer.Option(help="the subject template")],
    text_file: Annotated[Path, typer.Option("--text", help="file with the plain-text template")],
    html_file: Annotated[Path, typer.Option("--html", help="file with the HTML template")],
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Store a custom template (validated in the sandbox: syntax errors with their line,
    unknown variables and forbidden constructs are refused)."""
    text, html = _text(text_file), _text(html_file)
    with _open(database_url) as xs:
        xs.mail_templates.set_template(
            SetMailTemplate(
                actor=_actor(xs, as_email),
                event=event,
                language=language,
                subject=subject,
                text=text or "",
                html=html or "",
            )
        )
    _cli.console.print(f"Sjabloon {event.value}/{language} opgeslagen / saved")


@templates_app.command("preview")
def templates_preview(
    event: EventArgument,
    language: LanguageArgument,
    subject: Annotated[str | None, typer.Option(help="an unsaved subject")] = None,
    text_file: Annotated[Path | None, typer.Option("--text", help="an unsaved text")] = None,
    html_file: Annotated[Path | None, typer.Option("--html", help="an unsaved HTML")] = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Render with sample values: the given parts, else the custom template, else the
    standard text."""
    with _open(database_url) as xs:
        rendered = xs.mail_templates.preview(
            PreviewMailTemplate(
                actor=_actor(xs, as_email),
                event=event,
                language=language,
                subject=subject,
                text=_text(text_file),
                html=_text(html_file),
            )
        )
    _cli.console.print(f"Onderwerp / subject: {rendered.subject}\n", markup=False)
    _cli.console.print(rendered.text, markup=False)
    _cli.console.print("--- HTML ---", markup=False)
    _cli.console.print(rendered.html, markup=False)


@templates_app.command("remove")
def templates_remove(
    event: EventArgument,
    language: LanguageArgument,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Remove a custom template: the standard text applies again."""
    with _open(database_url) as xs:
        xs.mail_templates.remove_template(
            RemoveMailTemplate(actor=_actor(xs, as_email), event=event, language=language)
        )
    _cli.console.print(f"Sjabloon {event.value}/{language} verwijderd / removed")


# -- outbox ----------------------------------------------------------------------------------------


@outbox_app.command("dispatch")
def outbox_dispatch(
    once: Annotated[bool, typer.Option("--once", help="one batch only")] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="messages per batch")] = 100,
    database_url: DatabaseOption = None,
) -> None:
    """Deliver the mail of committed events (at least once; failures wait with back-off and
    are tried again by a later run). Without --once: batch after batch until nothing is due."""
    with _open(database_url) as xs:
        dispatcher = xs.mail_dispatcher
        report = dispatcher.dispatch(limit=limit) if once else dispatcher.dispatch_all(limit=limit)
    _cli.console.print(
        f"afgeleverd/delivered {report.delivered}, zonder e-mail/no mail {report.skipped}, "
        f"mislukt/failed {report.failed}"
    )
    if report.failed:
        raise typer.Exit(3)


# -- messages --------------------------------------------------------------------------------------


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise typer.BadParameter(f"not an id: {value!r}") from None


IdArgument = Annotated[uuid.UUID, typer.Argument(parser=_uuid, metavar="ID")]


def _upload(path: Path, content_type: str) -> Upload:
    return Upload(file_name=path.name, content_type=content_type, content=_read(path))


@messages_app.command("picker")
def messages_picker(
    dossier: IdArgument, as_email: AsOption = None, database_url: DatabaseOption = None
) -> None:
    """The documents a message in this dossier can take, by kind (R2.7)."""
    with _open(database_url) as xs:
        picker = xs.messaging.attachable(
            ListAttachable(actor=_actor(xs, as_email), dossier_id=dossier)
        )
    table = Table(title="Bijlagen / attachable documents")
    for column in ("Soort/kind", "Id", "Bestand/file", "Bytes"):
        table.add_column(column)
    for kind, documents in (
        ("trajectory", picker.trajectory),
        ("uploaded", picker.uploaded),
        ("media_library", picker.media_library),
    ):
        for d in documents:
            table.add_row(kind, str(d.id), d.file_name, str(d.size))
    _cli.console.print(table)


@messages_app.command("upload")
def messages_upload(
    dossier: IdArgument,
    file: Annotated[Path, typer.Argument(help="the file to upload")],
    content_type: Annotated[str, typer.Option(help="its type")] = "application/octet-stream",
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Upload a document to a dossier (uploaddocumenten)."""
    with _open(database_url) as xs:
        ident = xs.messaging.upload_document(
            UploadDocument(
                actor=_actor(xs, as_email), dossier_id=dossier, file=_upload(file, content_type)
            )
        )
    _cli.console.print(str(ident))


@messages_app.command("start")
def messages_start(
    dossier: IdArgument,
    subject: Annotated[str, typer.Option(help="the dialog's subject")],
    participant: Annotated[list[str], typer.Option(help="a participant's e-mail (repeatable)")],
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Start a dialog in a dossier."""
    with _open(database_url) as xs:
        ident = xs.messaging.start_dialog(
            StartDialog(
                actor=_actor(xs, as_email),
                dossier_id=dossier,
                subject=subject,
                participant_ids=frozenset(_user(xs, e) for e in participant),
            )
        )
    _cli.console.print(str(ident))


@messages_app.command("send")
def messages_send(
    dialog: IdArgument,
    text: Annotated[str, typer.Argument(help="the message")],
    attach: Annotated[
        list[str] | None, typer.Option(help="a document id from the picker (repeatable)")
    ] = None,
    file: Annotated[list[Path] | None, typer.Option(help="a local file (repeatable)")] = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Send a message with attachments from the picker and local files."""
    with _open(database_url) as xs:
        ident = xs.messaging.send_message(
            SendMessage(
                actor=_actor(xs, as_email),
                dialog_id=dialog,
                body=text,
                attachment_ids=tuple(_uuid(a) for a in attach or []),
                uploads=tuple(_upload(p, "application/octet-stream") for p in file or []),
            )
        )
    _cli.console.print(str(ident))


@messages_app.command("show")
def messages_show(
    dialog: IdArgument, as_email: AsOption = None, database_url: DatabaseOption = None
) -> None:
    """A dialog with its messages and attachments."""
    with _open(database_url) as xs:
        view = xs.messaging.dialog(GetDialog(actor=_actor(xs, as_email), dialog_id=dialog))
    _cli.console.print(f"{view.dialog.subject} ({len(view.dialog.participant_ids)} deelnemers)")
    for message in view.messages:
        _cli.console.print(f"- {message.sent_at.isoformat(timespec='seconds')}: {message.body}")
        for ident in message.attachment_ids:
            document = view.documents.get(ident)
            if document is not None:
                _cli.console.print(f"    📎 {document.file_name} ({document.kind.value})")
