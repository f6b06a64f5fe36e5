"""Changing step: the terminal goes from one whole step to the next, never an empty panel."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from textual.widgets import Select

from screens.ahead import PREPARE_DELAY
from screens.base import StepPane
from screens.nodes import NodeTable
from screens.specs import SpecCard
from tests.ui.test_tui_support import choose_origin, make_app, next_step, send_at_once, settle


async def test_no_frame_shows_an_empty_panel_between_two_steps(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    frames: list[tuple[str, ...]] = []
    display = app._display

    def recorded(screen: Any, renderable: Any) -> None:
        # What the terminal is sent, when it is sent: the panes shown at that moment (the
        # step left stays mounted, hidden, until the new one is on the terminal).
        if renderable is not None and not app._batch_count and screen is app.screen:
            panes = [p for p in app.query(StepPane) if p.is_mounted and p.display]
            frames.append(tuple(f"{p.step_id}:{len(p.children)}" for p in panes))
        display(screen, renderable)

    app._display = recorded  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        frames.clear()
        for _ in range(5):
            await next_step(pilot)
        assert app.current == "preview"
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert app.current == "database"
    assert frames, "no frame was drawn"
    # Every frame holds exactly one step's pane, with its fields in it.
    assert all(len(f) == 1 and not f[0].endswith(":0") for f in frames), frames
    shown = {f[0].split(":")[0] for f in frames}
    assert {"products", "nodes", "layout", "database", "preview"} <= shown


def _shown(app: Any) -> list[StepPane]:
    return [p for p in app.query(StepPane) if p.display]


async def test_the_next_step_mounted_ahead_shows_the_answers_as_they_are_at_next(
    tmp_path: Path,
) -> None:
    """The next step is mounted, hidden, while the operator reads this one; an answer changed
    after that must still be on the step Next shows, whether Next comes at once or later."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        await next_step(pilot)
        assert app.current == "products"
        ahead = [p for p in app.query(StepPane) if not p.display]
        assert [p.step_id for p in ahead] == ["nodes"], "the Nodes step was not mounted ahead"
        # Unchanged answers: Next shows the pane mounted ahead.
        await next_step(pilot)
        assert app.current == "nodes" and app.pane is ahead[0]
        assert [p.step_id for p in _shown(app)] == ["nodes"]
        assert len(app.pane.query(NodeTable)) == 1

        # A product added and Next before the step ahead follows the edit: its nodes.
        await pilot.press("ctrl+b")
        await settle(pilot)
        ahead = [p for p in app.query(StepPane) if not p.display]
        app.state.add_product("is")  # no message: nothing but Next sees the change
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.current == "nodes"
        assert [p.step_id for p in _shown(app)] == ["nodes"]
        assert app.pane not in ahead
        assert len(app.pane.query(NodeTable)) == 2, "Nodes showed the answers before the edit"

        # And after a pause long enough for the step ahead to follow the edit.
        await pilot.press("ctrl+b")
        await settle(pilot)
        app.query_one("#add-product", Select).value = "ei"
        await settle(pilot)
        await pilot.pause(PREPARE_DELAY * 2)
        await settle(pilot)
        ahead = [p for p in app.query(StepPane) if not p.display]
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.pane in ahead
        assert len(app.pane.query(NodeTable)) == 3


async def test_next_typed_ahead_through_steps_being_mounted_lands_on_one_whole_step(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        send_at_once(app, [("ctrl+n", None)] * 4)
        await settle(pilot)
        assert app.current == "database"
        assert [p.step_id for p in _shown(app)] == ["database"]
        assert app.pane.query(SpecCard), "the Database step's cards are missing"
        assert not app._notifications, [n.message for n in app._notifications]
        # The collector paused over each step change runs again once the step is drawn.
        assert gc.isenabled()


async def test_a_product_added_then_tab_and_next_shows_every_products_nodes(
    tmp_path: Path,
) -> None:
    """Tab after adding a product scrolled the Products step; the Nodes step then came in a
    layout Textual does for a scroll, which tells no widget it is shown: the work after its
    first frame never ran, and only the first product's table was ever there."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-is-km-mysql8")
        # The keys at an operator's pace: each waits for what it brings, no longer.
        await pilot.press("ctrl+n")
        await pilot.pause(1.5)
        assert isinstance(app.focused, Select) and app.focused.id == "add-product"
        await pilot.press("enter")
        await pilot.pause(0.6)
        await pilot.press(*["down"] * 9, "enter")  # Message Broker
        await pilot.pause(1.0)
        assert [p.get("id") for p in app.state.product_list()][-1] == "mb"
        await pilot.press("tab")
        await pilot.pause(0.3)
        await pilot.press("ctrl+n")
        await pilot.pause(2.0)
        assert app.current == "nodes"
        assert len(app.pane.query(NodeTable)) == 3, "a product's nodes are missing"
