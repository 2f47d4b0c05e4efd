"""A small billing world through the services (R5.1, R4.4): customers on one contract model, each
with an employee, a service agreement, a subscription and released consultations — shared by the
billing tests that need real data behind a run (races, processes, migrations, the calendar's
end)."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Sequence

import attrs

from xs_app import Xs
from xs_app.services.agenda import RegisterActivity
from xs_app.services.billing import ConcludeAgreement, CreateContractModel, Subscribe
from xs_app.services.organisation import CreateEmployer, EmploymentTerms, RegisterEmployee
from xs_core.billing import BillingFrequency, ContractKind, PriceCategory
from xs_core.dates import DateRange
from xs_core.money import Money

D = _dt.date
MODEL_FROM = D(2025, 1, 1)
AGREED_FROM = D(2026, 1, 1)
SUBSCRIPTION = ("1200.00", D(2026, 1, 1))


@attrs.define
class Customers:
    xs: Xs
    admin: uuid.UUID
    employers: list[uuid.UUID]
    employees: list[uuid.UUID]
    model: uuid.UUID


def customers(
    xs: Xs,
    count: int,
    activity_days: Sequence[_dt.date] = (),
    *,
    frequency: BillingFrequency = BillingFrequency.YEARLY,
    model_from: _dt.date = MODEL_FROM,
    agreed_from: _dt.date = AGREED_FROM,
    subscription: tuple[str, _dt.date] | None = SUBSCRIPTION,
) -> Customers:
    """``count`` customers ("Klant 0", code ``K0``, …) on one contract model of ``frequency``
    pricing a consultation ("Spreekuur") at 95.50, each with an employee employed since 2020, an
    agreement from ``agreed_from``, a subscription of ``subscription`` (amount, first day) and
    a released consultation of that employee on each of ``activity_days``."""
    admin = xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
    model = xs.billing.create_contract_model(
        CreateContractModel(
            actor=admin,
            name="Verkoopcontract",
            kind=ContractKind.SALES,
            billing_frequency=frequency,
            active=DateRange(model_from),
            price_categories=(PriceCategory(activity_type="Spreekuur", price=Money("95.50")),),
        )
    )
    employers, employees = [], []
    for n in range(count):
        employer = xs.organisation.create_employer(
            CreateEmployer(actor=admin, name=f"Klant {n}", code=f"K{n}")
        )
        employee = xs.organisation.register_employee(
            RegisterEmployee(
                actor=admin,
                first_name="Anna",
                last_name=f"Klant{n}",
                employment=EmploymentTerms(employer_id=employer, start=D(2020, 1, 1)),
            )
        )
        agreement = xs.billing.conclude_agreement(
            ConcludeAgreement(
                actor=admin,
                employer_id=employer,
                contract_model_id=model,
                period=DateRange(agreed_from),
            )
        )
        if subscription is not None:
            amount, first = subscription
            xs.billing.subscribe(
                Subscribe(
                    actor=admin,
                    agreement_id=agreement,
                    description="Abonnement",
                    amount=Money(amount),
                    period=DateRange(first),
                )
            )
        for day in activity_days:
            xs.agenda.register_activity(
                RegisterActivity(
                    actor=admin, employee_id=employee, activity_type="Spreekuur", performed_on=day
                )
            )
        employers.append(employer)
        employees.append(employee)
    return Customers(xs, admin, employers, employees, model)
