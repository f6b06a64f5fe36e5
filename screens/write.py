"""Step 7: where to write the tree; confirm a replacement; progress; what to do next; then,
when the tree has ansible/, its push (screens/push.py)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import getters, work
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Button, Input, Markdown, ProgressBar, Static

from screens.app import WizardApp
from screens.base import AnswersChanged, StepPane, focus_now, guarded
from screens.checks import Item, build_plan, confirmation_items, problem_item
from screens.push import PushPanel
from screens.state import WizardState
from screens.widgets.bound import OrderedInput
from screens.widgets.buttons import CompactButton
from screens.widgets.dialogs import ConfirmDialog
from screens.widgets.field import Field
from screens.widgets.paths import PathSuggester
from screens.widgets.problemlist import ProblemList
from wizard import workflow
from wizard.labels import field_label
from wizard.plaintext import fold_fences
from wizard.problems import Problem
from wizard.steps import lookup

if TYPE_CHECKING:
    from wizard.output import WriteResult
    from wizard.tree import Tree


class ResultBox(Vertical):
    """What writing did and the next steps; focused once written, so that an operator
    reading at 80x24 sees where the keys are (it is reversed) and scrolls on with them."""

    DEFAULT_CSS = """
    ResultBox { height: auto; }
    ResultBox:focus > #write-status { text-style: reverse; }
    """


class WritePane(StepPane):
    step_id = "write"
    app = getters.app(WizardApp)
    keys_help = (
        "The tree is written into a hidden folder beside the directory, checked against the "
        "WSO2 rules, and then moved into place; a non-empty directory is replaced only when "
        "you confirm, and its old contents are kept beside it. Passwords whose environment "
        "variable is not set are asked for here and used for this run only."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop_push", "Stop the push", show=False),
    ]

    DEFAULT_CSS = """
    WritePane #progress { margin: 1 0; }
    WritePane #summary { height: auto; }
    /* Textual sizes a level-3 heading to its text, cut at the edge at 80 columns. */
    WritePane #summary MarkdownHeader { width: 1fr; }
    /* A code block neither wraps nor scrolls with the keys: its commands are folded to
       the width (folded_steps, a path broken where the shell joins it); wrapping is left
       on so that nothing is ever cut at the edge. */
    WritePane #summary MarkdownFence > Label { width: 1fr; text-wrap: wrap; }
    WritePane #write { margin: 1 0; }
    WritePane #out { width: 1fr; }
    WritePane .pw-box { height: auto; }
    WritePane .pw-title { text-style: bold; }
    """

    def __init__(self, state: WizardState) -> None:
        super().__init__(state)
        self.writing = False
        self.commands: list[str] = []
        """The push command lines of the plan being written (ansible.push_commands)."""
        self.merged: tuple[str, ...] = ()
        """Its product clusters patched from the kernel baseline (merged by hand)."""
        self.products = 0
        self.unset: dict[str, workflow.UnsetPassword] = {}
        """The password variables asked for here, by name."""
        self.steps_text = ""
        """The next steps of the tree written (Markdown), folded to the width on show."""
        self.steps_width = 0

    def body(self) -> Iterable[Widget]:
        plan, problems = build_plan(self.state)
        yield ProblemList(id="write-problems")
        name = str(self.state.answers.get("name") or "tree")
        default = self.state.out_dir or str(self.state.cwd / name)
        yield Field(
            "Directory",
            OrderedInput(default, suggester=PathSuggester(dirs_only=True), compact=True, id="out"),
            paths=["out"],
            hint="Right arrow accepts a completion.",
        )
        # One box per variable, however many databases share it. What it is for is said
        # over the box, across the step, where it wraps at word ends (the 20-column label
        # beside a box broke "Business Process Server · BPS_DS"); its variable in the hint.
        self.unset = {u.variable: u for u in workflow.unset_passwords(plan)} if plan else {}
        for unset in self.unset.values():
            typed = self.state.env.get(unset.variable, "")
            box = OrderedInput(
                typed,
                password=True,
                compact=True,
                placeholder="the password, for this run only",
                id=f"pw-{unset.variable}",
                classes="run-password",
            )
            title = Static(unset.title(self.state.answers), classes="pw-title", markup=False)
            yield Field(
                "",
                Vertical(title, box, classes="pw-box"),
                paths=[f"env.{unset.variable}"],
                hint=password_hint(unset, bool(typed)),
            )
        yield CompactButton("Write the tree", id="write", compact=True)
        yield ProgressBar(total=1, show_eta=False, id="progress")
        yield ResultBox(
            Static("", id="write-status", markup=False), Markdown("", id="summary"), id="result"
        )
        self.initial = [(f"{i.text}", i.step, i.path) for i in problems + self.unconfirmed()]

    def on_mount(self) -> None:
        # No super().on_mount(): Textual runs StepPane's as well, which checks the answers.
        self.query_one("#write-problems", ProblemList).show(self.initial)
        self.query_one("#progress", ProgressBar).display = False
        self.query_one("#summary", Markdown).display = False
        self.query_one("#write-status", Static).update(self.refusal())

    def unconfirmed(self) -> list[Item]:
        """Site-specific answers from the preset not confirmed yet; each leads to the
        preview, where it is confirmed or its field reached."""
        return [
            Item(
                f"not confirmed: {field_label(self.state.answers, i.path)} = "
                f"{lookup(self.state.answers, i.path)!r}",
                "preview",
                i.path,
            )
            for i in confirmation_items(self.state)
        ]

    def refusal(self) -> str:
        pending = len(self.state.pending())
        if not pending:
            return ""
        return (
            f"Not written: {pending} answer(s) from the preset are not confirmed; confirm or "
            "change each in the Preview (Enter on one above goes there)."
        )

    def refresh_problems(self) -> None:
        """Problems are shown in the list and at the directory field."""

    def focus_first(self) -> None:
        problems = self.query_one("#write-problems", ProblemList)
        focus_now(problems if problems.display else self.query_one("#out", Input))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.input.id == "out":
            self.state.out_dir = event.value
            self.query_one("#out-field", Field).show([]) if self.query("#out-field") else None
        elif event.input.id and event.input.id.startswith("pw-"):
            variable = event.input.id.removeprefix("pw-")
            if event.value:
                self.state.env[variable] = event.value
            else:
                self.state.env.pop(variable, None)
            unset = self.unset.get(variable)
            if unset is not None:
                hint = event.input.query_ancestor(Field).query_one(".field-hint", Static)
                hint.update(password_hint(unset, bool(event.value)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.start_write()

    @guarded
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "write":
            event.stop()
            self.start_write()

    def problems(self) -> list[Problem]:
        found = self.state.problems("write")
        return found + [Problem(i.path, i.text) for i in self.unconfirmed()]

    def focus_problem(self, problem: Problem) -> None:
        items = build_plan(self.state)[1] + self.unconfirmed()
        self.query_one("#write-problems", ProblemList).show(
            [(i.text, i.step, i.path) for i in items]
        )
        self.query_one("#write-status", Static).update(self.refusal())
        self.focus_first()

    def action_stop_push(self) -> None:
        for panel in self.query(PushPanel):
            panel.stop()

    async def leave(self) -> bool:
        if any(panel.running for panel in self.query(PushPanel)):
            self.app.notify("ansible-playbook is running; Esc stops it.", severity="warning")
            return False
        if self.state.written and not self.state.changed_since_write:
            self.app.quit_now()
            return False
        self.start_write()
        return False

    # ---- writing ------------------------------------------------------------------------

    def directory_field(self) -> Field:
        return next(f for f in self.query(Field) if "out" in f.paths)

    def start_write(self) -> None:
        if self.writing or any(panel.running for panel in self.query(PushPanel)):
            return
        from wizard import tree
        from wizard.problems import AnswersError

        text = self.query_one("#out", Input).value.strip()
        field = self.directory_field()
        if not text:
            field.show(["give the directory to write the tree to"])
            focus_now(self.query_one("#out", Input))
            return
        out = Path(os.path.expanduser(text))
        if not out.is_absolute():
            out = self.state.cwd / out
        if out.exists() and not out.is_dir():
            field.show([f"{out} exists and is not a directory; choose another"])
            focus_now(self.query_one("#out", Input))
            return
        field.show([])
        plan, problems = build_plan(self.state)
        problems += self.unconfirmed()
        self.query_one("#write-status", Static).update(self.refusal())
        if plan is None or problems:
            self.show_items([(i.text, i.step, i.path) for i in problems])
            return
        try:
            built = tree.build(plan)
        except AnswersError as exc:
            self.show_items([self.item_for(p) for p in exc.problems])
            return
        self.show_items([])
        from wizard.render import ansible

        self.commands = ansible.push_commands(plan) if ansible.paths(plan) else []
        self.merged = built.baseline
        self.products = len(plan.topology.products)
        try:
            non_empty = out.is_dir() and any(out.iterdir())
        except OSError as exc:
            field.show([f"{out} cannot be read: {exc.strerror}"])
            return
        if not non_empty:
            self.write(built, out, False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.write(built, out, True)

        self.app.push_screen(
            ConfirmDialog(
                f"{out} is not empty. Replace it? Its contents are kept as a backup beside it.",
                yes="Replace",
                no="Keep it",
            ),
            answered,
        )

    def item_for(self, problem: Problem) -> tuple[str, str, str]:
        """A problem writing found, as the list shows it. A password whose variable is not
        set leads to its box on this step: the advice for `generate` ("export it and run
        again") would send the operator away from the box made for it."""
        database = problem.path.removesuffix(".password_env")
        for unset in self.unset.values():
            if database in unset.databases:
                text = (
                    f"{unset.title(self.state.answers)}: ${unset.variable} is not set; type "
                    "the password in its box below (used for this run only)"
                )
                return text, "write", f"env.{unset.variable}"
        item = problem_item(self.state.answers, problem)
        return item.text, item.step, item.path

    def on_problem_list_chosen(self, event: ProblemList.Chosen) -> None:
        if event.step_id == "write":  # a password box of this step
            event.stop()
            self.focus_path(event.path)

    def show_items(self, items: list[tuple[str, str, str]]) -> None:
        problems = self.query_one("#write-problems", ProblemList)
        problems.show(items)
        if items:
            focus_now(problems)

    def write(self, built: Tree, out: Path, force: bool) -> None:
        self.writing = True
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(total=max(1, len(built.files)), progress=0)
        self.query_one("#write-status", Static).update(f"Writing to {out} …")
        self.run_write(built, out, force)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def run_write(self, built: Tree, out: Path, force: bool) -> None:
        from wizard import tree
        from wizard.output import OutputError, write_tree

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(
                self.query_one("#progress", ProgressBar).update, progress=done
            )

        try:
            result = write_tree(built, out, force=force, progress=progress)
        except OutputError as exc:
            self.app.call_from_thread(self.failed, str(exc))
            return
        except Exception as exc:
            self.app.call_from_thread(self.failed, f"internal error ({type(exc).__name__}: {exc})")
            return
        try:
            steps_text = tree.next_steps(built)
        except Exception:  # the README in the tree holds the same steps
            steps_text = f"Read {result.path / 'README.md'}."
        self.app.call_from_thread(self.done, result, steps_text)

    def folded_steps(self) -> str:
        """The next steps with each command folded to the width of its block: a block does
        not wrap, and its commands were cut at the right edge at 80 columns."""
        summary = self.query_one("#summary", Markdown)
        # Before its first layout the summary has no width: the pane's, less the insets
        # (refolded once laid out).
        self.steps_width = summary.content_region.width or self.content_region.width - 6
        return fold_fences(self.steps_text, self.steps_width - 4)  # a block's text: 2 + 2 in

    def refold(self) -> None:
        summary = self.query_one("#summary", Markdown)
        width = summary.content_region.width
        if self.steps_text and summary.display and width and width != self.steps_width:
            summary.update(self.folded_steps())

    def on_resize(self) -> None:
        self.refold()

    def failed(self, message: str) -> None:
        self.writing = False
        self.query_one("#progress", ProgressBar).display = False
        self.query_one("#write-status", Static).update("")
        self.directory_field().show([message])

    def done(self, result: WriteResult, steps_text: str) -> None:
        self.writing = False
        self.state.mark_written(result.path)
        lines = [
            f"Wrote {result.files} files to {result.path}.",
            # A rectangle copied off the screen takes the margins into a broken path.
            "The next steps below are its README.md: copy commands from that file.",
        ]
        if result.backup:
            lines.append(f"The previous contents are kept in {result.backup}.")
        lines += [f"note: {note}" for note in result.swept]
        self.query_one("#write-status", Static).update("\n".join(lines))
        self.steps_text = steps_text
        summary = self.query_one("#summary", Markdown)
        summary.display = True
        summary.update(self.folded_steps())
        self.call_after_refresh(self.refold)
        self.call_later(self.offer_push, result.path)
        self.app.save_session()
        self.post_message(AnswersChanged())
        # The result has the focus, on screen from its first line however far down the step
        # it is: the keys read on from there (Down, PageDown), and Tab goes on to the push.
        box = self.query_one("#result", ResultBox)
        box.can_focus = True
        focus_now(box)
        self.call_after_refresh(box.scroll_visible, top=True, animate=False)

    async def offer_push(self, tree_path: Path) -> None:
        """The push of the tree just written, when it has ansible/ (the button shows only
        after a write). A tree written again is pushed afresh: the last dry run no longer
        holds."""
        from wizard.render.ansible import PUSH

        await self.query(PushPanel).remove()
        if self.commands and (tree_path / PUSH).is_file():
            # After the result and its next steps: the hand-off is read first.
            from wizard.render.ansible import baseline_note

            panel = PushPanel(
                tree_path,
                self.commands,
                baseline_note(self.merged, self.products),
                dry_run_only=len(self.merged) == self.products,
            )
            await self.mount(panel, after="#result")


def password_hint(unset: workflow.UnsetPassword, typed: bool) -> str:
    """What the box under a password variable is for, before and after it is typed."""
    if typed:
        return f"${unset.variable}: typed for this run only (never saved), for {unset.who}."
    return f"${unset.variable} is not set ({unset.who}); typed here, it is used for this run only."
