"""Commands: the one shape every use case takes (R0.5, R0.6).

A command is a frozen attrs class with keyword-only fields deriving from :class:`Command`; its
``actor`` field is the id of the user on whose behalf the use case runs. When an instance is made,
:class:`Command` checks that every field holds a value of its declared type — so that a ``str``
where an id belongs, a float where a ``Decimal`` belongs or a naive value where a date belongs is
refused with ``input.invalid_type`` naming the field, before anything is looked up.
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
import types
import typing
import uuid
import warnings
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar, get_args, get_origin

import attrs

from xs_core.errors import InvalidInput, register_messages

register_messages(
    {
        "input.invalid_type": (
            "Ongeldige waarde voor {field}: verwacht {expected}.",
            "Invalid value for {field}: expected {expected}.",
        ),
    },
    kind=InvalidInput,
)


def _matches(value: Any, hint: Any) -> bool:
    origin = get_origin(hint)
    if hint is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in get_args(hint))
    if hint is type(None) or hint is None:
        return value is None
    if origin is typing.Literal:
        return value in get_args(hint)
    if origin in (frozenset, set, list):
        (item,) = get_args(hint) or (Any,)
        return isinstance(value, origin) and all(_matches(v, item) for v in value)
    if origin is tuple:
        args = get_args(hint)
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_matches(v, args[0]) for v in value)
        return len(args) == len(value) and all(
            _matches(v, a) for v, a in zip(value, args, strict=True)
        )
    if origin is not None:
        return isinstance(value, origin)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is Decimal:
        return isinstance(value, Decimal | int) and not isinstance(value, bool)
    if hint is _dt.date:
        return isinstance(value, _dt.date) and not isinstance(value, _dt.datetime)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True


def _describe(hint: Any) -> str:
    if isinstance(hint, type) and not get_args(hint):
        if issubclass(hint, enum.Enum):
            return f"{hint.__name__} ({', '.join(str(m.value) for m in hint)})"
        return hint.__name__
    return str(hint).replace("typing.", "").replace("datetime.", "").replace("uuid.", "")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def check_fields(instance: Any) -> None:
    """Refuse a command whose fields do not hold values of their declared types."""
    hints = _hints(type(instance))
    for field in attrs.fields(type(instance)):
        hint = hints.get(field.name, Any)
        value = getattr(instance, field.name)
        if not _matches(value, hint):
            raise InvalidInput(
                "input.invalid_type", {"field": field.name, "expected": _describe(hint)}
            )


class Command:
    """Base of every command: an ``@attrs.frozen(kw_only=True)`` class whose first field is the
    ``actor``. Its field types are checked when an instance is made (``input.invalid_type``)."""

    actor: uuid.UUID

    def __attrs_post_init__(self) -> None:
        check_fields(self)


class CommandPart:
    """Base of a value a command carries (e.g. the terms of an employment): its field types are
    checked like a command's."""

    def __attrs_post_init__(self) -> None:
        check_fields(self)


M = TypeVar("M", bound=Callable[..., Any])


def accepts_legacy(command_type: type, *names: str) -> Callable[[M], M]:
    """Keep an old positional signature working for one release, with a DeprecationWarning:
    ``method(actor, basis_id)`` becomes ``method(CommandType(actor=actor, basis_id=basis_id))``.
    """

    def decorate(method: M) -> M:
        @functools.wraps(method)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            if args and isinstance(args[0], command_type):
                return method(self, *args, **kwargs)
            if not args and not (set(kwargs) & set(names)):
                return method(self, *args, **kwargs)
            warnings.warn(
                f"{method.__qualname__}({', '.join(names)}) is deprecated; pass "
                f"{command_type.__name__}(…) instead",
                DeprecationWarning,
                stacklevel=2,
            )
            values = dict(zip(names, args, strict=False))
            extra = {k: v for k, v in kwargs.items() if k not in names}
            values.update({k: v for k, v in kwargs.items() if k in names})
            rest = args[len(names) :]
            return method(self, command_type(**values), *rest, **extra)

        return typing.cast(M, wrapper)

    return decorate


__all__ = ["Command", "CommandPart", "accepts_legacy", "check_fields"]
