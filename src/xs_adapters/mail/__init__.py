"""Mail adapters (R2.6): :mod:`~xs_adapters.mail.smtp` (SMTP), :mod:`~xs_adapters.mail.directory`
(``.eml`` files), :mod:`~xs_adapters.mail.message` (MIME messages) and
:mod:`~xs_adapters.mail.templates` (the Jinja2 sandbox). The package imports none of them, so
that a mailer does not load Jinja2. The in-memory mailer is
:class:`xs_adapters.memory.mail.MemoryMailer`.
"""
