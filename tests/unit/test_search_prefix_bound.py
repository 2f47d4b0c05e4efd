"""The prefix range of the SQL search (R1.3): exact on a code point order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xs_adapters.sql.search import _after_prefix
from xs_core import limits

#: near the edges of the code points: U+10FFFF, and around the surrogates
EDGES = st.sampled_from(["a", "b", "\U0010ffff", "\U0010fffe", "\ud7ff", "\ue000", "\x00"])


@given(
    term=st.text(EDGES, min_size=1, max_size=4),
    text=st.text(EDGES, max_size=8),
)
def test_r1_3_the_prefix_range_holds_exactly_the_texts_starting_with_the_term(
    term: str, text: str
) -> None:
    """R1.3: ``term <= text < _after_prefix(term)`` exactly when ``text`` starts with ``term``
    (texts as stored: at most ``limits.SEARCH_KEY`` characters, no surrogates)."""
    text = text[: limits.SEARCH_KEY]
    bound = _after_prefix(term)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in bound)
    assert (term <= text < bound) == text.startswith(term)
    assert (term <= term + text < bound) is True
