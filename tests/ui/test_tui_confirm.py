"""A preset's site-specific answers at 80x24: listed on the Preview in the forms' words,
confirmed all at once by a button that counts them, and marked at their own fields until
confirmed (Enter) or changed; and the Preview's picture, focused, read sideways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Button

from screens.widgets.bound import BoundInput
from screens.widgets.field import Field
from screens.widgets.problemlist import ConfirmList, ProblemList
from tests.ui.test_tui_support import (
    _colour,  # noqa: F401 - autouse
    choose_origin,
    control,
    make_app,
    pick_node,
    settle,
    type_into,
)
from wizard.steps import STEP_IDS, step_for_path

PRESET = "apim-is-km-mysql8"
SIZE = (80, 24)


async def open_step(pilot: Pilot[Any], step: str) -> None:
    """From the preset, the steps before `step` walked (each left as Next leaves it)."""
    await choose_origin(pilot, f"preset:{PRESET}")
    pilot.app.state.visited.update(STEP_IDS[: STEP_IDS.index(step)])
    await pilot.app.show_step(step)
    await settle(pilot)
    assert pilot.app.current == step


def options(list_id: str, app: Any) -> list[str]:
    found = app.query_one(list_id, ProblemList)
    return [str(found.get_option_at_index(i).prompt) for i in range(found.option_count)]


def marker(app: Any, path: str) -> str:
    """The confirm line shown under the box of the answer at `path` ("" when none)."""
    box = next((c for c in app.pane.query(BoundInput) if c.path == path), None)
    if box is None:
        return ""
    field = next(a for a in box.ancestors if isinstance(a, Field))
    lines = [line for line in field.query(".field-confirm") if line.display]
    return str(lines[0].render()) if lines else ""


# ---- the picture ---------------------------------------------------------------------------


@pytest.mark.parametrize("colour", [True, False], ids=["colour", "no-colour"])
async def test_the_picture_is_focused_visibly_and_scrolls_sideways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, colour: bool
) -> None:
    if not colour:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "preview")
        box = app.query_one("#picture-box")

        def edge() -> set[str]:
            """The box's left column, as drawn."""
            lines = box.render_lines(Region(0, 0, box.size.width, box.size.height))
            return {line.text[:1] for line in lines}

        assert edge() == {" "}
        for _ in range(8):  # Tab reaches it, as the step's help says
            if app.focused is box:
                break
            await pilot.press("tab")
        assert app.focused is box
        await settle(pilot)
        # A bar down its left edge, in colour or none: no other cue shows a focused picture.
        assert edge() == {"█"}
        assert box.max_scroll_x > 0, "the picture is wider than 80 columns"
        await pilot.press("right")
        assert box.scroll_x > 0
        await pilot.press("end")
        assert box.scroll_x == box.max_scroll_x
        await pilot.press("home")
        assert box.scroll_x == 0
        # The key bar says what the keys do there.
        assert "Scroll sideways" in {b.binding.description for b in app.active_bindings.values()}


# ---- the list on the Preview ---------------------------------------------------------------


async def test_answers_to_confirm_are_named_as_their_forms_name_them(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "preview")
        listed = options("#confirm-list", app)
        assert len(listed) == len(app.state.pending())
        assert "? Database · Server host = 'db.example.com'" in listed
        assert "? API Manager · node apim-1 · host = '10.0.1.11'" in listed
        assert "? API Manager · WSO2AM_DB · User = 'wso2am'" in listed
        assert not [line for line in listed if "products[" in line or "database." in line]
        # The Write step names them the same way.
        await pilot.app.show_step("write")
        await settle(pilot)
        written = options("#write-problems", app)
        assert "✗ not confirmed: Database · Server host = 'db.example.com'" in written
        assert not [line for line in written if "products[" in line]


async def test_confirm_all_says_how_many_and_the_list_shows_each(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "preview")
        pending = len(app.state.pending())
        confirm = app.query_one("#confirm-list", ConfirmList)
        # More than 80x24 shows at once: the list scrolls to each of them.
        assert confirm.max_scroll_y > 0
        assert confirm.option_count == pending
        button = app.query_one("#confirm-all", Button)
        assert str(button.label) == f"Confirm all {pending}"
        confirm.focus()
        await pilot.press("end")
        assert confirm.highlighted == pending - 1
        assert confirm.scroll_y == confirm.max_scroll_y
        # c confirms the last; the button counts what is left.
        await pilot.press("c")
        await settle(pilot)
        assert str(button.label) == f"Confirm all {pending - 1}"
        button.press()
        await settle(pilot)
        assert app.state.pending() == []
        assert not confirm.display and not button.display


# ---- the marks at the fields ---------------------------------------------------------------


async def test_a_field_to_confirm_is_marked_until_enter_confirms_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "database")
        assert marker(app, "database.host") == "? The preset's server host: Enter confirms it"
        assert marker(app, "database.governance.user") == "? The preset's user: Enter confirms it"
        assert marker(app, "database.port") == ""
        box = control(app, "database.host")
        box.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "database.host" not in app.state.pending()
        assert marker(app, "database.host") == ""
        assert box.value == "db.example.com"  # kept as it was
        # Changing an answer confirms it too.
        await type_into(pilot, "database.governance.user", "govuser")
        assert marker(app, "database.governance.user") == ""
        # The sidebar's ? goes once Enter has confirmed the step's last one.
        assert app.state.state_of("database") == "confirm"
        for path in [p for p in app.state.pending() if step_for_path(p) == "database"]:
            control(app, path).focus()
            await pilot.press("enter")
            await settle(pilot)
            assert marker(app, path) == ""
        assert app.state.state_of("database") == "done"


async def test_nodes_to_confirm_are_marked_in_their_rows_and_at_the_editor(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "nodes")
        table = app.query_one("#nodes-0")
        assert str(table.get_cell("0", "problem")) == "? host"
        assert str(table.get_cell("1", "problem")) == "? host"
        assert marker(app, "products[0].nodes[0].host") == (
            "? The preset's host: Enter confirms it"
        )
        await pick_node(pilot, "products[0].nodes[1].host")
        assert marker(app, "products[0].nodes[1].host") != ""
        box = control(app, "products[0].nodes[1].host")
        box.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "products[0].nodes[1].host" not in app.state.pending()
        assert marker(app, "products[0].nodes[1].host") == ""
        assert str(table.get_cell("1", "problem")) == ""
        assert str(table.get_cell("0", "problem")) == "? host"


async def test_enter_on_the_preview_list_leads_to_the_marked_field(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "preview")
        confirm = app.query_one("#confirm-list", ConfirmList)
        confirm.focus()
        confirm.highlighted = [p for _, p in confirm.targets].index("database.host")
        await pilot.press("enter")
        await settle(pilot)
        assert app.current == "database"
        assert app.focused is control(app, "database.host")
        assert marker(app, "database.host") != ""
        await pilot.press("enter")
        await settle(pilot)
        assert "database.host" not in app.state.pending()


async def test_next_refused_for_answers_to_confirm_counts_them_as_such(tmp_path: Path) -> None:
    # Before: "12 problems to fix on this step", for answers that only wait to be confirmed.
    from textual.widgets import Static

    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "preview")
        pending = len(app.state.pending())
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.current == "preview"
        note = str(app.query_one("#nav-note", Static).render())
        assert note == f"{pending} preset answers to confirm on this step", note
