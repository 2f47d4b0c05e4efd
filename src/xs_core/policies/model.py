"""Insurers, insurance products, policies and participant registrations (R6.1–R6.6).

An insurer (verzekeraar) offers insurance products (verzekeringsproducten) of a kind; an employer
holds policies (verzekeringspolissen) on a product, over a half-open period, with an optional
run-in damage date (datum inloopschade). Participation of an employee in a policy is registered
as a timeline of non-overlapping periods (deelnemerregistratie), each included or excluded, made
by hand or automatically (:mod:`xs_core.policies.participation`).
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
import json
import uuid
from collections.abc import Iterable
from typing import Any, ClassVar

import attrs
import pendulum

from xs_core import limits
from xs_core.dates import DateRange, as_date
from xs_core.errors import Conflict, InvalidInput, register_messages
from xs_core.events import Aggregate, DomainEvent
from xs_core.organisation.units import new_id
from xs_core.organisation.validation import optional_text, required_text, valid_code
from xs_core.policies.conditions import ConditionOverrides, Conditions
from xs_core.policies.participation import ExclusionReason, Note, Source

register_messages(
    {
        "policies.run_in_outside_policy": (
            "De datum inloopschade {date} ligt niet binnen de polis {period}.",
            "The run-in damage date {date} does not lie within the policy {period}.",
        ),
        "policies.registration_outside_policy": (
            "De registratie {period} valt buiten de polis {policy}.",
            "The registration {period} lies outside the policy {policy}.",
        ),
        "policies.not_employed_by_policy_holder": (
            "De werknemer heeft geen dienstverband bij de werkgever van de polis.",
            "The employee has no employment at the policy's employer.",
        ),
        "policies.end_not_after_start": (
            "De einddatum van de polis ({end}) moet na de ingangsdatum ({start}) liggen; de "
            "einddatum is een tot-datum.",
            "The policy's end date ({end}) must be after its start date ({start}); the end date "
            "is exclusive.",
        ),
    },
    kind=InvalidInput,
)
register_messages(
    {
        "policies.registrations_overlap": (
            "De handmatige registratie {period} overlapt met {other}.",
            "The manual registration {period} overlaps {other}.",
        ),
        "policies.insurer_code_in_use": (
            "De verzekeraarscode {code} is al in gebruik.",
            "The insurer code {code} is already in use.",
        ),
        "policies.product_code_in_use": (
            "De productcode {code} is al in gebruik bij deze verzekeraar.",
            "The product code {code} is already in use at this insurer.",
        ),
        "policies.number_in_use": (
            "Het polisnummer {number} is al in gebruik voor dit verzekeringsproduct.",
            "The policy number {number} is already in use for this insurance product.",
        ),
        "policies.business_rules_off": (
            "Aanvullende voorwaarden kunnen niet worden ingesteld of getoond: de "
            "configuratieparameter BusinessRules staat op 0.",
            "Conditions cannot be set or shown: the configuration parameter BusinessRules is 0.",
        ),
        "policies.not_a_manual_registration": (
            "Alleen een handmatige registratie kan worden verwijderd; de automatische volgen uit "
            "de voorwaarden.",
            "Only a manual registration can be removed; automatic ones follow from the conditions.",
        ),
    },
    kind=Conflict,
)


def policy_period(start: _dt.date, end: _dt.date | None) -> DateRange:
    """The half-open period of a policy (R0.2); an end on or before the start is refused with
    ``policies.end_not_after_start``."""
    if end is not None and end <= start:
        raise InvalidInput(
            "policies.end_not_after_start",
            {"rule": "R0.2", "start": start.isoformat(), "end": end.isoformat()},
        )
    return DateRange(start, end)


class ProductKind(enum.Enum):
    """The kind of an insurance product; the WIA reports read the WGA-ERD policies (R3.2)."""

    WGA_ERD = "wga_erd"  # WGA eigenrisicodragerschap
    WIA_EXCEDENT = "wia_excedent"
    PENSION = "pension"
    SICKNESS_ABSENCE = "sickness_absence"  # verzuimverzekering
    OTHER = "other"


@attrs.frozen(kw_only=True)
class InsurerCreated(DomainEvent):
    """R6.3: an insurer (of insurance products) was registered."""

    name: ClassVar[str] = "InsurerCreated"
    insurer_id: uuid.UUID
    insurer_name: str
    code: str | None


@attrs.frozen(kw_only=True)
class InsuranceProductCreated(DomainEvent):
    """R6.3: an insurance product of an insurer was made (its conditions all off, R6.1)."""

    name: ClassVar[str] = "InsuranceProductCreated"
    product_id: uuid.UUID
    insurer_id: uuid.UUID
    kind: str


@attrs.frozen(kw_only=True)
class PolicyCreated(DomainEvent):
    """R6.3: an employer's policy on a product was made (it follows the product's
    conditions)."""

    name: ClassVar[str] = "PolicyCreated"
    policy_id: uuid.UUID
    employer_id: uuid.UUID
    product_id: uuid.UUID
    policy_number: str
    start: _dt.date
    end: _dt.date | None


@attrs.frozen(kw_only=True)
class ConditionsChanged(DomainEvent):
    """R6.3: the conditions of a product, or the overrides of a policy, changed."""

    name: ClassVar[str] = "ConditionsChanged"
    product_id: uuid.UUID | None = None
    policy_id: uuid.UUID | None = None


@attrs.frozen(kw_only=True)
class ParticipationChanged(DomainEvent):
    """R6.6: a participant registration was made or changed (manual or by the nightly run)."""

    name: ClassVar[str] = "ParticipationChanged"
    policy_id: uuid.UUID
    employee_id: uuid.UUID
    start: _dt.date
    end: _dt.date | None
    included: bool
    reasons: tuple[str, ...]
    source: str

    def payload(self) -> dict[str, Any]:
        """As :meth:`DomainEvent.payload`, written out: the nightly run publishes millions."""
        return {
            "policy_id": str(self.policy_id),
            "employee_id": str(self.employee_id),
            "start": self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "included": self.included,
            "reasons": list(self.reasons),
            "source": self.source,
        }

    def payload_text(self) -> str:
        """``json.dumps(self.payload())``, written out (R0.7): the nightly run publishes
        millions; the reasons and the source are encoded once per distinct value."""
        end = "null" if self.end is None else f'"{self.end.isoformat()}"'
        return (
            f'{{"policy_id": "{self.policy_id}", "employee_id": "{self.employee_id}", '
            f'"start": "{self.start.isoformat()}", "end": {end}, '
            f'"included": {"true" if self.included else "false"}, '
            f'"reasons": {_json_strings(self.reasons)}, "source": {_json_string(self.source)}}}'
        )


@functools.lru_cache(maxsize=1024)
def _json_strings(values: tuple[str, ...]) -> str:
    return json.dumps(list(values))


@functools.lru_cache(maxsize=64)
def _json_string(value: str) -> str:
    return json.dumps(value)


@functools.lru_cache(maxsize=1024)
def _reason_codes(reasons: frozenset[ExclusionReason]) -> tuple[str, ...]:
    """A registration's reasons as an event names them: their codes, sorted."""
    return tuple(sorted(r.value for r in reasons))


@attrs.frozen(kw_only=True)
class RegistrationRemoved(DomainEvent):
    """R6.4: a manual registration was removed; its days follow the evaluation again."""

    name: ClassVar[str] = "RegistrationRemoved"
    registration_id: uuid.UUID
    policy_id: uuid.UUID
    employee_id: uuid.UUID
    start: _dt.date
    end: _dt.date | None


@attrs.define(kw_only=True)
class Insurer(Aggregate):
    """An insurer (verzekeraar)."""

    id: uuid.UUID
    name: str
    code: str | None = None

    @classmethod
    def create(cls, name: str, code: str | None = None) -> Insurer:
        insurer = cls(
            id=new_id(), name=required_text(name, "name", limits.NAME), code=valid_code(code)
        )
        insurer.record(
            InsurerCreated(insurer_id=insurer.id, insurer_name=insurer.name, code=insurer.code)
        )
        return insurer


@attrs.define(kw_only=True)
class InsuranceProduct(Aggregate):
    """An insurance product of an insurer, with the conditions its policies inherit (R6.3)."""

    id: uuid.UUID
    insurer_id: uuid.UUID
    name: str
    code: str | None
    kind: ProductKind
    conditions: Conditions = attrs.field(factory=Conditions)

    @classmethod
    def create(
        cls, insurer_id: uuid.UUID, name: str, kind: ProductKind, code: str | None = None
    ) -> InsuranceProduct:
        product = cls(
            id=new_id(),
            insurer_id=insurer_id,
            name=required_text(name, "name", limits.NAME),
            code=valid_code(code),
            kind=kind,
        )
        product.record(
            InsuranceProductCreated(
                product_id=product.id, insurer_id=insurer_id, kind=product.kind.value
            )
        )
        return product

    def set_conditions(self, conditions: Conditions) -> None:
        """R6.3: changing the product changes every policy that did not override a condition."""
        if conditions != self.conditions:
            self.conditions = conditions
            self.record(ConditionsChanged(product_id=self.id))


@attrs.define(kw_only=True)
class Policy(Aggregate):
    """An employer's policy on a product (verzekeringspolis), over a half-open period (R0.2)."""

    id: uuid.UUID
    employer_id: uuid.UUID
    product_id: uuid.UUID
    number: str
    period: DateRange
    run_in_damage_date: pendulum.Date | None = None
    overrides: ConditionOverrides = attrs.field(factory=ConditionOverrides)

    @classmethod
    def create(
        cls,
        employer_id: uuid.UUID,
        product_id: uuid.UUID,
        number: str,
        period: DateRange,
        run_in_damage_date: _dt.date | None = None,
    ) -> Policy:
        policy = cls(
            id=new_id(),
            employer_id=employer_id,
            product_id=product_id,
            number=required_text(number, "number", limits.POLICY_NUMBER),
            period=period,
            run_in_damage_date=None if run_in_damage_date is None else as_date(run_in_damage_date),
        )
        policy._check_run_in()
        policy.record(
            PolicyCreated(
                policy_id=policy.id,
                employer_id=employer_id,
                product_id=product_id,
                policy_number=policy.number,
                start=policy.period.start,
                end=policy.period.end,
            )
        )
        return policy

    def _check_run_in(self) -> None:
        day = self.run_in_damage_date
        if day is not None and not self.period.contains(day):
            raise InvalidInput(
                "policies.run_in_outside_policy",
                {"rule": "R3.2", "date": day.isoformat(), "period": str(self.period)},
            )

    def set_overrides(self, overrides: ConditionOverrides) -> None:
        """R6.3: the policy's own conditions; ``None`` for a condition follows the product."""
        if overrides != self.overrides:
            self.overrides = overrides
            self.record(ConditionsChanged(policy_id=self.id))


@attrs.frozen(kw_only=True)
class Registration:
    """A stored participation period of an employee in a policy (deelnemerregistratie, R6.6):
    what the participant page shows, with the date it was registered."""

    id: uuid.UUID
    policy_id: uuid.UUID
    employee_id: uuid.UUID
    period: DateRange
    included: bool
    reasons: frozenset[ExclusionReason] = frozenset()
    source: Source = Source.AUTOMATIC
    notes: frozenset[Note] = frozenset()
    note: str | None = None
    registered_on: pendulum.Date

    @classmethod
    def manual(
        cls,
        policy: Policy,
        employee_id: uuid.UUID,
        period: DateRange,
        included: bool,
        today: _dt.date,
        note: str | None = None,
    ) -> Registration:
        """R6.4: a registration made by hand, inside the policy's period; an exclusion gives the
        reason "Handmatig"."""
        if not policy.period.encloses(period):
            raise InvalidInput(
                "policies.registration_outside_policy",
                {"rule": "R6.4", "period": str(period), "policy": str(policy.period)},
            )
        return cls(
            id=new_id(),
            policy_id=policy.id,
            employee_id=employee_id,
            period=period,
            included=included,
            reasons=frozenset() if included else frozenset({ExclusionReason.MANUAL}),
            source=Source.MANUAL,
            note=optional_text(note, "note", limits.REGISTRATION_NOTE),
            registered_on=as_date(today),
        )

    @property
    def is_manual(self) -> bool:
        return self.source is Source.MANUAL

    def without(self, period: DateRange) -> list[Registration]:
        """The registration less the days of ``period``: none, one or two pieces (new ids,
        same outcome and registration date)."""
        pieces = self.period.difference(period)
        if pieces == [self.period]:
            return [self]
        return [attrs.evolve(self, id=new_id(), period=piece) for piece in pieces]

    def removed_event(self) -> RegistrationRemoved:
        return RegistrationRemoved(
            registration_id=self.id,
            policy_id=self.policy_id,
            employee_id=self.employee_id,
            start=self.period.start,
            end=self.period.end,
        )

    def changed_event(self) -> ParticipationChanged:
        return ParticipationChanged(
            policy_id=self.policy_id,
            employee_id=self.employee_id,
            start=self.period.start,
            end=self.period.end,
            included=self.included,
            reasons=_reason_codes(self.reasons),
            source=self.source.value,
        )


def refuse_manual_overlap(new: Registration, existing: Iterable[Registration]) -> None:
    """R6.4: manual registrations of an employee in a policy never overlap
    (``policies.registrations_overlap``, naming the other one)."""
    for other in existing:
        if other.is_manual and other.id != new.id and other.period.overlaps(new.period):
            raise Conflict(
                "policies.registrations_overlap",
                {
                    "rule": "R6.4",
                    "period": str(new.period),
                    "other": str(other.period),
                    "registration_id": str(other.id),
                },
            )
