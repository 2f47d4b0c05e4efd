"""xs application layer: services, the container and ``bootstrap()``.

Embedding services import the public surface from :mod:`xs` (``import xs``); this package is
its implementation.
"""

from xs_app.bootstrap import Xs, bootstrap

__all__ = ["Xs", "bootstrap"]
