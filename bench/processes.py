"""Run a command as a child process: wall time and peak resident memory."""

from __future__ import annotations

import os
import subprocess
import sys
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


# Runs the command as a child of a small process: a child forked from this one would report
# this process's memory as its own peak (the high-water mark survives fork and exec).
_LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    try:
        os.execvp(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run(command: Sequence[str], env: Mapping[str, str] | None = None) -> Run:
    """`command` to completion; raises when it fails (a benchmark of a failure is noise)."""
    done = subprocess.run(
        [PYTHON, "-S", "-c", _LAUNCHER, *command],
        cwd=ROOT,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
    )
    try:
        elapsed, peak, code = done.stdout.split()
    except ValueError:
        code = "launcher"
    if code != "0":
        raise RuntimeError(f"{' '.join(command)} failed ({code}): {done.stderr}")
    return Run(float(elapsed), int(peak))  # Linux: KiB


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
