"""The in-memory store shared by the units of work of one application."""

from __future__ import annotations

import copy
import threading
import uuid
from typing import Any, TypeVar

import attrs
import pendulum

from xs_core.access.model import Role, User
from xs_core.agenda.model import (
    Activity,
    Appointment,
    AppointmentLocation,
    AppointmentRequest,
    Availability,
)
from xs_core.billing.contracts import ContractModel, ServiceAgreement, Subscription
from xs_core.billing.invoicing import InvoiceBasis, SubscriptionLine
from xs_core.errors import NotFound
from xs_core.events import Aggregate
from xs_core.money import Money
from xs_core.organisation.model import Branch, Department, Dossier, Employee, Employer, Folder
from xs_core.protocols.model import Protocol, Trajectory
from xs_core.protocols.ports import StoredBulkRequest

A = TypeVar("A", bound=Aggregate)


def _copy(aggregate: A) -> A:
    clone = copy.deepcopy(aggregate)
    clone.pending_events = []
    return clone


@attrs.frozen(kw_only=True)
class ActivityLineRecord:
    """An activity on an invoice basis (R4.4, R5.1)."""

    invoice_basis_id: uuid.UUID
    activity_id: uuid.UUID
    activity_type: str
    performed_on: pendulum.Date
    employee_id: uuid.UUID
    amount: Money


@attrs.define
class MemoryStore:
    """Everything the in-memory adapters hold; shared by the units of work of one app."""

    folders: dict[uuid.UUID, Folder] = attrs.field(factory=dict)
    employers: dict[uuid.UUID, Employer] = attrs.field(factory=dict)
    departments: dict[uuid.UUID, Department] = attrs.field(factory=dict)
    branches: dict[uuid.UUID, Branch] = attrs.field(factory=dict)
    employees: dict[uuid.UUID, Employee] = attrs.field(factory=dict)
    dossiers: dict[uuid.UUID, Dossier] = attrs.field(factory=dict)
    users: dict[uuid.UUID, User] = attrs.field(factory=dict)
    roles: dict[uuid.UUID, Role] = attrs.field(factory=dict)
    protocols: dict[uuid.UUID, Protocol] = attrs.field(factory=dict)
    trajectories: dict[uuid.UUID, Trajectory] = attrs.field(factory=dict)
    bulk_requests: dict[uuid.UUID, StoredBulkRequest] = attrs.field(factory=dict)
    locations: dict[uuid.UUID, AppointmentLocation] = attrs.field(factory=dict)
    availabilities: dict[uuid.UUID, Availability] = attrs.field(factory=dict)
    appointment_requests: dict[uuid.UUID, AppointmentRequest] = attrs.field(factory=dict)
    appointments: dict[uuid.UUID, Appointment] = attrs.field(factory=dict)
    activities: dict[uuid.UUID, Activity] = attrs.field(factory=dict)
    contract_models: dict[uuid.UUID, ContractModel] = attrs.field(factory=dict)
    service_agreements: dict[uuid.UUID, ServiceAgreement] = attrs.field(factory=dict)
    subscriptions: dict[uuid.UUID, Subscription] = attrs.field(factory=dict)
    invoice_bases: dict[uuid.UUID, InvoiceBasis] = attrs.field(factory=dict)
    subscription_lines: dict[tuple[uuid.UUID, pendulum.Date], SubscriptionLine] = attrs.field(
        factory=dict
    )
    activity_lines: dict[uuid.UUID, ActivityLineRecord] = attrs.field(factory=dict)
    outbox: list[dict[str, Any]] = attrs.field(factory=list)
    lock: threading.RLock = attrs.field(factory=threading.RLock, eq=False, repr=False)

    def snapshot(self) -> dict[str, Any]:
        return {
            f.name: copy.deepcopy(getattr(self, f.name))
            for f in attrs.fields(MemoryStore)
            if f.name != "lock"
        }

    def restore(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)


def _missing(kind: str, ident: uuid.UUID) -> NotFound:
    return NotFound("not_found", {"kind": kind, "id": str(ident)})
