"""Write a Tree to disk: all or nothing, private, and re-checked before it is put in place.

The tree is written into a hidden sibling directory, checked by the rules as it lies on
disk, made durable, and renamed into place (wizard.placing: one rename, or an atomic
exchange with a tree it replaces). A failure, Ctrl+C, SIGTERM or SIGHUP at any point removes
the sibling, so the target is either the old tree or the complete new one, never half of
either; what a SIGKILL leaves, the next write to the same folder clears and names.

Durability: every file and directory of the sibling is fsynced before the rename. The files
are written first and the file system flushed once (syncfs), so the fsyncs that follow find
nothing left to write; one fsync per file as it was written cost ~3 ms each, 20 s for a
1000-node tree on a virtual disk.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard import names, placing, rules
from wizard.tree import Tree

FILE_MODE = 0o600
EXEC_MODE = 0o700
DIR_MODE = 0o700


class OutputError(Exception):
    """A tree that could not be written; the message says why and what to do."""


@dataclass(frozen=True)
class WriteResult:
    path: Path
    backup: Path | None
    files: int
    swept: tuple[str, ...] = ()
    """What interrupted writes had left beside the target, and what became of each."""


def write_tree(
    tree: Tree,
    out: Path,
    *,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> WriteResult:
    out = target_of(out)
    _refuse_unsafe_target(out, force)
    try:
        out.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    except OSError as exc:
        what = "a file, not a folder" if isinstance(exc, FileExistsError) else exc.strerror
        raise OutputError(
            f"cannot create {out.parent} ({what}); choose an output directory (--out) in a "
            "folder you can write to"
        ) from None
    swept = placing.sweep(out.parent)
    staging = placing.staging_name(out, secrets.token_hex(3))
    placed = False
    with _signals_interrupt():
        try:
            written, dirs = _write_all(tree, staging, progress)
            findings = rules.check_files(_read_back(tree, written, staging))
            if findings:
                listed = "\n".join(f"  - {f}" for f in findings[:20])
                more = f"\n  ... and {len(findings) - 20} more" if len(findings) > 20 else ""
                raise OutputError(
                    f"the generated tree breaks {len(findings)} WSO2 rule(s), so it was not "
                    f"written:\n{listed}{more}"
                )
            _finish(staging)
            _make_durable(staging, written, dirs)
            # No signal handler runs between the rename and `placed`: once the old tree may
            # lie under the staging name, nothing may remove that name.
            with _signals_held():
                backup = _move_into_place(staging, out)
                placed = True
        except BaseException:
            if not placed:
                shutil.rmtree(staging, ignore_errors=True)
            raise
    return WriteResult(out, backup, len(tree.files), tuple(swept))


def target_of(out: Path) -> Path:
    """The folder a tree for `out` is written to: absolute, and where `out` points when it is
    a symbolic link (the link is left as it is, leading to the new tree)."""
    bad = names.control_char(str(out))
    if bad:
        raise OutputError(
            f"the output directory (--out) holds a {bad}; give a folder name without one "
            "(e.g. ./apim-prod)"
        )
    out = Path(os.path.abspath(out))
    if os.path.islink(out):
        out = Path(os.path.realpath(out))
    if out.parent == out:
        raise OutputError(
            f"the output directory (--out) cannot be {out}, the root folder; give a new "
            "folder such as ./apim-prod"
        )
    # The staging and backup names add ~25 characters to it; a file system takes 255.
    if len(os.fsencode(out.name)) > 200:
        raise OutputError(
            f"the output directory's name (--out) has {len(out.name)} characters; "
            "use at most 200 (e.g. ./apim-prod)"
        )
    return out


def _refuse_unsafe_target(out: Path, force: bool) -> None:
    try:
        if out.exists() and not out.is_dir():
            raise OutputError(
                f"{out} exists and is not a directory; choose another output directory (--out)"
            )
        if out.is_dir() and placing.has_contents(out) and not force:
            raise OutputError(
                f"{out} is not empty. Choose another directory, or pass --force to replace it "
                "(the old contents are kept as a backup beside it)."
            )
    except OSError as exc:
        raise OutputError(
            f"cannot look into {out} ({exc.strerror}); choose an output directory (--out) "
            "you can read and write"
        ) from None


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """While a tree is written, SIGTERM and SIGHUP (when nothing else handles them) stop
    the write as Ctrl+C does, so the staging tree and its passwords are removed. Only the
    main thread can set handlers; a write elsewhere relies on `placing.sweep`."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}
    for number in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if number is not None and signal.getsignal(number) == signal.SIG_DFL:
            previous[number] = signal.signal(number, _interrupt)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl+C, SIGTERM and SIGHUP wait (are delivered after) while the tree is renamed."""
    held = {signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)}
    mask = getattr(signal, "pthread_sigmask", None)
    before = mask(signal.SIG_BLOCK, held) if mask is not None else None
    try:
        yield
    finally:
        if mask is not None and before is not None:
            mask(signal.SIG_SETMASK, before)


def _interrupt(number: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {number}")


def _finish(staging: Path) -> None:
    """The tree is complete: its marker goes, so `placing.sweep` keeps it if we die now."""
    try:
        os.unlink(staging / placing.STAGING_MARK)
    except OSError as exc:
        raise _write_failed(exc, staging) from None


def _write_all(
    tree: Tree, root: Path, progress: Callable[[int, int], None] | None
) -> tuple[list[str], list[str]]:
    """Every file of `tree` under `root`; returns the files and directories written."""
    top = str(root)
    written: list[str] = []
    try:
        root.mkdir(mode=DIR_MODE)
        os.chmod(top, DIR_MODE)
        os.close(os.open(os.path.join(top, placing.STAGING_MARK), os.O_WRONLY | os.O_CREAT, 0o600))
        made = {"": top}
        total = len(tree.files)
        for done, (rel, content) in enumerate(sorted(tree.files.items()), start=1):
            if not names.is_safe_path(rel):
                # Every name comes from a checked answer; this is the last line of that check.
                raise OutputError(
                    f"the tree names a file {names.shown(rel)!r}; nothing was written"
                )
            parent, _, name = rel.rpartition("/")
            target = os.path.join(_make_dirs(parent, made), name)
            mode = EXEC_MODE if rel in tree.executables else FILE_MODE
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            try:
                _write_fully(fd, content, target)
                os.fchmod(fd, mode)  # the umask may have narrowed the mode; be exact
            finally:
                os.close(fd)
            written.append(target)
            if progress:
                progress(done, total)
    except OSError as exc:
        raise _write_failed(exc, root) from None
    return written, list(made.values())


def _write_fully(fd: int, content: bytes, path: str) -> None:
    view = memoryview(content)
    while view:
        n = os.write(fd, view)
        if n <= 0:
            raise OSError(f"short write to {path}")
        view = view[n:]


def _make_dirs(rel: str, made: dict[str, str]) -> str:
    """The directory `rel` (tree-relative, "" for the root), made 0700 if it is new."""
    found = made.get(rel)
    if found is None:
        parent, _, name = rel.rpartition("/")
        found = os.path.join(_make_dirs(parent, made), name)
        os.mkdir(found, DIR_MODE)
        os.chmod(found, DIR_MODE)
        made[rel] = found
    return found


def _write_failed(exc: OSError, root: Path) -> OutputError:
    return OutputError(
        f"writing the tree failed ({exc.strerror or exc}) at {exc.filename or root}; "
        "nothing was put in place"
    )


def _read_back(tree: Tree, written: list[str], root: Path) -> dict[str, bytes]:
    """The files as they lie on disk, for the rules. Each is compared with what was written
    and the tree's own copy handed on, so a large tree is not held in memory twice."""
    files: dict[str, bytes] = {}
    prefix = len(str(root)) + 1
    try:
        for path in written:
            rel = path[prefix:].replace(os.sep, "/")
            expected = tree.files[rel]
            if _read_file(path, len(expected)) != expected:
                raise OutputError(
                    f"{rel} reads back different from what was written to {root}; "
                    "nothing was put in place"
                )
            files[rel] = expected
    except OSError as exc:
        raise _write_failed(exc, root) from None
    return files


def _read_file(path: str, size: int) -> bytes:
    """The file's first `size` + 1 bytes: enough to tell it from one of `size` bytes. Four
    system calls where open().read() makes seven (two fstat and an lseek to size its
    buffer), for each of the thousands of files of a large tree."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        left = size + 1
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _make_durable(root: Path, files: list[str], dirs: list[str]) -> None:
    """Everything written under `root` on stable storage, before it is renamed into place."""
    try:
        _sync_file_system(root)
        for path in files:
            # Cheap after the flush; still the call that reports a failed write-back.
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        for directory in reversed(dirs):
            _fsync_dir(directory)  # a str: no Path made for each of thousands
    except OSError as exc:
        raise _write_failed(exc, root) from None


def _sync_file_system(path: Path) -> None:
    """Flush the file system holding `path` in one go (Linux syncfs, else sync)."""
    if sys.platform.startswith("linux"):
        import ctypes  # only here: the one caller that needs it, and only on Linux

        syncfs = getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)
        if syncfs is not None:
            fd = os.open(path, os.O_RDONLY)
            try:
                if syncfs(fd) == 0:
                    return
            finally:
                os.close(fd)
    if hasattr(os, "sync"):
        os.sync()


def _move_into_place(staging: Path, out: Path) -> Path | None:
    try:
        backup = placing.put_in_place(staging, out)
    except OSError as exc:
        raise OutputError(
            f"could not put the tree in place at {out}: {exc.strerror}; nothing was changed "
            "there (choose another output directory, --out, or free it)"
        ) from None
    _fsync_dir(out.parent)
    return backup


def _fsync_dir(path: str | Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# `carbon-wizard collect` has Ansible fetch the nodes' files into the tree; the folders it
# fetches into are made, tightened and put in place here, the one module that writes trees.
DEPLOYED = "deployed"


def deployed_staging(tree: Path) -> Path:
    """A new private, empty folder inside `tree` for one collection. What a killed collection
    left (its half-fetched files hold the nodes' passwords) goes first."""
    placing.sweep_collections(Path(tree), DEPLOYED)
    staging = Path(tree) / f".{DEPLOYED}.tmp-{os.getpid()}-{secrets.token_hex(3)}"
    try:
        staging.mkdir(mode=DIR_MODE)
        os.chmod(staging, DIR_MODE)
    except OSError as exc:
        raise OutputError(f"cannot create {staging}: {exc.strerror}; is {tree} writable?") from None
    return staging


def put_deployed_in_place(staging: Path, tree: Path) -> Path:
    """The collection in `staging` made private (files 0600, folders 0700: they hold the
    nodes' passwords) and renamed to `tree`/deployed, replacing the previous collection."""
    target = Path(tree) / DEPLOYED
    try:
        for folder, _dirs, files in os.walk(staging):
            os.chmod(folder, DIR_MODE)
            for name in files:
                path = os.path.join(folder, name)
                if not os.path.islink(path):  # fetch makes none; a link's target is not ours
                    os.chmod(path, FILE_MODE)
        old = None
        if target.exists():
            old = staging.with_name(f".{DEPLOYED}.old-{os.getpid()}-{secrets.token_hex(3)}")
            os.rename(target, old)
        os.rename(staging, target)
    except OSError as exc:
        raise OutputError(
            f"could not put the collected files in place at {target}: {exc.strerror}"
        ) from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(tree)
    return target


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
