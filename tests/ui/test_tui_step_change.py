"""Changing step: the terminal goes from one whole step to the next, never an empty panel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from screens.base import StepPane
from tests.ui.test_tui_support import choose_origin, make_app, next_step, settle


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
