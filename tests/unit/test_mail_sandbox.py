"""R2.6: custom templates stay inside their documented variables.

Known Jinja2 sandbox escapes (attribute walks to ``__globals__``/``os``, ``self`` and its
module, the ``cycler``/``joiner``/``lipsum``/``namespace`` globals, format-string tricks,
``attr``/``map`` filters, includes and imports, loops and arithmetic for exhaustion, …) are run
against both layers: validation refuses every one of them on save, and the sandbox alone (without
validation) renders none of them into anything but the documented variables' values.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_adapters.mail.templates import STANDARD, SandboxRenderer
from xs_core.errors import InvalidInput
from xs_core.mail.model import TEMPLATE_VARIABLES, MailTemplateSet, TemplateEvent

E = TemplateEvent.PASSWORD_CHANGED
VALUES = {"user_name": "Anne", "changed_at": "vandaag", "support_contact": "helpdesk"}

PAYLOADS = [
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__.__mro__[-1].__subclasses__()[40]('/etc/passwd').read() }}",
    "{{ user_name.__class__.__base__.__subclasses__() }}",
    "{{ user_name.__init__.__globals__ }}",
    "{{ user_name['__class__'] }}",
    "{{ user_name|attr('__class__') }}",
    "{{ (user_name|attr('__class__')|attr('__mro__'))[1] }}",
    "{{ self }}",
    "{{ self.__init__.__globals__.__builtins__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__.os.popen('id').read() }}",
    "{{ namespace.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ lipsum() }}",
    "{{ range(10) }}",
    "{{ dict(a=1) }}",
    "{{ config }}",
    "{{ request }}",
    "{{ environ }}",
    "{{ '{0.__class__}'.format(user_name) }}",
    "{{ '%s'|format(user_name.__class__) }}",
    "{{ '%s' % user_name }}",
    "{{ user_name.format_map({}) }}",
    "{{ user_name.upper() }}",
    "{% include '/etc/passwd' %}",
    "{% import 'os' as os %}{{ os }}",
    "{% from 'x' import y %}{{ y }}",
    "{% extends '/etc/passwd' %}",
    "{% for c in ''.__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{% for a in user_name %}{% for b in user_name %}{{ a }}{% endfor %}{% endfor %}",
    "{% set x = user_name %}{{ x }}",
    "{% macro m() %}{{ caller }}{% endmacro %}{{ m() }}",
    "{{ user_name * 100000000 }}",
    "{{ 9 ** 9 ** 9 }}",
    "{{ user_name|map(attribute='__class__')|list }}",
    "{{ [user_name]|map('attr', '__class__')|list }}",
    "{{ user_name|center(1000000000) }}",
    "{{ user_name|indent(1000000000) }}",
    "{{ loop }}",
    "{{ varargs }}",
    "{% raw %}{{ x }}{% endraw %}{{ user_name.__doc__ }}",
    "{{ user_name|safe }}",
    "{{ [].append(1) }}",
    "{{ {}.update(a=1) }}",
    "{{ (1).__class__ }}",
    "{{ user_name.__len__() }}",
    "{% filter upper %}{{ self }}{% endfilter %}",
    "{% with a = self %}{{ a }}{% endwith %}",
    "{% call(x) m() %}{% endcall %}",
    "{% autoescape false %}{{ user_name }}{% endautoescape %}{{ self }}",
]

#: What no output may hold: object representations, dunder names, files, process output.
LEAKS = ("<", "__", "class", "object", "function", "module", "root:", "uid=", "Template", "{'")


def test_r2_6_there_are_at_least_30_escape_payloads() -> None:
    assert len(set(PAYLOADS)) >= 30


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("part", ["subject", "text", "html"])
def test_r2_6_validation_refuses_every_escape_payload(payload: str, part: str) -> None:
    parts = {"subject": "Onderwerp", "text": "Tekst", "html": "<p>HTML</p>", part: payload}
    with pytest.raises(InvalidInput) as refused:
        SandboxRenderer().validate(E, MailTemplateSet(**parts))
    assert refused.value.code.startswith("mail.template_")


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("part", ["text", "html"])
def test_r2_6_the_sandbox_alone_renders_no_escape_payload(payload: str, part: str) -> None:
    try:
        output = SandboxRenderer().render_unchecked(part, payload, VALUES)
    except InvalidInput as refused:
        code = refused.code
    else:
        code = None
    if code is not None:
        assert code.startswith("mail.template_")
        return
    leftover = output
    for value in VALUES.values():
        leftover = leftover.replace(value, "")
    for leak in LEAKS:
        assert leak not in leftover, (payload, output)
    assert len(output) < 1000


def test_r2_6_the_standard_texts_pass_their_own_validation() -> None:
    renderer = SandboxRenderer()
    for event, by_language in STANDARD.items():
        assert set(by_language) == {"nl", "en"}
        for parts in by_language.values():
            renderer.validate(event, parts)


def test_r2_6_the_documented_variables_and_allowed_constructs_render() -> None:
    parts = MailTemplateSet(
        subject="{{ user_name|upper }} – {{ changed_at }}",
        text=(
            "{% if support_contact %}Bel {{ support_contact|default('ons') }}{% else %}-"
            "{% endif %} {{ user_name ~ '!' }} {{ 'ja' if user_name is defined else 'nee' }}"
        ),
        html="<p>{{ user_name|e }} {{ user_name|length }}</p>",
    )
    renderer = SandboxRenderer()
    renderer.validate(E, parts)
    rendered = renderer.render(E, parts, {**VALUES, "user_name": "<Anne & Bob>"})
    assert rendered.subject == "<ANNE & BOB> – vandaag"
    assert rendered.text == "Bel helpdesk <Anne & Bob>! ja"
    assert rendered.html == "<p>&lt;Anne &amp; Bob&gt; 12</p>"


def test_r2_6_a_syntax_error_names_its_line() -> None:
    with pytest.raises(InvalidInput) as refused:
        SandboxRenderer().validate(
            E, MailTemplateSet(subject="s", text="a\nb\n{% if %}\n", html="h")
        )
    assert refused.value.code == "mail.template_syntax"
    assert (refused.value.details["part"], refused.value.details["line"]) == ("text", 3)


def test_r2_6_unknown_variables_are_named() -> None:
    with pytest.raises(InvalidInput) as refused:
        SandboxRenderer().validate(
            E, MailTemplateSet(subject="s", text="{{ token }} {{ password }}", html="h")
        )
    assert refused.value.code == "mail.template_unknown_variable"
    assert refused.value.details["names"] == ["password", "token"]
    assert refused.value.details["allowed"] == sorted(TEMPLATE_VARIABLES[E])


@given(st.text(max_size=200))
def test_r2_6_any_text_is_either_refused_or_renders_only_its_literal_text_and_variables(
    source: str,
) -> None:
    renderer = SandboxRenderer()
    try:
        parts = MailTemplateSet(subject="s", text=source, html="h")
        renderer.validate(E, parts)
    except InvalidInput:
        return
    rendered = renderer.render(E, parts, VALUES)
    assert len(rendered.text) <= len(source) * (1 + max(len(v) for v in VALUES.values()))
