"""Every path the wizard owns, in one place.

`CARBON_WIZARD_HOME` moves all of them under one folder: for tests, and for operators who
share a jump-host account and want their own sessions and presets.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

APP = "carbon-wizard"
HOME_VARIABLE = "CARBON_WIZARD_HOME"


def _home(env: Mapping[str, str]) -> Path | None:
    value = env.get(HOME_VARIABLE)
    return Path(value).expanduser() if value else None


def data_dir(env: Mapping[str, str] = os.environ) -> Path:
    home = _home(env)
    return home if home else Path(platformdirs.user_data_dir(APP))


def config_dir(env: Mapping[str, str] = os.environ) -> Path:
    home = _home(env)
    return home if home else Path(platformdirs.user_config_dir(APP))


def sessions_dir(env: Mapping[str, str] = os.environ) -> Path:
    return data_dir(env) / "sessions"


def user_presets_dir(env: Mapping[str, str] = os.environ) -> Path:
    return config_dir(env) / "presets"


def bundled_presets_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "presets"


def preset_dirs(env: Mapping[str, str] = os.environ) -> list[Path]:
    """Bundled presets first; the operator's own presets may shadow them by name."""
    return [bundled_presets_dir(), user_presets_dir(env)]
