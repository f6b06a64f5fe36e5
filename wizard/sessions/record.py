"""A session and its file: what is written (passwords left out unless kept), how a file is
read back and checked, and how an older file is upgraded.

The file lists the passwords it left out, so a resumed wizard asks for them again.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard import limits
from wizard.names import control_char
from wizard.sessions.errors import SessionTooNew
from wizard.steps import STEP_IDS, lookup

SCHEMA_VERSION = 1


@dataclass
class Session:
    id: str
    name: str
    created: str
    updated: str
    step: str
    answers: dict[str, Any]
    """The answers as typed so far, the shape of an answers TOML; not validated."""
    keep_passwords: bool = False
    dropped_passwords: list[str] = field(default_factory=list)
    """Paths (e.g. `database.registry.password`) of passwords left out of the file."""
    schema_version: int = SCHEMA_VERSION
    written: str = ""
    """Where the tree of these answers was last written; empty before the first write."""
    written_digest: str = ""
    """`answers_digest` of the answers that tree was written from: equal to the answers'
    own digest while they are unchanged since."""
    _saved: bytes | None = field(default=None, repr=False, compare=False)
    """What the file holds now, minus timestamps: lets `save` skip unchanged sessions."""


# ---- passwords ----------------------------------------------------------------------------


def _join(base: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else key


def strip_passwords(value: Any, base: str = "") -> tuple[Any, list[str]]:
    """A copy of `value` without any `password` key, and the paths of those removed."""
    dropped: list[str] = []
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "password":
                dropped.append(_join(base, key))
                continue
            out[key], more = strip_passwords(item, _join(base, key))
            dropped += more
        return out, dropped
    if isinstance(value, list):
        items = []
        for i, item in enumerate(value):
            stripped, more = strip_passwords(item, _join(base, i))
            items.append(stripped)
            dropped += more
        return items, dropped
    return value, dropped


def missing_passwords(session: Session) -> list[str]:
    """Dropped passwords the answers still lack (no password and no password_env)."""
    out = []
    for path in session.dropped_passwords:
        parent = path.rsplit(".", 1)[0]
        spec = lookup(session.answers, parent)
        if isinstance(spec, dict) and "password" not in spec and "password_env" not in spec:
            out.append(path)
    return out


# ---- the file format ----------------------------------------------------------------------


def payload(session: Session) -> tuple[dict[str, Any], list[str]]:
    """What the file holds for `session`, and the paths of the passwords it leaves out."""
    if session.keep_passwords:
        answers_out = copy.deepcopy(session.answers)
        dropped: list[str] = []
    else:
        answers_out, dropped = strip_passwords(session.answers)
    # Passwords dropped by an earlier save and not typed again since stay listed.
    for path in missing_passwords(session):
        if path not in dropped:
            dropped.append(path)
    data = {
        "schema_version": SCHEMA_VERSION,
        "id": session.id,
        "name": session.name,
        "created": session.created,
        "updated": session.updated,
        "step": session.step,
        "keep_passwords": session.keep_passwords,
        "dropped_passwords": dropped,
        "answers": answers_out,
    }
    if session.written:
        data["written"] = {"path": session.written, "digest": session.written_digest}
    return data, dropped


def answers_digest(answers: dict[str, Any]) -> str:
    """A short fingerprint of the answers, passwords left out (a session that keeps none
    must match itself after a resume)."""
    import hashlib
    import json

    stripped, _ = strip_passwords(answers)
    text = json.dumps(stripped, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def is_written_as_is(session: Session) -> bool:
    """The tree was written from these very answers (none changed since)."""
    return bool(session.written) and session.written_digest == answers_digest(session.answers)


def encode(data: dict[str, Any]) -> bytes:
    """The file's bytes: indented JSON in UTF-8."""
    import json  # where files are read or written: a first start lists none

    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def fingerprint_of(data: dict[str, Any]) -> bytes:
    """What `save` compares to skip an unchanged session: the content but `updated`."""
    import json

    kept = {k: v for k, v in data.items() if k != "updated"}
    return json.dumps(kept, sort_keys=True, ensure_ascii=False).encode("utf-8")


def migrate(data: Any, *, source: str = "") -> dict[str, Any]:
    """Upgrade a session file's data to the current schema.

    Version 0 (the first sessions, before passwords could be kept) had no `schema_version`
    or `schema_version: 0`, kept the step under `current_step`, had no `keep_passwords` (they
    were never stored) and no `dropped_passwords`.
    """
    if not isinstance(data, dict):
        raise ValueError("the file does not hold a JSON object")
    version = data.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise ValueError(f"schema_version {version!r} is not a version number")
    if version > SCHEMA_VERSION:
        name = data.get("id") or source or "?"
        raise SessionTooNew(
            f"session {name} was written by a newer carbon-wizard (schema {version}); "
            "upgrade carbon-wizard to open it"
        )
    out = dict(data)
    if version == 0:
        out["step"] = out.pop("current_step", "start")
        out["keep_passwords"] = False
        out.setdefault("dropped_passwords", [])
        out["schema_version"] = 1
    return out


def _from_data(raw: Any, session_id: str) -> Session:
    data = migrate(raw, source=session_id)
    for key in ("name", "created", "updated", "step"):
        if not isinstance(data.get(key), str):
            raise ValueError(f"'{key}' is missing or not text")
        # Both front ends print these; a control character would reach the terminal.
        bad = control_char(data[key])
        if bad:
            raise ValueError(f"'{key}' holds a {bad}")
    if not isinstance(data.get("answers"), dict):
        raise ValueError("'answers' is missing or not an object")
    keep = data.get("keep_passwords", False)
    if not isinstance(keep, bool):
        raise ValueError("'keep_passwords' is not true or false")
    dropped = data.get("dropped_passwords", [])
    if not isinstance(dropped, list) or not all(isinstance(p, str) for p in dropped):
        raise ValueError("'dropped_passwords' is not a list of paths")
    written = data.get("written", {})
    if not isinstance(written, dict) or not all(
        isinstance(written.get(k, ""), str) for k in ("path", "digest")
    ):
        raise ValueError("'written' is not an object with a path and a digest")
    step = data["step"] if data["step"] in STEP_IDS else "start"
    session = Session(
        # The file name is the id: a renamed copy opens as the session it is named for.
        id=session_id,
        name=data["name"],
        created=data["created"],
        updated=data["updated"],
        step=step,
        answers=data["answers"],
        keep_passwords=keep,
        dropped_passwords=list(dropped),
        written=written.get("path", ""),
        written_digest=written.get("digest", ""),
    )
    # Unchanged only if the file already says exactly this (not, e.g., an older schema).
    fingerprint = fingerprint_of(payload(session)[0])
    on_disk = fingerprint_of(dict(raw, id=session_id))
    session._saved = fingerprint if fingerprint == on_disk else None
    return session


def read_session(path: Path, session_id: str) -> Session:
    """Raises OSError, SessionTooNew, or ValueError (the reason the file is damaged)."""
    import json

    # A FIFO or device named <id>.json is refused unopened for reading: it would block.
    raw = limits.read_capped(path, limits.SESSION_BYTES, regular_only=True)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise ValueError(f"nests objects or lists more than {limits.DEPTH} deep") from None
    limits.check_depth(data)
    return _from_data(data, session_id)
