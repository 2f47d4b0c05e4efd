"""R0.5: every error code belongs to a kind, speaks Dutch and English, and gets only data as
details; ``docs/errors.md`` is the registry's catalogue.

The registry is complete once every module of ``xs_core``, ``xs_adapters`` and ``xs_app`` is
imported (:func:`xs_app.catalogues.import_all`). The checks of the registry itself are static:
a kind per code, two non-empty messages naming the same placeholders, messages that render from
data. Whether the code *raising* a refusal gives it data details that fill its messages is
checked where every refusal is made: ``tests/conftest.py`` installs
:func:`xs_core.errors.require_data_details` as ``construction_check``, so every ``DomainError``
the test run makes — in every unit, contract and integration test, on every backend — fails
with a ``TypeError`` at its construction when its code is not registered, a placeholder of its
Dutch or English message is not in its details, or a detail is not plain data. Production code
runs without the check (``construction_check`` is ``None``): a refusal never fails on its own
details.

**Decision — the command line's runtime failures.** ``CliFailure`` (``cli.database_error``,
``cli.file_*``, ``cli.internal_error``, ``cli.interrupted`` …) is not a refusal: the database or
the file system failed, or the process was interrupted; nothing was decided by a rule. Its codes
are registered with ``kind=CliFailure``, a direct ``DomainError`` subclass outside the four
kinds, so ``except NotFound/Conflict/InvalidInput/NotAllowed`` never catches them and the web
host (which maps the four kinds to HTTP statuses) never sees one. ``docs/errors.md`` lists them
in a section of their own, without an HTTP status. They are the only codes outside the four
kinds, and all of them are ``cli.*``.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xs_app import catalogues
from xs_app.cli_support import CliFailure
from xs_core import errors
from xs_core.errors import (
    KINDS,
    KINDS_OF_REFUSAL,
    MESSAGES,
    Conflict,
    DomainError,
    InvalidInput,
    NotAllowed,
    NotFound,
    detail_problems,
    is_data,
    placeholders,
)

PAGE = Path(__file__).resolve().parents[2] / "docs" / "errors.md"
MODULES = catalogues.import_all()


def filled(code: str) -> dict[str, Any]:
    """Details for ``code`` with a distinct string per placeholder."""
    nl, en = MESSAGES[code]
    return {name: f"<{name}>" for name in placeholders(nl) | placeholders(en)}


def test_r0_5_every_module_is_imported_and_codes_are_registered() -> None:
    assert "xs_app.cli" in MODULES and "xs_adapters.sql.conflicts" in MODULES
    assert "xs_core.organisation.vat" in MODULES
    for code in ("vat.invalid_checksum", "agenda.capacity_exceeded", "cli.internal_error"):
        assert code in MESSAGES, code
    assert len(MESSAGES) > 100


def test_r0_5_every_code_has_a_kind_of_refusal_except_the_cli_failures() -> None:
    outside = []
    for code in MESSAGES:
        kind = KINDS.get(code)
        assert kind is not None, f"{code} is registered without a kind"
        if catalogues.refusal_kind(kind) is None:
            outside.append(code)
            assert kind is CliFailure, f"{code}: {kind.__name__} is not a kind of refusal"
            assert code.startswith("cli."), code
    assert not issubclass(CliFailure, KINDS_OF_REFUSAL)
    assert "cli.internal_error" in outside and "cli.file_no_space" in outside
    assert "cli.usage" not in outside  # a usage error is a refusal (InvalidInput, exit code 2)


def test_r0_5_raising_a_code_gives_its_kind() -> None:
    for code, kind in KINDS.items():
        raised = DomainError(code, filled(code))
        assert isinstance(raised, kind), code
        assert raised.code == code


def test_r0_5_every_code_speaks_dutch_and_english_with_the_same_placeholders() -> None:
    for code, (nl, en) in MESSAGES.items():
        assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)*", code), code
        assert nl.strip() and en.strip(), code
        assert placeholders(nl) == placeholders(en), code


def test_r0_5_every_message_renders_from_data_details_in_both_languages() -> None:
    for code in MESSAGES:
        details = filled(code)
        assert detail_problems(code, details) == [], code
        error = DomainError(code, details)
        for lang in ("nl", "en"):
            text = error.message(lang)  # type: ignore[arg-type]
            assert not re.search(r"{\w+(![rsa])?}", text), (code, lang, text)
            for name in details:
                assert f"<{name}>" in text or f"'<{name}>'" in text, (code, lang, name)


def test_r0_5_the_run_holds_every_refusal_to_r0_5_where_it_is_made() -> None:
    assert errors.construction_check is errors.require_data_details  # tests/conftest.py
    ident = uuid.uuid4()
    with pytest.raises(TypeError, match=r"details\['id'\] is UUID, not data"):
        NotFound("not_found", {"kind": "employer", "id": ident})
    with pytest.raises(TypeError, match=r"the en message needs \['id'\]"):
        NotFound("not_found", {"kind": "employer"})
    with pytest.raises(TypeError, match="not registered"):
        Conflict("organisation.no_such_code", {})
    with pytest.raises(TypeError, match="Decimal, not data"):
        InvalidInput("money.invalid_amount", {"value": Decimal("1.001")})
    fine = NotFound("not_found", {"kind": "employer", "id": str(ident), "rule": "R0.6"})
    assert fine.message("nl") == f"employer {ident} bestaat niet."


json_data = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=20,
)


@given(json_data)
def test_r0_5_plain_json_data_is_data(value: object) -> None:
    assert is_data(value)
    assert json.loads(json.dumps(value)) == value


@pytest.mark.parametrize(
    "value",
    [
        uuid.UUID(int=1),
        _dt.date(2026, 1, 1),
        Decimal("1.50"),
        {"a", "b"},
        [1, object()],
        {1: "key not a string"},
        float("nan"),
        b"bytes",
        NotAllowed,
    ],
)
def test_r0_5_other_values_are_not_data(value: object) -> None:
    assert not is_data(value)


def test_r0_5_the_catalogue_page_is_generated_from_the_registry() -> None:
    assert PAGE.read_text(encoding="utf-8") == catalogues.errors_page(), (
        "docs/errors.md is out of date: run `python -m xs_app.catalogues`"
    )


def row(page: str, code: str) -> list[str]:
    (line,) = [line for line in page.splitlines() if line.startswith(f"| `{code}` |")]
    return [cell.strip() for cell in line.strip("|").split(" | ")]


def test_r0_5_the_page_gives_every_code_its_kind_status_and_messages() -> None:
    page = PAGE.read_text(encoding="utf-8")
    for code in MESSAGES:
        assert page.count(f"| `{code}` |") == 1, code
    # examples checked by hand against the registrations and the web host's mapping
    assert row(page, "organisation.code_in_use")[1:3] == ["`Conflict`", "409"]
    assert row(page, "not_found") == [
        "`not_found`",
        "`NotFound`",
        "404",
        "{kind} {id} bestaat niet.",
        "{kind} {id} does not exist.",
    ]
    assert row(page, "access.not_authorised")[1:3] == ["`NotAllowed`", "403"]
    assert row(page, "vat.invalid_checksum")[1:3] == ["`InvalidInput`", "422"]
    assert row(page, "cli.internal_error")[:2] == ["`cli.internal_error`", "`CliFailure`"]
    failures = page.index("## Runtime failures of the command line")
    assert page.index("| `cli.internal_error` |") > failures > page.index("| `cli.usage` |")
