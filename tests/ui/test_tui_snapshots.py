"""Every step of the full-screen wizard as an SVG snapshot, at 80x24 and at 120x40, and at
80x24 without colour; and the Nodes step with a port clash and the Write step after writing.

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
    pick_node,
    settle,
    steady,
    type_into,
)
from wizard import output
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


@pytest.mark.parametrize("step", STEP_IDS)
def test_step_without_colour(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    """As with NO_COLOR set (Textual then draws in greys): the focused control and the
    placeholders must still stand out by their style."""
    monkeypatch.setenv("NO_COLOR", "1")
    test_step(snap_compare, tmp_path, step, "80x24")


@pytest.mark.parametrize("colour", [True, False], ids=["colour", "no-colour"])
def test_nodes_with_a_clash(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, colour: bool
) -> None:
    """The Nodes step at 80x24 with the picked node's ports clashing: the message in full
    under the editor, the editor's row named."""
    if not colour:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(tmp_path, cwd=SNAPSHOT_CWD)

    async def run_before(pilot: Pilot[Any]) -> None:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        app.state.visited.update(STEP_IDS[: STEP_IDS.index("nodes")])
        await app.show_step("nodes")
        await settle(pilot)
        await type_into(pilot, "products[0].nodes[0].host", "10.0.1.12")
        await pick_node(pilot, "products[0].nodes[1].id")
        steady(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=run_before)


@pytest.mark.parametrize("colour", [True, False], ids=["colour", "no-colour"])
def test_write_after_writing(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, colour: bool
) -> None:
    """The Write step at 80x24 once the tree is written: the result, focused, and the next
    steps. The tree goes to tmp_path, and the screen names the directory asked for (under
    the fixed working directory), so the picture does not depend on where the test runs."""
    if not colour:
        monkeypatch.setenv("NO_COLOR", "1")
    written = output.write_tree

    def write_here(tree: Any, out: Path, **kwargs: Any) -> output.WriteResult:
        done = written(tree, tmp_path / "tree", **kwargs)
        return output.WriteResult(out, None, done.files)

    monkeypatch.setattr(output, "write_tree", write_here)
    app = make_app(tmp_path, cwd=SNAPSHOT_CWD)

    async def run_before(pilot: Pilot[Any]) -> None:
        await choose_origin(pilot, f"preset:{PRESET}")
        app.state.confirm(app.state.pending())
        app.state.visited.update(STEP_IDS[: STEP_IDS.index("write")])
        await app.show_step("write")
        await settle(pilot)
        await pilot.press("ctrl+n")  # Next on Write writes
        await settle(pilot)
        assert app.state.written is not None
        steady(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=run_before)
