"""A small world for the reimbursement tests (R5.2–R5.5): an employer billed for "Spreekuur" and
"Telefonisch" activities, a supplier, a reimbursement contract model (Spreekuur € 40.00,
Telefonisch € 0.00) and two professionals reimbursed through the supplier; helpers register
activities and make them offered the way billing does (invoice basis → final → sent)."""

from __future__ import annotations

import datetime as _dt
import uuid

import attrs

from tests.apps import user_with
from xs_app import Xs
from xs_app.services.agenda import RegisterActivity
from xs_app.services.billing import (
    ConcludeAgreement,
    CreateContractModel,
    MakeInvoiceBasisFinal,
    MarkInvoiceSent,
    RunBilling,
)
from xs_app.services.organisation import CreateEmployer, EmploymentTerms, RegisterEmployee
from xs_app.services.reimbursements import (
    CreateRelation,
    GenerateReimbursementBatch,
    RelationDetails,
    SetContractSettings,
)
from xs_core.access.features import Feature
from xs_core.billing.contracts import (
    ContractKind,
    ContractModelType,
    Payer,
    PriceCategory,
)
from xs_core.billing.frequency import BillingFrequency
from xs_core.dates import DateRange
from xs_core.money import Money
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.reimbursements.batches import ReimbursementBatch

D = _dt.date
SUPPLIER_IBAN = "NL91 ABNA 0417 1643 00"
PAYING_IBAN = "NL44 RABO 0123 4567 89"


@attrs.define
class ReimbursementWorld:
    xs: Xs
    admin: uuid.UUID
    employer: uuid.UUID
    employee: uuid.UUID
    supplier: uuid.UUID
    model: uuid.UUID
    #: professionals reimbursed through the supplier from 2025-01-01
    anna: uuid.UUID
    bert: uuid.UUID

    def register(self, user: uuid.UUID, day: _dt.date, kind: str = "Spreekuur") -> uuid.UUID:
        return self.xs.agenda.register_activity(
            RegisterActivity(
                actor=user, employee_id=self.employee, activity_type=kind, performed_on=day
            )
        ).id

    def offer(self, period: DateRange) -> int:
        """Bill the period and send the invoice: its activities become offered (R5.1)."""
        summary = self.xs.billing.run(RunBilling(actor=self.admin, period=period))
        offered = 0
        for basis in summary.invoice_bases:
            self.xs.billing.make_final(MakeInvoiceBasisFinal(actor=self.admin, basis_id=basis))
            offered += self.xs.billing.mark_sent(MarkInvoiceSent(actor=self.admin, basis_id=basis))
        return offered

    def generate(
        self, reference: _dt.date, users: frozenset[uuid.UUID] | None = None
    ) -> ReimbursementBatch:
        return self.xs.reimbursements.generate(
            GenerateReimbursementBatch(
                actor=self.admin,
                supplier_id=self.supplier,
                contract_model_id=self.model,
                reference_date=reference,
                user_ids=users,
            )
        )


def reimbursement_world(xs: Xs, tag: str = "") -> ReimbursementWorld:
    admin = xs.installation.create_super_administrator("Beheer", f"beheer{tag}@example.nl")
    employer = xs.organisation.create_employer(
        CreateEmployer(actor=admin, name="Bakkerij", code=f"BAK{tag}")
    )
    employee = xs.organisation.register_employee(
        RegisterEmployee(
            actor=admin,
            first_name="Anna",
            last_name=f"Klant{tag}",
            employment=EmploymentTerms(employer_id=employer, start=D(2020, 1, 1)),
        )
    )
    service_model = xs.billing.create_contract_model(
        CreateContractModel(
            actor=admin,
            name="Verkoop",
            kind=ContractKind.SALES,
            billing_frequency=BillingFrequency.YEARLY,
            active=DateRange(D(2020, 1, 1)),
            price_categories=(
                PriceCategory(activity_type="Spreekuur", price=Money("95.00")),
                PriceCategory(activity_type="Telefonisch", price=Money("25.00")),
            ),
        )
    )
    xs.billing.conclude_agreement(
        ConcludeAgreement(
            actor=admin,
            employer_id=employer,
            contract_model_id=service_model,
            period=DateRange(D(2020, 1, 1)),
        )
    )
    model = xs.billing.create_contract_model(
        CreateContractModel(
            actor=admin,
            name="Vergoeding",
            kind=ContractKind.GUIDANCE,
            billing_frequency=BillingFrequency.MONTHLY,
            active=DateRange(D(2020, 1, 1)),
            model_type=ContractModelType.REIMBURSEMENT,
            price_categories=(
                PriceCategory(
                    activity_type="Spreekuur", price=Money("40.00"), payer=Payer.SUPPLIER
                ),
                PriceCategory(
                    activity_type="Telefonisch", price=Money("0.00"), payer=Payer.SUPPLIER
                ),
            ),
        )
    )
    supplier = xs.reimbursements.create_relation(
        CreateRelation(
            actor=admin,
            details=RelationDetails(
                name="Arbo Leverancier",
                code=f"LEV{tag}",
                street="Dorpsstraat",
                house_number="1",
                postcode="3511 AB",
                city="Utrecht",
                iban=SUPPLIER_IBAN,
            ),
        )
    )
    scope = frozenset({UnitRef(UnitKind.EMPLOYER, employer)})
    professionals = []
    for name in ("anna", "bert"):
        user = user_with(
            xs, admin, f"{name}{tag}@example.nl", frozenset({Feature.REGISTER_ACTIVITIES}), scope
        )
        xs.reimbursements.set_contract_settings(
            SetContractSettings(
                actor=admin,
                user_id=user,
                valid_from=D(2025, 1, 1),
                reimbursed_via_supplier=True,
                supplier_id=supplier,
                contract_model_id=model,
            )
        )
        professionals.append(user)
    return ReimbursementWorld(xs, admin, employer, employee, supplier, model, *professionals)
