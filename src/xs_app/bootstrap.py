"""``xs_app.bootstrap()``: the application object that embedding services and tests use."""

from __future__ import annotations

from typing import Any

import attrs
from dependency_injector import providers

from xs_adapters.sql import migrate
from xs_app.container import Container, configure
from xs_app.installation import Installation
from xs_app.services.access import AccessService
from xs_app.services.agenda import AgendaService
from xs_app.services.billing import BillingService
from xs_app.services.employments import ActionLinkService, EmploymentService
from xs_app.services.organisation import OrganisationService
from xs_app.services.protocols import BulkStartService, ProtocolService, TrajectoryService
from xs_core.clock import Clock
from xs_core.events import OutboxMessage
from xs_core.uow import UnitOfWork


@attrs.define
class OutboxReader:
    """Committed domain events for the embedding service (R0.7)."""

    container: Container

    def pending(self, limit: int = 100) -> list[OutboxMessage]:
        uow: UnitOfWork
        with self.container.uow(write=False) as uow:
            return uow.outbox.pending(limit)

    def mark_dispatched(self, message_ids: list[int]) -> None:
        with self.container.uow() as uow:
            uow.outbox.mark_dispatched(message_ids)
            uow.commit()


@attrs.define
class Xs:
    """The application: services, the outbox and the container behind them."""

    container: Container
    organisation: OrganisationService
    access: AccessService
    protocols: ProtocolService
    trajectories: TrajectoryService
    bulk_start: BulkStartService
    employments: EmploymentService
    action_links: ActionLinkService
    agenda: AgendaService
    billing: BillingService
    outbox: OutboxReader
    installation: Installation

    @property
    def clock(self) -> Clock:
        clock: Clock = self.container.clock()
        return clock

    def unit_of_work(self, write: bool = True) -> UnitOfWork:
        """A raw unit of work, for set-based jobs of the embedding service."""
        uow: UnitOfWork = self.container.uow(write=write)
        return uow

    def upgrade_database(self) -> None:
        """Apply the Alembic migrations (``xs db upgrade``)."""
        migrate.upgrade(self.container.engine())

    def close(self) -> None:
        if self.container.config.storage() == "sql":
            self.container.engine().dispose()


def bootstrap(
    database_url: str | None = None,
    clock: Clock | None = None,
    *,
    storage: str | None = None,
    migrate_database: bool | None = None,
    **overrides: Any,
) -> Xs:
    """Build the application.

    ``database_url`` and ``storage`` override ``XS_DATABASE_URL`` and ``XS_STORAGE``; ``clock``
    replaces the system clock; any other keyword overrides the container provider of that name
    (``uow=...``, ``engine=...``). SQLite databases are migrated on start unless
    ``migrate_database=False``; PostgreSQL only when ``migrate_database=True`` (production runs
    ``xs db upgrade`` as a deploy step).
    """
    container = Container()
    configure(container, database_url, storage)
    if clock is not None:
        container.clock.override(providers.Object(clock))
    for name, value in overrides.items():
        provider = getattr(container, name, None)
        if not isinstance(provider, providers.Provider):
            raise TypeError(f"unknown provider {name!r}")
        provider.override(
            value if isinstance(value, providers.Provider) else providers.Object(value)
        )
    app = Xs(
        container=container,
        organisation=container.organisation(),
        access=container.access(),
        protocols=container.protocols(),
        trajectories=container.trajectories(),
        bulk_start=container.bulk_start(),
        employments=container.employments(),
        action_links=container.action_links(),
        agenda=container.agenda(),
        billing=container.billing(),
        outbox=OutboxReader(container),
        installation=Installation(container.uow),
    )
    if container.config.storage() == "sql":
        url = str(container.config.database_url())
        should_migrate = url.startswith("sqlite") if migrate_database is None else migrate_database
        if should_migrate:
            app.upgrade_database()
    return app
