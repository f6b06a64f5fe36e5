"""Step 6: the topology as a picture, the rule checks, and every file's diff."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import getters, work
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Select, Static

from screens import checks
from screens.app import WizardApp
from screens.base import AnswersChanged, StepPane, focus_now, guarded
from screens.checks import Preview, confirmation_items
from screens.state import WizardState
from screens.widgets.buttons import CompactButton
from screens.widgets.dialogs import AskDialog, ConfirmDialog
from screens.widgets.problemlist import ConfirmList, ProblemList
from screens.widgets.sideways import SidewaysBox
from wizard import collector
from wizard.labels import field_label
from wizard.problems import Problem
from wizard.steps import lookup

if TYPE_CHECKING:
    from pathlib import Path

    from wizard.model import Topology

EARLY_PICTURE = 1.0
"""Seconds the checks may take before the picture is shown without them: drawing it twice
costs more than the wait on an estate of a few hundred nodes."""


class PreviewPane(StepPane):
    step_id = "preview"
    app = getters.app(WizardApp)
    keys_help = (
        "Nothing is written yet. The findings list (if any) leads, with Enter, to the step "
        "that fixes each one. The picture and the diff: Tab to one (a bar at its left shows "
        "it), then Left and Right scroll it sideways, Home and End go to its lines' start "
        "and end. Choose a node, then one of its files, to see the file's diff against the "
        "stock file; passwords are shown as ********. Answers a preset marks as site-specific "
        "(hosts, users) are listed first, each named as its step's form names it: Enter goes "
        "to one to change it (Enter in its box keeps it), c confirms it, and Confirm all N "
        "confirms the N answers of the list, which scrolls. Nothing is written until each is "
        "confirmed or changed. Save as preset writes these answers as your own preset, "
        "without passwords."
    )

    DEFAULT_CSS = """
    PreviewPane .section { text-style: bold; margin-top: 1; }
    PreviewPane #confirm-list { max-height: 6; }
    PreviewPane #preview-actions { height: 1; margin-top: 1; }
    PreviewPane #preview-actions CompactButton { margin-right: 2; }
    /* The result takes two lines at 80 columns: kept from the start, so what is below
       does not move down a row when it replaces "Rendering the preview…". */
    PreviewPane #preview-status { min-height: 2; }
    """

    class Planned(Message):
        """The plan and its picture are known; the tree and its checks are not yet."""

        def __init__(self, result: Preview) -> None:
            super().__init__()
            self.result = result

    class Checked(Message):
        """The preview tree is rendered and checked."""

        def __init__(self, result: Preview) -> None:
            super().__init__()
            self.result = result

    def __init__(self, state: WizardState) -> None:
        super().__init__(state)
        self.result: Preview | None = None
        self.picture_shown = ""
        self.diff_files: dict[str, list[str]] = {}
        """Node id -> its files, as the file choice lists them."""
        self.shown: tuple[str, str] | None = None
        """(node id, path) of the diff on show."""
        self.planned: Preview | None = None

    # The status, the findings and the answers to confirm first: the picture, the notes and
    # the diffs are hidden until the checks are done, and mounted after the first frame; the
    # render starts after it too (a Python thread, it shares the interpreter lock with the
    # frame). Both, Next to Preview (10 nodes): in-process 66 -> 40 ms, tmux 147-158 ->
    # 119-134 ms.
    first_items = 5

    def body(self) -> Iterable[Widget]:
        # The containers are built with their children, not with `with` blocks: `body` is
        # read whole before Textual composes it, so a `with` block's children came out as
        # the pane's own and the containers empty (the buttons lost their row, and the
        # picture showed before there was one).
        yield Static("Rendering the preview…", id="preview-status", markup=False)
        yield ProblemList(id="findings")
        yield Static("", id="confirm-title", classes="section", markup=False)
        yield ConfirmList(id="confirm-list")
        yield Horizontal(
            CompactButton("Confirm all", id="confirm-all", compact=True),
            CompactButton("Save as preset…", id="save-preset", compact=True),
            id="preview-actions",
        )
        picture, diff = Static("", id="picture"), Static("", id="diff")
        for text in (picture, diff):
            # They scroll sideways; never wrapping also spares measuring every line's words.
            text.styles.text_wrap = "nowrap"
            text.styles.text_overflow = "clip"
        # Node, then file: one list of every node's files would be thousands long.
        node_choice = Select[str]([], prompt="choose a node", compact=True, id="diff-node")
        file_choice = Select[str]([], prompt="choose a file", compact=True, id="diff-file")
        node_choice.styles.width = "1fr"
        file_choice.styles.width = "2fr"
        choice = Horizontal(node_choice, file_choice, id="diff-choice")
        shown = Vertical(
            Static("Topology", classes="section"),
            SidewaysBox(picture, id="picture-box"),
            # Below the picture, so that at 80x24 the notes never push it off the screen.
            Static("Read before you start", id="notes-title", classes="section"),
            Static("", id="notes", markup=False),
            Static("Changes against the stock files", classes="section"),
            choice,
            SidewaysBox(diff, id="diff-box"),
            id="preview-shown",
        )
        # Styles of widgets known here, set here rather than in the pane's rules.
        for box in (shown, choice):
            box.styles.height = "auto"
        # Hidden until there is a picture: laid out empty, it is only drawn twice.
        shown.display = False
        yield shown

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#findings", ProblemList).display = False
        self.show_confirmations()
        # Rendered once the step is on the terminal (see first_items), after the hidden part
        # is mounted (the callbacks run in turn), so that the result finds it in place.
        self.after_first_frame(self.render_preview)

    def show_confirmations(self) -> None:
        items = confirmation_items(self.state)
        answers = self.state.answers
        self.query_one("#confirm-list", ConfirmList).show(
            [
                (f"{field_label(answers, i.path)} = {lookup(answers, i.path)!r}", i.step, i.path)
                for i in items
            ]
        )
        title = self.query_one("#confirm-title", Static)
        title.update(f"{len(items)} preset answer(s) to confirm (c) or change (Enter)")
        title.display = bool(items)
        # Every answer it confirms is in the list above (which scrolls), and counted here.
        button = self.query_one("#confirm-all", Button)
        button.label = f"Confirm all {len(items)}"
        button.display = bool(items)
        if self.result is not None:
            self.query_one("#preview-status", Static).update(self.status_text(self.result))

    def on_confirm_list_confirmed(self, event: ConfirmList.Confirmed) -> None:
        event.stop()
        self.confirm(event.paths)

    def confirm(self, paths: list[str]) -> None:
        confirm_list = self.query_one("#confirm-list", ConfirmList)
        was = confirm_list.highlighted or 0
        self.state.confirm(paths)
        self.show_confirmations()
        if confirm_list.display:
            confirm_list.highlighted = min(was, confirm_list.option_count - 1)
        else:
            self.focus_first()
        self.post_message(AnswersChanged())

    @guarded
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "confirm-all":
            event.stop()
            self.confirm(self.state.pending())
        elif event.button.id == "save-preset":
            event.stop()
            self.save_as_preset()

    def save_as_preset(self) -> None:
        from wizard import locations
        from wizard.fields import check_node_id

        plan = self.result.plan if self.result else None
        if plan is None:
            self.app.notify(
                "The answers are not complete yet; a preset is saved from a plan that the "
                "preview can show.",
                severity="warning",
            )
            return
        directory = locations.user_presets_dir(self.state.env)

        def named(name: str | None) -> None:
            if not name:
                return
            if (directory / f"{name}.toml").exists():
                self.app.push_screen(
                    ConfirmDialog(
                        f"A preset {name} exists already ({directory / name}.toml). Replace it?",
                        yes="Replace",
                        no="Keep it",
                    ),
                    lambda yes: self.write_preset(plan.topology, name, directory) if yes else None,
                )
                return
            self.write_preset(plan.topology, name, directory)

        self.app.push_screen(
            AskDialog(
                "Save these answers as your own preset, named (passwords are left out; "
                "hosts and users are marked to confirm):",
                str(plan.topology.name),
                check=check_node_id,
                ok="Save",
            ),
            named,
        )

    @guarded
    def write_preset(self, topology: Topology, name: str, directory: Path) -> None:
        from wizard import presets
        from wizard.problems import AnswersError

        try:
            path = presets.save_preset(topology, name, directory, force=True)
        except (AnswersError, OSError) as exc:
            self.app.notify(f"The preset was not saved: {exc}", severity="error", timeout=10)
            return
        self.app.notify(
            f"Saved preset {name} to {path} (no passwords; hosts and users to confirm)."
        )

    @work(thread=True, exclusive=True, exit_on_error=False)
    def render_preview(self) -> None:
        # Posted, not called from the thread: the checks go on while the main thread draws.
        try:
            # The checks make many short-lived objects; see `collector.paused`.
            with collector.paused():
                result = checks.planned(self.state)
                if result.plan is not None:
                    self.post_message(self.Planned(result))
                    result = checks.check(result, self.state.answers)
        except Exception as exc:
            self.app.call_from_thread(self.app.report_error, exc)
            result = Preview()
        self.post_message(self.Checked(result))

    def on_preview_pane_planned(self, event: Planned) -> None:
        event.stop()
        self.planned = event.result
        self.set_timer(EARLY_PICTURE, self.show_planned)

    def show_planned(self) -> None:
        """The picture while the checks still run."""
        if self.result is None and self.planned is not None:
            self.show_picture(self.planned.picture)
            status = self.query_one("#preview-status", Static)
            status.update("Rendering the files and running the rule checks…")

    def on_preview_pane_checked(self, event: Checked) -> None:
        event.stop()
        self.show_result(event.result)

    def show_picture(self, picture: str) -> None:
        self.query_one("#preview-shown").display = True
        if picture != self.picture_shown:
            self.picture_shown = picture
            self.query_one("#picture", Static).update(Text(picture or "(no picture yet)"))

    def show_result(self, result: Preview) -> None:
        self.result = result
        self.query_one("#preview-status", Static).update(self.status_text(result))
        self.query_one("#findings", ProblemList).show(
            [(i.text, i.step, i.path) for i in result.problems]
        )
        self.show_picture(result.picture)
        notes = result.plan.notes if result.plan is not None else ()
        for widget in ("#notes-title", "#notes"):
            self.query_one(widget).display = bool(notes)
        self.query_one("#notes", Static).update("\n".join(f"• {n}" for n in notes))
        self.diff_files = result.review.files if result.review is not None else {}
        nodes = self.query_one("#diff-node", Select)
        nodes.set_options([(node_id, node_id) for node_id in self.diff_files])
        nodes.styles.width = min(max(map(len, self.diff_files), default=0) + 6, 30)
        if result.problems:
            focus_now(self.query_one("#findings", ProblemList))
        elif self.screen.focused is None:
            # The picture was hidden when the step was shown.
            self.focus_first()
        if self.step_id in self.state.attempted:
            # Next was refused while rendering: the note counts the findings instead. The
            # sidebar's states do not depend on them, so it is not redrawn otherwise.
            self.post_message(AnswersChanged())
        if self.diff_files:
            # The first diff once the findings are on screen: they are what is read first.
            self.call_after_refresh(self.choose_diff, next(iter(self.diff_files)))

    def choose_diff(self, node_id: str, path: str = "") -> None:
        """Show `node_id`'s file `path` (its first file when it has no such file)."""
        files = self.diff_files.get(node_id, [])
        self.query_one("#diff-node", Select).value = node_id
        chooser = self.query_one("#diff-file", Select)
        chooser.set_options([(f, str(i)) for i, f in enumerate(files)])
        if files:
            chooser.value = str(files.index(path) if path in files else 0)
            self.show_diff(node_id, files[int(str(chooser.value))])

    def show_diff(self, node_id: str, path: str) -> None:
        if self.result is None or self.result.review is None or self.shown == (node_id, path):
            return
        self.shown = (node_id, path)
        diff = self.result.review.diff(node_id, path)
        self.query_one("#diff", Static).update(coloured_diff(diff.diff, path))

    def status_text(self, result: Preview) -> str:
        if result.plan is None:
            return "The answers are not complete yet; Enter on one goes to its step."
        if result.problems:
            return (
                f"The rule checks found {len(result.problems)} problem(s); Enter on one goes "
                "to its step."
            )
        plan = result.plan
        text = f"Rule checks: no findings. {len(plan.nodes)} node(s), {len(plan.databases)} "
        text += "database(s)."
        if plan.notes:
            text += f" {len(plan.notes)} note(s) to read below the picture."
        return text

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id not in ("diff-node", "diff-file"):
            return
        event.stop()
        node = self.query_one("#diff-node", Select).value
        if event.value is Select.NULL or node is Select.NULL:
            return
        files = self.diff_files.get(str(node), [])
        if event.select.id == "diff-node":
            if self.shown is None or self.shown[0] != node:
                # Another node: the same file, so that nodes can be compared file by file.
                self.choose_diff(str(node), self.shown[1] if self.shown else "")
        elif int(str(event.value)) < len(files):
            self.show_diff(str(node), files[int(str(event.value))])

    def problems(self) -> list[Problem]:
        if self.result is None:
            return [Problem("", "the preview is still being rendered")]
        found = [Problem(i.path, i.text) for i in self.result.problems]
        return found + [Problem(i.path, i.text) for i in confirmation_items(self.state)]

    def refresh_problems(self) -> None:
        """The findings list is this step's problem display."""

    def focus_problem(self, problem: Problem) -> None:
        for list_id in ("#findings", "#confirm-list"):
            found = self.query_one(list_id, ProblemList)
            if found.display:
                focus_now(found)
                return

    def focus_first(self) -> None:
        confirm_list = self.query_one("#confirm-list", ConfirmList)
        if confirm_list.display:
            focus_now(confirm_list)
        elif any(shown.display for shown in self.query("#preview-shown")):
            # The picture, right under the result line: both on screen at 80x24. The node
            # choice below it put the focus off screen, or scrolled the result away.
            self.screen.set_focus(self.query_one("#picture-box"), scroll_visible=False)
            self.scroll_home(animate=False)


_DIFF_STYLES = (("+++", "bold"), ("---", "bold"), ("@@", "cyan"), ("+", "green"), ("-", "red"))


def coloured_diff(diff: str, path: str) -> Text:
    """A unified diff, a colour per kind of line: a plain colouring, not a lexer, keeps a
    long diff cheap to draw."""
    if not diff:
        return Text(f"(no changes: {path} is the stock file)\n")
    text = Text(no_wrap=True)
    for line in diff.splitlines(keepends=True):
        style = next((s for mark, s in _DIFF_STYLES if line.startswith(mark)), "")
        text.append(line, style)
    return text
