"""The import contracts of pyproject.toml ([tool.importlinter]) hold: which module may import
which (the core never imports the full-screen app, only the prompt mode imports questionary,
the checker never uses the plan or the renderers, one way through the code)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_hold() -> None:
    # lint-imports sits beside the interpreter that runs the tests (the dev extra installs it).
    lint_imports = Path(sys.executable).with_name("lint-imports")
    assert lint_imports.exists(), f"{lint_imports} is missing: pip install -e '.[dev]'"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
