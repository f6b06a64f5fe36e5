"""Step 6: the topology as a picture, the rule checks, and every file's diff."""

from __future__ import annotations

from collections.abc import Iterable

from rich.syntax import Syntax
from rich.text import Text
from textual import work
from textual.containers import ScrollableContainer
from textual.widget import Widget
from textual.widgets import Label, Select, Static

from screens.base import AnswersChanged, StepPane
from screens.checks import Preview, preview
from screens.widgets.problemlist import ProblemList
from wizard.problems import Problem


class PreviewPane(StepPane):
    step_id = "preview"
    keys_help = (
        "Nothing is written yet. The findings list (if any) leads, with Enter, to the step "
        "that fixes each one. The picture and the diffs scroll sideways with the arrow keys "
        "once focused. Choose a node's file in the list to see its diff against the stock "
        "file; passwords are shown as ********."
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.result: Preview | None = None

    def body(self) -> Iterable[Widget]:
        yield Static("Rendering the preview…", id="preview-status", markup=False)
        yield ProblemList(id="findings")
        yield Label("Topology", classes="section")
        yield ScrollableContainer(Static("", id="picture"), id="picture-box", classes="wide")
        yield Label("Changes against the stock files", classes="section")
        yield Select([], prompt="choose a node's file", compact=True, id="diff-file")
        yield ScrollableContainer(Static("", id="diff"), id="diff-box", classes="wide")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#findings", ProblemList).display = False
        self.render_preview()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def render_preview(self) -> None:
        try:
            result = preview(self.state)
        except Exception as exc:
            self.app.call_from_thread(self.app.report_error, exc)  # type: ignore[attr-defined]
            result = Preview()
        self.app.call_from_thread(self.show_result, result)

    def show_result(self, result: Preview) -> None:
        self.result = result
        status = self.query_one("#preview-status", Static)
        if result.plan is None:
            status.update("The answers are not complete yet; Enter on one goes to its step.")
        elif result.problems:
            status.update(
                f"The rule checks found {len(result.problems)} problem(s); Enter on one goes "
                "to its step."
            )
        else:
            plan = result.plan
            status.update(
                f"Rule checks: no findings. {len(plan.nodes)} node(s), "
                f"{len(plan.databases)} database(s)." + "".join(f"\nnote: {n}" for n in plan.notes)
            )
        self.query_one("#findings", ProblemList).show(
            [(i.text, i.step, i.path) for i in result.problems]
        )
        self.query_one("#picture", Static).update(Text(result.picture or "(no picture yet)"))
        select = self.query_one("#diff-file", Select)
        options = [(f"{d.node} · {d.path}", str(i)) for i, d in enumerate(result.diffs)]
        select.set_options(options)
        if options:
            select.value = "0"
        if result.problems:
            self.query_one("#findings", ProblemList).focus()
        self.post_message(AnswersChanged())

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "diff-file":
            return
        event.stop()
        if self.result is None or event.value is Select.NULL:
            return
        diff = self.result.diffs[int(str(event.value))]
        text = diff.diff or f"(no changes: {diff.path} is the stock file)\n"
        self.query_one("#diff", Static).update(
            Syntax(text, "diff", theme="ansi_dark", background_color="default", word_wrap=False)
        )

    def problems(self) -> list[Problem]:
        if self.result is None:
            return [Problem("", "the preview is still being rendered")]
        return [Problem(i.path, i.text) for i in self.result.problems]

    def refresh_problems(self) -> None:
        """The findings list is this step's problem display."""

    def focus_problem(self, problem: Problem) -> None:
        findings = self.query_one("#findings", ProblemList)
        if findings.display:
            findings.focus()

    def focus_first(self) -> None:
        self.query_one("#diff-file", Select).focus()
