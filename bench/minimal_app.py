"""The baselines in a terminal: the smallest Textual app that draws a screen of text
(start-up), and with `steps`, one whose Ctrl+N replaces its panel by the next step's, a line
of text (Textual's own cost of a step change)."""

from __future__ import annotations

import sys
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

READY = "minimal app ready"
STEPS = 7


class Minimal(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(READY)
        yield Footer()


class MinimalSteps(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+n", "next", "Next")]

    def __init__(self) -> None:
        super().__init__()
        self.step = 1

    def compose(self) -> ComposeResult:
        yield VerticalScroll(Static(f"Step 1 of {STEPS}"))
        yield Footer()

    async def action_next(self) -> None:
        self.step = min(self.step + 1, STEPS)
        with self.batch_update():
            await self.query(VerticalScroll).remove()
            await self.mount(VerticalScroll(Static(f"Step {self.step} of {STEPS}")), before=0)


if __name__ == "__main__":
    (MinimalSteps() if sys.argv[1:] == ["steps"] else Minimal()).run()
