"""Scale-out of the nightly evaluation (R6.6) on PostgreSQL: the chunks of a run as jobs of
`procrastinate <https://procrastinate.readthedocs.io>`_, worked by ``xs worker`` processes on any
number of machines (the optional extra ``xs[worker]``).

* :func:`enqueue` defers one job per pending chunk of a run (``xs policies evaluate --queue``);
* :func:`run_worker` works jobs until stopped (or, with ``wait=False``, until the queue is
  empty). Beside the jobs it watches for *stalled* jobs — taken by a worker whose heartbeat
  stopped, e.g. a process killed with SIGKILL — and puts them back in the queue; the chunk's
  transaction died with that worker, so the retry works it from scratch, exactly once.

What makes this safe is not the queue but the run store (docs/policy_evaluation.md): a chunk's
writes and its done mark commit together and a chunk is locked while it is worked, so a job run
twice, by two workers or after a crash, changes nothing the second time.

The queue's tables (``procrastinate_*``) live in the application's database; :func:`ensure_schema`
creates them once, under an advisory lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import uuid
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from xs_app.services.policy_evaluation import PolicyEvaluationStatus, RunEvaluationChunk
from xs_core.errors import InvalidInput, register_messages

if TYPE_CHECKING:
    import procrastinate

    from xs_app.bootstrap import Xs

#: The queue of the nightly evaluation's chunks.
QUEUE = "xs-policy-evaluation"
#: The task that works one chunk.
TASK = "xs.policies.evaluate_chunk"
#: A worker without a heartbeat for this long is taken for dead; its jobs are retried.
STALLED_AFTER = 6.0
#: How often a worker sends its heartbeat, and looks for stalled jobs.
HEARTBEAT = 1.0
#: How often a failing chunk (e.g. a lost lock race, ``storage.conflict``) is tried.
ATTEMPTS = 5
#: An arbitrary key for the advisory lock under which the queue's schema is created.
_SCHEMA_LOCK = 0x78735F71

register_messages(
    {
        "worker.postgres_only": (
            "Werken met een wachtrij kan alleen op PostgreSQL; deze database is {engine}. Voer de "
            "evaluatie zonder --queue uit.",
            "Working through a queue needs PostgreSQL; this database is {engine}. Run the "
            "evaluation without --queue.",
        ),
        "worker.not_installed": (
            "De wachtrij vraagt om de extra 'xs[worker]' (procrastinate).",
            "The queue needs the extra 'xs[worker]' (procrastinate).",
        ),
    },
    kind=InvalidInput,
)


def libpq_url(database_url: str) -> str:
    """The SQLAlchemy URL as a libpq connection string (``postgresql://…``); refused with
    ``worker.postgres_only`` for another engine."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise InvalidInput("worker.postgres_only", {"engine": url.get_backend_name()})
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


#: The connections a worker process's application pools: at least one per job it runs at once
#: (``--concurrency``; set by :func:`run_worker`), so that no job waits for a connection.
_pool_size = 5


@functools.cache
def _application(database_url: str, pool_size: int) -> Xs:
    """One application per worker process and database (engines pool their connections)."""
    from xs_adapters.sql.engine import create_engine
    from xs_app.bootstrap import bootstrap

    engine = create_engine(database_url, pool_size=pool_size, max_overflow=2)
    return bootstrap(database_url=database_url, engine=engine)


def work_chunk(database_url: str, actor: str, run_id: str, number: int) -> None:
    """The job: work chunk ``number`` of run ``run_id`` as ``actor`` (the user who started the
    run; their feature and scope are checked again) on the worker's database."""
    _application(database_url, _pool_size).policy_evaluation.run_chunk(
        RunEvaluationChunk(actor=uuid.UUID(actor), run_id=uuid.UUID(run_id), chunk=number)
    )


def queue_app(database_url: str) -> procrastinate.App:
    """A procrastinate application on the database of ``database_url`` with the chunk task."""
    try:
        import procrastinate
    except ImportError as missing:  # pragma: no cover - the extra is part of dev
        raise InvalidInput("worker.not_installed", {}) from missing
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=libpq_url(database_url))
    )

    def evaluate_chunk(actor: str, run_id: str, number: int) -> None:
        work_chunk(database_url, actor, run_id, number)

    app.task(
        name=TASK,
        queue=QUEUE,
        retry=procrastinate.RetryStrategy(max_attempts=ATTEMPTS, wait=1),
    )(evaluate_chunk)
    return app


def ensure_schema(database_url: str) -> None:
    """Create the queue's tables in the database unless they exist (once, whoever asks at the
    same time: an advisory lock)."""
    from procrastinate.schema import SchemaManager

    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
            exists = connection.execute(
                sa.text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
            ).scalar_one()
            if not exists:
                # through the driver without parameters: the schema's text holds '%' signs
                dbapi = connection.connection.dbapi_connection
                assert dbapi is not None
                cursor = dbapi.cursor()
                try:
                    cursor.execute(SchemaManager.get_schema())
                finally:
                    cursor.close()
    finally:
        engine.dispose()


def enqueue(database_url: str, actor: uuid.UUID, status: PolicyEvaluationStatus) -> int:
    """Defer one job per pending chunk of the run; the number of jobs deferred."""
    if not status.pending:
        return 0
    ensure_schema(database_url)
    app = queue_app(database_url)
    jobs: list[dict[str, Any]] = [
        {"actor": str(actor), "run_id": str(status.run_id), "number": n} for n in status.pending
    ]
    with app.open():
        app.tasks[TASK].batch_defer(*jobs)
    return len(jobs)


async def _retry_stalled(app: procrastinate.App) -> None:
    """Put the jobs of dead workers back in the queue, for as long as the worker runs."""
    while True:
        await asyncio.sleep(HEARTBEAT)
        stalled = await app.job_manager.get_stalled_jobs(
            queue=QUEUE, seconds_since_heartbeat=STALLED_AFTER
        )
        for job in stalled:
            await app.job_manager.retry_job(job)


async def _work(database_url: str, concurrency: int, wait: bool) -> None:
    app = queue_app(database_url)
    async with app.open_async():
        reaper = asyncio.create_task(_retry_stalled(app))
        try:
            options: dict[str, Any] = {
                "queues": [QUEUE],
                "concurrency": concurrency,
                "wait": wait,
                "update_heartbeat_interval": HEARTBEAT,
                "stalled_worker_timeout": STALLED_AFTER,
            }
            await app.run_worker_async(**options)
        finally:
            reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reaper


def run_worker(database_url: str, concurrency: int = 1, wait: bool = True) -> None:
    """Work the evaluation's jobs until stopped (SIGINT/SIGTERM finish the current job first);
    with ``wait=False`` until the queue is empty. Its application pools a connection per job
    running at once."""
    global _pool_size
    _pool_size = max(_pool_size, concurrency)
    ensure_schema(database_url)
    asyncio.run(_work(database_url, concurrency, wait))


__all__ = [
    "QUEUE",
    "TASK",
    "enqueue",
    "ensure_schema",
    "libpq_url",
    "queue_app",
    "run_worker",
    "work_chunk",
]
