"""A labelled control with the model's messages for its answers shown underneath."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Label, Static


class Field(Vertical):
    """Shows the problems whose path is (or lies under) one of `paths`."""

    DEFAULT_CSS = """
    Field { height: auto; }
    Field > Horizontal { height: auto; }
    Field .field-label { width: 20; padding-right: 1; }
    Field .field-hint { color: $text-muted; }
    Field .field-message { color: $text-error; display: none; }
    Field.-problem .field-message { display: block; }
    """

    def __init__(
        self,
        label: str,
        *controls: Widget,
        paths: Sequence[str],
        hint: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.label = label
        self.controls = controls
        self.paths = tuple(paths)
        self.hint = hint
        self.messages: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        with Horizontal():
            if self.label:
                yield Label(self.label, classes="field-label")
            yield from self.controls
        if self.hint is not None:
            yield Static(self.hint, classes="field-hint", markup=False)
        yield Static("", classes="field-message", markup=False)

    def show(self, messages: Sequence[str]) -> None:
        if tuple(messages) == self.messages:
            return
        self.messages = tuple(messages)
        self.query_one(".field-message", Static).update("\n".join(f"✗ {m}" for m in messages))
        self.set_class(bool(messages), "-problem")
