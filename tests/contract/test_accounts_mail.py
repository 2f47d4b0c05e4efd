"""Contract of the password and mail ports (R2.6), run on memory, SQLite and PostgreSQL:
accounts, password tokens (stored by digest only, single use), custom mail templates, and the
outbox's ``defer`` that the mail dispatcher's back-off rests on (R0.7)."""

from __future__ import annotations

import datetime as _dt
import uuid

import pendulum
import pytest

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_core.access.model import User
from xs_core.access.passwords import Account, PasswordToken, TokenPurpose, token_digest
from xs_core.events import DomainEvent
from xs_core.mail.model import MailTemplate, MailTemplateSet, TemplateEvent
from xs_core.settings import ConfigurationParameterChanged

NOON = pendulum.datetime(2026, 12, 1, 12, tz="Europe/Amsterdam")
HOUR = _dt.timedelta(hours=1)


def _user(uow_factory: UowFactory, email: str = "anne@example.nl") -> uuid.UUID:
    with uow_factory() as uow:
        user = User.create("Anne", email)
        uow.users.add(user)
        uow.commit()
    return user.id


def _token(user_id: uuid.UUID, secret: str) -> PasswordToken:
    return PasswordToken(
        id=uuid.uuid4(),
        user_id=user_id,
        purpose=TokenPurpose.RESET,
        digest=token_digest(secret),
        created_at=NOON,
        expires_at=NOON + HOUR,
    )


class AccountsContract:
    def test_r2_6_an_account_is_saved_and_read_back_in_utc(self, uow_factory: UowFactory) -> None:
        user_id = _user(uow_factory)
        with uow_factory() as uow:
            assert uow.accounts.find(user_id) is None
            assert uow.accounts.lock(user_id) is None
            uow.accounts.save(
                Account(user_id=user_id, password_hash="$argon2id$x", password_changed_at=NOON)
            )
            uow.commit()
        with uow_factory() as uow:
            account = uow.accounts.lock(user_id)
            assert account is not None
            assert account.password_hash == "$argon2id$x" and account.language == "nl"
            assert account.password_changed_at == NOON
            offset = account.password_changed_at.utcoffset()
            assert offset is not None and offset.total_seconds() == 0
            account.language = "en"
            uow.accounts.save(account)
            uow.commit()
        with uow_factory(write=False) as uow:
            found = uow.accounts.find(user_id)
            assert found is not None and found.language == "en"

    def test_r2_6_a_rolled_back_account_change_is_not_there(self, uow_factory: UowFactory) -> None:
        user_id = _user(uow_factory)
        with uow_factory() as uow:
            uow.accounts.save(Account(user_id=user_id, password_hash="h"))
        with uow_factory(write=False) as uow:
            assert uow.accounts.find(user_id) is None

    def test_r2_6_tokens_are_found_by_digest_and_used_once(self, uow_factory: UowFactory) -> None:
        user_id = _user(uow_factory)
        token = _token(user_id, "geheim")
        with uow_factory() as uow:
            uow.accounts.add_token(token)
            uow.accounts.add_token(_token(user_id, "ander"))
            uow.commit()
        with uow_factory() as uow:
            found = uow.accounts.lock_token(token_digest("geheim"))
            assert found is not None and found.id == token.id and found.used_at is None
            assert found.expires_at == NOON + HOUR
            assert uow.accounts.lock_token(token_digest("onbekend")) is None
            uow.accounts.mark_token_used(token.id, NOON)
            uow.commit()
        with uow_factory() as uow:
            used = uow.accounts.lock_token(token_digest("geheim"))
            assert used is not None and used.used_at == NOON
            assert uow.accounts.revoke_tokens(user_id, NOON) == 1  # only the unused one
            assert uow.accounts.revoke_tokens(user_id, NOON) == 0
            uow.commit()

    def test_r2_6_the_token_itself_is_not_stored(self, uow_factory: UowFactory) -> None:
        user_id = _user(uow_factory)
        with uow_factory() as uow:
            uow.accounts.add_token(_token(user_id, "letterlijk-geheim"))
            uow.commit()
        with uow_factory(write=False) as uow:
            found = uow.accounts.lock_token(token_digest("letterlijk-geheim"))
            assert found is not None and "letterlijk-geheim" not in repr(found)
            assert found.digest != "letterlijk-geheim" and len(found.digest) == 64

    def test_r2_6_recipients_in_one_read(self, uow_factory: UowFactory) -> None:
        anne = _user(uow_factory)
        bob = _user(uow_factory, "bob@example.nl")
        with uow_factory() as uow:
            uow.accounts.save(Account(user_id=bob, language="en"))
            uow.commit()
        with uow_factory(write=False) as uow:
            found = uow.accounts.recipients([anne, bob, uuid.uuid4()])
        assert {k: (r.email, r.language, r.active) for k, r in found.items()} == {
            anne: ("anne@example.nl", "nl", True),
            bob: ("bob@example.nl", "en", True),
        }


class TemplatesContract:
    def test_r2_6_templates_by_event_and_language(self, uow_factory: UowFactory) -> None:
        admin = _user(uow_factory)
        event = TemplateEvent.PASSWORD_CHANGED
        parts = MailTemplateSet(subject="S {{ user_name }}", text="T", html="<p>H</p>")
        with uow_factory() as uow:
            assert uow.mail_templates.find(event, "nl") is None
            for language in ("nl", "en"):
                uow.mail_templates.save(
                    MailTemplate(
                        event=event,
                        language=language,
                        parts=parts,
                        updated_at=NOON,
                        updated_by=admin,
                    )
                )
            uow.commit()
        changed = MailTemplateSet(subject="Nieuw", text="T2", html="H2")
        with uow_factory() as uow:
            uow.mail_templates.save(
                MailTemplate(
                    event=event, language="nl", parts=changed, updated_at=NOON, updated_by=admin
                )
            )
            uow.commit()
        with uow_factory() as uow:
            found = uow.mail_templates.find(event, "nl")
            assert found is not None and found.parts == changed and found.updated_at == NOON
            assert [(t.language, t.parts.subject) for t in uow.mail_templates.list()] == [
                ("en", "S {{ user_name }}"),
                ("nl", "Nieuw"),
            ]
            assert uow.mail_templates.remove(event, "en") is True
            assert uow.mail_templates.remove(event, "en") is False
            uow.commit()
        with uow_factory(write=False) as uow:
            assert [t.language for t in uow.mail_templates.list()] == ["nl"]


def _publish(uow_factory: UowFactory, count: int) -> None:
    events: list[DomainEvent] = [
        ConfigurationParameterChanged(
            parameter_id="BusinessRules", old_value=0, new_value=1, changed_by=uuid.UUID(int=n)
        )
        for n in range(count)
    ]
    with uow_factory() as uow:
        for event in events:
            uow.publish(event)
        uow.commit()


class DeferContract:
    def test_r0_7_a_deferred_claim_comes_back_only_after_its_wait(
        self, uow_factory: UowFactory
    ) -> None:
        _publish(uow_factory, 3)
        with uow_factory() as uow:
            batch = uow.outbox.claim("mail", "c1", 10, NOON, NOON + HOUR)
            assert uow.outbox.defer("mail", "c2", [batch[0].id], NOON) == 0  # not c2's claim
            assert uow.outbox.defer("mail", "c1", [batch[0].id], NOON + 3 * HOUR) == 1
            uow.outbox.acknowledge("mail", [batch[1].id])
            assert uow.outbox.defer("mail", "c1", [batch[1].id], NOON) == 0  # acknowledged
            uow.commit()
        later = NOON + 2 * HOUR  # the lease ran out, the deferral did not
        with uow_factory() as uow:
            again = uow.outbox.claim("mail", "c1", 10, later, later + HOUR)
            uow.commit()
        assert [m.id for m in again] == [batch[2].id]
        latest = NOON + 4 * HOUR
        with uow_factory() as uow:
            again = uow.outbox.claim("mail", "c1", 10, latest, latest + HOUR)
            uow.commit()
        assert [(m.id, m.attempts) for m in again] == [(batch[0].id, 2), (batch[2].id, 3)]


class TestMemory(MemoryBackend, AccountsContract, TemplatesContract, DeferContract):
    pass


class TestSqlite(SqliteBackend, AccountsContract, TemplatesContract, DeferContract):
    pass


@pytest.mark.postgres
class TestPostgres(PostgresBackend, AccountsContract, TemplatesContract, DeferContract):
    pass
