"""A worker process pools a connection per job it runs at once (R6.6, ``xs worker
--concurrency``): with SQLAlchemy's default pool (5 + 10 overflow) a worker running more jobs
than that made the others wait 30 s for a connection and then fail."""

from __future__ import annotations

from pathlib import Path

from xs_app import worker


def test_r6_6_the_worker_application_pools_a_connection_per_concurrent_job(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'xs.sqlite3'}"
    application = worker._application(url, 40)
    try:
        pool = application.container.engine().pool
        assert pool.size() >= 40
    finally:
        application.close()
        worker._application.cache_clear()
