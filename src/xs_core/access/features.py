"""The catalogue of feature authorisations (feature autorisaties), R0.6.

One catalogue for the whole suite, so that roles can be composed before later modules exist.
Every feature has a stable code, a module and a Dutch and English label.
"""

from __future__ import annotations

import enum

import attrs


@attrs.frozen
class FeatureInfo:
    module: str
    label_nl: str
    label_en: str


class Feature(enum.Enum):
    """Named permissions a role grants. Super administrators hold every one (R0.6)."""

    MANAGE_ORGANISATION = "organisation.manage"
    MANAGE_CONTACT_PERSONS = "organisation.manage_contact_persons"
    VIEW_ORGANISATION = "organisation.view"
    MANAGE_EMPLOYMENTS = "organisation.manage_employments"
    MANAGE_USERS = "access.manage_users"
    MANAGE_ROLES = "access.manage_roles"
    MANAGE_PROTOCOLS = "protocols.manage"
    START_TRAJECTORIES = "protocols.start_trajectory"
    START_TRAJECTORIES_IN_BULK = "protocols.bulk_start"
    CLOSE_TRAJECTORIES = "protocols.close_trajectory"
    REQUEST_APPOINTMENTS = "agenda.request_appointments"
    CHANGE_FORMAL_REQUEST_DATE = "agenda.change_formal_request_date"
    PLAN_AVAILABILITIES = "agenda.plan_availabilities"
    HOLD_AVAILABILITIES = "agenda.hold_availabilities"
    MANAGE_APPOINTMENT_LOCATIONS = "agenda.manage_locations"
    REGISTER_ACTIVITIES = "agenda.register_activities"
    MANAGE_CONTRACTS = "contracts.manage"
    RUN_BILLING = "contracts.run_billing"
    MANAGE_SUPPLIERS = "reimbursements.manage_suppliers"
    MANAGE_REIMBURSEMENT_BATCHES = "reimbursements.manage_batches"
    MANAGE_POLICIES = "policies.manage"
    MANAGE_INSURERS = "policies.manage_insurers"
    SET_CONDITIONS = "policies.set_conditions"
    REGISTER_PARTICIPANTS = "policies.register_participants"
    RUN_POLICY_EVALUATION = "policies.run_evaluation"
    MANAGE_CONFIGURATION = "settings.manage_parameters"
    VIEW_REPORTS = "reports.view"
    USE_SECURE_MESSAGING = "messaging.use"
    MANAGE_MAIL_TEMPLATES = "mail.manage_templates"
    UPLOAD_DOCUMENTS = "documents.upload"
    MANAGE_MEDIA_LIBRARY = "documents.manage_media_library"
    API_CREATE_EMPLOYER_USER = "api.create_employer_user"

    @property
    def info(self) -> FeatureInfo:
        return FEATURE_INFO[self]


FEATURE_INFO: dict[Feature, FeatureInfo] = {
    Feature.MANAGE_ORGANISATION: FeatureInfo(
        "organisation", "Mag organisatie beheren", "May manage the organisation"
    ),
    Feature.MANAGE_CONTACT_PERSONS: FeatureInfo(
        "organisation",
        "Mag contactpersonen van werkgever beheren",
        "May manage employer contact persons",
    ),
    Feature.VIEW_ORGANISATION: FeatureInfo(
        "organisation", "Mag organisatie inzien", "May view the organisation"
    ),
    Feature.MANAGE_EMPLOYMENTS: FeatureInfo(
        "organisation", "Mag dienstverbanden beheren", "May manage employments"
    ),
    Feature.MANAGE_USERS: FeatureInfo("access", "Mag gebruikers beheren", "May manage users"),
    Feature.MANAGE_ROLES: FeatureInfo("access", "Mag rollen beheren", "May manage roles"),
    Feature.MANAGE_PROTOCOLS: FeatureInfo(
        "protocols", "Mag protocollen beheren", "May manage protocols"
    ),
    Feature.START_TRAJECTORIES: FeatureInfo(
        "protocols", "Mag trajecten starten", "May start trajectories"
    ),
    Feature.START_TRAJECTORIES_IN_BULK: FeatureInfo(
        "protocols", "Mag trajecten in bulk starten", "May start trajectories in bulk"
    ),
    Feature.CLOSE_TRAJECTORIES: FeatureInfo(
        "protocols", "Mag trajecten afsluiten", "May close trajectories"
    ),
    Feature.REQUEST_APPOINTMENTS: FeatureInfo(
        "agenda", "Mag oproepverzoeken aanmaken", "May create appointment requests"
    ),
    Feature.CHANGE_FORMAL_REQUEST_DATE: FeatureInfo(
        "agenda",
        "Mag formele aanvraagdatum op oproepverzoek wijzigen",
        "May change the formal request date of an appointment request",
    ),
    Feature.PLAN_AVAILABILITIES: FeatureInfo(
        "agenda", "Mag beschikbaarheden inplannen", "May plan availabilities"
    ),
    Feature.HOLD_AVAILABILITIES: FeatureInfo(
        "agenda",
        "Heeft beschikbaarheden (professional)",
        "Holds availabilities (professional)",
    ),
    Feature.MANAGE_APPOINTMENT_LOCATIONS: FeatureInfo(
        "agenda", "Mag oproeplocaties beheren", "May manage appointment locations"
    ),
    Feature.REGISTER_ACTIVITIES: FeatureInfo(
        "agenda", "Mag verrichtingen schrijven", "May register activities"
    ),
    Feature.MANAGE_CONTRACTS: FeatureInfo(
        "contracts", "Mag contracten beheren", "May manage contracts"
    ),
    Feature.RUN_BILLING: FeatureInfo("contracts", "Mag facturatie uitvoeren", "May run billing"),
    Feature.MANAGE_SUPPLIERS: FeatureInfo(
        "reimbursements", "Mag leveranciers beheren", "May manage suppliers"
    ),
    Feature.MANAGE_REIMBURSEMENT_BATCHES: FeatureInfo(
        "reimbursements", "Mag vergoedingsbatches beheren", "May manage reimbursement batches"
    ),
    Feature.MANAGE_POLICIES: FeatureInfo(
        "policies", "Mag polisregistratie beheren", "May manage policy registration"
    ),
    Feature.MANAGE_INSURERS: FeatureInfo(
        "policies",
        "Mag verzekeraars en verzekeringsproducten beheren",
        "May manage insurers and insurance products",
    ),
    Feature.SET_CONDITIONS: FeatureInfo(
        "policies",
        "Mag aanvullende voorwaarden van producten en polissen instellen",
        "May set the conditions of products and policies",
    ),
    Feature.REGISTER_PARTICIPANTS: FeatureInfo(
        "policies",
        "Mag werknemers handmatig in- en uitsluiten op polissen",
        "May include and exclude employees on policies by hand",
    ),
    Feature.RUN_POLICY_EVALUATION: FeatureInfo(
        "policies",
        "Mag de evaluatie van polisdeelname uitvoeren",
        "May run the evaluation of policy participation",
    ),
    Feature.MANAGE_CONFIGURATION: FeatureInfo(
        "settings", "Mag configuratieparameters beheren", "May manage configuration parameters"
    ),
    Feature.VIEW_REPORTS: FeatureInfo("reports", "Mag rapportages inzien", "May view reports"),
    Feature.MANAGE_MAIL_TEMPLATES: FeatureInfo(
        "mail", "Mag e-mailsjablonen beheren", "May manage mail templates"
    ),
    Feature.UPLOAD_DOCUMENTS: FeatureInfo(
        "documents",
        "Mag documenten aan een dossier toevoegen",
        "May add documents to a dossier",
    ),
    Feature.MANAGE_MEDIA_LIBRARY: FeatureInfo(
        "documents", "Mag de mediabibliotheek beheren", "May manage the media library"
    ),
    Feature.USE_SECURE_MESSAGING: FeatureInfo(
        "messaging", "Mag Veilig Communiceren gebruiken", "May use secure messaging"
    ),
    Feature.API_CREATE_EMPLOYER_USER: FeatureInfo(
        "api", "Mag via de API werkgevergebruikers aanmaken", "May create employer users by API"
    ),
}

ALL_FEATURES: frozenset[Feature] = frozenset(Feature)
