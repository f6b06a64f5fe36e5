"""Write a Tree to disk: all or nothing, private, and re-checked before it is put in place.

The tree is written into a hidden sibling directory, checked by the rules as it lies on
disk, and renamed into place. A failure at any point removes the sibling, so the target is
either the old tree or the complete new one, never half of either.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wizard import rules
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


def write_tree(
    tree: Tree,
    out: Path,
    *,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> WriteResult:
    out = Path(os.path.abspath(out))
    _refuse_unsafe_target(out, force)
    try:
        out.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    except OSError as exc:
        raise OutputError(f"cannot create {out.parent}: {exc.strerror}") from None
    staging = out.parent / f".{out.name}.tmp-{os.getpid()}-{secrets.token_hex(3)}"
    try:
        _write_all(tree, staging, progress)
        findings = rules.check_tree(staging)
        if findings:
            listed = "\n".join(f"  - {f}" for f in findings[:20])
            more = f"\n  ... and {len(findings) - 20} more" if len(findings) > 20 else ""
            raise OutputError(
                f"the generated tree breaks {len(findings)} WSO2 rule(s), so it was not "
                f"written:\n{listed}{more}"
            )
        backup = _move_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteResult(out, backup, len(tree.files))


def _refuse_unsafe_target(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a directory; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OutputError(
            f"{out} is not empty. Choose another directory, or pass --force to replace it "
            "(the old contents are kept as a backup beside it)."
        )


def _write_all(tree: Tree, root: Path, progress: Callable[[int, int], None] | None) -> None:
    try:
        root.mkdir(mode=DIR_MODE)
        made = {root}
        total = len(tree.files)
        for done, (rel, content) in enumerate(sorted(tree.files.items()), start=1):
            target = root / rel
            _make_dirs(target.parent, made)
            mode = EXEC_MODE if rel in tree.executables else FILE_MODE
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(target, mode)  # the umask may have narrowed or widened nothing; be exact
            if progress:
                progress(done, total)
    except OSError as exc:
        raise OutputError(
            f"writing the tree failed ({exc.strerror or exc}) at {exc.filename or root}; "
            "nothing was put in place"
        ) from None


def _make_dirs(path: Path, made: set[Path]) -> None:
    missing = []
    while path not in made:
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        directory.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(directory, DIR_MODE)
        made.add(directory)


def _move_into_place(staging: Path, out: Path) -> Path | None:
    backup = None
    if out.is_dir():
        if any(out.iterdir()):
            stamp = time.strftime("%Y%m%d-%H%M%S")
            backup = out.with_name(f"{out.name}.bak-{stamp}")
            n = 1
            while backup.exists():
                backup = out.with_name(f"{out.name}.bak-{stamp}-{n}")
                n += 1
            os.rename(out, backup)
        else:
            out.rmdir()
    try:
        os.rename(staging, out)
    except OSError as exc:
        if backup is not None:
            os.rename(backup, out)
        raise OutputError(f"could not put the tree in place at {out}: {exc.strerror}") from None
    _fsync_dir(out.parent)
    return backup


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
