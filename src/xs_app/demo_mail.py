"""The demo's part for passwords, the password-change e-mail and secure messaging (R2.6, R2.7).

A user's password is changed twice; after each change the outbox is dispatched to a directory
mailer (``.eml`` files) and the e-mail is shown: first with the standard Dutch text, then with a
custom template an administrator stored. A weak password and a template that tries to leave the
sandbox are refused. Then a document is uploaded to an employee's dossier and sent along in a
dialog (Veilig Communiceren); attaching another dossier's document is refused.

Mails and document content go to a temporary directory (the demo leaves only its database); the
services run on a fixed clock so that the output is the same on every run.
"""

from __future__ import annotations

import email
import tempfile
import uuid
from email.policy import default as default_policy
from pathlib import Path

import pendulum
from rich.console import Console
from rich.panel import Panel

from xs_adapters.clock import FixedClock
from xs_adapters.documents import FilesystemDocumentStore
from xs_adapters.mail.directory import DirectoryMailer
from xs_adapters.mail.templates import SandboxRenderer
from xs_adapters.passwords import Argon2Hasher
from xs_app.bootstrap import Xs
from xs_app.mail import MailDispatcher, MailSettings
from xs_app.services.access import CreateUser
from xs_app.services.mail import MailTemplateService, SetMailTemplate
from xs_app.services.messaging import (
    GetDialog,
    ListAttachable,
    MessagingService,
    SendMessage,
    StartDialog,
    Upload,
    UploadDocument,
)
from xs_app.services.passwords import PasswordService, SetPassword
from xs_core.errors import DomainError
from xs_core.mail.model import TemplateEvent
from xs_core.organisation.model import Dossier

#: The demo's clock for this part: 3 December 2026, 09:15 in Amsterdam.
WHEN = pendulum.datetime(2026, 12, 3, 9, 15, tz="Europe/Amsterdam")


def _show(path: Path, console: Console, title: str) -> None:
    mail = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    plain = mail.get_body(("plain",))
    assert plain is not None
    headers = "\n".join(f"{h}: {mail[h]}" for h in ("From", "To", "Subject", "Message-ID"))
    console.print(Panel(f"{headers}\n\n{plain.get_content().strip()}", title=title), markup=False)


def _refused(console: Console, what: str, error: DomainError, message: bool = True) -> None:
    text = f" — {error.message('nl')}" if message else ""
    console.print(f"{what}: [red]geweigerd[/red] {error.code}{text}")


def mail_and_messaging_demo(
    xs: Xs, admin: uuid.UUID, dossiers: list[Dossier], console: Console
) -> None:
    """``dossiers``: two dossiers; the demo's user has the first one's unit in her scope."""
    clock = FixedClock(WHEN)
    uow = xs.container.uow
    renderer = SandboxRenderer()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        passwords = PasswordService(uow, clock, Argon2Hasher())
        templates = MailTemplateService(uow, clock, renderer)
        dispatcher = MailDispatcher(
            uow,
            clock,
            DirectoryMailer(out / "mail"),
            renderer,
            MailSettings(support_contact="de helpdesk (030 123 45 67)"),
        )
        messaging = MessagingService(uow, clock, FilesystemDocumentStore(out / "documents"))
        console.rule("R2.6 Wachtwoord gewijzigd: de e-mail")
        user = xs.access.create_user(
            CreateUser(
                actor=admin,
                name="Anne de Vries",
                email="anne.devries@example.nl",
                scope=frozenset({dossiers[0].unit}),
            )
        )
        try:
            passwords.set_password(SetPassword(actor=admin, user_id=user, password="welkom123456"))
        except DomainError as error:
            _refused(console, "Wachtwoord 'welkom123456'", error)
        passwords.set_password(
            SetPassword(actor=admin, user_id=user, password="paarden eten graag hooi")
        )
        dispatcher.dispatch_all(limit=1000)
        (first,) = sorted((out / "mail").iterdir())
        _show(first, console, "Standaardtekst (geen eigen sjabloon)")
        first.rename(out / "first.eml")
        try:
            templates.set_template(
                SetMailTemplate(
                    actor=admin,
                    event=TemplateEvent.PASSWORD_CHANGED,
                    language="nl",
                    subject="Let op",
                    text="{{ ''.__class__.__mro__[1].__subclasses__() }}",
                    html="<p>x</p>",
                )
            )
        except DomainError as error:
            _refused(console, "Sjabloon met sandbox-ontsnapping", error)
        templates.set_template(
            SetMailTemplate(
                actor=admin,
                event=TemplateEvent.PASSWORD_CHANGED,
                language="nl",
                subject="Beveiliging: wachtwoord van {{ user_name }} gewijzigd",
                text=(
                    "Hallo {{ user_name }},\n\nOp {{ changed_at }} is je wachtwoord gewijzigd."
                    "\nWas jij dit niet? Bel direct {{ support_contact }}."
                ),
                html=(
                    "<p>Hallo {{ user_name }}, op {{ changed_at }} is je wachtwoord gewijzigd.</p>"
                ),
            )
        )
        passwords.set_password(
            SetPassword(actor=admin, user_id=user, password="zeven zeeën zonder zout")
        )
        dispatcher.dispatch_all(limit=1000)
        (second,) = sorted((out / "mail").iterdir())
        _show(second, console, "Eigen sjabloon (wint altijd)")

        console.rule("R2.7 Veilig Communiceren: uploaddocument als bijlage (afdelingsdossier)")
        uploaded = messaging.upload_document(
            UploadDocument(
                actor=admin,
                dossier_id=dossiers[0].id,
                file=Upload(
                    file_name="probleemanalyse.pdf",
                    content_type="application/pdf",
                    content=b"%PDF-1.7 probleemanalyse",
                ),
            )
        )
        foreign = messaging.upload_document(
            UploadDocument(
                actor=admin,
                dossier_id=dossiers[1].id,
                file=Upload(file_name="ander.pdf", content_type="application/pdf", content=b"x"),
            )
        )
        picker = messaging.attachable(ListAttachable(actor=admin, dossier_id=dossiers[0].id))
        console.print(
            "Bijlagenkiezer: uploaddocumenten "
            + ", ".join(d.file_name for d in picker.uploaded)
            + f"; trajectdocumenten {len(picker.trajectory)}; mediabibliotheek "
            + str(len(picker.media_library))
        )
        dialog = messaging.start_dialog(
            StartDialog(
                actor=admin,
                dossier_id=dossiers[0].id,
                subject="Probleemanalyse",
                participant_ids=frozenset({user}),
            )
        )
        try:
            messaging.send_message(
                SendMessage(actor=admin, dialog_id=dialog, body="x", attachment_ids=(foreign,))
            )
        except DomainError as error:
            _refused(console, "Document uit een ander dossier", error, message=False)
        messaging.send_message(
            SendMessage(
                actor=admin,
                dialog_id=dialog,
                body="Hierbij de probleemanalyse.",
                attachment_ids=(uploaded,),
            )
        )
        view = messaging.dialog(GetDialog(actor=admin, dialog_id=dialog))
        for message in view.messages:
            names = ", ".join(view.documents[d].file_name for d in message.attachment_ids)
            console.print(f"Bericht: {message.body}  [bijlage: {names}]", markup=False)
