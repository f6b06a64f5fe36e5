"""A labelled control with the model's messages for its answers shown underneath."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

from screens.widgets.bound import Bound, BoundInput


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
    Field.-row > .field-hint, Field.-row > .field-message, Field.-row > .field-confirm {
        column-span: 2;
    }
    Field .field-label { width: 20; padding-right: 1; }
    Field .field-hint { color: $text-muted; }
    Field .field-message { color: $text-error; }
    Field .field-confirm { color: $text-warning; text-style: bold; }
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
        self.confirming: tuple[str, ...] = ()
        """The paths of a preset's answers here still to confirm."""
        self._confirm: Static | None = None

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
            yield Line(self.hint, classes="field-hint", markup=False)

    def show(self, messages: Sequence[str]) -> None:
        if tuple(messages) == self.messages:
            return
        self.messages = tuple(messages)
        text = "\n".join(f"✗ {m}" for m in messages)
        if self._message is None:
            if not messages:
                return
            self._message = Line(text, classes="field-message", markup=False)
            self.mount(self._message)
            return
        self._message.update(text)
        self._message.display = bool(messages)

    def show_confirming(self, paths: Sequence[str]) -> None:
        """Say which of the preset's answers here are still to confirm, and how: the line
        goes once they are confirmed or changed."""
        if tuple(paths) == self.confirming:
            return
        self.confirming = tuple(paths)
        text = confirm_text([self.name_of(p) for p in paths], self.typed(paths))
        if self._confirm is None:
            if not paths:
                return
            self._confirm = Line(text, classes="field-confirm", markup=False)
            self.mount(self._confirm)
            return
        self._confirm.update(text)
        self._confirm.display = bool(paths)

    def name_of(self, path: str) -> str:
        """The field's label, or (a row of boxes with none: a node's) the key the path
        ends with, as the column above it is headed."""
        if self.label:
            return self.label
        return path.rsplit(".", 1)[-1]

    def holds(self, path: str) -> bool:
        """Whether the answer at `path` is one of this field's own (not only one it shows
        the messages of)."""
        return path in self.paths or any(
            isinstance(c, Bound) and c.path == path for c in self.query("*")
        )

    def typed(self, paths: Sequence[str]) -> bool:
        """Whether every one of `paths` is a text box here, which Enter confirms."""
        boxes = {c.path for c in self.query(BoundInput)}
        return all(p in boxes for p in paths)


class Line(Static):
    """A hint or message under a field, across both of a row's columns.

    Textual's grid sizes an auto row by each cell's height at the width of one column, even
    for a cell spanning two: a hint two lines long at 54 columns was given the four rows it
    takes at 20, and the message under it sat two blank rows lower. Measured at the whole
    row's width, it takes the rows it is drawn in.
    """

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self.styles.column_span > 1:
            width = max(width, container.width - self.styles.gutter.width)
        return super().get_content_height(container, viewport, width)


def confirm_text(names: Sequence[str], typed: bool) -> str:
    """The line under a field whose answers a preset marks as site-specific: one line in a
    card at 80 columns."""
    if not names:
        return ""
    said = " and ".join(n[:1].lower() + n[1:] if n[1:2].islower() else n for n in names)
    if not typed:
        return f"? The preset's {said}: change it, or confirm it on the Preview"
    if len(names) == 1:
        return f"? The preset's {said}: Enter confirms it"
    return f"? The preset's {said}: Enter in a box confirms it"
