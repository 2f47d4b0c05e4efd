"""Use cases of custom mail templates (R2.6): list, set (validated on save), remove, preview.

Administrators holding ``mail.manage_templates`` manage one template per event and language;
saving validates it in the sandbox (syntax errors with the line, unknown variables, forbidden
constructs), so that a stored template always renders. A custom template always wins over the
standard text; removing it brings the standard text back.
"""

from __future__ import annotations

import uuid

import attrs

from xs_app.services.base import Service, UowFactory
from xs_app.services.command import Command
from xs_core.access.features import Feature
from xs_core.access.passwords import valid_language
from xs_core.clock import Clock
from xs_core.errors import NotFound, register_messages
from xs_core.mail.model import (
    TEMPLATE_VARIABLES,
    MailTemplate,
    MailTemplateRemoved,
    MailTemplateSaved,
    MailTemplateSet,
    RenderedMail,
    TemplateEvent,
    TemplateRenderer,
)

register_messages(
    {
        "mail.no_template": (
            "Er is geen eigen sjabloon voor {event} in taal {language}.",
            "There is no custom template for {event} in language {language}.",
        ),
    },
    kind=NotFound,
)

#: The sample values a preview renders with.
SAMPLE_VARIABLES: dict[str, str] = {
    "user_name": "Anne de Vries",
    "changed_at": "3 december 2026 om 09:15 (Europe/Amsterdam)",
    "support_contact": "support@example.nl",
}


@attrs.frozen(kw_only=True)
class ListMailTemplates(Command):
    actor: uuid.UUID


@attrs.frozen(kw_only=True)
class SetMailTemplate(Command):
    """Store the custom template of ``event`` in ``language`` (replacing one there was)."""

    actor: uuid.UUID
    event: TemplateEvent
    language: str
    subject: str
    text: str
    html: str


@attrs.frozen(kw_only=True)
class RemoveMailTemplate(Command):
    actor: uuid.UUID
    event: TemplateEvent
    language: str


@attrs.frozen(kw_only=True)
class PreviewMailTemplate(Command):
    """Render with sample values: the given parts (unsaved), else the stored custom template,
    else the standard text."""

    actor: uuid.UUID
    event: TemplateEvent
    language: str
    subject: str | None = None
    text: str | None = None
    html: str | None = None


@attrs.frozen(kw_only=True)
class TemplateView:
    """A template as listed: custom or standard, its parts and its documented variables."""

    event: TemplateEvent
    language: str
    custom: bool
    parts: MailTemplateSet
    variables: tuple[str, ...]


class MailTemplateService(Service):
    """Custom mail templates (R2.6)."""

    def __init__(self, uow_factory: UowFactory, clock: Clock, renderer: TemplateRenderer) -> None:
        super().__init__(uow_factory, clock)
        self._renderer = renderer

    def templates(self, cmd: ListMailTemplates) -> list[TemplateView]:
        """Every event and language: the custom template where one exists, else the standard."""
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_MAIL_TEMPLATES)
            custom = {(t.event, t.language): t for t in uow.mail_templates.list()}
        views = []
        for event in TemplateEvent:
            for language in ("nl", "en"):
                found = custom.get((event, language))
                views.append(
                    TemplateView(
                        event=event,
                        language=language,
                        custom=found is not None,
                        parts=found.parts
                        if found is not None
                        else self._renderer.standard(event, language),
                        variables=TEMPLATE_VARIABLES[event],
                    )
                )
        return views

    def set_template(self, cmd: SetMailTemplate) -> None:
        """Validate and store; a refused template changes nothing."""
        language = valid_language(cmd.language)
        parts = MailTemplateSet(subject=cmd.subject, text=cmd.text, html=cmd.html)
        self._renderer.validate(cmd.event, parts)
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.MANAGE_MAIL_TEMPLATES)
            auth.require_everything(principal)  # the templates are installation-wide
            uow.mail_templates.save(
                MailTemplate(
                    event=cmd.event,
                    language=language,
                    parts=parts,
                    updated_at=self._clock.now(),
                    updated_by=cmd.actor,
                )
            )
            uow.publish(
                MailTemplateSaved(
                    template_id=f"{cmd.event.value}:{language}",
                    event=cmd.event.value,
                    language=language,
                    saved_by=cmd.actor,
                )
            )
            uow.commit()

    def remove_template(self, cmd: RemoveMailTemplate) -> None:
        """Remove the custom template (``mail.no_template`` when there is none)."""
        language = valid_language(cmd.language)
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.MANAGE_MAIL_TEMPLATES)
            auth.require_everything(principal)
            if not uow.mail_templates.remove(cmd.event, language):
                raise NotFound("mail.no_template", {"event": cmd.event.value, "language": language})
            uow.publish(
                MailTemplateRemoved(
                    template_id=f"{cmd.event.value}:{language}",
                    event=cmd.event.value,
                    language=language,
                    removed_by=cmd.actor,
                )
            )
            uow.commit()

    def preview(self, cmd: PreviewMailTemplate) -> RenderedMail:
        """Render with sample values: the given parts, else the custom template, else the
        standard text; the parts are validated as on save."""
        language = valid_language(cmd.language)
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_MAIL_TEMPLATES)
            stored = uow.mail_templates.find(cmd.event, language)
        base = stored.parts if stored else self._renderer.standard(cmd.event, language)
        parts = MailTemplateSet(
            subject=base.subject if cmd.subject is None else cmd.subject,
            text=base.text if cmd.text is None else cmd.text,
            html=base.html if cmd.html is None else cmd.html,
        )
        self._renderer.validate(cmd.event, parts)
        return self._renderer.render(cmd.event, parts, SAMPLE_VARIABLES)


__all__ = [
    "ListMailTemplates",
    "MailTemplateService",
    "PreviewMailTemplate",
    "RemoveMailTemplate",
    "SetMailTemplate",
    "TemplateView",
]
