"""Every step of the full-screen wizard as an SVG snapshot, at 80x24 and at 120x40.

The app is built from a fixed preset, a fresh sessions folder and a fixed working directory,
so nothing in the pictures depends on the machine or the clock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.ui.test_tui_support import (
    SNAPSHOT_CWD,
    _colour,  # noqa: F401 - autouse
    choose_origin,
    make_app,
    settle,
    steady,
)
from wizard.steps import STEP_IDS

PRESET = "apim-is-km-mysql8"
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("step", STEP_IDS)
def test_step(snap_compare: Any, tmp_path: Path, step: str, size: str) -> None:
    app = make_app(tmp_path, cwd=SNAPSHOT_CWD)

    async def run_before(pilot: Pilot[Any]) -> None:
        if step != "start":
            await choose_origin(pilot, f"preset:{PRESET}")
            # As if the steps before were walked with Next; showing the step directly is
            # quicker than walking there, and draws the same screen.
            app.state.visited.update(STEP_IDS[: STEP_IDS.index(step)])
            await app.show_step(step)
            await settle(pilot)
        steady(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)
