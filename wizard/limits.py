"""Bounds on everything the wizard parses: how big a file may be and how deeply its values
may nest, so a damaged or hostile file is refused with its name instead of exhausting
memory or the interpreter's stack.

The bounds are far above anything the wizard writes itself (a 1 000-node topology.toml is
about 200 KiB and nests 5 deep) and far below what would hurt.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

ANSWERS_BYTES = 8 * 1024 * 1024
"""An answers TOML, a preset or a tree's topology.toml."""
SESSION_BYTES = 16 * 1024 * 1024
"""A saved session (the answers as typed, in JSON)."""
MANIFEST_BYTES = 64 * 1024 * 1024
"""A tree's manifest.json (every node's files with their digests)."""
STOCK_BYTES = 64 * 1024 * 1024
"""One stock file read from a distribution: a conf file is a few hundred KiB."""
TREE_FILE_BYTES = 64 * 1024 * 1024
"""One file of a written tree as `check` reads it (a driver jar is a few MiB)."""
DEPTH = 32
"""Nesting of tables, lists and objects: the answers and the manifest nest 5 or 6 deep."""


class TooLarge(ValueError):
    """A file or value beyond the bounds; the message says which bound."""


def depth_problem(data: Any, limit: int = DEPTH) -> str | None:
    """Why `data` nests too deeply, or None. Iterative: a value nested past the interpreter's
    own stack is measured without recursion."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list | tuple):
            children = value
        else:
            continue
        if level > limit:
            return f"nests tables or lists more than {limit} deep"
        stack.extend((child, level + 1) for child in children)
    return None


def check_depth(data: Any, limit: int = DEPTH) -> Any:
    problem = depth_problem(data, limit)
    if problem is not None:
        raise TooLarge(problem)
    return data


def too_big(size: int, limit: int) -> str:
    return f"is {size:,} bytes; at most {limit:,} are read"


def read_capped(path: Path, limit: int, *, regular_only: bool = False) -> bytes:
    """The bytes of `path`, refused (TooLarge) past `limit` without reading further.

    With `regular_only`, anything but a regular file (a FIFO that would block, a device) is
    refused before it is opened for reading, and opening does not wait for a writer."""
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
    if regular_only:
        flags |= getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if regular_only and not stat.S_ISREG(info.st_mode):
            raise TooLarge("is not a regular file")
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise TooLarge(too_big(info.st_size, limit))
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise TooLarge(f"is more than {limit:,} bytes; at most {limit:,} are read")
    return data
