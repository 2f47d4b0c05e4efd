"""The pure rules of reimbursements (R5.2–R5.5): IBANs, Dutch postcodes, the supplier search,
dated contract settings (an algebra, checked by hypothesis against brute force), the reference
date and the line decisions."""

from __future__ import annotations

import datetime as _dt
import itertools
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.reimbursements import (
    ContractSettings,
    Iban,
    LineDecision,
    PostalAddress,
    ReimbursementBatch,
    Relation,
    RelationKind,
    UserContractSettings,
    check_reference_date,
    relation_matches,
    search_relations,
)

D = _dt.date
IBANS = ["NL91ABNA0417164300", "NL44RABO0123456789", "DE89370400440532013000", "BE68539007547034"]


@pytest.mark.parametrize("compact", IBANS)
def test_r5_2_an_iban_is_the_same_whatever_its_spacing_and_case(compact: str) -> None:
    iban = Iban.parse(compact)
    assert iban.compact == compact
    assert Iban.parse(iban.formatted.lower()) == iban
    assert iban.formatted.replace(" ", "") == compact
    assert all(len(group) == 4 for group in iban.formatted.split()[:-1])


@given(st.sampled_from(IBANS), st.data())
def test_r5_2_changing_one_digit_of_an_iban_is_refused(compact: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(4, len(compact) - 1))
    if not compact[position].isdigit():
        return
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != compact[position]]))
    with pytest.raises(DomainError) as refused:
        Iban.parse(compact[:position] + digit + compact[position + 1 :])
    assert refused.value.code == "reimbursements.invalid_iban"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "format"),
        ("NL91 ABNA 0417 1643 01", "checksum"),
        ("XX91ABNA0417164300", "country"),
        ("NL91ABNA04171643", "length"),
        ("NL91-ABNA-0417-1643-00€", "format"),
    ],
)
def test_r5_2_an_invalid_iban_names_its_reason(text: str, reason: str) -> None:
    with pytest.raises(DomainError) as refused:
        Iban.parse(text)
    assert (refused.value.code, refused.value.details["reason"]) == (
        "reimbursements.invalid_iban",
        reason,
    )


def test_r5_2_the_bic_is_derived_where_the_bank_is_known() -> None:
    assert Iban.parse("NL91ABNA0417164300").bic == "ABNANL2A"
    assert Iban.parse("NL44RABO0123456789").bic == "RABONL2U"


@given(st.integers(1000, 9999), st.sampled_from("ABCDEFGHJKLMNPRTUVWXYZ"), st.sampled_from("ABZ"))
def test_r5_2_a_dutch_postcode_is_written_1234_ab(digits: int, first: str, second: str) -> None:
    written = f"{digits}{first}{second}".lower()
    assert PostalAddress.create(postcode=written).postcode == f"{digits} {first}{second}"


@pytest.mark.parametrize(
    "postcode", ["0123 AB", "123 AB", "1234 A", "1234 SS", "1234 SA", "AB 1234"]
)
def test_r5_2_a_bad_dutch_postcode_is_refused_a_foreign_one_kept(postcode: str) -> None:
    with pytest.raises(DomainError) as refused:
        PostalAddress.create(postcode=postcode)
    assert refused.value.code == "reimbursements.invalid_postcode"
    assert PostalAddress.create(postcode=postcode, country="be").postcode == postcode


def test_r5_2_search_code_prefix_or_name_substring_exact_code_first() -> None:
    a = Relation.create(RelationKind.SUPPLIER, "Zorg Levering", "ZL")
    b = Relation.create(RelationKind.SUPPLIER, "Arbo Zürich", "AZ")
    c = Relation.create(RelationKind.SUPPLIER, "Anders", "Z")
    assert (
        relation_matches(b, "zurich") and relation_matches(a, "zl") and not relation_matches(c, "l")
    )
    assert [r.code for r in search_relations([a, b, c], "z")] == ["Z", "AZ", "ZL"]
    assert [r.code for r in search_relations([a, b, c], None)] == ["Z", "AZ", "ZL"]


# -- R5.3 dated settings: an algebra ---------------------------------------------------------------

SETTINGS = [
    ContractSettings(),
    ContractSettings(may_register_activities=False),
    ContractSettings(
        reimbursed_via_supplier=True,
        supplier_id=uuid.UUID(int=1),
        contract_model_id=uuid.UUID(int=2),
    ),
]
DAYS = st.dates(D(2025, 1, 1), D(2026, 12, 31))


@given(st.lists(st.tuples(DAYS, st.sampled_from(SETTINGS)), min_size=1, max_size=8), DAYS)
def test_r5_3_the_settings_on_a_day_are_those_of_the_last_change_from_on_or_before_it(
    changes: list[tuple[_dt.date, ContractSettings]], day: _dt.date
) -> None:
    dated = UserContractSettings(user_id=uuid.UUID(int=7))
    for start, settings in changes:
        dated.set_from(start, settings)
    versions = dated.versions
    # contiguous, non-overlapping, in order, the last one open
    assert versions[-1].valid.end is None
    for before, after in itertools.pairwise(versions):
        assert before.valid.end == after.valid.start
    expected = [s for start, s in changes if start <= day]
    assert dated.on(day) == (expected[-1] if expected else None)
    assert len(dated.pull_events()) == len(changes)


def test_r5_3_a_user_without_settings_may_register_and_settings_are_checked() -> None:
    dated = UserContractSettings(user_id=uuid.UUID(int=7))
    assert dated.may_register_on(D(2026, 1, 1))
    dated.set_from(D(2026, 1, 1), ContractSettings(may_register_activities=False))
    assert dated.may_register_on(D(2025, 12, 31)) and not dated.may_register_on(D(2026, 1, 1))
    with pytest.raises(DomainError) as refused:
        dated.require_may_register(D(2026, 1, 1))
    assert refused.value.code == "reimbursements.may_not_register_activities"
    with pytest.raises(DomainError) as refused:
        dated.set_from(D(2026, 2, 1), ContractSettings(reimbursed_via_supplier=True))
    assert refused.value.code == "reimbursements.settings_incomplete"
    assert dated.versions[0].valid == DateRange(D(2026, 1, 1))


# -- R5.5 -----------------------------------------------------------------------------------------


def test_r5_5_the_reference_date_may_be_today_not_tomorrow() -> None:
    check_reference_date(D(2026, 11, 29), D(2026, 11, 29))
    with pytest.raises(DomainError) as refused:
        check_reference_date(D(2026, 11, 30), D(2026, 11, 29))
    assert refused.value.code == "reimbursements.reference_date_in_future"


def test_r5_5_a_postponed_line_settles_nothing_and_a_final_batch_never_changes() -> None:
    assert [d.settles for d in LineDecision] == [True, True, False]
    batch = ReimbursementBatch.open(uuid.uuid4(), uuid.uuid4(), D(2026, 3, 31), D(2026, 4, 1))
    batch.finalise(D(2026, 4, 1))
    for change in (lambda: batch.finalise(D(2026, 4, 2)), batch.discard):
        with pytest.raises(DomainError) as refused:
            change()
        assert refused.value.code == "reimbursements.batch_final"
