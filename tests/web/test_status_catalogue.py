"""The web host answers every refusal with the HTTP status ``docs/errors.md`` gives it (R0.5,
R7.1): one table (:mod:`xs_app.http_status`) for both, checked code by code."""

from __future__ import annotations

import re
from pathlib import Path

from xs_app.catalogues import import_all, refusal_kind
from xs_app.web.problems import status_of
from xs_core.errors import KINDS, MESSAGES

ERRORS = Path(__file__).resolve().parents[2] / "docs" / "errors.md"
ROW = re.compile(r"^\| `([a-z0-9_.]+)` \| `\w+` \| (\d{3}) \|", re.MULTILINE)


def test_r0_5_every_refusal_gets_the_status_the_error_catalogue_gives_it() -> None:
    import_all()  # every module that registers codes
    documented = {code: int(status) for code, status in ROW.findall(ERRORS.read_text())}
    refusals = {code: kind for code, kind in KINDS.items() if refusal_kind(kind) is not None}
    assert set(documented) == set(refusals)
    for code, kind in sorted(refusals.items()):
        placeholders = set(re.findall(r"\{(\w+)", " ".join(MESSAGES[code])))
        error = kind(code, dict.fromkeys(placeholders, "x"))
        assert status_of(error) == documented[code], code
    assert {documented[c] for c in ("api.invalid_client", "api.token_invalid")} == {401}
    assert documented["api.request_too_large"] == 413
    assert documented["api.unsupported_media_type"] == 415
