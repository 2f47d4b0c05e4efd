"""Use cases of contract management and billing (R5.1, R4.4).

A billing run holds the customers it bills locked (row locks on PostgreSQL in id order; the
writing transaction of SQLite holds the database's write lock), and the line tables' keys make it
impossible for a billing period or an activity to be on two invoice bases, however many runs go
at once.
"""

from __future__ import annotations

import csv
import datetime as _dt
import uuid
from typing import TextIO

import attrs

from xs_app.services.base import Service
from xs_core.access.features import Feature
from xs_core.billing.contracts import (
    ContractKind,
    ContractModel,
    PriceCategory,
    ServiceAgreement,
    Subscription,
)
from xs_core.billing.frequency import ALLOWED_DEVIATIONS, BillingFrequency
from xs_core.billing.invoicing import InvoiceBasis, InvoiceLine, LineKind, RunSummary
from xs_core.billing.run import Progress, run_billing
from xs_core.billing.schedule import BillingPeriod
from xs_core.dates import DateRange
from xs_core.errors import DomainError, register_messages
from xs_core.money import Money
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.uow import UnitOfWork

register_messages(
    {
        "billing.open_period": (
            "Een facturatierun heeft een periode met een einddatum nodig.",
            "A billing run needs a period with an end.",
        ),
    }
)

#: The columns of the CSV export of an invoice basis.
CSV_COLUMNS = (
    "invoice_basis",
    "customer",
    "line",
    "reference",
    "description",
    "period_from",
    "period_until",
    "employee",
    "amount",
)


@attrs.frozen(kw_only=True)
class CreateContractModel:
    actor: uuid.UUID
    name: str
    kind: ContractKind
    billing_frequency: BillingFrequency
    active: DateRange
    price_categories: tuple[PriceCategory, ...] = ()


@attrs.frozen(kw_only=True)
class ConcludeAgreement:
    """A service agreement of a customer (employer) on a contract model (R5.1)."""

    actor: uuid.UUID
    employer_id: uuid.UUID
    contract_model_id: uuid.UUID
    period: DateRange
    service_variation: str | None = None
    deviating_frequency: BillingFrequency | None = None


@attrs.frozen(kw_only=True)
class Subscribe:
    """A subscription: ``amount`` per contract period of the agreement's contract model."""

    actor: uuid.UUID
    agreement_id: uuid.UUID
    description: str
    amount: Money
    period: DateRange


@attrs.frozen(kw_only=True)
class RunBilling:
    actor: uuid.UUID
    period: DateRange
    employer_ids: frozenset[uuid.UUID] | None = None


def _employer(employer_id: uuid.UUID) -> UnitRef:
    return UnitRef(UnitKind.EMPLOYER, employer_id)


class BillingService(Service):
    def create_contract_model(self, cmd: CreateContractModel) -> uuid.UUID:
        with self._uow() as uow:
            self.authorise(uow, cmd.actor, Feature.MANAGE_CONTRACTS)
            model = ContractModel.create(
                cmd.name, cmd.kind, cmd.billing_frequency, cmd.active, cmd.price_categories
            )
            uow.contract_models.add(model)
            uow.commit()
            return model.id

    def contract_models(self, actor: uuid.UUID) -> list[ContractModel]:
        with self._uow(write=False) as uow:
            self.authorise(uow, actor, Feature.MANAGE_CONTRACTS)
            return uow.contract_models.list()

    @staticmethod
    def _others(
        uow: UnitOfWork, employer_id: uuid.UUID
    ) -> list[tuple[ServiceAgreement, ContractModel]]:
        return [
            (other, uow.contract_models.get(other.contract_model_id))
            for other in uow.service_agreements.for_employer(employer_id)
        ]

    def conclude_agreement(self, cmd: ConcludeAgreement) -> uuid.UUID:
        """R5.1: a deviating frequency only with a service variation and strictly shorter."""
        with self._uow() as uow:
            self.authorise(uow, cmd.actor, Feature.MANAGE_CONTRACTS, _employer(cmd.employer_id))
            uow.employers.get(cmd.employer_id)
            model = uow.contract_models.get(cmd.contract_model_id)
            agreement = ServiceAgreement.conclude(
                cmd.employer_id,
                model,
                cmd.period,
                cmd.service_variation,
                cmd.deviating_frequency,
            )
            agreement.check_pricing_against(model, self._others(uow, cmd.employer_id))
            uow.service_agreements.add(agreement)
            uow.commit()
            return agreement.id

    def deviation_choices(
        self, actor: uuid.UUID, agreement_id: uuid.UUID
    ) -> list[BillingFrequency]:
        """R5.1: the deviating frequencies the agreement's contract model allows."""
        with self._uow(write=False) as uow:
            agreement = uow.service_agreements.get(agreement_id)
            self.authorise(uow, actor, Feature.MANAGE_CONTRACTS, _employer(agreement.employer_id))
            model = uow.contract_models.get(agreement.contract_model_id)
            return list(ALLOWED_DEVIATIONS[model.billing_frequency])

    def set_deviating_frequency(
        self, actor: uuid.UUID, agreement_id: uuid.UUID, frequency: BillingFrequency | None
    ) -> None:
        """R5.1: refused (with the allowed choices) unless strictly shorter."""
        with self._uow() as uow:
            agreement = uow.service_agreements.get(agreement_id)
            self.authorise(uow, actor, Feature.MANAGE_CONTRACTS, _employer(agreement.employer_id))
            model = uow.contract_models.get(agreement.contract_model_id)
            agreement.set_deviating_frequency(model, frequency)
            uow.service_agreements.save(agreement)
            uow.commit()

    def subscribe(self, cmd: Subscribe) -> uuid.UUID:
        with self._uow() as uow:
            agreement = uow.service_agreements.get(cmd.agreement_id)
            self.authorise(
                uow, cmd.actor, Feature.MANAGE_CONTRACTS, _employer(agreement.employer_id)
            )
            subscription = Subscription.subscribe(
                agreement, cmd.description, cmd.amount, cmd.period
            )
            uow.subscriptions.add(subscription)
            uow.commit()
            return subscription.id

    def end_subscription(
        self, actor: uuid.UUID, subscription_id: uuid.UUID, end: _dt.date | None
    ) -> None:
        """Set (or clear) the first day no longer subscribed; the last period is pro rata."""
        with self._uow() as uow:
            subscription = uow.subscriptions.get(subscription_id)
            agreement = uow.service_agreements.get(subscription.agreement_id)
            self.authorise(uow, actor, Feature.MANAGE_CONTRACTS, _employer(agreement.employer_id))
            subscription.end_on(agreement, end)
            uow.subscriptions.save(subscription)
            uow.commit()

    def schedule(
        self, actor: uuid.UUID, subscription_id: uuid.UUID, window: DateRange
    ) -> list[BillingPeriod]:
        """R5.1: the billing periods of a subscription that start in ``window``."""
        if window.end is None:
            raise DomainError("billing.open_period", {"rule": "R5.1"})
        with self._uow(write=False) as uow:
            subscription = uow.subscriptions.get(subscription_id)
            agreement = uow.service_agreements.get(subscription.agreement_id)
            self.authorise(uow, actor, Feature.MANAGE_CONTRACTS, _employer(agreement.employer_id))
            model = uow.contract_models.get(agreement.contract_model_id)
            return subscription.schedule(model, agreement, window)

    def run(self, cmd: RunBilling, progress: Progress | None = None) -> RunSummary:
        """Generate draft invoice bases for a period, set-based (R5.1, R4.4)."""
        if cmd.period.end is None:
            raise DomainError("billing.open_period", {"rule": "R5.1"})
        with self._uow() as uow:
            auth, principal = self.authorise(uow, cmd.actor, Feature.RUN_BILLING)
            employer_ids = cmd.employer_ids
            for employer_id in employer_ids or ():
                auth.require_in_scope(principal, _employer(employer_id))
            scope = auth.resolved_scope(principal)
            if employer_ids is None and not scope.everything:
                employer_ids = scope.employer_ids
            summary = run_billing(
                uow.invoicing,
                cmd.period,
                self._clock.today(),
                employer_ids,
                uow.publish,
                progress,
            )
            uow.commit()
            return summary

    def _basis(self, uow: UnitOfWork, actor: uuid.UUID, basis_id: uuid.UUID) -> InvoiceBasis:
        basis = uow.invoicing.get(basis_id)
        self.authorise(uow, actor, Feature.RUN_BILLING, _employer(basis.employer_id))
        return basis

    def invoice_basis(self, actor: uuid.UUID, basis_id: uuid.UUID) -> InvoiceBasis:
        with self._uow(write=False) as uow:
            return self._basis(uow, actor, basis_id)

    def invoice_bases(
        self, actor: uuid.UUID, period: DateRange | None = None
    ) -> list[InvoiceBasis]:
        """The invoice bases within the actor's scope."""
        with self._uow(write=False) as uow:
            auth, principal = self.authorise(uow, actor, Feature.RUN_BILLING)
            scope = auth.resolved_scope(principal)
            return [
                b
                for b in uow.invoicing.list(period)
                if scope.everything or b.employer_id in scope.employer_ids
            ]

    def make_final(self, actor: uuid.UUID, basis_id: uuid.UUID) -> None:
        with self._uow() as uow:
            basis = self._basis(uow, actor, basis_id)
            basis.make_final()
            uow.invoicing.save(basis)
            uow.commit()

    def mark_sent(self, actor: uuid.UUID, basis_id: uuid.UUID) -> int:
        """The invoice was sent: the basis's activities become offered (aangeboden)."""
        with self._uow() as uow:
            basis = self._basis(uow, actor, basis_id)
            # a basis that is not final refuses below, and the unit of work undoes the offer
            offered = uow.invoicing.offer_activities(basis_id)
            basis.mark_sent(self._clock.today(), offered)
            uow.invoicing.save(basis)
            uow.commit()
            return offered

    def discard(self, actor: uuid.UUID, basis_id: uuid.UUID) -> None:
        """Delete a draft basis; its billing periods and activities can be billed again."""
        with self._uow() as uow:
            basis = self._basis(uow, actor, basis_id)
            basis.require_draft("be discarded")
            uow.invoicing.delete(basis_id)
            uow.commit()

    def lines(self, actor: uuid.UUID, basis_id: uuid.UUID) -> list[InvoiceLine]:
        with self._uow(write=False) as uow:
            self._basis(uow, actor, basis_id)
            return list(uow.invoicing.lines(basis_id))

    def export_csv(self, actor: uuid.UUID, basis_id: uuid.UUID, out: TextIO) -> int:
        """Write the invoice basis as CSV (``CSV_COLUMNS``; dates ISO, ``period_until``
        exclusive per R0.2, amounts with a decimal point); the number of lines written."""
        with self._uow(write=False) as uow:
            basis = self._basis(uow, actor, basis_id)
            customer = uow.employers.get(basis.employer_id)
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            count = 0
            for line in uow.invoicing.lines(basis_id):
                writer.writerow(
                    (
                        basis.id,
                        customer.code or customer.name,
                        line.kind.value,
                        line.reference_id,
                        line.description,
                        line.period.start.isoformat(),
                        "" if line.period.end is None else line.period.end.isoformat(),
                        "" if line.employee_id is None else line.employee_id,
                        f"{line.amount.amount:.2f}",
                    )
                )
                count += 1
            return count


__all__ = [
    "CSV_COLUMNS",
    "BillingService",
    "ConcludeAgreement",
    "CreateContractModel",
    "LineKind",
    "RunBilling",
    "Subscribe",
]
