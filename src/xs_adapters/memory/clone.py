"""A fast deep copy for the values the in-memory store holds (R0.5: copied in and out).

``copy.deepcopy`` walks every object through ``__reduce_ex__`` and a memo; the aggregates are
slotted attrs classes over immutable atoms, so most of that work is wasted. :func:`clone` copies
what can change and shares what cannot:

* atoms (str, numbers, ``Decimal``, ``UUID``, dates and times, enums, ``frozenset``) are shared;
* a frozen attrs class whose field types are all immutable (atoms, such classes, tuples and
  optionals of them, as its annotations say) is shared without looking inside;
* another frozen attrs instance or a tuple is shared when none of its parts needed a copy, and
  rebuilt around the copied parts otherwise;
* a mutable attrs instance, a list, a dict or a set is always a new object;
* anything else goes to ``copy.deepcopy``.

Like a deep copy, no mutable object is shared between the original and the clone; unlike one,
aliasing inside a value is not preserved (the domain model has none).
"""

from __future__ import annotations

import copy
import datetime as _dt
import enum
import types
import typing
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import attrs

T = TypeVar("T")
Cloner = Callable[[Any], Any]

_ATOMS: tuple[type, ...] = (
    str,
    bytes,
    int,
    float,
    complex,
    bool,
    type(None),
    Decimal,
    uuid.UUID,
    _dt.date,  # pendulum.Date and DateTime too
    _dt.time,
    _dt.timedelta,
    enum.Enum,
    frozenset,  # members are hashable, so treated as immutable (as dict keys are)
    range,
)
_UNSET = object()
_CLONERS: dict[type, Cloner] = {}


def clone(value: T) -> T:
    """A copy of ``value`` that shares no mutable object with it."""
    cloner = _CLONERS.get(type(value))
    if cloner is None:
        cloner = _CLONERS[type(value)] = _cloner_for(type(value))
    result: T = cloner(value)
    return result


def _same(value: T) -> T:
    return value


def _list(value: list[Any]) -> list[Any]:
    return [clone(item) for item in value]


def _dict(value: dict[Any, Any]) -> dict[Any, Any]:
    return {key: clone(item) for key, item in value.items()}


def _set(value: set[Any]) -> set[Any]:
    return set(value)


def _tuple(value: tuple[Any, ...]) -> tuple[Any, ...]:
    copied = tuple(clone(item) for item in value)
    if all(a is b for a, b in zip(copied, value, strict=True)):
        return value
    return copied if type(value) is tuple else type(value)(*copied)


def _is_frozen(cls: type) -> bool:
    inspect = getattr(attrs, "inspect", None)  # attrs >= 25.4
    if inspect is not None:
        return bool(inspect(cls).is_frozen)
    return getattr(cls.__setattr__, "__name__", "") == "_frozen_setattrs"  # pragma: no cover


_IMMUTABLE: dict[Any, bool] = {}


def _immutable_type(tp: Any) -> bool:
    """Whether every value of the annotation ``tp`` is immutable (an atom, a frozen attrs class
    with such fields, a tuple, frozenset or union of such)."""
    known = _IMMUTABLE.get(tp)
    if known is not None:
        return known
    _IMMUTABLE[tp] = False  # a recursive type is not proven through itself
    _IMMUTABLE[tp] = found = _prove(tp)
    return found


def _prove(tp: Any) -> bool:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return all(_immutable_type(a) for a in args)
    if origin is tuple or origin is frozenset:
        return all(a is Ellipsis or _immutable_type(a) for a in args)
    if origin is typing.ClassVar:
        return True
    if not isinstance(tp, type):
        return False
    if issubclass(tp, _ATOMS) and tp is not frozenset:
        return True
    if attrs.has(tp) and _is_frozen(tp):
        try:
            hints = typing.get_type_hints(tp)
        except Exception:  # an annotation that cannot be resolved proves nothing
            return False
        return all(_immutable_type(hints.get(f.name, object)) for f in attrs.fields(tp))
    return False


def _field_hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception:  # an annotation that cannot be resolved: every such field is copied
        return {}


def _attrs_cloner(cls: type) -> Cloner:
    fields = attrs.fields(cls)
    if _is_frozen(cls):
        names = tuple(field.name for field in fields)

        def clone_frozen(value: Any) -> Any:
            originals = [getattr(value, name, _UNSET) for name in names]
            parts = [p if p is _UNSET else clone(p) for p in originals]
            if all(a is b for a, b in zip(parts, originals, strict=True)):
                return value
            result: Any = object.__new__(cls)
            for name, part in zip(names, parts, strict=True):
                if part is not _UNSET:
                    object.__setattr__(result, name, part)
            return result

        return clone_frozen
    # a mutable class: a function written for it, copying the fields that may change
    hints = _field_hints(cls)
    lines = ["def clone_mutable(value):", "    result = new(cls)"]
    for field in fields:
        read = f"value.{field.name}"
        if field.name not in hints or not _immutable_type(hints[field.name]):
            read = f"clone({read})"
        line = f"    put(result, {field.name!r}, {read})"
        if not field.init and field.default is attrs.NOTHING:  # may be unset
            line = f"    if hasattr(value, {field.name!r}):\n    " + line
        lines.append(line)
    lines.append("    return result")
    scope: dict[str, Any] = {
        "new": object.__new__,
        "put": object.__setattr__,
        "cls": cls,
        "clone": clone,
    }
    exec("\n".join(lines), scope)
    cloner: Cloner = scope["clone_mutable"]
    return cloner


def _cloner_for(cls: type) -> Cloner:
    if issubclass(cls, _ATOMS):
        return _same
    if cls is list:
        return _list
    if cls is dict:
        return _dict
    if cls is set:
        return _set
    if cls is tuple or (issubclass(cls, tuple) and hasattr(cls, "_fields")):  # named tuples
        return _tuple
    if attrs.has(cls) and "__dict__" not in dir(cls):  # slotted: the fields are the whole state
        return _same if _immutable_type(cls) else _attrs_cloner(cls)
    return copy.deepcopy
