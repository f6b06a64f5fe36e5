"""The installed `carbon-wizard` in a real terminal: tmux types the keys and reads the screen.

One run, keyboard only, at 80x24: a new plan with two products, nodes from host patterns,
typed passwords, the preview, and the tree written and then checked.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from wizard import cli

ROOT = Path(__file__).resolve().parents[1]
WIZARD = Path(sys.executable).parent / "carbon-wizard"
SESSION = f"cw-e2e-{os.getpid()}"

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(not WIZARD.exists(), reason=f"{WIZARD} is not installed"),
]


class Terminal:
    def __init__(self, name: str) -> None:
        self.name = name

    def keys(self, *keys: str) -> None:
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True)
            time.sleep(0.15)

    def type(self, text: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", text], check=True)
        time.sleep(0.3)

    def screen(self) -> str:
        result = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name],
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                time.sleep(0.2)  # let the rest of the frame land
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear; the screen shows:\n{self.screen()}")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    env = f"CARBON_WIZARD_HOME={shlex.quote(str(tmp_path / 'home'))} TERM=xterm-256color"
    command = (
        f"cd {shlex.quote(str(tmp_path))} && env -u NO_COLOR {env} {shlex.quote(str(WIZARD))}; "
        f"echo $? > {shlex.quote(str(tmp_path / 'exit-code'))}"
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", SESSION, "-x", "80", "-y", "24", command],
        check=True,
    )
    try:
        yield Terminal(SESSION)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)


def test_two_products_planned_and_written_with_the_keyboard(
    terminal: Terminal, tmp_path: Path
) -> None:
    t = terminal
    t.wait_for("How to start")
    t.keys("Enter", "Tab")
    t.type("two-products")
    t.keys("C-n")

    t.wait_for("Step 2 of 7")
    t.keys("Enter")
    t.wait_for("Governance Registry (greg)")
    t.keys("Down", "Enter")
    t.wait_for("1. API Manager")
    t.keys("BTab", "BTab", "Enter")
    t.wait_for("Governance Registry (greg)")
    t.keys("Down", "Down", "Enter")
    t.wait_for("2. Identity Server")
    t.keys("C-n")

    t.wait_for("Step 3 of 7")
    t.type("10.0.1.{11..12}")
    t.keys("Enter")
    t.wait_for("apim-2")
    t.keys("Tab", "Tab")
    t.type("10.0.2.11, 10.0.2.12")
    t.keys("Enter")
    t.wait_for("is-2")
    t.keys("C-n")

    t.wait_for("Step 4 of 7")
    t.keys("Enter")
    t.wait_for("IBM DB2")
    t.keys("Down", "Down", "Down", "Down", "Enter")
    t.wait_for("jdbc:postgresql://<host>")
    t.keys("Tab")
    t.type("db.example.com")
    t.wait_for("jdbc:postgresql://db.example.com:5432/")
    # Next refuses while passwords are missing and puts the cursor on the first one.
    left = ["4 problems", "3 problems", "2 problems", "1 problem"]
    t.keys("C-n")
    for n, count in enumerate(left):
        t.wait_for(f"{count} to fix on this step")
        t.type(f"secret-{n}")
        if n + 1 < len(left):
            t.wait_for(f"{left[n + 1]} to fix on this step")
            t.keys("C-n")
    assert "secret-0" not in t.screen()  # masked
    t.keys("C-n")

    t.wait_for("Step 5 of 7")
    t.keys("C-n")

    t.wait_for("Rule checks: no findings")
    assert "cluster 'apim'" in t.wait_for("Topology")
    t.keys("C-n")

    t.wait_for("Right arrow accepts a completion")
    t.keys("C-u")
    out = tmp_path / "tree"
    t.type("tree")  # relative: the directory the wizard was started in
    t.wait_for("Directory           tree")
    t.keys("Enter")
    t.wait_for("Wrote ")
    assert "Next steps" in t.wait_for("Next steps")
    t.keys("C-n")
    deadline = time.monotonic() + 10
    while not (tmp_path / "exit-code").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert (tmp_path / "exit-code").read_text().strip() == "0"
    assert cli.main(["check", str(out)]) == 0
