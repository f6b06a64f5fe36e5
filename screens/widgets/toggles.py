"""Check boxes and radio buttons that read right without colour: blank when off."""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton

# Textual declares BUTTON_INNER a plain class attribute and only reads it, off the instance,
# when it draws the button; a read-only property lets the mark follow the value. A property
# over a writable attribute is an [override] error that no annotation can express, so each
# keeps that one ignore.


class Tick(Checkbox):
    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return "X" if self.value else " "


class Dot(RadioButton):
    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return "●" if self.value else " "
