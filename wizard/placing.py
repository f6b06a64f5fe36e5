"""Putting a finished tree in place, and what an interrupted write left behind.

A tree is written into a hidden sibling of its target, `.DIR.tmp-PID-XXXXXX`, whose marker
file `STAGING_MARK` says "unfinished". The marker goes last, once the tree is complete and
checked; then the tree reaches DIR in one rename:

- no DIR, or an empty one: rename(2), which replaces an empty folder atomically;
- a DIR with contents (`--force`): an atomic exchange (Linux renameat2 RENAME_EXCHANGE), so
  DIR is at every moment the old tree or the new one, and the old tree, now under the hidden
  name, is renamed to `DIR.bak-<time>`. Where the file system has no exchange, DIR is renamed
  to its backup first and the new tree after it: a kill between the two leaves DIR missing,
  and the next write names the backup that holds it.

A process killed with SIGKILL cleans nothing up; the next write to the same folder does
(`sweep`): a hidden tree of a process that is no longer running is removed when it still
has its marker (an unfinished tree: its passwords go with it), and kept as a backup, named,
when it has none (a complete tree: the old one swapped out, or a new one not yet in place).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import sys
import time
from pathlib import Path

STAGING_MARK = ".carbon-wizard-unfinished"
"""In a staging tree's root until the tree is complete: what `sweep` removes unasked."""

_STAGING = re.compile(r"\.(?P<name>.+)\.tmp-(?P<pid>[0-9]{1,10})-[0-9a-f]{6}")
_PID_MAX = 1 << 22


def staging_name(out: Path, token: str) -> Path:
    return out.parent / f".{out.name}.tmp-{os.getpid()}-{token}"


def backup_name(out: Path) -> Path:
    """`DIR.bak-<time>`, a name nothing holds yet."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = out.with_name(f"{out.name}.bak-{stamp}")
    n = 1
    while os.path.lexists(backup):
        backup = out.with_name(f"{out.name}.bak-{stamp}-{n}")
        n += 1
    return backup


def _pid_running(pid: int) -> bool:
    if not 0 < pid <= _PID_MAX:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone's process, or unknowable: never touch its tree
    return True


def sweep(parent: Path) -> list[str]:
    """Clear what killed writes left in `parent`; one sentence per tree found, for the
    operator. Only this tool's hidden trees of processes no longer running are touched."""
    notes: list[str] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return notes
    for entry in entries:
        found = _STAGING.fullmatch(entry.name)
        if found is None or not entry.is_dir(follow_symlinks=False):
            continue
        if _pid_running(int(found.group("pid"))):
            continue  # a write in progress (or another user's): not ours to judge
        path = Path(entry.path)
        if os.path.lexists(path / STAGING_MARK):
            shutil.rmtree(path, ignore_errors=True)
            if not os.path.lexists(path):
                notes.append(
                    f"removed {path}, an unfinished tree an interrupted write left "
                    "(it held passwords)"
                )
            else:
                notes.append(f"could not remove {path}, an unfinished tree; remove it by hand")
            continue
        backup = backup_name(parent / found.group("name"))
        try:
            os.rename(path, backup)
        except OSError as exc:
            notes.append(
                f"{path} holds a complete tree an interrupted write left, and could "
                f"not be renamed ({exc.strerror}); rename or remove it by hand"
            )
            continue
        notes.append(f"an interrupted write left a complete tree at {path}; it is kept as {backup}")
    return notes


def sweep_collections(tree: Path, name: str) -> None:
    """Remove `.NAME.tmp-PID-*` and `.NAME.old-PID-*` folders in `tree` of processes no longer
    running: a collection killed mid-way, or the previous one it was replacing (fetched
    again by the next collection)."""
    pattern = re.compile(rf"\.{re.escape(name)}\.(?:tmp|old)-(?P<pid>[0-9]{{1,10}})-[0-9a-f]{{6}}")
    try:
        entries = list(os.scandir(tree))
    except OSError:
        return
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if found and entry.is_dir(follow_symlinks=False) and not _pid_running(int(found["pid"])):
            shutil.rmtree(entry.path, ignore_errors=True)


def put_in_place(staging: Path, out: Path) -> Path | None:
    """Rename the finished `staging` to `out`; the backup of a non-empty `out`, if any."""
    if not has_contents(out):
        # rename(2) replaces an empty folder, and creates a missing one, in one step.
        os.rename(staging, out)
        return None
    backup = backup_name(out)
    if _exchange(staging, out):
        # `staging` holds the old tree now; a kill here leaves it for `sweep` to name.
        try:
            os.rename(staging, backup)
        except OSError:
            return staging  # the new tree is in place; the old one stays, complete, here
        return backup
    os.rename(out, backup)
    try:
        os.rename(staging, out)
    except OSError:
        with contextlib.suppress(OSError):
            os.rename(backup, out)
        raise
    return backup


def has_contents(path: Path) -> bool:
    try:
        with os.scandir(path) as listing:
            return next(listing, None) is not None
    except FileNotFoundError:
        return False


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically; False where the system or file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # only here and for syncfs: Linux calls os does not offer

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes.append(ctypes.c_uint)
    renameat2.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    # It is a rename (of both names at once): audit hooks hear of it as os.rename would say.
    sys.audit("os.rename", str(a), str(b), -1, -1)
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False  # no such call, or a file system without exchange
    raise OSError(code, os.strerror(code), str(b))
