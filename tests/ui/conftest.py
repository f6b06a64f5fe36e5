"""UI tier: the full-screen app under Textual's pilot, its SVG snapshots, the installed
command in a real terminal (tmux), and the Textual compatibility module. Every test here is
marked `ui`, so `make test-fast` leaves the tier out."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/ui/" in str(item.path):
            item.add_marker(pytest.mark.ui)
