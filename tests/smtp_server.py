"""A real SMTP server for tests and benchmarks (aiosmtpd), that can refuse the next mails."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RecordingHandler:
    """Keeps the messages it accepts; refuses the next ``refuse`` ones with ``reply``."""

    def __init__(self, keep: bool = True) -> None:
        self.messages: list[Message] = []
        self.count = 0
        self.refuse = 0
        self.reply = "451 4.3.0 try again later"
        self.keep = keep
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self._lock:
            if self.refuse > 0:
                self.refuse -= 1
                return self.reply
            self.count += 1
            if self.keep:
                self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(keep: bool = True) -> Iterator[tuple[RecordingHandler, int]]:
    handler = RecordingHandler(keep)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()
