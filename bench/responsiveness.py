"""The wizard with many nodes: a key press to the screen showing it, and the preview ready."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench import processes
from bench.results import Row, median, ratio, seconds
from bench.terminal import POLL, Tmux

KEY_NODES = 500
PREVIEW_NODES = 200
SMALL = 10
"""The baseline: the same on a small topology."""
TARGET_KEY = 0.050
TARGET_PREVIEW = 0.5


def _wait_file(path: Path, timeout: float = 120.0) -> str:
    end = time.perf_counter() + timeout
    while not path.exists() or not path.read_text().endswith("\n"):
        if time.perf_counter() > end:
            raise TimeoutError(f"the probe wrote nothing to {path}")
        time.sleep(POLL)
    return path.read_text()


def key_presses(term: Tmux, env: dict[str, str], work: Path, nodes: int, runs: int) -> list[float]:
    """Seconds from sending a key to the terminal showing it, per press (after 2 warm-ups)."""
    log = work / f"keys-{nodes}.log"
    log.unlink(missing_ok=True)
    term.start([processes.PYTHON, "-m", "bench.tui_probe", "nodes", str(nodes), str(log)], env)
    _wait_file(log)
    term.wait_for(["apim-1"])
    times = []
    for i in range(1, runs + 3):
        sent = time.perf_counter()
        term.keys("q")
        shown = term.wait_for([f"apim-1{'q' * i} "], timeout=10)
        if i > 2:
            times.append(shown - sent)
    term.keys("C-c")
    return times


def preview(term: Tmux, env: dict[str, str], work: Path, nodes: int) -> float:
    log = work / f"preview-{nodes}.log"
    log.unlink(missing_ok=True)
    term.start([processes.PYTHON, "-m", "bench.tui_probe", "preview", str(nodes), str(log)], env)
    return float(_wait_file(log))


def rows(runs: int) -> list[Row]:
    term = Tmux()
    try:
        with tempfile.TemporaryDirectory(prefix="carbon-wizard-bench-") as home:
            work = Path(home)
            env = processes.bench_env(work / "home")
            env["TERM"] = "xterm-256color"
            key_presses(term, env, work, SMALL, 1)  # warm-up: writes the bytecode caches
            big = key_presses(term, env, work, KEY_NODES, runs)
            small = key_presses(term, env, work, SMALL, runs)
            preview(term, env, work, PREVIEW_NODES)  # warm-up
            shown = [
                (preview(term, env, work, PREVIEW_NODES), preview(term, env, work, SMALL))
                for _ in range(runs)
            ]
    finally:
        term.close()
    k, kb = median(big), median(small)
    p, pb = median([s[0] for s in shown]), median([s[1] for s in shown])
    return [
        Row(
            f"key press to paint, {KEY_NODES} nodes (baseline {SMALL})",
            seconds(k),
            seconds(kb),
            ratio(k, kb),
            f"< {TARGET_KEY * 1000:.0f} ms",
            k < TARGET_KEY,
        ),
        Row(
            f"preview ready, {PREVIEW_NODES} nodes (baseline {SMALL})",
            seconds(p),
            seconds(pb),
            ratio(p, pb),
            f"< {TARGET_PREVIEW:g} s",
            p < TARGET_PREVIEW,
        ),
    ]
