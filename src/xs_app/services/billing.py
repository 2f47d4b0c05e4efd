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

from xs_app.services.base import Service, employer, hidden
from xs_app.services.command import Command, accepts_legacy
from xs_core.access.features import Feature
from xs_core.billing.contracts import (
    ContractKind,
    ContractModel,
    ContractModelType,
    PriceCategory,
    ServiceAgreement,
    Subscription,
)
from xs_core.billing.frequency import ALLOWED_DEVIATIONS, BillingFrequency
from xs_core.billing.invoicing import InvoiceBasis, InvoiceLine, RunSummary
from xs_core.billing.run import run_billing
from xs_core.billing.schedule import BillingPeriod
from xs_core.dates import DateRange
from xs_core.errors import DomainError, InvalidInput, register_messages
from xs_core.money import Money
from xs_core.progress import Progress
from xs_core.uow import UnitOfWork

register_messages(
    {
        "billing.open_period": (
            "Een facturatierun heeft een periode met een einddatum nodig.",
            "A billing run needs a period with an end.",
        ),
    },
    kind=InvalidInput,
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
class CreateContractModel(Command):
    actor: uuid.UUID
    name: str
    kind: ContractKind
    billing_frequency: BillingFrequency
    active: DateRange
    price_categories: tuple[PriceCategory, ...] = ()
    #: R5.4: ``REIMBURSEMENT`` for a reimbursement contract model (a guidance contract whose
    #: price categories — the reimbursements — have the supplier as payer)
    model_type: ContractModelType = ContractModelType.SERVICE


@attrs.frozen(kw_only=True)
class ConcludeAgreement(Command):
    """A service agreement of a customer (employer) on a contract model (R5.1)."""

    actor: uuid.UUID
    employer_id: uuid.UUID
    contract_model_id: uuid.UUID
    period: DateRange
    service_variation: str | None = None
    deviating_frequency: BillingFrequency | None = None


@attrs.frozen(kw_only=True)
class Subscribe(Command):
    """A subscription: ``amount`` per contract period of the agreement's contract model."""

    actor: uuid.UUID
    agreement_id: uuid.UUID
    description: str
    amount: Money
    period: DateRange


@attrs.frozen(kw_only=True)
class RunBilling(Command):
    actor: uuid.UUID
    period: DateRange
    employer_ids: frozenset[uuid.UUID] | None = None


@attrs.frozen(kw_only=True)
class ListContractModels(Command):
    actor: uuid.UUID


@attrs.frozen(kw_only=True)
class DeviationChoices(Command):
    """R5.1: the deviating frequencies the agreement's contract model allows."""

    actor: uuid.UUID
    agreement_id: uuid.UUID


@attrs.frozen(kw_only=True)
class SetDeviatingFrequency(Command):
    """R5.1: a strictly shorter frequency, or ``None`` for the contract model's own."""

    actor: uuid.UUID
    agreement_id: uuid.UUID
    frequency: BillingFrequency | None


@attrs.frozen(kw_only=True)
class EndSubscription(Command):
    """Set (or clear, with ``None``) the first day no longer subscribed."""

    actor: uuid.UUID
    subscription_id: uuid.UUID
    end: _dt.date | None


@attrs.frozen(kw_only=True)
class SubscriptionSchedule(Command):
    """R5.1: the billing periods of a subscription that start in ``window``."""

    actor: uuid.UUID
    subscription_id: uuid.UUID
    window: DateRange


@attrs.frozen(kw_only=True)
class GetInvoiceBasis(Command):
    actor: uuid.UUID
    basis_id: uuid.UUID


@attrs.frozen(kw_only=True)
class ListInvoiceBases(Command):
    """The invoice bases in the actor's scope, optionally those overlapping ``period``."""

    actor: uuid.UUID
    period: DateRange | None = None


@attrs.frozen(kw_only=True)
class MakeInvoiceBasisFinal(Command):
    actor: uuid.UUID
    basis_id: uuid.UUID


@attrs.frozen(kw_only=True)
class MarkInvoiceSent(Command):
    """The invoice of a final basis was sent: its activities become offered (aangeboden)."""

    actor: uuid.UUID
    basis_id: uuid.UUID


@attrs.frozen(kw_only=True)
class DiscardInvoiceBasis(Command):
    """Delete a draft basis; its billing periods and activities can be billed again."""

    actor: uuid.UUID
    basis_id: uuid.UUID


@attrs.frozen(kw_only=True)
class InvoiceLines(Command):
    actor: uuid.UUID
    basis_id: uuid.UUID


@attrs.frozen(kw_only=True)
class ExportInvoiceBasis(Command):
    """Write an invoice basis as CSV (``CSV_COLUMNS``)."""

    actor: uuid.UUID
    basis_id: uuid.UUID


class BillingService(Service):
    """Contract management and billing (R5.1)."""

    def create_contract_model(self, cmd: CreateContractModel) -> uuid.UUID:
        """A contract model: kind, billing frequency, price categories and active period (R5.1)."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_CONTRACTS)
            model = ContractModel.create(
                cmd.name,
                cmd.kind,
                cmd.billing_frequency,
                cmd.active,
                cmd.price_categories,
                cmd.model_type,
            )
            uow.contract_models.add(model)
            uow.commit()
            return model.id

    @accepts_legacy(ListContractModels, "actor")
    def contract_models(self, cmd: ListContractModels) -> list[ContractModel]:
        """Every contract model, for those who manage contracts (R5.1)."""
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_CONTRACTS)
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
        """R5.1: a deviating frequency only with a service variation and strictly shorter. The
        customer is locked while its other agreements are checked."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_CONTRACTS, employer(cmd.employer_id))
            uow.employers.lock(cmd.employer_id)
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

    def _agreement(
        self, uow: UnitOfWork, actor: uuid.UUID, agreement_id: uuid.UUID, lock: bool
    ) -> ServiceAgreement:
        auth, principal = self._authorise(uow, actor, Feature.MANAGE_CONTRACTS)
        agreement = (
            uow.service_agreements.lock(agreement_id)
            if lock
            else uow.service_agreements.get(agreement_id)
        )
        auth.require_visible(
            principal, employer(agreement.employer_id), hidden("service_agreement", agreement_id)
        )
        return agreement

    @accepts_legacy(DeviationChoices, "actor", "agreement_id")
    def deviation_choices(self, cmd: DeviationChoices) -> list[BillingFrequency]:
        """R5.1: the deviating frequencies the agreement's contract model allows."""
        with self._uow(write=False) as uow:
            agreement = self._agreement(uow, cmd.actor, cmd.agreement_id, lock=False)
            model = uow.contract_models.get(agreement.contract_model_id)
            return list(ALLOWED_DEVIATIONS[model.billing_frequency])

    @accepts_legacy(SetDeviatingFrequency, "actor", "agreement_id", "frequency")
    def set_deviating_frequency(self, cmd: SetDeviatingFrequency) -> None:
        """R5.1: refused (with the allowed choices) unless strictly shorter."""
        with self._uow() as uow:
            agreement = self._agreement(uow, cmd.actor, cmd.agreement_id, lock=True)
            model = uow.contract_models.get(agreement.contract_model_id)
            agreement.set_deviating_frequency(model, cmd.frequency)
            uow.service_agreements.save(agreement)
            uow.commit()

    def subscribe(self, cmd: Subscribe) -> uuid.UUID:
        """A subscription of an agreement: an amount per contract period, from a date (R5.1)."""
        with self._uow() as uow:
            agreement = self._agreement(uow, cmd.actor, cmd.agreement_id, lock=True)
            subscription = Subscription.subscribe(
                agreement, cmd.description, cmd.amount, cmd.period
            )
            uow.subscriptions.add(subscription)
            uow.commit()
            return subscription.id

    def _subscription(
        self, uow: UnitOfWork, actor: uuid.UUID, subscription_id: uuid.UUID, lock: bool
    ) -> tuple[Subscription, ServiceAgreement]:
        auth, principal = self._authorise(uow, actor, Feature.MANAGE_CONTRACTS)
        subscription = (
            uow.subscriptions.lock(subscription_id)
            if lock
            else uow.subscriptions.get(subscription_id)
        )
        agreement = uow.service_agreements.get(subscription.agreement_id)
        auth.require_visible(
            principal, employer(agreement.employer_id), hidden("subscription", subscription_id)
        )
        return subscription, agreement

    @accepts_legacy(EndSubscription, "actor", "subscription_id", "end")
    def end_subscription(self, cmd: EndSubscription) -> None:
        """Set (or clear) the first day no longer subscribed; the last period is pro rata."""
        with self._uow() as uow:
            subscription, agreement = self._subscription(
                uow, cmd.actor, cmd.subscription_id, lock=True
            )
            subscription.end_on(agreement, cmd.end)
            uow.subscriptions.save(subscription)
            uow.commit()

    @accepts_legacy(SubscriptionSchedule, "actor", "subscription_id", "window")
    def schedule(self, cmd: SubscriptionSchedule) -> list[BillingPeriod]:
        """R5.1: the billing periods of a subscription that start in ``window``."""
        if cmd.window.end is None:
            raise DomainError("billing.open_period", {"rule": "R5.1"})
        with self._uow(write=False) as uow:
            subscription, agreement = self._subscription(
                uow, cmd.actor, cmd.subscription_id, lock=False
            )
            model = uow.contract_models.get(agreement.contract_model_id)
            return subscription.schedule(model, agreement, cmd.window)

    def run(self, cmd: RunBilling, progress: Progress | None = None) -> RunSummary:
        """Generate draft invoice bases for a period, set-based (R5.1, R4.4): for the given
        employers, or every customer in the actor's scope."""
        if cmd.period.end is None:
            raise DomainError("billing.open_period", {"rule": "R5.1"})
        with self._uow() as uow:
            units = [employer(e) for e in sorted(cmd.employer_ids or ())]
            auth, principal = self._authorise(uow, cmd.actor, Feature.RUN_BILLING, *units)
            employer_ids = cmd.employer_ids
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

    def _basis(
        self, uow: UnitOfWork, actor: uuid.UUID, basis_id: uuid.UUID, lock: bool = False
    ) -> InvoiceBasis:
        """The invoice basis, if the actor runs billing and sees its customer; locked for a
        transition, so that of two transitions at once the second sees the first's outcome."""
        auth, principal = self._authorise(uow, actor, Feature.RUN_BILLING)
        basis = uow.invoicing.lock(basis_id) if lock else uow.invoicing.get(basis_id)
        auth.require_visible(
            principal, employer(basis.employer_id), hidden("invoice_basis", basis_id)
        )
        return basis

    @accepts_legacy(GetInvoiceBasis, "actor", "basis_id")
    def invoice_basis(self, cmd: GetInvoiceBasis) -> InvoiceBasis:
        """An invoice basis whose customer lies in the actor's scope (R5.1, R0.6)."""
        with self._uow(write=False) as uow:
            return self._basis(uow, cmd.actor, cmd.basis_id)

    @accepts_legacy(ListInvoiceBases, "actor", "period")
    def invoice_bases(self, cmd: ListInvoiceBases) -> list[InvoiceBasis]:
        """The invoice bases within the actor's scope."""
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.RUN_BILLING)
            scope = auth.resolved_scope(principal)
            return [
                b
                for b in uow.invoicing.list(cmd.period)
                if scope.everything or b.employer_id in scope.employer_ids
            ]

    @accepts_legacy(MakeInvoiceBasisFinal, "actor", "basis_id")
    def make_final(self, cmd: MakeInvoiceBasisFinal) -> None:
        """Draft → final."""
        with self._uow() as uow:
            basis = self._basis(uow, cmd.actor, cmd.basis_id, lock=True)
            basis.make_final()
            uow.invoicing.save(basis)
            uow.commit()

    @accepts_legacy(MarkInvoiceSent, "actor", "basis_id")
    def mark_sent(self, cmd: MarkInvoiceSent) -> int:
        """The invoice was sent: the basis's activities become offered (aangeboden)."""
        with self._uow() as uow:
            basis = self._basis(uow, cmd.actor, cmd.basis_id, lock=True)
            # a basis that is not final refuses below, and the unit of work undoes the offer
            offered = uow.invoicing.offer_activities(cmd.basis_id)
            basis.mark_sent(self._clock.today(), offered)
            uow.invoicing.save(basis)
            uow.commit()
            return offered

    @accepts_legacy(DiscardInvoiceBasis, "actor", "basis_id")
    def discard(self, cmd: DiscardInvoiceBasis) -> None:
        """Delete a draft basis; its billing periods and activities can be billed again."""
        with self._uow() as uow:
            basis = self._basis(uow, cmd.actor, cmd.basis_id, lock=True)
            basis.discard()
            uow.invoicing.delete(cmd.basis_id)
            for event in basis.pull_events():
                uow.publish(event)
            uow.commit()

    @accepts_legacy(InvoiceLines, "actor", "basis_id")
    def lines(self, cmd: InvoiceLines) -> list[InvoiceLine]:
        """The lines of an invoice basis: billing periods and activities with amounts (R5.1)."""
        with self._uow(write=False) as uow:
            self._basis(uow, cmd.actor, cmd.basis_id)
            return list(uow.invoicing.lines(cmd.basis_id))

    @accepts_legacy(ExportInvoiceBasis, "actor", "basis_id")
    def export_csv(self, cmd: ExportInvoiceBasis, out: TextIO) -> int:
        """Write the invoice basis as CSV (``CSV_COLUMNS``; dates ISO, ``period_until``
        exclusive per R0.2, amounts with a decimal point); the number of lines written."""
        with self._uow(write=False) as uow:
            basis = self._basis(uow, cmd.actor, cmd.basis_id)
            customer = uow.employers.get(basis.employer_id)
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            count = 0
            for line in uow.invoicing.lines(cmd.basis_id):
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
    "BillingService",
    "ConcludeAgreement",
    "CreateContractModel",
    "DeviationChoices",
    "DiscardInvoiceBasis",
    "EndSubscription",
    "ExportInvoiceBasis",
    "GetInvoiceBasis",
    "InvoiceLines",
    "ListContractModels",
    "ListInvoiceBases",
    "MakeInvoiceBasisFinal",
    "MarkInvoiceSent",
    "RunBilling",
    "SetDeviatingFrequency",
    "Subscribe",
    "SubscriptionSchedule",
]
