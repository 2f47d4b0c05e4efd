"""R0.5: one set of input limits, enforced by the core, identical to the columns that store them.

The drift test walks every ``String`` column of the SQL tables: each one is registered below with
the core limit it must equal and either the core entry point that fills it (which must accept the
maximum and refuse one character more, with a coded error) or the enum whose values it stores
(which must fit). A new text column that is not registered here fails the test.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import pkgutil
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pendulum
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

import xs_core
from xs_adapters.sql import tables
from xs_core import limits
from xs_core.access.attempts import address_key
from xs_core.access.features import Feature
from xs_core.access.model import Role, RoleKind, User
from xs_core.access.passwords import LANGUAGES, TokenPurpose
from xs_core.agenda.model import (
    Activity,
    ActivityStatus,
    AppointmentLocation,
    AppointmentRequest,
    AppointmentStatus,
)
from xs_core.billing.contracts import (
    ContractKind,
    ContractModel,
    ContractModelType,
    Payer,
    PriceCategory,
    ServiceAgreement,
    Subscription,
)
from xs_core.billing.frequency import BillingFrequency
from xs_core.billing.invoicing import InvoiceBasisStatus
from xs_core.dates import DateRange
from xs_core.errors import MESSAGES, DomainError, InvalidInput
from xs_core.events import DomainEvent
from xs_core.mail.model import MailTemplateSet, TemplateEvent
from xs_core.messaging.model import Dialog, DocumentKind, valid_file_name
from xs_core.money import Money
from xs_core.organisation.model import (
    Address,
    Branch,
    ContactPerson,
    Department,
    Employee,
    Employer,
    Employment,
    EmploymentType,
    EndReason,
    Folder,
    Gender,
)
from xs_core.organisation.search import SearchQuery, index_name, search_branches
from xs_core.organisation.units import UnitKind
from xs_core.organisation.validation import valid_email
from xs_core.policies.model import InsuranceProduct, Insurer, Policy, ProductKind, Registration
from xs_core.policies.participation import ExclusionReason, Note, Source
from xs_core.protocols.bulk import SkipReason
from xs_core.protocols.compensation import CompensationReason
from xs_core.protocols.model import Protocol, ProtocolKind, TaskTemplate, Trajectory
from xs_core.protocols.sickness import add_recovery_report
from xs_core.reimbursements.batches import LineDecision
from xs_core.reimbursements.relations import PostalAddress, Relation, RelationKind
from xs_core.reports.wia import OutflowReason, WiaBenefit
from xs_core.settings import Parameter

D = _dt.date
TODAY = D(2026, 11, 29)
ID = uuid.UUID(int=1)
PERIOD = DateRange(D(2026, 1, 1), D(2027, 1, 1))


def _employee(**fields: str) -> Employee:
    values = {"first_name": "Anna", "last_name": "Jansen", **fields}
    return Employee.register(
        values["first_name"], values["last_name"], personnel_number=values.get("personnel")
    )


def _changed_employee(**fields: str) -> None:
    _employee().change(**fields)


def _job_title(text: str) -> None:
    employment = Employment.create(id=ID, employer_id=ID, period=PERIOD, job_title=text)
    employment.change(D(2026, 6, 1), job_title=text)


def _protocol() -> Protocol:
    return Protocol.create("Verzuim", ProtocolKind.SICKNESS)


def _task(**fields: str) -> None:
    trajectory = Trajectory.start(_protocol(), ID, D(2026, 1, 5), TODAY)
    values = {"code": "CODE", "title": "Titel", "reason": None, **fields}
    trajectory.add_task(values["code"], values["title"], TODAY, values["reason"])


def _model(name: str = "Model", activity_type: str = "Spreekuur") -> ContractModel:
    return ContractModel.create(
        name,
        ContractKind.SALES,
        BillingFrequency.YEARLY,
        PERIOD,
        [PriceCategory(activity_type=activity_type, price=Money("10.00"))],
    )


def _agreement(variation: str | None = None) -> ServiceAgreement:
    return ServiceAgreement.conclude(ID, _model(), PERIOD, variation)


def _subscription(description: str) -> None:
    Subscription.subscribe(_agreement(), description, Money("100.00"), PERIOD)


def _policy(number: str = "P-1") -> Policy:
    return Policy.create(ID, ID, number, PERIOD)


def _manual_registration(note: str) -> None:
    Registration.manual(_policy(), ID, PERIOD, False, TODAY, note)


#: Text columns filled through a core entry point: (constant in limits, entry point).
TEXT: dict[tuple[str, str], tuple[str, Callable[[str], object]]] = {
    ("folders", "name"): ("NAME", Folder.create),
    ("employers", "name"): ("NAME", lambda t: Employer.create("x").change(name=t)),
    ("employers", "code"): ("CODE", lambda t: Employer.create("x", code=t)),
    ("employer_contact_persons", "name"): ("NAME", ContactPerson.create),
    ("employer_contact_persons", "role"): ("CONTACT_ROLE", lambda t: ContactPerson.create("x", t)),
    ("departments", "name"): ("NAME", lambda t: Department.create(ID, t)),
    ("departments", "code"): ("CODE", lambda t: Department.create(ID, "x").change(code=t)),
    ("branches", "name"): ("NAME", lambda t: Branch.create(ID, "x").change(name=t)),
    ("branches", "code"): ("CODE", lambda t: Branch.create(ID, "x", t)),
    ("branches", "street"): ("STREET", lambda t: Address.create(street=t)),
    ("branches", "house_number"): ("HOUSE_NUMBER", lambda t: Address(house_number=t)),
    ("branches", "postcode"): ("POSTCODE", lambda t: Address.create(postcode=t)),
    ("branches", "city"): ("CITY", lambda t: Address(city=t)),
    ("employees", "first_name"): ("FIRST_NAME", lambda t: _employee(first_name=t)),
    ("employees", "last_name"): ("LAST_NAME", lambda t: _changed_employee(last_name=t)),
    ("employees", "personnel_number"): ("PERSONNEL_NUMBER", lambda t: _employee(personnel=t)),
    ("employment_versions", "job_title"): ("JOB_TITLE", _job_title),
    ("roles", "name"): ("NAME", lambda t: Role.create(t, [])),
    ("users", "name"): ("NAME", lambda t: User.create(t, "anna@example.nl")),
    ("protocols", "name"): ("NAME", lambda t: Protocol.create(t, ProtocolKind.PMO)),
    ("protocol_task_templates", "code"): ("TASK_CODE", lambda t: TaskTemplate(code=t, title="x")),
    ("protocol_task_templates", "title"): ("TASK_TITLE", lambda t: TaskTemplate(code="x", title=t)),
    ("protocol_variations", "name"): ("NAME", lambda t: _protocol().add_variation(t)),
    ("trajectory_tasks", "code"): ("TASK_CODE", lambda t: _task(code=t)),
    ("trajectory_tasks", "title"): ("TASK_TITLE", lambda t: _task(title=t)),
    ("trajectory_tasks", "reason"): ("TASK_REASON", lambda t: _task(reason=t)),
    ("appointment_locations", "name"): ("NAME", AppointmentLocation.create),
    ("appointment_requests", "purpose"): (
        "PURPOSE",
        lambda t: AppointmentRequest.create(ID, t, PERIOD, pendulum.Date(2026, 1, 1)),
    ),
    ("activities", "activity_type"): (
        "ACTIVITY_TYPE",
        lambda t: Activity.register(ID, ID, t, D(2026, 1, 1)),
    ),
    ("contract_models", "name"): ("NAME", _model),
    ("price_categories", "activity_type"): ("ACTIVITY_TYPE", lambda t: _model(activity_type=t)),
    ("service_agreements", "service_variation"): ("SERVICE_VARIATION", _agreement),
    ("subscriptions", "description"): ("DESCRIPTION", _subscription),
    ("insurers", "name"): ("NAME", Insurer.create),
    ("insurers", "code"): ("CODE", lambda t: Insurer.create("x", t)),
    ("insurance_products", "name"): (
        "NAME",
        lambda t: InsuranceProduct.create(ID, t, ProductKind.OTHER),
    ),
    ("insurance_products", "code"): (
        "CODE",
        lambda t: InsuranceProduct.create(ID, "x", ProductKind.OTHER, t),
    ),
    ("insurance_policies", "number"): ("POLICY_NUMBER", _policy),
    ("policy_registrations", "note"): ("REGISTRATION_NOTE", _manual_registration),
    # R2.6: custom mail templates
    ("mail_templates", "subject"): (
        "MAIL_SUBJECT",
        lambda t: MailTemplateSet(subject=t, text="x", html="x"),
    ),
    ("mail_templates", "text"): (
        "MAIL_TEMPLATE",
        lambda t: MailTemplateSet(subject="x", text=t, html="x"),
    ),
    ("mail_templates", "html"): (
        "MAIL_TEMPLATE",
        lambda t: MailTemplateSet(subject="x", text="x", html=t),
    ),
    # R2.7: documents and dialogs
    ("documents", "file_name"): ("FILE_NAME", valid_file_name),
    ("dialogs", "subject"): (
        "DIALOG_SUBJECT",
        lambda t: Dialog.start(ID, t, ID, [uuid.uuid4()], _dt.datetime.now(_dt.UTC)),
    ),
    ("dialog_messages", "body"): (
        "MESSAGE_BODY",
        lambda t: Dialog.start(ID, "x", ID, [uuid.uuid4()], _dt.datetime.now(_dt.UTC)).message(
            ID, t, (), _dt.datetime.now(_dt.UTC)
        ),
    ),
    # an invoice line copies the activity's type (billed from ``activities``)
    ("invoice_activity_lines", "activity_type"): (
        "ACTIVITY_TYPE",
        lambda t: Activity.register(ID, ID, t, D(2026, 1, 1)),
    ),
    # reimbursements (R5.2, R5.5); a batch line copies the activity's type
    ("relations", "name"): ("NAME", lambda t: Relation.create(RelationKind.SUPPLIER, t, "X")),
    ("relations", "code"): ("CODE", lambda t: Relation.create(RelationKind.SUPPLIER, "x", t)),
    ("relations", "street"): ("STREET", lambda t: PostalAddress.create(street=t)),
    ("relations", "house_number"): ("HOUSE_NUMBER", lambda t: PostalAddress.create(house_number=t)),
    ("relations", "postcode"): (
        "POSTCODE",
        lambda t: PostalAddress.create(postcode=t, country="BE"),
    ),
    ("relations", "city"): ("CITY", lambda t: PostalAddress.create(city=t)),
    ("reimbursement_lines", "activity_type"): (
        "ACTIVITY_TYPE",
        lambda t: Activity.register(ID, ID, t, D(2026, 1, 1)),
    ),
}

#: Text columns that store enum values: (constant in limits, the enum).
ENUMS: dict[tuple[str, str], tuple[str, type[Any]]] = {
    ("employees", "gender"): ("GENDER", Gender),
    ("employments", "end_reason"): ("ENUM", EndReason),
    ("employment_versions", "employment_type"): ("ENUM", EmploymentType),
    ("dossiers", "unit_kind"): ("ENUM", UnitKind),
    ("search_entries", "kind"): ("ENUM", UnitKind),
    ("search_entry_scopes", "kind"): ("ENUM", UnitKind),
    ("roles", "kind"): ("ENUM", RoleKind),
    ("role_features", "feature"): ("FEATURE", Feature),
    ("user_scope_units", "unit_kind"): ("ENUM", UnitKind),
    ("protocols", "kind"): ("ENUM", ProtocolKind),
    ("trajectories", "kind"): ("ENUM", ProtocolKind),
    ("trajectories", "compensation_reason"): ("REASON_CODE", CompensationReason),
    # R3.2, R3.3: a WIA claim's benefit and outflow reason
    ("wia_claims", "benefit"): ("ENUM", WiaBenefit),
    ("wia_claims", "outflow_reason"): ("ENUM", OutflowReason),
    ("bulk_start_outcomes", "reason"): ("REASON_CODE", SkipReason),
    ("appointments", "status"): ("ENUM", AppointmentStatus),
    ("activities", "status"): ("ENUM", ActivityStatus),
    ("contract_models", "kind"): ("ENUM", ContractKind),
    ("contract_models", "billing_frequency"): ("ENUM", BillingFrequency),
    ("price_categories", "payer"): ("ENUM", Payer),
    ("service_agreements", "deviating_frequency"): ("ENUM", BillingFrequency),
    ("invoice_bases", "status"): ("ENUM", InvoiceBasisStatus),
    ("insurance_products", "kind"): ("ENUM", ProductKind),
    ("policy_registrations", "source"): ("ENUM", Source),
    ("configuration_parameters", "name"): ("PARAMETER_NAME", Parameter),
    ("configuration_parameter_changes", "parameter"): ("PARAMETER_NAME", Parameter),
    ("contract_models", "model_type"): ("ENUM", ContractModelType),
    ("relations", "kind"): ("ENUM", RelationKind),
    ("reimbursement_lines", "decision"): ("ENUM", LineDecision),
    ("password_tokens", "purpose"): ("ENUM", TokenPurpose),
    ("mail_templates", "event"): ("ENUM", TemplateEvent),
    ("documents", "kind"): ("ENUM", DocumentKind),
}

#: Text columns whose values the core derives; checked one by one below.
DERIVED: dict[tuple[str, str], str] = {
    ("employers", "vat_number"): "VAT_NUMBER",
    ("employers", "code_norm"): "SEARCH_KEY",
    ("departments", "code_norm"): "SEARCH_KEY",
    ("employer_contact_persons", "email"): "EMAIL",
    ("employer_contact_persons", "phone"): "PHONE",
    ("users", "email"): "EMAIL",
    ("users", "email_norm"): "EMAIL",
    ("search_entries", "name"): "SEARCH_NAME",
    ("search_entries", "code"): "CODE",
    ("search_entries", "name_norm"): "SEARCH_KEY",
    ("search_entries", "code_norm"): "SEARCH_KEY",
    ("search_entry_scopes", "name_norm"): "SEARCH_KEY",
    ("search_entry_scopes", "code_norm"): "SEARCH_KEY",
    ("bulk_start_requests", "fingerprint"): "FINGERPRINT",
    ("outbox", "name"): "EVENT_NAME",
    # R2.6: an Argon2id PHC string, a SHA-256 digest, a language code
    ("user_accounts", "password_hash"): "PASSWORD_HASH",
    ("user_accounts", "language"): "LANGUAGE",
    ("password_tokens", "digest"): "FINGERPRINT",
    # the external API (R7.1)
    ("api_clients", "name"): "NAME",
    ("api_clients", "secret_hash"): "PASSWORD_HASH",
    ("idempotency_keys", "key"): "IDEMPOTENCY_KEY",
    ("idempotency_keys", "fingerprint"): "FINGERPRINT",
    ("idempotency_keys", "result"): "IDEMPOTENT_RESULT",
    ("token_attempts", "key"): "ATTEMPT_KEY",
    ("mail_templates", "language"): "LANGUAGE",
    # R2.7: a SHA-256 digest; a content type checked by valid_content_type
    ("documents", "sha256"): "FINGERPRINT",
    ("documents", "content_type"): "CONTENT_TYPE",
    # subscription and consumer names: xs_core.outbox.valid_name
    ("outbox_subscriptions", "name"): "EVENT_NAME",
    ("outbox_claims", "subscription"): "EVENT_NAME",
    ("outbox_claims", "consumer"): "EVENT_NAME",
    ("insurers", "code_norm"): "SEARCH_KEY",
    ("insurance_products", "code_norm"): "SEARCH_KEY",
    # every reason, or every note, at once: their codes, comma-separated
    ("policy_registrations", "reasons"): "REGISTRATION_CODES",
    ("policy_registrations", "notes"): "REGISTRATION_CODES",
    # R6.6: a participant's inputs, made by the database from bounded columns
    ("policy_participant_inputs", "inputs"): "PARTICIPANT_INPUTS",
    # R5.2: a normalised code, an ISO country, a VAT number's and an IBAN's compact form, a BIC
    ("relations", "code_norm"): "SEARCH_KEY",
    ("relations", "country"): "COUNTRY",
    ("relations", "vat_number"): "VAT_NUMBER",
    ("relations", "iban"): "IBAN",
    ("relations", "bic"): "BIC",
}


#: Organisation codes are letters, digits, ".", "_" and "-" (R1.2): anything else is refused with
#: ``organisation.invalid_code``.
ORGANISATION_CODES = {
    ("employers", "code"),
    ("departments", "code"),
    ("branches", "code"),
    ("insurers", "code"),
    ("insurance_products", "code"),
}


def _string_columns() -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for table in tables.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, sa.String):
                assert column.type.length is not None, f"{table.name}.{column.name} is unbounded"
                found[(table.name, column.name)] = column.type.length
    return found


def test_r0_5_every_text_column_is_registered_with_its_core_limit() -> None:
    columns = _string_columns()
    registered = {**{k: v[0] for k, v in TEXT.items()}, **{k: v[0] for k, v in ENUMS.items()}}
    registered |= DERIVED
    assert set(columns) == set(registered), "register new text columns in this test"
    drift = {
        f"{t}.{c}": (length, name, getattr(limits, name))
        for (t, c), length in columns.items()
        for name in [registered[(t, c)]]
        if getattr(limits, name) != length
    }
    assert drift == {}


@pytest.mark.parametrize("column", sorted(TEXT), ids=lambda c: f"{c[0]}.{c[1]}")
def test_r0_5_the_core_accepts_the_column_limit_and_refuses_one_more(
    column: tuple[str, str],
) -> None:
    name, entry = TEXT[column]
    maximum = getattr(limits, name)
    # organisation codes are ASCII by rule; other text counts characters, not bytes
    char = "A" if column in ORGANISATION_CODES else "é"
    entry(char * maximum)
    with pytest.raises(DomainError) as refused:
        entry(char * (maximum + 1))
    assert refused.value.code in {"input.too_long", "organisation.invalid_code"}
    assert refused.value.details["maximum"] == maximum


@pytest.mark.parametrize("column", sorted(ENUMS), ids=lambda c: f"{c[0]}.{c[1]}")
def test_r0_5_stored_enum_values_fit_their_column(column: tuple[str, str]) -> None:
    name, enum = ENUMS[column]
    assert max(len(member.value) for member in enum) <= getattr(limits, name)


def test_r0_5_derived_text_fits_its_column() -> None:
    # an employee's search name is "first last"; an employer's or department's is its name
    assert limits.FIRST_NAME + 1 + limits.LAST_NAME <= limits.SEARCH_NAME
    assert limits.NAME <= limits.SEARCH_NAME
    assert limits.CODE <= limits.SEARCH_KEY  # codes are ASCII: casefolding keeps their length
    assert len("NL004495445B01") <= limits.VAT_NUMBER  # the longest EU compact form has 14
    assert len("LC55HEMM000100010012001200023015") <= limits.IBAN  # the longest IBAN has 32
    assert len("ABNANL2AXXX") == limits.BIC
    assert len("+31301234567") <= 16 <= limits.PHONE  # E.164 has at most 15 digits and a "+"
    import hashlib

    assert len(hashlib.sha256(b"").hexdigest()) == limits.FINGERPRINT
    # R2.6: an Argon2id hash of the chosen parameters, and the language codes
    from xs_adapters.passwords import Argon2Hasher

    assert len(Argon2Hasher().hash("x" * 1024)) <= limits.PASSWORD_HASH
    assert max(len(language) for language in LANGUAGES) <= limits.LANGUAGE
    for codes in (ExclusionReason, Note):  # R6.5: all of them at once fit
        assert len(",".join(c.value for c in codes)) <= limits.REGISTRATION_CODES
    for module in pkgutil.walk_packages(xs_core.__path__, "xs_core."):
        if ".testing" not in module.name:
            importlib.import_module(module.name)
    names = _event_names(DomainEvent)
    assert names and max(len(n) for n in names) <= limits.EVENT_NAME


def test_r7_1_token_attempt_keys_fit_their_column() -> None:
    """``token_attempts.key`` (R7.1, registered in DERIVED): the key of the longest address of
    each kind fits whole — two addresses never share a count because their keys were cut —
    and the key of any other text is cut to the column."""
    longest = {
        "255.255.255.255": "address:255.255.255.255",
        "::ffff:255.255.255.255%" + "z" * 500: "address:255.255.255.255",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%" + "z" * 500: "address:ffff:ffff:ffff:ffff::/64",
        "": "address:unknown",
    }
    for address, key in longest.items():
        assert address_key(address) == key
        assert len(key) <= limits.ATTEMPT_KEY
    assert len(address_key("é" * 10 * limits.ATTEMPT_KEY)) == limits.ATTEMPT_KEY


def _event_names(cls: type[DomainEvent]) -> set[str]:
    names: set[str] = set()
    for sub in cls.__subclasses__():
        names |= {sub.name} | _event_names(sub)
    return names


def test_r0_5_e_mail_addresses_longer_than_the_column_are_refused() -> None:
    local = "a" * 64
    domain = ".".join(["b" * 63] * 4)  # 255 characters: the address is 320 long
    with pytest.raises(DomainError) as refused:
        valid_email(f"{local}@{domain}")
    assert refused.value.code == "contact.invalid_email"
    assert valid_email("Anna@Example.NL") == "Anna@example.nl"


def test_r0_5_numeric_columns_hold_the_core_ranges() -> None:
    hours = tables.employment_versions.c.hours_per_week.type
    assert isinstance(hours, sa.Numeric)
    assert hours.scale == limits.HOURS_PLACES
    assert hours.precision is not None
    assert 10 ** (hours.precision - hours.scale) > limits.HOURS_MAX
    for column in (
        tables.appointment_locations.c.max_parallel,
        tables.employer_contact_persons.c.position,
    ):
        assert type(column.type) is sa.Integer
    assert limits.INTEGER_MAX == 2_147_483_647 == limits.POSITION_MAX
    assert type(tables.recovery_reports.c.recovered_percentage.type) is sa.SmallInteger
    assert limits.PERCENTAGE_MAX <= limits.SMALLINT_MAX


def test_r1_3_index_names_fit_the_index_column() -> None:
    """R1.3 decision: a name longer than the index key (after normalising, which can lengthen
    it) is indexed by its first ``SEARCH_KEY`` characters."""
    full = "é" * limits.FIRST_NAME + " " + "ö" * limits.LAST_NAME
    assert index_name(full) == ("e" * limits.FIRST_NAME + " " + "o" * limits.LAST_NAME)[:200]
    assert len(index_name("ﷺ" * limits.NAME)) == limits.SEARCH_KEY  # one sign, 18 letters
    assert index_name("Çelik") == "celik"


# -- control characters ---------------------------------------------------------------------------


#: multi-line free text (messages, mail templates): bidirectional controls allowed
MULTI_LINE = {
    ("dialog_messages", "body"),
    ("mail_templates", "html"),
    ("mail_templates", "text"),
}


@pytest.mark.parametrize("column", sorted(TEXT), ids=lambda c: f"{c[0]}.{c[1]}")
@pytest.mark.parametrize(
    "character", ["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\u202e", "\u2066", "\ud800"]
)
def test_r0_5_control_characters_are_refused_in_single_line_text(
    column: tuple[str, str], character: str
) -> None:
    _, entry = TEXT[column]
    if character in "\u202e\u2066" and column in MULTI_LINE:
        entry(f"AB{character}CD")  # free text may hold right-to-left passages
        return
    with pytest.raises(DomainError) as refused:
        entry(f"AB{character}CD")
    if column in ORGANISATION_CODES:
        assert refused.value.code == "organisation.invalid_code"
    else:
        assert refused.value.code == "input.control_character"
        assert refused.value.details["character"] == f"U+{ord(character):04X}"
        assert refused.value.details["position"] == 2


def test_r0_5_white_space_is_collapsed_not_refused() -> None:
    assert Folder.create(" Zorg\tand\nWelzijn\r ").name == "Zorg and Welzijn"
    assert Address.create(city="  Den \u2028Bosch ").city == "Den Bosch"


def test_r0_5_a_refused_change_changes_nothing() -> None:
    employer = Employer.create("Bakkerij Jansen", "BAK")
    employer.pull_events()
    with pytest.raises(DomainError):
        employer.change(name="Bakkerij Pietersen", code="B" * (limits.CODE + 1))
    assert (employer.name, employer.code, employer.pull_events()) == ("Bakkerij Jansen", "BAK", [])
    employee = _employee()
    with pytest.raises(DomainError):
        employee.change(first_name="Bram", last_name="x\x00")
    assert employee.first_name == "Anna"


def test_r0_5_refusal_messages_exist_in_both_languages_and_details_are_data() -> None:
    for code in (
        "input.too_long",
        "input.control_character",
        "input.not_a_number",
        "input.not_an_integer",
        "input.too_many_decimals",
        "input.out_of_range",
    ):
        dutch, english = MESSAGES[code]
        assert dutch != english
    with pytest.raises(InvalidInput) as refused:
        Folder.create("x" * 201)
    assert refused.value.details == {"field": "name", "length": 201, "maximum": 200}
    assert refused.value.message("nl") == "name is te lang: 201 tekens, hoogstens 200."


# -- numbers: the precision and range of the column ----------------------------------------------


def _hours(value: object) -> Decimal:
    employment = Employment.create(
        id=ID,
        employer_id=ID,
        period=PERIOD,
        hours_per_week=value,  # type: ignore[arg-type]
    )
    return employment.hours_per_week


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (Decimal("0.001"), "input.too_many_decimals"),  # NUMERIC(6, 2) would store 0.00
        (Decimal("37.125"), "input.too_many_decimals"),
        ("0.001", "input.too_many_decimals"),
        (Decimal("NaN"), "input.not_a_number"),
        (Decimal("sNaN"), "input.not_a_number"),
        (Decimal("Infinity"), "input.not_a_number"),
        ("-Infinity", "input.not_a_number"),
        ("veertig", "input.not_a_number"),
        (40.5, "input.not_a_number"),  # never a float
        (True, "input.not_a_number"),
        (None, "input.not_a_number"),
        (Decimal(0), "organisation.invalid_hours"),
        (Decimal("-1"), "organisation.invalid_hours"),
        (Decimal("168.01"), "organisation.invalid_hours"),
        (Decimal("1E+6"), "organisation.invalid_hours"),
    ],
)
def test_r2_3_hours_per_week_are_refused_beyond_what_the_column_stores(
    value: object, code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _hours(value)
    assert refused.value.code == code
    assert refused.value.details["field"] == "hours_per_week"
    employment = Employment.create(id=ID, employer_id=ID, period=PERIOD)
    with pytest.raises(InvalidInput):
        employment.change(D(2026, 6, 1), hours_per_week=value)
    assert len(employment.versions) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.01"), Decimal("0.01")),
        (Decimal(168), Decimal(168)),
        ("37.5", Decimal("37.5")),
        (" 40.000 ", Decimal(40)),  # trailing zeros are no extra precision
        (32, Decimal(32)),
    ],
)
def test_r2_3_hours_per_week_within_the_column_are_accepted(
    value: object, expected: Decimal
) -> None:
    assert _hours(value) == expected


@given(
    st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True, places=None),
        st.integers(-100, 20_000).map(lambda cents: Decimal(cents).scaleb(-2)),
        st.integers(0, 200_000).map(lambda mills: Decimal(mills).scaleb(-3)),
    )
)
def test_r2_3_hours_are_accepted_exactly_when_the_column_stores_them_unrounded(
    value: Decimal,
) -> None:
    """Reference: accepted iff finite, within 0.01–168 and unchanged by rounding to cents."""
    storable = (
        value.is_finite()
        and Decimal("0.01") <= value <= Decimal(168)
        and value == value.quantize(Decimal("0.01"))
    )
    try:
        accepted = _hours(value)
    except InvalidInput:
        assert not storable
    else:
        assert storable and accepted == value


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (0, "agenda.invalid_maximum"),
        (-3, "agenda.invalid_maximum"),
        (2**31, "agenda.invalid_maximum"),  # beyond PostgreSQL's INTEGER
        (2**62, "agenda.invalid_maximum"),
        (True, "input.not_an_integer"),
        (2.0, "input.not_an_integer"),
        ("2", "input.not_an_integer"),
    ],
)
def test_r4_3_max_parallel_fits_the_integer_column(value: object, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        AppointmentLocation.create("Spreekkamer", value)  # type: ignore[arg-type]
    assert refused.value.code == code
    location = AppointmentLocation.create("Spreekkamer", limits.INTEGER_MAX)
    assert location.max_parallel == 2_147_483_647
    assert AppointmentLocation.create("Spreekkamer", None).max_parallel is None


@pytest.mark.parametrize("value", [-1, 2**31, 2**64, 1.5, True, "0"])
def test_r1_5_contact_person_positions_are_whole_numbers_from_zero(value: object) -> None:
    employer = Employer.create("Bakkerij Jansen")
    anna = ContactPerson.create("Anna")
    employer.add_contact_person(anna)
    employer.pull_events()
    with pytest.raises(InvalidInput):
        employer.add_contact_person(ContactPerson.create("Bram"), value)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        employer.move_contact_person(anna.id, value)  # type: ignore[arg-type]
    assert employer.contact_persons == [anna]
    assert employer.pull_events() == []


def test_r1_5_a_position_beyond_the_end_places_last() -> None:
    employer = Employer.create("Bakkerij Jansen")
    anna, bram = ContactPerson.create("Anna"), ContactPerson.create("Bram")
    employer.add_contact_person(anna)
    employer.add_contact_person(bram, limits.POSITION_MAX)
    employer.move_contact_person(anna.id, limits.POSITION_MAX)
    assert employer.contact_persons == [bram, anna]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (0, "sickness.invalid_percentage"),
        (101, "sickness.invalid_percentage"),
        (2**40, "sickness.invalid_percentage"),
        (50.5, "input.not_an_integer"),
        (Decimal(50), "input.not_an_integer"),
        (True, "input.not_an_integer"),
    ],
)
def test_r2_4_recovered_percentage_is_a_whole_number_from_1_to_100(
    value: object, code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        add_recovery_report((), D(2026, 1, 5), D(2026, 1, 10), value, TODAY)  # type: ignore[arg-type]
    assert refused.value.code == code
    assert add_recovery_report((), D(2026, 1, 5), D(2026, 1, 10), 100, TODAY)[0].is_full


# -- R1.3 and R1.4: search requests ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "page_size"),
    [(2**62, 20), (limits.MAX_PAGE + 1, 20), (1, 201), (1, 2**40), (0, 20), (1, 0), (True, 20)],
)
def test_r1_3_page_and_page_size_are_bounded(page: int, page_size: int) -> None:
    with pytest.raises(DomainError) as refused:
        SearchQuery.create("jansen", page=page, page_size=page_size)
    assert refused.value.code == "search.invalid_page"
    assert refused.value.details["max_page"] == 10_000
    assert refused.value.details["max_page_size"] == 200


@given(st.integers(1, limits.MAX_PAGE), st.integers(1, limits.MAX_PAGE_SIZE))
def test_r1_3_every_accepted_page_has_a_small_offset(page: int, page_size: int) -> None:
    """R1.3: a page is accepted exactly when it ends within the first 10,000 results, so no
    search ranks or holds more than 10,000 entries; a deeper one is refused with its code."""
    if page * page_size <= 10_000:
        query = SearchQuery.create("jansen", page=page, page_size=page_size)
        assert query.offset == (page - 1) * page_size < 10_000
    else:
        with pytest.raises(DomainError) as refused:
            SearchQuery.create("jansen", page=page, page_size=page_size)
        assert refused.value.code == "search.page_too_deep"
        assert refused.value.details["max_results"] == 10_000


@pytest.mark.parametrize(
    ("page", "page_size", "accepted"),
    [(50, 200, True), (51, 200, False), (10_000, 1, True), (500, 20, True), (501, 20, False)],
)
def test_r1_3_the_result_window_by_hand(page: int, page_size: int, accepted: bool) -> None:
    if accepted:
        assert SearchQuery.create("jansen", page=page, page_size=page_size).page == page
    else:
        with pytest.raises(DomainError, match="page_too_deep"):
            SearchQuery.create("jansen", page=page, page_size=page_size)


@pytest.mark.parametrize("term", ["jan\x00sen", "jan\x1bsen", "\ud800jansen"])
def test_r1_3_search_terms_with_control_characters_are_refused(term: str) -> None:
    with pytest.raises(DomainError) as refused:
        SearchQuery.create(term)
    assert refused.value.code == "input.control_character"
    assert refused.value.details["field"] == "term"
    with pytest.raises(DomainError) as branches:
        search_branches([], term)
    assert branches.value.code == "input.control_character"


def test_r1_3_search_terms_are_at_most_200_characters() -> None:
    assert SearchQuery.create("é" * limits.SEARCH_TERM).term == "e" * 200
    with pytest.raises(DomainError) as refused:
        SearchQuery.create("é" * (limits.SEARCH_TERM + 1))
    assert refused.value.code == "input.too_long"
    assert search_branches([], "") == []


def test_r0_5_the_documented_examples_hold() -> None:
    """The examples in the docstrings of the limits, dates, spans and VAT modules."""
    import doctest

    from xs_core import dates
    from xs_core.agenda import spans
    from xs_core.organisation import vat

    for module in (limits, dates, spans, vat):
        assert doctest.testmod(module).failed == 0
