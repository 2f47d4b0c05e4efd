"""The set-password page of an invitation (R7.1, R2.6): ``/invitation/{token}``, server-rendered
(Jinja2, no JavaScript), Dutch by default and English with ``?lang=en`` or ``Accept-Language``,
CSRF-protected; the token is never logged (see :mod:`xs_app.web.access_log`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Template

from xs_app.bootstrap import Xs
from xs_app.services.passwords import SetPasswordWithToken
from xs_app.web.problems import language
from xs_core.errors import DomainError, Lang

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Kies je wachtwoord",
        "intro": "Kies een wachtwoord van minstens 12 tekens. Een zin van een paar woorden is "
        "makkelijk te onthouden en moeilijk te raden.",
        "password": "Nieuw wachtwoord",
        "repeat": "Herhaal het wachtwoord",
        "submit": "Wachtwoord opslaan",
        "differ": "De wachtwoorden komen niet overeen.",
        "done_title": "Je wachtwoord is opgeslagen",
        "done": "Je kunt nu inloggen met je e-mailadres en je nieuwe wachtwoord.",
        "invalid_title": "Deze link werkt niet meer",
        "other": "English",
    },
    "en": {
        "title": "Choose your password",
        "intro": "Choose a password of at least 12 characters. A sentence of a few words is "
        "easy to remember and hard to guess.",
        "password": "New password",
        "repeat": "Repeat the password",
        "submit": "Save password",
        "differ": "The passwords do not match.",
        "done_title": "Your password was saved",
        "done": "You can now sign in with your e-mail address and your new password.",
        "invalid_title": "This link no longer works",
        "other": "Nederlands",
    },
}

_TOKEN_CODES = ("access.token_unknown", "access.token_used", "access.token_expired")


def _lang(request: Request[Any, Any, Any], lang: str | None) -> Lang:
    if lang in ("nl", "en"):
        return "en" if lang == "en" else "nl"
    return language(request.headers.get("accept-language"))


def _page(name: str, lang: Lang, status: int = 200, **context: Any) -> Template:
    return Template(
        template_name=name,
        context={
            "t": TEXTS[lang],
            "lang": lang,
            "other": "nl" if lang == "en" else "en",
            **context,
        },
        status_code=status,
        media_type="text/html",
    )


@get("/invitation/{token:str}", include_in_schema=False)
async def invitation_page(
    request: Request[Any, Any, Any],
    token: FromPath[str],
    xs: NamedDependency[Xs],
    lang: Annotated[str | None, QueryParameter(name="lang")] = None,
) -> Template:
    """The form, or a clear page when the link is used, expired or unknown."""
    chosen = _lang(request, lang)
    try:
        await sync_to_thread(xs.credentials.check_token, token)
    except DomainError as refused:
        return _page("invitation_invalid.html", chosen, 410, message=refused.message(chosen))
    return _page("invitation.html", chosen, errors=[])


@dataclass
class PasswordForm:
    password: str = ""
    password_repeat: str = ""


@post("/invitation/{token:str}", include_in_schema=False, status_code=200)
async def set_password(
    request: Request[Any, Any, Any],
    token: FromPath[str],
    data: URLEncodedBody[PasswordForm],
    xs: NamedDependency[Xs],
    lang: Annotated[str | None, QueryParameter(name="lang")] = None,
) -> Template:
    """Set the password; the policy's errors are shown beside the field."""
    chosen = _lang(request, lang)
    if data.password != data.password_repeat:
        return _page("invitation.html", chosen, 422, errors=[TEXTS[chosen]["differ"]])
    try:
        await sync_to_thread(
            xs.credentials.set_password_with_token,
            SetPasswordWithToken(token=token, password=data.password),
        )
    except DomainError as refused:
        if refused.code in _TOKEN_CODES:
            return _page("invitation_invalid.html", chosen, 410, message=refused.message(chosen))
        return _page("invitation.html", chosen, 422, errors=[refused.message(chosen)])
    return _page("invitation_done.html", chosen)


HANDLERS = [invitation_page, set_password]
