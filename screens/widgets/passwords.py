"""Asked on resume: the passwords a session did not keep, typed or read from a variable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from screens.widgets.bound import OrderedInput
from screens.widgets.buttons import CompactButton
from wizard.answers import password_env_name
from wizard.fields import check_env_name, check_password
from wizard.labels import SEPARATOR, field_label
from wizard.steps import lookup

Given = dict[str, dict[str, str]]
"""Per database path: {"password": ...} or {"password_env": ...}."""


class PasswordsDialog(ModalScreen[Given | None]):
    DEFAULT_CSS = """
    PasswordsDialog { align: center middle; }
    PasswordsDialog > Vertical {
        width: 90; max-width: 98%; height: auto; max-height: 95%;
        border: heavy $accent; padding: 0 1; background: $panel;
    }
    PasswordsDialog VerticalScroll { height: auto; max-height: 16; }
    PasswordsDialog .pw-row { height: auto; margin-top: 1; }
    PasswordsDialog .pw-row Horizontal { height: 1; }
    PasswordsDialog .pw-row Input { width: 1fr; margin-right: 1; }
    PasswordsDialog .pw-message { color: $text-error; }
    PasswordsDialog #pw-buttons { height: 1; margin-top: 1; }
    PasswordsDialog CompactButton { margin-right: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "later", "Later")]

    def __init__(self, state: Any, missing: Sequence[str]) -> None:
        super().__init__()
        self.answers = state.answers
        # `missing` names passwords (`database.registry.password`); rows are per database.
        self.specs = [path.rsplit(".", 1)[0] for path in missing]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                "This session did not keep its passwords. Type each one, or name the "
                "environment variable that will hold it when the tree is written. Empty: "
                "ask at the Database step instead.",
                markup=False,
            )
            with VerticalScroll():
                for n, spec_path in enumerate(self.specs):
                    spec = lookup(self.answers, spec_path)
                    spec = spec if isinstance(spec, dict) else {}
                    who = f"{spec.get('user', '?')} on {spec.get('name', '?')}"
                    # Named as the Database step's card is, not by the answers' path.
                    card = field_label(self.answers, f"{spec_path}.password")
                    card = card.removesuffix(f"{SEPARATOR}Password")
                    suggested = password_env_name(spec_path, self.answers)
                    with Vertical(classes="pw-row"):
                        yield Static(f"{card}: the password of {who}", markup=False)
                        with Horizontal():
                            yield OrderedInput(
                                password=True,
                                placeholder="password",
                                compact=True,
                                id=f"pw-{n}",
                            )
                            yield OrderedInput(
                                placeholder=f"or a variable: {suggested}",
                                compact=True,
                                id=f"env-{n}",
                            )
                        yield Static("", classes="pw-message", id=f"msg-{n}", markup=False)
            with Horizontal(id="pw-buttons"):
                yield CompactButton("Use these", id="use", compact=True)
                yield CompactButton("Later (Esc)", id="later", compact=True)

    def on_mount(self) -> None:
        if self.specs:
            self.query_one("#pw-0", Input).focus()

    def collect(self) -> Given | None:
        """The answers given; None (and the reason shown at the row) when one is wrong."""
        given: Given = {}
        wrong = False
        for n, spec_path in enumerate(self.specs):
            typed = self.query_one(f"#pw-{n}", Input).value
            variable = self.query_one(f"#env-{n}", Input).value.strip()
            message = ""
            try:
                if typed:
                    given[spec_path] = {"password": check_password(typed)}
                elif variable:
                    given[spec_path] = {"password_env": check_env_name(variable)}
            except ValueError as exc:
                what = "the password" if typed else "the variable"
                message = f"✗ {what} {exc}"
                wrong = True
            self.query_one(f"#msg-{n}", Static).update(message)
        return None if wrong else given

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "later":
            self.dismiss(None)
            return
        given = self.collect()
        if given is not None:
            self.dismiss(given)

    def action_later(self) -> None:
        self.dismiss(None)
