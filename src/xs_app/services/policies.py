"""Use cases of policy registration (polisregistratie, R6.1–R6.6).

Insurers and their products belong to the service provider (no scope, the feature decides);
a policy, its conditions, its participants and their registrations are reached through the
policy's employer, answered as unknown when it lies outside the actor's scope (R0.6).

* **R6.1** While the configuration parameter ``BusinessRules`` is 0, conditions can be neither set
  nor shown (``policies.business_rules_off``) and nothing is evaluated automatically; manual
  registrations stay possible, as before the feature existed.
* **R6.3** A product's conditions apply to its policies; a policy overrides single conditions
  and falls back to the product when its override is cleared.
* **R6.4** Manual registrations never overlap one another and win over automatic ones: a manual
  registration cuts the automatic registrations it covers (their outcome on the other days
  stands — the evaluation of a day does not depend on other days).
* **R6.5, R6.6** The participant page shows the stored registrations with the reason texts in
  Dutch and English; the timeline of one participant adds what the evaluation
  (:func:`~xs_core.policies.participation.participation_timeline`, the single source of truth)
  says now.

Locks (docs/concurrency.md): the parameter row, then the product or the policy, for a change of
conditions; the policy for a manual registration or its removal.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterable

import attrs

from xs_app.services.base import Service, employee, employer, hidden
from xs_app.services.command import Command
from xs_core import limits
from xs_core.access.authoriser import Authoriser
from xs_core.access.features import Feature
from xs_core.access.model import Principal
from xs_core.dates import DateRange
from xs_core.errors import Conflict, InvalidInput
from xs_core.parameters import max_sv_wage_table
from xs_core.policies.conditions import (
    ConditionName,
    ConditionOverrides,
    Conditions,
    effective_conditions,
)
from xs_core.policies.facts import employee_facts
from xs_core.policies.model import (
    InsuranceProduct,
    Insurer,
    Policy,
    ProductKind,
    Registration,
    policy_period,
    refuse_manual_overlap,
)
from xs_core.policies.participation import (
    ExclusionReason,
    ManualRegistration,
    Note,
    Participation,
    Source,
    max_sv_wage_by_year,
    participation_timeline,
)
from xs_core.settings import Parameter
from xs_core.uow import UnitOfWork

F = Feature
#: Who may see insurers and products: those who manage them, set their conditions or manage
#: the policies on them.
_PRODUCT_READERS = (F.MANAGE_INSURERS, F.SET_CONDITIONS, F.MANAGE_POLICIES)
#: Who may see policies.
_POLICY_READERS = (F.MANAGE_POLICIES, F.SET_CONDITIONS, F.REGISTER_PARTICIPANTS)
#: Who may see the participants of a policy and their registrations.
_PARTICIPANT_READERS = (F.MANAGE_POLICIES, F.REGISTER_PARTICIPANTS)

#: Participants per page of the participant page, by default.
DEFAULT_PAGE_SIZE = 50


# -- commands --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CreateInsurer(Command):
    actor: uuid.UUID
    name: str
    code: str | None = None


@attrs.frozen(kw_only=True)
class ListInsurers(Command):
    actor: uuid.UUID


@attrs.frozen(kw_only=True)
class CreateInsuranceProduct(Command):
    actor: uuid.UUID
    insurer_id: uuid.UUID
    name: str
    kind: ProductKind
    code: str | None = None


@attrs.frozen(kw_only=True)
class ListInsuranceProducts(Command):
    """The products, of one insurer or of all."""

    actor: uuid.UUID
    insurer_id: uuid.UUID | None = None


@attrs.frozen(kw_only=True)
class SetProductConditions(Command):
    """R6.2, R6.3: the product's conditions, inherited by every policy that did not override
    them."""

    actor: uuid.UUID
    product_id: uuid.UUID
    conditions: Conditions


@attrs.frozen(kw_only=True)
class GetProductConditions(Command):
    actor: uuid.UUID
    product_id: uuid.UUID


@attrs.frozen(kw_only=True)
class CreatePolicy(Command):
    """An employer's policy on a product over ``[start, end)`` (R0.2), with an optional run-in
    damage date (datum inloopschade) inside it."""

    actor: uuid.UUID
    employer_id: uuid.UUID
    product_id: uuid.UUID
    number: str
    start: _dt.date
    end: _dt.date | None = None
    run_in_damage_date: _dt.date | None = None


@attrs.frozen(kw_only=True)
class ListPolicies(Command):
    """The policies of employers in the actor's scope: of one employer, one product, or all."""

    actor: uuid.UUID
    employer_id: uuid.UUID | None = None
    product_id: uuid.UUID | None = None


@attrs.frozen(kw_only=True)
class SetPolicyOverrides(Command):
    """R6.3: the policy's own conditions, whole; a condition left ``None`` follows the
    product."""

    actor: uuid.UUID
    policy_id: uuid.UUID
    overrides: ConditionOverrides


@attrs.frozen(kw_only=True)
class ClearPolicyOverride(Command):
    """R6.3: the condition follows the product again."""

    actor: uuid.UUID
    policy_id: uuid.UUID
    condition: ConditionName


@attrs.frozen(kw_only=True)
class GetPolicyConditions(Command):
    actor: uuid.UUID
    policy_id: uuid.UUID


@attrs.frozen(kw_only=True)
class RegisterParticipation(Command):
    """R6.4: include (``included=True``) or exclude an employee by hand over ``period``, which
    lies inside the policy's period."""

    actor: uuid.UUID
    policy_id: uuid.UUID
    employee_id: uuid.UUID
    period: DateRange
    included: bool
    note: str | None = None


@attrs.frozen(kw_only=True)
class RemoveRegistration(Command):
    """R6.4: remove a manual registration; its days follow the evaluation again."""

    actor: uuid.UUID
    registration_id: uuid.UUID


@attrs.frozen(kw_only=True)
class GetParticipants(Command):
    """R6.6: the policy's participant page (deelnemerregistratie), ``page`` counting from 1."""

    actor: uuid.UUID
    policy_id: uuid.UUID
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


@attrs.frozen(kw_only=True)
class GetParticipantTimeline(Command):
    """One participant: their registrations and what the evaluation says now."""

    actor: uuid.UUID
    policy_id: uuid.UUID
    employee_id: uuid.UUID


# -- results ---------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ProductSummary:
    """A product without its conditions (those are shown only while ``BusinessRules`` is 1)."""

    id: uuid.UUID
    insurer_id: uuid.UUID
    name: str
    code: str | None
    kind: ProductKind


@attrs.frozen(kw_only=True)
class PolicySummary:
    """A policy without its conditions."""

    id: uuid.UUID
    employer_id: uuid.UUID
    product_id: uuid.UUID
    number: str
    period: DateRange
    run_in_damage_date: _dt.date | None


@attrs.frozen(kw_only=True)
class PolicyConditions:
    """R6.3: the product's conditions, the policy's overrides and what applies."""

    policy_id: uuid.UUID
    product: Conditions
    overrides: ConditionOverrides
    effective: Conditions

    @property
    def overridden(self) -> frozenset[ConditionName]:
        return self.overrides.overridden


@attrs.frozen
class Labelled:
    """A code with its Dutch and English text (a reason, a note, a source)."""

    code: str
    nl: str
    en: str


@attrs.frozen(kw_only=True)
class RegistrationLine:
    """A period of a participant as the page shows it: included, or excluded with its reasons
    (R6.5), made by hand or automatically, with notes on missing facts."""

    id: uuid.UUID | None
    period: DateRange
    included: bool
    source: Labelled
    reasons: tuple[Labelled, ...]
    notes: tuple[Labelled, ...]
    note: str | None
    registered_on: _dt.date | None


@attrs.frozen(kw_only=True)
class ParticipantLine:
    employee_id: uuid.UUID
    name: str
    registrations: tuple[RegistrationLine, ...]


@attrs.frozen(kw_only=True)
class ParticipantPage:
    """R6.6: a page of the policy's participants (by name) with their registrations."""

    policy_id: uuid.UUID
    page: int
    page_size: int
    total: int
    participants: tuple[ParticipantLine, ...]


@attrs.frozen(kw_only=True)
class ParticipantTimeline:
    """One participant: the stored registrations, and the evaluation now over the policy's
    period (``None`` while ``BusinessRules`` is 0 or no condition of the policy is active)."""

    policy_id: uuid.UUID
    employee_id: uuid.UUID
    registrations: tuple[RegistrationLine, ...]
    evaluation: tuple[RegistrationLine, ...] | None


def _reason(reason: ExclusionReason) -> Labelled:
    return Labelled(reason.value, reason.label_nl, reason.label_en)


def _note(note: Note) -> Labelled:
    return Labelled(note.value, note.label_nl, note.label_en)


def _source(source: Source) -> Labelled:
    return Labelled(source.value, source.label_nl, source.label_en)


def _reasons(reasons: Iterable[ExclusionReason]) -> tuple[Labelled, ...]:
    return tuple(_reason(r) for r in sorted(reasons, key=lambda r: r.value))


def _notes(notes: Iterable[Note]) -> tuple[Labelled, ...]:
    return tuple(_note(n) for n in sorted(notes, key=lambda n: n.value))


def registration_line(registration: Registration) -> RegistrationLine:
    return RegistrationLine(
        id=registration.id,
        period=registration.period,
        included=registration.included,
        source=_source(registration.source),
        reasons=_reasons(registration.reasons),
        notes=_notes(registration.notes),
        note=registration.note,
        registered_on=registration.registered_on,
    )


def participation_line(participation: Participation) -> RegistrationLine:
    return RegistrationLine(
        id=None,
        period=participation.period,
        included=participation.included,
        source=_source(participation.source),
        reasons=_reasons(participation.reasons),
        notes=_notes(participation.notes),
        note=participation.note,
        registered_on=None,
    )


def _product_summary(product: InsuranceProduct) -> ProductSummary:
    return ProductSummary(
        id=product.id,
        insurer_id=product.insurer_id,
        name=product.name,
        code=product.code,
        kind=product.kind,
    )


def _policy_summary(policy: Policy) -> PolicySummary:
    return PolicySummary(
        id=policy.id,
        employer_id=policy.employer_id,
        product_id=policy.product_id,
        number=policy.number,
        period=policy.period,
        run_in_damage_date=policy.run_in_damage_date,
    )


def require_business_rules(value: int) -> None:
    """R6.1: conditions exist only while ``BusinessRules`` is 1."""
    if value != 1:
        raise Conflict(
            "policies.business_rules_off",
            {"rule": "R6.1", "parameter": Parameter.BUSINESS_RULES.value, "value": value},
        )


def _check_page(page: int, page_size: int) -> None:
    limits.bounded_int(page, "page", 1, limits.MAX_PAGE)
    limits.bounded_int(page_size, "page_size", 1, limits.MAX_PAGE_SIZE)


# -- the service -----------------------------------------------------------------------------------


class PolicyService(Service):
    """Insurers, products, policies, their conditions and participant registration (R6)."""

    # insurers and products -------------------------------------------------------------------

    def create_insurer(self, cmd: CreateInsurer) -> uuid.UUID:
        """An insurer; codes are unique (``policies.insurer_code_in_use``)."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, F.MANAGE_INSURERS)
            insurer = Insurer.create(cmd.name, cmd.code)
            uow.insurers.add(insurer)
            uow.commit()
            return insurer.id

    def insurers(self, cmd: ListInsurers) -> list[Insurer]:
        """The insurers (R6)."""
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, _PRODUCT_READERS)
            return uow.insurers.list()

    def create_product(self, cmd: CreateInsuranceProduct) -> uuid.UUID:
        """A product of an insurer, its conditions all off (R6.1); codes are unique per insurer
        (``policies.product_code_in_use``)."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, F.MANAGE_INSURERS)
            uow.insurers.get(cmd.insurer_id)
            product = InsuranceProduct.create(cmd.insurer_id, cmd.name, cmd.kind, cmd.code)
            uow.products.add(product)
            uow.commit()
            return product.id

    def products(self, cmd: ListInsuranceProducts) -> list[ProductSummary]:
        """The insurance products, of one insurer or all (R6.3: without conditions here)."""
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, _PRODUCT_READERS)
            if cmd.insurer_id is not None:
                uow.insurers.get(cmd.insurer_id)
            return [_product_summary(p) for p in uow.products.list(cmd.insurer_id)]

    def set_product_conditions(self, cmd: SetProductConditions) -> None:
        """R6.2, R6.3: refused while ``BusinessRules`` is 0. Locks the parameter (so that it is
        not switched off meanwhile), then the product."""
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, F.SET_CONDITIONS)
            require_business_rules(uow.settings.lock(Parameter.BUSINESS_RULES))
            product = uow.products.lock(cmd.product_id)
            product.set_conditions(cmd.conditions)
            uow.products.save(product)
            uow.commit()

    def product_conditions(self, cmd: GetProductConditions) -> Conditions:
        """R6.1: shown only while ``BusinessRules`` is 1."""
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, (F.SET_CONDITIONS, F.MANAGE_INSURERS))
            require_business_rules(uow.settings.value(Parameter.BUSINESS_RULES))
            return uow.products.get(cmd.product_id).conditions

    # policies --------------------------------------------------------------------------------

    def create_policy(self, cmd: CreatePolicy) -> uuid.UUID:
        """A policy of an employer in scope; its end after its start
        (``policies.end_not_after_start``), its run-in damage date inside it, its number unique
        per product (``policies.number_in_use``)."""
        period = policy_period(cmd.start, cmd.end)
        with self._uow() as uow:
            self._authorise(uow, cmd.actor, F.MANAGE_POLICIES, employer(cmd.employer_id))
            uow.products.get(cmd.product_id)
            policy = Policy.create(
                cmd.employer_id, cmd.product_id, cmd.number, period, cmd.run_in_damage_date
            )
            uow.policies.add(policy)
            uow.commit()
            return policy.id

    def policies(self, cmd: ListPolicies) -> list[PolicySummary]:
        """The policies of employers in the actor's scope (filtered, never refused)."""
        with self._uow(write=False) as uow:
            units = () if cmd.employer_id is None else (employer(cmd.employer_id),)
            auth, principal = self._authorise(uow, cmd.actor, _POLICY_READERS, *units)
            if cmd.product_id is not None:
                uow.products.get(cmd.product_id)
            scope = auth.resolved_scope(principal)
            employer_ids: frozenset[uuid.UUID] | None = (
                None if scope.everything else scope.employer_ids
            )
            if cmd.employer_id is not None:
                employer_ids = frozenset({cmd.employer_id})
            found = uow.policies.list(employer_ids, cmd.product_id)
            return [_policy_summary(p) for p in found]

    def _policy(
        self,
        uow: UnitOfWork,
        auth: Authoriser,
        principal: Principal,
        policy_id: uuid.UUID,
        lock: bool,
    ) -> Policy:
        """The policy, if its employer lies in the actor's scope (answered as unknown
        otherwise); locked for a change."""
        policy = uow.policies.lock(policy_id) if lock else uow.policies.get(policy_id)
        auth.require_visible(principal, employer(policy.employer_id), hidden("policy", policy_id))
        return policy

    def set_policy_overrides(self, cmd: SetPolicyOverrides) -> None:
        """R6.3: the policy's own conditions; refused while ``BusinessRules`` is 0."""
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, F.SET_CONDITIONS)
            require_business_rules(uow.settings.lock(Parameter.BUSINESS_RULES))
            policy = self._policy(uow, auth, principal, cmd.policy_id, lock=True)
            policy.set_overrides(cmd.overrides)
            uow.policies.save(policy)
            uow.commit()

    def clear_policy_override(self, cmd: ClearPolicyOverride) -> None:
        """R6.3: the condition follows the product again."""
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, F.SET_CONDITIONS)
            require_business_rules(uow.settings.lock(Parameter.BUSINESS_RULES))
            policy = self._policy(uow, auth, principal, cmd.policy_id, lock=True)
            policy.set_overrides(policy.overrides.without(cmd.condition))
            uow.policies.save(policy)
            uow.commit()

    def conditions(self, cmd: GetPolicyConditions) -> PolicyConditions:
        """R6.3: the conditions that apply to the policy; shown only while ``BusinessRules``
        is 1."""
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, (F.SET_CONDITIONS, F.MANAGE_POLICIES))
            require_business_rules(uow.settings.value(Parameter.BUSINESS_RULES))
            policy = self._policy(uow, auth, principal, cmd.policy_id, lock=False)
            product = uow.products.get(policy.product_id)
            return PolicyConditions(
                policy_id=policy.id,
                product=product.conditions,
                overrides=policy.overrides,
                effective=effective_conditions(product.conditions, policy.overrides),
            )

    # participant registration ----------------------------------------------------------------

    @staticmethod
    def _participant(uow: UnitOfWork, policy: Policy, employee_id: uuid.UUID) -> None:
        """The employee has (or had) an employment at the policy's employer."""
        person = uow.employees.get(employee_id)
        if not any(e.employer_id == policy.employer_id for e in person.employments):
            raise InvalidInput(
                "policies.not_employed_by_policy_holder",
                {"rule": "R6.4", "employee_id": str(employee_id), "policy_id": str(policy.id)},
            )

    def register_manually(self, cmd: RegisterParticipation) -> uuid.UUID:
        """R6.4: a manual in- or exclusion inside the policy's period, overlapping no other
        manual registration of the employee (``policies.registrations_overlap``); the automatic
        registrations it covers are cut back. Locks the policy."""
        with self._uow() as uow:
            auth, principal = self._authorise(
                uow, cmd.actor, F.REGISTER_PARTICIPANTS, employee(cmd.employee_id)
            )
            policy = self._policy(uow, auth, principal, cmd.policy_id, lock=True)
            self._participant(uow, policy, cmd.employee_id)
            new = Registration.manual(
                policy, cmd.employee_id, cmd.period, cmd.included, self._clock.today(), cmd.note
            )
            existing = uow.registrations.for_participant(policy.id, cmd.employee_id)
            refuse_manual_overlap(new, existing)
            covered = [r for r in existing if r.period.overlaps(new.period)]
            uow.registrations.remove([r.id for r in covered])
            pieces = [piece for r in covered for piece in r.without(new.period)]
            uow.registrations.add([*pieces, new])
            uow.policy_runs.forget(policy.id, cmd.employee_id)  # the next run looks again
            uow.publish(new.changed_event())
            uow.commit()
            return new.id

    def remove_registration(self, cmd: RemoveRegistration) -> None:
        """R6.4: only a manual registration (``policies.not_a_manual_registration``); answered
        as unknown when its policy's employer lies outside the scope. Locks the policy."""
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, F.REGISTER_PARTICIPANTS)
            found = uow.registrations.get(cmd.registration_id)
            policy = uow.policies.lock(found.policy_id)
            auth.require_visible(
                principal,
                employer(policy.employer_id),
                hidden("registration", cmd.registration_id),
            )
            registration = uow.registrations.get(cmd.registration_id)  # after the lock
            if not registration.is_manual:
                raise Conflict(
                    "policies.not_a_manual_registration",
                    {"rule": "R6.4", "registration_id": str(registration.id)},
                )
            uow.registrations.remove([registration.id])
            # its days follow the evaluation again: the next run evaluates the employee
            uow.policy_runs.forget(policy.id, registration.employee_id)
            uow.publish(registration.removed_event())
            uow.commit()

    def participants(self, cmd: GetParticipants) -> ParticipantPage:
        """R6.6: the participant page — employees in the actor's scope with a registration in
        the policy, by name, with their registrations and the reasons in Dutch and English."""
        _check_page(cmd.page, cmd.page_size)
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(uow, cmd.actor, _PARTICIPANT_READERS)
            policy = self._policy(uow, auth, principal, cmd.policy_id, lock=False)
            scope = auth.resolved_scope(principal)
            rows = uow.registrations.page(policy.id, scope, cmd.page, cmd.page_size)
            return ParticipantPage(
                policy_id=policy.id,
                page=cmd.page,
                page_size=cmd.page_size,
                total=uow.registrations.count(policy.id, scope),
                participants=tuple(
                    ParticipantLine(
                        employee_id=row.employee_id,
                        name=row.name,
                        registrations=tuple(registration_line(r) for r in row.registrations),
                    )
                    for row in rows
                ),
            )

    def timeline(self, cmd: GetParticipantTimeline) -> ParticipantTimeline:
        """One participant's registrations, and the evaluation over the policy's period as it
        stands now (R6.2–R6.4; none while ``BusinessRules`` is 0 or no condition is active)."""
        with self._uow(write=False) as uow:
            auth, principal = self._authorise(
                uow, cmd.actor, _PARTICIPANT_READERS, employee(cmd.employee_id)
            )
            policy = self._policy(uow, auth, principal, cmd.policy_id, lock=False)
            self._participant(uow, policy, cmd.employee_id)
            registrations = uow.registrations.for_participant(policy.id, cmd.employee_id)
            evaluation: tuple[RegistrationLine, ...] | None = None
            if uow.settings.value(Parameter.BUSINESS_RULES) == 1:
                product = uow.products.get(policy.product_id)
                conditions = effective_conditions(product.conditions, policy.overrides)
                if conditions.any_active:
                    evaluation = self._evaluate(
                        uow, policy, cmd.employee_id, conditions, registrations
                    )
            return ParticipantTimeline(
                policy_id=policy.id,
                employee_id=cmd.employee_id,
                registrations=tuple(registration_line(r) for r in registrations),
                evaluation=evaluation,
            )

    @staticmethod
    def _evaluate(
        uow: UnitOfWork,
        policy: Policy,
        employee_id: uuid.UUID,
        conditions: Conditions,
        registrations: list[Registration],
    ) -> tuple[RegistrationLine, ...]:
        """R6.2–R6.4 through the pure function: the facts of the employee, the effective
        conditions and the manual registrations."""
        person = uow.employees.get(employee_id)
        facts = employee_facts(person, policy.employer_id, uow.trajectories.for_employee(person.id))
        manual = [
            ManualRegistration(period=r.period, included=r.included, note=r.note)
            for r in registrations
            if r.is_manual
        ]
        table = max_sv_wage_table()
        timeline = participation_timeline(
            facts,
            policy.period,
            conditions,
            max_sv_wage_by_year(table),
            manual,
            last_wage_year=table.values[-1].applies_from.year,
        )
        return tuple(participation_line(p) for p in timeline.periods)


__all__ = [
    "DEFAULT_PAGE_SIZE",
    "ClearPolicyOverride",
    "CreateInsuranceProduct",
    "CreateInsurer",
    "CreatePolicy",
    "GetParticipantTimeline",
    "GetParticipants",
    "GetPolicyConditions",
    "GetProductConditions",
    "Labelled",
    "ListInsuranceProducts",
    "ListInsurers",
    "ListPolicies",
    "ParticipantLine",
    "ParticipantPage",
    "ParticipantTimeline",
    "PolicyConditions",
    "PolicyService",
    "PolicySummary",
    "ProductSummary",
    "RegisterParticipation",
    "RegistrationLine",
    "RemoveRegistration",
    "SetPolicyOverrides",
    "SetProductConditions",
]
