"""Session locks: one wizard at a time has a session open. A lock file names the holder's
pid and host; a lock whose holder is gone (same host, pid not running) is taken over."""

from __future__ import annotations

import contextlib
import os
import socket
import time
from pathlib import Path
from types import TracebackType

from wizard import limits
from wizard.names import shown
from wizard.sessions.errors import SessionInUse, folder_error
from wizard.sessions.files import FILE_MODE, LOCK_SUFFIX, check_id, ensure_dir, timestamp

# A takeover guard older than this was left by a process killed mid-takeover.
_GUARD_STALE_SECONDS = 10.0


def _host() -> str:
    return socket.gethostname()


def _lock_file(session_id: str, directory: Path) -> Path:
    return Path(directory) / f"{check_id(session_id)}{LOCK_SUFFIX}"


_PID_MAX = 1 << 22  # Linux's pid_max ceiling; a larger pid was never a process's


def _pid_alive(pid: int) -> bool:
    if not 0 < pid <= _PID_MAX:
        return False  # an absurd pid (a hand-edited or damaged lock) holds nothing
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by someone else
    except (OSError, OverflowError):
        return False
    return True


def _is_stale(pid: int, host: str) -> bool:
    # Another host's pid cannot be checked from here: such a lock is never taken over.
    return host == _host() and not _pid_alive(pid)


def _read_lock(path: Path) -> tuple[int, str, str] | None:
    """(pid, host, since) of a lock file; None when there is none. An unreadable lock
    (e.g. a crash between create and write) reads as a dead holder on this host."""
    try:
        raw = limits.read_capped(path, 4096, regular_only=True).decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return (0, _host(), "?")
    import json

    try:
        data = json.loads(raw)
        pid, host, since = data["pid"], data["host"], data.get("since", "?")
        if not isinstance(pid, int) or not isinstance(host, str) or not isinstance(since, str):
            raise TypeError("not a lock")
        return pid, shown(host), shown(since)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return (0, _host(), "?")


class SessionLock:
    """Held while a wizard has a session open; `with lock(id, dir=...) as held:`.

    `note` says when a stale lock (same host, holder gone) was taken over.
    """

    def __init__(self, session_id: str, directory: Path) -> None:
        self.session_id = session_id
        self.path = _lock_file(session_id, directory)
        self.note: str | None = None
        self.held = False
        self._content: bytes = b""

    def acquire(self) -> SessionLock:
        try:
            return self._acquire()
        except OSError as exc:
            raise folder_error(exc, self.path.parent, f"lock session {self.session_id}") from None

    def _acquire(self) -> SessionLock:
        ensure_dir(self.path.parent)
        import json

        info = {"pid": os.getpid(), "host": _host(), "since": timestamp()}
        self._content = json.dumps(info).encode("utf-8")
        for _attempt in range(3):
            if self._create():
                self.held = True
                return self
            holder = _read_lock(self.path)
            if holder is None:
                continue  # released between our create and read: try again
            pid, host, since = holder
            if not _is_stale(pid, host):
                raise SessionInUse(self.session_id, pid, host, since, self.path)
            if self._take_over(holder):
                who = f"pid {pid}" if pid else "an unreadable lock"
                self.note = (
                    f"session {self.session_id} was left locked by {who} on {host} "
                    f"(since {since}), which is no longer running; the lock was taken over"
                )
                self.held = True
                return self
        holder = _read_lock(self.path) or (0, "?", "?")
        raise SessionInUse(self.session_id, *holder, self.path)

    def _create(self) -> bool:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except FileExistsError:
            return False
        try:
            os.write(fd, self._content)
            os.fsync(fd)
        finally:
            os.close(fd)
        return True

    def _take_over(self, seen: tuple[int, str, str]) -> bool:
        """Replace a stale lock, once: a guard file makes two takers take turns, and the
        lock is re-read under the guard so a fresh lock is never mistaken for the stale one."""
        guard = self.path.with_name(self.path.name + ".takeover")
        try:
            fd = os.open(guard, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except FileExistsError:
            with contextlib.suppress(OSError):
                if time.time() - guard.stat().st_mtime > _GUARD_STALE_SECONDS:
                    os.unlink(guard)
            return False
        os.close(fd)
        try:
            if _read_lock(self.path) != seen:
                return False
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
            return self._create()
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(guard)

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        try:
            current = self.path.read_bytes()
        except OSError:
            return
        # Only our own lock: a lock someone took over from us is theirs now.
        if current == self._content:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)

    def __enter__(self) -> SessionLock:
        if not self.held:
            self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def clear_for_removal(session_id: str, directory: Path) -> None:
    """Before a session is removed: refuse while another live wizard holds its lock, and
    remove a lock whose holder is gone. This process's own lock stays for it to release."""
    lock_path = _lock_file(session_id, directory)
    holder = _read_lock(lock_path)
    if holder is not None:
        pid, host, since = holder
        ours = pid == os.getpid() and host == _host()
        if not ours and not _is_stale(pid, host):
            raise SessionInUse(session_id, pid, host, since, lock_path)
        if not ours:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(lock_path)


def lock(session_id: str, *, dir: Path) -> SessionLock:
    """Lock a session for this process; raises SessionInUse naming the holder's pid and host.

    Acquired at once, so both `held = lock(...)` and `with lock(...) as held:` work.
    """
    return SessionLock(session_id, Path(dir)).acquire()
