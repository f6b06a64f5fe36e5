"""Process start to the first screen: the wizard against a minimal Textual app, and the
prompt mode to its first question, each in a real terminal."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench import minimal_app, minimal_prompt, processes
from bench.results import Row, median, ratio, repeat, seconds
from bench.terminal import Tmux

WIZARD_READY = ("Step 1 of", "Plan name")
PROMPT_READY = ("How do you want to start?",)
TARGET_RATIO = 1.3
TARGET_PROMPT = 0.2


def _time_to(
    term: Tmux, command: Sequence[str], env: dict[str, str], texts: Sequence[str]
) -> float:
    started = term.start(command, env)
    return term.wait_for(texts) - started


def rows(runs: int) -> list[Row]:
    term = Tmux()
    try:
        with tempfile.TemporaryDirectory(prefix="carbon-wizard-bench-") as home:
            env = processes.bench_env(Path(home))
            env["TERM"] = "xterm-256color"
            wizard = [processes.CLI]
            minimal = [processes.PYTHON, "-m", "bench.minimal_app"]
            prompt = [processes.CLI, "--plain"]
            # Interleaved, so that a busy moment of the machine hits both sides alike.
            pairs = repeat(
                lambda: (
                    _time_to(term, wizard, env, WIZARD_READY),
                    _time_to(term, minimal, env, (minimal_app.READY,)),
                ),
                runs,
            )
            bare = [processes.PYTHON, "-m", "bench.minimal_prompt"]
            prompts = repeat(
                lambda: (
                    _time_to(term, prompt, env, PROMPT_READY),
                    _time_to(term, bare, env, (minimal_prompt.READY,)),
                ),
                runs,
            )
    finally:
        term.close()
    w, m = median([p[0] for p in pairs]), median([p[1] for p in pairs])
    p, pb = median([p[0] for p in prompts]), median([p[1] for p in prompts])
    return [
        Row(
            "start-up: wizard's first screen (baseline: minimal Textual app)",
            seconds(w),
            seconds(m),
            ratio(w, m),
            f"ratio <= {TARGET_RATIO:g}",
            w / m <= TARGET_RATIO,
        ),
        Row(
            "prompt mode: first question (baseline: bare questionary)",
            seconds(p),
            seconds(pb),
            ratio(p, pb),
            f"<= {TARGET_PROMPT * 1000:.0f} ms",
            p <= TARGET_PROMPT,
        ),
    ]
