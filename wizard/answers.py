"""Read and write the answers TOML (presets, `--answers` files, each tree's topology.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from wizard.model import Topology
from wizard.problems import AnswersError, Problem, from_validation_error


def parse(data: dict[str, Any], source: str = "") -> Topology:
    """Validate raw answers; every problem names its field path."""
    try:
        return Topology.model_validate(data)
    except ValidationError as exc:
        raise AnswersError(from_validation_error(exc, Topology), source) from None


def loads(text: str, source: str = "") -> Topology:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AnswersError([Problem("", f"not valid TOML: {exc}")], source) from None
    return parse(data, source)


def load(path: Path) -> Topology:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AnswersError([Problem("", "no such file")], str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AnswersError([Problem("", f"cannot be read: {exc}")], str(path)) from None
    return loads(text, str(path))


def password_env_name(path: str) -> str:
    """The variable a secret-free topology.toml names for a password given literally."""
    cleaned = "".join(c if c.isalnum() else "_" for c in path.upper())
    while "__" in cleaned:
        cleaned = cleaned.replace("__", "_")
    return "CW_" + cleaned.strip("_") + "_PASSWORD"


def to_data(topology: Topology, *, keep_passwords: bool = False) -> dict[str, Any]:
    """Answers as plain data; literal passwords become password_env references unless kept."""
    data = topology.model_dump(mode="json", exclude_none=True)
    data = _drop_empty(data)
    if not data.get("confirm"):
        data.pop("confirm", None)
    if not keep_passwords:
        for path, spec in topology.database_specs():
            if spec.password is not None:
                node = _at(data, path)
                node.pop("password", None)
                node["password_env"] = password_env_name(path)
    return data


def dumps(topology: Topology, *, keep_passwords: bool = False, header: str = "") -> str:
    body = tomli_w.dumps(to_data(topology, keep_passwords=keep_passwords))
    return header + body


def _at(data: dict[str, Any], path: str) -> dict[str, Any]:
    node: Any = data
    for part in path.replace("[", ".[").split("."):
        if part.startswith("["):
            node = node[int(part[1:-1])]
        elif part:
            node = node[part]
    return node


def _drop_empty(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_empty(v) for k, v in value.items() if v not in ({}, "")}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value
