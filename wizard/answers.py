"""Read and write the answers TOML (presets, `--answers` files, each tree's topology.toml)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wizard import limits
from wizard.model import Topology
from wizard.problems import AnswersError, Problem, from_validation_error


def parse(data: dict[str, Any], source: str = "") -> Topology:
    """Validate raw answers; every problem names its field path."""
    deep = limits.depth_problem(data)
    if deep is not None:
        raise AnswersError([Problem("", f"{deep}; answers nest 6 deep at most")], source)
    try:
        return Topology.model_validate(data)
    except ValidationError as exc:
        raise AnswersError(from_validation_error(exc, Topology), source) from None


def loads(text: str, source: str = "") -> Topology:
    return parse(toml_data(text, source), source)


def toml_data(text: str, source: str = "") -> dict[str, Any]:
    """The TOML `text` as data, within the size and depth bounds (wizard.limits)."""
    if len(text) > limits.ANSWERS_BYTES:
        message = f"{limits.too_big(len(text), limits.ANSWERS_BYTES)}; is it an answers file?"
        raise AnswersError([Problem("", message)], source)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AnswersError([Problem("", f"not valid TOML: {exc}")], source) from None
    except RecursionError:
        # tomllib descends once per nested array or inline table.
        message = f"nests tables or lists more than {limits.DEPTH} deep; answers nest 6 deep"
        raise AnswersError([Problem("", message)], source) from None


def load(path: Path) -> Topology:
    try:
        text = limits.read_capped(path, limits.ANSWERS_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise AnswersError([Problem("", "no such file")], str(path)) from None
    except IsADirectoryError:
        message = "is a folder; give the answers TOML file (e.g. answers.toml)"
        raise AnswersError([Problem("", message)], str(path)) from None
    except limits.TooLarge as exc:
        message = f"{exc}; is it an answers file?"
        raise AnswersError([Problem("", message)], str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise AnswersError([Problem("", f"cannot be read: {reason}")], str(path)) from None
    return loads(text, str(path))


def password_env_name(path: str, answers: Any = None) -> str:
    """The variable to suggest for the password at `path` (`WSO2_AM_DB_PASSWORD`): see
    wizard.password_names; `answers` makes it follow the database's name and stay unique."""
    from collections.abc import Mapping

    from wizard import password_names

    known = answers if isinstance(answers, Mapping) else None
    return password_names.password_env_name(path, known)


def to_data(topology: Topology, *, keep_passwords: bool = False) -> dict[str, Any]:
    """Answers as plain data; literal passwords become password_env references unless kept."""
    data = _drop_empty_table(topology.model_dump(mode="json", exclude_none=True))
    if not data.get("confirm"):
        data.pop("confirm", None)
    if not keep_passwords:
        from wizard.password_names import password_env_names

        secrets: list[tuple[str, Any]] = list(topology.database_specs())
        chosen = topology.ldap()
        if chosen is not None:
            secrets.append(chosen)
        # Named all at once, so that two logins never share a variable.
        names = password_env_names(data)
        for path, spec in secrets:
            if spec.password is not None:
                node = _at(data, path)
                node.pop("password", None)
                node["password_env"] = names.get(path) or password_env_name(path)
    return data


def dumps(topology: Topology, *, keep_passwords: bool = False, header: str = "") -> str:
    return header + "".join(_table(to_data(topology, keep_passwords=keep_passwords), ""))


def _at(data: dict[str, Any], path: str) -> dict[str, Any]:
    node: Any = data
    for part in path.replace("[", ".[").split("."):
        if part.startswith("["):
            node = node[int(part[1:-1])]
        elif part:
            node = node[part]
    if not isinstance(node, dict):
        raise TypeError(f"{path} is not a table")
    return node


def _drop_empty_table(table: dict[str, Any]) -> dict[str, Any]:
    return {k: _drop_empty(v) for k, v in table.items() if v not in ({}, "")}


def _drop_empty(value: Any) -> Any:
    if isinstance(value, dict):
        return _drop_empty_table(value)
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


# A TOML writer for the answers' plain data, byte for byte what tomli_w.dumps writes with
# its defaults (4-space arrays, a list of tables inline when each fits in 100 columns):
# tomli_w walks every string a character at a time and renders each inline table twice,
# ~17 ms of a 1000-node topology.toml, which every tree and every preview writes.
_NEEDS_ESCAPE = re.compile(r'[\x00-\x08\x0a-\x1f\x7f"\\]')
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_COMPACT_ESCAPES = {"\b": "\\b", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_INDENT = "    "
_MAX_LINE = 100


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _COMPACT_ESCAPES.get(char) or f"\\u{ord(char):04x}"


def _string(text: str) -> str:
    if _NEEDS_ESCAPE.search(text) is None:
        return f'"{text}"'
    return '"' + _NEEDS_ESCAPE.sub(_escape, text) + '"'


@lru_cache(maxsize=1024)  # a handful of distinct keys, each written once per node
def _key(part: str) -> str:
    if not isinstance(part, str):
        raise TypeError(
            f"Invalid mapping key '{part}' of type '{type(part).__qualname__}'."
            " A string is required."
        )
    return part if _BARE_KEY.fullmatch(part) else _string(part)


def _literal(value: object, nest: int = 0) -> str:
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return _array(value, nest)
    if isinstance(value, dict):
        return _inline_table(value)
    raise TypeError(f"Object of type '{type(value).__qualname__}' is not TOML serializable")


def _array(items: list[Any] | tuple[Any, ...], nest: int) -> str:
    if not items:
        return "[]"
    indent = _INDENT * (1 + nest)
    body = ",\n".join(indent + _literal(item, nest + 1) for item in items)
    return f"[\n{body},\n{_INDENT * nest}]"


def _inline_table(table: dict[str, Any]) -> str:
    if not table:
        return "{}"
    return "{ " + ", ".join(f"{_key(k)} = {_literal(v)}" for k, v in table.items()) + " }"


def _inline_tables(items: Sequence[dict[str, Any]]) -> list[str] | None:
    """Each table of a list rendered inline, or None when one does not fit on its line."""
    rendered = []
    for item in items:
        text = _inline_table(item)
        if len(text) + len(_INDENT) + 1 > _MAX_LINE or "\n" in text:
            return None
        rendered.append(text)
    return rendered


def _table(table: dict[str, Any], name: str, in_list: bool = False) -> list[str]:
    literals: list[str] = []
    tables: list[tuple[str, dict[str, Any], bool]] = []
    for k, v in table.items():
        if isinstance(v, dict):
            tables.append((k, v, False))
            continue
        if v and isinstance(v, list | tuple) and all(isinstance(t, dict) for t in v):
            inline = _inline_tables(v)
            if inline is None:
                tables.extend((k, t, True) for t in v)
                continue
            body = "".join(f"{_INDENT}{t},\n" for t in inline)
            literals.append(f"{_key(k)} = [\n{body}]\n")
            continue
        literals.append(f"{_key(k)} = {_literal(v)}\n")
    out: list[str] = []
    if in_list:
        out.append(f"[[{name}]]\n")
    elif name and (literals or not tables):
        out.append(f"[{name}]\n")
    out += literals
    for k, v, listed in tables:
        if out:
            out.append("\n")
        key = _key(k)
        out += _table(v, f"{name}.{key}" if name else key, listed)
    return out
