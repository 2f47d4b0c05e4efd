"""Mail adapters: SMTP, a directory of ``.eml`` files, and the Jinja2 sandbox renderer (R2.6).

The in-memory mailer is :class:`xs_adapters.memory.mail.MemoryMailer`.
"""

from xs_adapters.mail.directory import DirectoryMailer
from xs_adapters.mail.message import build_message
from xs_adapters.mail.smtp import SmtpMailer, SmtpSettings
from xs_adapters.mail.templates import SandboxRenderer

__all__ = ["DirectoryMailer", "SandboxRenderer", "SmtpMailer", "SmtpSettings", "build_message"]
