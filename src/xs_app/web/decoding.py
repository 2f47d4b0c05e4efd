"""Request bodies decoded straight into the services' attrs commands through cattrs: unknown
fields and wrong types are refused (``api.request_invalid``), never ignored (R0.5)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, TypeVar

import cattrs
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIType

from xs_core.errors import InvalidInput

T = TypeVar("T")

_converter = cattrs.Converter(forbid_extra_keys=True)
_converter.register_structure_hook(
    uuid.UUID, lambda value, _: value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
)


def require_json(content_type: str) -> None:
    """Refuse a body not declared JSON (``application/json`` or ``application/…+json``, any
    parameters): ``api.unsupported_media_type``, answered with 415 (R0.5).

    >>> require_json("application/json; charset=utf-8")
    """
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type != "application/json" and not (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        raise InvalidInput("api.unsupported_media_type", {})


def decode(body: bytes, command: type[T], fields: Collection[str], **given: Any) -> T:
    """The command made of the JSON object ``body`` (only ``fields``, each a string) and the
    values the route gives (``actor``, path parameters)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidInput("api.request_invalid", {"reason": "not JSON"}) from None
    if not isinstance(data, dict):
        raise InvalidInput("api.request_invalid", {"reason": "not a JSON object"})
    unknown = sorted(str(k)[:50] for k in data if k not in fields)
    if unknown:
        raise InvalidInput("api.request_invalid", {"reason": f"unknown fields {unknown[:5]}"})
    wrong = sorted(k for k, v in data.items() if not isinstance(v, str))
    if wrong:
        raise InvalidInput("api.request_invalid", {"reason": f"not text: {wrong}"})
    try:
        return _converter.structure({**data, **given}, command)
    except (cattrs.BaseValidationError, TypeError, ValueError):
        raise InvalidInput("api.request_invalid", {"reason": "missing fields"}) from None


def json_body(
    required: Collection[str],
    optional: Collection[str] = (),
    choices: dict[str, list[str]] | None = None,
) -> type[Operation]:
    """An OpenAPI operation whose request body is a JSON object of these string fields (no
    other field allowed); ``choices`` names the allowed values of a field."""
    allowed = choices or {}
    schema = Schema(
        type=OpenAPIType.OBJECT,
        properties={
            name: Schema(type=OpenAPIType.STRING, enum=list(allowed[name]))
            if name in allowed
            else Schema(type=OpenAPIType.STRING, min_length=1, max_length=320)
            for name in [*required, *optional]
        },
        required=list(required),
        additional_properties=False,
    )

    @dataclass
    class WithBody(Operation):
        def __post_init__(self) -> None:
            self.request_body = RequestBody(
                content={"application/json": OpenAPIMediaType(schema=schema)}, required=True
            )

    return WithBody
