"""Accounts, password tokens and custom mail templates in SQL (R2.6)."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from xs_adapters.sql.locking import lock_row
from xs_adapters.sql.tables import mail_templates, password_tokens, user_accounts, users
from xs_core.access.passwords import Account, PasswordToken, Recipient, TokenPurpose
from xs_core.mail.model import MailTemplate, MailTemplateSet, TemplateEvent

_a, _t, _m = user_accounts, password_tokens, mail_templates


def _account(row: Any) -> Account:
    return Account(
        user_id=row.user_id,
        password_hash=row.password_hash,
        password_changed_at=row.password_changed_at,
        language=row.language,
    )


def _token(row: Any) -> PasswordToken:
    return PasswordToken(
        id=row.id,
        user_id=row.user_id,
        purpose=TokenPurpose(row.purpose),
        digest=row.digest,
        created_at=row.created_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
    )


class SqlAccountStore:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def find(self, user_id: uuid.UUID) -> Account | None:
        row = self._c.execute(sa.select(_a).where(_a.c.user_id == user_id)).first()
        return None if row is None else _account(row)

    def lock(self, user_id: uuid.UUID) -> Account | None:
        if not lock_row(self._c, _a, user_id, "user_id"):
            return None
        return self.find(user_id)

    def save(self, account: Account) -> None:
        values = {
            "password_hash": account.password_hash,
            "password_changed_at": account.password_changed_at,
            "language": account.language,
        }
        # one statement, for a first save too (it was an update, then an insert when the update
        # found no row); the callers hold the user's row lock, so saves do not race (R2.6)
        insert = (postgresql.insert if self._c.dialect.name == "postgresql" else sqlite.insert)(_a)
        self._c.execute(
            insert.values(user_id=account.user_id, **values).on_conflict_do_update(
                index_elements=[_a.c.user_id], set_=values
            )
        )

    def add_token(self, token: PasswordToken) -> None:
        self._c.execute(
            _t.insert().values(
                id=token.id,
                user_id=token.user_id,
                purpose=token.purpose.value,
                digest=token.digest,
                created_at=token.created_at,
                expires_at=token.expires_at,
                used_at=token.used_at,
            )
        )

    def lock_token(self, digest: str) -> PasswordToken | None:
        query = sa.select(_t).where(_t.c.digest == digest)
        if self._c.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self._c.execute(query).first()
        return None if row is None else _token(row)

    def mark_token_used(self, token_id: uuid.UUID, at: _dt.datetime) -> None:
        self._c.execute(_t.update().where(_t.c.id == token_id).values(used_at=at))

    def revoke_tokens(self, user_id: uuid.UUID, at: _dt.datetime) -> int:
        result = self._c.execute(
            _t.update().where(_t.c.user_id == user_id, _t.c.used_at.is_(None)).values(used_at=at)
        )
        return int(result.rowcount)

    def recipients(self, user_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Recipient]:
        ids = sorted(set(user_ids))
        found: dict[uuid.UUID, Recipient] = {}
        for start in range(0, len(ids), 1000):
            found.update(_recipients(self._c, ids[start : start + 1000]))
        return found


def _recipients(connection: Connection, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, Recipient]:
    query = (
        sa.select(users.c.id, users.c.name, users.c.email, users.c.active, _a.c.language)
        .select_from(users.outerjoin(_a, _a.c.user_id == users.c.id))
        .where(users.c.id.in_(user_ids))
    )
    return {
        row.id: Recipient(
            user_id=row.id,
            name=row.name,
            email=row.email,
            language=row.language or "nl",
            active=row.active,
        )
        for row in connection.execute(query)
    }


def _template(row: Any) -> MailTemplate:
    return MailTemplate(
        event=TemplateEvent(row.event),
        language=row.language,
        parts=MailTemplateSet(subject=row.subject, text=row.text, html=row.html),
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


class SqlTemplateStore:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def find(self, event: TemplateEvent, language: str) -> MailTemplate | None:
        row = self._c.execute(
            sa.select(_m).where(_m.c.event == event.value, _m.c.language == language)
        ).first()
        return None if row is None else _template(row)

    def save(self, template: MailTemplate) -> None:
        key = (_m.c.event == template.event.value, _m.c.language == template.language)
        values = {
            "subject": template.parts.subject,
            "text": template.parts.text,
            "html": template.parts.html,
            "updated_at": template.updated_at,
            "updated_by": template.updated_by,
        }
        if self._c.execute(_m.update().where(*key).values(**values)).rowcount == 0:
            self._c.execute(
                _m.insert().values(event=template.event.value, language=template.language, **values)
            )

    def remove(self, event: TemplateEvent, language: str) -> bool:
        result = self._c.execute(
            _m.delete().where(_m.c.event == event.value, _m.c.language == language)
        )
        return bool(result.rowcount)

    def list(self) -> list[MailTemplate]:
        rows = self._c.execute(sa.select(_m).order_by(_m.c.event, _m.c.language))
        return [_template(r) for r in rows]
