"""The types hold: mypy, configured by [tool.mypy] in pyproject.toml (strict on the core,
wizard/ and wizard/prompt/, and on the full-screen app, screens/), finds no error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_types_hold() -> None:
    # mypy sits beside the interpreter that runs the tests (the dev extra installs it).
    mypy = Path(sys.executable).with_name("mypy")
    assert mypy.exists(), f"{mypy} is missing: pip install -e '.[dev]'"
    # No paths: the configuration names the files, as `make lint` runs it.
    result = subprocess.run(
        [str(mypy)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "MYPY_FORCE_COLOR": "0", "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success: no issues found"), result.stdout
