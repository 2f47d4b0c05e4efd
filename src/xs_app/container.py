"""The dependency-injector container: adapters chosen by configuration (``XS_*`` variables).

The SQL adapters (and SQLAlchemy behind them) are imported when the SQL storage is first built,
not with this module: an application on the memory store never loads them
(``benchmarks/import_time.py``).
"""

from __future__ import annotations

from typing import Any

from dependency_injector import containers, providers

from xs_adapters.clock import SystemClock
from xs_adapters.memory import MemoryStore, MemoryUnitOfWork
from xs_app.mail import MailSettings, make_mailer
from xs_app.services.access import AccessService
from xs_app.services.agenda import AgendaService
from xs_app.services.api import ApiAuthentication, ApiClientService, EmployerUserService
from xs_app.services.billing import BillingService
from xs_app.services.configuration import ConfigurationService
from xs_app.services.employments import ActionLinkService, EmploymentService
from xs_app.services.mail import MailTemplateService
from xs_app.services.messaging import DocumentSettings, MessagingService
from xs_app.services.organisation import OrganisationService
from xs_app.services.passwords import PasswordService, TokenLifetimes
from xs_app.services.policies import PolicyService
from xs_app.services.policy_evaluation import PolicyEvaluationService
from xs_app.services.protocols import BulkStartService, ProtocolService, TrajectoryService
from xs_app.services.reimbursements import ReimbursementService
from xs_app.services.reports import ReportService
from xs_app.settings import Settings
from xs_core.access.attempts import AttemptLimits
from xs_core.clock import Clock


def _engine(url: str) -> Any:
    """The SQLAlchemy engine (:func:`xs_adapters.sql.engine.create_engine`), imported lazily."""
    from xs_adapters.sql.engine import create_engine

    return create_engine(url)


def _sql_uow(engine: Any, clock: Clock, **options: Any) -> Any:
    """A SQL unit of work (:class:`xs_adapters.sql.uow.SqlUnitOfWork`), imported lazily."""
    from xs_adapters.sql.uow import SqlUnitOfWork

    return SqlUnitOfWork(engine=engine, clock=clock, **options)


class _Lazy:
    """An adapter made on its first use: Argon2 and Jinja2 load when a password is hashed or a
    mail rendered, not when the application is built (``benchmarks/import_time.py``)."""

    def __init__(self, factory: Any) -> None:
        self._factory = factory
        self._made: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._made is None:
            self._made = self._factory()
        return getattr(self._made, name)


def _argon2() -> Any:
    """The Argon2id hasher (:class:`xs_adapters.passwords.Argon2Hasher`), imported lazily."""
    from xs_adapters.passwords import Argon2Hasher

    return Argon2Hasher()


def _document_store(storage: str, settings: DocumentSettings) -> Any:
    """The filesystem document store on SQL storage (``XS_DOCUMENT_DIRECTORY``, default
    ``xs-documents``), the memory store otherwise."""
    from xs_adapters.documents import FilesystemDocumentStore, MemoryDocumentStore

    if storage == "sql" or settings.directory:
        return FilesystemDocumentStore(settings.directory or "xs-documents")
    return MemoryDocumentStore()


def secret_key_from_environ() -> bytes:
    """``XS_SECRET_KEY`` (at least 32 characters, else ``config.secret_key_too_short``): signs
    the API's access tokens and derives invitation links (R7.1). Without it a random key per
    process: set it wherever more than one process serves or mails (``xs serve --workers``,
    ``xs outbox dispatch``)."""
    import os
    import secrets

    from xs_app.settings import ConfigurationError

    configured = os.environ.get("XS_SECRET_KEY", "")
    if not configured:
        return secrets.token_bytes(32)
    if len(configured) < 32:
        raise ConfigurationError("config.secret_key_too_short", {"minimum": 32})
    return configured.encode()


def _sandbox_renderer() -> Any:
    """The Jinja2 sandbox (:class:`xs_adapters.mail.templates.SandboxRenderer`), imported
    lazily."""
    from xs_adapters.mail.templates import SandboxRenderer

    return SandboxRenderer()


class Container(containers.DeclarativeContainer):
    """Configuration:

    * ``XS_DATABASE_URL`` – SQLAlchemy URL (default ``sqlite:///xs.sqlite3``); ``postgresql://``
      URLs use psycopg 3.
    * ``XS_STORAGE`` – ``sql`` (default) or ``memory`` (in-memory adapters, nothing persisted).
    * ``XS_SMTP_URL``, ``XS_MAIL_DIRECTORY``, ``XS_MAIL_FROM``, ``XS_MAIL_SUPPORT``,
      ``XS_MAIL_DOMAIN`` – mail (:class:`xs_app.mail.MailSettings`).
    * ``XS_DOCUMENT_DIRECTORY``, ``XS_DOCUMENT_MAX_BYTES`` – documents
      (:class:`xs_app.services.messaging.DocumentSettings`).
    """

    config = providers.Configuration()
    settings: providers.Provider[Any] = providers.Object(None)

    clock: providers.Provider[Any] = providers.Singleton(SystemClock)
    engine: providers.Provider[Any] = providers.Singleton(_engine, config.database_url)
    memory_store: providers.Provider[Any] = providers.Singleton(MemoryStore)

    sql_uow: providers.Provider[Any] = providers.Factory(_sql_uow, engine=engine, clock=clock)
    memory_uow: providers.Provider[Any] = providers.Factory(
        MemoryUnitOfWork, store=memory_store, clock=clock
    )
    uow: providers.Provider[Any] = providers.Selector(
        config.storage, sql=sql_uow, memory=memory_uow
    )

    organisation: providers.Provider[Any] = providers.Singleton(
        OrganisationService, uow_factory=uow.provider, clock=clock
    )
    access: providers.Provider[Any] = providers.Singleton(
        AccessService, uow_factory=uow.provider, clock=clock
    )
    protocols: providers.Provider[Any] = providers.Singleton(
        ProtocolService, uow_factory=uow.provider, clock=clock
    )
    trajectories: providers.Provider[Any] = providers.Singleton(
        TrajectoryService, uow_factory=uow.provider, clock=clock
    )
    bulk_start: providers.Provider[Any] = providers.Singleton(
        BulkStartService, uow_factory=uow.provider, clock=clock
    )
    employments: providers.Provider[Any] = providers.Singleton(
        EmploymentService, uow_factory=uow.provider, clock=clock
    )
    action_links: providers.Provider[Any] = providers.Singleton(
        ActionLinkService, uow_factory=uow.provider, clock=clock
    )
    agenda: providers.Provider[Any] = providers.Singleton(
        AgendaService, uow_factory=uow.provider, clock=clock
    )
    billing: providers.Provider[Any] = providers.Singleton(
        BillingService, uow_factory=uow.provider, clock=clock
    )
    policies: providers.Provider[Any] = providers.Singleton(
        PolicyService, uow_factory=uow.provider, clock=clock
    )
    policy_evaluation: providers.Provider[Any] = providers.Singleton(
        PolicyEvaluationService, uow_factory=uow.provider, clock=clock
    )
    configuration: providers.Provider[Any] = providers.Singleton(
        ConfigurationService, uow_factory=uow.provider, clock=clock
    )
    reimbursements: providers.Provider[Any] = providers.Singleton(
        ReimbursementService, uow_factory=uow.provider, clock=clock
    )
    reports: providers.Provider[Any] = providers.Singleton(
        ReportService, uow_factory=uow.provider, clock=clock
    )

    # passwords and mail (R2.6)
    hasher: providers.Provider[Any] = providers.Singleton(_Lazy, _argon2)
    token_lifetimes: providers.Provider[Any] = providers.Singleton(TokenLifetimes)
    mail_settings: providers.Provider[Any] = providers.Singleton(MailSettings.from_environ)
    mailer: providers.Provider[Any] = providers.Singleton(
        make_mailer, config.storage, mail_settings
    )
    mail_renderer: providers.Provider[Any] = providers.Singleton(_Lazy, _sandbox_renderer)
    passwords: providers.Provider[Any] = providers.Singleton(
        PasswordService,
        uow_factory=uow.provider,
        clock=clock,
        hasher=hasher,
        lifetimes=token_lifetimes,
    )
    document_settings: providers.Provider[Any] = providers.Singleton(DocumentSettings.from_environ)
    document_store: providers.Provider[Any] = providers.Singleton(
        _document_store, config.storage, document_settings
    )
    messaging: providers.Provider[Any] = providers.Singleton(
        MessagingService,
        uow_factory=uow.provider,
        clock=clock,
        store=document_store,
        settings=document_settings,
    )
    mail_templates: providers.Provider[Any] = providers.Singleton(
        MailTemplateService, uow_factory=uow.provider, clock=clock, renderer=mail_renderer
    )

    # the external API (R7.1)
    secret_key: providers.Provider[Any] = providers.Singleton(secret_key_from_environ)
    api_clients: providers.Provider[Any] = providers.Singleton(
        ApiClientService, uow_factory=uow.provider, clock=clock, hasher=hasher
    )
    #: failed ``/oauth/token`` attempts allowed per remote address and window (R7.1);
    #: ``bootstrap(attempt_limits=AttemptLimits(...))`` replaces them
    attempt_limits: providers.Provider[Any] = providers.Object(AttemptLimits())
    api_authentication: providers.Provider[Any] = providers.Singleton(
        ApiAuthentication,
        uow_factory=uow.provider,
        hasher=hasher,
        clock=clock,
        limits=attempt_limits,
    )
    employer_users: providers.Provider[Any] = providers.Singleton(
        EmployerUserService,
        uow_factory=uow.provider,
        clock=clock,
        secret_key=secret_key,
        lifetimes=token_lifetimes,
    )


def configure(container: Container, settings: Settings) -> None:
    """Configure the container from resolved settings (:meth:`Settings.resolve`)."""
    container.settings.override(providers.Object(settings))
    container.config.database_url.from_value(settings.database_url)
    container.config.storage.from_value(settings.storage)
