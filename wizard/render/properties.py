"""Java .properties text: read, escape, and merge keeping the stock lines.

As `java.util.Properties` reads a file (ISO-8859-1, logical lines joined at an odd number of
trailing backslashes, the key ending at the first unescaped `=`, `:` or blank), so that a
stock file keeps every line and a line for one of our keys is replaced in place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence


def escape_value(value: str) -> str:
    """`value` as a Java properties value: backslashes and control characters escaped, and
    anything outside printable ASCII as \\uXXXX (the file is read as ISO-8859-1).

    Nothing else needs escaping here: every value we write starts with a non-blank character,
    and `=`, `:`, `#`, `!` are only special in keys and at the start of a line.
    """
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch in _CONTROL:
            out.append(_CONTROL[ch])
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            data = ch.encode("utf-16-be")
            out += [f"\\u{data[i]:02X}{data[i + 1]:02X}" for i in range(0, len(data), 2)]
    return "".join(out)


def escape_key(key: str) -> str:
    """`key` as a Java properties key: as a value, plus the separators and comment marks."""
    text = escape_value(key)
    return re.sub(r"([=: #!])", r"\\\1", text)


_CONTROL = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f"}


def unescape(text: str) -> str:
    """Decode Java properties escapes (the inverse of `escape_value`/`escape_key`)."""

    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc.startswith("u"):
            return chr(int(esc[1:], 16))
        return {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(esc, esc)

    decoded = re.sub(r"\\(u[0-9a-fA-F]{4}|.)", one, text, flags=re.DOTALL)
    # Surrogate pairs written as two \u escapes become one character again.
    return decoded.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")


def parse_properties(text: str) -> list[tuple[str | None, str]]:
    """(key, raw value) per logical line, as java.util.Properties splits them; comment and
    blank lines give (None, line). Values keep their escapes."""
    out: list[tuple[str | None, str]] = []
    for logical in _logical_lines(text.splitlines(keepends=True)):
        joined = "".join(_strip_continuation(line, i) for i, line in enumerate(logical))
        stripped = joined.lstrip(" \t\f")
        if not stripped.strip() or stripped[0] in "#!":
            out.append((None, joined))
            continue
        key, value = _split_key(stripped.rstrip("\r\n"))
        out.append((unescape(key), value))
    return out


def merge_properties(stock: bytes | None, entries: Sequence[tuple[str, str]], header: str) -> bytes:
    """`stock` with one `key=value` line per entry: a stock line with the same key is
    replaced in place (later duplicates dropped), the others appended under `header`.

    Values must already be escaped; keys are escaped here. Line ends follow the stock file.
    """
    wanted = {key: f"{escape_key(key)}={value}" for key, value in entries}
    if stock is None:
        lines = [f"# {header}", *wanted.values()]
        return ("\n".join(lines) + "\n").encode("latin-1")
    text = stock.decode("latin-1")  # how java.util.Properties reads a byte stream
    nl = "\r\n" if "\r\n" in text else "\n"
    physical = text.splitlines(keepends=True)
    out: list[str] = []
    done: set[str] = set()
    for logical in _logical_lines(physical):
        joined = "".join(_strip_continuation(line, i) for i, line in enumerate(logical))
        stripped = joined.lstrip(" \t\f")
        key = None
        if stripped.strip() and stripped[0] not in "#!":
            key = unescape(_split_key(stripped.rstrip("\r\n"))[0])
        if key in wanted:
            if key not in done:
                out.append(wanted[key] + nl)
                done.add(key)
            continue
        out += logical
    rest = [line for key, line in wanted.items() if key not in done]
    if rest:
        if out and not out[-1].endswith(("\n", "\r")):
            out.append(nl)
        out.append(f"# {header}{nl}")
        out += [line + nl for line in rest]
    return "".join(out).encode("latin-1")


def _logical_lines(physical: list[str]) -> list[list[str]]:
    """Group physical lines into logical ones: a line ending in an odd number of backslashes
    continues on the next (comments never continue)."""
    groups: list[list[str]] = []
    current: list[str] = []
    for line in physical:
        current.append(line)
        body = line.rstrip("\r\n")
        first = current[0].lstrip(" \t\f")
        is_comment = len(current) == 1 and first[:1] in ("#", "!")
        trailing = len(body) - len(body.rstrip("\\"))
        if is_comment or trailing % 2 == 0:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _strip_continuation(line: str, index: int) -> str:
    """A physical line's share of its logical line: continuation lines lose their leading
    blanks, continued lines their trailing backslash and line end."""
    if index:
        line = line.lstrip(" \t\f")
    body = line.rstrip("\r\n")
    if (len(body) - len(body.rstrip("\\"))) % 2:
        return body[:-1]
    return line


def _split_key(line: str) -> tuple[str, str]:
    """Split at the first unescaped `=`, `:` or blank (the Properties rule); raw parts."""
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\":
            i += 2
            continue
        if ch in "=: \t\f":
            key = line[:i]
            # Blanks, then at most one "=" or ":", then blanks separate key and value.
            rest = line[i:].lstrip(" \t\f")
            if rest[:1] in ("=", ":"):
                rest = rest[1:].lstrip(" \t\f")
            return key, rest
        i += 1
    return line, ""
