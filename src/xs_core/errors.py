"""Domain errors with stable codes and bilingual messages (R0.5).

Every refusal in xs is a :class:`DomainError`. It carries

* ``code`` – a stable machine code such as ``vat.invalid_checksum``;
* ``details`` – structured facts (the rule, the offending values);
* ``message(lang)`` – a human message in Dutch (``"nl"``) or English (``"en"``).

Messages live in one catalogue keyed by code, so that a code keeps its meaning while the text
can be improved. A refused command changes nothing: services raise before they commit.

Every code belongs to one kind of refusal, registered with its messages:

* :class:`NotFound` — what the command names does not exist (or the actor may not see it);
* :class:`Conflict` — the command clashes with the current state (a code in use, a transition
  that no longer applies, a limit that would be exceeded);
* :class:`InvalidInput` — a value fails validation;
* :class:`NotAllowed` — the actor may not do this.

Raising ``DomainError(code, …)`` (or any of the four) gives an instance of the code's registered
kind, so ``except Conflict`` catches every conflict whatever the raising site wrote. The web host
maps the kinds to HTTP statuses (404, 409, 422, 403). ``docs/errors.md`` is generated from the
registry (:func:`catalogue`).
"""

from __future__ import annotations

import math
import string
import sys
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal

Lang = Literal["nl", "en"]

#: code -> (Dutch, English). Placeholders are filled from ``details``.
MESSAGES: dict[str, tuple[str, str]] = {}

#: code -> the class of error it is (one of the four kinds, or a subclass of one).
KINDS: dict[str, type[DomainError]] = {}

#: code -> the module that registered it (``docs/errors.md`` groups the codes by it).
ORIGINS: dict[str, str] = {}


def register_messages(
    catalogue: Mapping[str, tuple[str, str]], kind: type[DomainError] | None = None
) -> None:
    """Add the codes of ``catalogue``, their messages (Dutch, English) and their ``kind``; a code
    may be registered once only."""
    module = str(sys._getframe(1).f_globals.get("__name__", "?"))
    for code, texts in catalogue.items():
        if code in MESSAGES and (MESSAGES[code] != texts or KINDS.get(code) is not kind):
            raise ValueError(f"message for {code!r} registered twice")
        MESSAGES[code] = texts
        ORIGINS.setdefault(code, module)
        if kind is not None:
            KINDS[code] = kind


#: Called with every :class:`DomainError` as it is made, when set. ``None`` in production (a
#: refusal never fails on its own details); the test suite sets :func:`require_data_details`
#: (``tests/conftest.py``) so that every refusal made during the run is held to R0.5.
construction_check: Callable[[DomainError], None] | None = None


class _SafeDict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class DomainError(Exception):
    """A refusal by a business rule (R0.5).

    >>> err = DomainError("vat.unknown_country", {"country": "XX"})
    >>> err.code
    'vat.unknown_country'
    """

    #: default code for subclasses that always raise the same code
    default_code: ClassVar[str] = "domain.error"

    def __new__(cls, code: str | None = None, details: Mapping[str, Any] | None = None) -> Any:
        # the code decides the kind: DomainError("organisation.code_in_use") is a Conflict
        kind = KINDS.get(code or cls.default_code)
        if kind is not None and cls in _GENERAL and kind is not cls:
            cls = kind
        return super().__new__(cls)

    def __init__(self, code: str | None = None, details: Mapping[str, Any] | None = None) -> None:
        self.code: str = code or self.default_code
        self.details: dict[str, Any] = dict(details or {})
        super().__init__(self.code)
        if construction_check is not None:
            construction_check(self)

    def message(self, lang: Lang = "en") -> str:
        """The human message in Dutch (``"nl"``) or English (``"en"``)."""
        texts = MESSAGES.get(self.code)
        if texts is None:
            return self.code
        template = texts[0] if lang == "nl" else texts[1]
        values = _SafeDict({k: _render(v) for k, v in self.details.items()})
        return template.format_map(values)

    def __str__(self) -> str:
        return f"{self.code}: {self.message('en')}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.details!r})"


def _render(value: Any) -> str:
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(v) for v in value)
    return str(value)


class NotFound(DomainError):
    """An entity that a command names does not exist — or lies outside the actor's scope: both
    get the same answer, so that the answer reveals nothing (R0.6)."""

    default_code = "not_found"


class Conflict(DomainError):
    """The command clashes with the current state: a code or e-mail already in use, a status
    transition that no longer applies, a limit that would be exceeded."""

    default_code = "conflict"


class InvalidInput(DomainError):
    """A value failed validation."""

    default_code = "input.invalid"


class NotAllowed(DomainError):
    """The acting user may not do this: a missing feature authorisation, an unknown actor, or a
    grant wider than what the actor holds (R0.6)."""

    default_code = "access.not_authorised"


#: The name used before the error classes were settled; the same class.
NotAuthorised = NotAllowed

#: The kinds of refusal; a code registered as one of them (or a subclass) is raised as such.
KINDS_OF_REFUSAL: tuple[type[DomainError], ...] = (NotFound, Conflict, InvalidInput, NotAllowed)
_GENERAL = frozenset({DomainError, *KINDS_OF_REFUSAL})


def not_found(kind: str, ident: object) -> NotFound:
    """The one "does not exist" answer for an entity of ``kind`` (R0.6: also for what the actor
    may not see)."""
    return NotFound("not_found", {"kind": kind, "id": str(ident)})


register_messages(
    {
        "domain.error": ("De handeling is geweigerd.", "The action was refused."),
        "input.invalid": (
            "Ongeldige invoer voor {field}: {reason}.",
            "Invalid input for {field}: {reason}.",
        ),
        "input.required": ("{field} is verplicht.", "{field} is required."),
    },
    kind=InvalidInput,
)
register_messages(
    {"not_found": ("{kind} {id} bestaat niet.", "{kind} {id} does not exist.")}, kind=NotFound
)
register_messages(
    {"conflict": ("De handeling botst met de huidige toestand.", "The action conflicts.")},
    kind=Conflict,
)
register_messages(
    {
        "access.not_authorised": (
            "U heeft niet de feature autorisatie '{feature}'.",
            "You do not hold the feature authorisation '{feature}'.",
        ),
        "access.scope_required": (
            "Hiervoor is autorisatie op de hele organisatie nodig.",
            "This needs a scope covering the whole organisation.",
        ),
    },
    kind=NotAllowed,
)


def placeholders(template: str) -> frozenset[str]:
    """The names a message template fills from ``details`` (``{field}``, ``{value!r}``)."""
    return frozenset(
        name.split(".")[0].split("[")[0]
        for _, name, _, _ in string.Formatter().parse(template)
        if name
    )


def is_data(value: object) -> bool:
    """Whether ``value`` is plain JSON data: ``None``, a bool, an int, a finite float, a string,
    or a list, tuple or string-keyed dict of such values."""
    if value is None or isinstance(value, bool | int | str):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list | tuple):
        return all(is_data(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_data(v) for k, v in value.items())
    return False


def detail_problems(code: str, details: Mapping[str, Any]) -> list[str]:
    """What keeps a refusal from meeting R0.5: an unregistered code, a placeholder of the Dutch
    or English message that ``details`` does not fill, a detail that is not plain data."""
    problems: list[str] = []
    texts = MESSAGES.get(code)
    if texts is None:
        problems.append("the code is not registered")
    else:
        for lang, template in zip(("nl", "en"), texts, strict=True):
            missing = placeholders(template) - details.keys()
            if missing:
                problems.append(f"the {lang} message needs {sorted(missing)}")
    for key, value in details.items():
        if not isinstance(key, str) or not is_data(value):
            problems.append(f"details[{key!r}] is {type(value).__name__}, not data")
    return problems


def require_data_details(error: DomainError) -> None:
    """A :data:`construction_check` that refuses a :class:`DomainError` with
    :func:`detail_problems` (raises :class:`TypeError`, so the code path that made it fails)."""
    problems = detail_problems(error.code, error.details)
    if problems:
        raise TypeError(f"DomainError {error.code!r} breaks R0.5: " + "; ".join(problems))


def catalogue() -> list[tuple[str, type[DomainError] | None, str, str]]:
    """Every registered code with its kind and its Dutch and English messages, by code."""
    return [(code, KINDS.get(code), *MESSAGES[code]) for code in sorted(MESSAGES)]
