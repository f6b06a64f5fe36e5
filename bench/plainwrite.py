"""The generation baseline: write given bytes to given files with plain writes.

Run as a process of its own (`python -m bench.plainwrite BLOB OUT`), so that its wall time
includes an interpreter start as `carbon-wizard generate` does. BLOB holds the files one
after another: a JSON index line, then the contents.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def pack(files: dict[str, bytes], blob: Path) -> None:
    index = [[path, len(content)] for path, content in sorted(files.items())]
    with open(blob, "wb") as handle:
        handle.write(json.dumps(index).encode() + b"\n")
        for path, _ in index:
            handle.write(files[path])


def write(blob: Path, out: Path) -> None:
    with open(blob, "rb") as handle:
        index = json.loads(handle.readline())
        data = handle.read()
    made: set[str] = set()
    pos = 0
    for path, size in index:
        target = os.path.join(out, path)
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        with open(target, "wb") as f:
            f.write(data[pos : pos + size])
        pos += size


if __name__ == "__main__":
    write(Path(sys.argv[1]), Path(sys.argv[2]))
