"""Saved sessions: the (possibly unfinished) answers, so the operator can quit and resume.

One JSON file per session, `<id>.json`, in `locations.sessions_dir()`. Files are private
(0600 in a 0700 folder) and replaced atomically, so a crash during a save leaves the
previous version. Passwords are left out unless the operator opts in; the file lists which
ones were left out so a resumed wizard asks for them again.

The API is the same for the full-screen app and the prompt mode, and cheap enough to call
after every change: `save` writes only when something changed. Debouncing is the UI's job.
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from wizard.steps import STEP_IDS, lookup

SCHEMA_VERSION = 1
FILE_MODE = 0o600
DIR_MODE = 0o700
SUFFIX = ".json"
CORRUPT_SUFFIX = ".corrupt"
LOCK_SUFFIX = ".lock"

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_TMP_MARK = ".tmp-"
# A takeover guard older than this was left by a process killed mid-takeover.
_GUARD_STALE_SECONDS = 10.0
# Leftover temp files from a save that was killed; never touched while young.
_TMP_STALE_SECONDS = 24 * 3600.0


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
    _saved: bytes | None = field(default=None, repr=False, compare=False)
    """What the file holds now, minus timestamps: lets `save` skip unchanged sessions."""


@dataclass(frozen=True)
class SessionEntry:
    id: str
    name: str
    products: str
    """e.g. `apim 2.6.0 ×2, is 5.7.0 ×1`."""
    step: str
    updated: str
    created: str
    path: Path


@dataclass(frozen=True)
class Damaged:
    path: Path
    """Where the file is now: `<id>.json.corrupt` once moved aside (a file written by a newer
    carbon-wizard is not moved, only listed)."""
    reason: str


@dataclass
class SessionList:
    entries: list[SessionEntry] = field(default_factory=list)
    """Newest first."""
    damaged: list[Damaged] = field(default_factory=list)

    def __iter__(self) -> Iterator[SessionEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


# ---- timestamps and ids ------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return datetime.min.replace(tzinfo=UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._")[:40]
    return slug or "session"


def check_id(session_id: str) -> str:
    # Ids become file names: refuse anything that could leave the sessions folder.
    if not _ID.match(session_id) or session_id.endswith((SUFFIX, CORRUPT_SUFFIX, LOCK_SUFFIX)):
        raise SessionNotFound(f"'{session_id}' is not a session id (see `carbon-wizard sessions`)")
    return session_id


def _file(session_id: str, directory: Path) -> Path:
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
    tmp = path.with_name(f".{path.name}{_TMP_MARK}{os.getpid()}-{os.urandom(4).hex()}")
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


def _payload(session: Session) -> tuple[dict[str, Any], list[str]]:
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
    return data, dropped


def _encode(data: dict[str, Any]) -> bytes:
    import json  # where files are read or written: a first start lists none

    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _fingerprint(data: dict[str, Any]) -> bytes:
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
    if not isinstance(data.get("answers"), dict):
        raise ValueError("'answers' is missing or not an object")
    keep = data.get("keep_passwords", False)
    if not isinstance(keep, bool):
        raise ValueError("'keep_passwords' is not true or false")
    dropped = data.get("dropped_passwords", [])
    if not isinstance(dropped, list) or not all(isinstance(p, str) for p in dropped):
        raise ValueError("'dropped_passwords' is not a list of paths")
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
    )
    # Unchanged only if the file already says exactly this (not, e.g., an older schema).
    fingerprint = _fingerprint(_payload(session)[0])
    on_disk = _fingerprint(dict(raw, id=session_id))
    session._saved = fingerprint if fingerprint == on_disk else None
    return session


def _read(path: Path, session_id: str) -> Session:
    """Raises OSError, SessionTooNew, or ValueError (the reason the file is damaged)."""
    import json

    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    return _from_data(data, session_id)


# ---- the API ------------------------------------------------------------------------------


def new_session(
    name: str,
    answers: dict[str, Any],
    step: str = "start",
    *,
    dir: Path,
    keep_passwords: bool = False,
) -> Session:
    """Create and save a session with a fresh id (`<name>-<4 hex digits>`)."""
    directory = ensure_dir(dir)
    if step not in STEP_IDS:
        raise ValueError(f"unknown step '{step}'")
    base = _slug(name)
    while True:
        session_id = f"{base}-{os.urandom(2).hex()}"
        if not _file(session_id, directory).exists():
            break
    now = _now()
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
    data, dropped = _payload(session)
    fingerprint = _fingerprint(data)
    path = _file(session.id, dir)
    if fingerprint == session._saved and path.exists():
        return False
    directory = ensure_dir(dir)
    data["updated"] = _now()
    write_atomic(directory / path.name, _encode(data))
    session.updated = data["updated"]
    session.dropped_passwords = dropped
    session._saved = fingerprint
    return True


def load(session_id: str, *, dir: Path) -> Session:
    path = _file(session_id, dir)
    try:
        return _read(path, session_id)
    except FileNotFoundError:
        raise SessionNotFound(
            f"no session '{session_id}' in {dir} (see `carbon-wizard sessions`)"
        ) from None
    except OSError as exc:
        raise SessionError(f"session {session_id} cannot be read: {exc.strerror}") from None
    except ValueError as exc:
        raise SessionError(f"session {session_id} is damaged ({path}): {exc}") from None


def list_sessions(dir: Path) -> SessionList:
    """Every session, newest first. A file that does not load is moved aside to
    `<id>.json.corrupt` and listed in `damaged`; it never hides the others."""
    directory = Path(dir)
    result = SessionList()
    if not directory.is_dir():
        return result
    _sweep_temp_files(directory)
    found: list[tuple[datetime, Session, Path]] = []
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        if path.name.startswith("."):
            continue
        session_id = path.name[: -len(SUFFIX)]
        try:
            check_id(session_id)
            session = _read(path, session_id)
        except FileNotFoundError:
            continue  # deleted while we listed
        except SessionTooNew as exc:
            result.damaged.append(Damaged(path, str(exc)))
            continue
        except (OSError, ValueError, SessionError) as exc:
            reason = str(exc) if not isinstance(exc, OSError) else f"unreadable: {exc.strerror}"
            result.damaged.append(Damaged(_quarantine(path), reason))
            continue
        found.append((_parse_time(session.updated), session, path))
    found.sort(key=lambda item: (item[0], item[1].id), reverse=True)
    result.entries = [
        SessionEntry(
            id=s.id,
            name=s.name,
            products=products_summary(s.answers),
            step=s.step,
            updated=s.updated,
            created=s.created,
            path=path,
        )
        for _, s, path in found
    ]
    return result


def latest(dir: Path) -> SessionEntry | None:
    listed = list_sessions(dir)
    return listed.entries[0] if listed.entries else None


def resolve_id(text: str, *, dir: Path) -> str:
    """A session id from an id or a unique prefix of one (what `resume ID` accepts)."""
    if _ID.match(text) and _file(text, dir).exists():
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
    path = _file(session_id, dir)
    lock_path = _lock_file(session_id, dir)
    holder = _read_lock(lock_path)
    if holder is not None:
        pid, host, since = holder
        ours = pid == os.getpid() and host == _host()
        if not ours and not _is_stale(pid, host):
            raise SessionInUse(session_id, pid, host, since, lock_path)
        if not ours:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(lock_path)
    try:
        os.unlink(path)
    except FileNotFoundError:
        raise SessionNotFound(f"no session '{session_id}' in {dir}") from None


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
            spec["password_env"] = answers_mod.password_env_name(spec_path)
    topology = answers_mod.parse(data, f"session {session_id}")
    header = (
        f"# Answers exported from carbon-wizard session {session_id} ({session.name}).\n"
        "# Passwords are not stored here: each database names the environment variable\n"
        "# (password_env) that must hold its password. To write the tree:\n"
        "#   carbon-wizard generate --answers <this file> --out <dir>\n\n"
    )
    text = answers_mod.dumps(topology, keep_passwords=False, header=header)
    target = Path(path)
    write_atomic(target, text.encode("utf-8"))
    return target


def products_summary(answers: Any) -> str:
    """`apim 2.6.0 ×2, is 5.7.0 ×1` from answers that may be unfinished."""
    products = answers.get("products") if isinstance(answers, dict) else None
    if not isinstance(products, list) or not products:
        return "no products yet"
    parts = []
    for product in products:
        if not isinstance(product, dict):
            continue
        label = " ".join(str(product[k]) for k in ("id", "version") if product.get(k))
        if product.get("profile"):
            label += f" ({product['profile']})"
        nodes = product.get("nodes")
        count = len(nodes) if isinstance(nodes, list) else 0
        parts.append(f"{label or '?'} ×{count}")
    return ", ".join(parts) or "no products yet"


def format_list(listed: SessionList) -> str:
    """The `carbon-wizard sessions` table, with damaged files after it."""
    lines = []
    if not listed.entries:
        lines.append("no saved sessions")
    else:
        rows = [
            (e.id, e.name, e.step, e.updated[:19].replace("T", " "), e.products)
            for e in listed.entries
        ]
        head = ("ID", "NAME", "STEP", "UPDATED (UTC)", "PRODUCTS")
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
        for row in [head, *rows]:
            cells = [row[i].ljust(widths[i]) for i in range(4)]
            lines.append("  ".join([*cells, row[4]]))
    for item in listed.damaged:
        lines.append(f"damaged: {item.path}: {item.reason}")
    return "\n".join(lines)


def _quarantine(path: Path) -> Path:
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


def _sweep_temp_files(directory: Path) -> None:
    cutoff = time.time() - _TMP_STALE_SECONDS
    for tmp in directory.glob(f".*{SUFFIX}{_TMP_MARK}*"):
        with contextlib.suppress(OSError):
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()


# ---- locks --------------------------------------------------------------------------------


def _host() -> str:
    return socket.gethostname()


def _lock_file(session_id: str, directory: Path) -> Path:
    return Path(directory) / f"{check_id(session_id)}{LOCK_SUFFIX}"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by someone else
    except OSError:
        return False
    return True


def _is_stale(pid: int, host: str) -> bool:
    # Another host's pid cannot be checked from here: such a lock is never taken over.
    return host == _host() and not _pid_alive(pid)


def _read_lock(path: Path) -> tuple[int, str, str] | None:
    """(pid, host, since) of a lock file; None when there is none. An unreadable lock
    (e.g. a crash between create and write) reads as a dead holder on this host."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        return (0, _host(), "?")
    import json

    try:
        data = json.loads(raw)
        return int(data["pid"]), str(data["host"]), str(data.get("since", "?"))
    except (ValueError, KeyError, TypeError):
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
        ensure_dir(self.path.parent)
        import json

        info = {"pid": os.getpid(), "host": _host(), "since": _now()}
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


def lock(session_id: str, *, dir: Path) -> SessionLock:
    """Lock a session for this process; raises SessionInUse naming the holder's pid and host.

    Acquired at once, so both `held = lock(...)` and `with lock(...) as held:` work.
    """
    return SessionLock(session_id, Path(dir)).acquire()
