"""The real WSO2 stock files in ../shared/upstream, for the tests that patch them."""

from __future__ import annotations

from pathlib import Path

import pytest

UPSTREAM = Path(__file__).resolve().parents[2] / "shared" / "upstream"


def need_upstream() -> Path:
    """The upstream folder; the test is skipped, saying why, when it is absent."""
    if not UPSTREAM.is_dir():
        pytest.skip(f"{UPSTREAM} is absent: the real WSO2 stock files live in ../shared/upstream")
    return UPSTREAM


def upstream(relative: str) -> bytes:
    """One upstream file's bytes; the test is skipped, saying why, when it is absent."""
    path = UPSTREAM / relative
    if not path.is_file():
        pytest.skip(f"{path} is absent: the real WSO2 stock files live in ../shared/upstream")
    return path.read_bytes()
