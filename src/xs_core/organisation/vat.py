"""Employer VAT number (BTW-nummer), R1.1.

Input is normalised (spaces, dots and dashes removed, upper case); a Dutch number may be given
without the ``NL`` prefix. The number is validated by format and check digits: the Dutch
btw-nummer (``NL`` + 9 digits + ``B`` + 2 digits, old mod-11 or newer mod-97 check) and the other
EU member states' formats (python-stdnum). It is stored compact and shown formatted.

>>> str(VatNumber.parse("nl 0044.95.445-b01"))
'NL004495445B01'
>>> VatNumber.parse("004495445B01").formatted
'NL 004495445 B01'
"""

from __future__ import annotations

import re

import attrs
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat

from xs_core.errors import DomainError, register_messages


class InvalidVatNumber(DomainError):
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
    }
)

_STRIP = re.compile(r"[\s.\-]")
_NL_WITHOUT_PREFIX = re.compile(r"^\d{9}B\d{2}$")
_NL_SHAPE = re.compile(r"^NL\d{9}B\d{2}$")


def normalise_vat(text: str) -> str:
    """Remove spaces, dots and dashes, upper-case, and add ``NL`` to a bare Dutch number."""
    compact = _STRIP.sub("", text).upper()
    if _NL_WITHOUT_PREFIX.match(compact):
        compact = "NL" + compact
    return compact


@attrs.frozen
class VatNumber:
    """A validated VAT number in compact form, country prefix included (R1.1)."""

    compact: str

    @classmethod
    def parse(cls, text: str) -> VatNumber:
        """Normalise and validate; raises :class:`InvalidVatNumber` with the reason."""
        value = normalise_vat(text)
        details = {"rule": "R1.1", "value": text.strip()}
        if len(value) < 3 or not value[:2].isalpha():
            raise InvalidVatNumber("vat.invalid_format", details)
        country = value[:2]
        if country.lower() not in eu_vat.MEMBER_STATES and country not in ("EL",):
            raise InvalidVatNumber("vat.unknown_country", {**details, "country": country})
        if country == "NL":
            if len(value) != 14:
                raise InvalidVatNumber("vat.invalid_length", details)
            if not _NL_SHAPE.match(value):
                raise InvalidVatNumber("vat.invalid_format", details)
        try:
            eu_vat.validate(value)
        except stdnum_errors.InvalidLength:
            raise InvalidVatNumber("vat.invalid_length", details) from None
        except stdnum_errors.InvalidChecksum:
            raise InvalidVatNumber("vat.invalid_checksum", details) from None
        except stdnum_errors.ValidationError:
            raise InvalidVatNumber("vat.invalid_format", details) from None
        return cls(value)

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
