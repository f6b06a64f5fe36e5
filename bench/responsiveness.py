"""The wizard with many nodes: a key press to the screen showing it, the preview ready, and
Next from each step to the next."""

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
STEP_NODES = 10
TARGET_STEP = 0.100
STEP_TITLES = ("Products", "Nodes", "Registry layout", "Database", "Preview")
"""The steps Next reaches from Start, in order (wizard/steps.py)."""


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
    # A key, then Backspace, so the id stays short enough for its column: each is a key
    # press to paint (the first two of each are warm-ups).
    for i in range(1, runs + 3):
        sent = time.perf_counter()
        term.keys("q")
        shown = term.wait_for(["apim-1q "], timeout=10)
        if i > 2:
            times.append(shown - sent)
        sent = time.perf_counter()
        term.keys("BSpace")
        gone = term.wait_gone("apim-1q ", timeout=10)
        if i > 2:
            times.append(gone - sent)
    term.keys("C-c")
    return times


def step_changes(term: Tmux, env: dict[str, str], work: Path) -> list[float]:
    """Seconds from Ctrl+N to the terminal showing the next step, Start to Preview.

    The step's title and its panel are drawn in the same frame (the app holds the frame
    until the new panel is mounted whole), so the title on screen means the panel is."""
    log = work / "steps.log"
    log.unlink(missing_ok=True)
    probe = [processes.PYTHON, "-m", "bench.tui_probe", "steps", str(STEP_NODES), str(log)]
    term.start(probe, env)
    _wait_file(log)
    return _press_next(term, [f" · {title}" for title in STEP_TITLES])


def minimal_step_changes(term: Tmux, env: dict[str, str]) -> list[float]:
    term.start([processes.PYTHON, "-m", "bench.minimal_app", "steps"], env)
    return _press_next(term, [""] * len(STEP_TITLES))


def _press_next(term: Tmux, titles: list[str]) -> list[float]:
    """From step 1, Ctrl+N once per title: the seconds until each `Step N of 7<title>`."""
    term.wait_for(["Step 1 of 7"])
    time.sleep(0.5)  # what the app does after its first frame, an operator leaves it to do
    times = []
    for number, title in enumerate(titles, start=2):
        sent = time.perf_counter()
        term.keys("C-n")
        times.append(term.wait_for([f"Step {number} of 7{title}"], timeout=10) - sent)
        time.sleep(0.3)  # an operator reads the step before the next Ctrl+N
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
            step_changes(term, env, work)  # warm-up
            changes = [
                (step_changes(term, env, work), minimal_step_changes(term, env))
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
        *_step_rows(changes),
    ]


def _step_rows(changes: list[tuple[list[float], list[float]]]) -> list[Row]:
    """One row per step reached by Next, and one over them all; the baseline is a Textual
    app whose Next replaces a panel of one line (bench/minimal_app.py steps)."""
    floor = median([t for _, minimal in changes for t in minimal])
    out = []
    for i, title in enumerate(STEP_TITLES):
        value = median([wizard[i] for wizard, _ in changes])
        out.append(
            Row(
                f"Next to {title}, {STEP_NODES} nodes",
                seconds(value),
                seconds(floor),
                ratio(value, floor),
                f"<= {TARGET_STEP * 1000:.0f} ms",
                value <= TARGET_STEP,
            )
        )
    every = median([t for wizard, _ in changes for t in wizard])
    out.append(
        Row(
            f"Next, any step, {STEP_NODES} nodes (median)",
            seconds(every),
            seconds(floor),
            ratio(every, floor),
            f"<= {TARGET_STEP * 1000:.0f} ms",
            every <= TARGET_STEP,
        )
    )
    return out
