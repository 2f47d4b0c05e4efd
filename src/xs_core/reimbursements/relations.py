"""Relations beside the customers: suppliers (leveranciers) and referrers (aanmelders), R5.2.

A relation has a name, a code (unique per kind, case-insensitively), a postal address (a Dutch
postcode is validated and written ``1234 AB``), an optional VAT number (R1.1's
:class:`~xs_core.organisation.vat.VatNumber`), an optional IBAN (validated by its check digits and
country format, stored compact, shown in groups of four, with the BIC derived from it where the
bank is known) and an active flag. Suppliers are paid the reimbursements of R5.5.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Iterable
from typing import ClassVar

import attrs

from xs_core import limits
from xs_core.errors import Conflict, DomainError, InvalidInput, register_messages
from xs_core.events import Aggregate, DomainEvent
from xs_core.organisation.search import normalise, search_term
from xs_core.organisation.units import new_id
from xs_core.organisation.validation import required_text
from xs_core.organisation.vat import VatNumber

register_messages(
    {
        "reimbursements.invalid_iban": (
            "Ongeldig IBAN {value}: {reason}.",
            "Invalid IBAN {value}: {reason}.",
        ),
        "reimbursements.invalid_postcode": (
            "Ongeldige Nederlandse postcode {value}: verwacht 1234 AB.",
            "Invalid Dutch postcode {value}: expected 1234 AB.",
        ),
        "reimbursements.invalid_country": (
            "Ongeldige landcode {value}: verwacht twee letters (ISO 3166).",
            "Invalid country code {value}: expected two letters (ISO 3166).",
        ),
    },
    kind=InvalidInput,
)

register_messages(
    {
        "reimbursements.relation_code_in_use": (
            "De code {code} is al in gebruik bij een andere {kind}.",
            "The code {code} is already used by another {kind}.",
        ),
    },
    kind=Conflict,
)


_DUTCH_POSTCODE = re.compile(r"^([1-9][0-9]{3}) ?([A-Z]{2})$")


class RelationKind(enum.Enum):
    """The relation types beside customers (R5.2)."""

    SUPPLIER = "supplier"  # leverancier
    REFERRER = "referrer"  # aanmelder

    @property
    def label_nl(self) -> str:
        return {"supplier": "leverancier", "referrer": "aanmelder"}[self.value]


@attrs.frozen
class Iban:
    """A validated IBAN in compact form (``NL91ABNA0417164300``), with the BIC of its bank where
    the bank registry knows it (R5.2)."""

    compact: str
    bic: str | None = None

    @classmethod
    def parse(cls, text: str) -> Iban:
        """Normalise (spaces and dashes removed, upper case) and validate the check digits and
        the country's format; raises ``reimbursements.invalid_iban`` with the reason."""
        from schwifty import IBAN  # imported when first used: its bank registry is large
        from schwifty import exceptions as sx

        value = re.sub(r"[\s\-.]", "", text).upper()
        details: dict[str, object] = {"rule": "R5.2", "value": text.strip()[: limits.IBAN + 10]}
        if not value or len(value) > limits.IBAN or not value.isascii() or not value.isalnum():
            raise DomainError("reimbursements.invalid_iban", {**details, "reason": "format"})
        try:
            iban = IBAN(value)
        except sx.InvalidChecksumDigits:
            raise DomainError(
                "reimbursements.invalid_iban", {**details, "reason": "checksum"}
            ) from None
        except sx.InvalidCountryCode:
            raise DomainError(
                "reimbursements.invalid_iban", {**details, "reason": "country"}
            ) from None
        except sx.InvalidLength:
            raise DomainError(
                "reimbursements.invalid_iban", {**details, "reason": "length"}
            ) from None
        except sx.SchwiftyException:
            raise DomainError(
                "reimbursements.invalid_iban", {**details, "reason": "format"}
            ) from None
        bic: str | None
        try:
            found = iban.bic
            bic = None if found is None else str(found.compact)
        except (sx.SchwiftyException, ValueError, KeyError):
            bic = None
        return cls(str(iban.compact), bic)

    @property
    def formatted(self) -> str:
        """Groups of four: ``NL91 ABNA 0417 1643 00``."""
        return " ".join(self.compact[i : i + 4] for i in range(0, len(self.compact), 4))

    @property
    def country(self) -> str:
        return self.compact[:2]

    def __str__(self) -> str:
        return self.formatted


def _country(value: str) -> str:
    text = value.strip().upper()
    if len(text) != limits.COUNTRY or not text.isascii() or not text.isalpha():
        raise DomainError("reimbursements.invalid_country", {"rule": "R5.2", "value": value[:10]})
    return text


@attrs.frozen(kw_only=True)
class PostalAddress:
    """A postal address with its country; a Dutch (``NL``) postcode must read ``1234 AB``."""

    street: str = ""
    house_number: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "NL"

    @classmethod
    def create(
        cls,
        street: str = "",
        house_number: str = "",
        postcode: str = "",
        city: str = "",
        country: str = "NL",
    ) -> PostalAddress:
        """Validated: single-line fields within their limits; a Dutch postcode normalised."""
        land = _country(country)
        code = limits.single_line(postcode, "postcode", limits.POSTCODE)
        if land == "NL" and code:
            match = _DUTCH_POSTCODE.match(code.upper())
            if match is None or match.group(2) in {"SA", "SD", "SS"}:
                raise DomainError(
                    "reimbursements.invalid_postcode", {"rule": "R5.2", "value": postcode[:20]}
                )
            code = f"{match.group(1)} {match.group(2)}"
        return cls(
            street=limits.single_line(street, "street", limits.STREET),
            house_number=limits.single_line(house_number, "house_number", limits.HOUSE_NUMBER),
            postcode=code,
            city=limits.single_line(city, "city", limits.CITY),
            country=land,
        )

    def __str__(self) -> str:
        line = f"{self.street} {self.house_number}".strip()
        place = f"{self.postcode} {self.city}".strip()
        return ", ".join(p for p in (line, place, self.country) if p)


@attrs.frozen(kw_only=True)
class RelationCreated(DomainEvent):
    """R5.2: a supplier or referrer was created (active)."""

    name: ClassVar[str] = "RelationCreated"
    relation_id: uuid.UUID
    kind: RelationKind
    code: str
    relation_name: str


@attrs.frozen(kw_only=True)
class RelationDetailsChanged(DomainEvent):
    """R5.2: a relation's name, code, address, VAT number or IBAN changed; the fields as they
    stand now (the IBAN compact, null when there is none)."""

    name: ClassVar[str] = "RelationDetailsChanged"
    relation_id: uuid.UUID
    kind: RelationKind
    code: str
    relation_name: str
    iban: str | None
    vat_number: str | None


@attrs.frozen(kw_only=True)
class RelationDeactivated(DomainEvent):
    """R5.2: a relation was made inactive: no new reimbursement batches or settings use it."""

    name: ClassVar[str] = "RelationDeactivated"
    relation_id: uuid.UUID
    kind: RelationKind


@attrs.frozen(kw_only=True)
class RelationActivated(DomainEvent):
    """R5.2: an inactive relation was made active again."""

    name: ClassVar[str] = "RelationActivated"
    relation_id: uuid.UUID
    kind: RelationKind


def _code(value: str) -> str:
    return required_text(value, "code", limits.CODE)


def _name(value: str) -> str:
    return required_text(value, "name", limits.NAME)


@attrs.define(kw_only=True)
class Relation(Aggregate):
    """A supplier (leverancier) or referrer (aanmelder), R5.2."""

    id: uuid.UUID
    kind: RelationKind
    name: str
    code: str
    address: PostalAddress = attrs.field(factory=PostalAddress)
    vat_number: VatNumber | None = None
    iban: Iban | None = None
    active: bool = True

    @classmethod
    def create(
        cls,
        kind: RelationKind,
        name: str,
        code: str,
        address: PostalAddress | None = None,
        vat_number: VatNumber | None = None,
        iban: Iban | None = None,
    ) -> Relation:
        relation = cls(
            id=new_id(),
            kind=kind,
            name=_name(name),
            code=_code(code),
            address=address or PostalAddress(),
            vat_number=vat_number,
            iban=iban,
        )
        relation.record(
            RelationCreated(
                relation_id=relation.id,
                kind=kind,
                code=relation.code,
                relation_name=relation.name,
            )
        )
        return relation

    def change(
        self,
        name: str,
        code: str,
        address: PostalAddress,
        vat_number: VatNumber | None,
        iban: Iban | None,
    ) -> None:
        """Replace the details (R5.2)."""
        self.name, self.code = _name(name), _code(code)
        self.address, self.vat_number, self.iban = address, vat_number, iban
        self.record(
            RelationDetailsChanged(
                relation_id=self.id,
                kind=self.kind,
                code=self.code,
                relation_name=self.name,
                iban=None if iban is None else iban.compact,
                vat_number=None if vat_number is None else vat_number.compact,
            )
        )

    def set_active(self, active: bool) -> None:
        """Activate or deactivate; setting the state it already has records nothing."""
        if active == self.active:
            return
        self.active = active
        event = RelationActivated if active else RelationDeactivated
        self.record(event(relation_id=self.id, kind=self.kind))


def relation_matches(relation: Relation, term: str) -> bool:
    """R5.2 (R1.4-style search box): the code starts with the term, or the name contains it,
    both case- and accent-insensitively. An empty term matches every relation."""
    wanted = normalise(term)
    if not wanted:
        return True
    return normalise(relation.code).startswith(wanted) or wanted in normalise(relation.name)


def search_relations(relations: Iterable[Relation], term: str | None) -> list[Relation]:
    """The relations matching ``term`` (all when ``None``): exact code matches first, then by
    name (R1.3's ranking)."""
    if term is None:
        return sorted(relations, key=lambda r: (normalise(r.name), r.id))
    text = search_term(term)
    wanted = normalise(text)
    found = [r for r in relations if relation_matches(r, text)]
    return sorted(found, key=lambda r: (normalise(r.code) != wanted, normalise(r.name), r.id))
