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
