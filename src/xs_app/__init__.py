"""xs application layer: services, the container and ``bootstrap()``.

Embedding services import the public surface from :mod:`xs` (``import xs``); this package is
its implementation. Once it is imported, hypothesis knows its commands for ``st.from_type``
(now if hypothesis is imported, else when it is: :mod:`xs_core.testing.hypothesis_hook`).
"""

from xs_app.bootstrap import Xs, bootstrap
from xs_core.testing.hypothesis_hook import add_registrar as _add_registrar

_add_registrar("xs_app.testing.registration")

__all__ = ["Xs", "bootstrap"]
