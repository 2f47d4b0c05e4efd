"""The SQL unit of work: one connection, one transaction, the outbox on commit (R0.5, R0.7)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from sqlalchemy.engine import Connection, Engine

from xs_adapters.planning import RepositoryPlanning
from xs_adapters.sql.access import SqlRoleRepository, SqlScopeResolver, SqlUserRepository
from xs_adapters.sql.accounts import SqlAccountStore, SqlTemplateStore
from xs_adapters.sql.actors import SqlActorReader
from xs_adapters.sql.agenda import (
    SqlActivityRepository,
    SqlAppointmentRepository,
    SqlAppointmentRequestRepository,
    SqlAvailabilityPlanning,
    SqlAvailabilityRepository,
    SqlLocationRepository,
)
from xs_adapters.sql.api_clients import SqlApiClientStore
from xs_adapters.sql.billing import (
    SqlContractModelRepository,
    SqlInvoicingStore,
    SqlServiceAgreementRepository,
    SqlSubscriptionRepository,
)
from xs_adapters.sql.bulk import SqlOrganisationBulkWriter
from xs_adapters.sql.configuration import SqlSettingsStore
from xs_adapters.sql.conflicts import transient_conflict
from xs_adapters.sql.messaging import SqlDialogRepository, SqlDocumentRepository
from xs_adapters.sql.organisation import (
    SqlBranchRepository,
    SqlDepartmentRepository,
    SqlDossierRepository,
    SqlEmployeeRepository,
    SqlEmployerRepository,
    SqlFolderRepository,
)
from xs_adapters.sql.outbox import SqlOutbox
from xs_adapters.sql.pipeline import WriteBatch, batched_writes, transaction_ended
from xs_adapters.sql.policies import (
    SqlInsuranceProductRepository,
    SqlInsurerRepository,
    SqlPolicyRepository,
    SqlRegistrationStore,
)
from xs_adapters.sql.policy_runs import SqlPolicyRunStore
from xs_adapters.sql.protocols import (
    SqlBulkStartStore,
    SqlProtocolRepository,
    SqlTrajectoryRepository,
)
from xs_adapters.sql.reimbursements import (
    SqlContractSettingsRepository,
    SqlReimbursementStore,
    SqlRelationRepository,
)
from xs_adapters.sql.reports import SqlAbsenceFacts, SqlWiaClaimRepository
from xs_adapters.sql.search import SearchTuning, SqlOrganisationSearch
from xs_core.access.actors import RepositoryActors
from xs_core.clock import Clock
from xs_core.events import Aggregate, DomainEvent, EventCollector


class SqlUnitOfWork:
    """A unit of work on one connection. ``write=False`` opens a plain (deferred) transaction on
    SQLite; a writing unit of work takes the write lock at once (``BEGIN IMMEDIATE``)."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        write: bool = True,
        search_tuning: SearchTuning | None = None,
    ) -> None:
        self._engine = engine
        self._search_tuning = search_tuning
        self._clock = clock
        self._write = write
        self._events = EventCollector()
        self._connection: Connection | None = None
        self._batch: WriteBatch | None = None
        self._postgres = False

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("the unit of work is not open")
        return self._connection

    def _track(self, aggregate: Aggregate) -> None:
        self._events.track(aggregate)

    def __enter__(self) -> Self:
        if self._connection is not None:  # a second connection would leak the first
            raise RuntimeError("the unit of work is already open; open a new one")
        connection = self._engine.connect().execution_options(xs_write=self._write)
        try:
            connection.begin()  # SQLite: BEGIN IMMEDIATE waits for the write lock
        except Exception as error:
            connection.close()
            conflict = transient_conflict(error)
            if conflict is not None:
                raise conflict from error
            raise
        self._connection = connection
        self._postgres = connection.dialect.name == "postgresql"
        self.folders = SqlFolderRepository(connection, self._track)
        self.employers = SqlEmployerRepository(connection, self._track)
        self.departments = SqlDepartmentRepository(connection, self._track)
        self.branches = SqlBranchRepository(connection, self._track)
        self.employees = SqlEmployeeRepository(connection, self._track)
        self.dossiers = SqlDossierRepository(connection, self._track)
        self.search = SqlOrganisationSearch(connection, self._search_tuning)
        self.bulk = SqlOrganisationBulkWriter(connection, self._track)
        self.users = SqlUserRepository(connection, self._track)
        self.roles = SqlRoleRepository(connection)
        self.scopes = SqlScopeResolver(connection)
        self.api_clients = SqlApiClientStore(connection, self._track)
        self.actors = SqlActorReader(
            connection, RepositoryActors(self.users, self.roles, self.api_clients)
        )
        self.outbox = SqlOutbox(connection, self._clock)
        self.locations = SqlLocationRepository(connection, self._track)
        self.availabilities = SqlAvailabilityRepository(connection, self._track)
        self.planning = SqlAvailabilityPlanning(
            connection,
            RepositoryPlanning(self.users, self.roles, self.locations, self.availabilities),
        )
        self.appointment_requests = SqlAppointmentRequestRepository(connection, self._track)
        self.appointments = SqlAppointmentRepository(connection, self._track)
        self.activities = SqlActivityRepository(connection, self._track)
        self.protocols = SqlProtocolRepository(connection, self._track)
        self.trajectories = SqlTrajectoryRepository(connection, self._track)
        self.bulk_starts = SqlBulkStartStore(connection)
        self.contract_models = SqlContractModelRepository(connection, self._track)
        self.service_agreements = SqlServiceAgreementRepository(connection, self._track)
        self.subscriptions = SqlSubscriptionRepository(connection, self._track)
        self.invoicing = SqlInvoicingStore(connection, self._track)
        self.insurers = SqlInsurerRepository(connection, self._track)
        self.products = SqlInsuranceProductRepository(connection, self._track)
        self.policies = SqlPolicyRepository(connection, self._track)
        self.registrations = SqlRegistrationStore(connection)
        self.policy_runs = SqlPolicyRunStore(connection)
        self.settings = SqlSettingsStore(connection)
        self.absence_facts = SqlAbsenceFacts(connection)
        self.wia_claims = SqlWiaClaimRepository(connection, self._track)
        self.relations = SqlRelationRepository(connection, self._track)
        self.contract_settings = SqlContractSettingsRepository(connection, self._track)
        self.reimbursements = SqlReimbursementStore(connection, self._track)
        self.accounts = SqlAccountStore(connection)
        self.mail_templates = SqlTemplateStore(connection)
        self.documents = SqlDocumentRepository(connection)
        self.dialogs = SqlDialogRepository(connection, self._track)
        return self

    def publish(self, event: DomainEvent) -> None:
        self._events.publish(event)

    def commit(self) -> None:
        self.outbox.write(self._events.collect(), self._clock.now())
        if self._batch is not None:
            self._batch.commit()  # sent with the batch's writes at its end
        else:
            self.connection.commit()
            self._ended()

    def _ended(self) -> None:
        if self._postgres:
            transaction_ended(self.connection)

    @contextmanager
    def batched_writes(self) -> Iterator[None]:
        """PostgreSQL: the block's writes, the outbox and the commit in one round trip
        (:func:`xs_adapters.sql.pipeline.batched_writes`; ``commit()`` inside the block takes
        effect at its end); SQLite: statement by statement."""
        if not self._postgres or self._batch is not None:
            yield
            return
        with batched_writes(self.connection) as batch:
            self._batch = batch
            try:
                yield
            finally:
                self._batch = None

    def rollback(self) -> None:
        self.connection.rollback()
        self._ended()
        self._events.discard()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._connection is not None and self._connection.in_transaction():
                self._connection.rollback()
        finally:
            if self._connection is not None:
                try:
                    self._ended()
                finally:
                    self._connection.close()
                    self._connection = None
        # A transaction that lost to another (deadlock, lock timeout, busy SQLite) answers
        # with a coded Conflict, never a driver error (docs/concurrency.md).
        conflict = None if exc is None else transient_conflict(exc)
        if conflict is not None:
            raise conflict from exc
