"""The installed `carbon-wizard` in a real terminal: tmux types the keys and reads the screen.

Keyboard only, at 80x24: a new plan with two products, nodes from host patterns, typed
passwords, the preview, and the tree written to a long absolute path and then checked; and
Ctrl+C, which keeps the session and prints how to resume it.

Each test runs its own tmux server (`-L`), so no other tmux on the machine can disturb it,
and kills it at the end. Nothing waits a fixed time: every step waits for what the screen
must show, or for the screen to stop changing, with generous timeouts for loaded machines;
a failure prints the screen.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from wizard import cli, sessions

WIZARD = Path(sys.executable).parent / "carbon-wizard"
TIMEOUT = 60.0
"""Seconds to wait for a screen; far more than needed, so only a real fault fails."""

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(not WIZARD.exists(), reason=f"{WIZARD} is not installed"),
]


class Terminal:
    def __init__(self, socket: str, workdir: Path) -> None:
        self.socket = socket
        self.workdir = workdir
        self.exit_file = workdir / "exit-code"

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True
        )
        return result.stdout

    def start(self, *args: str, env: dict[str, str] | None = None) -> None:
        assigns = {"TERM": "xterm-256color", "CARBON_WIZARD_HOME": str(self.workdir / "home")}
        assigns.update(env or {})
        env_words = " ".join(f"{k}={shlex.quote(v)}" for k, v in assigns.items())
        wizard = " ".join(shlex.quote(w) for w in [str(WIZARD), *args])
        # The pane stays open after the wizard exits, showing what it printed last; stdout
        # stays the terminal, or the wizard would ask plain questions instead.
        command = (
            f"cd {shlex.quote(str(self.workdir))} && env -u NO_COLOR {env_words} {wizard}; "
            f"echo $? > {shlex.quote(str(self.exit_file))}; sleep 600"
        )
        self.tmux("new-session", "-d", "-s", "wizard", "-x", "80", "-y", "24", command)

    def screen(self, escapes: bool = False) -> str:
        return self.tmux("capture-pane", "-p", "-J", *(["-e"] if escapes else []), "-t", "wizard")

    def fail(self, what: str) -> None:
        raise AssertionError(f"{what}; the screen shows:\n{self.screen()}")

    def wait_for(self, text: str, timeout: float = TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                self.quiet()
                return self.screen()
            time.sleep(0.05)
        self.fail(f"{text!r} did not appear within {timeout:.0f} s")
        return ""

    def quiet(self, still: float = 0.3, timeout: float = TIMEOUT) -> None:
        """Wait until the screen (colours too, so a focus move counts) stops changing."""
        deadline = time.monotonic() + timeout
        last, since = self.screen(escapes=True), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.05)
            now = self.screen(escapes=True)
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= still:
                return
        # A blinking cursor never keeps still; by now the keys have long been handled.

    def keys(self, *keys: str) -> None:
        """One key at a time, each handled (the screen settles) before the next."""
        for key in keys:
            self.tmux("send-keys", "-t", "wizard", key)
            self.quiet()

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "wizard", "-l", text)
        self.quiet()

    def exit_code(self, timeout: float = TIMEOUT) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.exit_file.exists() and self.exit_file.read_text().strip():
                return int(self.exit_file.read_text())
            time.sleep(0.05)
        self.fail("carbon-wizard did not exit")
        return -1


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    socket = f"cw-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    t = Terminal(socket, tmp_path)
    try:
        yield t
    finally:
        try:
            # Shown by pytest only when the test failed: the last screen explains it.
            print(f"---- last screen ----\n{t.screen()}")
        except subprocess.CalledProcessError:
            print("(the tmux server had already gone)")
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


def test_two_products_planned_and_written_with_the_keyboard(
    terminal: Terminal, tmp_path: Path
) -> None:
    t = terminal
    t.start()
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

    t.wait_for("Step 4 of 7 · Registry layout")
    t.keys("C-n")

    t.wait_for("Step 5 of 7 · Database")
    t.keys("Enter")
    t.wait_for("IBM DB2")
    t.keys("Down", "Down", "Down", "Down", "Enter")
    t.wait_for("jdbc:postgresql://<host>")
    t.keys("Tab")
    t.type("db.example.com")
    t.wait_for("jdbc:postgresql://db.example.com:5432/")
    # Next refuses while passwords are missing and puts the cursor on the first one.
    # Registry, user management, WSO2AM_DB, WSO2_IDENTITY_DB and the IS cluster's BPS_DS.
    left = ["5 problems", "4 problems", "3 problems", "2 problems", "1 problem"]
    t.keys("C-n")
    for n, count in enumerate(left):
        t.wait_for(f"{count} to fix on this step")
        t.type(f"secret-{n}")
        if n + 1 < len(left):
            t.wait_for(f"{left[n + 1]} to fix on this step")
            t.keys("C-n")
    assert "secret-0" not in t.screen()  # masked
    t.keys("C-n")

    t.wait_for("Rule checks: no findings")
    assert "cluster 'apim'" in t.wait_for("Topology")
    t.keys("C-n")

    t.wait_for("Right arrow accepts a completion")
    # A long absolute path, typed without waiting: every key lands, in order.
    out = tmp_path / "a-rather-long-folder-name-for-the-cluster" / "configuration-tree"
    t.tmux("send-keys", "-t", "wizard", "C-u")
    t.tmux("send-keys", "-t", "wizard", "-l", str(out))
    t.tmux("send-keys", "-t", "wizard", "Enter")
    t.wait_for("Wrote ")
    t.wait_for("Read before you start")  # then the steps, below
    t.keys("C-n")
    assert t.exit_code() == 0
    assert cli.main(["check", str(out)]) == 0
    [entry] = sessions.list_sessions(tmp_path / "home" / "sessions").entries
    assert f"carbon-wizard resume {entry.id}" in t.screen()


def test_ctrl_c_keeps_the_session_and_says_how_to_resume(
    terminal: Terminal, tmp_path: Path
) -> None:
    t = terminal
    t.start("--preset", "apim-2node-mysql")
    t.wait_for("Starting from preset apim-2node-mysql")
    t.keys("C-n")
    t.wait_for("Step 2 of 7")
    t.keys("C-c")
    assert t.exit_code() == 130
    [entry] = sessions.list_sessions(tmp_path / "home" / "sessions").entries
    assert entry.step == "products"
    printed = t.screen()
    assert f"carbon-wizard resume {entry.id}" in printed, printed
    assert "Traceback" not in printed


@pytest.mark.parametrize("plain", [False, True], ids=["full-screen", "prompt mode"])
def test_a_dropped_connection_keeps_the_session_and_leaves_no_lock(
    terminal: Terminal, tmp_path: Path, plain: bool
) -> None:
    # Killing the tmux session hangs up its terminal, as a dropped SSH connection does.
    # Before, the wizard died of the SIGHUP and its session stayed locked.
    t = terminal
    t.start(*(["--plain"] if plain else []), "--preset", "apim-2node-mysql")
    t.wait_for("Starting from preset apim-2node-mysql")
    if plain:
        t.keys("Enter")  # the plan's name; the next question keeps the session
        t.wait_for("Keep typed passwords")
        t.keys("Enter")
        t.wait_for("Session ")
    else:
        t.keys("C-n")
        t.wait_for("Step 2 of 7")
    home = tmp_path / "home" / "sessions"
    assert list(home.glob("*.lock")), "the running wizard holds its session's lock"
    t.tmux("kill-session", "-t", "wizard")
    deadline = time.monotonic() + TIMEOUT
    while list(home.glob("*.lock")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(home.glob("*.lock"))
    [entry] = sessions.list_sessions(home).entries
    assert entry.name == "apim-2node-mysql"


@pytest.mark.parametrize(
    "env",
    [{}, {"NO_COLOR": "1", "TERM": "xterm-mono"}],
    ids=["colour", "no colour"],
)
def test_the_write_result_is_read_at_80x24_with_the_keys(
    terminal: Terminal, tmp_path: Path, env: dict[str, str]
) -> None:
    t = terminal
    passwords = {
        "WSO2_REG_DB_PASSWORD": "reg-pw",
        "WSO2_UM_DB_PASSWORD": "um-pw",
        "WSO2_AM_DB_PASSWORD": "am-pw",
    }
    t.start("--preset", "apim-2node-mysql", env={**passwords, **env})
    t.wait_for("Starting from preset apim-2node-mysql")
    for step in range(2, 7):
        t.keys("C-n")
        t.wait_for(f"Step {step} of 7")
    # The preset's site-specific answers, confirmed one by one with c.
    t.wait_for("to confirm (c) or change (Enter)")
    while "to confirm (c) or change (Enter)" in t.screen():
        t.keys("c")
    t.keys("C-n")
    t.wait_for("Right arrow accepts a completion")
    out = tmp_path / "tree"
    t.keys("C-u")
    t.type(str(out))
    t.keys("Enter")
    shown = t.wait_for("Wrote ")
    # On the screen at 80x24, not below it: the result line and where to go from there,
    # what to read before anything else first.
    [wrote] = [line for line in shown.splitlines() if "Wrote " in line]
    assert "files to" in wrote
    assert "Read before you start" in shown
    # It has the focus, drawn reversed: seen without colour too.
    [coloured] = [line for line in t.screen(escapes=True).splitlines() if "Wrote " in line]
    assert "\x1b[7m" in coloured, coloured
    # The keys read on: PageDown brings the next steps up the screen.
    for _ in range(6):
        if "Next steps" in t.screen():
            break
        t.keys("PageDown")  # waits for the screen to settle
    assert "Next steps" in t.screen(), t.screen()
    assert (out / "manifest.json").is_file()


def test_the_prompt_mode_refuses_a_bad_answer_in_full_at_80_columns(
    terminal: Terminal,
) -> None:
    from wizard.fields import check_host

    bad = "db..example-with-a-long-name.example.com"
    with pytest.raises(ValueError) as refusal:
        check_host(bad)
    t = terminal
    t.start("--plain", "--preset", "apim-2node-mysql")
    t.wait_for("Starting from preset apim-2node-mysql")
    # The plan's name and passwords, then Continue on products, nodes and the layout.
    questions = ("Name of this plan", "Keep typed passwords", "? Products", "? Nodes")
    for question in (*questions, "? Registry layout:", "? Registry layout (Use"):
        t.wait_for(question)
        t.keys("Enter")
    t.wait_for("Change the engine, server or port")
    t.keys("Down", "Enter")
    t.wait_for("Database engine")
    t.keys("Enter")
    t.wait_for("Database server host")
    t.keys("C-u")
    t.type(bad)
    t.keys("Enter")
    shown = t.wait_for("is not a host name")
    lines = shown.splitlines()
    assert all(len(line) <= 80 for line in lines)
    # The model's whole sentence, wrapped at word ends under its mark; nothing cut.
    start = next(i for i, line in enumerate(lines) if line.startswith("  ✗ "))
    rows = [lines[start], *(line for line in lines[start + 1 :] if line.startswith("    "))]
    assert " ".join(r.strip() for r in rows).removeprefix("✗ ") == str(refusal.value)
    # Asked again with what was typed: the fix is an edit, not a retype.
    assert "".join(shown.rstrip().splitlines()[-2:]).endswith(bad)
    t.keys("C-u")
    t.type("db.example.com")
    t.keys("Enter")
    t.wait_for("Database server port")
    t.keys("C-c")
    assert t.exit_code() == 130


def test_a_long_step_stays_put_while_its_later_part_arrives(terminal: Terminal) -> None:
    """The Database step's later cards are mounted after its first frame; the scrollbar they
    bring moved every row over by two columns, 0.1-0.3 s after the step showed."""
    t = terminal
    t.start("--preset", "apim-is-km-mysql8")
    t.wait_for("Starting from preset apim-is-km-mysql8")
    for step in range(2, 5):
        t.keys("C-n")
        t.wait_for(f"Step {step} of 7")
    t.tmux("send-keys", "-t", "wizard", "C-n")
    rows: list[str] = []
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        shown = t.screen()
        if "Step 5 of 7" in shown:
            # The rows as the form draws them; the last two columns are the scrollbar's.
            rows += [line[:-2] for line in shown.splitlines() if "MySQL 8" in line]
        time.sleep(0.02)
    assert rows, "the Database step never showed"
    assert len(set(rows)) == 1, sorted(set(rows))
