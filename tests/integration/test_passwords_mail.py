"""Passwords, tokens and the password-change e-mail through the services, delivered after
commit by the mail dispatcher (R2.6, R0.5, R0.6, R0.7), on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as _dt
import email
import uuid
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import attrs
import pytest

import xs
from xs_adapters.clock import FixedClock
from xs_adapters.mail.directory import DirectoryMailer
from xs_adapters.mail.message import build_message
from xs_adapters.memory.mail import MemoryMailer
from xs_app.mail import local_time
from xs_core.access.features import Feature
from xs_core.errors import DomainError, InvalidInput, NotAllowed, NotFound

PASSWORD = "paarden eten graag hooi"
NEW = "zeven zeeën zonder zout"
E = xs.TemplateEvent.PASSWORD_CHANGED


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[xs.Xs]:
    mailer = MemoryMailer()
    if request.param == "memory":
        application = xs.bootstrap(storage="memory", clock=clock, mailer=mailer)
    else:
        url = request.getfixturevalue(f"{request.param}_url")
        application = xs.bootstrap(url, clock=clock, migrate_database=True, mailer=mailer)
    yield application
    application.close()


def _mailer(app: xs.Xs) -> MemoryMailer:
    mailer = app.mail_dispatcher.mailer
    assert isinstance(mailer, MemoryMailer)
    return mailer


@pytest.fixture
def admin(app: xs.Xs) -> uuid.UUID:
    return app.installation.create_super_administrator("Beheer", "beheer@example.nl")


@pytest.fixture
def anne(app: xs.Xs, admin: uuid.UUID) -> uuid.UUID:
    return app.access.create_user(xs.CreateUser(actor=admin, name="Anne", email="anne@example.nl"))


def _invite(app: xs.Xs, admin: uuid.UUID, user: uuid.UUID) -> str:
    issued = app.passwords.issue_token(
        xs.IssuePasswordToken(actor=admin, user_id=user, purpose=xs.TokenPurpose.INVITATION)
    )
    return issued.token


def _with_password(app: xs.Xs, admin: uuid.UUID, user: uuid.UUID) -> None:
    app.credentials.set_password_with_token(
        xs.SetPasswordWithToken(token=_invite(app, admin, user), password=PASSWORD)
    )


def _outbox_names(app: xs.Xs) -> list[str]:
    return [m.name for m in app.outbox.pending(1000, subscription="test")]


# -- passwords and tokens ------------------------------------------------------------------------


def test_r2_6_an_invitation_sets_the_first_password_and_verifies(
    app: xs.Xs, admin: uuid.UUID, anne: uuid.UUID
) -> None:
    _with_password(app, admin, anne)
    assert (
        app.credentials.verify_password(
            xs.VerifyPassword(email="ANNE@example.nl", password=PASSWORD)
        )
        == anne
    )
    for email_, password in (("anne@example.nl", NEW), ("niemand@example.nl", PASSWORD)):
        with pytest.raises(NotAllowed) as refused:
            app.credentials.verify_password(xs.VerifyPassword(email=email_, password=password))
        assert refused.value.code == "access.invalid_credentials"


def test_r2_6_a_token_is_single_use_and_a_change_voids_the_others(
    app: xs.Xs, admin: uuid.UUID, anne: uuid.UUID
) -> None:
    first, second = _invite(app, admin, anne), _invite(app, admin, anne)
    app.credentials.set_password_with_token(xs.SetPasswordWithToken(token=first, password=PASSWORD))
    for token in (first, second):
        with pytest.raises(InvalidInput) as refused:
            app.credentials.set_password_with_token(
                xs.SetPasswordWithToken(token=token, password=NEW)
            )
        assert refused.value.code == "access.token_used"
    app.credentials.verify_password(xs.VerifyPassword(email="anne@example.nl", password=PASSWORD))


def test_r2_6_tokens_expire_after_their_lifetime(
    app: xs.Xs, admin: uuid.UUID, anne: uuid.UUID, clock: FixedClock
) -> None:
    reset = app.passwords.issue_token(
        xs.IssuePasswordToken(actor=admin, user_id=anne, purpose=xs.TokenPurpose.RESET)
    )
    invitation = _invite(app, admin, anne)
    assert reset.expires_at == clock.now() + _dt.timedelta(hours=1)
    clock.advance(minutes=61)
    with pytest.raises(InvalidInput) as refused:
        app.credentials.set_password_with_token(
            xs.SetPasswordWithToken(token=reset.token, password=PASSWORD)
        )
    assert refused.value.code == "access.token_expired"
    clock.advance(hours=71)  # 72 h and 1 minute after the invitation
    with pytest.raises(InvalidInput) as refused:
        app.credentials.set_password_with_token(
            xs.SetPasswordWithToken(token=invitation, password=PASSWORD)
        )
    assert refused.value.code == "access.token_expired"


@pytest.mark.parametrize(
    "lifetimes",
    [
        72,
        "72h",
        _dt.timedelta(hours=72),
        {"invitation": _dt.timedelta(hours=72)},
        0,
    ],
    ids=["int", "str", "timedelta", "dict", "zero"],
)
def test_r2_6_bootstrap_refuses_token_lifetimes_that_are_no_token_lifetimes(
    clock: FixedClock, lifetimes: object
) -> None:
    """R2.6: ``bootstrap(token_lifetimes=72)`` is refused when the application is built, with
    a coded error — not when the first invitation is made (nor, for a falsy value, replaced by
    the defaults unnoticed)."""
    with pytest.raises(InvalidInput) as refused:
        xs.bootstrap(storage="memory", clock=clock, token_lifetimes=lifetimes)
    assert refused.value.code == "access.invalid_token_lifetime"
    assert refused.value.details == {"maximum": 720}
    assert refused.value.message("en") == "A token is valid for more than 0 and at most 720 hours."


@pytest.mark.parametrize(
    "lifetime",
    [
        _dt.timedelta(0),
        _dt.timedelta(seconds=-1),
        _dt.timedelta(days=30, microseconds=1),
        3600,
    ],
    ids=["zero", "negative", "over-30-days", "int"],
)
@pytest.mark.parametrize("purpose", ["invitation", "reset"])
def test_r2_6_a_token_lifetime_outside_0_to_30_days_is_refused_when_built(
    lifetime: object, purpose: str
) -> None:
    """R2.6: each lifetime is more than zero and at most 30 days (``MAX_TOKEN_LIFETIME``)."""
    with pytest.raises(InvalidInput) as refused:
        xs.TokenLifetimes(**{purpose: lifetime})  # type: ignore[arg-type]
    assert refused.value.code == "access.invalid_token_lifetime"


@pytest.mark.parametrize(
    "valid_for",
    [_dt.timedelta(0), _dt.timedelta(seconds=-1), _dt.timedelta(days=30, microseconds=1)],
    ids=["zero", "negative", "over-30-days"],
)
@pytest.mark.parametrize("purpose", [xs.TokenPurpose.INVITATION, xs.TokenPurpose.RESET])
def test_r2_6_a_token_valid_for_zero_or_outside_30_days_is_refused(
    clock: FixedClock, valid_for: _dt.timedelta, purpose: xs.TokenPurpose
) -> None:
    """R2.6: a token's own lifetime (``valid_for``) is more than zero and at most 30 days — a
    zero lifetime is refused like a negative one, not taken for "no lifetime given" and
    replaced by the default unnoticed; nothing is issued."""
    app = xs.bootstrap(storage="memory", clock=clock)
    admin = app.installation.create_super_administrator("Beheer", "beheer@example.nl")
    anne = app.access.create_user(xs.CreateUser(actor=admin, name="Anne", email="anne@example.nl"))
    with pytest.raises(InvalidInput) as refused:
        app.passwords.issue_token(
            xs.IssuePasswordToken(actor=admin, user_id=anne, purpose=purpose, valid_for=valid_for)
        )
    assert refused.value.code == "access.invalid_token_lifetime"


@attrs.frozen
class _LongerInvitations(xs.TokenLifetimes):
    """A subclass that redefines a field: attrs drops the base class's validator with it."""

    invitation: _dt.timedelta = _dt.timedelta(days=365)


def _unvalidated() -> xs.TokenLifetimes:
    with attrs.validators.disabled():
        return xs.TokenLifetimes(invitation=_dt.timedelta(days=-1))


@pytest.mark.parametrize(
    "lifetimes", [_LongerInvitations, _unvalidated], ids=["subclass", "validators-disabled"]
)
def test_r2_6_bootstrap_refuses_a_token_lifetimes_whose_fields_escaped_its_validators(
    clock: FixedClock, lifetimes: Callable[[], xs.TokenLifetimes]
) -> None:
    """R2.6: a TokenLifetimes whose lifetimes escaped its validators (a subclass redefining a
    field, validators switched off) is still refused when the application is built — the API's
    invitation takes the configured lifetime without checking it again."""
    with pytest.raises(InvalidInput) as refused:
        xs.bootstrap(storage="memory", clock=clock, token_lifetimes=lifetimes())
    assert refused.value.code == "access.invalid_token_lifetime"


def test_r2_6_configured_lifetimes_set_the_expiry_of_every_token(
    clock: FixedClock,
) -> None:
    """R2.6: ``bootstrap(token_lifetimes=...)`` reaches the invitation and reset tokens; 30
    days exactly is allowed."""
    app = xs.bootstrap(
        storage="memory",
        clock=clock,
        token_lifetimes=xs.TokenLifetimes(
            invitation=_dt.timedelta(days=30), reset=_dt.timedelta(minutes=10)
        ),
    )
    admin = app.installation.create_super_administrator("Beheer", "beheer@example.nl")
    anne = app.access.create_user(xs.CreateUser(actor=admin, name="Anne", email="anne@example.nl"))
    reset = app.passwords.issue_token(
        xs.IssuePasswordToken(actor=admin, user_id=anne, purpose=xs.TokenPurpose.RESET)
    )
    invitation = app.passwords.issue_token(
        xs.IssuePasswordToken(actor=admin, user_id=anne, purpose=xs.TokenPurpose.INVITATION)
    )
    assert reset.expires_at == clock.now() + _dt.timedelta(minutes=10)
    assert invitation.expires_at == clock.now() + _dt.timedelta(days=30)


@pytest.mark.parametrize("token", ["", "x" * 300, "onbekend-token"])
def test_r2_6_an_unknown_token_is_refused_and_nothing_changes(
    app: xs.Xs, admin: uuid.UUID, anne: uuid.UUID, token: str
) -> None:
    before = len(app.outbox.pending(1000, subscription="test"))
    with pytest.raises(InvalidInput) as refused:
        app.credentials.set_password_with_token(xs.SetPasswordWithToken(token=token, password=NEW))
    assert refused.value.code == "access.token_unknown"
    assert len(app.outbox.pending(1000, subscription="test")) == before


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("kort", "access.password_too_short"),
        ("elf tekens!", "access.password_too_short"),
        ("x" * 1025, "access.password_too_long"),
        ("Anne@Example.nl ", "access.password_is_email"),
        ("wachtwoord1234", "access.password_common"),
        ("WELKOM123456", "access.password_common"),
    ],
)
def test_r2_6_a_weak_password_is_refused_with_its_code_and_nothing_changes(
    app: xs.Xs, admin: uuid.UUID, anne: uuid.UUID, password: str, code: str
) -> None:
    token = _invite(app, admin, anne)
    before = _outbox_names(app)
    with pytest.raises(InvalidInput) as refused:
        app.credentials.set_password_with_token(
            xs.SetPasswordWithToken(token=token, password=password)
        )
    assert refused.value.code == code
    assert password not in str(refused.value) and password not in repr(refused.value.details)
    assert _outbox_names(app) == before
    # the token was not used up by the refusal
    app.credentials.set_password_with_token(xs.SetPasswordWithToken(token=token, password=PASSWORD))


def test_r2_6_the_password_may_not_be_the_e_mail_address(app: xs.Xs, admin: uuid.UUID) -> None:
    user = app.access.create_user(
        xs.CreateUser(actor=admin, name="Lang", email="lange.naam@example.nl")
    )
    with pytest.raises(InvalidInput) as refused:
        app.passwords.set_password(
            xs.SetPassword(actor=admin, user_id=user, password="Lange.Naam@example.nl")
        )
    assert refused.value.code == "access.password_is_email"


def test_r2_6_changing_needs_the_current_password(
    app: xs.Xs, admin: uuid.UUID, anne: uuid.UUID
) -> None:
    _with_password(app, admin, anne)
    with pytest.raises(NotAllowed) as refused:
        app.credentials.change_password(
            xs.ChangePassword(actor=anne, current_password="verkeerd wachtwoord", new_password=NEW)
        )
    assert refused.value.code == "access.wrong_password"
    app.credentials.change_password(
        xs.ChangePassword(actor=anne, current_password=PASSWORD, new_password=NEW)
    )
    app.credentials.verify_password(xs.VerifyPassword(email="anne@example.nl", password=NEW))


def test_r0_6_only_who_manages_a_user_sets_their_password_or_issues_tokens(
    app: xs.Xs, admin: uuid.UUID, anne: uuid.UUID
) -> None:
    with pytest.raises(DomainError) as refused:
        app.passwords.set_password(xs.SetPassword(actor=anne, user_id=admin, password=NEW))
    assert refused.value.code == "access.not_authorised"
    with pytest.raises(DomainError):
        app.passwords.issue_token(
            xs.IssuePasswordToken(actor=anne, user_id=admin, purpose=xs.TokenPurpose.RESET)
        )


def test_r2_6_passwords_and_tokens_never_show_in_reprs_or_events(
    app: xs.Xs, admin: uuid.UUID, anne: uuid.UUID
) -> None:
    issued = app.passwords.issue_token(
        xs.IssuePasswordToken(actor=admin, user_id=anne, purpose=xs.TokenPurpose.INVITATION)
    )
    command = xs.SetPasswordWithToken(token=issued.token, password=PASSWORD)
    assert issued.token not in repr(issued) and PASSWORD not in repr(command)
    assert issued.token not in repr(command)
    app.credentials.set_password_with_token(command)
    payloads = repr([m.payload for m in app.outbox.pending(1000, subscription="test")])
    assert issued.token not in payloads and PASSWORD not in payloads
    names = _outbox_names(app)
    assert names[-2:] == ["PasswordTokenIssued", "PasswordChanged"]


# -- the password-change e-mail (R2.6) ------------------------------------------------------------


def test_r2_6_a_password_change_mails_the_standard_text_after_commit(
    app: xs.Xs, admin: uuid.UUID, anne: uuid.UUID
) -> None:
    token = _invite(app, admin, anne)
    app.credentials.set_password_with_token(xs.SetPasswordWithToken(token=token, password=PASSWORD))
    mailer = _mailer(app)
    assert mailer.sent == []  # nothing inside the use case
    report = app.mail_dispatcher.dispatch()
    assert report.delivered == 1 and report.skipped >= 2  # UserCreated, PasswordTokenIssued …
    (mail,) = mailer.sent
    assert mail.recipient == "anne@example.nl"
    assert mail.subject == "Je wachtwoord is gewijzigd"
    assert "Beste Anne" in mail.text
    assert f"gewijzigd op {local_time(app.clock.now(), 'nl')}." in mail.text
    assert mail.message_id.startswith("<xs-outbox-") and mail.message_id.endswith("@xs.invalid>")
    assert "niet zelf gedaan" in mail.text and "Beste Anne" in mail.html
    for part in (mail.subject, mail.text, mail.html):
        assert PASSWORD not in part and token not in part
    assert app.mail_dispatcher.dispatch().claimed == 0  # acknowledged


def test_r2_6_the_user_s_language_chooses_the_standard_text(
    app: xs.Xs, admin: uuid.UUID, anne: uuid.UUID
) -> None:
    app.passwords.set_language(xs.SetLanguage(actor=admin, user_id=anne, language="en"))
    app.passwords.set_password(xs.SetPassword(actor=admin, user_id=anne, password=PASSWORD))
    app.mail_dispatcher.dispatch()
    (mail,) = _mailer(app).sent
    assert mail.subject == "Your password was changed"
    assert f"changed on {local_time(app.clock.now(), 'en')}." in mail.text
    assert local_time(app.clock.now(), "en").endswith("at 12:00 (Europe/Amsterdam)")
    with pytest.raises(InvalidInput) as refused:
        app.passwords.set_language(xs.SetLanguage(actor=admin, user_id=anne, language="de"))
    assert refused.value.code == "access.invalid_language"


def test_r2_6_a_custom_template_always_wins_and_is_autoescaped(
    app: xs.Xs, admin: uuid.UUID, anne: uuid.UUID
) -> None:
    app.mail_templates.set_template(
        xs.SetMailTemplate(
            actor=admin,
            event=E,
            language="nl",
            subject="Let op, {{ user_name }}",
            text="Gewijzigd op {{ changed_at }}. Vragen? {{ support_contact }}",
            html="<p>Gewijzigd: <b>{{ changed_at }}</b> voor {{ user_name }}</p>",
        )
    )
    tricky = app.access.create_user(
        xs.CreateUser(actor=admin, name="<script>x</script>", email="t@example.nl")
    )
    app.passwords.set_password(xs.SetPassword(actor=admin, user_id=tricky, password=PASSWORD))
    app.passwords.set_password(xs.SetPassword(actor=admin, user_id=anne, password=PASSWORD))
    app.mail_dispatcher.dispatch()
    first, second = _mailer(app).sent
    assert first.subject == "Let op, <script>x</script>"  # text parts are not HTML
    assert "&lt;script&gt;" in first.html and "<script>" not in first.html
    assert second.subject == "Let op, Anne"
    assert second.text.startswith(f"Gewijzigd op {local_time(app.clock.now(), 'nl')}")
    # removing it brings the standard text back
    app.mail_templates.remove_template(xs.RemoveMailTemplate(actor=admin, event=E, language="nl"))
    app.passwords.set_password(xs.SetPassword(actor=admin, user_id=anne, password=NEW))
    app.mail_dispatcher.dispatch()
    assert _mailer(app).sent[-1].subject == "Je wachtwoord is gewijzigd"


@pytest.mark.parametrize(
    ("part", "source", "code"),
    [
        ("text", "Hallo\n{% if user_name %}\n{{ user_name }", "mail.template_syntax"),
        ("html", "{{ password }}", "mail.template_unknown_variable"),
        ("subject", "{{ ''.__class__ }}", "mail.template_forbidden"),
        ("text", "{% include '/etc/passwd' %}", "mail.template_forbidden"),
        ("text", "", "mail.template_empty"),
        ("text", "x" * 20_001, "input.too_long"),
    ],
)
def test_r2_6_a_bad_template_is_refused_on_save_and_nothing_is_stored(
    app: xs.Xs, admin: uuid.UUID, part: str, source: str, code: str
) -> None:
    parts = {"subject": "Onderwerp", "text": "Tekst", "html": "<p>HTML</p>", part: source}
    with pytest.raises(InvalidInput) as refused:
        app.mail_templates.set_template(
            xs.SetMailTemplate(actor=admin, event=E, language="nl", **parts)
        )
    assert refused.value.code == code
    if code == "mail.template_syntax":
        assert refused.value.details["line"] == 3
    views = app.mail_templates.templates(xs.ListMailTemplates(actor=admin))
    assert [(v.language, v.custom) for v in views if v.event is E] == [("nl", False), ("en", False)]


def test_r2_6_templates_are_for_administrators_and_preview_uses_sample_values(
    app: xs.Xs, admin: uuid.UUID, anne: uuid.UUID
) -> None:
    with pytest.raises(DomainError) as refused:
        app.mail_templates.templates(xs.ListMailTemplates(actor=anne))
    assert refused.value.code == "access.not_authorised"
    preview = app.mail_templates.preview(
        xs.PreviewMailTemplate(actor=admin, event=E, language="en", subject="Hi {{ user_name }}")
    )
    assert preview.subject == "Hi Anne de Vries" and "Dear Anne de Vries" in preview.text
    with pytest.raises(NotFound):
        app.mail_templates.remove_template(
            xs.RemoveMailTemplate(actor=admin, event=E, language="en")
        )
    assert Feature.MANAGE_MAIL_TEMPLATES.value == "mail.manage_templates"


# -- delivery after commit (R0.7) -----------------------------------------------------------------


def test_r0_7_a_rolled_back_use_case_sends_nothing(
    app: xs.Xs, admin: uuid.UUID, anne: uuid.UUID
) -> None:
    token = _invite(app, admin, anne)
    with pytest.raises(InvalidInput):  # refused after the account was looked at
        app.credentials.set_password_with_token(
            xs.SetPasswordWithToken(token=token, password="wachtwoord1234")
        )
    with app.unit_of_work() as uow:  # a use case that fails after recording the event
        uow.publish(xs.PasswordChanged(user_id=anne, changed_at=app.clock.now(), changed_by="user"))
        uow.rollback()
    app.mail_dispatcher.dispatch_all()
    assert _mailer(app).sent == []


def test_r0_7_a_failing_mailer_is_retried_with_back_off_and_nothing_is_lost(
    app: xs.Xs, admin: uuid.UUID, anne: uuid.UUID, clock: FixedClock
) -> None:
    for _ in range(3):
        app.passwords.set_password(xs.SetPassword(actor=admin, user_id=anne, password=PASSWORD))
    mailer = _mailer(app)
    mailer.fail_next(2)
    first = app.mail_dispatcher.dispatch(consumer="m1")
    assert (first.delivered, first.failed) == (0, 3)  # a passing failure holds the batch back
    clock.advance(seconds=29)
    assert app.mail_dispatcher.dispatch(consumer="m1").claimed == 0  # back-off: 30 s
    clock.advance(seconds=1)
    second = app.mail_dispatcher.dispatch(consumer="m1")
    assert (second.delivered, second.failed) == (0, 3)
    clock.advance(seconds=59)
    assert app.mail_dispatcher.dispatch(consumer="m1").claimed == 0  # then 60 s
    clock.advance(seconds=1)
    third = app.mail_dispatcher.dispatch(consumer="m1")
    assert third.delivered == 3 and len(mailer.sent) == 3
    assert len({m.message_id for m in mailer.sent}) == 3


def test_r0_7_a_crash_between_delivery_and_acknowledgement_delivers_again_with_the_same_id(
    app: xs.Xs, admin: uuid.UUID, anne: uuid.UUID, clock: FixedClock
) -> None:
    app.passwords.set_password(xs.SetPassword(actor=admin, user_id=anne, password=PASSWORD))
    mailer = _mailer(app)
    dispatcher = app.mail_dispatcher

    def crash(*args: object) -> None:
        raise SystemExit("killed before the acknowledgement")

    settle = dispatcher._settle
    dispatcher._settle = crash  # type: ignore[method-assign]
    with pytest.raises(SystemExit):
        dispatcher.dispatch(lease=_dt.timedelta(seconds=60))
    dispatcher._settle = settle  # type: ignore[method-assign]
    assert len(mailer.sent) == 1
    assert dispatcher.dispatch().claimed == 0  # still leased
    clock.advance(seconds=61)
    assert dispatcher.dispatch().delivered == 1
    first, again = mailer.sent
    assert first.message_id == again.message_id and first == again
    assert dispatcher.dispatch().claimed == 0


def test_r2_6_the_directory_mailer_writes_a_multipart_utf8_message(
    tmp_path: Path, app: xs.Xs, admin: uuid.UUID, anne: uuid.UUID
) -> None:
    app.passwords.set_password(xs.SetPassword(actor=admin, user_id=anne, password=PASSWORD))
    app.mail_dispatcher.dispatch()
    (mail,) = _mailer(app).sent
    directory = DirectoryMailer(tmp_path / "mail")
    directory.send(mail)
    directory.send(mail)  # the same message again replaces the same file
    (written,) = (tmp_path / "mail").iterdir()
    parsed = email.message_from_bytes(written.read_bytes(), policy=default_policy)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Message-ID"] == mail.message_id and parsed["To"] == "anne@example.nl"
    assert parsed.get_content_type() == "multipart/alternative"
    plain = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    assert plain is not None and html is not None
    assert "Beste Anne" in plain.get_content() and "<p>Beste Anne" in html.get_content()
    assert build_message(mail)["Auto-Submitted"] == "auto-generated"


def test_r2_6_argon2_and_jinja2_load_on_first_use_not_at_bootstrap() -> None:
    import subprocess
    import sys

    code = (
        "import sys, xs\n"
        "app = xs.bootstrap(storage='memory')\n"
        "print(sorted(m for m in ('jinja2', 'argon2') if m in sys.modules))\n"
        "admin = app.installation.create_super_administrator('B', 'b@example.nl')\n"
        "app.passwords.set_password(xs.SetPassword(actor=admin, user_id=admin,"
        " password='paarden eten graag hooi'))\n"
        "app.mail_dispatcher.dispatch()\n"
        "print(sorted(m for m in ('jinja2', 'argon2') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.splitlines() == ["[]", "['argon2', 'jinja2']"]
