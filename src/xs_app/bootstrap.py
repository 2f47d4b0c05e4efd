"""``xs_app.bootstrap()``: the application object that embedding services and tests use."""

from __future__ import annotations

from typing import Any

import attrs
from dependency_injector import providers

from xs_adapters.memory import MemoryStore
from xs_app.container import Container, configure
from xs_app.installation import Installation
from xs_app.mail import MailDispatcher
from xs_app.outbox import OutboxConsumer
from xs_app.services.access import AccessService
from xs_app.services.agenda import AgendaService
from xs_app.services.api import ApiAuthentication, ApiClientService, EmployerUserService
from xs_app.services.billing import BillingService
from xs_app.services.configuration import ConfigurationService
from xs_app.services.employments import ActionLinkService, EmploymentService
from xs_app.services.mail import MailTemplateService
from xs_app.services.messaging import MessagingService
from xs_app.services.organisation import OrganisationService
from xs_app.services.passwords import Credentials, PasswordService
from xs_app.services.policies import PolicyService
from xs_app.services.policy_evaluation import PolicyEvaluationService
from xs_app.services.protocols import BulkStartService, ProtocolService, TrajectoryService
from xs_app.services.reimbursements import ReimbursementService
from xs_app.services.reports import ReportService
from xs_app.settings import ConfigurationError, Settings, masked
from xs_core.clock import Clock
from xs_core.uow import UnitOfWork


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
    policies: PolicyService
    policy_evaluation: PolicyEvaluationService
    configuration: ConfigurationService
    reimbursements: ReimbursementService
    reports: ReportService
    passwords: PasswordService
    credentials: Credentials
    mail_templates: MailTemplateService
    messaging: MessagingService
    api_clients: ApiClientService
    api_authentication: ApiAuthentication
    employer_users: EmployerUserService
    mail_dispatcher: MailDispatcher
    outbox: OutboxConsumer
    installation: Installation

    @property
    def clock(self) -> Clock:
        """The clock the services ask for today and now (R0.1)."""
        clock: Clock = self.container.clock()
        return clock

    @property
    def settings(self) -> Settings:
        """The settings resolved by :func:`bootstrap` (storage and database URL)."""
        settings: Settings = self.container.settings()
        return settings

    def unit_of_work(self, write: bool = True) -> UnitOfWork:
        """A raw unit of work, for set-based jobs of the embedding service."""
        uow: UnitOfWork = self.container.uow(write=write)
        return uow

    def upgrade_database(self) -> None:
        """Apply the Alembic migrations (``xs db upgrade``)."""
        from xs_adapters.sql import migrate  # SQL storage only: not loaded on the memory store

        migrate.upgrade(self.container.engine())

    def close(self) -> None:
        """Release the database connections (the engine's pool)."""
        if self.settings.storage == "sql":
            self.container.engine().dispose()

    # -- cheap isolation for test suites on the memory store ---------------------------------------

    def _memory_store(self) -> MemoryStore:
        if self.settings.storage != "memory":
            raise ConfigurationError("config.memory_only", {})
        store: MemoryStore = self.container.memory_store()
        return store

    def fork(self) -> Xs:
        """A new application on a copy of this one's memory store: load a world once, give each
        hypothesis example its own fork (copies the store's dictionaries, never its values)."""
        return bootstrap(
            storage="memory", clock=self.clock, memory_store=self._memory_store().fork()
        )

    def snapshot(self) -> MemoryStore:
        """The memory store's state, to :meth:`restore` later (the cheapest reset)."""
        return self._memory_store().snapshot()

    def restore(self, snapshot: MemoryStore) -> None:
        """Put the memory store back to a :meth:`snapshot` (reusable any number of times)."""
        self._memory_store().restore(snapshot)

    def __enter__(self) -> Xs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def bootstrap(
    database_url: str | None = None,
    clock: Clock | None = None,
    *,
    storage: str | None = None,
    migrate_database: bool | None = None,
    **overrides: Any,
) -> Xs:
    """Build the application.

    Settings: explicit arguments win over the environment (``XS_DATABASE_URL``,
    ``XS_STORAGE``), which wins over the defaults (SQLite file ``xs.sqlite3``); an explicit
    ``database_url`` means SQL storage whatever ``XS_STORAGE`` says. Invalid settings raise
    :class:`~xs_app.settings.ConfigurationError` here. ``clock`` replaces the system clock; any
    other keyword overrides the container provider of that name (``uow=...``, ``engine=...``).

    The database must be at the code's schema revision. A SQLite database behind it is migrated
    on start unless ``migrate_database=False``; PostgreSQL only with ``migrate_database=True``
    (production runs ``xs db upgrade`` as a deploy step) — otherwise ``config.database_behind``
    tells to run it.
    """
    settings = Settings.resolve(database_url, storage)
    container = Container()
    configure(container, settings)
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
        policies=container.policies(),
        policy_evaluation=container.policy_evaluation(),
        configuration=container.configuration(),
        reimbursements=container.reimbursements(),
        reports=container.reports(),
        passwords=container.passwords(),
        credentials=Credentials(container.passwords()),
        mail_templates=container.mail_templates(),
        messaging=container.messaging(),
        api_clients=container.api_clients(),
        api_authentication=container.api_authentication(),
        employer_users=container.employer_users(),
        mail_dispatcher=MailDispatcher(
            container.uow,
            container.clock(),
            container.mailer(),
            container.mail_renderer(),
            container.mail_settings(),
            secret_key=container.secret_key(),
        ),
        outbox=OutboxConsumer(container.uow, container.clock()),
        installation=Installation(container.uow),
    )
    if settings.storage == "sql":
        # the SQL storage's modules load here, not in the first use case (whose timing, e.g. a
        # claim's lease, they would otherwise lengthen); the memory store never loads them
        import xs_adapters.sql.uow  # noqa: F401

        should_migrate = (
            settings.database_url.startswith("sqlite")
            if migrate_database is None
            else migrate_database
        )
        _check_schema(app, should_migrate)
    return app


def _check_schema(app: Xs, should_migrate: bool) -> None:
    """Fail fast on a database the code cannot use; migrate it when asked to."""
    from sqlalchemy.exc import OperationalError

    from xs_adapters.sql import migrate

    engine = app.container.engine()
    url = masked(app.settings.database_url)
    try:
        revision = migrate.database_revision(engine)
    except OperationalError as error:
        engine.dispose()
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise ConfigurationError(
            "config.database_unreachable", {"url": url, "reason": reason}
        ) from None
    head = migrate.head_revision()
    if revision == head:
        return
    if revision is not None and revision not in migrate.known_revisions():
        engine.dispose()
        raise ConfigurationError("config.database_ahead", {"revision": revision, "expected": head})
    if not should_migrate:
        engine.dispose()
        raise ConfigurationError(
            "config.database_behind", {"revision": revision or "(leeg/empty)", "expected": head}
        )
    app.upgrade_database()
