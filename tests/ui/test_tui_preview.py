"""The Preview step's diffs: a node, then one of its files, each diffed when it is chosen."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Select, Static

from bench.topology import estate
from screens.compat import select_options
from tests.ui.test_tui_support import (
    _colour,  # noqa: F401 - autouse
    choose_origin,
    confirm_all,
    make_app,
    next_step,
    settle,
)
from wizard import tree

PRESET = "apim-is-km-mysql8"


async def open_preview(pilot: Pilot[Any]) -> None:
    await choose_origin(pilot, f"preset:{PRESET}")
    await next_step(pilot, 5)
    assert pilot.app.current == "preview"


def shown_diff(app: Any) -> str:
    return str(app.query_one("#diff", Static).render())


async def choose(pilot: Pilot[Any], select_id: str, label: str) -> None:
    """Open the Select and move to `label` with the arrow keys, as an operator would."""
    select = pilot.app.query_one(f"#{select_id}", Select)
    labels = [str(prompt) for prompt, _ in select_options(select) if _ is not Select.NULL]
    select.focus()
    await pilot.press("enter")
    await settle(pilot)
    shown = labels.index(next(str(p) for p, v in select_options(select) if v == select.value))
    step = "down" if labels.index(label) > shown else "up"
    for _ in range(abs(labels.index(label) - shown)):
        await pilot.press(step)
    await pilot.press("enter")
    await settle(pilot)


async def test_the_first_node_and_file_are_shown(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_preview(pilot)
        nodes = app.query_one("#diff-node", Select)
        files = app.query_one("#diff-file", Select)
        shown = [str(p) for p, _ in select_options(nodes)[1:]]
        assert shown == ["apim-1", "apim-2", "is-km-1", "is-km-2"]
        assert nodes.value == "apim-1" and files.value == "0"
        first = app.pane.diff_files["apim-1"][0]
        assert f"+++ nodes/apim-1/{first}" in shown_diff(app)


async def test_choosing_a_file_then_another_node_keeps_the_file(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_preview(pilot)
        registry = "repository/conf/registry.xml"
        await choose(pilot, "diff-file", registry)
        assert f"+++ nodes/apim-1/{registry}" in shown_diff(app)
        await choose(pilot, "diff-node", "apim-2")
        files = app.query_one("#diff-file", Select)
        assert app.pane.diff_files["apim-2"][int(str(files.value))] == registry
        assert f"+++ nodes/apim-2/{registry}" in shown_diff(app)
        # The diff shown is the one the core computes for that file.
        expected = {(d.node, d.path): d.diff for d in tree.diffs(app.pane.result.plan)}
        assert shown_diff(app) == expected[("apim-2", registry)]


async def test_a_node_without_the_file_shows_its_first(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        # Ten product clusters: EI keeps its files under conf/, not repository/conf/.
        app.state.load(copy.deepcopy(estate(10)), "bench")
        await app.show_step("preview")
        await settle(pilot)
        axis2 = "repository/conf/axis2/axis2.xml"
        await choose(pilot, "diff-file", axis2)
        assert f"+++ nodes/apim-1/{axis2}" in shown_diff(app)
        assert axis2 not in app.pane.diff_files["ei-1"]
        await choose(pilot, "diff-node", "ei-1")
        assert app.query_one("#diff-file", Select).value == "0"
        first = app.pane.diff_files["ei-1"][0]
        assert f"+++ nodes/ei-1/{first}" in shown_diff(app)


async def test_notes_are_read_below_the_picture_not_above_it(tmp_path: Path) -> None:
    """At 80x24 the plan's notes (no distribution, TLS off, ...) would fill the screen above
    the picture: the status line counts them and they follow the picture, each one whole."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_preview(pilot)
        plan = app.pane.result.plan
        assert plan is not None and plan.notes
        status = str(app.query_one("#preview-status", Static).render())
        assert f"{len(plan.notes)} note(s) to read below the picture" in status
        assert "no distribution was given" not in status
        notes = app.query_one("#notes", Static)
        assert notes.display
        shown = "".join(str(notes.render()).split())
        for note in plan.notes:
            assert "".join(note.split()) in shown, note
        assert app.query_one("#notes").region.y > app.query_one("#picture-box").region.y
        assert "Topology" in app.export_screenshot()


async def test_the_status_line_stays_on_screen_when_the_result_comes_last(tmp_path: Path) -> None:
    """When the result arrives after the step is laid out (a loaded machine), the focus it
    takes must not scroll the result's status line off the screen; and the step left never
    keeps the focus in its hidden form, where Textual would move it, scrolled into view,
    when that form is unmounted."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_preview(pilot)
        await confirm_all(pilot)
        await pilot.press("ctrl+b")  # Back to Database, then Next again
        await settle(pilot)
        await pilot.press("ctrl+n")
        assert app.focused is None or app.pane.has_focus_within
        await settle(pilot)
        assert app.current == "preview"
        app.screen.set_focus(None)
        app.pane.show_result(app.pane.result)  # as it lands when the rendering is slow
        await settle(pilot)
        status = app.query_one("#preview-status", Static)
        assert "Rule checks: no findings" in str(status.render())
        assert app.pane.scroll_y == 0, "the status line was scrolled away"
        # The picture under it has the focus: on screen with the result.
        assert app.focused is app.query_one("#picture-box")
