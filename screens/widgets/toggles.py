"""Check boxes and radio buttons that read right without colour: blank when off."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.geometry import Size
from textual.widgets import Checkbox, RadioButton

if TYPE_CHECKING:
    from textual.css.styles import RulesMap

# Textual declares BUTTON_INNER a plain class attribute and only reads it, off the instance,
# when it draws the button; a read-only property lets the mark follow the value. A property
# over a writable attribute is an [override] error that no annotation can express, so each
# keeps that one ignore.


class Tick(Checkbox):
    """A check box whose label wraps onto more rows where it is longer than the line.

    Textual draws a toggle one row high, whatever its width: at 80 columns a long label
    ("Keep typed passwords in the session file (private to you)") lost its end.
    """

    DEFAULT_CSS = """
    Tick { width: 1fr; text-wrap: wrap; }
    """

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return "X" if self.value else " "

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # As Widget.get_content_height measures a label: the styles read as the rules map.
        rules = cast("RulesMap", self.styles)
        return max(1, self.render().get_height(rules, width))


class Dot(RadioButton):
    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return "●" if self.value else " "
