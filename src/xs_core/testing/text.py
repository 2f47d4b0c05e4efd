"""Strategies for text as the core takes it (R0.5): single-line, no control characters, within
the limit of the column that stores the field (:mod:`xs_core.limits`).

Every strategy here gives text in the form the core keeps it (runs of white space collapsed,
trimmed), so a property can compare what it put in with what it reads back.
"""

from __future__ import annotations

import functools
import string

import phonenumbers
from hypothesis import strategies as st

from xs_core import limits

#: Letters of Dutch (and other European) names with their diacritics, a space, a hyphen, an
#: apostrophe: what :func:`names` draws from.
NAME_ALPHABET = (
    string.ascii_letters + "áàâäãåçéèêëíìîïñóòôöõøúùûüýÿæœßÁÀÂÄÇÉÈÊËÍÎÏÑÓÔÖØÚÛÜÆŒ" + " -'"
)
#: What an employer, department or branch code may hold (``organisation.invalid_code``).
CODE_ALPHABET = string.ascii_letters + string.digits + "._-"
#: Domains for e-mail addresses: reserved for examples, never delivered to.
EMAIL_DOMAINS = ("example.nl", "example.com", "example.org", "voorbeeld.example")


def _collapse(value: str) -> str:
    return " ".join(value.split())


def _check_size(min_size: int, max_size: int, limit: int | None = None) -> None:
    if not 0 <= min_size <= max_size:
        raise ValueError(f"need 0 <= min_size ({min_size}) <= max_size ({max_size})")
    if limit is not None and max_size > limit:
        raise ValueError(f"max_size {max_size} is beyond the core's limit {limit}")


#: The bidirectional controls single-line text may not hold (``limits.BIDI_CONTROLS``).
_BIDI_CONTROLS = "".join(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


@functools.lru_cache(maxsize=256)
def text(
    max_size: int = limits.NAME,
    *,
    min_size: int = 1,
    alphabet: st.SearchStrategy[str] | str | None = None,
) -> st.SearchStrategy[str]:
    """Single-line text of ``min_size`` to ``max_size`` characters as the core keeps it: white
    space collapsed and trimmed, no control characters (C0, DEL, C1, bidirectional), no lone
    surrogates (R0.5). By default any other Unicode character (letters of every script,
    symbols, emoji); ``alphabet`` narrows that (a string of characters, or a strategy of them).
    """
    _check_size(min_size, max_size)
    chars = (
        st.characters(exclude_categories=("Cc", "Cs"), exclude_characters=_BIDI_CONTROLS)
        if alphabet is None
        else (st.sampled_from(alphabet) if isinstance(alphabet, str) else alphabet)
    )
    return (
        st.text(chars, min_size=min_size, max_size=max_size)
        .map(_collapse)
        .filter(lambda s: len(s) >= min_size)
    )


@functools.lru_cache(maxsize=256)
def names(max_size: int = limits.NAME, *, min_size: int = 1) -> st.SearchStrategy[str]:
    """Names of people and things (:data:`NAME_ALPHABET`), at most ``max_size`` characters:
    ``limits.NAME`` for folders, employers, departments, locations…, ``limits.FIRST_NAME`` and
    ``limits.LAST_NAME`` for people."""
    return text(max_size, min_size=min_size, alphabet=NAME_ALPHABET)


@functools.lru_cache(maxsize=256)
def codes(max_size: int = limits.CODE) -> st.SearchStrategy[str]:
    """Employer, department and branch codes: 1 to ``limits.CODE`` letters, digits, ``.``,
    ``_`` or ``-`` (R1.2). Codes are unique per employer (departments) or overall (employers),
    case-insensitively: draw several with ``st.lists(codes(), unique_by=str.casefold)``."""
    _check_size(1, max_size, limits.CODE)
    return st.text(st.sampled_from(CODE_ALPHABET), min_size=1, max_size=max_size)


@functools.lru_cache(maxsize=256)
def emails() -> st.SearchStrategy[str]:
    """E-mail addresses the core accepts (``contact.invalid_email``), on example domains, in the
    normalised form it stores."""
    atom = st.text(st.sampled_from(string.ascii_lowercase + string.digits), min_size=1, max_size=8)
    local = st.lists(atom, min_size=1, max_size=3).flatmap(
        lambda parts: st.sampled_from(".-_").map(lambda sep: sep.join(parts))
    )
    return st.builds(lambda user, domain: f"{user}@{domain}", local, st.sampled_from(EMAIL_DOMAINS))


def _is_valid_phone(text: str) -> bool:
    return bool(phonenumbers.is_valid_number(phonenumbers.parse(text, "NL")))


@functools.lru_cache(maxsize=256)
def phones() -> st.SearchStrategy[str]:
    """Dutch phone numbers the core accepts (``contact.invalid_phone``), written as people type
    them (``06 12345678``, ``+31 6 12345678``, ``020-1234567``); the core stores them in E.164."""
    mobile = st.builds(
        lambda first, rest, style: f"+31 6 {first}{rest}" if style else f"06 {first}{rest}",
        st.sampled_from("12345"),
        st.text(st.sampled_from(string.digits), min_size=7, max_size=7),
        st.booleans(),
    )
    landline = st.builds(
        lambda area, first, rest: f"0{area}-{first}{rest}",
        st.sampled_from(["20", "10", "30", "70", "40", "50"]),
        st.sampled_from("23456789"),
        st.text(st.sampled_from(string.digits), min_size=6, max_size=6),
    )
    return st.one_of(mobile, landline).filter(_is_valid_phone)


@functools.lru_cache(maxsize=256)
def search_terms(max_size: int = 20) -> st.SearchStrategy[str]:
    """Search terms the advanced search takes (R1.3): at least two letters once normalised, at
    most ``limits.SEARCH_TERM`` characters."""
    _check_size(2, max_size, limits.SEARCH_TERM)
    return text(max_size, min_size=2, alphabet=string.ascii_lowercase + "éë").filter(
        lambda s: len(s.replace(" ", "")) >= 2
    )


@functools.lru_cache(maxsize=256)
def postcodes() -> st.SearchStrategy[str]:
    """Dutch postcodes as the core writes them (``1234 AB``)."""
    return st.builds(
        lambda digits, letters: f"{digits} {letters}",
        st.integers(1000, 9999).map(str),
        st.text(st.sampled_from(string.ascii_uppercase), min_size=2, max_size=2),
    )


__all__ = [
    "CODE_ALPHABET",
    "EMAIL_DOMAINS",
    "NAME_ALPHABET",
    "codes",
    "emails",
    "names",
    "phones",
    "postcodes",
    "search_terms",
    "text",
]
