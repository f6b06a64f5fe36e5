"""The sessions folder and its files: ids and file names, timestamps, private folders and
atomic writes, and damaged or left-over files moved aside.

Files are private (0600 in a 0700 folder) and replaced atomically, so a crash during a
save leaves the previous version.
"""

from __future__ import annotations

import contextlib
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from wizard.names import is_safe_name, shown
from wizard.sessions.errors import SessionNotFound

FILE_MODE = 0o600
DIR_MODE = 0o700
SUFFIX = ".json"
CORRUPT_SUFFIX = ".corrupt"
LOCK_SUFFIX = ".lock"

ID_MAX = 80
TMP_MARK = ".tmp-"
# Leftover temp files from a save that was killed; never touched while young.
_TMP_STALE_SECONDS = 24 * 3600.0


# ---- timestamps and ids ------------------------------------------------------------------


def timestamp() -> str:
    """Now, in UTC, as the files record `created`, `updated` and a lock's `since`."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: str) -> datetime:
    """A recorded timestamp; one that does not parse sorts as the oldest."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return datetime.min.replace(tzinfo=UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def check_id(session_id: str) -> str:
    # Ids become file names: refuse anything that could leave the sessions folder.
    if not is_safe_name(session_id, ID_MAX) or session_id.endswith(
        (SUFFIX, CORRUPT_SUFFIX, LOCK_SUFFIX)
    ):
        raise SessionNotFound(
            f"'{shown(session_id)}' is not a session id (see `carbon-wizard sessions`)"
        )
    return session_id


def session_file(session_id: str, directory: Path) -> Path:
    """Where session `session_id` is saved in `directory` (the id checked first)."""
    return Path(directory) / f"{check_id(session_id)}{SUFFIX}"


# ---- the folder and atomic writes ---------------------------------------------------------


def ensure_dir(directory: Path) -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    with contextlib.suppress(OSError):  # not ours to change (e.g. a shared, admin-made dir)
        if directory.stat().st_mode & 0o777 != DIR_MODE:
            os.chmod(directory, DIR_MODE)
    return directory


def write_atomic(path: Path, content: bytes, mode: int = FILE_MODE) -> None:
    """Replace `path` with `content`: a reader sees the old file or the new one, never half."""
    path = Path(path)
    # os.urandom(n).hex() is what secrets.token_hex(n) returns; `secrets` (hmac, hashlib)
    # cost a few ms of every start, for two random suffixes.
    tmp = path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}-{os.urandom(4).hex()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        try:
            view = memoryview(content)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, mode)  # O_CREAT's mode is narrowed by the umask; be exact
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    # The rename is durable only once the folder is; a failure here loses nothing.
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def quarantine(path: Path) -> Path:
    """Move a damaged file aside without ever replacing an earlier quarantined one."""
    n = 0
    while True:
        suffix = CORRUPT_SUFFIX if n == 0 else f".{n}{CORRUPT_SUFFIX}"
        target = path.with_name(path.name + suffix)
        try:
            # link() refuses an existing target, which rename() would silently replace.
            os.link(path, target)
        except FileExistsError:
            n += 1
            continue
        except FileNotFoundError:
            return path  # another lister moved it first
        except OSError:
            if target.exists():
                n += 1
                continue
            try:
                os.rename(path, target)
            except OSError:
                return path
            return target
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return target


def sweep_temp_files(directory: Path) -> None:
    """Remove temp files a killed save left behind, once they are a day old."""
    cutoff = time.time() - _TMP_STALE_SECONDS
    for tmp in directory.glob(f".*{SUFFIX}{TMP_MARK}*"):
        with contextlib.suppress(OSError):
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()
