"""Completion of file-system paths as the operator types (accept with the right arrow)."""

from __future__ import annotations

import os
from pathlib import Path

from textual.suggester import Suggester


class PathSuggester(Suggester):
    """Suggests the first entry that completes the last path component; folders end in /."""

    def __init__(self, *, suffixes: tuple[str, ...] = (), dirs_only: bool = False) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.suffixes = suffixes
        self.dirs_only = dirs_only

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        expanded = os.path.expanduser(value)
        folder, _, stem = expanded.rpartition(os.sep)
        base = Path(folder or (os.sep if expanded.startswith(os.sep) else "."))
        try:
            names = sorted(os.listdir(base))
        except OSError:
            return None
        for name in names:
            if not name.startswith(stem) or name == stem or name.startswith("."):
                continue
            full = base / name
            is_dir = full.is_dir()
            if self.dirs_only and not is_dir:
                continue
            if not is_dir and self.suffixes and not name.endswith(self.suffixes):
                continue
            return value[: len(value) - len(stem)] + name + ("/" if is_dir else "")
        return None
