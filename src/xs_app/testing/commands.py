"""Strategies for every command of the services (R0.5, R0.6).

:func:`commands` builds a strategy for a command class from its fields: a rule per field *name*
where the name carries a limit (``name``, ``code``, ``email``, ``hours_per_week``, …, see
:data:`FIELD_RULES`), otherwise a rule per *type* (ids, booleans, enums, days, instants, the value
objects of :data:`~xs_core.testing.registration.VALUE_STRATEGIES`, nested command parts, sets,
tuples, optional values). A few fields are drawn together so that the command is coherent (a
start before its end, a code not both set and cleared, see :data:`JOINT_RULES`).

A field that no rule covers — a new text, number or decimal field — raises :class:`NoStrategy`
when the strategy is made, naming the field: add a rule here (the test of every command class
fails until then).

Ids are random unless given: ``commands(GetEmployee, employee_id=st.sampled_from(ids))``; any
field may be given, as a strategy or as a value. A command drawn here has the shape its
constructor accepts and values within the core's limits; whether a service accepts it depends on
the store (ids that exist, rules between entities): draw commands against a world for that
(:func:`xs_app.testing.world_commands.commands_for`).
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
import string
import types
import typing
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from xs_app.services.command import Command, CommandPart
from xs_core import limits
from xs_core.access.model import SCOPE_KINDS
from xs_core.agenda.spans import LOCAL_ZONE
from xs_core.billing.frequency import BillingFrequency
from xs_core.organisation.model import DOSSIER_KINDS
from xs_core.organisation.units import UnitRef
from xs_core.settings import Parameter
from xs_core.testing import strategies as xst
from xs_core.testing.registration import VALUE_STRATEGIES, strategy_for

C = TypeVar("C")
Strategy = st.SearchStrategy[Any]


class NoStrategy(TypeError):
    """A command field that no rule of :mod:`xs_app.testing.commands` covers."""


@attrs.frozen
class FieldRule:
    """The strategy of a field of a given name, for fields of type ``kind`` (or ``kind | None``)."""

    kind: type
    strategy: Callable[[], Strategy]


def _scope_units() -> Strategy:
    return st.frozensets(xst.unit_refs(SCOPE_KINDS), max_size=3)


#: Fields by name, whatever command holds them: values within the field's limit (R0.5).
def _passwords() -> Strategy:
    """Passwords of a length the policy accepts (R2.6); a few common ones are refused by it."""
    return st.text(string.ascii_letters + string.digits + "!?-", min_size=12, max_size=64)


FIELD_RULES: dict[str, FieldRule] = {
    "name": FieldRule(str, lambda: xst.names(limits.NAME)),
    "first_name": FieldRule(str, lambda: xst.names(limits.FIRST_NAME)),
    "last_name": FieldRule(str, lambda: xst.names(limits.LAST_NAME)),
    "code": FieldRule(str, xst.codes),
    "email": FieldRule(str, xst.emails),
    "phone": FieldRule(str, xst.phones),
    "vat_number": FieldRule(str, lambda: xst.vat_numbers().map(str)),
    "term": FieldRule(str, xst.search_terms),
    "purpose": FieldRule(str, lambda: xst.text(limits.PURPOSE)),
    "description": FieldRule(str, lambda: xst.text(limits.DESCRIPTION)),
    "activity_type": FieldRule(str, xst.activity_types),
    "service_variation": FieldRule(str, lambda: xst.text(limits.SERVICE_VARIATION)),
    "job_title": FieldRule(str, lambda: xst.text(limits.JOB_TITLE)),
    "personnel_number": FieldRule(
        str,
        lambda: xst.text(limits.PERSONNEL_NUMBER, alphabet=string.ascii_uppercase + string.digits),
    ),
    "role": FieldRule(str, lambda: xst.text(limits.CONTACT_ROLE)),
    # policy registration (R6): a policy number, a manual registration's text, a parameter value
    "number": FieldRule(str, lambda: xst.text(limits.POLICY_NUMBER)),
    "note": FieldRule(str, lambda: xst.text(limits.REGISTRATION_NOTE)),
    "value": FieldRule(int, lambda: st.sampled_from(Parameter.BUSINESS_RULES.spec.allowed)),
    "birth_date": FieldRule(_dt.date, xst.birth_dates),
    # the nightly evaluation (R6.6): chunk sizes and numbers
    "chunk_size": FieldRule(int, lambda: st.integers(1, 100_000)),
    "chunk": FieldRule(int, lambda: st.integers(0, 1_000)),
    "hours_per_week": FieldRule(Decimal, xst.hours_per_week),
    "yearly_salary": FieldRule(Decimal, xst.amounts),
    # R3.2: a WIA claim's monthly wage and income from work
    "monthly_wage": FieldRule(Decimal, xst.amounts),
    "income_from_work": FieldRule(Decimal, xst.amounts),
    # a location's maximum of parallel availabilities (R4.3): small ones make conflicts
    "max_parallel": FieldRule(int, lambda: st.integers(1, 5) | st.integers(1, limits.INTEGER_MAX)),
    # passwords and mail templates (R2.6): a language, passwords, tokens, template parts
    "language": FieldRule(str, lambda: st.sampled_from(("nl", "en"))),
    "password": FieldRule(str, lambda: _passwords()),
    "current_password": FieldRule(str, lambda: xst.text(64)),
    "new_password": FieldRule(str, lambda: _passwords()),
    "token": FieldRule(str, lambda: xst.text(60)),
    "valid_for": FieldRule(
        _dt.timedelta, lambda: st.integers(1, 24 * 30).map(lambda h: _dt.timedelta(hours=h))
    ),
    "subject": FieldRule(str, lambda: xst.names(limits.DIALOG_SUBJECT)),
    "text": FieldRule(str, lambda: xst.text(limits.DESCRIPTION)),
    "html": FieldRule(str, lambda: xst.text(limits.DESCRIPTION)),
    # documents and messages (R2.7)
    "body": FieldRule(str, lambda: xst.text(limits.DESCRIPTION)),
    "file_name": FieldRule(
        str, lambda: st.text(string.ascii_letters + string.digits, min_size=1, max_size=40)
    ),
    "content_type": FieldRule(
        str, lambda: st.sampled_from(("application/pdf", "text/plain", "image/png"))
    ),
    "content": FieldRule(bytes, lambda: st.binary(min_size=1, max_size=256)),
    # the external API (R7.1): employer codes, an idempotency key, a request's fingerprint
    "employer_code": FieldRule(str, xst.codes),
    "employer_codes": FieldRule(
        frozenset, lambda: st.frozensets(xst.codes(), min_size=1, max_size=3)
    ),
    "idempotency_key": FieldRule(
        str,
        lambda: st.text(
            string.ascii_letters + string.digits + "-_.",
            min_size=1,
            max_size=limits.IDEMPOTENCY_KEY,
        ),
    ),
    "request_fingerprint": FieldRule(
        str, lambda: st.text("0123456789abcdef", min_size=64, max_size=64)
    ),
    # a contact person's place in the employer's list (R1.5)
    "position": FieldRule(int, lambda: st.integers(0, 10)),
    # a page that, at any page size, ends within an advanced search's first results (R1.3)
    "page": FieldRule(
        int, lambda: st.integers(1, limits.MAX_SEARCH_RESULTS // limits.MAX_PAGE_SIZE)
    ),
    "page_size": FieldRule(int, lambda: st.integers(1, limits.MAX_PAGE_SIZE)),
    "recovered_percentage": FieldRule(
        int, lambda: st.integers(limits.PERCENTAGE_MIN, limits.PERCENTAGE_MAX)
    ),
    # a user's scope (R0.6) and a dossier's unit (R1.2): only the kinds they may hold
    "scope": FieldRule(frozenset, _scope_units),
    "units": FieldRule(frozenset, _scope_units),
    "unit": FieldRule(UnitRef, lambda: xst.unit_refs(DOSSIER_KINDS)),
    # suppliers and referrers (R5.2): an address, a valid IBAN
    "street": FieldRule(str, lambda: xst.text(limits.STREET)),
    "house_number": FieldRule(str, lambda: xst.text(limits.HOUSE_NUMBER)),
    "postcode": FieldRule(
        str, lambda: st.from_regex(r"[1-9][0-9]{3} [A-RT-Z][A-Z]", fullmatch=True)
    ),
    "city": FieldRule(str, lambda: xst.text(limits.CITY)),
    "country": FieldRule(str, lambda: st.sampled_from(["NL", "BE", "DE"])),
    "iban": FieldRule(
        str,
        lambda: st.sampled_from(
            ["NL91ABNA0417164300", "NL44 RABO 0123 4567 89", "DE89 3704 0044 0532 0130 00"]
        ),
    ),
    # a contract model prices an (activity type, payer) once (R5.1)
    "price_categories": FieldRule(
        tuple,
        lambda: st.lists(
            xst.price_categories(), max_size=3, unique_by=lambda c: (c.activity_type, c.payer)
        ).map(tuple),
    ),
}


# -- joint rules: fields drawn together -----------------------------------------------------------


@attrs.frozen
class JointRule:
    """Fields drawn together when a command has all of them with these types (none given)."""

    types: Mapping[str, Any]
    strategy: Callable[[], st.SearchStrategy[dict[str, Any]]]

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.types)


def _local_day(instant: _dt.datetime) -> _dt.date:
    return instant.astimezone(LOCAL_ZONE).date()


@st.composite
def _span(draw: st.DrawFn) -> dict[str, Any]:
    start, end = draw(xst.span_bounds())
    return {"start": start, "end": end}


@st.composite
def _series(draw: st.DrawFn) -> dict[str, Any]:
    """A weekly series (R4.3): ``until`` after the first day, at most 104 occurrences."""
    start, end = draw(xst.span_bounds())
    weeks = draw(st.integers(1, limits.MAX_SERIES_OCCURRENCES))
    days = draw(st.integers(1, 7))
    until = _local_day(start) + _dt.timedelta(days=7 * (weeks - 1) + days)
    return {"start": start, "end": end, "until": until}


@st.composite
def _days(draw: st.DrawFn, end_name: str) -> dict[str, Any]:
    """A first day and an optional later day (an exclusive end, or a planned last day)."""
    start = draw(xst.dates())
    end = draw(st.none() | xst.dates(start + _dt.timedelta(days=1), xst.MAX_DATE))
    return {"start": start, end_name: end}


@st.composite
def _code_or_clear(draw: st.DrawFn) -> dict[str, Any]:
    clear = draw(st.booleans())
    return {"clear_code": clear, "code": None if clear else draw(st.none() | xst.codes())}


def _move(target: str) -> Callable[[], st.SearchStrategy[dict[str, Any]]]:
    @st.composite
    def moved(draw: st.DrawFn) -> dict[str, Any]:
        move = draw(st.booleans())
        return {"move": move, target: draw(st.none() | xst.uuids) if move else None}

    return moved


@st.composite
def _variation(draw: st.DrawFn) -> dict[str, Any]:
    """R5.1: a deviating frequency only with a service variation."""
    variation = draw(st.none() | xst.text(limits.SERVICE_VARIATION))
    frequency = None
    if variation is not None:
        frequency = draw(st.none() | st.sampled_from(BillingFrequency))
    return {"service_variation": variation, "deviating_frequency": frequency}


_DT, _D = _dt.datetime, _dt.date
_UUID_OR_NONE = uuid.UUID | None

#: Fields drawn together, first match wins (a series before a plain span).
JOINT_RULES: tuple[JointRule, ...] = (
    JointRule({"start": _DT, "end": _DT, "until": _D}, _series),
    JointRule({"start": _DT, "end": _DT}, _span),
    JointRule({"start": _D, "end": _D | None}, lambda: _days("end")),
    JointRule({"start": _D, "end_date": _D | None}, lambda: _days("end_date")),
    JointRule({"code": str | None, "clear_code": bool}, _code_or_clear),
    JointRule({"move": bool, "folder_id": _UUID_OR_NONE}, _move("folder_id")),
    JointRule({"move": bool, "parent_id": _UUID_OR_NONE}, _move("parent_id")),
    JointRule(
        {"service_variation": str | None, "deviating_frequency": BillingFrequency | None},
        _variation,
    ),
)


# -- rules by type --------------------------------------------------------------------------------


def _optional(hint: Any) -> tuple[Any, bool]:
    """``(T, True)`` for ``T | None``, ``(hint, False)`` otherwise."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(hint)) == 2:
            return args[0], True
    return hint, False


def _by_type(hint: Any, where: str) -> Strategy:
    inner, optional = _optional(hint)
    if optional:
        return st.none() | _by_type(inner, where)
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):  # e.g. an actor: a user or a ClientActor
        return st.one_of(*(_by_type(arg, where) for arg in typing.get_args(hint)))
    if origin is frozenset:
        (item,) = typing.get_args(hint)
        return st.frozensets(_by_type(item, where), max_size=3)
    if origin is tuple:
        item, ellipsis = typing.get_args(hint)
        if ellipsis is Ellipsis:
            return st.lists(_by_type(item, where), max_size=3).map(tuple)
    if hint is uuid.UUID:
        return xst.uuids
    if hint is bool:
        return st.booleans()
    if hint is _dt.date:
        return xst.dates()
    if hint is _dt.datetime:
        return xst.instants()
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(hint)
    if hint in VALUE_STRATEGIES:
        return typing.cast(Strategy, strategy_for(hint))
    if isinstance(hint, type) and issubclass(hint, Command | CommandPart):
        return commands(hint)
    raise NoStrategy(
        f"no strategy for {where} ({hint}): add a rule to xs_app.testing.commands.FIELD_RULES"
    )


def _matches(hint: Any, kind: Any) -> bool:
    inner, _ = _optional(hint)
    return inner is kind or typing.get_origin(inner) is kind


def _field_strategy(command_type: type, name: str, hint: Any) -> Strategy:
    where = f"{command_type.__name__}.{name}"
    rule = FIELD_RULES.get(name)
    if rule is not None and _matches(hint, rule.kind):
        strategy = rule.strategy()
        return st.none() | strategy if _optional(hint)[1] else strategy
    return _by_type(hint, where)


@attrs.frozen
class _Plan:
    fields: dict[str, Strategy]
    joints: tuple[JointRule, ...]


@functools.cache
def _plan(command_type: type) -> _Plan:
    if not (attrs.has(command_type) and issubclass(command_type, Command | CommandPart)):
        raise InvalidArgument(f"{command_type!r} is not a command class")
    hints = typing.get_type_hints(command_type)
    fields = {
        f.name: _field_strategy(command_type, f.name, hints[f.name])
        for f in attrs.fields(command_type)
    }
    joints: list[JointRule] = []
    taken: set[str] = set()
    for joint in JOINT_RULES:
        if joint.fields & taken:
            continue
        if all(name in hints and hints[name] == kind for name, kind in joint.types.items()):
            joints.append(joint)
            taken |= joint.fields
    return _Plan(fields, tuple(joints))


@st.composite
def _drawn(draw: st.DrawFn, command_type: type[C], plan: _Plan, given: dict[str, Strategy]) -> C:
    values: dict[str, Any] = {}
    for joint in plan.joints:
        if not joint.fields & given.keys():
            values.update(draw(joint.strategy()))
    for name, strategy in plan.fields.items():
        if name not in values:
            values[name] = draw(given.get(name, strategy))
    return command_type(**values)


def commands(command_type: type[C], **fields: Any) -> st.SearchStrategy[C]:
    """Instances of a command class (or command part) of the services, with values within the
    core's limits; ``fields`` fixes some, each a strategy or a value (a field given this way
    is drawn on its own, outside any joint rule it belongs to).

    Raises :class:`NoStrategy` for a command with a field no rule covers."""
    plan = _plan(typing.cast(type, command_type))
    unknown = set(fields) - plan.fields.keys()
    if unknown:
        raise InvalidArgument(f"{command_type.__name__} has no field {sorted(unknown)}")
    given = {
        name: value if isinstance(value, st.SearchStrategy) else st.just(value)
        for name, value in fields.items()
    }
    return _drawn(command_type, plan, given)


__all__ = ["FIELD_RULES", "JOINT_RULES", "FieldRule", "JointRule", "NoStrategy", "commands"]
