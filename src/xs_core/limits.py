"""Input limits: one named maximum per kind of field, and the checks that apply them (R0.5).

Every limit here is the limit of the column that stores the field. The core's validators use
these constants, and so do the SQL tables (``sa.String(limits.NAME)``), so the two cannot drift
apart; a unit test walks the tables and the aggregates to prove it. Because the core refuses what
a column cannot hold, PostgreSQL (which enforces ``VARCHAR(n)``) and SQLite (which does not)
behave identically: a refusal is a coded :class:`~xs_core.errors.DomainError` raised before
anything is stored, never a driver error.

Text lengths count characters (code points), as PostgreSQL's ``VARCHAR(n)`` does. Single-line
text (names, codes, titles, search terms, …) has its runs of white space collapsed to one space
and may not hold control characters (NUL, C0/C1 controls, DEL, the bidirectional embedding,
override and isolate controls) or lone surrogates: PostgreSQL refuses NUL in text, no engine can
encode a lone surrogate, and a bidirectional control in a name reorders what is shown around it.

>>> single_line("  Bakkerij   Jansen ", "name", NAME)
'Bakkerij Jansen'
>>> bounded_decimal("37.5", "hours_per_week", Decimal("0.01"), Decimal(168), 2)
Decimal('37.5')
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from xs_core.errors import InvalidInput, register_messages

# -- text: characters per column -----------------------------------------------------------------

#: names of folders, employers, departments, branches, contact persons, roles, users, protocols,
#: protocol variations, appointment locations and contract models
NAME = 200
FIRST_NAME = 100
LAST_NAME = 150
#: employer, department and branch codes (werkgevercode, afdelingscode)
CODE = 20
PERSONNEL_NUMBER = 40
#: an insurance policy number (R6)
POLICY_NUMBER = 40
#: the text of a manual participant registration (R6.4)
REGISTRATION_NOTE = 200
#: the exclusion reasons and notes of a registration, stored as comma-separated codes (R6.5)
REGISTRATION_CODES = 120
CONTACT_ROLE = 200
#: e-mail addresses (RFC 5321: 64 + 1 + 255)
EMAIL = 320
#: phone numbers, stored in E.164 (at most 16 characters)
PHONE = 32
STREET = 200
HOUSE_NUMBER = 20
POSTCODE = 10
CITY = 100
#: a VAT number's compact form (the longest EU form has 14 characters)
VAT_NUMBER = 20
#: an IBAN's compact form (at most 34 characters), a BIC (8 or 11), a country (ISO 3166 alpha-2)
IBAN = 34
BIC = 11
COUNTRY = 2
JOB_TITLE = 200
TASK_CODE = 60
TASK_TITLE = 200
TASK_REASON = 60
ACTIVITY_TYPE = 60
PURPOSE = 200
DESCRIPTION = 200
SERVICE_VARIATION = 200
FEATURE = 60
#: the name of a configuration parameter (configuratieparameter, R6.1)
PARAMETER_NAME = 60
#: stored enum values: kinds, statuses, frequencies, payers, end reasons
ENUM = 20
#: stored enum values of skip and compensation reasons
REASON_CODE = 40
GENDER = 1
#: a SHA-256 digest in hexadecimal (bulk-start fingerprints)
FINGERPRINT = 64
EVENT_NAME = 100
#: What the nightly evaluation read of a participant, as one text (R6.6; derived by the database)
PARTICIPANT_INPUTS = 1_000_000
#: an Argon2id password hash in PHC string form (R2.6)
PASSWORD_HASH = 200
#: a language code (``nl``, ``en``)
LANGUAGE = 2
#: an ``Idempotency-Key`` header of the external API (R7.1)
IDEMPOTENCY_KEY = 200
#: the key token attempts are counted under: ``address:`` and a remote address (R7.1)
ATTEMPT_KEY = 100
#: the id of a created resource an idempotent request answered (R7.1)
IDEMPOTENT_RESULT = 100
#: the subject and the text or HTML part of a custom mail template (R2.6)
MAIL_SUBJECT = 300
MAIL_TEMPLATE = 20_000
#: a document's file name, its content type, a dialog's subject, a message's text (R2.7)
FILE_NAME = 255
CONTENT_TYPE = 100
DIALOG_SUBJECT = 200
MESSAGE_BODY = 10_000
#: the display name of a search entry (an employee's "first last" fits: 100 + 1 + 150)
SEARCH_NAME = 300
#: normalised names and codes in the search index; longer normalised names are indexed by
#: their first ``SEARCH_KEY`` characters (R1.3)
SEARCH_KEY = 200
#: a search term as typed (R1.3, R1.4)
SEARCH_TERM = 200

# -- numbers: the ranges the columns store -------------------------------------------------------

#: PostgreSQL ``INTEGER`` (SQLite stores 64 bits; the smaller range holds on both engines)
INTEGER_MAX = 2**31 - 1
SMALLINT_MAX = 2**15 - 1
#: hours per week: ``NUMERIC(6, 2)``; the rule (R2.3) allows 0.01 up to 168 (7 × 24)
HOURS_PLACES = 2
HOURS_MIN = Decimal("0.01")
HOURS_MAX = Decimal(168)
#: a recovered percentage (``SMALLINT``, checked 1–100)
PERCENTAGE_MIN = 1
PERCENTAGE_MAX = 100
#: contact persons: a position is an index in the employer's list
POSITION_MAX = INTEGER_MAX
#: search pages (R1.3): deep paging is useless (refine the term) and the offset stays small
MAX_PAGE = 10_000
MAX_PAGE_SIZE = 200
#: an advanced search shows its first 10,000 results at most (R1.3): a page must end within
#: them, so that no request ranks or holds more (refine the term instead)
MAX_SEARCH_RESULTS = 10_000

# -- dates: the supported calendar window (R0.1) ------------------------------------------------

#: The first day the core accepts.
FIRST_DAY = _dt.date(1900, 1, 1)
#: The last day the core accepts.
LAST_DAY = _dt.date(2199, 12, 31)
#: The day after the window: the latest exclusive end of a half-open range (R0.2).
END_LIMIT = _dt.date(2200, 1, 1)

# -- commands: how much one command may do -------------------------------------------------------

#: A weekly availability series has at most this many occurrences (two years), R4.3.
MAX_SERIES_OCCURRENCES = 104


register_messages(
    {
        "input.too_long": (
            "{field} is te lang: {length} tekens, hoogstens {maximum}.",
            "{field} is too long: {length} characters, at most {maximum}.",
        ),
        "input.control_character": (
            "{field} bevat een niet-toegestaan stuurteken ({character}).",
            "{field} contains a control character that is not allowed ({character}).",
        ),
        "input.not_a_number": (
            "{field} is geen geldig getal: {value}.",
            "{field} is not a valid number: {value}.",
        ),
        "input.not_an_integer": (
            "{field} moet een geheel getal zijn: {value}.",
            "{field} must be a whole number: {value}.",
        ),
        "input.too_many_decimals": (
            "{field} heeft te veel decimalen: {value} (hoogstens {places}).",
            "{field} has too many decimals: {value} (at most {places}).",
        ),
        "input.out_of_range": (
            "{field} moet tussen {minimum} en {maximum} liggen: {value}.",
            "{field} must lie between {minimum} and {maximum}: {value}.",
        ),
    },
    kind=InvalidInput,
)

#: The bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069):
#: in a name they reorder what is shown around it ("Trojan Source" spoofing in lists, exports
#: and mails), and no name needs them.
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
#: C0 controls, DEL, C1 controls, bidirectional controls and lone surrogates.
_FORBIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")


def single_line(value: str, field: str, maximum: int) -> str:
    """Single-line text: white space collapsed and trimmed, no control characters, at most
    ``maximum`` characters. May return the empty string; see :func:`required_text`."""
    if not isinstance(value, str):
        raise TypeError(f"{field} must be text, not {type(value).__name__}")
    text = " ".join(value.split())
    forbidden = _FORBIDDEN.search(text)
    if forbidden is not None:
        raise InvalidInput(
            "input.control_character",
            {
                "field": field,
                "character": f"U+{ord(forbidden.group()):04X}",
                "position": forbidden.start(),
            },
        )
    if len(text) > maximum:
        raise InvalidInput(
            "input.too_long", {"field": field, "length": len(text), "maximum": maximum}
        )
    return text


#: Control characters a multi-line text may not hold (tab and line breaks may).
_FORBIDDEN_MULTI_LINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def multi_line(value: str, field: str, maximum: int) -> str:
    """Multi-line text (a mail template's text or HTML): kept as given, tabs and line breaks
    allowed, no other control characters, at most ``maximum`` characters."""
    if not isinstance(value, str):
        raise TypeError(f"{field} must be text, not {type(value).__name__}")
    forbidden = _FORBIDDEN_MULTI_LINE.search(value)
    if forbidden is not None:
        raise InvalidInput(
            "input.control_character",
            {
                "field": field,
                "character": f"U+{ord(forbidden.group()):04X}",
                "position": forbidden.start(),
            },
        )
    if len(value) > maximum:
        raise InvalidInput(
            "input.too_long", {"field": field, "length": len(value), "maximum": maximum}
        )
    return value


def _details(field: str, rule: str | None, **facts: Any) -> dict[str, Any]:
    return {"field": field, **({"rule": rule} if rule else {}), **facts}


def bounded_int(
    value: Any,
    field: str,
    minimum: int,
    maximum: int,
    code: str = "input.out_of_range",
    rule: str | None = None,
) -> int:
    """A whole number (not a bool) in ``[minimum, maximum]``; out of range raises ``code``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("input.not_an_integer", _details(field, rule, value=repr(value)))
    if not minimum <= value <= maximum:
        raise InvalidInput(
            code, _details(field, rule, value=value, minimum=minimum, maximum=maximum)
        )
    return value


def bounded_decimal(
    value: Any,
    field: str,
    minimum: Decimal,
    maximum: Decimal,
    places: int,
    code: str = "input.out_of_range",
    rule: str | None = None,
) -> Decimal:
    """An exact decimal (``Decimal``, ``int`` or numeric text; never a float or bool) with at
    most ``places`` decimals in ``[minimum, maximum]``, as a ``NUMERIC(p, places)`` column
    stores it without rounding."""
    if isinstance(value, bool | float) or not isinstance(value, Decimal | int | str):
        raise InvalidInput("input.not_a_number", _details(field, rule, value=repr(value)))
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise InvalidInput("input.not_a_number", _details(field, rule, value=repr(value))) from None
    if not number.is_finite():
        raise InvalidInput("input.not_a_number", _details(field, rule, value=str(number)))
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise InvalidInput(
            "input.too_many_decimals", _details(field, rule, value=str(number), places=places)
        )
    if not minimum <= number <= maximum:
        raise InvalidInput(
            code,
            _details(field, rule, value=str(number), minimum=str(minimum), maximum=str(maximum)),
        )
    return number
