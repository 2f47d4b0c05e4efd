"""Ports of contract management and billing (R5.1)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Protocol

from xs_core.billing.contracts import ContractModel, ServiceAgreement, Subscription
from xs_core.billing.invoicing import (
    BillableSubscription,
    InvoiceBasis,
    InvoiceLine,
    SubscriptionLine,
)
from xs_core.dates import DateRange


class ContractModelRepository(Protocol):
    def add(self, model: ContractModel) -> None: ...
    def get(self, model_id: uuid.UUID) -> ContractModel: ...
    def list(self) -> list[ContractModel]: ...


class ServiceAgreementRepository(Protocol):
    def add(self, agreement: ServiceAgreement) -> None: ...
    def get(self, agreement_id: uuid.UUID) -> ServiceAgreement: ...
    def lock(self, agreement_id: uuid.UUID) -> ServiceAgreement:
        """Like ``get``, and locked until the transaction ends (read-check-write)."""
        ...

    def save(self, agreement: ServiceAgreement) -> None: ...
    def for_employer(self, employer_id: uuid.UUID) -> list[ServiceAgreement]: ...


class SubscriptionRepository(Protocol):
    def add(self, subscription: Subscription) -> None: ...
    def get(self, subscription_id: uuid.UUID) -> Subscription: ...
    def lock(self, subscription_id: uuid.UUID) -> Subscription:
        """Like ``get``, and locked until the transaction ends (read-check-write)."""
        ...

    def save(self, subscription: Subscription) -> None: ...
    def for_agreement(self, agreement_id: uuid.UUID) -> list[Subscription]: ...


class InvoicingStore(Protocol):
    """Invoice bases and their lines. A billing period (subscription, period start) and an
    activity are on at most one invoice basis: the store enforces it (unique constraints) and
    silently skips a line that is already on a basis."""

    def lock_customers(self, employer_ids: Sequence[uuid.UUID]) -> None:
        """Lock the customers of a billing run (in a fixed order) until the transaction ends,
        so that runs for the same customers follow each other."""
        ...

    def customers(
        self, window: DateRange, employer_ids: frozenset[uuid.UUID] | None
    ) -> list[uuid.UUID]:
        """Customers with a service agreement overlapping ``window`` (all, or among
        ``employer_ids``), in id order."""
        ...

    def billable_subscriptions(
        self, window: DateRange, employer_ids: frozenset[uuid.UUID] | None
    ) -> Iterator[BillableSubscription]:
        """Subscriptions whose period overlaps ``window`` and that have days in it no line
        bills yet (R5.1: a subscription whose days in the window are all billed can get no
        line, so a repeated run computes no schedule), with customer and frequencies."""
        ...

    def add_bases(self, bases: Sequence[InvoiceBasis]) -> None: ...

    def add_subscription_lines(self, lines: Sequence[SubscriptionLine]) -> int:
        """Add the lines whose billing period is on no basis yet and overlaps no billed period
        of the same subscription (after a change of frequency, R5.1); the number added."""
        ...

    def add_activity_lines(self, window: DateRange, run_id: uuid.UUID) -> int:
        """Set-based: every released activity performed in ``window`` that is on no basis yet,
        whose customer (the employer of the employee's leading employment that day, R2.3) has
        a basis in run ``run_id``, priced by the customer's agreement that day; the number
        added."""
        ...

    def unbilled_activities(self, window: DateRange, run_id: uuid.UUID) -> int:
        """Released activities performed in ``window`` whose customer has a basis in run
        ``run_id`` and that are on no basis (nothing prices them)."""
        ...

    def finish_run(self, run_id: uuid.UUID) -> list[InvoiceBasis]:
        """Count and total the run's bases, delete those without lines, return the rest."""
        ...

    def get(self, basis_id: uuid.UUID) -> InvoiceBasis: ...
    def lock(self, basis_id: uuid.UUID) -> InvoiceBasis:
        """Like ``get``, and locked until the transaction ends (read-check-write)."""
        ...

    def save(self, basis: InvoiceBasis) -> None: ...
    def list(self, period: DateRange | None = None) -> list[InvoiceBasis]: ...
    def delete(self, basis_id: uuid.UUID) -> None: ...

    def lines(self, basis_id: uuid.UUID) -> Iterator[InvoiceLine]:
        """The lines of a basis: subscription lines by period, then activity lines by day."""
        ...

    def offer_activities(self, basis_id: uuid.UUID) -> int:
        """Mark the basis's activities offered (aangeboden); the number changed."""
        ...
