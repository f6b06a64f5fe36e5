"""What is loaded at run time: the core pulls in no UI, the prompt mode and the first screen
start light. (Which module may import which is the import contracts' job: pyproject.toml.)"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import wizard

ROOT = Path(__file__).resolve().parents[2]
UI_MODULES = ("textual", "screens", "rich.live", "questionary", "prompt_toolkit")
# Every module of the core, subpackages included; the prompt mode is where questionary lives.
CORE = sorted(
    m.name
    for m in pkgutil.walk_packages(wizard.__path__, prefix="wizard.")
    if m.name not in {"wizard.__main__", "wizard.prompt"}
    and not m.name.startswith("wizard.prompt.")
)


def test_importing_the_core_loads_no_ui() -> None:
    # The import contracts (pyproject.toml, tests/core/test_import_contracts.py) forbid the import
    # statements; this measures what importing each core module actually loads, which also
    # catches a module loaded by name (importlib). One process imports them in turn and names
    # the first module whose import brought a UI package in.
    code = (
        "import importlib, sys\n"
        f"ui = {UI_MODULES!r}\n"
        f"for module in {CORE!r}:\n"
        "    importlib.import_module(module)\n"
        "    bad = sorted(m for m in sys.modules if m in ui or m.split('.')[0] in ui)\n"
        "    if bad:\n"
        "        print(module, 'loads', ','.join(bad))\n"
        "        break\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
    assert len(CORE) > 40  # the walk found the core, subpackages included


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
