"""The WIA claims and work files (R3.2, R3.3) in the pure core: outflow (with "AOW-leeftijd
bereikt"), refusals, and both branches of R3.3's min(WIA start + 10 years, AOW date)."""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_core.errors import DomainError
from xs_core.money import Money
from xs_core.organisation.model import Gender
from xs_core.parameters.aow import aow_date
from xs_core.reports.wia import (
    OutflowReason,
    WiaBenefit,
    WiaClaim,
    WiaFacts,
    derived_own_risk_end,
    wia_columns,
    wia_row,
)

D = _dt.date


def claim(start: D, own_risk_end: D | None = None) -> WiaClaim:
    return WiaClaim.register(
        employee_id=uuid.uuid4(),
        employer_id=uuid.uuid4(),
        start=start,
        benefit=WiaBenefit.WGA,
        monthly_wage=Money("3250.00"),
        income_from_work=Money("800.50"),
        own_risk_end=own_risk_end,
    )


def facts(c: WiaClaim, born: D | None) -> WiaFacts:
    return WiaFacts(
        claim=c,
        employee_name="Anna Jansen",
        personnel_number="P1",
        gender=Gender.FEMALE,
        birth_date=None if born is None else pendulum.Date(born.year, born.month, born.day),
        employer_name="Bakkerij",
        employer_code="W1",
    )


def test_r3_3_the_aow_date_in_a_year_not_fixed_yet_is_the_minimum_and_provisional() -> None:
    """Born 15 March 1970: 67 y 3 m (the last fixed age, provisional for 2032 and later) is
    reached on 15 June 2037, before 1 January 2040 (WIA start 2030 + 10 years)."""
    row = wia_row(facts(claim(D(2030, 1, 1)), D(1970, 3, 15)), nn=True)
    assert row.aow is not None and row.aow.provisional
    assert row.own_risk_end == D(2037, 6, 15)
    assert row.own_risk_end_derived
    cells = dict(zip([c.key for c in wia_columns(True)], row.cells(True), strict=True))
    assert cells["aow_date"] == D(2037, 6, 15) and cells["aow_provisional"] == "Ja"
    assert cells["own_risk_end_source"] == "Afgeleid"


def test_r3_3_ten_years_after_the_wia_start_when_that_comes_first() -> None:
    """Born 1 May 1990 (AOW 1 August 2057); WIA start 1 March 2024: 1 March 2034."""
    row = wia_row(facts(claim(D(2024, 3, 1)), D(1990, 5, 1)), nn=True)
    assert row.own_risk_end == D(2034, 3, 1) and row.own_risk_end_derived


def test_r3_3_a_filled_in_end_of_own_risk_bearing_is_kept() -> None:
    row = wia_row(facts(claim(D(2024, 3, 1), own_risk_end=D(2026, 1, 1)), D(1990, 5, 1)), nn=True)
    assert row.own_risk_end == D(2026, 1, 1) and not row.own_risk_end_derived
    cells = dict(zip([c.key for c in wia_columns(True)], row.cells(True), strict=True))
    assert cells["own_risk_end_source"] == "Ingevuld"


def test_r3_2_the_work_file_does_not_derive_and_has_the_new_columns() -> None:
    row = wia_row(facts(claim(D(2024, 3, 1)), None), nn=False)
    assert row.own_risk_end is None and row.aow is None
    titles = [c.title for c in wia_columns(False)]
    for title in ("Geslacht", "AOW-leeftijd", "Wia maandloon", "Inkomsten uit arbeid",
                  "Polisnummer", "Verzekeraar", "Verzekeringsproduct", "Ingangsdatum polis",
                  "Einddatum polis", "Datum inloopschade"):  # fmt: skip
        assert title in titles
    assert "Afdeling" not in titles and "Afdeling" in [c.title for c in wia_columns(True)]
    cells = dict(zip([c.key for c in wia_columns(False)], row.cells(False), strict=True))
    assert cells["gender"] == "Vrouw" and cells["monthly_wage"] == Decimal("3250.00")
    assert cells["policy_number"] is None  # no WGA-ERD policy


def test_r3_3_outflow_aow_age_reached_once() -> None:
    c = claim(D(2024, 3, 1))
    c.record_outflow(D(2027, 4, 1), OutflowReason.AOW_AGE)
    assert OutflowReason.AOW_AGE.label_nl == "AOW-leeftijd bereikt"
    cells = dict(
        zip([k.key for k in wia_columns(False)],
            wia_row(facts(c, None), nn=False).cells(False), strict=True)
    )  # fmt: skip
    assert (cells["outflow_date"], cells["outflow_reason"]) == (
        D(2027, 4, 1),
        "AOW-leeftijd bereikt",
    )
    with pytest.raises(DomainError) as again:
        c.record_outflow(D(2028, 1, 1), OutflowReason.OTHER)
    assert again.value.code == "wia.already_out"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"monthly_wage": Money("-1.00")}, "wia.negative_amount"),
        ({"own_risk_end": D(2024, 3, 1)}, "wia.date_before_start"),
    ],
)
def test_r3_2_bad_claims_are_refused(kwargs: dict[str, object], code: str) -> None:
    base: dict[str, object] = {
        "employee_id": uuid.uuid4(),
        "employer_id": uuid.uuid4(),
        "start": D(2024, 3, 1),
        "benefit": WiaBenefit.IVA,
        "monthly_wage": Money("1.00"),
    }
    with pytest.raises(DomainError) as refused:
        WiaClaim.register(**{**base, **kwargs})  # type: ignore[arg-type]
    assert refused.value.code == code


@given(st.dates(D(1950, 1, 1), D(2005, 12, 31)), st.dates(D(2010, 1, 1), D(2060, 12, 31)))
def test_r3_3_the_derived_end_is_the_earlier_of_the_two(born: D, start: D) -> None:
    aow = aow_date(born)
    end = derived_own_risk_end(start, aow)
    ten = pendulum.Date(start.year, start.month, start.day).add(years=10)
    assert end == min(ten, aow.date)
