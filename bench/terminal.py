"""A real terminal for the start-up and key-press benchmarks: a private tmux server."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from itertools import count

WIDTH, HEIGHT = 120, 40
POLL = 0.004
"""Seconds between two looks at the screen; the resolution of every figure."""

_servers = count()
"""A server per section: `kill-server` returns before the old server has gone, so a new
one on the same socket could meet the old session ("duplicate session")."""


class Tmux:
    def __init__(self) -> None:
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is not installed (apt-get install tmux)")
        self.socket = f"carbon-wizard-bench-{os.getpid()}-{next(_servers)}"
        self._tmux("new-session", "-d", "-s", "bench", "-x", str(WIDTH), "-y", str(HEIGHT))
        self._tmux("set-option", "-g", "remain-on-exit", "on")

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def start(self, command: Sequence[str], env: Mapping[str, str]) -> float:
        """Replace whatever runs in the pane with `command`; returns when it was started."""
        assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        line = f"exec env -i {assignments} {shlex.join(command)}"
        self.clear()
        started = time.perf_counter()
        self._tmux("respawn-pane", "-k", "-t", "bench", line)
        return started

    def clear(self) -> None:
        self._tmux("respawn-pane", "-k", "-t", "bench", "exec sleep 3600")
        self._tmux("clear-history", "-t", "bench")
        self.wait_for_blank()

    def wait_for_blank(self, timeout: float = 5.0) -> None:
        end = time.perf_counter() + timeout
        while self.screen().strip() and time.perf_counter() < end:
            time.sleep(POLL)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "bench")

    def wait_for(self, texts: Sequence[str], timeout: float = 30.0) -> float:
        """The time at which every one of `texts` is on the screen."""
        end = time.perf_counter() + timeout
        while True:
            shown = self.screen()
            now = time.perf_counter()
            if all(t in shown for t in texts):
                return now
            if now > end:
                raise TimeoutError(f"never saw {texts!r}; the screen shows:\n{shown}")
            time.sleep(POLL)

    def wait_gone(self, text: str, timeout: float = 30.0) -> float:
        """The time at which `text` is no longer on the screen."""
        end = time.perf_counter() + timeout
        while True:
            shown = self.screen()
            now = time.perf_counter()
            if text not in shown:
                return now
            if now > end:
                raise TimeoutError(f"{text!r} stayed on the screen:\n{shown}")
            time.sleep(POLL)

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "bench", *keys)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
