"""Step 1: a new plan, a preset, or a saved session; the plan's name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual import getters
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Checkbox, OptionList, Static
from textual.widgets.option_list import Option

from screens.app import WizardApp
from screens.base import GoTo, StepPane, guarded
from screens.widgets.bound import BoundInput
from screens.widgets.compact import made_compact
from screens.widgets.field import Field
from screens.widgets.toggles import Tick
from wizard import presets, sessions
from wizard.questions import KEEP_PASSWORDS, PLAN_NAME


class StartPane(StepPane):
    step_id = "start"
    app = getters.app(WizardApp)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete", "delete_session", "Delete session", show=False)
    ]
    keys_help = (
        "Choose how to start with the arrow keys and Enter: a new plan, a preset (its "
        "site-specific answers, hosts and credentials, are yours to check), or a saved "
        "session (it opens at the step where you left it; Delete on one removes it, after "
        "asking). Then name the plan."
    )

    def body(self) -> Iterable[Widget]:
        listed = sessions.list_sessions(self.state.sessions_dir)
        current = self.state.session.id if self.state.session else None
        options: list[Option | None] = [Option("New plan", id="new")]
        if getattr(self.app, "drawn", True):
            found = presets.list_presets(self.state.preset_dirs)
        else:
            # The first screen: the presets are parsed, and any that cannot be used marked,
            # once it is drawn (tomllib and the files, ~10 ms before the first frame).
            found = presets.list_presets_unchecked(self.state.preset_dirs)
            self.app.when_drawn(lambda: self.call_later(self.check_presets, found))
        # Saved sessions come before the presets: an operator who has some most likely
        # wants one, and the box shows only the first few rows.
        entries = [e for e in listed.entries if e.id != current]
        if entries:
            options.append(None)
        for e in entries:
            when = e.updated[:16].replace("T", " ")
            tree = {"written": " · tree written", "changed": " · changed since written"}
            text = f"Resume {e.name} · {e.products} · at {e.step}{tree.get(e.written, '')} · {when}"
            options.append(Option(text, id=f"session:{e.id}"))
        if found:
            options.append(None)
        options += [preset_option(info) for info in found]
        heading = "How to start (newest sessions first"
        heading += "; Delete removes one):" if entries else "):"
        yield Static(heading, markup=False)
        origins = made_compact(OptionList(*options, id="origin"))
        yield origins
        yield Static(self.origin_text(), id="origin-note", markup=False)
        for item in listed.damaged:
            yield Static(
                f"note: a damaged session file was moved aside: {item.path}: {item.reason}",
                markup=False,
                classes="damaged",
            )
        yield Field(
            PLAN_NAME.label,
            BoundInput("name", self.state.answers.get("name"), placeholder=PLAN_NAME.example),
            paths=["name"],
            hint=PLAN_NAME.hint,
        )
        yield Field(
            "Description",
            BoundInput("description", self.state.answers.get("description"), kind="optional"),
            paths=["description", "schema_version"],
        )
        yield made_compact(
            Tick(
                KEEP_PASSWORDS.label,
                self.state.keep_passwords,
                id="keep-passwords",
            )
        )

    def on_mount(self) -> None:
        # No super().on_mount(): Textual calls StepPane.on_mount as well (every class's
        # handler runs), and calling it here checked the answers twice.
        origins = self.query_one("#origin", OptionList)
        for index in range(origins.option_count):
            if origins.get_option_at_index(index).id == self.state.origin:
                origins.highlighted = index

    def check_presets(self, shown: list[presets.PresetInfo]) -> None:
        """Mark what parsing the presets finds that their listing unparsed did not."""
        origins = self.query_one("#origin", OptionList)
        checked = {info.name: info for info in presets.list_presets(self.state.preset_dirs)}
        for before in shown:
            info = checked.get(before.name)
            if info is None or info == before:  # gone meanwhile: choosing it says so
                continue
            option = preset_option(info)
            origins.replace_option_prompt(f"preset:{info.name}", option.prompt)
            if option.disabled:
                origins.disable_option(f"preset:{info.name}")
            else:
                origins.enable_option(f"preset:{info.name}")

    def refresh_problems(self) -> None:
        if getattr(self.app, "drawn", True):
            super().refresh_problems()
            return
        # The first check loads the model (pydantic, ~150 ms) and this is the first screen:
        # StepPane.on_mount's check waits until it is on the terminal, then runs through
        # this pane's queue, so a pane removed meanwhile (a preset chosen) never runs it.
        check = super().refresh_problems
        self.app.when_drawn(lambda: self.call_later(check))

    def origin_text(self) -> str:
        if self.state.note:
            note, self.state.note = self.state.note, ""
            return note
        origin = self.state.origin
        if origin.startswith("preset:"):
            return f"Starting from preset {origin.removeprefix('preset:')}."
        if origin.startswith("session:") and self.state.session is not None:
            # Said whole: with "New plan" highlighted in the list above, "Resumed session"
            # alone left it unclear what Next would go on with.
            return (
                f"Editing session '{self.state.session.name}' (resumed): Next goes on with it; "
                "choose New plan or a preset above to start another."
            )
        return "Starting a new plan."

    @guarded
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        choice = event.option.id or "new"
        question = self.leaving_question(choice)
        if choice == self.state.origin and not question:
            # Nothing to start over from (a new plan with nothing typed): the form stays
            # as it is, the focus on the list, and the note says where the plan comes from.
            self.query_one("#origin-note", Static).update(self.origin_text())
            return
        # The origin chosen again, with answers, starts it again too (the preset's answers
        # as shipped), asking first as any other choice does: Enter on it did nothing.
        if not question:
            self.start_from(choice)
            return
        from screens.widgets.dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.start_from(choice)

        yes = {"new": "New plan", "preset": "Load preset", "session": "Open it"}
        self.app.push_screen(
            ConfirmDialog(question, yes=yes[choice.split(":")[0]], no="Keep editing"), answered
        )

    def leaving_question(self, choice: str) -> str:
        """What choosing a new plan, a preset or another session does to the plan being
        edited, when there is one; empty when nothing has been typed yet."""
        if not {k for k in self.state.answers if k != "schema_version"}:
            return ""
        if choice.startswith("session:"):
            starting = f"saved session {choice.removeprefix('session:')}"
        elif choice.startswith("preset:"):
            starting = f"preset {choice.removeprefix('preset:')}"
        else:
            starting = "a new plan"
        if self.state.session is not None:
            kept = (
                f"'{self.state.session.name}' stays saved in its session; choose it "
                "under Resume here to go back to it."
            )
        else:
            kept = (
                "The answers typed so far are not saved yet (a plan is saved from its first "
                "Next) and would be lost."
            )
        verb = "Open" if choice.startswith("session:") else "Start from"
        return f"{verb} {starting}? {kept}"

    @guarded
    def start_from(self, choice: str) -> None:
        """Leave the plan being edited (its session kept) for a new plan, a preset or a
        saved session."""
        if choice.startswith("session:"):
            self.app.call_later(self.app.resume, choice.removeprefix("session:"))
            return
        problem = self.app.leave_session()
        if problem:
            self.query_one("#origin-note", Static).update(f"✗ {problem}")
            return
        if choice.startswith("preset:"):
            problem = self.state.start_from_preset(choice.removeprefix("preset:"))
            if problem:  # keep the answers there are, and say why
                self.query_one("#origin-note", Static).update(f"✗ {problem}")
                return
        else:
            self.state.load({"schema_version": 1}, "new")
        # Showing the step again fills every field from the new answers.
        self.post_message(GoTo("start", "name"))

    def action_delete_session(self) -> None:
        origins = self.query_one("#origin", OptionList)
        if not origins.has_focus or origins.highlighted is None:
            return
        option = origins.get_option_at_index(origins.highlighted)
        if not (option.id or "").startswith("session:"):
            return
        session_id = (option.id or "").removeprefix("session:")
        from screens.widgets.dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(session_id)

        self.app.push_screen(
            ConfirmDialog(
                f"Delete session {session_id}? Its answers are lost for good.",
                yes="Delete",
                no="Keep it",
            ),
            answered,
        )

    def delete(self, session_id: str) -> None:
        try:
            sessions.delete(session_id, dir=self.state.sessions_dir)
        except sessions.SessionError as exc:
            self.state.note = f"✗ {exc}"
        else:
            self.state.note = f"Deleted session {session_id}."
        self.post_message(GoTo("start"))

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "keep-passwords":
            event.stop()
            self.state.keep_passwords = event.value
            self.app.autosave_soon()


def preset_option(info: presets.PresetInfo) -> Option:
    if info.problem:
        text = f"Preset {info.name} (cannot be used: {info.problem})"
        return Option(text, id=f"preset:{info.name}", disabled=True)
    return Option(f"Preset {info.name} — {info.description}", id=f"preset:{info.name}")
