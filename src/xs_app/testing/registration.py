"""Which strategy ``st.from_type`` uses for each command (R0.5, R0.6).

:func:`register` is run by :mod:`xs_core.testing.hypothesis_hook` once hypothesis and the
application layer are both imported (``xs_app/__init__.py`` adds this registrar). It registers a
callable per command class, which imports :mod:`xs_app.testing.commands` only when hypothesis
resolves the type; this module itself imports only the services' modules.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import Any

import attrs

import xs_app.services
from xs_app.services.command import Command, CommandPart


def command_classes() -> tuple[type, ...]:
    """Every command (and command part) of every service, found by introspection: the
    subclasses of :class:`Command` and :class:`CommandPart` that the modules of
    ``xs_app.services`` define, by name."""
    found: dict[str, type] = {}
    for info in pkgutil.iter_modules(xs_app.services.__path__):
        module = importlib.import_module(f"xs_app.services.{info.name}")
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, Command | CommandPart)
                and obj not in (Command, CommandPart)
                and obj.__module__ == module.__name__
            ):
                found[name] = obj
    return tuple(found[name] for name in sorted(found))


def _resolver(command_type: type) -> Callable[[type], Any]:
    def resolve(_requested: type) -> Any:
        # hypothesis may call this with a supertype it was asked for (st.from_type(Command)
        # draws any registered command): the strategy is command_type's
        from xs_app.testing.commands import commands

        return commands(command_type)

    return resolve


def register() -> None:
    """Register every command for ``st.from_type``, and resolve the commands' annotations (they
    are strings under ``from __future__ import annotations``) so that ``st.builds`` can infer
    their fields."""
    from hypothesis import strategies as st

    for command_type in command_classes():
        attrs.resolve_types(command_type)
        st.register_type_strategy(command_type, _resolver(command_type))


__all__ = ["command_classes", "register"]
