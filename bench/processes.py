"""Run a command as a child process: wall time and peak resident memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CLI = str(Path(PYTHON).with_name("carbon-wizard"))


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_kib: int


def run(command: Sequence[str], env: Mapping[str, str] | None = None) -> Run:
    """`command` to completion; raises when it fails (a benchmark of a failure is noise)."""
    start = time.perf_counter()
    child = subprocess.Popen(
        list(command),
        cwd=ROOT,
        env=dict(env) if env is not None else None,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {errors.decode(errors='replace')}")
    return Run(elapsed, usage.ru_maxrss)  # Linux: KiB


def bench_env(home: Path) -> dict[str, str]:
    """The environment of a measured process: its own empty home, no colour quirks."""
    # PYTHONDONTWRITEBYTECODE would recompile every module on every start: not how an
    # operator runs it. The warm-up run writes the caches, as their first run would.
    dropped = {"NO_COLOR", "CARBON_WIZARD_PLAIN", "PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        PYTHONPATH=str(ROOT),
    )
    return env
