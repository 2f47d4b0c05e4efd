"""Accounts, password tokens and custom mail templates in memory, held to the SQL stores'
contract (R2.6)."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Collection

import attrs

from xs_adapters.memory.clone import clone
from xs_adapters.memory.store import MemoryStore
from xs_core.access.passwords import Account, PasswordToken, Recipient
from xs_core.mail.model import MailTemplate, TemplateEvent


def _utc(at: _dt.datetime) -> _dt.datetime:
    return at.astimezone(_dt.UTC)


class MemoryAccountStore:
    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    def find(self, user_id: uuid.UUID) -> Account | None:
        found = self._s.accounts.get(user_id)
        return None if found is None else clone(found)

    def lock(self, user_id: uuid.UUID) -> Account | None:
        return self.find(user_id)

    def save(self, account: Account) -> None:
        stored = clone(account)
        if stored.password_changed_at is not None:
            stored.password_changed_at = _utc(stored.password_changed_at)
        self._s.accounts.put(account.user_id, stored)

    def add_token(self, token: PasswordToken) -> None:
        if self._s.password_tokens.find_keys("digest", token.digest):
            raise ValueError("a token with this digest exists")  # 2**256: never in practice
        self._s.password_tokens.put(
            token.id,
            attrs.evolve(
                token, created_at=_utc(token.created_at), expires_at=_utc(token.expires_at)
            ),
        )

    def lock_token(self, digest: str) -> PasswordToken | None:
        found = self._s.password_tokens.find("digest", digest)
        return found[0] if found else None

    def mark_token_used(self, token_id: uuid.UUID, at: _dt.datetime) -> None:
        token = self._s.password_tokens.get(token_id)
        if token is not None:
            self._s.password_tokens.put(token_id, attrs.evolve(token, used_at=_utc(at)))

    def revoke_tokens(self, user_id: uuid.UUID, at: _dt.datetime) -> int:
        count = 0
        for token in list(self._s.password_tokens.find("user", user_id)):
            if token.used_at is None:
                self.mark_token_used(token.id, at)
                count += 1
        return count

    def recipients(self, user_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Recipient]:
        found: dict[uuid.UUID, Recipient] = {}
        for user_id in set(user_ids):
            user = self._s.users.get(user_id)
            if user is None:
                continue
            account = self._s.accounts.get(user_id)
            found[user_id] = Recipient(
                user_id=user_id,
                name=user.name,
                email=user.email,
                language="nl" if account is None else account.language,
                active=user.active,
            )
        return found


class MemoryTemplateStore:
    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    def find(self, event: TemplateEvent, language: str) -> MailTemplate | None:
        return self._s.mail_templates.get((event.value, language))

    def save(self, template: MailTemplate) -> None:
        self._s.mail_templates.put(
            (template.event.value, template.language),
            attrs.evolve(template, updated_at=_utc(template.updated_at)),
        )

    def remove(self, event: TemplateEvent, language: str) -> bool:
        key = (event.value, language)
        if key not in self._s.mail_templates:
            return False
        self._s.mail_templates.delete(key)
        return True

    def list(self) -> list[MailTemplate]:
        return [self._s.mail_templates[k] for k in sorted(self._s.mail_templates.keys())]
