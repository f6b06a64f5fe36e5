"""Problems and rule findings, each leading to the step that fixes it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class ProblemList(OptionList):
    DEFAULT_CSS = """
    ProblemList { height: auto; max-height: 12; }
    """

    class Chosen(Message):
        def __init__(self, step_id: str, path: str) -> None:
            super().__init__()
            self.step_id = step_id
            self.path = path

    mark = "✗"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(compact=True, id=id)
        self.targets: list[tuple[str, str]] = []

    def show(self, items: Sequence[tuple[str, str, str]]) -> None:
        """`items`: (text, step id, answer path) per problem."""
        self.targets = [(step, path) for _, step, path in items]
        self.set_options(
            Option(f"{self.mark} {text}", id=str(i)) for i, (text, _, _) in enumerate(items)
        )
        self.display = bool(items)
        if items:
            self.highlighted = 0  # Enter works at once, with no arrow key first

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        step, path = self.targets[int(event.option.id or 0)]
        self.post_message(self.Chosen(step, path))


class ConfirmList(ProblemList):
    """Answers to confirm: Enter goes to the field, c (or Space) confirms the one highlighted."""

    mark = "?"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c,space", "confirm", "Confirm"),
    ]

    class Confirmed(Message):
        def __init__(self, paths: Sequence[str]) -> None:
            super().__init__()
            self.paths = list(paths)

    def action_confirm(self) -> None:
        if self.highlighted is not None and self.highlighted < len(self.targets):
            self.post_message(self.Confirmed([self.targets[self.highlighted][1]]))
