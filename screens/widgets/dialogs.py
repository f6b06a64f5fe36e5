"""Modal questions: confirm (y/n), one line of text, and the help of a step."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from screens.widgets.bound import OrderedInput
from screens.widgets.buttons import CompactButton


class ConfirmDialog(ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > Vertical {
        width: 70; max-width: 95%; height: auto; max-height: 90%;
        border: heavy $accent; padding: 1 2; background: $panel;
    }
    ConfirmDialog Horizontal { height: auto; margin-top: 1; }
    ConfirmDialog CompactButton { margin-right: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False)
            with Horizontal():
                yield CompactButton(f"{self.yes} (y)", id="yes", compact=True)
                yield CompactButton(f"{self.no} (n)", id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class HelpDialog(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpDialog { align: center middle; }
    HelpDialog > VerticalScroll {
        width: 76; max-width: 95%; height: auto; max-height: 90%;
        border: heavy $accent; padding: 1 2; background: $panel;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "close", "Close")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.title_text, classes="help-title", markup=False)
            yield Static(self.text, markup=False)
            yield Static("Escape or F1 closes this help.", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)


class AskDialog(ModalScreen[str | None]):
    """One line of text, checked by `check` (a ValueError's message is shown) before it is
    given back; Escape gives back None."""

    DEFAULT_CSS = """
    AskDialog { align: center middle; }
    AskDialog > Vertical {
        width: 70; max-width: 95%; height: auto; max-height: 90%;
        border: heavy $accent; padding: 1 2; background: $panel;
    }
    AskDialog Input { margin-top: 1; }
    AskDialog #ask-message { color: $text-error; }
    AskDialog Horizontal { height: auto; margin-top: 1; }
    AskDialog CompactButton { margin-right: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        question: str,
        value: str = "",
        *,
        check: Callable[[str], object] | None = None,
        ok: str = "OK",
    ) -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.check = check
        self.ok = ok

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False)
            yield OrderedInput(self.value, compact=True, id="ask")
            yield Static("", id="ask-message", markup=False)
            with Horizontal():
                yield CompactButton(self.ok, id="ok", compact=True)
                yield CompactButton("Cancel (Esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#ask", Input).focus()

    def submit(self) -> None:
        text = self.query_one("#ask", Input).value.strip()
        if self.check is not None:
            try:
                self.check(text)
            except ValueError as exc:
                self.query_one("#ask-message", Static).update(f"✗ {exc}")
                return
        self.dismiss(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self.submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
