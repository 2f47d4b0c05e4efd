"""Mail templates rendered in a Jinja2 sandbox, and the standard texts (R2.6).

Two layers keep a template inside its documented variables:

1. **Validation** (on save, and again before every render): the template is parsed and its syntax
   tree may hold only plain output, the documented variable names, constants, ``if``/``elif``/
   ``else``, comparisons, ``and``/``or``/``not``, ``~`` concatenation, the conditional expression
   and a short list of harmless filters. Attribute and item access, calls, loops, macros,
   ``include``/``import``/``extends``, assignments, arithmetic, ``self``, ``loop`` and every
   other name are refused with the line they are on.
2. **Rendering** in an :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` that has no
   globals (no ``range``, ``lipsum``, ``cycler``, ``joiner``, ``namespace``, ``dict``), no loader,
   only the allowed filters, answers no attribute as safe and no object as callable, refuses
   arithmetic and ``%`` formatting, and fails on any undefined name
   (:class:`~jinja2.StrictUndefined`). The HTML part is autoescaped.

Variables are handed in as plain strings only.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from xs_core.errors import InvalidInput
from xs_core.mail.model import (
    TEMPLATE_VARIABLES,
    MailTemplateSet,
    RenderedMail,
    TemplateEvent,
)

#: Filters a template may use.
ALLOWED_FILTERS = frozenset(
    {"e", "escape", "upper", "lower", "title", "capitalize", "trim", "default", "d", "length"}
)
#: Tests a template may use (``{% if user_name is defined %}``).
ALLOWED_TESTS = frozenset({"defined", "undefined", "none", "string", "eq", "ne"})
#: Node types a template may hold.
_ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Const,
    nodes.Name,
    nodes.Filter,
    nodes.Test,
    nodes.If,
    nodes.CondExpr,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Concat,
)
#: The longest text one render may produce (characters).
MAX_OUTPUT = 100_000
#: How many validated and compiled templates a renderer keeps.
_CACHE = 256


class _Sandbox(ImmutableSandboxedEnvironment):
    """The strictest sandbox: nothing is an attribute, nothing is callable, no arithmetic."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})
    intercepted_unops = frozenset({"+", "-"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        return False

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        raise SecurityError(f"operator {operator!r} is not allowed")

    def call_unop(self, context: Any, operator: str, arg: Any) -> Any:
        raise SecurityError(f"operator {operator!r} is not allowed")


def _plain_only(value: Any) -> Any:
    """Every ``{{ … }}`` outputs a string, a number, a boolean or nothing: never an object's
    representation (``{{ self }}``, a function, a class)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise SecurityError(f"output of a {type(value).__name__} is not allowed")


def _sandbox(autoescape: bool) -> _Sandbox:
    env = _Sandbox(
        autoescape=autoescape,
        finalize=_plain_only,
        undefined=StrictUndefined,
        loader=None,
        auto_reload=False,
        cache_size=200,
    )
    env.globals.clear()
    env.filters = {name: f for name, f in env.filters.items() if name in ALLOWED_FILTERS}
    env.tests = {name: t for name, t in env.tests.items() if name in ALLOWED_TESTS}
    return env


def _walk(node: nodes.Node) -> Iterator[nodes.Node]:
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


def _construct(node: nodes.Node) -> str:
    if isinstance(node, nodes.Filter | nodes.Test):
        return f"{type(node).__name__.lower()} {node.name!r}"
    if isinstance(node, nodes.Name):
        return f"name {node.name!r}"
    return type(node).__name__


class SandboxRenderer:
    """The :class:`~xs_core.mail.TemplateRenderer` of xs: validates and renders in the sandbox."""

    def __init__(self) -> None:
        self._text = _sandbox(autoescape=False)
        self._html = _sandbox(autoescape=True)
        #: sources that passed validation, by (event, part, source); compiled templates by
        #: (part, source): a dispatcher renders the same few templates thousands of times
        self._valid: OrderedDict[tuple[TemplateEvent, str, str], None] = OrderedDict()
        self._compiled: OrderedDict[tuple[str, str], Template] = OrderedDict()

    # -- validation --------------------------------------------------------------------------------

    def _check(self, event: TemplateEvent, part: str, source: str) -> None:
        key = (event, part, source)
        if key in self._valid:
            self._valid.move_to_end(key)
            return
        self._check_tree(event, part, source)
        self._valid[key] = None
        if len(self._valid) > _CACHE:
            self._valid.popitem(last=False)

    def _check_tree(self, event: TemplateEvent, part: str, source: str) -> nodes.Template:
        env = self._html if part == "html" else self._text
        try:
            tree = env.parse(source)
        except TemplateSyntaxError as error:
            raise InvalidInput(
                "mail.template_syntax",
                {
                    "part": part,
                    "line": error.lineno or 0,
                    "reason": str(error.message or error).rstrip("."),
                },
            ) from None
        allowed = set(TEMPLATE_VARIABLES[event])
        unknown: set[str] = set()
        for node in _walk(tree):
            line = getattr(node, "lineno", 0) or 0
            if not isinstance(node, _ALLOWED_NODES):
                raise InvalidInput(
                    "mail.template_forbidden",
                    {"part": part, "line": line, "construct": _construct(node)},
                )
            if isinstance(node, nodes.Const) and not isinstance(
                node.value, str | int | float | bool | type(None)
            ):
                raise InvalidInput(
                    "mail.template_forbidden",
                    {"part": part, "line": line, "construct": "constant"},
                )
            if isinstance(node, nodes.Name):
                if node.ctx != "load":
                    raise InvalidInput(
                        "mail.template_forbidden",
                        {"part": part, "line": line, "construct": _construct(node)},
                    )
                if node.name not in allowed:
                    unknown.add(node.name)
            if isinstance(node, nodes.Filter) and (
                node.name not in ALLOWED_FILTERS or node.dyn_args or node.dyn_kwargs
            ):
                raise InvalidInput(
                    "mail.template_forbidden",
                    {"part": part, "line": line, "construct": _construct(node)},
                )
            if isinstance(node, nodes.Test) and (
                node.name not in ALLOWED_TESTS or node.dyn_args or node.dyn_kwargs
            ):
                raise InvalidInput(
                    "mail.template_forbidden",
                    {"part": part, "line": line, "construct": _construct(node)},
                )
        if unknown:
            raise InvalidInput(
                "mail.template_unknown_variable",
                {"part": part, "names": sorted(unknown), "allowed": sorted(allowed)},
            )
        return tree

    def validate(self, event: TemplateEvent, parts: MailTemplateSet) -> None:
        for part in ("subject", "text", "html"):
            self._check(event, part, getattr(parts, part))
        sample = {name: f"[{name}]" for name in TEMPLATE_VARIABLES[event]}
        self.render(event, parts, sample)

    # -- rendering ---------------------------------------------------------------------------------

    def _template(self, part: str, source: str) -> Template:
        key = (part, source)
        found = self._compiled.get(key)
        if found is None:
            env = self._html if part == "html" else self._text
            found = self._compiled[key] = env.from_string(source)
            if len(self._compiled) > _CACHE:
                self._compiled.popitem(last=False)
        else:
            self._compiled.move_to_end(key)
        return found

    def _render(self, part: str, source: str, variables: dict[str, str]) -> str:
        try:
            output = self._template(part, source).render(variables)
        except (SecurityError, TemplateError, TypeError, ValueError) as error:
            raise InvalidInput(
                "mail.template_forbidden",
                {"part": part, "line": 0, "construct": type(error).__name__},
            ) from None
        if len(output) > MAX_OUTPUT:
            raise InvalidInput("mail.output_too_long", {"part": part, "maximum": MAX_OUTPUT})
        return output

    def render_unchecked(self, part: str, source: str, variables: dict[str, str]) -> str:
        """Render one part in the sandbox *without* the validation layer (tests hold the
        sandbox alone to the escape payloads)."""
        return self._render(part, source, {k: str(v) for k, v in variables.items()})

    def render(
        self, event: TemplateEvent, parts: MailTemplateSet, variables: dict[str, str]
    ) -> RenderedMail:
        allowed = TEMPLATE_VARIABLES[event]
        values = {name: str(variables.get(name, "")) for name in allowed}
        for part in ("subject", "text", "html"):
            self._check(event, part, getattr(parts, part))
        subject = self._render("subject", parts.subject, values)
        return RenderedMail(
            subject=" ".join(subject.split()),
            text=self._render("text", parts.text, values),
            html=self._render("html", parts.html, values),
        )

    def standard(self, event: TemplateEvent, language: str) -> MailTemplateSet:
        return STANDARD[event][language if language in ("nl", "en") else "nl"]


_HTML_NL = """<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Je wachtwoord is gewijzigd</title></head>
<body>
<p>Beste {{ user_name }},</p>
<p>Het wachtwoord van je account is gewijzigd op <strong>{{ changed_at }}</strong>.</p>
<p>Heb je dit zelf gedaan? Dan hoef je niets te doen.</p>
<p><strong>Heb je dit niet zelf gedaan?</strong> Neem dan direct contact op met
{{ support_contact }} en vraag om je account te blokkeren en je wachtwoord opnieuw in te
stellen.</p>
<p>Dit bericht is automatisch verstuurd; je kunt er niet op antwoorden.</p>
</body></html>
"""
_TEXT_NL = """Beste {{ user_name }},

Het wachtwoord van je account is gewijzigd op {{ changed_at }}.

Heb je dit zelf gedaan? Dan hoef je niets te doen.

Heb je dit niet zelf gedaan? Neem dan direct contact op met {{ support_contact }} en vraag om je
account te blokkeren en je wachtwoord opnieuw in te stellen.

Dit bericht is automatisch verstuurd; je kunt er niet op antwoorden.
"""
_HTML_EN = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Your password was changed</title></head>
<body>
<p>Dear {{ user_name }},</p>
<p>The password of your account was changed on <strong>{{ changed_at }}</strong>.</p>
<p>Did you do this yourself? Then there is nothing to do.</p>
<p><strong>Was it not you?</strong> Contact {{ support_contact }} at once and ask them to block
your account and reset your password.</p>
<p>This message was sent automatically; replies are not read.</p>
</body></html>
"""
_TEXT_EN = """Dear {{ user_name }},

The password of your account was changed on {{ changed_at }}.

Did you do this yourself? Then there is nothing to do.

Was it not you? Contact {{ support_contact }} at once and ask them to block your account and
reset your password.

This message was sent automatically; replies are not read.
"""

_INVITE_TEXT_NL = """Beste {{ user_name }},

Er is een account voor je aangemaakt. Kies je wachtwoord via deze link:

{{ invitation_url }}

De link werkt eenmalig, tot {{ expires_at }}. Vragen? Neem contact op met {{ support_contact }}.

Dit bericht is automatisch verstuurd; antwoorden worden niet gelezen.
"""
_INVITE_HTML_NL = """<!DOCTYPE html>
<html lang="nl"><body>
<p>Beste {{ user_name }},</p>
<p>Er is een account voor je aangemaakt. <a href="{{ invitation_url }}">Kies je wachtwoord</a>.</p>
<p>De link werkt eenmalig, tot {{ expires_at }}. Vragen? Neem contact op met
{{ support_contact }}.</p>
<p>Dit bericht is automatisch verstuurd; antwoorden worden niet gelezen.</p>
</body></html>
"""
_INVITE_TEXT_EN = """Dear {{ user_name }},

An account was created for you. Choose your password with this link:

{{ invitation_url }}

The link works once, until {{ expires_at }}. Questions? Contact {{ support_contact }}.

This message was sent automatically; replies are not read.
"""
_INVITE_HTML_EN = """<!DOCTYPE html>
<html lang="en"><body>
<p>Dear {{ user_name }},</p>
<p>An account was created for you. <a href="{{ invitation_url }}">Choose your password</a>.</p>
<p>The link works once, until {{ expires_at }}. Questions? Contact {{ support_contact }}.</p>
<p>This message was sent automatically; replies are not read.</p>
</body></html>
"""

#: The standard texts, by event and language (used when no custom template exists).
STANDARD: dict[TemplateEvent, dict[str, MailTemplateSet]] = {
    TemplateEvent.PASSWORD_CHANGED: {
        "nl": MailTemplateSet(subject="Je wachtwoord is gewijzigd", text=_TEXT_NL, html=_HTML_NL),
        "en": MailTemplateSet(subject="Your password was changed", text=_TEXT_EN, html=_HTML_EN),
    },
    TemplateEvent.INVITATION: {
        "nl": MailTemplateSet(
            subject="Welkom: kies je wachtwoord", text=_INVITE_TEXT_NL, html=_INVITE_HTML_NL
        ),
        "en": MailTemplateSet(
            subject="Welcome: choose your password", text=_INVITE_TEXT_EN, html=_INVITE_HTML_EN
        ),
    },
}
