"""Hypothesis strategies: the presets (presets/) and a two-product example mutated a few
places at a time, sessions and manifests built from them, and hostile text.

A mutation picks a place in the data and puts there a value of the same key from any preset
(so many mutants are still valid plans and reach the tree and `check`), a hostile value
(a trailing newline, C1 characters, `]`, huge numbers, deep nesting), or nothing at all.
"""

from __future__ import annotations

import copy
import json
import tomllib
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

PRESETS = Path(__file__).resolve().parent.parent / "presets"

HOSTILE_TEXT = [
    "",
    " ",
    "\n",
    "apim-1\n",
    "a\r\nb",
    "x]y",
    "[x]",
    "\x85",
    "a\x7fb",
    "a\x9fb",
    "\x00",
    "\u2028",
    "\ud800",
    "../x",
    "/",
    "//",
    "/_system/apimconfig\n",
    "/opt/wso2/am\n",
    "a" * 300,
    "${carbon.home}",
    "&amp;",
    "&",
    "<x/>",
    "'\"",
    "CHANGE-ME",
    "password",
    "0",
    "-1",
    "10.0.0.1",
    "::1",
    "[::1]:443",
    "localhost",
    "db.example.com.",
    "²",
    "km.example.com:²",
    "ldap://",
    "ldaps://127.0.0.1:636",
    "x.jar",
    "/opt/a b.jar",
    "~nobody-here/x.zip",
    "/nonexistent/wso2am-2.6.0.zip",
    "REG_DB_PASSWORD\n",
    "products[0].nodes[0].host\n",
]


def _deep(levels: int) -> Any:
    value: Any = []
    for _ in range(levels):
        value = [value]
    return value


HOSTILE_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    65536,
    2**31,
    2**64,
    -(2**70),
    1.5,
    float("nan"),
    float("inf"),
    [],
    {},
    [{}],
    {"x": 1},
    _deep(40),
    _deep(200),
]
DEEP_JSON = b"[" * 5000 + b"]" * 5000
"""Nested past the interpreter's stack: only ever raw text (a copy of it as data could not
be made)."""


@cache
def bases() -> tuple[dict[str, Any], ...]:
    """Every bundled preset as data, and a two-product plan with typed passwords."""
    from tests.answers_fixtures import SHARED

    found = [tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(PRESETS.glob("*.toml"))]
    return (*found, copy.deepcopy(SHARED))


@cache
def preset_texts() -> tuple[str, ...]:
    return tuple(p.read_text(encoding="utf-8") for p in sorted(PRESETS.glob("*.toml")))


# Valid answers at the edges of what each key takes, beside the presets' own values.
EDGES: dict[str, list[Any]] = {
    "id": ["a", "A.b_c-9", "n" * 63, "0"],
    "name": ["a", "x" * 63, "WSO2_X_DB", "_u"],
    "host": ["db.example.com.", "2001:db8::10", "10.0.0.255", "a-b.c-d.example"],
    "user": ["_u", "u" * 30, "wso2"],
    "password": ["a]b", "p&<>\"'\\$%x", "é", " x ", "[bracketed]", "${x}"],
    "offset": [0, 1, 9, 100],
    "member_port": [1, 4000, 65535],
    "port": [1, 3306, 65535],
    "home": ["/opt/wso2/x", "/o/p+q@r/s-t.u", "/opt/wso2/x/"],
    "config_target": ["/_system/a", "/_system/a/b/c", "/_system/governance2"],
    "load_balancer": ["lb.example.com", "lb.example.com:8443", "[2001:db8::1]:443"],
    "description": ["", "é ü 中文", "a\tb", "&<>"],
    "url_options": ["a=b", "a=b&c=d", "useSSL=true;x=y"],
    "secure_vault": [True, False],
    "clustering": [True, False],
    "port_offsets": [True, False],
    "ansible": [True, False],
}


@cache
def pool() -> dict[str, tuple[Any, ...]]:
    """Leaf values by key, from every base: what a valid answer at that key looks like."""
    seen: dict[str, list[Any]] = defaultdict(list, {k: list(v) for k, v in EDGES.items()})
    for base in bases():
        for path, value in _places(base):
            key = str(path[-1]) if path else ""
            if not isinstance(value, dict | list) and value not in seen[key]:
                seen[key].append(value)
    return {k: tuple(v) for k, v in seen.items()}


def _places(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    out: list[tuple[tuple[Any, ...], Any]] = [(path, data)]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _places(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _places(value, (*path, i))
    return out


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value


_DELETE = object()


@st.composite
def mutated_answers(draw: st.DrawFn, max_mutations: int = 3) -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(bases())))
    for _ in range(draw(st.integers(0, max_mutations))):
        places = [(p, v) for p, v in _places(data) if p]
        leaves = [(p, v) for p, v in places if not isinstance(v, dict | list)]
        # Mostly a value, sometimes a whole table or list: a mutant that keeps the shape
        # gets past the schema to the cross-field checks, the plan and the tree.
        path, current = draw(st.sampled_from(places if draw(st.integers(0, 4)) == 0 else leaves))
        key = str(path[-1])
        choices: list[st.SearchStrategy[Any]] = [
            st.sampled_from(HOSTILE_TEXT),
            st.sampled_from(HOSTILE_VALUES),
            st.text(max_size=20),
            st.just(_DELETE),
        ]
        if pool().get(key):
            choices += [st.sampled_from(pool()[key])] * 6
        if isinstance(current, str):
            choices.append(st.builds(str.__add__, st.just(current), st.sampled_from(HOSTILE_TEXT)))
        if isinstance(current, list) and current:
            choices.append(st.just([*current, copy.deepcopy(current[-1])]))
            if key == "nodes":  # a node more, on its own host: often still a valid plan
                n = len(current)
                fresh = {"id": f"fz-{path[-2]}-{n}", "host": f"10.9.{n}.{len(places) % 250 + 1}"}
                choices += [st.just([*current, fresh])] * 2
        value = draw(st.one_of(choices))
        _set(data, path, copy.deepcopy(value))
    if draw(st.booleans()):
        data.setdefault("cluster", {})
        if isinstance(data["cluster"], dict):
            data["cluster"]["secure_vault"] = draw(st.booleans())
    return data


def passwords() -> st.SearchStrategy[str]:
    # Mostly a good one: a refused password ends the example before the tree is built.
    good = st.sampled_from(["s3cret-Value&<>\"'%", "[x", "é-ü", "a b"])
    return st.one_of(
        good,
        good,
        good,
        st.sampled_from(["x]y", "a\x85b", "CHANGE-ME", " ", "p\n"]),
        st.text(min_size=1, max_size=12),
    )


@st.composite
def mutated_toml(draw: st.DrawFn) -> str:
    """A preset's text cut, spliced or nested: what a hand-edited answers file can be."""
    text = draw(st.sampled_from(preset_texts()))
    kind = draw(st.sampled_from(["cut", "insert", "nest", "line"]))
    at = draw(st.integers(0, len(text)))
    if kind == "cut":
        return text[:at]
    if kind == "insert":
        return (
            text[:at] + draw(st.sampled_from([*HOSTILE_TEXT, "[", "]", '"', "=", "[["])) + text[at:]
        )
    if kind == "nest":
        depth = draw(st.sampled_from([10, 40, 2000]))
        return text + f"\nzz = {'[' * depth}{']' * depth}\n"
    lines = text.splitlines(keepends=True)
    i = draw(st.integers(0, max(len(lines) - 1, 0)))
    return "".join(lines[:i] + lines[i : i + 1] * 2 + lines[i + 1 :])


@st.composite
def session_bytes(draw: st.DrawFn) -> bytes:
    answers = draw(mutated_answers(2))
    record: dict[str, Any] = {
        "schema_version": 1,
        "id": "fuzzed-0000",
        "name": "fuzzed",
        "created": "2026-01-01T00:00:00.000000Z",
        "updated": "2026-01-01T00:00:00.000000Z",
        "step": "nodes",
        "keep_passwords": False,
        "dropped_passwords": [],
        "answers": answers,
    }
    for _ in range(draw(st.integers(0, 2))):
        key = draw(st.sampled_from(sorted(record)))
        record[key] = draw(
            st.one_of(st.sampled_from(HOSTILE_VALUES), st.sampled_from(HOSTILE_TEXT))
        )
    raw = json.dumps(record, default=str).encode()
    if draw(st.integers(0, 19)) == 0:
        raw = raw.replace(b'"answers": {', b'"answers": {"deep": ' + DEEP_JSON + b", ", 1)
    if draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(max_size=8)) + raw[at + 1 :]
    return raw


@st.composite
def manifest_bytes(draw: st.DrawFn, good: dict[str, Any]) -> bytes:
    data = copy.deepcopy(good)
    for _ in range(draw(st.integers(1, 3))):
        places = [(p, v) for p, v in _places(data) if p]
        path, _ = draw(st.sampled_from(places))
        value = draw(
            st.one_of(
                st.sampled_from(HOSTILE_VALUES),
                st.sampled_from(HOSTILE_TEXT),
                st.just(_DELETE),
            )
        )
        _set(data, path, copy.deepcopy(value))
    return json.dumps(data, default=str).encode()


@cache
def distribution_zip(stored: bool = False) -> bytes:
    """A product zip built from the kernel baseline: `wso2am-2.6.0/repository/conf/...`;
    `stored` (uncompressed): a changed byte changes the XML the patchers read."""
    import io
    import zipfile

    baseline = Path(__file__).resolve().parent.parent / "wizard" / "baseline"
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for file in sorted(baseline.rglob("*")):
            if file.is_file():
                zf.write(file, f"wso2am-2.6.0/{file.relative_to(baseline).as_posix()}")
        zf.writestr("wso2am-2.6.0/bin/version.txt", "WSO2 API Manager v2.6.0\n")
    return buffer.getvalue()


@st.composite
def mutated_zip(draw: st.DrawFn) -> bytes:
    """The zip with bytes changed, cut, or a size field of a header set to a lie."""
    raw = bytearray(distribution_zip(draw(st.booleans())))
    kind = draw(st.sampled_from(["flip", "cut", "size", "none"]))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 8))):
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
    elif kind == "cut":
        del raw[draw(st.integers(0, len(raw) - 1)) :]
    elif kind == "size":
        # A local (offset 22) or central (offset 24) header's uncompressed size.
        heads = [i for i in range(len(raw) - 4) if raw[i : i + 2] == b"PK" and raw[i + 2] in (1, 3)]
        at = draw(st.sampled_from(heads))
        field = at + (22 if raw[at + 2] == 3 else 24)
        raw[field : field + 4] = draw(st.integers(0, 2**32 - 1)).to_bytes(4, "little")
    return bytes(raw)
