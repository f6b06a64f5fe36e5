"""The collector is paused around big renders and checks, and always given back."""

from __future__ import annotations

import gc

import pytest

from wizard import collector


def test_the_collector_is_back_on_after_a_failure() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector.paused():
        assert not gc.isenabled()
        raise RuntimeError("a render failed")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
