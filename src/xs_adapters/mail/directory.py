"""A mailer that writes each mail as an ``.eml`` file into a directory (the demo's default).

The file is named after the mail's message id, and written atomically (a temporary file in the
same directory, then renamed): a repeated delivery of the same message replaces the same file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from xs_adapters.mail.message import envelope
from xs_core.mail import Mail, MailDeliveryFailed


class DirectoryMailer:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def path_of(self, mail: Mail) -> Path:
        """Where ``mail`` is (or will be) written."""
        digest = hashlib.sha256(mail.message_id.encode("utf-8")).hexdigest()[:24]
        return self.directory / f"{digest}.eml"

    def send(self, mail: Mail) -> None:
        data = envelope(mail)[2]
        target = self.path_of(mail)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise MailDeliveryFailed(f"{type(error).__name__}: {error.strerror}") from error

    def close(self) -> None:
        pass
