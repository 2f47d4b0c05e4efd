"""E-mail: the mail a use case leads to, the Mailer port, custom templates (R2.6)."""

from xs_core.mail.model import (
    DELIVERABLE_EVENTS,
    TEMPLATE_VARIABLES,
    Mail,
    MailDeliveryFailed,
    Mailer,
    MailTemplate,
    MailTemplateSet,
    RenderedMail,
    TemplateEvent,
    TemplateRenderer,
    TemplateStore,
)

__all__ = [
    "DELIVERABLE_EVENTS",
    "TEMPLATE_VARIABLES",
    "Mail",
    "MailDeliveryFailed",
    "MailTemplate",
    "MailTemplateSet",
    "Mailer",
    "RenderedMail",
    "TemplateEvent",
    "TemplateRenderer",
    "TemplateStore",
]
