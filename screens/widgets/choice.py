"""A set of radio buttons whose cursor starts on the button chosen."""

from __future__ import annotations

from textual.widgets import RadioSet


class ChoiceSet(RadioSet):
    """Textual starts a RadioSet's cursor on its first button. A choice redrawn after it was
    made (the Products step's user store, whose LDAP fields come and go with it) then had
    the cursor on jdbc while ldap was chosen, and Enter took jdbc back."""

    def on_mount(self) -> None:
        # This handler runs before RadioSet's own, which puts the cursor on the first
        # button and notes the one pressed: the cursor is moved once both have run.
        self.call_later(self._cursor_on_chosen)

    def _cursor_on_chosen(self) -> None:
        for _ in range(max(self.pressed_index, 0)):
            self.action_next_button()
