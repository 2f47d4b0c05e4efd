"""The application ``xs serve`` runs in each uvicorn worker: bootstrapped from the ``XS_*``
environment."""

from __future__ import annotations

import logging

from litestar import Litestar

from xs_app.bootstrap import bootstrap
from xs_app.web.app import create_app


def app_from_environ() -> Litestar:
    """A new application over ``bootstrap()`` (the database must be migrated)."""
    logging.getLogger("xs.web.access").setLevel(logging.INFO)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(message)s")
    return create_app(bootstrap())
