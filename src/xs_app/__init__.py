"""xs application layer: services, the container and ``bootstrap()``.

>>> from xs_app import bootstrap
>>> app = bootstrap(storage="memory")
>>> admin = app.installation.create_super_administrator("Beheer", "beheer@example.nl")
"""

from xs_app.bootstrap import Xs, bootstrap

__all__ = ["Xs", "bootstrap"]
