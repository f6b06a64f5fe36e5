"""A secret asked as the Database step asks a password: typed here (masked), or the name of
an environment variable read when the tree is written.

Each database card on the Database step holds one, and so does the LDAP bind password on the
Products step.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Select

from screens.base import StepPane
from screens.widgets.bound import BoundInput
from wizard import answers

MODES = [("typed here", "typed"), ("from a variable", "env")]


class SecretBox(Vertical):
    """`password` or `password_env` of the table at `path`; the other one is put aside in
    the state's stash while unused, so switching back and forth loses nothing typed."""

    DEFAULT_CSS = """
    SecretBox { height: auto; width: 1fr; }
    SecretBox Select { width: 20; }
    SecretBox .env { display: none; }
    SecretBox.-env .env { display: block; }
    SecretBox.-env .secret { display: none; }
    """

    def __init__(
        self,
        path: str,
        table: dict[str, Any],
        *,
        placeholder: str = "the password",
        env_placeholder: str | None = None,
        reveal: bool = False,
    ) -> None:
        self.path = path
        self.table = table
        mode = "env" if "password_env" in table else "typed"
        # Given to the constructor: a class set afterwards asks for a restyle.
        super().__init__(classes="secret-box -env" if mode == "env" else "secret-box")
        self.placeholder = placeholder
        self.env_placeholder = env_placeholder or (
            f"variable name, e.g. {answers.password_env_name(path)}"
        )
        self.reveal = reveal

    def mode(self) -> str:
        return "env" if self.has_class("-env") else "typed"

    def compose(self) -> ComposeResult:
        yield Select(MODES, value=self.mode(), allow_blank=False, compact=True, classes="mode")
        yield BoundInput(
            f"{self.path}.password",
            self.table.get("password"),
            kind="optional",
            password=not self.reveal,
            placeholder=self.placeholder,
            classes="secret",
        )
        yield BoundInput(
            f"{self.path}.password_env",
            self.table.get("password_env"),
            kind="optional",
            placeholder=self.env_placeholder,
            classes="env",
        )

    def show(self, table: dict[str, Any]) -> None:
        """Follow `table` (the answers' own, which may have changed under the box): its mode,
        and the typed password or variable name in their boxes."""
        for box in self.query(BoundInput):
            value = table.get(box.path.rsplit(".", 1)[-1])
            text = "" if value is None else str(value)
            if box.value != text:
                # Posts Input.Changed, whose answer is the one already held: no change.
                box.value = text
        env = "password_env" in table
        self.query_one(".mode", Select).value = "env" if env else "typed"
        self.set_class(env, "-env")

    def set_reveal(self, reveal: bool) -> None:
        self.reveal = reveal
        self.query_one(".secret", BoundInput).password = not reveal

    def on_select_changed(self, event: Select.Changed) -> None:
        if not event.select.has_class("mode"):
            return
        event.stop()
        if event.value == self.mode():
            return
        pane = self.query_ancestor(StepPane)
        stash = pane.state.stash
        current = pane.state.get(self.path)
        current = current if isinstance(current, dict) else {}
        if event.value == "env":
            if "password" in current:
                stash[f"{self.path}.password"] = current["password"]
            name = stash.pop(f"{self.path}.password_env", None)
            name = name or answers.password_env_name(self.path, pane.state.answers)
            pane.answer(f"{self.path}.password", None)
            pane.answer(f"{self.path}.password_env", name)
            self.query_one(".env", BoundInput).value = name
        else:
            if "password_env" in current:
                stash[f"{self.path}.password_env"] = current["password_env"]
            pane.answer(f"{self.path}.password_env", None)
            typed = stash.pop(f"{self.path}.password", None)
            if typed is not None:
                pane.answer(f"{self.path}.password", typed)
            self.query_one(".secret", BoundInput).value = typed or ""
        self.set_class(event.value == "env", "-env")
