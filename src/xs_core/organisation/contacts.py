"""The employer contact-person widget as a view model (R1.5)."""

from __future__ import annotations

import uuid

import attrs

from xs_core.organisation.model import ContactPerson, Employer


@attrs.frozen(kw_only=True)
class ContactPersonItem:
    """One contact person as the widget shows it."""

    id: uuid.UUID
    title: str
    expanded: bool
    name: str
    role: str | None
    email: str | None
    phone: str | None
    can_edit: bool
    can_delete: bool


@attrs.frozen(kw_only=True)
class ContactPersonWidget:
    """R1.5: the first (top) contact person expanded, the others collapsed by name; a title is
    the name followed by the role when there is one; edit/delete only for authorised viewers;
    order can be changed only by them too.
    """

    employer_id: uuid.UUID
    items: tuple[ContactPersonItem, ...]
    can_add: bool
    can_reorder: bool


def contact_person_widget(employer: Employer, viewer_may_manage: bool) -> ContactPersonWidget:
    """Build the widget for a viewer; ``viewer_may_manage`` is decided by the authoriser."""

    def item(index: int, person: ContactPerson) -> ContactPersonItem:
        return ContactPersonItem(
            id=person.id,
            title=person.title,
            expanded=index == 0,
            name=person.name,
            role=person.role,
            email=person.email,
            phone=person.phone,
            can_edit=viewer_may_manage,
            can_delete=viewer_may_manage,
        )

    return ContactPersonWidget(
        employer_id=employer.id,
        items=tuple(item(i, p) for i, p in enumerate(employer.contact_persons)),
        can_add=viewer_may_manage,
        can_reorder=viewer_may_manage and len(employer.contact_persons) > 1,
    )
