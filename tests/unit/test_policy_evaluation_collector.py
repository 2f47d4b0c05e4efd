"""R6.6: a chunk of the nightly run is worked with Python's cyclic garbage collector paused; the
collector's state is restored after, also when the chunk fails."""

from __future__ import annotations

import gc

import pytest

from xs_app.services.policy_evaluation import _collector_paused


def _failing_chunk() -> None:
    with _collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("the chunk failed")


def test_r6_6_the_collector_is_paused_for_a_chunk_and_restored_after_a_failure() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        _failing_chunk()
    assert gc.isenabled()


def test_r6_6_a_collector_paused_by_the_caller_stays_paused() -> None:
    gc.disable()
    try:
        with _collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
