"""The in-memory mailer: keeps what it was given, by message id (tests, ``storage="memory"``).

``fail_next(n)`` makes the next ``n`` sends fail as a passing failure, to test retries.
"""

from __future__ import annotations

import threading

from xs_core.mail import Mail, MailDeliveryFailed


class MemoryMailer:
    def __init__(self) -> None:
        self.sent: list[Mail] = []
        self._failures = 0
        self._lock = threading.Lock()

    def fail_next(self, count: int = 1) -> None:
        with self._lock:
            self._failures = count

    def send(self, mail: Mail) -> None:
        with self._lock:
            if self._failures > 0:
                self._failures -= 1
                raise MailDeliveryFailed("memory mailer told to fail")
            self.sent.append(mail)

    def by_message_id(self) -> dict[str, list[Mail]]:
        found: dict[str, list[Mail]] = {}
        for mail in self.sent:
            found.setdefault(mail.message_id, []).append(mail)
        return found

    def close(self) -> None:
        pass
