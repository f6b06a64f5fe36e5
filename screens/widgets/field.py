"""A labelled control with the model's messages for its answers shown underneath."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Static

from screens.widgets.bound import BoundInput


class Field(Vertical):
    """Shows the problems whose path is (or lies under) one of `paths`.

    A label and one text box are the cells of a grid, with no row container between them,
    and the message line is mounted once there is a message: each widget is one more to
    mount, style and draw, and a form is mostly such fields.
    """

    DEFAULT_CSS = """
    Field { height: auto; }
    Field > Horizontal { height: auto; }
    Field.-row { layout: grid; grid-size: 2; grid-columns: 20 1fr; grid-rows: auto; }
    Field.-row > .field-hint, Field.-row > .field-message { column-span: 2; }
    Field .field-label { width: 20; padding-right: 1; }
    Field .field-hint { color: $text-muted; }
    Field .field-message { color: $text-error; }
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
        # A text box fills what the label leaves, as in a row; other controls keep the row.
        row = bool(label) and len(controls) == 1 and isinstance(controls[0], BoundInput)
        # Given to the constructor: a class set afterwards asks for a restyle.
        names = " ".join(filter(None, [classes, "-row" if row else ""]))
        super().__init__(id=id, classes=names or None)
        self.label = label
        self.controls = controls
        self.paths = tuple(paths)
        self.hint = hint
        self.messages: tuple[str, ...] = ()
        self._message: Static | None = None

    def compose(self) -> ComposeResult:
        if self.has_class("-row"):
            yield Static(self.label, classes="field-label", markup=False)
            yield self.controls[0]
        else:
            with Horizontal():
                if self.label:
                    yield Static(self.label, classes="field-label", markup=False)
                yield from self.controls
        if self.hint is not None:
            yield Static(self.hint, classes="field-hint", markup=False)

    def show(self, messages: Sequence[str]) -> None:
        if tuple(messages) == self.messages:
            return
        self.messages = tuple(messages)
        text = "\n".join(f"✗ {m}" for m in messages)
        if self._message is None:
            if not messages:
                return
            self._message = Static(text, classes="field-message", markup=False)
            self.mount(self._message)
            return
        self._message.update(text)
        self._message.display = bool(messages)
