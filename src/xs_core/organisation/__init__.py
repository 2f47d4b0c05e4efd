"""Organisation and administration (XS Beheer), R1.1–R1.5."""

from xs_core.organisation.contacts import ContactPersonWidget, contact_person_widget
from xs_core.organisation.model import (
    Address,
    Branch,
    ContactPerson,
    Department,
    Dossier,
    Employee,
    Employer,
    Employment,
    EmploymentConditions,
    EmploymentType,
    EmploymentVersion,
    EndReason,
    Folder,
    Gender,
)
from xs_core.organisation.search import (
    SearchContext,
    SearchQuery,
    SearchResult,
    Target,
    TargetKind,
    normalise,
)
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.organisation.vat import InvalidVatNumber, VatNumber

__all__ = [
    "Address",
    "Branch",
    "ContactPerson",
    "ContactPersonWidget",
    "Department",
    "Dossier",
    "Employee",
    "Employer",
    "Employment",
    "EmploymentConditions",
    "EmploymentType",
    "EmploymentVersion",
    "EndReason",
    "Folder",
    "Gender",
    "InvalidVatNumber",
    "SearchContext",
    "SearchQuery",
    "SearchResult",
    "Target",
    "TargetKind",
    "UnitKind",
    "UnitRef",
    "VatNumber",
    "contact_person_widget",
    "normalise",
]
