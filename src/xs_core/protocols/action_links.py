"""Action links (actielinks), R2.2, R2.3 and R5.5 ("Vergoedingsbatches").

An action link is placed either on a portal's action-link widget or on a dossier's action list.
The ``…DossierSearch`` forms go on a portal widget and first ask which dossier (a dossier search
inside the user's scope); the forms without it go on a dossier's action list and act on that
dossier. Both forms of one action lead to the same use case.
"""

from __future__ import annotations

import enum

import attrs

from xs_core.access.features import Feature
from xs_core.errors import DomainError, InvalidInput, register_messages

register_messages(
    {
        "action_link.wrong_placement": (
            "Actielink {link} hoort niet op {placement}.",
            "Action link {link} does not belong on {placement}.",
        ),
        "action_link.dossier_required": (
            "Actielink {link} werkt op een dossier; kies eerst een dossier.",
            "Action link {link} acts on a dossier; choose a dossier first.",
        ),
        "action_link.not_an_employee_dossier": (
            "Dossier {dossier_id} is geen werknemersdossier.",
            "Dossier {dossier_id} is not an employee dossier.",
        ),
    },
    kind=InvalidInput,
)


class Placement(enum.Enum):
    PORTAL_WIDGET = "portal_action_link_widget"  # actielinkwidget in een portaal
    DOSSIER_ACTION_LIST = "dossier_action_list"  # actielijst in een dossier


class UseCase(enum.Enum):
    BULK_START = "bulk_start"
    END_EMPLOYMENT = "end_employment"
    CHANGE_EMPLOYMENT = "change_employment"
    REIMBURSEMENT_BATCHES = "reimbursement_batches"  # R5.5


@attrs.frozen
class ActionLinkInfo:
    placement: Placement
    use_case: UseCase
    dossier_search: bool
    feature: Feature
    label_nl: str


class ActionLink(enum.Enum):
    BULK_START_WORKFLOW = "BulkStartWorkflow"
    UIT_DIENST_MELDEN = "UitDienstMelden"
    UIT_DIENST_MELDEN_DOSSIER_SEARCH = "UitDienstMeldenDossierSearch"
    WIJZIGEN_DIENSTVERBAND = "WijzigenDienstverband"
    WIJZIGEN_DIENSTVERBAND_DOSSIER_SEARCH = "WijzigenDienstverbandDossierSearch"
    VERGOEDINGSBATCHES = "Vergoedingsbatches"  # R5.5: the reimbursement batches

    @property
    def info(self) -> ActionLinkInfo:
        return CATALOGUE[self]


CATALOGUE: dict[ActionLink, ActionLinkInfo] = {
    ActionLink.BULK_START_WORKFLOW: ActionLinkInfo(
        Placement.PORTAL_WIDGET,
        UseCase.BULK_START,
        False,
        Feature.START_TRAJECTORIES_IN_BULK,
        "Bulktrajecten starten",
    ),
    ActionLink.UIT_DIENST_MELDEN: ActionLinkInfo(
        Placement.DOSSIER_ACTION_LIST,
        UseCase.END_EMPLOYMENT,
        False,
        Feature.MANAGE_EMPLOYMENTS,
        "Uit dienst melden",
    ),
    ActionLink.UIT_DIENST_MELDEN_DOSSIER_SEARCH: ActionLinkInfo(
        Placement.PORTAL_WIDGET,
        UseCase.END_EMPLOYMENT,
        True,
        Feature.MANAGE_EMPLOYMENTS,
        "Uit dienst melden",
    ),
    ActionLink.WIJZIGEN_DIENSTVERBAND: ActionLinkInfo(
        Placement.DOSSIER_ACTION_LIST,
        UseCase.CHANGE_EMPLOYMENT,
        False,
        Feature.MANAGE_EMPLOYMENTS,
        "Wijzigen dienstverband",
    ),
    ActionLink.WIJZIGEN_DIENSTVERBAND_DOSSIER_SEARCH: ActionLinkInfo(
        Placement.PORTAL_WIDGET,
        UseCase.CHANGE_EMPLOYMENT,
        True,
        Feature.MANAGE_EMPLOYMENTS,
        "Wijzigen dienstverband",
    ),
    ActionLink.VERGOEDINGSBATCHES: ActionLinkInfo(
        Placement.PORTAL_WIDGET,
        UseCase.REIMBURSEMENT_BATCHES,
        False,
        Feature.MANAGE_REIMBURSEMENT_BATCHES,
        "Vergoedingsbatches",
    ),
}


def check_placement(link: ActionLink, placement: Placement) -> None:
    """Refuse a link placed where it does not belong (R2.3)."""
    if link.info.placement is not placement:
        raise DomainError(
            "action_link.wrong_placement",
            {"rule": "R2.3", "link": link.value, "placement": placement.value},
        )


def links_for(placement: Placement, features: frozenset[Feature]) -> list[ActionLink]:
    """The links that may be placed there and that the user may use."""
    return [
        link
        for link, info in CATALOGUE.items()
        if info.placement is placement and info.feature in features
    ]
