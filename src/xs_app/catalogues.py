"""The generated catalogues: ``docs/errors.md`` from the error registry (R0.5) and
``docs/events.md`` from the domain event classes (R0.7).

    python -m xs_app.catalogues            # (re)write docs/errors.md and docs/events.md
    python -m xs_app.catalogues --check    # exit 1 when a page differs from the code

Run it from the repository root (``--docs DIR`` names another directory). Both pages are
generated, never edited: ``tests/unit/test_error_registry.py`` and
``tests/unit/test_event_catalogue.py`` fail when a checked-in page differs from what this module
generates. Importing every module of ``xs_core``, ``xs_adapters`` and ``xs_app`` first
(:func:`import_all`) makes the registry and the set of event classes complete.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import enum
import importlib
import inspect
import pkgutil
import re
import sys
import types
import typing
import uuid
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

from xs_app.http_status import STATUS_BY_KIND, status_for
from xs_core.errors import (
    KINDS,
    KINDS_OF_REFUSAL,
    MESSAGES,
    ORIGINS,
    DomainError,
)
from xs_core.events import DomainEvent

PACKAGES = ("xs_core", "xs_adapters", "xs_app")
#: Not imported: Alembic's migration scripts (they run inside Alembic only) and the test support
#: (it needs the ``testing`` extra). Neither registers a code nor defines an event.
SKIPPED = ("xs_adapters.sql.migrations", "xs_core.testing")

#: The HTTP status the web host answers each kind of refusal with (RFC 9457 problem details).
HTTP_STATUS: dict[type[DomainError], int] = STATUS_BY_KIND

#: Section titles, by context (the package or layer that registers a code or defines an event).
CONTEXTS: dict[str, str] = {
    "shared kernel": "Shared kernel (dates, money, limits, the outbox)",
    "organisation": "Organisation (R1.1–R1.5, R2.3)",
    "access": "Access (R0.6, R7.1)",
    "protocols": "Protocols and trajectories (R2.1–R2.5)",
    "agenda": "Agenda (R4.1–R4.4)",
    "billing": "Contract management and billing (R5.1)",
    "parameters": "Statutory parameters (R0.4)",
    "adapters": "Storage",
    "application": "Application: settings, commands and the command line",
}

#: Event names no longer written, and what replaced them (for consumers of older outbox rows).
RENAMED: tuple[tuple[str, str], ...] = (
    ("AppointmentChanged", "`AppointmentCompleted`, `AppointmentRemoved` (by its `status`)"),
    (
        "ContactPersonsChanged",
        "`ContactPersonAdded`, `ContactPersonChanged`, `ContactPersonRemoved`, "
        "`ContactPersonMoved` (by its `change`)",
    ),
    ("DepartmentChanged with `fields` `[parent_id]`", "`DepartmentMoved`"),
    (
        "InvoiceBasisChanged",
        "`InvoiceBasisMadeFinal`, `InvoiceSent`, `InvoiceBasisDiscarded` (by its `status`)",
    ),
    ("ServiceAgreementChanged", "`ServiceAgreementBillingFrequencyChanged`"),
    ("SubscriptionChanged", "`SubscriptionEndChanged`"),
    ("UserAuthorisationChanged", "`UserAuthorisationGranted`, `UserAuthorisationRevoked`"),
)

_DOC = re.compile(r"^(?P<rules>R\d+\.\d+(?:, R\d+\.\d+)*): (?P<text>.+)$", re.S)


# -- discovery --------------------------------------------------------------------------------


def import_all() -> list[str]:
    """Import every module of the three packages (except :data:`SKIPPED`); their names."""
    names: list[str] = []
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if info.name.startswith(SKIPPED):
                continue
            importlib.import_module(info.name)
            names.append(info.name)
    return names


def context_of(module: str) -> str:
    """The context a module belongs to: a context package of the core, the core's shared
    kernel, the adapters, or the application."""
    parts = module.split(".")
    if parts[0] == "xs_core":
        return parts[1] if len(parts) > 2 and parts[1] in CONTEXTS else "shared kernel"
    return "adapters" if parts[0] == "xs_adapters" else "application"


def event_classes() -> list[type[DomainEvent]]:
    """Every concrete domain event class of the library, by name."""
    found: dict[str, type[DomainEvent]] = {}
    pending: list[type[DomainEvent]] = [DomainEvent]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.split(".")[0] in PACKAGES:
                found[f"{sub.__module__}.{sub.__qualname__}"] = sub
    return sorted(found.values(), key=lambda c: c.name)


# -- errors -----------------------------------------------------------------------------------


def refusal_kind(kind: type[DomainError] | None) -> type[DomainError] | None:
    """The kind of refusal (one of the four) ``kind`` is, or ``None`` for another error."""
    if kind is None:
        return None
    return next((k for k in KINDS_OF_REFUSAL if issubclass(kind, k)), None)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def errors_page() -> str:
    """``docs/errors.md``: every registered code with its kind, HTTP status and messages."""
    out = [
        "# Error codes",
        "",
        "<!-- Generated by `python -m xs_app.catalogues` from the error registry; do not edit. -->",
        "",
        "Every refusal in xs is a `DomainError` (R0.5) with a stable `code`, a message in Dutch "
        "and English, and `details`: plain data (strings, numbers, booleans, null, lists and "
        "objects of those) that fill the messages' `{placeholders}`. A refused command changes "
        "nothing. Each code belongs to one kind of refusal; raising a code gives an instance of "
        "its kind, so `except xs.Conflict` catches every conflict. The web host answers each "
        "kind with its HTTP status:",
        "",
        "| Kind | HTTP status | Meaning |",
        "|---|---|---|",
    ]
    for kind in KINDS_OF_REFUSAL:
        meaning = _cell(" ".join((inspect.getdoc(kind) or "").split()))
        out.append(f"| `{kind.__name__}` | {HTTP_STATUS[kind]} | {meaning} |")
    out += [
        "",
        "The *Kind* column names the class a code is registered with (one of the four, or a "
        "subclass of one); a raising site may use a subclass of it, such as `InvalidVatNumber` "
        "for the `vat.*` codes or `ConfigurationError` for `config.*`. A few codes have an HTTP "
        "status of their own, shown in their row: 401 for missing or wrong credentials, 413 for "
        "a request body that is too large, 415 for one not declared JSON. The command line's "
        "runtime failures (`CliFailure`) are not refusals: they are listed last, have no HTTP "
        "status and never reach the web host.",
        "",
        "The test suite holds every `DomainError` it makes to R0.5 at construction "
        "(`xs_core.errors.construction_check`): a registered code, details that are plain data "
        "and fill every placeholder of both messages.",
        "",
        "Regenerate this page with `python -m xs_app.catalogues` after changing a code or a "
        "message; `tests/unit/test_error_registry.py` fails while it differs.",
    ]
    refusals: dict[str, list[str]] = {}
    failures: list[str] = []
    for code in sorted(MESSAGES):
        registered = KINDS.get(code)
        nl, en = MESSAGES[code]
        general = refusal_kind(registered)
        name = "—" if registered is None else f"`{registered.__name__}`"
        if general is None:
            failures.append(f"| `{code}` | {name} | {_cell(nl)} | {_cell(en)} |")
            continue
        status = status_for(code, general)
        row = f"| `{code}` | {name} | {status} | {_cell(nl)} | {_cell(en)} |"
        refusals.setdefault(context_of(ORIGINS.get(code, "xs_app")), []).append(row)
    header = ["| Code | Kind | HTTP | Nederlands | English |", "|---|---|---|---|---|"]
    for context, title in CONTEXTS.items():
        if context in refusals:
            out += ["", f"## {title}", "", *header, *refusals[context]]
    if failures:
        out += [
            "",
            "## Runtime failures of the command line",
            "",
            "Not refusals: the database or the file system failed, an internal error, or an "
            "interruption. `xs` prints the code and the message and exits with code 1 (130 when "
            "interrupted); a refusal exits with code 2.",
            "",
            "| Code | Kind | Nederlands | English |",
            "|---|---|---|---|",
            *failures,
        ]
    return "\n".join(out) + "\n"


# -- events -----------------------------------------------------------------------------------

Schema = dict[str, Any]


def type_schema(tp: Any) -> Schema:
    """The JSON schema of a payload value of type ``tp`` as ``DomainEvent.payload`` writes it
    (ids, dates, instants and decimals as strings; enums by value; value objects as objects).
    A type it does not know is a ``TypeError``: every payload field is typed."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [type_schema(arg) for arg in typing.get_args(tp)]
        return options[0] if len(options) == 1 else {"anyOf": options}
    if origin in (tuple, list, frozenset, set):
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        if len(args) != 1:
            raise TypeError(f"an array of one item type, not {tp!r}")
        return {"type": "array", "items": type_schema(args[0])}
    if tp is type(None) or tp is None:
        return {"type": "null"}
    if not isinstance(tp, type):
        raise TypeError(f"untyped payload field: {tp!r}")
    simple: list[tuple[type, Schema]] = [
        (bool, {"type": "boolean"}),
        (int, {"type": "integer"}),
        (str, {"type": "string"}),
        (uuid.UUID, {"type": "string", "format": "uuid"}),
        (_dt.datetime, {"type": "string", "format": "date-time"}),
        (_dt.date, {"type": "string", "format": "date"}),
        (Decimal, {"type": "string", "format": "decimal"}),
    ]
    for python_type, schema in simple:
        if issubclass(tp, python_type) and not issubclass(tp, enum.Enum):
            return dict(schema)
    if issubclass(tp, enum.Enum):
        values = [member.value for member in tp]
        if not all(isinstance(v, str) for v in values):
            raise TypeError(f"an enum of strings, not {tp!r}")
        return {"type": "string", "enum": values}
    if attrs.has(tp):
        return object_schema(tp)
    raise TypeError(f"no JSON type for {tp!r}")


def object_schema(cls: type) -> Schema:
    """The schema of an attrs class's fields, all required, nothing else."""
    hints = typing.get_type_hints(cls)
    fields = attrs.fields(cls)
    return {
        "type": "object",
        "properties": {f.name: type_schema(hints[f.name]) for f in fields},
        "required": [f.name for f in fields],
        "additionalProperties": False,
    }


def payload_schema(event: type[DomainEvent]) -> Schema:
    """The JSON schema of ``event``'s :meth:`~DomainEvent.payload`."""
    return object_schema(event)


def describe(schema: Schema) -> str:
    """A schema in words for the page: ``string (uuid)``, ``string (date) or null`` …"""
    if "anyOf" in schema:
        return " or ".join(describe(option) for option in schema["anyOf"])
    kind = schema["type"]
    if "enum" in schema:
        return "string: " + " \\| ".join(f"`{v}`" for v in schema["enum"])
    if kind == "array":
        return f"array of {describe(schema['items'])}"
    if kind == "object":
        inner = ", ".join(f"`{k}`: {describe(v)}" for k, v in schema["properties"].items())
        return f"object {{{inner}}}"
    return f"{kind} ({schema['format']})" if "format" in schema else str(kind)


def _format_ok(fmt: str, value: str) -> bool:
    parsers: dict[str, Any] = {
        "uuid": uuid.UUID,
        "date": _dt.date.fromisoformat,
        "date-time": _dt.datetime.fromisoformat,
        "decimal": Decimal,
    }
    try:
        parsed = parsers[fmt](value)
    except (ValueError, InvalidOperation):
        return False
    if fmt == "date":
        return len(value) == 10
    if fmt == "date-time":
        return isinstance(parsed, _dt.datetime) and parsed.tzinfo is not None
    if fmt == "decimal":
        return bool(parsed.is_finite())
    return str(parsed) == value if fmt == "uuid" else True


def violations(value: Any, schema: Schema, where: str = "payload") -> Iterator[str]:
    """Where ``value`` breaks ``schema`` (the subset of JSON schema :func:`type_schema`
    writes); nothing when it matches. Instants must carry their offset."""
    if "anyOf" in schema:
        if all(list(violations(value, option, where)) for option in schema["anyOf"]):
            yield f"{where}: {value!r} is not {describe(schema)}"
        return
    kind = schema["type"]
    checks: dict[str, Any] = {
        "null": value is None,
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "string": isinstance(value, str),
        "array": isinstance(value, list),
        "object": isinstance(value, dict),
    }
    if not checks[kind]:
        yield f"{where}: {value!r} is not {describe(schema)}"
    elif "enum" in schema and value not in schema["enum"]:
        yield f"{where}: {value!r} is not one of {schema['enum']}"
    elif "format" in schema and not _format_ok(schema["format"], value):
        yield f"{where}: {value!r} is not a {schema['format']}"
    elif kind == "array":
        for index, item in enumerate(value):
            yield from violations(item, schema["items"], f"{where}[{index}]")
    elif kind == "object":
        if set(value) != set(schema["properties"]):
            yield f"{where}: keys {sorted(value)} are not {sorted(schema['properties'])}"
        for key, sub in schema["properties"].items():
            if key in value:
                yield from violations(value[key], sub, f"{where}.{key}")


def event_doc(event: type[DomainEvent]) -> tuple[tuple[str, ...], str]:
    """The rules an event belongs to and when it is written, from its docstring
    (``"R2.2, R2.5: a trajectory … was started …"``)."""
    doc = " ".join((event.__doc__ or "").split())  # its own docstring, never the base's
    match = _DOC.match(doc)
    if match is None:
        raise ValueError(f"{event.name}: the docstring does not start with its rules ('R1.2: …')")
    text = match["text"].replace("``", "`")
    return tuple(match["rules"].split(", ")), text[0].upper() + text[1:]


def events_page() -> str:
    """``docs/events.md``: every domain event with its name, version, rules, when it is
    written and its payload schema."""
    classes = event_classes()
    out = [
        "# Domain events",
        "",
        "<!-- Generated by `python -m xs_app.catalogues` from the event classes; do not edit. -->",
        "",
        "Every change is recorded as a domain event (R0.7), written to the outbox in the "
        "transaction of the change and read by the embedding service after commit "
        "(`xs.outbox.claim`, `acknowledge`, `consume`). An outbox message has an `id` "
        "(increasing), the event's `name` and `version`, its `payload`, `occurred_at` (the "
        "commit's instant, UTC) and `attempts` (deliveries to the claiming subscription).",
        "",
        "- **Name**: the class name, a fact in the past tense, one fact per event; consumers "
        "dispatch on it and it never changes.",
        "- **Version**: raised when the payload changes incompatibly (a field removed, renamed "
        "or retyped); a field added keeps the version, so a consumer ignores fields it does not "
        "know.",
        "- **Payload**: a JSON object with exactly the listed fields, all present (a field that "
        "can be empty is null). Ids are UUID strings, dates ISO `YYYY-MM-DD`, instants ISO 8601 "
        "with their offset, amounts decimal strings in euros. An `end` is exclusive, the first "
        "day no longer included (R0.2); an `end_date` is the last day itself.",
        "- Every event carries the ids of the aggregates it concerns. It does not carry the "
        "acting user (the core does not know it) nor personal data of employees: a consumer "
        "reads those through the services.",
        "",
        "Regenerate this page with `python -m xs_app.catalogues` after changing an event; "
        "`tests/unit/test_event_catalogue.py` fails while it differs, and checks every payload "
        "the use cases write against its schema.",
        "",
        "| Event | Version | Rules | Context |",
        "|---|---|---|---|",
    ]
    by_context: dict[str, list[type[DomainEvent]]] = {}
    for event in classes:
        rules, _ = event_doc(event)
        context = context_of(event.__module__)
        by_context.setdefault(context, []).append(event)
        anchor = event.name.lower()
        out.append(
            f"| [`{event.name}`](#{anchor}) | {event.version} | {', '.join(rules)} "
            f"| {CONTEXTS[context].split(' (')[0]} |"
        )
    for context, title in CONTEXTS.items():
        if context not in by_context:
            continue
        out += ["", f"## {title}"]
        for event in by_context[context]:
            rules, text = event_doc(event)
            out += [
                "",
                f"### {event.name}",
                "",
                f"Version {event.version} · {', '.join(rules)}",
                "",
                text,
                "",
                "| Field | JSON type |",
                "|---|---|",
            ]
            for field, schema in payload_schema(event)["properties"].items():
                out.append(f"| `{field}` | {describe(schema)} |")
    out += [
        "",
        "## Former names",
        "",
        "Older outbox rows may carry these names; they are no longer written.",
        "",
        "| Former event | Now |",
        "|---|---|",
        *(f"| {old} | {new} |" for old, new in RENAMED),
    ]
    return "\n".join(out) + "\n"


# -- the command ------------------------------------------------------------------------------


def pages() -> dict[str, str]:
    """The generated pages by file name (after importing every module)."""
    import_all()
    return {"errors.md": errors_page(), "events.md": events_page()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xs_app.catalogues", description=__doc__)
    parser.add_argument("--docs", type=Path, default=Path("docs"), help="default: ./docs")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on a diff")
    args = parser.parse_args(argv)
    stale = []
    for name, text in pages().items():
        path = args.docs / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(str(path))
        if not args.check:
            path.write_text(text, encoding="utf-8")
    verb = "differs" if args.check else "written"
    for path in stale:
        print(f"{path} {verb}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
