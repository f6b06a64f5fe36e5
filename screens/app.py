"""The full-screen wizard: a sidebar of steps, one step's form, Back / Next.

`build_app` takes every path and the environment as arguments and does no I/O of its own,
so the tests build the app exactly as `carbon-wizard` does.

One module over 400 lines: `WizardApp` is the one place that moves between steps, saves
the session and ends the run (Back/Next, autosave, quit and Ctrl+C, the error edge), and
those share its state; each step's form is its own module.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Static

from screens.ahead import PANES, PanesApp, pane_class
from screens.base import AnswersChanged, GoTo, StepPane
from screens.compat import DEFAULT_SCREEN_ID, KeysFooter
from screens.state import WizardState
from screens.widgets.buttons import CompactButton
from screens.widgets.steplist import LEGEND, StepList
from wizard import sessions, steps
from wizard.steps import STEP_IDS, STEPS

if TYPE_CHECKING:
    from rich.console import RenderableType

    # Imported where they are used: the first screen shows neither (the passwords dialog
    # alone loads the field checks and the product catalog).
    from screens.widgets.problemlist import ProblemList


PRELOAD = (
    "wizard.answers",
    "wizard.plan",
    "wizard.picture",
    "wizard.tree",
    "wizard.rules",
    *(module for module, _ in PANES.values()),
)
"""What the preview renders with (the model, the plan, the tree, lxml, the rule checks),
and every step's pane: imported in the background once the first frame is drawn, ~0.2 s
that otherwise falls on the first preview, and 1-7 ms on the first visit of each step (the
pane's module and the Textual widgets it uses; 49 ms for Write's, which loads the push)."""


def preload(modules: Sequence[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # imported again where it is used, which reports the failure
            return


DEBUG_VARIABLE = "CARBON_WIZARD_DEBUG"
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
AUTOSAVE_DELAY = 0.8
"""Seconds of quiet after an edit before the session is saved: one write per pause in
typing, not one per key."""

KEYS_HELP = "\n".join(
    # One line per item, wrapped by the dialog: lines broken by hand broke mid-sentence
    # at any width but the one they were written for.
    [
        "Keys:",
        "• Tab / Shift+Tab move between fields; Enter opens a list or presses a button.",
        "• Ctrl+N goes to the next step, Ctrl+B to the previous one (nothing typed is lost "
        "going back).",
        "• Every step and every edit is saved in the session as you go; Ctrl+S saves at once.",
        "• Ctrl+Q quits, Ctrl+C too, keeping the session. F1 shows this help.",
        "The sidebar lists every step; Enter on one goes to it:",
        "• ✓ done, ! to fix, · not yet;",
        "• ? a preset's site-specific answer to confirm: it is marked at its field, where "
        "Enter in the box keeps it, and the Preview lists them all.",
    ]
)


class MainScreen(Screen[None]):
    """The wizard's screen: it focuses nothing itself.

    Each step focuses its own first field; Textual's auto-focus gave the sidebar the focus
    first, and moving it away restyled both (and redrew the footer's keys) before the first
    frame.
    """

    AUTO_FOCUS = ""

    _shown_once = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Screen's own handler. On the first show every node was styled as it
        # mounted, and the screen's restyle of all of them redid that work before the first
        # frame; a later resume (a dialog closed) restyles as Textual does.
        if not self._shown_once:
            self._shown_once = True
            event.refresh_styles = False


class WizardApp(PanesApp):
    CSS_PATH = "app.tcss"
    TITLE = "carbon-wizard"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help"),
        Binding("ctrl+b", "back", "Back", priority=True),
        Binding("ctrl+n", "next", "Next", priority=True),
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+q", "request_quit", "Quit", priority=True),
        Binding("ctrl+c", "interrupt", "Quit", priority=True, show=False),
    ]

    def __init__(
        self, state: WizardState, *, session: str | None = None, preset: str | None = None
    ) -> None:
        super().__init__()
        self.state = state
        self.current = "start"
        self.debug_errors = bool(state.env.get(DEBUG_VARIABLE))
        self.start_session = session
        self.start_preset = preset
        self.farewell = ""
        """Printed once the screen is restored: how to resume the session."""
        self._autosave: Timer | None = None
        self.drawn = False
        """True once the first frame is on the terminal; what would delay it waits."""
        self._when_drawn: list[Callable[[], object]] = []

    def when_drawn(self, callback: Callable[[], object]) -> None:
        """Call `callback` now if the first frame is drawn, else right after it is."""
        if self.drawn:
            callback()
        else:
            self._when_drawn.append(callback)

    def on_ready(self) -> None:
        # Ready comes with the first layout, before its frame is written: a callback after
        # the next refresh runs once the frame is on the terminal. (A call_after_refresh
        # from on_mount runs earlier: the app mounts in a batch, without a refresh.)
        self.call_after_refresh(self._drawn_now)

    def _drawn_now(self) -> None:
        self.drawn = True
        waiting, self._when_drawn = self._when_drawn, []
        for callback in waiting:
            callback()

    def get_default_screen(self) -> Screen[Any]:
        return MainScreen(id=DEFAULT_SCREEN_ID)

    def compose(self) -> ComposeResult:
        # The first step's pane is composed with the rest: mounted in one batch, the
        # widgets are styled and laid out once, not once more for a pane mounted later.
        self.current = self.open_first()
        self.state.visited.add(self.current)
        # The screen is a grid (app.tcss): the sidebar, then the title, the step's pane and
        # the nav beside it. No containers for the columns or the pane: each one is one more
        # widget to mount, style and draw before the first frame.
        with Vertical(id="sidebar"):
            yield Static("carbon-wizard", id="app-title")
            yield StepList([(s.id, s.title) for s in STEPS], id="steps")
            yield Static(LEGEND, id="legend")
        yield Static("", id="step-title", markup=False)
        yield pane_class(self.current)(self.state)
        with Horizontal(id="nav"):
            # Disabled from the start: disabling a mounted button restyles it.
            first = steps.step_index(self.current) == 0
            yield CompactButton("‹ Back", id="back", compact=True, disabled=first)
            yield Static("", id="nav-note", markup=False)
            yield CompactButton("Next ›", id="next", compact=True)
        yield KeysFooter()

    def open_first(self) -> str:
        """The first step: a saved session's when asked (and free), else Start."""
        if self.start_session:
            try:
                return self.state.resume(self.start_session)
            except sessions.SessionError as exc:
                self.state.note = f"✗ {exc}"
                self.start_session = None
                return "start"
        if self.start_preset:
            self.state.note = self.state.start_from_preset(self.start_preset) or ""
        return "start"

    def on_mount(self) -> None:
        # A dropped SSH connection hangs the terminal up: leave as Ctrl+C does, the session
        # saved and its lock released, instead of being killed with the lock left behind.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.action_interrupt)
        self.when_drawn(self.start_preload)
        self.pane.after_first_frame(self.prepare, first=True)
        first = self.current == "start"
        # On Start, the sidebar's marks check the answers, which loads the model (pydantic,
        # ~150 ms): the step is drawn first, the marks follow it.
        self.shown(self.pane, "name" if first and self.start_preset else "", check=not first)
        if first:
            self.when_drawn(self.refresh_nav)
            return
        if self.state.lock is not None and self.state.lock.note:
            self.notify(self.state.lock.note, timeout=10)
        self.ask_missing_passwords()

    def start_preload(self) -> None:
        threading.Thread(target=preload, args=(PRELOAD,), name="preload", daemon=True).start()

    async def resume(self, session_id: str) -> None:
        """Open a saved session at its step; refused (and said why) when it is in use."""
        if self.state.session is not None:
            self.save_session()  # the plan left, with what was typed since the last save
        try:
            step = self.state.resume(session_id)
        except sessions.SessionError as exc:
            self.state.note = f"✗ {exc}"
            await self.show_step("start")
            return
        if self.state.lock is not None and self.state.lock.note:
            self.notify(self.state.lock.note, timeout=10)
        await self.show_step(step)
        self.ask_missing_passwords()

    def ask_missing_passwords(self) -> None:
        missing = self.state.missing_passwords()
        if not missing:
            return

        def answered(given: dict[str, dict[str, str]] | None) -> None:
            for spec_path, source in (given or {}).items():
                for key, value in source.items():
                    self.state.set_answer(f"{spec_path}.{key}", value)
            left = len(self.state.missing_passwords())
            if left:
                self.notify(
                    f"{left} password(s) still missing; the Database step asks for them.",
                    severity="warning",
                )
            self.save_session()
            # The step on show was drawn before the passwords came back.
            self.call_later(self.show_step, self.current)

        from screens.widgets.passwords import PasswordsDialog

        self.push_screen(PasswordsDialog(self.state, missing), answered)

    async def show_step(self, step_id: str, focus_path: str = "", *, check: bool = True) -> None:
        """Show `step_id`; `check=False` leaves the sidebar's marks as they are."""
        async with self.steps_lock:
            await self._show_step(step_id, focus_path, check=check)

    async def _show_step(self, step_id: str, focus_path: str, *, check: bool) -> None:
        self.pause_gc()
        prepared = await self.take_prepared(step_id, focus_path)
        old = [p for p in self.panes() if p is not prepared]
        self.current = step_id
        self.state.visited.add(step_id)
        pane = prepared or pane_class(step_id)(self.state)
        pane.whole = bool(focus_path)  # the field may be below the first screen
        title = self.query_one("#step-title", Static)
        # No frame between the two panes: the old step stays on the terminal until the new
        # one is mounted whole (an empty panel showed for up to half a second before).
        # Unmounting the old step's widgets costs 10-50 ms (the Database step's ~150): it is
        # hidden now and unmounted once the new step is on the terminal (Ctrl+N to the new
        # frame, 10 nodes, 3 runs: to Preview 113-137 -> 72-78 ms, to Registry layout
        # 71-75 -> 56-63). The same step shown again goes first: the two share an id.
        later = [p for p in old if p.step_id != step_id]
        with self.batch_update():
            for leaving in old:
                leaving.display = False
                if leaving.has_focus_within:
                    # Textual would move the focus when the widget is unmounted, to a widget
                    # of its choosing and scrolled into view (at 80x24 Preview's node choice,
                    # below the picture, hid the status line). The new step decides instead.
                    self.screen.set_focus(None)
                self.workers.cancel_node(leaving)  # its work (a connection test) stops now
                if leaving not in later:
                    await leaving.discard()
            if prepared is None:
                await title.screen.mount(pane, after=title)  # its grid cell: after the title
            else:
                pane.display = True
                pane.refresh_problems()  # the files on disk may have changed since
            self.shown(pane, focus_path, check=check)
        # Once the step is drawn: the step left unmounted, then the next step prepared, then
        # the rest of this form. Next may come while that is mounted (Database's ~120
        # widgets, 150-400 ms), and the key is handled in between.
        pane.after_first_frame(self.prepare, first=True)
        if later:
            pane.after_first_frame(partial(self._drop_panes, later), first=True)
        pane.after_first_frame(self.resume_gc)

    async def _drop_panes(self, panes: list[StepPane]) -> None:
        for leaving in panes:
            await leaving.discard()

    def shown(self, pane: StepPane, focus_path: str = "", *, check: bool = True) -> None:
        """The title, Back, the note, the sidebar and the focus, for the pane just mounted."""
        index = steps.step_index(pane.step_id)
        step = steps.step(pane.step_id)
        self.query_one("#step-title", Static).update(
            f"Step {index + 1} of {len(STEPS)} · {step.title}\n{step.help}"
        )
        self.query_one("#back", Button).disabled = index == 0
        self.note("")
        self.refresh_nav(check=check)
        if focus_path:
            pane.focus_path(focus_path)
        else:
            pane.focus_first()

    def refresh_nav(self, *, check: bool = True) -> None:
        """The Next button's label and the sidebar; `check=False` keeps the marks shown."""
        label = {"preview": "Write ›", "write": "Write"}.get(self.current, "Next ›")
        if self.current == "write" and self.state.written and not self.state.changed_since_write:
            label = "Quit"
        self.query_one("#next", Button).label = label
        step_list = self.query_one(StepList)
        states = self.state.states(self.current) if check else step_list.states
        step_list.show(self.current, states)

    def note(self, text: str) -> None:
        box = self.query_one("#nav-note", Static)
        if str(box.content) != text:  # an update re-lays out the screen: only on a change
            box.update(text)

    def report_error(self, exc: BaseException) -> None:
        if self.debug_errors:
            raise exc
        self.notify(
            f"Internal error ({type(exc).__name__}: {exc}). Your answers are kept; "
            f"set {DEBUG_VARIABLE}=1 to see where it happened.",
            severity="error",
            timeout=10,
        )

    def save_session(self) -> None:
        if self._autosave is not None:
            self._autosave.stop()
            self._autosave = None
        problem = self.state.save(self.current)
        if problem:
            self.notify(problem, severity="warning")

    def leave_session(self) -> str | None:
        """Save and unlock the session being edited, so the next plan starts its own; the
        reason when it could not be saved (the plan then stays)."""
        if self._autosave is not None:
            self._autosave.stop()
            self._autosave = None
        return self.state.leave_session(self.current)

    def autosave_soon(self) -> None:
        """Save once typing pauses; before the first Next there is no session to save."""
        if self.state.session is None:
            return
        if self._autosave is not None:
            self._autosave.stop()
        self._autosave = self.set_timer(AUTOSAVE_DELAY, self.save_session)

    # ---- navigation ---------------------------------------------------------------------

    async def action_next(self) -> None:
        try:
            await self._next()
        except Exception as exc:
            self.report_error(exc)

    async def _next(self) -> None:
        pane = self.pane
        problems = pane.problems()
        if problems:
            self.state.attempted.add(self.current)
            pane.refresh_problems()
            pane.focus_problem(problems[0])
            self.note_problems()
            self.refresh_nav()
            return
        if not await pane.leave():
            self.refresh_nav()
            return
        if self.current == "write":
            return
        self.save_session()
        await self.show_step(steps.next_step(self.current))

    async def action_back(self) -> None:
        index = steps.step_index(self.current)
        if index == 0:
            return
        if self.state.session is not None:
            self.save_session()
        await self.show_step(STEP_IDS[index - 1])

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "next":
            event.stop()
            await self.action_next()
        elif event.button.id == "back":
            event.stop()
            await self.action_back()

    async def on_step_list_chosen(self, event: StepList.Chosen) -> None:
        if event.step_id != self.current:
            if self.state.session is not None:
                self.save_session()
            await self.show_step(event.step_id)

    async def on_go_to(self, event: GoTo) -> None:
        await self.show_step(event.step_id, focus_path=event.path)

    async def on_problem_list_chosen(self, event: ProblemList.Chosen) -> None:
        if event.step_id in PANES and event.step_id != self.current:
            await self.show_step(event.step_id, focus_path=event.path)

    def on_answers_changed(self, event: AnswersChanged) -> None:
        self.note_problems()
        self.refresh_nav()
        self.autosave_soon()
        self.prepare_soon()

    def note_problems(self) -> None:
        """Once Next was refused on a step, the note counts what is left to fix there."""
        if self.current not in self.state.attempted:
            self.note("")
            return
        self.note(self.state.left_to_do(self.pane.problems()))

    # ---- help, save, quit ---------------------------------------------------------------

    def action_help(self) -> None:
        step = steps.step(self.current)
        text = step.help
        if self.pane.keys_help:
            text += "\n\n" + self.pane.keys_help
        from screens.widgets.dialogs import HelpDialog

        self.push_screen(HelpDialog(f"Help · {step.title}", f"{text}\n\n{KEYS_HELP}"))

    def action_save(self) -> None:
        if self.state.session is None and not self.state.answers.get("name"):
            self.notify("Name the plan first (Start step); then it is saved as you go.")
            return
        self.save_session()
        if self.state.session is not None:
            self.notify(f"Saved session '{self.state.session.name}'.")

    def action_request_quit(self) -> None:
        from screens.widgets.dialogs import ConfirmDialog

        if isinstance(self.screen, ConfirmDialog):
            return
        if not self.unsaved():
            self.quit_now()
            return
        where = ""
        if self.state.session is not None:
            # The command on a line of its own: wrapped inside the sentence, it broke in
            # two and could not be copied whole.
            where = (
                f" Your answers are kept in session '{self.state.session.name}'; "
                f"this reopens it:\n\n  carbon-wizard resume {self.state.session.id}\n\n"
            )
        resumed = self.state.origin.startswith("session:")
        unwritten = "since it was resumed" if resumed else "yet"
        question = f"The plan has not been written {unwritten}.{where or ' '}Quit anyway?"

        def answered(yes: bool | None) -> None:
            if yes:
                self.quit_now()

        self.push_screen(ConfirmDialog(question, yes="Quit", no="Stay"), answered)

    def unsaved(self) -> bool:
        """Answers not written to a tree in this run: quitting asks first. A resumed session
        counts until it is written, edited or not."""
        typed = {k: v for k, v in self.state.answers.items() if k != "schema_version"}
        written = self.state.written is not None and not self.state.changed_since_write
        return bool(typed) and not written

    def quit_now(self, code: int = 0) -> None:
        problem = None
        # Ctrl+C on the start step keeps a plan that has a name typed but no session yet.
        if self.state.session is not None or (code and self.unsaved()):
            if self._autosave is not None:
                self._autosave.stop()
            problem = self.state.save(self.current)
        if problem:
            self.farewell = f"carbon-wizard: {problem}"
        elif self.state.session is not None:
            self.farewell = self.state.resume_hint()
        elif code:
            self.farewell = "Interrupted; nothing was typed, so there is no session to keep."
        self.state.release()
        self.exit(code)

    def action_interrupt(self) -> None:
        """Ctrl+C quits at once from anywhere, and the session keeps every answer."""
        try:
            self.quit_now(EXIT_INTERRUPTED)
        except Exception as exc:  # the exit must not fail on a save that fails
            self.farewell = f"Interrupted; the session could not be saved: {exc}"
            self.exit(EXIT_INTERRUPTED)

    def print_exit_errors(self, errors: list[RenderableType]) -> bool:
        # The edge: an operator sees one sentence, a developer the traceback.
        if self.debug_errors:
            return False
        print(
            "carbon-wizard: internal error; the session is saved. Run again with "
            f"{DEBUG_VARIABLE}=1 to see where it happened.",
            file=sys.stderr,
        )
        return True


def build_app(
    *,
    preset_dirs: Sequence[Path],
    sessions_dir: Path,
    env: Mapping[str, str],
    cwd: Path | None = None,
    session: str | None = None,
    preset: str | None = None,
) -> WizardApp:
    """The app for these inputs; `cwd` is where a new tree is suggested (default: here).

    `session` opens a saved session at its step, `preset` starts from a preset; either is
    opened once the app runs, so building the app reads and locks nothing.
    """
    state = WizardState(
        sessions_dir=Path(sessions_dir),
        preset_dirs=[Path(p) for p in preset_dirs],
        env=dict(env),
        cwd=Path(cwd) if cwd is not None else Path.cwd(),
    )
    return WizardApp(state, session=session, preset=preset)


def run_app(
    *, preset_dirs: Sequence[Path], sessions_dir: Path, env: Mapping[str, str], **kwargs: Any
) -> int:
    app = build_app(preset_dirs=preset_dirs, sessions_dir=sessions_dir, env=env, **kwargs)
    # Everything imported so far lives as long as the process: frozen, the garbage collector
    # stops walking it on every full collection (one fell on the first frame, ~25 ms).
    gc.freeze()
    # Paused until the first frame is on the terminal: the collections that fall while the
    # first screen mounts walk its new widgets and free next to nothing (~3 ms).
    gc.disable()
    app.when_drawn(gc.enable)
    try:
        result = app.run()
    except Exception as exc:
        if env.get(DEBUG_VARIABLE):
            raise
        print(f"carbon-wizard: internal error ({type(exc).__name__}: {exc})", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        gc.enable()  # the app may end before its first frame
        app.state.release()
        if app.farewell:
            # After a hang-up there is no terminal to print to.
            with contextlib.suppress(OSError):
                print(app.farewell, flush=True)
    if app.return_code:
        return EXIT_INTERNAL if app.return_code == 1 else app.return_code
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover - `carbon-wizard` is the way in
    from wizard import locations

    raise SystemExit(
        run_app(
            preset_dirs=locations.preset_dirs(),
            sessions_dir=locations.sessions_dir(),
            env=os.environ,
        )
    )
