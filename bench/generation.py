"""`carbon-wizard generate` at 10, 100 and 1000 nodes against plain writes of its bytes."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import plainwrite, processes
from bench.results import Row, median, mib, ratio, seconds
from bench.topology import answers_toml

SIZES = (10, 100, 1000)
TARGET_NODES = 1000
TARGET_RATIO = 3.0
TARGET_SECONDS = 2.0
TARGET_MIB = 150


@contextmanager
def scratch(base: Path | None = None) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="carbon-wizard-bench-", dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _read(root: Path) -> dict[str, bytes]:
    files = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def _settle(path: Path) -> None:
    """Remove a run's output and let the disk finish with it before the next run."""
    shutil.rmtree(path, ignore_errors=True)
    os.sync()


def measure(
    nodes: int, runs: int, base: Path | None = None
) -> tuple[list[processes.Run], list[processes.Run]]:
    """(generate runs, plain-write runs), alternating so that both see the same disk."""
    with scratch(base) as work:
        env = processes.bench_env(work / "home")
        answers = work / "answers.toml"
        answers.write_text(answers_toml(nodes))
        out = work / "out"
        generate = [processes.CLI, "generate", "--answers", str(answers), "--out", str(out)]
        processes.run(generate, env)  # warm-up; its tree is the baseline's bytes
        blob = work / "tree.blob"
        plainwrite.pack(_read(out), blob)
        plain = [processes.PYTHON, "-m", "bench.plainwrite", str(blob), str(out)]
        _settle(out)
        processes.run(plain, env)  # warm-up
        _settle(out)
        gen_runs, plain_runs = [], []
        for _ in range(runs):
            gen_runs.append(processes.run(generate, env))
            _settle(out)
            plain_runs.append(processes.run(plain, env))
            _settle(out)
        return gen_runs, plain_runs


def rows(runs: int) -> list[Row]:
    out: list[Row] = []
    for nodes in SIZES:
        gen, plain = measure(nodes, runs)
        out += _rows(f"{nodes} nodes", nodes == TARGET_NODES, gen, plain)
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        # The same in memory: what the wizard itself costs, without the disk.
        gen, plain = measure(TARGET_NODES, runs, shm)
        out += _rows(f"{TARGET_NODES} nodes, tmpfs", False, gen, plain)
    return out


def _rows(
    label: str, targeted: bool, gen: list[processes.Run], plain: list[processes.Run]
) -> list[Row]:
    t, b = median([r.seconds for r in gen]), median([r.seconds for r in plain])
    m, mb = median([r.peak_kib for r in gen]), median([r.peak_kib for r in plain])
    time_target = f"ratio <= {TARGET_RATIO:g}, < {TARGET_SECONDS:g} s" if targeted else ""
    time_met = (t / b <= TARGET_RATIO and t < TARGET_SECONDS) if targeted else None
    return [
        Row(f"generate, {label}: wall", seconds(t), seconds(b), ratio(t, b), time_target, time_met),
        Row(
            f"generate, {label}: peak RSS",
            mib(m),
            mib(mb),
            ratio(m, mb),
            f"< {TARGET_MIB} MiB" if targeted else "",
            (m / 1024 < TARGET_MIB) if targeted else None,
        ),
    ]
