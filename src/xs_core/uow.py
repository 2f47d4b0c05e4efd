"""The unit-of-work port: one transaction per use case, events to the outbox (R0.5, R0.7).

A use case opens a unit of work, loads aggregates through its repositories, calls the core and
commits explicitly; leaving the block without ``commit()`` rolls back, so a refused command
changes nothing (R0.5). On commit the events recorded by every aggregate the unit of work saw
are written to the outbox in the same transaction (R0.7).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from xs_core.access.api_clients import ApiClientStore
from xs_core.access.passwords import AccountStore
from xs_core.access.ports import ActorReader, RoleRepository, ScopeResolver, UserRepository
from xs_core.agenda.ports import (
    ActivityRepository,
    AppointmentRepository,
    AppointmentRequestRepository,
    AvailabilityPlanning,
    AvailabilityRepository,
    LocationRepository,
)
from xs_core.billing.ports import (
    ContractModelRepository,
    InvoicingStore,
    ServiceAgreementRepository,
    SubscriptionRepository,
)
from xs_core.events import DomainEvent, OutboxMessage
from xs_core.mail.model import TemplateStore
from xs_core.messaging.model import DialogRepository, DocumentRepository
from xs_core.organisation.ports import (
    BranchRepository,
    DepartmentRepository,
    DossierRepository,
    EmployeeRepository,
    EmployerRepository,
    FolderRepository,
    OrganisationBulkWriter,
    OrganisationSearch,
)
from xs_core.policies.ports import (
    InsuranceProductRepository,
    InsurerRepository,
    PolicyRepository,
    PolicyRunStore,
    RegistrationStore,
)
from xs_core.protocols.ports import BulkStartStore, ProtocolRepository, TrajectoryRepository
from xs_core.reimbursements.ports import (
    ContractSettingsRepository,
    ReimbursementStore,
    RelationRepository,
)
from xs_core.reports.ports import AbsenceFacts, WiaClaimRepository
from xs_core.settings import SettingsStore


class Outbox(Protocol):
    """Committed domain events and their consumption (R0.7, :mod:`xs_core.outbox`)."""

    def write(self, events: Sequence[DomainEvent], at: _dt.datetime) -> None:
        """Append the events of a committing unit of work, stamped ``at`` (stored as UTC)."""
        ...

    def pending(self, limit: int, subscription: str) -> list[OutboxMessage]:
        """The oldest messages ``subscription`` has not acknowledged (claimed or not); reads
        only."""
        ...

    def claim(
        self,
        subscription: str,
        consumer: str,
        limit: int,
        now: _dt.datetime,
        lease_until: _dt.datetime,
    ) -> list[OutboxMessage]:
        """Lease up to ``limit`` of the oldest messages that ``subscription`` has not
        acknowledged and nobody holds a live lease on (``lease_until > now``), oldest first;
        two claims at once never get the same message."""
        ...

    def defer(
        self, subscription: str, consumer: str, message_ids: Sequence[int], until: _dt.datetime
    ) -> int:
        """Hold ``consumer``'s unacknowledged claims on ``message_ids`` until ``until``: they
        are claimable again only then (a retry's back-off); how many were held."""
        ...

    def acknowledge(self, subscription: str, message_ids: Sequence[int]) -> None:
        """Mark messages handled for ``subscription``; refused (``outbox.unknown_message``)
        when an id names no message; acknowledging again changes nothing."""
        ...


@runtime_checkable
class UnitOfWork(Protocol):
    folders: FolderRepository
    employers: EmployerRepository
    departments: DepartmentRepository
    branches: BranchRepository
    employees: EmployeeRepository
    dossiers: DossierRepository
    search: OrganisationSearch
    bulk: OrganisationBulkWriter
    users: UserRepository
    roles: RoleRepository
    scopes: ScopeResolver
    actors: ActorReader
    locations: LocationRepository
    availabilities: AvailabilityRepository
    planning: AvailabilityPlanning
    appointment_requests: AppointmentRequestRepository
    appointments: AppointmentRepository
    activities: ActivityRepository
    protocols: ProtocolRepository
    trajectories: TrajectoryRepository
    bulk_starts: BulkStartStore
    contract_models: ContractModelRepository
    service_agreements: ServiceAgreementRepository
    subscriptions: SubscriptionRepository
    invoicing: InvoicingStore
    insurers: InsurerRepository
    products: InsuranceProductRepository
    policies: PolicyRepository
    registrations: RegistrationStore
    policy_runs: PolicyRunStore
    settings: SettingsStore
    absence_facts: AbsenceFacts
    wia_claims: WiaClaimRepository
    relations: RelationRepository
    contract_settings: ContractSettingsRepository
    reimbursements: ReimbursementStore
    accounts: AccountStore
    api_clients: ApiClientStore
    mail_templates: TemplateStore
    documents: DocumentRepository
    dialogs: DialogRepository
    outbox: Outbox

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Write the collected events to the outbox and commit the transaction."""
        ...

    def rollback(self) -> None: ...

    def batched_writes(self) -> AbstractContextManager[None]:
        """A block of writes whose results nobody reads, usually ending in ``commit()``: an
        adapter may send them to the database together (PostgreSQL: one round trip for the
        writes, the outbox and the commit). Reading inside the block is refused."""
        ...

    def publish(self, event: DomainEvent) -> None:
        """Record an event that belongs to no aggregate (written on commit)."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, write: bool = True) -> UnitOfWork:
        """A new unit of work; ``write=False`` for queries."""
        ...
