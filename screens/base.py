"""What every step screen shares: answers bound to controls, problems shown at the field."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Iterable
from functools import wraps
from typing import Any, ClassVar, TypeVar, cast

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, Static

from screens.state import WizardState, under
from screens.widgets.bound import Bound, BoundCheckbox, BoundInput, BoundSelect, convert
from screens.widgets.field import Field
from wizard.labels import SEPARATOR, field_label
from wizard.problems import Problem
from wizard.steps import step_for_path

F = TypeVar("F", bound=Callable[..., Any])
W = TypeVar("W", bound=Widget)

CHECK_DELAY = 0.15
"""Seconds after the last change before the answers are checked and problems shown."""


def guarded(method: F) -> F:
    """Turn an unexpected error in a handler into a message instead of a crash."""

    @wraps(method)
    def run(self: Widget, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            report = getattr(self.app, "report_error", None)
            if report is None:
                raise
            report(exc)
            return None

    return cast(F, run)


def focus_now(widget: Widget) -> None:
    """Focus `widget` before the next queued key is handled.

    `Widget.focus` defers to after the messages already queued, so keys typed ahead of a
    step change (a fast typist, a paste, a laggy SSH link) went to the widget that had the
    focus before: a path typed right after Ctrl+N was lost, and Enter then found the
    directory empty.
    """
    try:
        widget.screen.set_focus(widget)
    except Exception:  # not on a screen (yet): the deferred way still works
        widget.focus()


def select_all(widget: W) -> W:
    """`widget`, its text selected when it is a text box: reached by a jump to its answer
    (a preset's answer to confirm, a problem), typing replaces the answer instead of being
    appended to it (db.example.com + mysql.prod.local, silently valid)."""
    if isinstance(widget, Input):
        widget.select_all()
    return widget


def can_focus(widget: Widget) -> bool:
    """Focusable and shown: Textual's `focusable` is true inside a hidden container too
    (the Nodes editor of a product without nodes), where typed keys would go unseen."""
    return widget.focusable and all(
        node.display for node in widget.ancestors_with_self if isinstance(node, Widget)
    )


class AnswersChanged(Message):
    """An answer changed: the sidebar's step states may have too."""


class GoTo(Message):
    def __init__(self, step_id: str, path: str = "") -> None:
        super().__init__()
        self.step_id = step_id
        self.path = path


class StepPane(VerticalScroll):
    """One step's form. Subclasses compose `Field`s holding `Bound` controls."""

    step_id: ClassVar[str] = ""
    keys_help: ClassVar[str] = ""

    first_items: ClassVar[int | None] = None
    """How many of `body`'s widgets are mounted before the step is first drawn; the rest
    follow right after that frame. None: all of them at once."""

    def __init__(self, state: WizardState) -> None:
        super().__init__(id=f"pane-{self.step_id}", classes="step-pane")
        self.state = state
        self.can_focus = False
        self._check_timer: Timer | None = None
        self._later: list[Widget] = []
        self._after_frame: list[Callable[[], object]] | None = []
        """What waits for the pane's first frame; None once it has run."""
        self._frame_shown = False
        self._focus_later = ""
        self._later_mounted: asyncio.Event | None = None
        """Set once the rest of the form is mounted; None until that starts."""
        self.whole = False
        """Mount the whole form before the first frame: the step is opened at a field."""

    def compose(self) -> ComposeResult:
        yield Static("", id="pane-problems", markup=False)
        items = list(self.body())
        # A long form is drawn from its top: what the terminal shows first is mounted, the
        # rest once that frame is out. Textual spends 1-1.5 ms per widget mounted, and the
        # Database step of a two-product plan has ~150. Measured (bench, tmux, 10 nodes):
        # Next to Database 356 -> 149 ms, to Products 162 -> 112, to Nodes 175 -> 115.
        whole = self.first_items is None or self.whole
        split = len(items) if whole else self.first_items
        self._later = items[split:]
        if self._later:
            self.after_first_frame(self._mount_later)
        yield from items[:split]

    def after_first_frame(self, callback: Callable[[], object], *, first: bool = False) -> None:
        """Call `callback` once the pane's first frame is rendered (at once if it is);
        `first`: before what already waits for it."""
        if self._after_frame is None:
            self.call_later(callback)
        else:
            self._after_frame.insert(0 if first else len(self._after_frame), callback)

    def on_show(self) -> None:
        # Shown by the layout that first places the pane, whose frame is rendered before any
        # other message is handled. (`call_after_refresh`, from inside the app's batch of a
        # step change, could run first: the step left was unmounted before the frame.)
        self._first_frame()

    def on_resize(self) -> None:
        # The same layout sizes it: Textual sends no Show to a widget first placed by a
        # layout done for a scroll (Tab had scrolled the step left), and the work after
        # the frame never ran (the Nodes step kept its first table only).
        self._first_frame()

    def _first_frame(self) -> None:
        if self._after_frame is not None and not self._frame_shown and self.display:
            self._frame_shown = True
            self.call_later(self._run_after_frame)

    async def _run_after_frame(self) -> None:
        waiting = self._after_frame or []
        while waiting:  # in turn: the form is whole before the preview renders
            done = waiting.pop(0)()
            if inspect.isawaitable(done):
                await done
        self._after_frame = None

    async def recompose(self) -> None:
        # Drawn again after an edit, the form is mounted whole: the edit's handler then
        # focuses a widget of it, which may be below the first screen. The parts of the
        # form not mounted yet are dropped (composed again), the one being mounted awaited.
        self.whole = True
        self._later.clear()
        await self.later_mounted()
        await super().recompose()

    @property
    def mounting(self) -> bool:
        """Part of the form, or other work that follows the first frame, is still to come
        (for a step on show: a pane mounted ahead, hidden, waits to be shown)."""
        return self.display and bool(self._later or self._after_frame)

    async def _mount_later(self) -> None:
        later = self._later
        if not later or not self.is_attached:
            return
        self._later_mounted = asyncio.Event()
        try:
            # One part at a time (a Database card is ~20 widgets, the lot 150-400 ms): Next
            # pressed meanwhile is handled after the part being mounted, not after the lot,
            # and a step on its way out mounts no more.
            while later and self.display and self.is_attached:
                await self.mount(later.pop(0))
        finally:
            self._later_mounted.set()
        if later:
            return
        self.refresh_problems()
        if self._focus_later:
            path, self._focus_later = self._focus_later, ""
            self.focus_path(path)

    async def later_mounted(self) -> None:
        """Wait for the rest of the form if it is being mounted: a pane removed meanwhile
        takes widgets away from under their own mounting (a Select then finds no label)."""
        if self._later_mounted is not None:
            await self._later_mounted.wait()

    async def discard(self) -> None:
        """Unmount the pane, once the part of its form being mounted is in."""
        await self.later_mounted()
        if self.is_attached:
            await self.remove()

    def body(self) -> Iterable[Widget]:
        return ()

    def on_mount(self) -> None:
        self.refresh_problems()

    # ---- problems ---------------------------------------------------------------------

    def problems(self) -> list[Problem]:
        return self.state.problems(self.step_id)

    def refresh_problems(self) -> None:
        self.show_problems(self.problems())

    def show_problems(self, problems: list[Problem]) -> None:
        """Each problem at the field holding its path; the rest in the pane's own box."""
        show_all = self.step_id in self.state.attempted
        fields = list(self.query(Field))
        shown: dict[Field, list[str]] = {f: [] for f in fields}
        leftover = []
        for problem in problems:
            target = best_field(fields, problem.path)
            if target is None:
                named = field_label(self.state.answers, problem.path) if problem.path else ""
                leftover.append(f"{named}: {problem.message}" if named else problem.message)
            elif show_all or self._visible(target):
                shown[target].append(_relative(problem, target, self.state.answers))
        for f, messages in shown.items():
            f.show(messages)
        self.show_confirming(fields)
        box = self.query_one("#pane-problems", Static)
        text = "\n".join(f"✗ {m}" for m in leftover) if leftover and show_all else ""
        if str(box.content) != text:  # an update re-lays out the screen: only on a change
            box.update(text)
        box.display = bool(text)

    def confirm_paths(self) -> list[str]:
        """The preset's answers still to confirm that this step's fields hold."""
        return [p for p in self.state.pending() if step_for_path(p) == self.step_id]

    def show_confirming(self, fields: list[Field]) -> None:
        """Mark each field holding a preset's answer still to confirm (the sidebar's ?)."""
        marked: dict[Field, list[str]] = {f: [] for f in fields}
        for path in self.confirm_paths():
            target = best_field(fields, path)
            if target is not None and target.holds(path):
                marked[target].append(path)
        for f, paths in marked.items():
            f.show_confirming(paths)

    def on_input_submitted(self, event: Input.Submitted) -> Awaitable[None] | None:
        # Enter in a box keeps the preset's answer it holds, as the Preview's c does.
        box = event.input
        if isinstance(box, BoundInput) and box.path in self.state.pending():
            event.stop()
            self.state.confirm([box.path])
            self.refresh_problems()
            self.post_message(AnswersChanged())
        return None

    def _visible(self, target: Field) -> bool:
        """An untouched, empty field keeps quiet until Next is pressed."""
        if any(under(t, p) for t in self.state.touched for p in target.paths):
            return True
        for control in target.query("*"):
            if isinstance(control, Input) and control.value == "":
                return False
            if isinstance(control, Select) and control.value is Select.NULL:
                return False
        return True

    def focus_problem(self, problem: Problem) -> None:
        self.focus_path(problem.path)

    def focus_path(self, path: str) -> None:
        controls = [w for w in self.query("*") if isinstance(w, Bound) and can_focus(w)]
        best: Widget | None = max(
            (c for c in controls if under(path, c.path)),
            key=lambda c: len(c.path),
            default=None,
        )
        if best is None:
            best = next((c for c in controls if under(c.path, path)), None)
        if best is None:
            fields = list(self.query(Field))
            target = best_field(fields, path)
            if target is not None:
                best = next((w for w in target.query("*") if can_focus(w)), None)
        if best is None:
            if self._later:  # its field follows the first frame: focused once it is there
                self._focus_later = path
            self.focus_first()
            return
        focus_now(select_all(best))
        # Once laid out: a pane just mounted has no place for its widgets yet, and a scroll
        # now (or Textual's own, on focus) left a field below the screen focused unseen;
        # what was typed then replaced the answer out of sight.
        self.call_after_refresh(self._show_focused, best)

    def _show_focused(self, widget: Widget) -> None:
        if widget.is_attached and self.screen.focused is widget:
            field = next((a for a in widget.ancestors if isinstance(a, Field)), widget)
            self.scroll_to_center(field, animate=False, origin_visible=True)

    def focus_first(self) -> None:
        first = next((w for w in self.query("*") if can_focus(w)), None)
        if first is not None:
            focus_now(first)

    async def leave(self) -> bool:
        """Called before Next moves on from a step without problems; False stays."""
        return True

    # ---- answers ------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if isinstance(event.input, BoundInput):
            event.stop()
            self.answer(event.input.path, convert(event.input.kind, event.value))

    # Textual calls a pane's own handler of the same name as well as these two (it walks the
    # class hierarchy, not overriding): a pane's may be async.
    def on_select_changed(self, event: Select.Changed) -> Awaitable[None] | None:
        if isinstance(event.select, BoundSelect):
            event.stop()
            value = None if event.value is Select.NULL else event.value
            self.answer(event.select.path, value)
        return None

    def on_checkbox_changed(self, event: Checkbox.Changed) -> Awaitable[None] | None:
        if isinstance(event.checkbox, BoundCheckbox):
            event.stop()
            box = event.checkbox
            value = None if event.value == box.default else event.value
            self.answer(box.path, value)
        return None

    @guarded
    def answer(self, path: str, value: Any) -> None:
        if not self.state.set_answer(path, value):
            return
        self.answered(path, value)
        # Checked once typing pauses, not per key: a check validates every node (~10 ms
        # per step at 500 nodes), and the sidebar checks each step it marks.
        if self._check_timer is None:
            self._check_timer = self.set_timer(CHECK_DELAY, self.check_answers)
        else:
            self._check_timer.reset()

    @property
    def check_pending(self) -> bool:
        """An answer changed and its problems are not shown yet."""
        return self._check_timer is not None

    @guarded
    def check_answers(self) -> None:
        """Show the problems of the answers as they are now; the sidebar follows."""
        self._check_timer = None
        # Left meanwhile (the step is checked again when shown), or being recomposed
        # (which checks when done).
        if not self.is_attached or not self.query("#pane-problems"):
            return
        self.refresh_problems()
        self.post_message(AnswersChanged())

    def answered(self, path: str, value: Any) -> None:
        """A hook: a control changed the answer at `path`."""


class FormPane(StepPane):
    """A step whose form groups its fields in cards (products, nodes, databases)."""

    DEFAULT_CSS = """
    FormPane .card {
        height: auto;
        border: round $primary;
        padding: 0 1;
        margin-bottom: 1;
    }
    FormPane .card-head { height: 1; }
    FormPane .card-title { width: 1fr; text-style: bold; }
    FormPane .remove { min-width: 5; }
    """


def best_field(fields: list[Field], path: str) -> Field | None:
    best: Field | None = None
    length = -1
    for f in fields:
        for p in f.paths:
            if under(path, p) and len(p) > length:
                best, length = f, len(p)
    if best is None:
        best = next((f for f in fields if any(under(p, path) for p in f.paths)), None)
    return best


def _relative(problem: Problem, target: Field, answers: Any) -> str:
    """A problem as said at `target`: its message, after the name of the answer it is about
    when that is not the field's own, as its form labels it ("Password: …", not
    "password: …"; the card around says whose)."""
    if problem.path in target.paths:  # the field's own answer: the message alone
        return problem.message
    for p in target.paths:
        if not under(problem.path, p):
            continue
        named = field_label(answers, problem.path)
        if named == problem.path:  # no form names it: the rest of its path
            return f"{problem.path[len(p) :].lstrip('.')}: {problem.message}"
        return f"{named.rsplit(SEPARATOR, 1)[-1]}: {problem.message}"
    return problem.message
