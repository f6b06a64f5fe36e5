"""The sidebar: every step with its state; choosing one goes there."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from screens.widgets.compact import made_compact

# "?" is a preset's site-specific answer not confirmed yet: nothing is wrong, but the tree is
# not written until it is confirmed, so the step cannot read as done.
MARKS = {"done": "✓", "attention": "!", "confirm": "?", "todo": "·"}
LEGEND = "✓ done  ! to fix\n? confirm · not yet"


class StepList(OptionList):
    DEFAULT_CSS = """
    StepList { width: 22; height: auto; border: none; padding: 0; }
    """

    class Chosen(Message):
        def __init__(self, step_id: str) -> None:
            super().__init__()
            self.step_id = step_id

    def __init__(self, steps: Sequence[tuple[str, str]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        made_compact(self)
        self.steps = list(steps)
        self.shown: tuple[object, ...] = ()
        self.states: dict[str, str] = {}
        """The marks shown, by step id: none (all "not yet") before the first check."""

    def show(self, current: str, states: Mapping[str, str]) -> None:
        shown = (current, tuple(states.items()))
        if shown == self.shown:
            return
        self.shown = shown
        self.states = dict(states)
        options = []
        for n, (step_id, title) in enumerate(self.steps, start=1):
            here = "▸" if step_id == current else " "
            mark = MARKS[states.get(step_id, "todo")]
            options.append(Option(f"{here}{mark} {n} {title}", id=step_id))
        self.set_options(options)
        self.highlighted = [s for s, _ in self.steps].index(current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.Chosen(event.option.id))
