"""WIA data and the WIA work files (R3.2 ``Wia werkbestand``, R3.3 ``Wia werkbestand tbv NN``).

A WIA claim of an employee: the WIA start date, the benefit (WGA or IVA), the WIA monthly wage,
the income from work, the end date of own-risk bearing (einddatum eigen risicodragerschap, when
the employer bears the WGA risk itself) and, once the claim ends, the outflow date and reason —
among them "AOW-leeftijd bereikt".

R3.2 adds gender, the AOW date (``xs_core.parameters``, marked provisional for a year whose age
is not fixed yet), the monthly wage, the income from work and the employer's WGA-ERD policy on
the WIA start date. R3.3 adds the department of the leading employment and, when the end date of
own-risk bearing is empty, shows min(WIA start + 10 years, AOW date) and says so (DOMAIN §8).
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from typing import ClassVar

import attrs
import pendulum

from xs_core.dates import as_date
from xs_core.errors import Conflict, DomainError, InvalidInput, register_messages
from xs_core.events import Aggregate, DomainEvent
from xs_core.money import Money
from xs_core.organisation.model import Gender
from xs_core.organisation.units import new_id
from xs_core.parameters.aow import AowDate, aow_date
from xs_core.reports.columns import Cell, Column, ColumnKind

register_messages(
    {
        "wia.negative_amount": (
            "Het bedrag {field} mag niet negatief zijn.",
            "The amount {field} may not be negative.",
        ),
        "wia.date_before_start": (
            "De datum {field} ({date}) moet na de WIA-startdatum {start} liggen.",
            "The date {field} ({date}) must lie after the WIA start date {start}.",
        ),
    },
    kind=InvalidInput,
)
register_messages(
    {
        "wia.already_out": (
            "De WIA-claim is al uitgestroomd per {date}.",
            "The WIA claim already ended (outflow) on {date}.",
        ),
    },
    kind=Conflict,
)

#: WGA own-risk bearing lasts 10 years from the start (DOMAIN §8).
OWN_RISK_YEARS = 10


class WiaBenefit(enum.Enum):
    WGA = "WGA"  # werkhervatting gedeeltelijk arbeidsgeschikten
    IVA = "IVA"  # inkomensvoorziening volledig arbeidsongeschikten


class OutflowReason(enum.Enum):
    """Reden uitstroom (R3.3): the list includes "AOW-leeftijd bereikt"."""

    RECOVERED = "recovered"
    DEATH = "death"
    AOW_AGE = "aow_age"
    TO_IVA = "to_iva"
    BENEFIT_ENDED = "benefit_ended"
    OTHER = "other"

    @property
    def label_nl(self) -> str:
        return _OUTFLOW_NL[self]


_OUTFLOW_NL = {
    OutflowReason.RECOVERED: "Hersteld",
    OutflowReason.DEATH: "Overleden",
    OutflowReason.AOW_AGE: "AOW-leeftijd bereikt",
    OutflowReason.TO_IVA: "Overgang naar IVA",
    OutflowReason.BENEFIT_ENDED: "Einde uitkering",
    OutflowReason.OTHER: "Overig",
}


def _not_negative(value: Money | None, field: str) -> None:
    if value is not None and value.amount < 0:
        raise DomainError("wia.negative_amount", {"rule": "R3.2", "field": field})


def _after_start(start: _dt.date, day: _dt.date | None, field: str) -> None:
    if day is not None and day <= start:
        raise DomainError(
            "wia.date_before_start",
            {"rule": "R3.2", "field": field, "date": day.isoformat(), "start": start.isoformat()},
        )


@attrs.frozen(kw_only=True)
class WiaClaimRegistered(DomainEvent):
    """R3.2: a WIA claim of an employee at an employer was registered."""

    name: ClassVar[str] = "WiaClaimRegistered"
    claim_id: uuid.UUID
    employee_id: uuid.UUID
    employer_id: uuid.UUID
    start: _dt.date
    benefit: WiaBenefit


@attrs.frozen(kw_only=True)
class WiaOutflowRecorded(DomainEvent):
    """R3.3: a WIA claim ended (uitstroom) on ``date`` for ``reason``."""

    name: ClassVar[str] = "WiaOutflowRecorded"
    claim_id: uuid.UUID
    employee_id: uuid.UUID
    date: _dt.date
    reason: OutflowReason


@attrs.define(kw_only=True)
class WiaClaim(Aggregate):
    """An employee's WIA claim at an employer."""

    id: uuid.UUID
    employee_id: uuid.UUID
    employer_id: uuid.UUID
    start: pendulum.Date
    benefit: WiaBenefit
    monthly_wage: Money
    income_from_work: Money | None = None
    own_risk_end: pendulum.Date | None = None
    outflow_date: pendulum.Date | None = None
    outflow_reason: OutflowReason | None = None

    @classmethod
    def register(
        cls,
        *,
        employee_id: uuid.UUID,
        employer_id: uuid.UUID,
        start: _dt.date,
        benefit: WiaBenefit,
        monthly_wage: Money,
        income_from_work: Money | None = None,
        own_risk_end: _dt.date | None = None,
        claim_id: uuid.UUID | None = None,
    ) -> WiaClaim:
        first = as_date(start)
        _not_negative(monthly_wage, "monthly_wage")
        _not_negative(income_from_work, "income_from_work")
        _after_start(first, own_risk_end, "own_risk_end")
        claim = cls(
            id=claim_id or new_id(),
            employee_id=employee_id,
            employer_id=employer_id,
            start=first,
            benefit=benefit,
            monthly_wage=monthly_wage,
            income_from_work=income_from_work,
            own_risk_end=None if own_risk_end is None else as_date(own_risk_end),
        )
        claim.record(
            WiaClaimRegistered(
                claim_id=claim.id,
                employee_id=employee_id,
                employer_id=employer_id,
                start=first,
                benefit=benefit,
            )
        )
        return claim

    def record_outflow(self, day: _dt.date, reason: OutflowReason) -> None:
        """R3.3: the claim ends on ``day`` (after its start) for ``reason``; only once."""
        if self.outflow_date is not None:
            raise DomainError("wia.already_out", {"rule": "R3.3", "date": str(self.outflow_date)})
        _after_start(self.start, day, "outflow_date")
        self.outflow_date = as_date(day)
        self.outflow_reason = reason
        self.record(
            WiaOutflowRecorded(
                claim_id=self.id, employee_id=self.employee_id, date=self.outflow_date,
                reason=reason,
            )
        )  # fmt: skip


def derived_own_risk_end(start: _dt.date, aow: AowDate | None) -> pendulum.Date:
    """R3.3: min(WIA start + 10 years, AOW date); without a birth date, start + 10 years."""
    ten_years = as_date(start).add(years=OWN_RISK_YEARS)
    return ten_years if aow is None or ten_years <= aow.date else aow.date


@attrs.frozen(kw_only=True)
class PolicyFacts:
    """The WGA-ERD policy columns of R3.2."""

    number: str
    insurer: str
    product: str
    start: pendulum.Date
    last_day: pendulum.Date | None
    run_in_damage_date: pendulum.Date | None


@attrs.frozen(kw_only=True)
class WiaFacts:
    """What the work files read of one claim."""

    claim: WiaClaim
    employee_name: str
    personnel_number: str | None
    gender: Gender
    birth_date: pendulum.Date | None
    employer_name: str
    employer_code: str | None
    policy: PolicyFacts | None = None
    department: str | None = None


_GENDER_NL = {Gender.MALE: "Man", Gender.FEMALE: "Vrouw", Gender.OTHER: "Anders",
              Gender.UNKNOWN: "Onbekend"}  # fmt: skip


@attrs.frozen(kw_only=True)
class WiaRow:
    """One row of R3.2 (and R3.3 with ``nn``)."""

    facts: WiaFacts
    aow: AowDate | None
    own_risk_end: pendulum.Date | None
    own_risk_end_derived: bool

    def cells(self, nn: bool) -> tuple[Cell, ...]:
        f, c, p = self.facts, self.facts.claim, self.facts.policy
        base: tuple[Cell, ...] = (
            f.employer_code,
            f.employer_name,
            f.personnel_number,
            f.employee_name,
            _GENDER_NL[f.gender],
            f.birth_date,
            None if self.aow is None else self.aow.date,
            None if self.aow is None else ("Ja" if self.aow.provisional else "Nee"),
            c.start,
            c.benefit.value,
            c.monthly_wage.amount,
            None if c.income_from_work is None else c.income_from_work.amount,
            self.own_risk_end,
        )
        if nn:
            base = (
                *base,
                "Afgeleid" if self.own_risk_end_derived else "Ingevuld",
                f.department,
            )
        return (
            *base,
            c.outflow_date,
            None if c.outflow_reason is None else c.outflow_reason.label_nl,
            None if p is None else p.number,
            None if p is None else p.insurer,
            None if p is None else p.product,
            None if p is None else p.start,
            None if p is None else p.last_day,
            None if p is None else p.run_in_damage_date,
        )


def wia_row(facts: WiaFacts, nn: bool) -> WiaRow:
    """R3.2's row; with ``nn`` (R3.3) an empty end of own-risk bearing is derived."""
    aow = None if facts.birth_date is None else aow_date(facts.birth_date)
    own_risk_end = facts.claim.own_risk_end
    derived = False
    if nn and own_risk_end is None:
        own_risk_end = derived_own_risk_end(facts.claim.start, aow)
        derived = True
    return WiaRow(facts=facts, aow=aow, own_risk_end=own_risk_end, own_risk_end_derived=derived)


WIA_REPORT_NAME = "Wia werkbestand"
WIA_NN_REPORT_NAME = "Wia werkbestand tbv NN"


_T, _DT, _DEC = ColumnKind.TEXT, ColumnKind.DATE, ColumnKind.DECIMAL


def wia_columns(nn: bool) -> tuple[Column, ...]:
    """The columns of R3.2 (R3.3 with ``nn``), with the suite's Dutch titles."""
    base: tuple[Column, ...] = (
        Column("employer_code", "Werkgevercode", _T),
        Column("employer", "Werkgever", _T),
        Column("personnel_number", "Personeelsnummer", _T),
        Column("employee", "Werknemer", _T),
        Column("gender", "Geslacht", _T),
        Column("birth_date", "Geboortedatum", _DT),
        Column("aow_date", "AOW-leeftijd", _DT),
        Column("aow_provisional", "AOW-leeftijd voorlopig", _T),
        Column("wia_start", "WIA-startdatum", _DT),
        Column("benefit", "Soort uitkering", _T),
        Column("monthly_wage", "Wia maandloon", _DEC),
        Column("income_from_work", "Inkomsten uit arbeid", _DEC),
        Column("own_risk_end", "Einddatum eigen risicodragerschap", _DT),
    )
    if nn:
        base = (
            *base,
            Column("own_risk_end_source", "Einddatum eigen risicodragerschap bron", _T),
            Column("department", "Afdeling", _T),
        )
    return (
        *base,
        Column("outflow_date", "Datum uitstroom", _DT),
        Column("outflow_reason", "Reden uitstroom", _T),
        Column("policy_number", "Polisnummer", _T),
        Column("insurer", "Verzekeraar", _T),
        Column("product", "Verzekeringsproduct", _T),
        Column("policy_start", "Ingangsdatum polis", _DT),
        Column("policy_end", "Einddatum polis", _DT),
        Column("run_in_damage_date", "Datum inloopschade", _DT),
    )
