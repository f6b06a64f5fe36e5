"""Creating, saving, loading, finding, deleting and exporting sessions: the API both front
ends call, cheap enough to call after every change (`save` writes only what changed)."""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

from wizard.names import is_safe_name
from wizard.sessions.errors import SessionError, SessionNotFound, folder_error
from wizard.sessions.files import (
    ID_MAX,
    ensure_dir,
    session_file,
    timestamp,
    write_atomic,
)
from wizard.sessions.listing import list_sessions
from wizard.sessions.locking import clear_for_removal
from wizard.sessions.record import (
    Session,
    encode,
    fingerprint_of,
    missing_passwords,
    payload,
    read_session,
)
from wizard.steps import STEP_IDS, lookup


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._")[:40]
    return slug or "session"


def new_session(
    name: str,
    answers: dict[str, Any],
    step: str = "start",
    *,
    dir: Path,
    keep_passwords: bool = False,
) -> Session:
    """Create and save a session with a fresh id (`<name>-<4 hex digits>`)."""
    try:
        directory = ensure_dir(dir)
    except OSError as exc:
        raise folder_error(exc, Path(dir), "create the sessions folder") from None
    if step not in STEP_IDS:
        raise ValueError(f"unknown step '{step}'")
    base = _slug(name)
    while True:
        session_id = f"{base}-{os.urandom(2).hex()}"
        if not session_file(session_id, directory).exists():
            break
    now = timestamp()
    session = Session(session_id, name, now, now, step, answers, keep_passwords)
    save(session, dir=directory)
    return session


def save(session: Session, *, dir: Path) -> bool:
    """Write the session if it changed since it was loaded or last saved; True if written.

    With keep_passwords false every `password` key is left out of the file and listed in
    `dropped_passwords`; the in-memory answers keep them for the running wizard.
    """
    if session.step not in STEP_IDS:
        raise ValueError(f"unknown step '{session.step}'")
    data, dropped = payload(session)
    fingerprint = fingerprint_of(data)
    path = session_file(session.id, dir)
    if fingerprint == session._saved and path.exists():
        return False
    data["updated"] = timestamp()
    try:
        directory = ensure_dir(dir)
        write_atomic(directory / path.name, encode(data))
    except OSError as exc:
        raise folder_error(exc, Path(dir), f"save session {session.id}") from None
    session.updated = data["updated"]
    session.dropped_passwords = dropped
    session._saved = fingerprint
    return True


def load(session_id: str, *, dir: Path) -> Session:
    path = session_file(session_id, dir)
    try:
        return read_session(path, session_id)
    except FileNotFoundError:
        raise SessionNotFound(
            f"no session '{session_id}' in {dir} (see `carbon-wizard sessions`)"
        ) from None
    except OSError as exc:
        raise SessionError(f"session {session_id} cannot be read: {exc.strerror}") from None
    except ValueError as exc:
        raise SessionError(f"session {session_id} is damaged ({path}): {exc}") from None


def resolve_id(text: str, *, dir: Path) -> str:
    """A session id from an id or a unique prefix of one (what `resume ID` accepts)."""
    if is_safe_name(text, ID_MAX) and session_file(text, dir).exists():
        return text
    ids = [e.id for e in list_sessions(dir).entries]
    matches = [i for i in ids if i.startswith(text)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise SessionNotFound(f"'{text}' names several sessions: {', '.join(matches)}")
    known = ", ".join(ids) if ids else "none"
    raise SessionNotFound(f"no session '{text}'; saved sessions: {known}")


def delete(session_id: str, *, dir: Path) -> None:
    """Remove a session. Refused while another live wizard holds its lock."""
    path = session_file(session_id, dir)
    try:
        clear_for_removal(session_id, dir)
        os.unlink(path)
    except FileNotFoundError:
        raise SessionNotFound(f"no session '{session_id}' in {dir}") from None
    except OSError as exc:
        raise folder_error(exc, Path(dir), f"remove session {session_id}") from None


def export(session_id: str, path: Path, *, dir: Path) -> Path:
    """Write the session's answers as an answers TOML (never with passwords).

    Raises AnswersError listing every problem when the answers do not make a valid plan yet.
    Passwords the session left out become `password_env` references, as in topology.toml.
    """
    from wizard import answers as answers_mod

    session = load(session_id, dir=dir)
    data = copy.deepcopy(session.answers)
    for dropped in missing_passwords(session):
        spec_path = dropped.rsplit(".", 1)[0]
        spec = lookup(data, spec_path)
        if isinstance(spec, dict):
            spec["password_env"] = answers_mod.password_env_name(spec_path, data)
    topology = answers_mod.parse(data, f"session {session_id}")
    header = (
        f"# Answers exported from carbon-wizard session {session_id} ({session.name}).\n"
        "# Passwords are not stored here: each database names the environment variable\n"
        "# (password_env) that must hold its password. To write the tree:\n"
        "#   carbon-wizard generate --answers <this file> --out <dir>\n\n"
    )
    text = answers_mod.dumps(topology, keep_passwords=False, header=header)
    target = Path(path)
    if target.is_dir():
        raise SessionError(f"{target} is a folder; give the answers file to write (e.g. plan.toml)")
    try:
        write_atomic(target, text.encode("utf-8"))
    except OSError as exc:
        raise SessionError(
            f"cannot write {target} ({exc.strerror or exc}); give a FILE in a folder you can "
            "write to"
        ) from None
    return target
