"""Argument types of the ``xs`` command line: each turns the text of one option into a value or
refuses it with a coded, bilingual :class:`~xs_core.errors.DomainError` that names the option
(exit code 2, see :mod:`xs_app.cli_support`).

Dates are ISO ``YYYY-MM-DD`` inside the supported window (R0.1); an exclusive end (R0.2) may be
the day after it. Instants are ``YYYY-MM-DDTHH:MM[:SS]`` in Europe/Amsterdam, or with an explicit
UTC offset. Amounts are non-negative euros with at most two decimals within the money limit
(R0.3). Counts are whole numbers within the bounds the command gives. Ranges are checked with
:func:`check_after`.

The limits are the core's own (:mod:`xs_core.limits`, :data:`xs_core.money.MAX_AMOUNT`), and local
times are read by :func:`xs_core.agenda.spans.local_instant`, so the command line refuses exactly
what the core would.
"""

from __future__ import annotations

import datetime as _dt
import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import pendulum
import sqlalchemy as sa
import typer

from xs_core.agenda.spans import local_instant
from xs_core.errors import InvalidInput, register_messages
from xs_core.limits import END_LIMIT, FIRST_DAY, LAST_DAY
from xs_core.money import MAX_AMOUNT, Money
from xs_core.policies.conditions import Age

_CENT = Decimal("0.01")

#: The suite's zone for local times (R0.1).
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")

#: At most this many characters of a refused value are repeated in a message.
_SHOWN = 40


class ArgumentRefused(InvalidInput):
    """An option or argument of the command line that is not a valid value (exit code 2)."""

    default_code = "cli.invalid_argument"


register_messages(
    {
        "cli.invalid_argument": (
            "{option}: ongeldige waarde '{value}'.",
            "{option}: invalid value '{value}'.",
        ),
        "cli.not_a_date": (
            "{option}: '{value}' is geen geldige datum; gebruik JJJJ-MM-DD.",
            "{option}: '{value}' is not a valid date; use YYYY-MM-DD.",
        ),
        "cli.date_outside_window": (
            "{option}: {value} valt buiten de ondersteunde periode {first} t/m {last}.",
            "{option}: {value} lies outside the supported period {first} to {last} inclusive.",
        ),
        "cli.not_a_time": (
            "{option}: '{value}' is geen geldig tijdstip; gebruik JJJJ-MM-DDTUU:MM "
            "(Europe/Amsterdam) of voeg een UTC-afwijking toe.",
            "{option}: '{value}' is not a valid time; use YYYY-MM-DDTHH:MM (Europe/Amsterdam) "
            "or add a UTC offset.",
        ),
        "cli.not_a_uuid": (
            "{option}: '{value}' is geen geldige id (UUID).",
            "{option}: '{value}' is not a valid id (UUID).",
        ),
        "cli.not_an_integer": (
            "{option}: '{value}' is geen geheel getal.",
            "{option}: '{value}' is not a whole number.",
        ),
        "cli.out_of_range": (
            "{option} moet tussen {minimum} en {maximum} liggen: {value}.",
            "{option} must lie between {minimum} and {maximum}: {value}.",
        ),
        "cli.not_an_amount": (
            "{option}: '{value}' is geen geldig bedrag; gebruik bijvoorbeeld 100.00.",
            "{option}: '{value}' is not a valid amount; use for example 100.00.",
        ),
        "cli.negative_amount": (
            "{option} mag niet negatief zijn: {value}.",
            "{option} may not be negative: {value}.",
        ),
        "cli.amount_too_many_decimals": (
            "{option} heeft meer dan twee decimalen: {value}.",
            "{option} has more than two decimals: {value}.",
        ),
        "cli.amount_too_large": (
            "{option} is te groot: {value} (ten hoogste {maximum}).",
            "{option} is too large: {value} (at most {maximum}).",
        ),
        "cli.range_reversed": (
            "{end_option} ({end}) moet na {start_option} ({start}) liggen.",
            "{end_option} ({end}) must be after {start_option} ({start}).",
        ),
        "cli.not_an_age": (
            "{option}: '{value}' is geen leeftijd; gebruik jaren, eventueel met maanden: 66, "
            "66j3m of 66y3m.",
            "{option}: '{value}' is not an age; use years, optionally with months: 66, 66y3m "
            "or 66j3m.",
        ),
        "cli.invalid_database_url": (
            "{option}: geen geldige database-URL; gebruik sqlite:///<bestand> of "
            "postgresql://<server>/<database>.",
            "{option}: not a valid database URL; use sqlite:///<file> or "
            "postgresql://<host>/<database>.",
        ),
    },
    kind=InvalidInput,
)


def _shown(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _refused(code: str, option: str, value: object, **facts: object) -> ArgumentRefused:
    return ArgumentRefused(code, {"option": option, "value": _shown(value), **facts})


# -- dates ---------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(option: str, value: object, *, end: bool = False) -> _dt.date:
    """An ISO ``YYYY-MM-DD`` day of the supported window (R0.1); with ``end=True`` an exclusive
    end (R0.2), which may be the day after the window."""
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        day = value
    else:
        text = str(value).strip()
        if not _ISO_DATE.fullmatch(text):
            raise _refused("cli.not_a_date", option, value)
        try:
            day = _dt.date.fromisoformat(text)
        except ValueError:
            raise _refused("cli.not_a_date", option, value) from None
    last = END_LIMIT if end else LAST_DAY
    if not FIRST_DAY <= day <= last:
        raise _refused(
            "cli.date_outside_window",
            option,
            day.isoformat(),
            first=FIRST_DAY.isoformat(),
            last=last.isoformat(),
        )
    return day


def date_option(option: str, help: str, *, end: bool = False) -> Any:
    """A ``typer.Option`` for an ISO date (``end=True``: an exclusive end, R0.2)."""
    return typer.Option(
        option,
        help=f"{help}, YYYY-MM-DD",
        metavar="YYYY-MM-DD",
        parser=lambda value: parse_date(option, value, end=end),
    )


# -- instants ------------------------------------------------------------------------------------

_ISO_TIME = re.compile(
    r"(?P<wall>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?)(?P<offset>Z|[+-]\d{2}:?\d{2})?"
)


def parse_instant(option: str, value: object) -> pendulum.DateTime:
    """An instant as UTC (R0.1): ``YYYY-MM-DDTHH:MM[:SS]`` in Europe/Amsterdam, or with an explicit
    UTC offset (``Z``, ``+01:00``), which also settles the repeated autumn hour."""
    text = str(value).strip()
    match = _ISO_TIME.fullmatch(text)
    if match is None:
        raise _refused("cli.not_a_time", option, value)
    try:
        moment = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _refused("cli.not_a_time", option, value) from None
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise _refused(
            "cli.date_outside_window",
            option,
            moment.date().isoformat(),
            first=FIRST_DAY.isoformat(),
            last=LAST_DAY.isoformat(),
        )
    if moment.tzinfo is None:
        return local_instant(moment)
    return pendulum.instance(moment.astimezone(_dt.UTC))


def instant_option(option: str, help: str) -> Any:
    """A ``typer.Option`` for an instant (Europe/Amsterdam unless an offset is given)."""
    return typer.Option(
        option,
        help=f"{help}, YYYY-MM-DDTHH:MM (Europe/Amsterdam, or with a UTC offset)",
        metavar="YYYY-MM-DDTHH:MM",
        parser=lambda value: parse_instant(option, value),
    )


# -- ranges --------------------------------------------------------------------------------------


def check_after(start_option: str, start: _dt.date, end_option: str, end: _dt.date) -> None:
    """Refuse ``end`` unless it lies after ``start`` (half-open ranges and spans, R0.2)."""
    if not start < end:
        raise ArgumentRefused(
            "cli.range_reversed",
            {
                "start_option": start_option,
                "start": _moment(start),
                "end_option": end_option,
                "end": _moment(end),
            },
        )


def _moment(value: _dt.date) -> str:
    """A date as ISO; an instant as its Europe/Amsterdam wall time with offset (as typed)."""
    if isinstance(value, _dt.datetime):
        return value.astimezone(LOCAL_ZONE).isoformat(timespec="minutes")
    return value.isoformat()


# -- numbers -------------------------------------------------------------------------------------

_INTEGER = re.compile(r"[+-]?\d+")


def parse_count(option: str, value: object, minimum: int, maximum: int) -> int:
    """A whole number in ``[minimum, maximum]``."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip()
        if not _INTEGER.fullmatch(text):
            raise _refused("cli.not_an_integer", option, value)
        try:
            number = int(text)
        except ValueError:  # more digits than Python converts
            raise _refused("cli.not_an_integer", option, value) from None
    if not minimum <= number <= maximum:
        raise _refused("cli.out_of_range", option, number, minimum=minimum, maximum=maximum)
    return number


def count_option(option: str, help: str, minimum: int, maximum: int) -> Any:
    """A ``typer.Option`` for a whole number in ``[minimum, maximum]``."""
    return typer.Option(
        option,
        help=f"{help} ({minimum}–{maximum})",
        metavar="N",
        parser=lambda value: parse_count(option, value, minimum, maximum),
    )


def parse_amount(option: str, value: object) -> Money:
    """A non-negative amount in euros with at most two decimals, within the money limit (R0.3).
    Checked before :class:`Money` is made, so that no decimal context is ever exceeded."""
    text = str(value).strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise _refused("cli.not_an_amount", option, value) from None
    if not amount.is_finite():
        raise _refused("cli.not_an_amount", option, value)
    if amount < 0:
        raise _refused("cli.negative_amount", option, value)
    if amount > MAX_AMOUNT:
        raise _refused("cli.amount_too_large", option, value, maximum=str(MAX_AMOUNT))
    cents = amount.quantize(_CENT)  # exact: the amount has at most 15 integer digits here
    if cents != amount:
        raise _refused("cli.amount_too_many_decimals", option, value)
    return Money(cents)


def amount_option(option: str, help: str) -> Any:
    """A ``typer.Option`` for an amount in euros."""
    return typer.Option(
        option,
        help=f"{help}, euros with at most two decimals (100.00)",
        metavar="AMOUNT",
        parser=lambda value: parse_amount(option, value),
    )


# -- ages (R6.2) ---------------------------------------------------------------------------------

_AGE = re.compile(r"(?P<years>\d{1,3})(?:\s*[yj]\s*(?:(?P<months>\d{1,2})\s*m)?)?", re.IGNORECASE)


def parse_age(option: str, value: object) -> Age:
    """An age in years and months (``66``, ``66y3m``, Dutch ``66j3m``); the range is the core's
    (:class:`~xs_core.policies.conditions.Age`, ``policies.invalid_age``)."""
    if isinstance(value, Age):
        return value
    match = _AGE.fullmatch(str(value).strip())
    if match is None:
        raise _refused("cli.not_an_age", option, value)
    return Age(int(match["years"]), int(match["months"] or 0))


def age_option(option: str, help: str) -> Any:
    """A ``typer.Option`` for an age in years and months."""
    return typer.Option(
        option,
        help=f"{help}, years with optional months: 66 or 66y3m",
        metavar="AGE",
        parser=lambda value: parse_age(option, value),
    )


# -- ids -----------------------------------------------------------------------------------------


def parse_uuid(option: str, value: object) -> uuid.UUID:
    """An id (UUID)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        raise _refused("cli.not_a_uuid", option, value) from None


def uuid_option(option: str, help: str) -> Any:
    """A ``typer.Option`` for an id (UUID)."""
    return typer.Option(
        option, help=f"{help} (UUID)", metavar="UUID", parser=lambda v: parse_uuid(option, v)
    )


def uuid_argument(name: str, help: str) -> Any:
    """A ``typer.Argument`` for an id (UUID)."""
    return typer.Argument(help=f"{help} (UUID)", metavar=name, parser=lambda v: parse_uuid(name, v))


# -- database URLs -------------------------------------------------------------------------------

_BACKENDS = frozenset({"sqlite", "postgresql", "postgres"})


def parse_database_url(option: str, value: object) -> str:
    """A SQLAlchemy URL of a SQLite or PostgreSQL database; the text is kept as given."""
    text = str(value).strip()
    try:
        backend = sa.engine.make_url(text).get_backend_name()
    except (sa.exc.ArgumentError, ValueError):
        raise ArgumentRefused("cli.invalid_database_url", {"option": option}) from None
    if backend not in _BACKENDS:
        raise ArgumentRefused("cli.invalid_database_url", {"option": option})
    return text


def shown_url(url: str) -> str:
    """A database URL for messages: the password hidden."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except (sa.exc.ArgumentError, ValueError):
        return "?"
