"""Presets: answers TOML files for common topologies, bundled or the operator's own."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from wizard import answers
from wizard.model import Topology
from wizard.problems import AnswersError, Problem


@dataclass(frozen=True)
class PresetInfo:
    name: str
    description: str
    path: Path
    problem: str | None = None
    """Why the file does not load, when it does not; it is still listed."""


def list_presets(dirs: Sequence[Path]) -> list[PresetInfo]:
    """Every preset by name; a later directory shadows an earlier one."""
    found: dict[str, PresetInfo] = {}
    for directory in dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            found[path.stem] = _info(path)
    return sorted(found.values(), key=lambda p: p.name)


def find(name: str, dirs: Sequence[Path]) -> Path:
    for info in list_presets(dirs):
        if info.name == name:
            return info.path
    known = ", ".join(p.name for p in list_presets(dirs)) or "none"
    raise AnswersError(
        [Problem("", f"no preset named '{name}'; known presets: {known}")], "--preset"
    )


def load_preset(name: str, dirs: Sequence[Path]) -> Topology:
    return answers.load(find(name, dirs))


def _info(path: Path) -> PresetInfo:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return PresetInfo(path.stem, "", path, f"cannot be read: {exc}")
    description = data.get("description", "")
    return PresetInfo(path.stem, description if isinstance(description, str) else "", path)
