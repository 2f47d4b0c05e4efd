"""An in-memory unit of work with real transaction semantics (an undo journal, R0.5, R0.7).

Aggregates are copied in and out, so that a change is only visible after ``save`` and only
durable after ``commit``, exactly as with the SQL adapter; leaving without commit undoes every
write of the unit of work, outbox messages and indexes included.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from types import TracebackType
from typing import Self

from xs_adapters.memory.access import (
    MemoryRoleRepository,
    MemoryScopeResolver,
    MemoryUserRepository,
)
from xs_adapters.memory.accounts import MemoryAccountStore, MemoryTemplateStore
from xs_adapters.memory.agenda import (
    MemoryActivityRepository,
    MemoryAppointmentRepository,
    MemoryAppointmentRequestRepository,
    MemoryAvailabilityRepository,
    MemoryLocationRepository,
)
from xs_adapters.memory.api_clients import MemoryApiClientStore
from xs_adapters.memory.billing import (
    MemoryContractModelRepository,
    MemoryInvoicingStore,
    MemoryServiceAgreementRepository,
    MemorySubscriptionRepository,
)
from xs_adapters.memory.messaging import MemoryDialogRepository, MemoryDocumentRepository
from xs_adapters.memory.organisation import (
    MemoryBranchRepository,
    MemoryDepartmentRepository,
    MemoryDossierRepository,
    MemoryEmployeeRepository,
    MemoryEmployerRepository,
    MemoryFolderRepository,
    MemoryOrganisationBulkWriter,
)
from xs_adapters.memory.outbox import MemoryOutbox
from xs_adapters.memory.policies import (
    MemoryInsuranceProductRepository,
    MemoryInsurerRepository,
    MemoryPolicyRepository,
    MemoryRegistrationStore,
    MemorySettingsStore,
)
from xs_adapters.memory.policy_runs import MemoryPolicyRunStore
from xs_adapters.memory.protocols import (
    MemoryBulkStartStore,
    MemoryProtocolRepository,
    MemoryTrajectoryRepository,
)
from xs_adapters.memory.reimbursements import (
    MemoryContractSettingsRepository,
    MemoryReimbursementStore,
    MemoryRelationRepository,
)
from xs_adapters.memory.reports import MemoryAbsenceFacts, MemoryWiaClaimRepository
from xs_adapters.memory.search import MemoryOrganisationSearch
from xs_adapters.memory.store import MemoryStore
from xs_adapters.planning import RepositoryPlanning
from xs_core.access.actors import RepositoryActors
from xs_core.clock import Clock
from xs_core.events import Aggregate, DomainEvent, EventCollector


class MemoryUnitOfWork:
    """A unit of work over a :class:`MemoryStore`; one at a time per store (a lock).

    Writes are journaled by the store; rollback undoes the journal since the unit of work began
    (or last committed), so its cost is that of the writes, not of the store.
    """

    def __init__(self, store: MemoryStore, clock: Clock, write: bool = True) -> None:
        self._store = store
        self._clock = clock
        self._events = EventCollector()
        self._mark: int | None = None

    def _track(self, aggregate: Aggregate) -> None:
        self._events.track(aggregate)

    def __enter__(self) -> Self:
        if self._mark is not None:  # as on SQL: one transaction per unit of work
            raise RuntimeError("the unit of work is already open; open a new one")
        self._store.lock.acquire()
        self._mark = self._store.begin()
        s, track = self._store, self._track
        self.folders = MemoryFolderRepository(s, track)
        self.employers = MemoryEmployerRepository(s, track)
        self.departments = MemoryDepartmentRepository(s, track)
        self.branches = MemoryBranchRepository(s, track)
        self.employees = MemoryEmployeeRepository(s, track)
        self.dossiers = MemoryDossierRepository(s, track)
        self.search = MemoryOrganisationSearch(s)
        self.bulk = MemoryOrganisationBulkWriter(s, track)
        self.users = MemoryUserRepository(s, track)
        self.roles = MemoryRoleRepository(s)
        self.scopes = MemoryScopeResolver(s)
        self.api_clients = MemoryApiClientStore(s, track)
        self.actors = RepositoryActors(self.users, self.roles, self.api_clients)
        self.outbox = MemoryOutbox(s)
        self.locations = MemoryLocationRepository(s, track)
        self.availabilities = MemoryAvailabilityRepository(s, track)
        self.planning = RepositoryPlanning(
            self.users, self.roles, self.locations, self.availabilities
        )
        self.appointment_requests = MemoryAppointmentRequestRepository(s, track)
        self.appointments = MemoryAppointmentRepository(s, track)
        self.activities = MemoryActivityRepository(s, track)
        self.protocols = MemoryProtocolRepository(s, track)
        self.trajectories = MemoryTrajectoryRepository(s, track)
        self.bulk_starts = MemoryBulkStartStore(s)
        self.contract_models = MemoryContractModelRepository(s, track)
        self.service_agreements = MemoryServiceAgreementRepository(s, track)
        self.subscriptions = MemorySubscriptionRepository(s, track)
        self.invoicing = MemoryInvoicingStore(s, track)
        self.insurers = MemoryInsurerRepository(s, track)
        self.products = MemoryInsuranceProductRepository(s, track)
        self.policies = MemoryPolicyRepository(s, track)
        self.registrations = MemoryRegistrationStore(s)
        self.policy_runs = MemoryPolicyRunStore(s)
        self.settings = MemorySettingsStore(s)
        self.absence_facts = MemoryAbsenceFacts(s)
        self.wia_claims = MemoryWiaClaimRepository(s, track)
        self.relations = MemoryRelationRepository(s, track)
        self.contract_settings = MemoryContractSettingsRepository(s, track)
        self.reimbursements = MemoryReimbursementStore(s, track)
        self.accounts = MemoryAccountStore(s)
        self.mail_templates = MemoryTemplateStore(s)
        self.documents = MemoryDocumentRepository(s)
        self.dialogs = MemoryDialogRepository(s, track)
        return self

    def publish(self, event: DomainEvent) -> None:
        self._events.publish(event)

    def commit(self) -> None:
        self.outbox.write(self._events.collect(), self._clock.now())
        self._mark = self._store.commit()

    def batched_writes(self) -> AbstractContextManager[None]:
        """Nothing to batch: the store's writes are in memory."""
        return nullcontext()

    def rollback(self) -> None:
        if self._mark is not None:
            self._store.rollback(self._mark)
        self._events.discard()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self._mark = None
            self._store.end()
            self._store.lock.release()
