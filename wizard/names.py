"""What may name a file or folder, and what text may hold: one definition for every field,
file name and template.

A name the wizard turns into a file or folder (a node id, a plan, session or preset name, a
driver jar) is matched whole (`re.fullmatch`: a `$` would also match before a final newline)
against a short alphabet, so no name can carry a separator, a control character or a shell or
XML metacharacter into a path, a script or a checksum list. Text that goes into a file as a
value (a password, a description) may hold any printable character, but no control character:
C0, DEL and C1 (U+0000-U+001F, U+007F-U+009F) included.

Only `re` is imported: the sessions and presets modules use this before anything heavy loads.
"""

from __future__ import annotations

import re

NAME_MAX = 63
"""Longest name of a node, plan or preset: a DNS label's length, short enough for a column."""

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# Parts start with a letter, digit or '_', so none is empty, '.' or '..'; one match a path.
_SAFE_PATH = re.compile(
    r"[A-Za-z0-9_][A-Za-z0-9._+@-]{0,254}(?:/[A-Za-z0-9_][A-Za-z0-9._+@-]{0,254})*"
)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

SAFE_NAME_RULE = "letters, digits, '.', '_' or '-', starting with a letter or digit"


def is_safe_name(value: object, limit: int = NAME_MAX) -> bool:
    """A file or folder name the wizard makes from an answer: 1-`limit` characters of
    SAFE_NAME_RULE, whole (no trailing newline), never '.' or '..'."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= limit
        and _SAFE_NAME.fullmatch(value) is not None
        and value not in {".", ".."}
    )


def is_safe_path(value: object, limit: int = 4096) -> bool:
    """A relative path inside a tree: '/'-separated parts of letters, digits and `._+@-`,
    none empty, '.' or '..', none longer than a file system takes (255)."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= limit
        and _SAFE_PATH.fullmatch(value) is not None
    )


def control_char(value: str) -> str | None:
    """Describe the first control character (C0, DEL, C1) or code point that no file the
    wizard writes can carry (a lone surrogate, U+FFFE, U+FFFF); None when there is none."""
    found = _CONTROL.search(value)
    if found is None:
        return None
    return f"control character U+{ord(found.group()):04X} at position {found.start() + 1}"


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(found: re.Match[str]) -> str:
    char = found.group()
    code = ord(char)
    return _ESCAPES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def shown(value: str, limit: int = 60) -> str:
    """`value` as a message or a table may quote it: a control character written as its
    escape (`\\n`, `\\x85`), and cut to `limit` characters, so a name read from a damaged
    file can neither redraw the terminal nor pad every line of a table."""
    clean = _CONTROL.sub(_escaped, value)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"
