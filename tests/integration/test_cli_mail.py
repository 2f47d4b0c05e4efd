"""Passwords, mail templates, the outbox dispatcher and secure messaging on the command line
(R2.6, R2.7): the whole path through the one entry point, and one-line refusals."""

from __future__ import annotations

import email
import io
import os
import re
from email.policy import default as default_policy
from pathlib import Path

import pytest
import typer
from rich.console import Console

from xs_app import bootstrap, cli
from xs_app.cli_support import run
from xs_app.services.access import CreateUser
from xs_app.services.organisation import (
    CreateEmployer,
    EmploymentTerms,
    OpenDossier,
    RegisterEmployee,
)
from xs_core.organisation.units import UnitKind, UnitRef

BOX = re.compile("[\u2500-\u257f]")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PASSWORD = "paarden eten graag hooi"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'xs.sqlite3'}"
    for name in [k for k in os.environ if k.startswith("XS_") and k != "XS_TEST_POSTGRES_URL"]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XS_DATABASE_URL", url)
    monkeypatch.setenv("XS_MAIL_DIRECTORY", str(tmp_path / "mail"))
    monkeypatch.setenv("XS_DOCUMENT_DIRECTORY", str(tmp_path / "documents"))
    monkeypatch.setattr(cli, "console", Console(width=250))
    return url


def xs(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(typer.main.get_command(cli.app), list(args))
    captured = capsys.readouterr()
    return code, " ".join(BOX.sub(" ", captured.out).split()), captured.err


def test_r2_6_set_password_dispatch_and_a_custom_template(
    database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = bootstrap(database_url=database)
    operator = app.installation.operator()
    app.access.create_user(CreateUser(actor=operator, name="Anne", email="anne@example.nl"))
    app.close()
    monkeypatch.setattr("sys.stdin", io.StringIO("kort\n"))
    code, _, err = xs(capsys, "users", "set-password", "anne@example.nl", "--password-stdin")
    assert code != 0 and "access.password_too_short" in err and len(err.splitlines()) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, out, _ = xs(capsys, "users", "set-password", "anne@example.nl", "--password-stdin")
    assert code == 0 and PASSWORD not in out
    code, out, _ = xs(capsys, "outbox", "dispatch")
    assert code == 0 and "delivered 1" in out
    (written,) = (tmp_path / "mail").iterdir()
    mail = email.message_from_bytes(written.read_bytes(), policy=default_policy)
    assert mail["Subject"] == "Je wachtwoord is gewijzigd" and mail["To"] == "anne@example.nl"
    assert PASSWORD.encode() not in written.read_bytes()

    bad, text, html = tmp_path / "bad.txt", tmp_path / "t.txt", tmp_path / "h.html"
    bad.write_text("regel 1\n{{ ''.__class__.__mro__ }}")
    text.write_text("Beste {{ user_name }}, gewijzigd op {{ changed_at }}.")
    html.write_text("<p>Beste {{ user_name }}</p>")
    args = ("mail", "templates", "set", "password_changed", "nl", "--subject", "Let op")
    code, _, err = xs(capsys, *args, "--text", str(bad), "--html", str(html))
    assert code != 0 and "mail.template_forbidden" in err and "regel 2" in err
    code, _, _ = xs(capsys, *args, "--text", str(text), "--html", str(html))
    assert code == 0
    code, out, _ = xs(capsys, "mail", "templates", "list")
    assert "password_changed nl ja Let op" in out and "password_changed en standaard" in out
    code, out, _ = xs(capsys, "mail", "templates", "preview", "password_changed", "nl")
    assert "Beste Anne de Vries, gewijzigd op" in out
    monkeypatch.setattr("sys.stdin", io.StringIO("zeven zeeën zonder zout\n"))
    xs(capsys, "users", "set-password", "anne@example.nl", "--password-stdin")
    xs(capsys, "outbox", "dispatch", "--once")
    subjects = sorted(
        email.message_from_bytes(p.read_bytes(), policy=default_policy)["Subject"]
        for p in (tmp_path / "mail").iterdir()
    )
    assert subjects == ["Je wachtwoord is gewijzigd", "Let op"]


def test_r2_7_a_dialog_with_an_uploaded_document_attached(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = bootstrap(database_url=database)
    operator = app.installation.operator()
    employer = app.organisation.create_employer(CreateEmployer(actor=operator, name="Bakkerij"))
    app.access.create_user(  # a participant has the dossier in her scope
        CreateUser(
            actor=operator,
            name="Anne",
            email="anne@example.nl",
            scope=frozenset({UnitRef(UnitKind.EMPLOYER, employer)}),
        )
    )
    employee = app.organisation.register_employee(
        RegisterEmployee(
            actor=operator,
            first_name="Piet",
            last_name="Bakker",
            employment=EmploymentTerms(employer_id=employer, start=app.clock.today()),
        )
    )
    dossier = app.organisation.open_dossier(
        OpenDossier(actor=operator, unit=UnitRef(UnitKind.EMPLOYEE, employee))
    )
    app.close()
    report = tmp_path / "verslag.pdf"
    report.write_bytes(b"%PDF-1.7 verslag")
    code, out, _ = xs(capsys, "messages", "upload", str(dossier), str(report))
    assert code == 0
    document = UUID.findall(out)[0]
    code, out, _ = xs(capsys, "messages", "picker", str(dossier))
    assert f"uploaded {document} verslag.pdf 16" in out
    code, out, _ = xs(
        capsys,
        "messages",
        "start",
        str(dossier),
        "--subject",
        "Verzuim",
        "--participant",
        "anne@example.nl",
    )
    dialog = UUID.findall(out)[0]
    code, out, _ = xs(capsys, "messages", "send", dialog, "Zie bijlage", "--attach", document)
    assert code == 0
    code, out, _ = xs(capsys, "messages", "show", dialog)
    assert "Zie bijlage" in out and "verslag.pdf (uploaded)" in out
    code, _, err = xs(capsys, "messages", "send", dialog, "x", "--attach", str(employer))
    assert code != 0 and "messaging.document_not_attachable" in err
