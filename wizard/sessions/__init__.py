"""Saved sessions: the (possibly unfinished) answers, so the operator can quit and resume.

One JSON file per session, `<id>.json`, in `locations.sessions_dir()`. Files are private
(0600 in a 0700 folder) and replaced atomically, so a crash during a save leaves the
previous version. Passwords are left out unless the operator opts in; the file lists which
ones were left out so a resumed wizard asks for them again.

The API is the same for the full-screen app and the prompt mode, and cheap enough to call
after every change: `save` writes only when something changed. Debouncing is the UI's job.

The parts live by subject: `errors`, `files` (the folder, ids, atomic writes), `record`
(a session and its file format), `locking`, `listing` and `store` (create, save, load,
delete, export). Every public name is importable from here. Nothing here loads json (or
the answers model) until a file is read or written, so listing an empty folder is free.
"""

from __future__ import annotations

from wizard.sessions.errors import SessionError, SessionInUse, SessionNotFound, SessionTooNew
from wizard.sessions.files import (
    CORRUPT_SUFFIX,
    DIR_MODE,
    FILE_MODE,
    LOCK_SUFFIX,
    SUFFIX,
    check_id,
    ensure_dir,
    write_atomic,
)
from wizard.sessions.listing import (
    Damaged,
    SessionEntry,
    SessionList,
    format_list,
    latest,
    list_sessions,
    products_summary,
    unused_name,
)
from wizard.sessions.locking import SessionLock, lock
from wizard.sessions.record import (
    SCHEMA_VERSION,
    Session,
    answers_digest,
    migrate,
    missing_passwords,
    strip_passwords,
)
from wizard.sessions.store import delete, export, load, new_session, resolve_id, save

__all__ = [
    "CORRUPT_SUFFIX",
    "DIR_MODE",
    "FILE_MODE",
    "LOCK_SUFFIX",
    "SCHEMA_VERSION",
    "SUFFIX",
    "Damaged",
    "Session",
    "SessionEntry",
    "SessionError",
    "SessionInUse",
    "SessionList",
    "SessionLock",
    "SessionNotFound",
    "SessionTooNew",
    "answers_digest",
    "check_id",
    "delete",
    "ensure_dir",
    "export",
    "format_list",
    "latest",
    "list_sessions",
    "load",
    "lock",
    "migrate",
    "missing_passwords",
    "new_session",
    "products_summary",
    "resolve_id",
    "save",
    "strip_passwords",
    "unused_name",
    "write_atomic",
]
