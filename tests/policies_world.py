"""A small world for the policy-registration tests (R6): two employers, their employees, an
insurer with a WIA-excedent product and a policy of each employer on it."""

from __future__ import annotations

import datetime as _dt
import uuid
from decimal import Decimal
from typing import Any

import attrs

from xs_app import Xs
from xs_app.services.configuration import SetParameter
from xs_app.services.organisation import CreateEmployer, EmploymentTerms, RegisterEmployee
from xs_app.services.policies import (
    CreateInsuranceProduct,
    CreateInsurer,
    CreatePolicy,
    SetProductConditions,
)
from xs_app.services.policy_evaluation import EvaluatePolicies, PolicyEvaluationStatus
from xs_core.dates import DateRange
from xs_core.organisation.model import EmploymentType
from xs_core.policies.conditions import Conditions
from xs_core.policies.model import ProductKind, Registration
from xs_core.policies.participation import ExclusionReason, Source
from xs_core.settings import Parameter

D = _dt.date
POLICY_START = D(2026, 1, 1)


@attrs.define
class PolicyWorld:
    xs: Xs
    admin: uuid.UUID
    employer_a: uuid.UUID
    employer_b: uuid.UUID
    insurer: uuid.UUID
    product: uuid.UUID
    policy_a: uuid.UUID
    policy_b: uuid.UUID
    #: at A: salary 90,000 (above every maximum SV-wage), born 5 May 1960
    rich: uuid.UUID
    #: at A: salary 50,000 (below it), born 1 January 1990, on call
    poor: uuid.UUID
    #: at B only
    other: uuid.UUID

    def business_rules(self, value: int) -> None:
        self.xs.configuration.set_parameter(
            SetParameter(actor=self.admin, parameter=Parameter.BUSINESS_RULES, value=value)
        )

    def set_conditions(self, conditions: Conditions) -> None:
        """The product's conditions (R6.2, R6.3): every policy of the world follows them."""
        self.xs.policies.set_product_conditions(
            SetProductConditions(actor=self.admin, product_id=self.product, conditions=conditions)
        )

    def evaluate(self, on: _dt.date, **fields: Any) -> PolicyEvaluationStatus:
        """The nightly evaluation as of ``on`` (R6.6), in process, as the administrator."""
        return self.xs.policy_evaluation.evaluate(
            EvaluatePolicies(actor=self.admin, on=on, **fields)
        )

    def automatic(
        self,
        policy: uuid.UUID,
        employee: uuid.UUID,
        period: DateRange,
        included: bool,
        reasons: frozenset[ExclusionReason] = frozenset(),
    ) -> Registration:
        """Store an automatic registration, as the nightly evaluation would."""
        registration = Registration(
            id=uuid.uuid4(),
            policy_id=policy,
            employee_id=employee,
            period=period,
            included=included,
            reasons=reasons,
            source=Source.AUTOMATIC,
            registered_on=self.xs.clock.today(),
        )
        with self.xs.unit_of_work() as uow:
            uow.registrations.add([registration])
            uow.commit()
        return registration


def policy_world(xs: Xs, tag: str = "", business_rules: int = 1) -> PolicyWorld:
    admin = xs.installation.create_super_administrator("Beheer", f"beheer{tag}@example.nl")
    org = xs.organisation
    a = org.create_employer(CreateEmployer(actor=admin, name="Bakkerij", code=f"BAK{tag}"))
    b = org.create_employer(CreateEmployer(actor=admin, name="Slagerij", code=f"SLA{tag}"))

    def person(
        first: str,
        employer: uuid.UUID,
        born: _dt.date,
        salary: int,
        kind: EmploymentType = EmploymentType.PERMANENT,
    ) -> uuid.UUID:
        return org.register_employee(
            RegisterEmployee(
                actor=admin,
                first_name=first,
                last_name=f"Jansen{tag}",
                birth_date=born,
                employment=EmploymentTerms(
                    employer_id=employer,
                    start=D(2020, 1, 1),
                    yearly_salary=Decimal(salary),
                    employment_type=kind,
                ),
            )
        )

    rich = person("Rijk", a, D(1960, 5, 5), 90_000)
    poor = person("Arm", a, D(1990, 1, 1), 50_000, EmploymentType.ON_CALL)
    other = person("Ander", b, D(1985, 3, 3), 60_000)
    policies = xs.policies
    insurer = policies.create_insurer(
        CreateInsurer(actor=admin, name="Verzekeraar", code=f"V{tag}")
    )
    product = policies.create_product(
        CreateInsuranceProduct(
            actor=admin, insurer_id=insurer, name="WIA-excedent", kind=ProductKind.WIA_EXCEDENT
        )
    )
    policy_a, policy_b = (
        policies.create_policy(
            CreatePolicy(
                actor=admin,
                employer_id=employer,
                product_id=product,
                number=f"POLIS-{label}{tag}",
                start=POLICY_START,
            )
        )
        for employer, label in ((a, "A"), (b, "B"))
    )
    world = PolicyWorld(xs, admin, a, b, insurer, product, policy_a, policy_b, rich, poor, other)
    if business_rules:
        world.business_rules(business_rules)
    return world
