"""R1.1: employer VAT number (BTW-nummer): normalised, validated, stored compact, formatted."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.eu import vat as eu_vat
from stdnum.nl import btw

from xs_core import limits
from xs_core.organisation import InvalidVatNumber, VatNumber
from xs_core.organisation.model import Employer
from xs_core.testing import strategies as xst


@pytest.mark.parametrize(
    "text",
    [
        "NL004495445B01",  # public mod-11 example
        "004495445B01",  # Dutch number without the NL prefix
        "nl 0044.95.445-b01",  # spaces, dots, dashes and lower case
        " NL004495445b01 ",
    ],
)
def test_r1_1_dutch_number_is_normalised_and_stored_compact(text: str) -> None:
    vat = VatNumber.parse(text)
    assert str(vat) == "NL004495445B01"
    assert vat.formatted == "NL 004495445 B01"


def test_r1_1_newer_mod_97_numbers_are_valid() -> None:
    # 000099998 fails the old elfproef (weighted sum 118) but passes ISO 7064 mod 97-10.
    assert str(VatNumber.parse("NL000099998B57")) == "NL000099998B57"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("NL123456789B01", "vat.invalid_checksum"),
        ("NL004495446B01", "vat.invalid_checksum"),
        ("NL004495445B012", "vat.invalid_length"),
        ("NL0044954450B01", "vat.invalid_length"),
        ("NL12345678AB01", "vat.invalid_format"),
        ("NL004495445X01", "vat.invalid_format"),
        ("12345", "vat.invalid_format"),
        ("", "vat.invalid_format"),
        ("XX123456789", "vat.unknown_country"),
        ("US123456789", "vat.unknown_country"),
        ("DE13669597", "vat.invalid_length"),
        ("DE136695978", "vat.invalid_checksum"),
    ],
)
def test_r1_1_invalid_input_is_refused_with_the_reason(text: str, code: str) -> None:
    with pytest.raises(InvalidVatNumber) as refused:
        VatNumber.parse(text)
    assert refused.value.code == code
    assert refused.value.details["rule"] == "R1.1"
    assert refused.value.message("nl") != refused.value.message("en")


def test_r1_1_other_member_states() -> None:
    assert str(VatNumber.parse("DE 136 695 976")) == "DE136695976"
    assert str(VatNumber.parse("BE0403.170.701")) == "BE0403170701"
    assert VatNumber.parse("BE0403170701").formatted == "BE 0403170701"


def test_r1_1_invalid_input_changes_nothing_on_the_employer() -> None:
    employer = Employer.create("Bakkerij Jansen")
    employer.set_vat_number("NL004495445B01")
    employer.pull_events()
    with pytest.raises(InvalidVatNumber):
        employer.set_vat_number("NL123456789B01")
    assert str(employer.vat_number) == "NL004495445B01"
    assert employer.pull_events() == []


def test_r1_1_vat_number_can_be_cleared() -> None:
    employer = Employer.create("Bakkerij Jansen")
    employer.set_vat_number("004495445B01")
    employer.clear_vat_number()
    assert employer.vat_number is None
    names = [e.name for e in employer.pull_events()]
    assert names == ["EmployerCreated", "EmployerVatNumberChanged", "EmployerVatNumberChanged"]


@given(xst.dutch_vat_numbers())
def test_r1_1_generated_dutch_numbers_round_trip(text: str) -> None:
    assert btw.is_valid(text)  # the independent reference (python-stdnum)
    vat = VatNumber.parse(text)
    assert str(vat) == text
    assert VatNumber.parse(vat.formatted) == vat
    assert VatNumber.parse(text[2:]) == vat  # without prefix


@pytest.mark.parametrize(
    ("text", "compact"),
    [
        ("DE 136,695 976", "DE136695976"),  # stdnum removes the German comma too
        ("NL4495445B01", "NL004495445B01"),  # leading zeros left out
        ("NL 4495445 B01", "NL004495445B01"),
        ("4495445B01", "NL004495445B01"),  # and no prefix
        ("BE403170701", "BE0403170701"),  # an old nine-digit Belgian number
        ("BE 0403.170.701", "BE0403170701"),
        ("be(0)403170701", "BE0403170701"),
        ("FR 40 303 265 045", "FR40303265045"),
        ("EL 094259216", "EL094259216"),  # Greece writes EL
    ],
)
def test_r1_1_the_stored_form_is_python_stdnums_compact_form(text: str, compact: str) -> None:
    vat = VatNumber.parse(text)
    assert str(vat) == compact == eu_vat.validate(text if text[0].isalpha() else "NL" + text)
    assert len(str(vat)) <= limits.VAT_NUMBER
    assert VatNumber.parse(vat.formatted) == vat


@given(xst.dutch_vat_numbers(), st.lists(st.sampled_from(["", " ", ".", "-"]), min_size=14))
def test_r1_1_dutch_numbers_without_leading_zeros_or_with_separators_are_the_same(
    text: str, separators: list[str]
) -> None:
    digits = text[2:11].lstrip("0")
    short = "NL" + digits + text[11:]
    written = "".join(c + sep for c, sep in zip(short, separators, strict=False))
    assert VatNumber.parse(written).compact == text  # the generated number, with its zeros
    assert VatNumber.parse(digits + text[11:]).compact == text


def test_r1_1_a_dutch_number_longer_than_fourteen_characters_is_refused_for_its_length() -> None:
    for text in ("NL0044954450B01", "NL004495445B02X", "NL004495445B012"):
        with pytest.raises(InvalidVatNumber) as refused:
            VatNumber.parse(text)
        assert refused.value.code == "vat.invalid_length"


@pytest.mark.parametrize("text", ["NL\x00004495445B01", "EU372000041", "ÄÖ0044", "\ud800"])
def test_r1_1_hostile_input_is_refused_with_a_code(text: str) -> None:
    with pytest.raises(InvalidVatNumber) as refused:
        VatNumber.parse(text)
    assert refused.value.code in {"vat.invalid_format", "vat.unknown_country"}
