"""The application ``xs serve`` runs in each uvicorn worker: bootstrapped from the ``XS_*``
environment.

Once built, the worker's objects are moved out of the garbage collector's reach
(:func:`gc.freeze`): the modules, SQLAlchemy's tables and compiled caches, Litestar's routes and
schemas — some 175,000 objects that live as long as the process. Otherwise every full
collection walks them all: 105–130 ms each, about every ten seconds under load, during which the
worker serves nothing (the API benchmark's slowest searches were those). Frozen, a full
collection takes a few milliseconds."""

from __future__ import annotations

import gc
import logging

from litestar import Litestar

from xs_app.bootstrap import bootstrap
from xs_app.web.app import create_app


def app_from_environ() -> Litestar:
    """A new application over ``bootstrap()`` (the database must be migrated)."""
    logging.getLogger("xs.web.access").setLevel(logging.INFO)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(message)s")
    app = create_app(bootstrap())
    gc.freeze()  # see the module's docstring
    return app
