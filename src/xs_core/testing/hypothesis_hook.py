"""Registering the xs strategies with hypothesis, lazily, for ``st.from_type`` (R0.5).

Two ways in; whichever comes second does the work:

* ``import hypothesis`` after xs: hypothesis runs the entry point (:mod:`_xs_hypothesis`), which
  calls :func:`register_now`;
* ``import xs`` (or any ``xs_core`` module) after hypothesis: ``xs_core/__init__.py`` calls
  :func:`register_if_ready`, and ``xs_app/__init__.py`` adds the command registrar with
  :func:`add_registrar` (the core does not know the application layer).

A registrar is a module with a ``register()`` function. It registers *callables*
(``st.register_type_strategy(T, lambda t: …)``) that import the strategy modules only when
``st.from_type`` resolves a type, so registering never touches a strategy module that is still
being imported (the cycle that made ``from xs_core.testing import strategies`` fail outside
pytest).

An import of xs registers only when hypothesis has been imported completely, never while
hypothesis is being imported (its entry points then do it). "Completely" is the import system's
own mark on the module, not ``_hypothesis_globals.in_initialization``: under pytest that counter
stays above zero through the plugin and conftest phase, with hypothesis fully imported, which is
exactly when a conftest imports xs.

This module imports nothing at module level but the standard library.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

_REGISTRARS: list[str] = ["xs_core.testing.registration"]
_DONE: set[str] = set()
_PACKAGES = frozenset({"xs", "xs_core", "xs_adapters", "xs_app"})
#: the modules that loading this one imports
_OWN = frozenset({"xs_core", "xs_core.testing", __name__})


def add_registrar(module: str) -> None:
    """Register the types of ``module`` (a module with ``register()``) now if hypothesis is
    imported, and when hypothesis is imported otherwise."""
    if module not in _REGISTRARS:
        _REGISTRARS.append(module)
    register_if_ready()


def register_if_ready() -> None:
    """Run the registrars not yet run, if hypothesis has been imported completely."""
    hypothesis = sys.modules.get("hypothesis")
    if hypothesis is not None and not _initialising(hypothesis):
        register_now()


def register_now() -> None:
    """Run the registrars not yet run (the entry point: hypothesis is running its entry points,
    its strategies module is imported)."""
    strategies = sys.modules.get("hypothesis.strategies")
    if strategies is None or _initialising(strategies):
        return
    for name in list(_REGISTRARS):
        if name not in _DONE:
            _DONE.add(name)
            importlib.import_module(name).register()


def _initialising(module: ModuleType) -> bool:
    # the import system marks a module's spec while its code runs (its "partially initialized
    # module" errors come from this mark)
    return bool(getattr(getattr(module, "__spec__", None), "_initializing", False))


def _hypothesis_setup_hook() -> None:
    """The entry point of installs made before 0.3 (their metadata names this function): it
    registers only when xs itself was imported, not just this hook."""
    if any(n.partition(".")[0] in _PACKAGES and n not in _OWN for n in sys.modules):
        register_now()


__all__ = ["add_registrar", "register_if_ready", "register_now"]
