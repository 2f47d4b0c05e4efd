"""Employer VAT number (BTW-nummer), R1.1.

Input is normalised (spaces, dots and dashes removed, upper case); a Dutch number may be given
without the ``NL`` prefix. The number is validated by format and check digits: the Dutch
btw-nummer (``NL`` + 9 digits + ``B`` + 2 digits, old mod-11 or newer mod-97 check) and the other
EU member states' formats (python-stdnum). It is stored in python-stdnum's compact form and shown
formatted.

>>> str(VatNumber.parse("nl 0044.95.445-b01"))
'NL004495445B01'
>>> VatNumber.parse("004495445B01").formatted
'NL 004495445 B01'
>>> str(VatNumber.parse("DE 136,695 976")), str(VatNumber.parse("BE403170701"))
('DE136695976', 'BE0403170701')
"""

from __future__ import annotations

import re

import attrs
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat

from xs_core import limits
from xs_core.errors import InvalidInput, register_messages


class InvalidVatNumber(InvalidInput):
    """A VAT number refused by R1.1; ``code`` names the reason."""

    default_code = "vat.invalid_format"


register_messages(
    {
        "vat.invalid_format": (
            "Het BTW-nummer '{value}' heeft een ongeldig formaat.",
            "The VAT number '{value}' has an invalid format.",
        ),
        "vat.invalid_length": (
            "Het BTW-nummer '{value}' heeft een ongeldige lengte.",
            "The VAT number '{value}' has an invalid length.",
        ),
        "vat.invalid_checksum": (
            "Het controlecijfer van BTW-nummer '{value}' klopt niet.",
            "The check digits of VAT number '{value}' are wrong.",
        ),
        "vat.unknown_country": (
            "Onbekende landcode '{country}' in BTW-nummer '{value}'.",
            "Unknown country code '{country}' in VAT number '{value}'.",
        ),
    },
    kind=InvalidInput,
)

_STRIP = re.compile(r"[\s.\-]")
#: A Dutch number without its ``NL`` prefix; leading zeros may be left out, as python-stdnum
#: allows (``4495445B01`` is ``NL004495445B01``).
_NL_WITHOUT_PREFIX = re.compile(r"\d{1,9}B\d{2}")
#: The length of a complete Dutch number (``NL`` + 9 digits + ``B`` + 2 digits); a longer one is
#: refused for its length (python-stdnum would call some of them a format error).
_NL_LENGTH = 14
#: Greece writes ``EL``; python-stdnum's member states list it as ``gr``.
_COUNTRIES = frozenset(c.upper() for c in eu_vat.MEMBER_STATES) | {"EL"}


def normalise_vat(text: str) -> str:
    """Remove spaces, dots and dashes, upper-case, and add ``NL`` to a bare Dutch number. This
    only prepares the input; the stored form is python-stdnum's compact form
    (:meth:`VatNumber.parse`)."""
    compact = _STRIP.sub("", text).upper()
    if _NL_WITHOUT_PREFIX.fullmatch(compact):
        compact = "NL" + compact
    return compact


@attrs.frozen
class VatNumber:
    """A validated VAT number in python-stdnum's compact form, country prefix included (R1.1)."""

    compact: str

    @classmethod
    def parse(cls, text: str) -> VatNumber:
        """Normalise and validate; raises :class:`InvalidVatNumber` with the reason.

        What python-stdnum accepts is accepted, and stored in exactly its compact form: a Dutch
        number without leading zeros gets them back, an old nine-digit Belgian number gets its
        leading ``0``, separators stdnum knows (also commas in German numbers) are removed.
        """
        value = normalise_vat(text)
        details = {"rule": "R1.1", "value": text.strip()}
        if len(value) < 3 or not value.isprintable() or not value[:2].isalpha():
            raise InvalidVatNumber("vat.invalid_format", details)
        country = value[:2]
        if not country.isascii():
            raise InvalidVatNumber("vat.invalid_format", details)
        if country not in _COUNTRIES:
            raise InvalidVatNumber("vat.unknown_country", {**details, "country": country})
        if country == "NL" and len(value) > _NL_LENGTH:
            raise InvalidVatNumber("vat.invalid_length", details)
        try:
            compact = str(eu_vat.validate(value))
        except stdnum_errors.InvalidLength:
            raise InvalidVatNumber("vat.invalid_length", details) from None
        except stdnum_errors.InvalidChecksum:
            raise InvalidVatNumber("vat.invalid_checksum", details) from None
        except stdnum_errors.ValidationError:
            raise InvalidVatNumber("vat.invalid_format", details) from None
        if len(compact) > limits.VAT_NUMBER:  # no member state's form is this long
            raise InvalidVatNumber("vat.invalid_length", details)
        return cls(compact)

    @property
    def country(self) -> str:
        return self.compact[:2]

    @property
    def formatted(self) -> str:
        """Display form: country, national number and (Dutch) the ``B`` suffix apart."""
        national = self.compact[2:]
        if self.country == "NL":
            return f"NL {national[:9]} {national[9:]}"
        return f"{self.country} {national}"

    def __str__(self) -> str:
        return self.compact
