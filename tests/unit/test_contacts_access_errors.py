"""R1.5 contact-person widget, R0.6 access model, R0.5 error catalogue, R0.7 event payloads."""

from __future__ import annotations

import datetime as _dt
import re
import uuid

import pytest

from xs_core.access import ALL_FEATURES, Feature, Principal, Role, RoleKind, Scope, User
from xs_core.errors import MESSAGES, DomainError
from xs_core.organisation.contacts import contact_person_widget
from xs_core.organisation.model import ContactPerson, Employer
from xs_core.organisation.units import UnitKind, UnitRef


def _employer_with_contacts() -> Employer:
    employer = Employer.create("Bakkerij Jansen")
    employer.add_contact_person(
        ContactPerson.create("Anna de Vries", "HR-adviseur", "anna@example.nl", "06 12345678")
    )
    employer.add_contact_person(ContactPerson.create("Piet Bakker"))
    return employer


def test_r1_5_first_contact_expanded_titles_with_role() -> None:
    widget = contact_person_widget(_employer_with_contacts(), viewer_may_manage=False)
    assert [i.title for i in widget.items] == ["Anna de Vries (HR-adviseur)", "Piet Bakker"]
    assert [i.expanded for i in widget.items] == [True, False]
    assert widget.items[0].phone == "+31612345678"


def test_r1_5_edit_and_delete_only_for_authorised_viewers() -> None:
    employer = _employer_with_contacts()
    viewer = contact_person_widget(employer, viewer_may_manage=False)
    manager = contact_person_widget(employer, viewer_may_manage=True)
    assert not any(i.can_edit or i.can_delete for i in viewer.items)
    assert not viewer.can_add and not viewer.can_reorder
    assert all(i.can_edit and i.can_delete for i in manager.items)
    assert manager.can_add and manager.can_reorder


def test_r1_5_order_can_be_changed() -> None:
    employer = _employer_with_contacts()
    piet = employer.contact_persons[1]
    employer.move_contact_person(piet.id, 0)
    assert [p.name for p in employer.contact_persons] == ["Piet Bakker", "Anna de Vries"]
    assert contact_person_widget(employer, False).items[0].expanded
    with pytest.raises(DomainError) as missing:
        employer.remove_contact_person(uuid.uuid4())
    assert missing.value.code == "organisation.contact_person_not_found"


@pytest.mark.parametrize(
    ("email", "phone", "code"),
    [
        ("anna@", None, "contact.invalid_email"),
        ("not an address", None, "contact.invalid_email"),
        (None, "12", "contact.invalid_phone"),
        (None, "telefoon", "contact.invalid_phone"),
    ],
)
def test_r1_5_email_and_phone_are_validated(
    email: str | None, phone: str | None, code: str
) -> None:
    with pytest.raises(DomainError) as refused:
        ContactPerson.create("Anna", None, email, phone)
    assert refused.value.code == code


def test_r0_6_super_administrators_hold_every_feature_and_scope() -> None:
    admin = User.create("Beheer", "beheer@example.nl", super_administrator=True)
    principal = Principal.of(admin, [])
    assert principal.features == ALL_FEATURES
    assert principal.scope.everything


def test_r0_6_features_come_from_roles_and_not_from_inactive_users() -> None:
    agenda = Role.create("Planner", {Feature.PLAN_AVAILABILITIES})
    manager = Role.create("Beheerder", {Feature.MANAGE_ORGANISATION}, RoleKind.INTERNAL)
    user = User.create("Jan", "jan@example.nl", {agenda.id, manager.id})
    principal = Principal.of(user, [agenda, manager])
    assert principal.features == {Feature.PLAN_AVAILABILITIES, Feature.MANAGE_ORGANISATION}
    assert not principal.holds(Feature.CHANGE_FORMAL_REQUEST_DATE)
    user.active = False
    assert Principal.of(user, [agenda, manager]).features == frozenset()


def test_r0_6_formal_request_date_feature_is_in_the_catalogue() -> None:
    label = Feature.CHANGE_FORMAL_REQUEST_DATE.info.label_nl
    assert label == "Mag formele aanvraagdatum op oproepverzoek wijzigen"
    assert {f.info.module for f in Feature} >= {"agenda", "organisation", "access"}


def test_r0_6_a_scope_holds_folders_employers_and_departments_only() -> None:
    with pytest.raises(DomainError) as refused:
        Scope.of([UnitRef(UnitKind.EMPLOYEE, uuid.uuid4())])
    assert refused.value.code == "access.invalid_scope_unit"
    employer = UnitRef(UnitKind.EMPLOYER, uuid.uuid4())
    scope = Scope.of([employer])
    assert scope.includes_any([UnitRef(UnitKind.DEPARTMENT, uuid.uuid4()), employer])
    assert not scope.includes_any([UnitRef(UnitKind.EMPLOYER, uuid.uuid4())])


def test_r0_5_every_code_has_a_dutch_and_an_english_message_with_the_same_fields() -> None:
    import xs_core.access.model
    import xs_core.organisation.search  # noqa: F401

    assert len(MESSAGES) > 30
    for code, (nl, en) in MESSAGES.items():
        assert nl and en, code
        assert re.match(r"^[a-z_]+(\.[a-z_]+)*$", code), code
        assert set(re.findall(r"{(\w+)}", nl)) == set(re.findall(r"{(\w+)}", en)), code


@pytest.mark.usefixtures("unchecked_errors")
def test_r0_5_message_is_filled_from_details() -> None:
    error = DomainError("vat.unknown_country", {"country": "XX", "value": "XX1"})
    assert error.message("nl") == "Onbekende landcode 'XX' in BTW-nummer 'XX1'."
    assert error.message("en") == "Unknown country code 'XX' in VAT number 'XX1'."
    assert DomainError("no.such.code").message("en") == "no.such.code"


def test_r0_7_events_carry_json_ready_payloads() -> None:
    employer = Employer.create("Bakkerij Jansen", "BAK")
    employer.set_vat_number("NL004495445B01")
    created, vat = employer.pull_events()
    assert created.name == "EmployerCreated"
    assert created.payload() == {
        "employer_id": str(employer.id),
        "employer_name": "Bakkerij Jansen",
        "code": "BAK",
        "folder_id": None,
    }
    assert vat.payload()["vat_number"] == "NL004495445B01"
    assert employer.pull_events() == []
    assert _dt.date  # keep the import for type context
