"""The session commands and the choice of front end, as an operator runs them."""

from __future__ import annotations

import copy
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.answers_fixtures import PASSWORD, SHARED
from wizard import answers, sessions

ROOT = Path(__file__).resolve().parents[2]


def cli(
    home: Path, *args: str, stdin: int | None = subprocess.DEVNULL
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WSO2_", "CARBON_WIZARD"))}
    env["CARBON_WIZARD_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "wizard", *args],
        cwd=ROOT,
        env=env,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def saved(home: Path, name: str = "apim prod", step: str = "nodes") -> sessions.Session:
    return sessions.new_session(name, copy.deepcopy(SHARED), step, dir=home / "sessions")


def test_sessions_lists_newest_first(tmp_path: Path) -> None:
    first = saved(tmp_path, "first")
    time.sleep(0.01)
    second = saved(tmp_path, "second", "database")
    result = cli(tmp_path, "sessions")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["ID", "NAME", "STEP"]
    assert lines[1].startswith(second.id) and lines[2].startswith(first.id)
    assert "apim 2.6.0" in lines[1]
    assert cli(tmp_path, "sessions", "list").stdout == result.stdout


def test_a_damaged_session_is_listed_not_hidden(tmp_path: Path) -> None:
    good = saved(tmp_path)
    (tmp_path / "sessions" / "broken.json").write_text("{not json")
    result = cli(tmp_path, "sessions")
    assert result.returncode == 0
    assert good.id in result.stdout and "damaged:" in result.stdout
    assert (tmp_path / "sessions" / "broken.json.corrupt").exists()


def test_export_writes_answers_without_passwords(tmp_path: Path) -> None:
    session = saved(tmp_path)
    target = tmp_path / "exported.toml"
    result = cli(tmp_path, "sessions", "export", session.id[:8], str(target))
    assert result.returncode == 0, result.stderr
    text = target.read_text()
    assert PASSWORD not in text and "password_env" in text
    assert answers.load(target).name == SHARED["name"]
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def test_rm_asks_first_and_needs_yes_without_a_terminal(tmp_path: Path) -> None:
    session = saved(tmp_path)
    refused = cli(tmp_path, "sessions", "rm", session.id)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert sessions.load(session.id, dir=tmp_path / "sessions")
    removed = cli(tmp_path, "sessions", "rm", session.id, "--yes")
    assert removed.returncode == 0 and session.id in removed.stdout
    assert "no saved sessions" in cli(tmp_path, "sessions").stdout


def test_unknown_session_and_nothing_to_resume(tmp_path: Path) -> None:
    result = cli(tmp_path, "resume")
    assert result.returncode == 2 and "no saved sessions" in result.stderr
    saved(tmp_path)
    result = cli(tmp_path, "resume", "zzz")
    assert result.returncode == 2 and "no session 'zzz'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [(), ("--plain",), ("resume",)])
def test_no_terminal_says_how_to_run_unattended(tmp_path: Path, args: tuple[str, ...]) -> None:
    if args == ("resume",):
        saved(tmp_path)
    result = cli(tmp_path, *args)
    assert result.returncode == 2
    assert "generate --answers" in result.stderr
    assert "Traceback" not in result.stderr


def run_in_pty(home: Path, *args: str, term: str = "dumb", until: bytes) -> bytes:
    """Start the wizard on a pseudo-terminal, read until `until` shows, then press Ctrl-C."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WSO2_", "CARBON_WIZARD"))}
    env.update({"CARBON_WIZARD_HOME": str(home), "TERM": term})
    pid, fd = pty.fork()
    if pid == 0:  # the child becomes the wizard
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "wizard", *args], env)
    seen = b""
    deadline = time.monotonic() + 60
    try:
        while until not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    break
        os.write(fd, b"\x03")
        end = time.monotonic() + 20
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.waitpid(pid, 0)
        os.close(fd)
    return seen


def test_python_m_wizard_asks_plain_questions_and_says_where_the_full_screen_one_is(
    tmp_path: Path,
) -> None:
    # The core holds no UI: the full-screen app is handed to it by the console script.
    out = run_in_pty(tmp_path, term="xterm-256color", until=b"?")
    assert b"the full-screen wizard starts from `carbon-wizard`" in out
    assert b"Traceback" not in out


def test_term_dumb_falls_back_to_plain_questions_and_ctrl_c_keeps_the_session(
    tmp_path: Path,
) -> None:
    out = run_in_pty(tmp_path, until=b"?")
    assert b"TERM=dumb cannot show the full-screen wizard" in out
    assert b"interrupted" in out and b"Traceback" not in out
