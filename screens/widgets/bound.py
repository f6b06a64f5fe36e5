"""Controls bound to an answer path: the pane writes what they hold into the answers dict."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, Self

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.geometry import Region
from textual.strip import Strip
from textual.suggester import Suggester
from textual.widgets import Input, Select

from screens.compat import node_bindings
from screens.widgets.compact import made_compact
from screens.widgets.longtext import elide_middle
from screens.widgets.paths import PathSuggester
from screens.widgets.toggles import Tick

Kind = Literal["text", "optional", "int"]
"""text: kept as typed; optional: empty drops the key; int: digits become a number, empty
drops the key, anything else is kept as typed so the model can say what is wrong."""


def convert(kind: Kind, value: str) -> Any:
    """The answer for `value`; None means the key is left out."""
    if kind == "text":
        return value
    if value == "":
        return None
    if kind == "int":
        text = value.strip()
        return int(text) if text.isdigit() else value
    return value


def shown(value: Any) -> str:
    return "" if value is None else str(value)


class Bound:
    """Mixin: `path` names the answer, e.g. `products[0].nodes[1].host`."""

    path: str
    kind: Kind = "text"


class OrderedInput(Input):
    """An Input whose editing keys (Backspace, Ctrl+U, arrows, Enter) act in the order typed.

    Textual inserts a typed character at once but runs a key binding only after the key has
    bubbled up to the app; when keys arrive in a burst (typing ahead over a laggy SSH link),
    `Ctrl+U /opt/tree Enter` inserted the path first and then erased it. Running the Input's
    own bindings here keeps every key in order.

    Tab, too, moves the focus here rather than once it has bubbled up to the app; and as
    the app hands each key to the box focused when the key arrives, the keys of a burst
    that follow a Tab are already queued here: they are passed on to the box now focused,
    so that `apim-3 Tab 10.0.1.13` puts the host in the host box.
    """

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        # Input asks for a layout on every key, as its scrollable width follows the text.
        # A box whose size does not follow its content needs none, and a layout reflows
        # the whole screen: 40-90 ms a key on the Nodes step.
        if layout and not self.styles.auto_dimensions:
            layout = False
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def render_line(self, y: int) -> Strip:
        # A path wider than its box, while it is not being edited, shows its start and its
        # file name with an ellipsis between them, rather than whatever the box last showed.
        width = self.scrollable_content_region.width
        if (
            y
            or self.has_focus
            or self.password
            or not isinstance(self.suggester, PathSuggester)
            or cell_len(self.value) <= width
        ):
            return super().render_line(y)
        text = Text(elide_middle(self.value, width), no_wrap=True, end="")
        console = self.app.console
        strip = Strip(console.render(text, self.app.console_options.update_width(width)))
        return strip.extend_cell_length(width).apply_style(self.rich_style)

    def on_focus(self) -> None:
        self.show_path_end()

    def on_resize(self) -> None:
        self.show_path_end()

    def show_path_end(self) -> None:
        """A path is edited at its end: the box shows that end (the file name), not the
        part a wider or narrower layout last scrolled to."""
        if isinstance(self.suggester, PathSuggester) and self.cursor_at_end:
            self.call_after_refresh(lambda: self.scroll_to(x=self.max_scroll_x, animate=False))

    async def on_key(self, event: events.Key) -> None:
        # Runs before Input's own key handler (Textual calls each class's in turn, the
        # subclass's first); a key stopped here with prevent_default never reaches it.
        focused = self.screen.focused if self.is_attached else None
        if focused is not None and focused is not self:
            event.stop()
            event.prevent_default()
            focused.post_message(events.Key(event.key, event.character))
            return
        if event.key in ("tab", "shift+tab"):  # here, not once it has bubbled up to the app
            event.stop()
            event.prevent_default()
            if event.key == "tab":
                self.screen.focus_next()
            else:
                self.screen.focus_previous()
            return
        if not event.is_printable:
            for binding in node_bindings(self, event.key):
                # Scrolling a one-line box is nothing; Up and Down go on to the step.
                if not binding.priority and not binding.action.startswith("scroll_"):
                    # Handled here: the key must not bubble up and run the binding again.
                    event.stop()
                    event.prevent_default()
                    await self.run_action(binding.action)
                    return


class BoundInput(Bound, OrderedInput):
    DEFAULT_CSS = """
    BoundInput { width: 1fr; }
    """

    def __init__(
        self,
        path: str,
        value: Any = None,
        *,
        kind: Kind = "text",
        placeholder: str = "",
        password: bool = False,
        suggester: Suggester | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(
            shown(value),
            placeholder=placeholder,
            password=password,
            suggester=suggester,
            id=id,
            classes=classes,
            select_on_focus=False,
        )
        made_compact(self)
        self.path = path
        self.kind = kind


class BoundSelect(Bound, Select[str]):
    def __init__(
        self,
        path: str,
        options: Iterable[tuple[str, str]],
        value: str | None,
        *,
        id: str | None = None,
        prompt: str = "Select",
    ) -> None:
        options = list(options)
        known = {v for _, v in options}
        super().__init__(
            options,
            value=value if value in known else Select.NULL,
            allow_blank=value not in known,
            compact=True,
            id=id,
            prompt=prompt,
        )
        self.path = path


class BoundCheckbox(Bound, Tick):
    def __init__(self, path: str, label: str, value: bool, default: bool) -> None:
        super().__init__(label, value, compact=True)
        self.path = path
        self.default = default
        """The model's default: an answer equal to it is left out, keeping answers minimal."""
