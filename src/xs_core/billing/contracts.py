"""Contract models, service agreements and subscriptions (R5.1).

A contract model (contractmodel) fixes the kind of contract, its billing frequency, its price
categories (a price per activity type, with the payer) and its active period. A customer (an
employer) has service agreements (dienstverleningsovereenkomsten) on a contract model; an agreement
with a service variation may bill its subscriptions at a strictly shorter frequency (R5.1).
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import ClassVar

import attrs

from xs_core import limits
from xs_core.billing.frequency import BillingFrequency, check_deviation
from xs_core.billing.schedule import BillingPeriod, billing_periods
from xs_core.dates import DateRange
from xs_core.errors import Conflict, DomainError, InvalidInput, register_messages
from xs_core.events import Aggregate, DomainEvent
from xs_core.money import Money
from xs_core.organisation.units import new_id
from xs_core.organisation.validation import optional_text, required_text

register_messages(
    {
        "billing.duplicate_price_category": (
            "Het contractmodel heeft al een prijscategorie voor {activity_type} ({payer}).",
            "The contract model already has a price category for {activity_type} ({payer}).",
        ),
        "billing.negative_amount": (
            "Het bedrag {amount} mag niet negatief zijn.",
            "The amount {amount} may not be negative.",
        ),
        "billing.outside_period": (
            "De periode {period} valt niet binnen {outer}.",
            "The period {period} does not lie within {outer}.",
        ),
    },
    kind=InvalidInput,
)

register_messages(
    {
        "billing.activity_type_priced_twice": (
            "Verrichting {activity_type} wordt in deze periode al geprijsd door "
            "dienstverleningsovereenkomst {agreement}.",
            "Activity type {activity_type} is already priced in this period by service "
            "agreement {agreement}.",
        ),
    },
    kind=Conflict,
)

register_messages(
    {
        "billing.reimbursement_not_guidance": (
            "Een vergoedingscontractmodel moet een begeleidingscontract zijn.",
            "A reimbursement contract model must be a guidance contract.",
        ),
        "billing.reimbursement_payer_not_supplier": (
            "De prijscategorie {activity_type} van een vergoedingscontractmodel heeft de "
            "leverancier als betaler, niet {payer}.",
            "Price category {activity_type} of a reimbursement contract model has the supplier "
            "as payer, not {payer}.",
        ),
        "billing.reimbursement_model_not_for_agreement": (
            "Vergoedingscontractmodel {contract_model} kan niet aan een dienstverlening worden "
            "gekoppeld.",
            "Reimbursement contract model {contract_model} cannot be linked to a service "
            "agreement.",
        ),
    },
    kind=InvalidInput,
)


class ContractModelType(enum.Enum):
    """What a contract model is for: billing customers for services, or reimbursing suppliers
    (vergoedingscontractmodel, R5.4)."""

    SERVICE = "service"
    REIMBURSEMENT = "reimbursement"


class ContractKind(enum.Enum):
    SALES = "sales"  # verkoopcontract
    GUIDANCE = "guidance"  # begeleidingscontract


class Payer(enum.Enum):
    """Who pays an activity of a price category (betalingsplichtige)."""

    EMPLOYER = "employer"  # the customer of the service agreement
    INSURER = "insurer"
    SUPPLIER = "supplier"  # reimbursement contract models (R5.4)


def _not_negative(amount: Money) -> Money:
    if amount.amount < 0:
        raise DomainError("billing.negative_amount", {"amount": str(amount.amount)})
    return amount


def _activity_type(value: str) -> str:
    return required_text(value, "activity_type", limits.ACTIVITY_TYPE)


@attrs.frozen(kw_only=True)
class PriceCategory:
    """A price per activity type and who pays it (prijscategorie)."""

    activity_type: str = attrs.field(converter=_activity_type)
    price: Money = attrs.field(converter=_not_negative)
    payer: Payer = Payer.EMPLOYER


@attrs.frozen(kw_only=True)
class ContractModelCreated(DomainEvent):
    """R5.1, R5.4: a contract model was created with its kind, billing frequency and type
    (``service``, or ``reimbursement`` for a reimbursement contract model; a field added
    compatibly: a message without it is a service model)."""

    name: ClassVar[str] = "ContractModelCreated"
    contract_model_id: uuid.UUID
    contract_model_name: str
    kind: ContractKind
    billing_frequency: BillingFrequency
    model_type: ContractModelType = ContractModelType.SERVICE


@attrs.define(kw_only=True)
class ContractModel(Aggregate):
    id: uuid.UUID
    name: str
    kind: ContractKind
    billing_frequency: BillingFrequency
    active: DateRange
    price_categories: tuple[PriceCategory, ...] = ()
    model_type: ContractModelType = ContractModelType.SERVICE

    @classmethod
    def create(
        cls,
        name: str,
        kind: ContractKind,
        billing_frequency: BillingFrequency,
        active: DateRange,
        price_categories: Iterable[PriceCategory] = (),
        model_type: ContractModelType = ContractModelType.SERVICE,
    ) -> ContractModel:
        """R5.4: a reimbursement model is a guidance contract whose price categories all have
        the supplier as payer (a price — the reimbursement — of zero is allowed)."""
        categories = tuple(price_categories)
        if model_type is ContractModelType.REIMBURSEMENT:
            if kind is not ContractKind.GUIDANCE:
                raise DomainError(
                    "billing.reimbursement_not_guidance", {"rule": "R5.4", "kind": kind.value}
                )
            for category in categories:
                if category.payer is not Payer.SUPPLIER:
                    raise DomainError(
                        "billing.reimbursement_payer_not_supplier",
                        {
                            "rule": "R5.4",
                            "activity_type": category.activity_type,
                            "payer": category.payer.value,
                        },
                    )
        seen: set[tuple[str, Payer]] = set()
        for category in categories:
            key = (category.activity_type, category.payer)
            if key in seen:
                raise DomainError(
                    "billing.duplicate_price_category",
                    {"activity_type": category.activity_type, "payer": category.payer.value},
                )
            seen.add(key)
        model = cls(
            id=new_id(),
            name=required_text(name, "name", limits.NAME),
            kind=kind,
            billing_frequency=billing_frequency,
            active=active,
            price_categories=categories,
            model_type=model_type,
        )
        model.record(
            ContractModelCreated(
                contract_model_id=model.id,
                contract_model_name=model.name,
                kind=kind,
                billing_frequency=billing_frequency,
                model_type=model_type,
            )
        )
        return model

    @property
    def is_reimbursement(self) -> bool:
        return self.model_type is ContractModelType.REIMBURSEMENT

    def reimbursement_for(self, activity_type: str) -> Money | None:
        """R5.4: the reimbursement of an activity type (may be zero), if the model has one."""
        return self.price_for(activity_type, Payer.SUPPLIER)

    def price_for(self, activity_type: str, payer: Payer = Payer.EMPLOYER) -> Money | None:
        for category in self.price_categories:
            if category.activity_type == activity_type and category.payer is payer:
                return category.price
        return None

    def customer_priced_types(self) -> frozenset[str]:
        return frozenset(
            c.activity_type for c in self.price_categories if c.payer is Payer.EMPLOYER
        )


def _within(inner: DateRange, outer: DateRange) -> None:
    if not outer.encloses(inner):
        raise DomainError("billing.outside_period", {"period": str(inner), "outer": str(outer)})


@attrs.frozen(kw_only=True)
class ServiceAgreementConcluded(DomainEvent):
    """R5.1: a customer concluded a service agreement on a contract model, from ``start``
    until ``end`` (exclusive; null: open), billed at ``billing_frequency`` (the model's, or the
    agreement's deviating one)."""

    name: ClassVar[str] = "ServiceAgreementConcluded"
    agreement_id: uuid.UUID
    employer_id: uuid.UUID
    contract_model_id: uuid.UUID
    start: _dt.date
    end: _dt.date | None
    billing_frequency: BillingFrequency


@attrs.frozen(kw_only=True)
class ServiceAgreementBillingFrequencyChanged(DomainEvent):
    """R5.1: a service agreement's deviating billing frequency was set or cleared;
    ``billing_frequency`` is the frequency it is billed at from now on."""

    name: ClassVar[str] = "ServiceAgreementBillingFrequencyChanged"
    agreement_id: uuid.UUID
    employer_id: uuid.UUID
    billing_frequency: BillingFrequency


@attrs.define(kw_only=True)
class ServiceAgreement(Aggregate):
    """A customer's service agreement (dienstverleningsovereenkomst) on a contract model."""

    id: uuid.UUID
    employer_id: uuid.UUID
    contract_model_id: uuid.UUID
    period: DateRange
    service_variation: str | None = None
    deviating_frequency: BillingFrequency | None = None

    @classmethod
    def conclude(
        cls,
        employer_id: uuid.UUID,
        model: ContractModel,
        period: DateRange,
        service_variation: str | None = None,
        deviating_frequency: BillingFrequency | None = None,
    ) -> ServiceAgreement:
        if model.is_reimbursement:
            raise DomainError(
                "billing.reimbursement_model_not_for_agreement",
                {"rule": "R5.4", "contract_model": str(model.id)},
            )
        _within(period, model.active)
        agreement = cls(
            id=new_id(),
            employer_id=employer_id,
            contract_model_id=model.id,
            period=period,
            service_variation=optional_text(
                service_variation, "service_variation", limits.SERVICE_VARIATION
            ),
        )
        agreement._deviate(model, deviating_frequency)
        agreement.record(
            ServiceAgreementConcluded(
                agreement_id=agreement.id,
                employer_id=employer_id,
                contract_model_id=model.id,
                start=period.start,
                end=period.end,
                billing_frequency=agreement.billing_frequency(model),
            )
        )
        return agreement

    def _deviate(self, model: ContractModel, frequency: BillingFrequency | None) -> None:
        if frequency is not None:
            if self.service_variation is None:
                raise DomainError("billing.deviation_needs_variation", {"rule": "R5.1"})
            check_deviation(model.billing_frequency, frequency)
        self.deviating_frequency = frequency

    def set_deviating_frequency(
        self, model: ContractModel, frequency: BillingFrequency | None
    ) -> None:
        """R5.1: only with a service variation, and only strictly shorter than the model's."""
        self._deviate(model, frequency)
        self.record(
            ServiceAgreementBillingFrequencyChanged(
                agreement_id=self.id,
                employer_id=self.employer_id,
                billing_frequency=self.billing_frequency(model),
            )
        )

    def billing_frequency(self, model: ContractModel) -> BillingFrequency:
        return self.deviating_frequency or model.billing_frequency

    def check_pricing_against(
        self, model: ContractModel, others: Iterable[tuple[ServiceAgreement, ContractModel]]
    ) -> None:
        """An activity is priced by one agreement only: agreements of one customer that overlap
        in time may not price the same activity type for the customer."""
        mine = model.customer_priced_types()
        for other, other_model in others:
            if other.id == self.id or not other.period.overlaps(self.period):
                continue
            shared = sorted(mine & other_model.customer_priced_types())
            if shared:
                raise DomainError(
                    "billing.activity_type_priced_twice",
                    {"activity_type": shared[0], "agreement": str(other.id)},
                )


@attrs.frozen(kw_only=True)
class SubscriptionCreated(DomainEvent):
    """R5.1: a subscription of a service agreement was created: ``amount`` euros per contract
    period from ``start`` until ``end`` (exclusive; null: open)."""

    name: ClassVar[str] = "SubscriptionCreated"
    subscription_id: uuid.UUID
    agreement_id: uuid.UUID
    amount: Decimal
    start: _dt.date
    end: _dt.date | None


@attrs.frozen(kw_only=True)
class SubscriptionEndChanged(DomainEvent):
    """R5.1: a subscription's end was set or cleared (``end`` exclusive; null: open); the other
    fields are as they stand."""

    name: ClassVar[str] = "SubscriptionEndChanged"
    subscription_id: uuid.UUID
    agreement_id: uuid.UUID
    amount: Decimal
    start: _dt.date
    end: _dt.date | None


@attrs.define(kw_only=True)
class Subscription(Aggregate):
    """A subscription (abonnement): an amount per contract period, from a start, optionally
    until an end (half-open, R0.2)."""

    id: uuid.UUID
    agreement_id: uuid.UUID
    description: str
    amount: Money
    period: DateRange

    @classmethod
    def subscribe(
        cls, agreement: ServiceAgreement, description: str, amount: Money, period: DateRange
    ) -> Subscription:
        _within(period, agreement.period)
        subscription = cls(
            id=new_id(),
            agreement_id=agreement.id,
            description=required_text(description, "description", limits.DESCRIPTION),
            amount=_not_negative(amount),
            period=period,
        )
        subscription._changed(SubscriptionCreated)
        return subscription

    def _changed(
        self, event: type[SubscriptionCreated | SubscriptionEndChanged] = SubscriptionEndChanged
    ) -> None:
        self.record(
            event(
                subscription_id=self.id,
                agreement_id=self.agreement_id,
                amount=self.amount.amount,
                start=self.period.start,
                end=self.period.end,
            )
        )

    def end_on(self, agreement: ServiceAgreement, end: _dt.date | None) -> None:
        """Set or clear the end (the first day no longer subscribed)."""
        period = DateRange(self.period.start, end)
        _within(period, agreement.period)
        self.period = period
        self._changed()

    def schedule(
        self, model: ContractModel, agreement: ServiceAgreement, window: DateRange
    ) -> list[BillingPeriod]:
        """The billing periods starting in ``window`` with their amounts (R5.1)."""
        return billing_periods(
            self.period.start,
            self.period.end,
            model.billing_frequency.months,
            agreement.billing_frequency(model).months,
            self.amount,
            window,
        )
