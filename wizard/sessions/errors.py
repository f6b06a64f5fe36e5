"""What goes wrong with a session, as exceptions whose message says why (and what to do)."""

from __future__ import annotations

from pathlib import Path


class SessionError(Exception):
    """A session that cannot be opened, saved or changed; the message says why."""


class SessionNotFound(SessionError):
    pass


class SessionTooNew(SessionError):
    """Written by a newer carbon-wizard; left untouched so that version can still open it."""


class SessionInUse(SessionError):
    def __init__(self, session_id: str, pid: int, host: str, since: str, path: Path) -> None:
        self.session_id = session_id
        self.pid = pid
        self.host = host
        self.since = since
        self.path = path
        super().__init__(
            f"session {session_id} is open in another carbon-wizard (pid {pid} on host "
            f"{host}, since {since}); close that one first, or, if it is gone, remove {path}"
        )


class SessionFolderError(SessionError, OSError):
    """The sessions folder refused a change; an OSError still, for callers that catch one
    around a save."""


def folder_error(exc: OSError, directory: Path, doing: str) -> SessionFolderError:
    """An operating-system refusal in the sessions folder (read-only, full, not a folder),
    said with the folder and what to do about it."""
    reason = exc.strerror or str(exc)
    return SessionFolderError(
        f"cannot {doing}: {reason} ({exc.filename or directory}); the sessions folder "
        f"{directory} must be a folder you can write to: fix its permissions "
        f"(chmod u+rwx {directory}) or free space, and run again"
    )
