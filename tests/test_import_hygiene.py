"""The core never pulls in the UI: the prompt mode and `generate` start without Textual."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import wizard

ROOT = Path(__file__).resolve().parents[1]
UI_MODULES = ("textual", "screens", "rich.live")
CORE = sorted(
    f"wizard.{m.name}"
    for m in pkgutil.walk_packages(wizard.__path__)
    if m.name not in {"__main__", "prompt"}  # prompt is the one place questionary may live
)


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_ui(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        f"ui = {UI_MODULES!r}\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ui or m in ui]\n"
        "print(','.join(bad))\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('questionary', 'prompt_toolkit')]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    ui, prompts = result.stdout.splitlines()
    assert ui == "", f"{module} imports {ui}"
    assert prompts == "", f"{module} imports {prompts}"


def test_core_sources_name_no_ui_package() -> None:
    for path in (ROOT / "wizard").rglob("*.py"):
        if path == ROOT / "wizard/cli.py":
            continue  # the entry point launches the full-screen app: the one allowed edge
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith(("import ", "from ")):
                assert "textual" not in stripped and "screens" not in stripped, (path, line)


def test_prompt_mode_reaches_its_first_question_without_the_heavy_core() -> None:
    # What runs before the first question: the CLI, the prompt module, the preset and
    # session lists. Loading pydantic, lxml or Textual there would slow every start.
    code = (
        "import sys\n"
        "import wizard.cli, wizard.prompt\n"
        "from wizard import locations, presets, sessions\n"
        "presets.list_presets(locations.preset_dirs())\n"
        "sessions.list_sessions(locations.sessions_dir())\n"
        "heavy = ('pydantic', 'lxml', 'textual')\n"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules} & set(heavy))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_the_first_screen_lists_presets_and_no_sessions_without_tomllib_or_json(
    tmp_path: Path,
) -> None:
    # The Start step's first frame: its modules, the presets read unparsed and an empty
    # sessions folder. tomllib and json are loaded once a file is parsed or saved.
    code = (
        "import sys\n"
        "import screens.app, screens.start, wizard.cli\n"
        "from pathlib import Path\n"
        "from wizard import locations, presets, sessions\n"
        "presets.list_presets_unchecked([locations.bundled_presets_dir()])\n"
        f"sessions.list_sessions(Path({str(tmp_path)!r}))\n"
        "print(','.join(sorted({'tomllib', 'json'} & set(sys.modules))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
