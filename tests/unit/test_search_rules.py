"""R1.3 and R1.4: advanced-search matching, ranking and targets; branch search."""

from __future__ import annotations

import uuid

import pytest

from xs_core.errors import DomainError
from xs_core.organisation.model import Address, Branch
from xs_core.organisation.search import (
    SearchContext,
    SearchQuery,
    Target,
    TargetKind,
    branch_matches,
    normalise,
    rank,
    result_target,
    search_branches,
)
from xs_core.organisation.units import UnitKind


def test_r1_3_matching_is_case_and_accent_insensitive() -> None:
    assert normalise("José Müller-Çelik") == "jose muller-celik"
    assert rank(normalise("MUL"), normalise("José Müller"), None) == 3
    assert rank(normalise("jOs"), normalise("José Müller"), None) == 2


def test_r1_3_codes_match_by_prefix_and_exact_codes_rank_first() -> None:
    assert rank("prod", "productie", "prod") == 0
    assert rank("pro", "afdeling", "prod") == 1
    assert rank("rod", "afdeling", "prod") is None  # no substring match on codes
    assert rank("pro", "productie", None) == 2
    assert rank("duc", "productie", None) == 3
    assert rank("xyz", "productie", "prod") is None


def test_r1_3_query_validation() -> None:
    with pytest.raises(DomainError) as short:
        SearchQuery.create(" é ")
    assert short.value.code == "search.term_too_short"
    with pytest.raises(DomainError) as page:
        SearchQuery.create("jan", page=0)
    assert page.value.code == "search.invalid_page"
    query = SearchQuery.create("  Jánsen ", page=3, page_size=10)
    assert (query.term, query.offset) == ("jansen", 20)


DEPARTMENT = uuid.uuid4()
DOSSIER = uuid.uuid4()


@pytest.mark.parametrize(
    ("context", "may_manage", "dossier", "expected"),
    [
        # from administration by a manager: the administration page
        (
            SearchContext.ADMINISTRATION,
            True,
            DOSSIER,
            Target(TargetKind.ADMINISTRATION_PAGE, DEPARTMENT),
        ),
        (
            SearchContext.ADMINISTRATION,
            True,
            None,
            Target(TargetKind.ADMINISTRATION_PAGE, DEPARTMENT),
        ),
        # from anywhere else: the dossier when there is one
        (SearchContext.PORTAL, True, DOSSIER, Target(TargetKind.DOSSIER, DOSSIER)),
        (SearchContext.ADMINISTRATION, False, DOSSIER, Target(TargetKind.DOSSIER, DOSSIER)),
        # otherwise: shown, but no target
        (SearchContext.PORTAL, True, None, None),
        (SearchContext.ADMINISTRATION, False, None, None),
    ],
)
def test_r1_3_department_result_targets(
    context: SearchContext, may_manage: bool, dossier: uuid.UUID | None, expected: Target | None
) -> None:
    assert result_target(context, may_manage, UnitKind.DEPARTMENT, DEPARTMENT, dossier) == expected


def _branch(name: str, code: str | None, street: str, postcode: str, city: str) -> Branch:
    return Branch.create(uuid.uuid4(), name, code, Address.create(street, "1", postcode, city))


def test_r1_4_branch_search_matches_name_code_street_postcode_city() -> None:
    utrecht = _branch("Hoofdkantoor", "HK", "Oudegracht", "3511 AB", "Utrecht")
    den_bosch = _branch("Vestiging Zuid", "VZ01", "Hinthamerstraat", "5211mr", "'s-Hertogenbosch")
    leeuwarden = _branch("Café Noord", None, "Nieuwestad", "8911 CM", "Leeuwarden")
    branches = [utrecht, den_bosch, leeuwarden]
    assert search_branches(branches, "kantoor") == [utrecht]
    assert search_branches(branches, "vz0") == [den_bosch]
    assert search_branches(branches, "GRACHT") == [utrecht]
    assert search_branches(branches, "5211 MR") == [den_bosch]
    assert search_branches(branches, "3511ab") == [utrecht]
    assert search_branches(branches, "hertogen") == [den_bosch]
    assert search_branches(branches, "cafe") == [leeuwarden]  # accent-insensitive
    assert search_branches(branches, "") == [leeuwarden, utrecht, den_bosch]  # all, by name
    assert not branch_matches(utrecht, "amsterdam")
