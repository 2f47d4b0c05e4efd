"""In-memory policy registration and configuration parameters, held to the SQL adapters'
contract (R6.1–R6.6)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from xs_adapters.memory.search import SearchEntry
from xs_adapters.memory.store import MemoryStore, _copy, _missing
from xs_adapters.memory.tables import Collection
from xs_core.access.model import ResolvedScope
from xs_core.errors import Conflict
from xs_core.events import Aggregate
from xs_core.organisation.search import normalise_code
from xs_core.policies.model import InsuranceProduct, Insurer, Policy, Registration
from xs_core.policies.ports import ParticipantRow
from xs_core.settings import Parameter, ParameterChange

Track = Callable[[Aggregate], None]


def _in_use(error_code: str, **details: object) -> Conflict:
    return Conflict(error_code, {"rule": "R6", **details})


class MemoryInsurerRepository:
    def __init__(self, store: MemoryStore, track: Track) -> None:
        self._s = store
        self._track = track

    def add(self, insurer: Insurer) -> None:
        code = normalise_code(insurer.code)
        if code is not None and self._s.insurers.find_keys("code", code):
            raise _in_use("policies.insurer_code_in_use", code=insurer.code)
        self._s.insurers.put(insurer.id, _copy(insurer))
        self._track(insurer)

    def get(self, insurer_id: uuid.UUID) -> Insurer:
        if insurer_id not in self._s.insurers:
            raise _missing("insurer", insurer_id)
        return _copy(self._s.insurers[insurer_id])

    def list(self) -> list[Insurer]:
        return [_copy(i) for i in sorted(self._s.insurers.values(), key=lambda i: (i.name, i.id))]


class MemoryInsuranceProductRepository:
    def __init__(self, store: MemoryStore, track: Track) -> None:
        self._s = store
        self._track = track

    def add(self, product: InsuranceProduct) -> None:
        if product.insurer_id not in self._s.insurers:
            raise _missing("insurer", product.insurer_id)
        code = normalise_code(product.code)
        if code is not None and self._s.insurance_products.find_keys(
            "code", (product.insurer_id, code)
        ):
            raise _in_use("policies.product_code_in_use", code=product.code)
        self._s.insurance_products.put(product.id, _copy(product))
        self._track(product)

    def save(self, product: InsuranceProduct) -> None:
        self._s.insurance_products.put(product.id, _copy(product))
        self._track(product)

    def get(self, product_id: uuid.UUID) -> InsuranceProduct:
        if product_id not in self._s.insurance_products:
            raise _missing("insurance_product", product_id)
        return _copy(self._s.insurance_products[product_id])

    lock = get  # one writer at a time: the store's lock is held

    def list(self, insurer_id: uuid.UUID | None = None) -> list[InsuranceProduct]:
        found = (
            self._s.insurance_products.values()
            if insurer_id is None
            else self._s.insurance_products.find("insurer", insurer_id)
        )
        return [_copy(p) for p in sorted(found, key=lambda p: (p.name, p.id))]


class MemoryPolicyRepository:
    def __init__(self, store: MemoryStore, track: Track) -> None:
        self._s = store
        self._track = track

    def add(self, policy: Policy) -> None:
        if policy.employer_id not in self._s.employers:
            raise _missing("employer", policy.employer_id)
        if policy.product_id not in self._s.insurance_products:
            raise _missing("insurance_product", policy.product_id)
        if self._s.insurance_policies.find_keys("number", (policy.product_id, policy.number)):
            raise _in_use("policies.number_in_use", number=policy.number)
        self._s.insurance_policies.put(policy.id, _copy(policy))
        self._track(policy)

    def save(self, policy: Policy) -> None:
        self._s.insurance_policies.put(policy.id, _copy(policy))
        self._track(policy)

    def get(self, policy_id: uuid.UUID) -> Policy:
        if policy_id not in self._s.insurance_policies:
            raise _missing("policy", policy_id)
        return _copy(self._s.insurance_policies[policy_id])

    lock = get  # one writer at a time: the store's lock is held

    def list(
        self, employer_ids: frozenset[uuid.UUID] | None = None, product_id: uuid.UUID | None = None
    ) -> list[Policy]:
        policies = self._s.insurance_policies
        if employer_ids is None:
            found = list(policies.values())
        else:
            found = [p for e in employer_ids for p in policies.find("employer", e)]
        if product_id is not None:
            found = [p for p in found if p.product_id == product_id]
        return [_copy(p) for p in sorted(found, key=lambda p: (p.number, str(p.id)))]


def _by_start(registrations: list[Registration]) -> list[Registration]:
    return sorted(registrations, key=lambda r: (r.period.start, str(r.id)))


class MemoryRegistrationStore:
    """Registrations are frozen values: stored and handed out as they are."""

    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    @property
    def _rows(self) -> Collection[uuid.UUID, Registration]:
        return self._s.policy_registrations

    def get(self, registration_id: uuid.UUID) -> Registration:
        found = self._rows.get(registration_id)
        if found is None:
            raise _missing("registration", registration_id)
        return found

    def for_participant(self, policy_id: uuid.UUID, employee_id: uuid.UUID) -> list[Registration]:
        return _by_start(self._rows.find("participant", (policy_id, employee_id)))

    def add(self, registrations: Sequence[Registration]) -> None:
        for registration in registrations:  # all checked before any is written
            if registration.policy_id not in self._s.insurance_policies:
                raise _missing("policy", registration.policy_id)
            if registration.employee_id not in self._s.employees:
                raise _missing("employee", registration.employee_id)
            others = [
                *self.for_participant(registration.policy_id, registration.employee_id),
                *(
                    r
                    for r in registrations
                    if r is not registration
                    and (r.policy_id, r.employee_id)
                    == (registration.policy_id, registration.employee_id)
                ),
            ]
            for other in others:
                if other.id != registration.id and other.period.overlaps(registration.period):
                    raise Conflict(
                        "policies.registrations_overlap",
                        {
                            "rule": "R6.4",
                            "period": str(registration.period),
                            "other": str(other.period),
                            "registration_id": str(other.id),
                        },
                    )
        for registration in registrations:
            self._rows.put(registration.id, registration)

    def remove(self, registration_ids: Sequence[uuid.UUID]) -> None:
        for registration_id in registration_ids:
            self._rows.delete(registration_id)

    def _people(self, policy_id: uuid.UUID, scope: ResolvedScope) -> list[tuple[str, str, str]]:
        """(name_norm, id, name) of the employees in scope with a registration, by name."""
        entries = self._s.employees.derived("search")
        employers = {(0, e.int) for e in scope.employer_ids}
        departments = {(1, d.int) for d in scope.department_ids}
        found = []
        for employee_id in {r.employee_id for r in self._rows.find("policy", policy_id)}:
            entry: SearchEntry | None = entries.get(employee_id)
            if entry is None:
                continue
            if not scope.everything and not (entry.places & (employers | departments)):
                continue
            found.append((entry.name_norm, str(employee_id), entry.document.name))
        return sorted(found)

    def page(
        self, policy_id: uuid.UUID, scope: ResolvedScope, page: int, page_size: int
    ) -> list[ParticipantRow]:
        people = self._people(policy_id, scope)[(page - 1) * page_size : page * page_size]
        return [
            ParticipantRow(
                employee_id=uuid.UUID(ident),
                name=name,
                registrations=tuple(self.for_participant(policy_id, uuid.UUID(ident))),
            )
            for _, ident, name in people
        ]

    def count(self, policy_id: uuid.UUID, scope: ResolvedScope) -> int:
        return len(self._people(policy_id, scope))


class MemorySettingsStore:
    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    def value(self, parameter: Parameter) -> int:
        stored = self._s.configuration_parameters.get(parameter.value)
        return parameter.spec.default if stored is None else parameter.check(stored)

    lock = value  # one writer at a time: the store's lock is held

    def change(self, change: ParameterChange) -> None:
        value = change.parameter.check(change.new_value)
        self._s.configuration_parameters.put(change.parameter.value, value)
        changes = self._s.configuration_parameter_changes
        changes.put(len(changes) + 1, change)

    def history(self, parameter: Parameter) -> list[ParameterChange]:
        changes = self._s.configuration_parameter_changes
        return [changes[k] for k in sorted(changes.keys()) if changes[k].parameter is parameter]
