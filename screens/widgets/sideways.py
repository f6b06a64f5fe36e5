"""A box of long lines (the topology picture, a diff) read by scrolling it sideways."""

from __future__ import annotations

from typing import ClassVar

from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer

STEP = 8
"""Columns a Left or Right moves: one at a time, a 170-column picture took 115 presses."""


class SidewaysBox(ScrollableContainer):
    """Focused (Tab), Left and Right scroll it, Home and End go to its lines' ends; Up,
    Down and the page keys scroll the step around it.

    The bar at its left edge shows the focus, in colour or none (a thick bar or a blank).
    """

    DEFAULT_CSS = """
    SidewaysBox {
        height: auto;
        overflow-x: auto;
        overflow-y: hidden;
        border-left: blank;
    }
    SidewaysBox:focus { border-left: thick $accent; }
    SidewaysBox > Static { width: auto; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "sideways(-1)", "Scroll sideways", key_display="←→"),
        Binding("right", "sideways(1)", "Scroll sideways", show=False),
        Binding("home", "to_end(0)", "Start of the lines", show=False),
        Binding("end", "to_end(1)", "End of the lines", show=False),
    ]

    def action_sideways(self, direction: int) -> None:
        if not self.max_scroll_x:
            raise SkipAction()  # the lines fit: the key goes on to the step
        self.scroll_to(x=self.scroll_x + direction * STEP, animate=False)

    def action_to_end(self, end: int) -> None:
        if not self.max_scroll_x:
            raise SkipAction()
        self.scroll_to(x=self.max_scroll_x if end else 0, animate=False)
