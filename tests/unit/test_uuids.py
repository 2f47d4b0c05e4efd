"""Many UUIDs at once (R2.2 bulk start): the objects ``xs_core.uuids`` makes without
``uuid.UUID.__init__`` are the very values ``uuid`` makes."""

from __future__ import annotations

import pickle
import uuid
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from xs_core.organisation.units import new_ids
from xs_core.uuids import random_uuids, uuid_from_int, uuid_from_stored, uuids_from_ints


@given(st.lists(st.integers(min_value=0, max_value=2**128 - 1), max_size=30))
def test_uuids_from_ints_are_ordinary_uuids(ints: list[int]) -> None:
    made = uuids_from_ints(ints, len(ints))
    expected = [uuid.UUID(int=i) for i in ints]
    assert made == expected
    assert [(hash(u), str(u), repr(u), u.is_safe, type(u)) for u in made] == [
        (hash(u), str(u), repr(u), u.is_safe, type(u)) for u in expected
    ]
    assert pickle.loads(pickle.dumps(made)) == expected


@given(st.integers(min_value=0, max_value=2**128 - 1))
def test_r6_6_one_uuid_from_its_integer_or_as_stored_is_an_ordinary_uuid(value: int) -> None:
    """The nightly run makes its registration ids and reads its participants' ids this way:
    the values ``uuid.UUID`` makes, from the integer, from SQLite's 32 hex digits (either
    case) or from PostgreSQL's ``uuid.UUID`` (returned as it is)."""
    expected = uuid.UUID(int=value)
    made = [
        uuid_from_int(value),
        uuid_from_stored(expected.hex),
        uuid_from_stored(expected.hex.upper()),
        uuid_from_stored(expected),
    ]
    for u in made:
        assert (u, hash(u), str(u), repr(u), u.is_safe, type(u)) == (
            expected,
            hash(expected),
            str(expected),
            repr(expected),
            expected.is_safe,
            uuid.UUID,
        )
        assert pickle.loads(pickle.dumps(u)) == expected


@given(st.binary(min_size=0, max_size=16 * 20).map(lambda b: b[: len(b) // 16 * 16]))
def test_r2_2_random_uuids_are_what_uuid4_makes_of_the_same_bytes(random: bytes) -> None:
    expected = [uuid.UUID(bytes=random[i : i + 16], version=4) for i in range(0, len(random), 16)]
    assert random_uuids(random) == expected


def test_r2_2_new_ids_are_fresh_version_4_uuids() -> None:
    ids = new_ids(1000)
    assert len(set(ids)) == 1000
    assert {(u.version, u.variant) for u in ids} == {(4, uuid.RFC_4122)}
    assert new_ids(0) == []


@given(st.uuids())
def test_r6_6_an_id_stored_in_another_form_is_read_as_uuid_reads_it(expected: uuid.UUID) -> None:
    """Every form of an id is read as ``uuid.UUID(hex=…)`` reads it: the dashed form (the text
    PostgreSQL writes) by the fast path, the braced one by ``uuid`` itself."""
    for form in (str(expected), "{" + str(expected) + "}", expected.hex.upper()):
        assert uuid_from_stored(form) == expected


def _read(read: Any, text: str) -> object:
    try:
        return read(text)
    except ValueError:
        return ValueError


@given(
    st.sampled_from(
        [
            *("1", "0x1", " 1_2 ", "-1", "g" * 32, "-" + "0" * 31, " " + "0" * 31),
            # 36 characters: dashes anywhere, a space or an underscore among the digits
            *("----" + "a" * 32, "0" * 8 + "-0000-0000-0000-" + "0" * 11 + " ", "0_" + "0" * 34),
        ]
    )
    | st.text(alphabet="0123456789abcdefABCDEF -_{}xg+", min_size=30, max_size=36)
)
def test_r6_6_any_other_stored_text_is_read_as_uuid_reads_it(text: str) -> None:
    """Whatever text a stored id holds, it is read (or refused) as ``uuid.UUID(hex=…)`` reads
    it: malformed ids are never taken for others."""
    assert _read(uuid_from_stored, text) == _read(lambda t: uuid.UUID(hex=t), text)
