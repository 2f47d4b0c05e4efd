"""In-memory contract management and invoicing, held to the SQL adapters' contract (R5.1)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence

import attrs

from xs_adapters.memory.store import ActivityLineRecord, MemoryStore, _copy, _missing
from xs_core.agenda.model import Activity, ActivityStatus
from xs_core.billing.contracts import ContractModel, Payer, ServiceAgreement, Subscription
from xs_core.billing.invoicing import (
    BillableSubscription,
    InvoiceBasis,
    InvoiceLine,
    LineKind,
    SubscriptionLine,
)
from xs_core.billing.schedule import SHORTEST_WHOLE_PERIOD
from xs_core.dates import DateRange
from xs_core.events import Aggregate
from xs_core.money import Money

Track = Callable[[Aggregate], None]


def _all_billed(lines: Sequence[SubscriptionLine], days: DateRange, billing_months: int) -> bool:
    """R5.1: no billing period can start in ``days`` (a subscription's days in a window) without
    overlapping ``lines``: they cover ``days`` from their first day in it to its end, and fewer
    days than a whole billing period has lie before that."""
    parts = [common for line in lines if (common := line.period.intersection(days)) is not None]
    if not parts:
        return False
    first = min(part.start for part in parts)
    covered = sum(part.days or 0 for part in parts)
    return covered == ((days.end or first) - first).days and (
        (first - days.start).days < SHORTEST_WHOLE_PERIOD[billing_months]
    )


class MemoryContractModelRepository:
    def __init__(self, store: MemoryStore, track: Track) -> None:
        self._s = store
        self._track = track

    def add(self, model: ContractModel) -> None:
        self._s.contract_models.put(model.id, _copy(model))
        self._track(model)

    def get(self, model_id: uuid.UUID) -> ContractModel:
        if model_id not in self._s.contract_models:
            raise _missing("contract_model", model_id)
        return _copy(self._s.contract_models[model_id])

    def list(self) -> list[ContractModel]:
        models = sorted(self._s.contract_models.values(), key=lambda m: (m.name, m.id))
        return [_copy(m) for m in models]


class MemoryServiceAgreementRepository:
    def __init__(self, store: MemoryStore, track: Track) -> None:
        self._s = store
        self._track = track

    def add(self, agreement: ServiceAgreement) -> None:
        if agreement.employer_id not in self._s.employers:
            raise _missing("employer", agreement.employer_id)
        self._s.service_agreements.put(agreement.id, _copy(agreement))
        self._track(agreement)

    save = add

    def get(self, agreement_id: uuid.UUID) -> ServiceAgreement:
        if agreement_id not in self._s.service_agreements:
            raise _missing("service_agreement", agreement_id)
        return _copy(self._s.service_agreements[agreement_id])

    lock = get  # one writer at a time: the store's lock is held

    def for_employer(self, employer_id: uuid.UUID) -> list[ServiceAgreement]:
        found = self._s.service_agreements.find("employer", employer_id)
        return [_copy(a) for a in sorted(found, key=lambda a: (a.period.start, a.id))]


class MemorySubscriptionRepository:
    def __init__(self, store: MemoryStore, track: Track) -> None:
        self._s = store
        self._track = track

    def add(self, subscription: Subscription) -> None:
        self._s.subscriptions.put(subscription.id, _copy(subscription))
        self._track(subscription)

    save = add

    def get(self, subscription_id: uuid.UUID) -> Subscription:
        if subscription_id not in self._s.subscriptions:
            raise _missing("subscription", subscription_id)
        return _copy(self._s.subscriptions[subscription_id])

    lock = get  # one writer at a time: the store's lock is held

    def for_agreement(self, agreement_id: uuid.UUID) -> list[Subscription]:
        found = self._s.subscriptions.find("agreement", agreement_id)
        return [_copy(s) for s in sorted(found, key=lambda s: (s.period.start, s.id))]


class MemoryInvoicingStore:
    def __init__(self, store: MemoryStore, track: Track) -> None:
        self._s = store
        self._track = track

    def lock_customers(self, employer_ids: Sequence[uuid.UUID]) -> None:
        return None  # one unit of work at a time holds the store's lock

    def customers(
        self, window: DateRange, employer_ids: frozenset[uuid.UUID] | None
    ) -> list[uuid.UUID]:
        found = {
            a.employer_id
            for a in self._s.service_agreements.values()
            if a.period.overlaps(window) and (employer_ids is None or a.employer_id in employer_ids)
        }
        return sorted(found)

    def billable_subscriptions(
        self, window: DateRange, employer_ids: frozenset[uuid.UUID] | None
    ) -> Iterator[BillableSubscription]:
        for subscription in sorted(self._s.subscriptions.values(), key=lambda s: s.id):
            agreement = self._s.service_agreements[subscription.agreement_id]
            if employer_ids is not None and agreement.employer_id not in employer_ids:
                continue
            days = subscription.period.intersection(window)
            if days is None:
                continue
            model = self._s.contract_models[agreement.contract_model_id]
            months = agreement.billing_frequency(model).months
            billed = self._s.subscription_lines.find("subscription", subscription.id)
            if _all_billed(billed, days, months):
                continue  # R5.1: no line can be added (see the SQL adapter's _unbilled_days)
            yield BillableSubscription(
                subscription_id=subscription.id,
                employer_id=agreement.employer_id,
                description=subscription.description,
                cents=subscription.amount.cents,
                start=subscription.period.start,
                end=subscription.period.end,
                contract_months=model.billing_frequency.months,
                billing_months=months,
            )

    def add_bases(self, bases: Sequence[InvoiceBasis]) -> None:
        for basis in bases:
            self._s.invoice_bases.put(basis.id, _copy(basis))

    def add_subscription_lines(self, lines: Sequence[SubscriptionLine]) -> int:
        stored = self._s.subscription_lines
        added = 0
        for line in lines:
            billed = stored.find("subscription", line.subscription_id)
            if any(other.period.overlaps(line.period) for other in billed):
                continue  # the same days again (a start already taken overlaps too)
            stored.put((line.subscription_id, line.period.start), line)
            added += 1
        return added

    def _customer(self, employee_id: uuid.UUID, day: DateRange) -> uuid.UUID | None:
        """The employer of the leading employment that day (R1.2, R2.3)."""
        employee = self._s.employees.get(employee_id)
        employment = None if employee is None else employee.leading_employment_on(day.start)
        return None if employment is None else employment.employer_id

    def _price(self, employer_id: uuid.UUID, activity_type: str, day: DateRange) -> Money | None:
        for agreement in self._s.service_agreements.find("employer", employer_id):
            if not agreement.period.overlaps(day):
                continue
            model = self._s.contract_models[agreement.contract_model_id]
            price = model.price_for(activity_type, Payer.EMPLOYER)
            if price is not None:
                return price
        return None

    def _unbilled_of_run(
        self, window: DateRange, run_id: uuid.UUID
    ) -> Iterator[tuple[Activity, DateRange, uuid.UUID]]:
        """Released activities performed in ``window`` on no basis, whose customer has a basis
        in the run: each with its day and that basis."""
        run_bases = {b.employer_id: b.id for b in self._s.invoice_bases.find("run", run_id)}
        for activity in sorted(self._s.activities.values(), key=lambda a: a.id):
            if activity.status is not ActivityStatus.RELEASED:
                continue
            if activity.performed_on not in window or activity.id in self._s.activity_lines:
                continue
            day = DateRange.from_inclusive(activity.performed_on, activity.performed_on)
            customer = self._customer(activity.employee_id, day)
            if customer in run_bases:
                yield activity, day, run_bases[customer]

    def add_activity_lines(self, window: DateRange, run_id: uuid.UUID) -> int:
        added = 0
        for activity, day, basis_id in list(self._unbilled_of_run(window, run_id)):
            customer = self._s.invoice_bases[basis_id].employer_id
            price = self._price(customer, activity.activity_type, day)
            if price is None:
                continue
            self._s.activity_lines.put(
                activity.id,
                ActivityLineRecord(
                    invoice_basis_id=basis_id,
                    activity_id=activity.id,
                    activity_type=activity.activity_type,
                    performed_on=activity.performed_on,
                    employee_id=activity.employee_id,
                    amount=price,
                ),
            )
            added += 1
        return added

    def unbilled_activities(self, window: DateRange, run_id: uuid.UUID) -> int:
        return sum(1 for _ in self._unbilled_of_run(window, run_id))

    def finish_run(self, run_id: uuid.UUID) -> list[InvoiceBasis]:
        finished = []
        bases = self._s.invoice_bases
        for basis in sorted(bases.find("run", run_id), key=lambda b: b.employer_id):
            subscription = [
                line.amount for line in self._s.subscription_lines.find("basis", basis.id)
            ]
            activity = [line.amount for line in self._s.activity_lines.find("basis", basis.id)]
            if not subscription and not activity:
                bases.delete(basis.id)
                continue
            totalled = attrs.evolve(
                basis,
                subscription_lines=len(subscription),
                activity_lines=len(activity),
                total=sum(subscription + activity, Money.zero()),
            )
            bases.put(basis.id, totalled)
            finished.append(_copy(totalled))
        return finished

    def get(self, basis_id: uuid.UUID) -> InvoiceBasis:
        if basis_id not in self._s.invoice_bases:
            raise _missing("invoice_basis", basis_id)
        return _copy(self._s.invoice_bases[basis_id])

    lock = get  # one writer at a time: the store's lock is held

    def save(self, basis: InvoiceBasis) -> None:
        self._s.invoice_bases.put(basis.id, _copy(basis))
        self._track(basis)

    def list(self, period: DateRange | None = None) -> list[InvoiceBasis]:
        found = [
            b for b in self._s.invoice_bases.values() if period is None or b.period.overlaps(period)
        ]
        return [_copy(b) for b in sorted(found, key=lambda b: (b.period.start, b.employer_id))]

    def delete(self, basis_id: uuid.UUID) -> None:
        self._s.invoice_bases.delete(basis_id)
        subscription_lines, activity_lines = self._s.subscription_lines, self._s.activity_lines
        for line_key in list(subscription_lines.find_keys("basis", basis_id)):
            subscription_lines.delete(line_key)
        for activity_id in list(activity_lines.find_keys("basis", basis_id)):
            activity_lines.delete(activity_id)

    def lines(self, basis_id: uuid.UUID) -> Iterator[InvoiceLine]:
        subscription = sorted(
            self._s.subscription_lines.find("basis", basis_id),
            key=lambda v: (v.period.start, v.subscription_id),
        )
        for line in subscription:
            yield InvoiceLine(
                invoice_basis_id=basis_id,
                kind=LineKind.SUBSCRIPTION,
                reference_id=line.subscription_id,
                description=self._s.subscriptions[line.subscription_id].description,
                period=line.period,
                amount=line.amount,
            )
        activity = sorted(
            self._s.activity_lines.find("basis", basis_id),
            key=lambda v: (v.performed_on, v.activity_id),
        )
        for record in activity:
            yield InvoiceLine(
                invoice_basis_id=basis_id,
                kind=LineKind.ACTIVITY,
                reference_id=record.activity_id,
                description=record.activity_type,
                period=DateRange.from_inclusive(record.performed_on, record.performed_on),
                amount=record.amount,
                employee_id=record.employee_id,
            )

    def offer_activities(self, basis_id: uuid.UUID) -> int:
        changed = 0
        for record in self._s.activity_lines.find("basis", basis_id):
            activity = self._s.activities.get(record.activity_id)
            if activity is not None:
                self._s.activities.put(
                    activity.id, attrs.evolve(activity, status=ActivityStatus.OFFERED)
                )
                changed += 1
        return changed
