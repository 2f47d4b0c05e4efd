"""Passwords and secure messaging under real concurrent connections (R2.6, R2.7), on SQLite and
PostgreSQL: a token is used once however many redeem it at once; concurrent messages in one
dialog keep their order; concurrent dispatchers deliver each mail once."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest

import xs
from tests.races import ENGINES, codes, events, race, sql_app
from xs_adapters.clock import FixedClock
from xs_adapters.memory.mail import MemoryMailer

RACERS = 4


@pytest.fixture(params=ENGINES)
def app(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[xs.Xs]:
    yield from sql_app(request, clock)


def test_r2_6_a_token_redeemed_at_once_sets_the_password_once(app: xs.Xs) -> None:
    admin = app.installation.create_super_administrator("Beheer", "beheer@example.nl")
    anne = app.access.create_user(xs.CreateUser(actor=admin, name="Anne", email="a@example.nl"))
    token = app.passwords.issue_token(
        xs.IssuePasswordToken(actor=admin, user_id=anne, purpose=xs.TokenPurpose.RESET)
    ).token
    outcomes = race(
        *(
            partial(
                app.credentials.set_password_with_token,
                xs.SetPasswordWithToken(token=token, password=f"wachtwoord nummer {n}"),
            )
            for n in range(RACERS)
        )
    )
    assert codes(outcomes) == ["access.token_used"] * (RACERS - 1) + ["ok"]
    assert len(events(app, "PasswordChanged")) == 1


def test_r2_7_messages_sent_at_once_all_arrive_in_one_order(app: xs.Xs) -> None:
    admin = app.installation.create_super_administrator("Beheer", "beheer@example.nl")
    employer = app.organisation.create_employer(xs.CreateEmployer(actor=admin, name="Bakkerij"))
    unit = xs.UnitRef(xs.UnitKind.EMPLOYER, employer)
    dossier = app.organisation.open_dossier(xs.OpenDossier(actor=admin, unit=unit))
    anne = app.access.create_user(
        xs.CreateUser(actor=admin, name="Anne", email="a@example.nl", scope=frozenset({unit}))
    )
    dialog = app.messaging.start_dialog(
        xs.StartDialog(
            actor=admin, dossier_id=dossier, subject="Verzuim", participant_ids=frozenset({anne})
        )
    )
    outcomes = race(
        *(
            partial(
                app.messaging.send_message,
                xs.SendMessage(actor=admin, dialog_id=dialog, body=f"bericht {n}"),
            )
            for n in range(RACERS)
        )
    )
    assert codes(outcomes) == ["ok"] * RACERS
    view = app.messaging.dialog(xs.GetDialog(actor=admin, dialog_id=dialog))
    assert sorted(m.body for m in view.messages) == [f"bericht {n}" for n in range(RACERS)]
    assert {m.id for m in view.messages} == {o.value for o in outcomes}


def test_r0_7_dispatchers_running_at_once_deliver_each_mail_once(app: xs.Xs) -> None:
    admin = app.installation.create_super_administrator("Beheer", "beheer@example.nl")
    users = [
        app.access.create_user(xs.CreateUser(actor=admin, name=f"U{n}", email=f"u{n}@example.nl"))
        for n in range(6)
    ]
    for user in users:
        app.passwords.set_password(
            xs.SetPassword(actor=admin, user_id=user, password="paarden eten graag hooi")
        )
    sent = MemoryMailer()
    dispatchers = [
        xs.MailDispatcher(
            app.container.uow,
            app.clock,
            sent,
            app.container.mail_renderer(),
        )
        for _ in range(RACERS)
    ]
    outcomes = race(
        *(partial(d.dispatch_all, limit=2, consumer=f"m{n}") for n, d in enumerate(dispatchers))
    )
    assert all(o.code in ("ok", "storage.conflict") for o in outcomes), codes(outcomes)
    for d in dispatchers:  # whatever a loser left is taken by a later run
        d.dispatch_all(limit=100, consumer="after")
    assert sorted(m.recipient for m in sent.sent) == sorted(f"u{n}@example.nl" for n in range(6))
    assert len({m.message_id for m in sent.sent}) == 6
