"""One database's name, user and password, with the JDBC URL its datasources will carry."""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import RadioSet, Static

from screens.base import StepPane
from screens.state import WizardState
from screens.widgets.bound import BoundInput
from screens.widgets.choice import ChoiceSet
from screens.widgets.field import Field
from screens.widgets.secret import SecretBox
from screens.widgets.toggles import Dot
from wizard.catalog import ENGINES
from wizard.database_slots import DatabaseSlot
from wizard.engines import connection
from wizard.questions import DATABASE_NAME, DATABASE_USER, SHARE_CHOICES, share_question


class SpecCard(Vertical):
    DEFAULT_CSS = """
    SpecCard .url { width: 1fr; }
    SpecCard .share-box { height: auto; }
    SpecCard .share { width: 1fr; }
    SpecCard.-local .detail { display: none; }
    """

    def __init__(self, state: WizardState, slot: DatabaseSlot, *, reveal: bool = False) -> None:
        super().__init__(classes="card spec")
        self.state = state
        self.slot = slot
        self.reveal = reveal

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.state.get(self.slot.path)
        return spec if isinstance(spec, dict) else {}

    @property
    def share_id(self) -> str:
        """The id of an optional database's choice, made of its path."""
        return "share-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.slot.path)

    def compose(self) -> ComposeResult:
        path, spec = self.slot.path, self.spec
        yield Static(self.slot.label, classes="card-title", markup=False)
        if self.slot.optional:
            yield self.share_field()
        yield Field(
            DATABASE_NAME.label,
            BoundInput(f"{path}.name", spec.get("name")),
            paths=[f"{path}.name"],
            classes="detail",
        )
        yield Field(
            DATABASE_USER.label,
            BoundInput(f"{path}.user", spec.get("user")),
            paths=[f"{path}.user"],
            classes="detail",
        )
        yield Field(
            "Password",
            SecretBox(
                path,
                spec,
                placeholder="the user's password",
                env_placeholder="variable name, e.g. REG_DB_PASSWORD",
                reveal=self.reveal,
            ),
            paths=[f"{path}.password", f"{path}.password_env", path],
            classes="detail",
        )
        yield Static(self.url_text(), classes="url detail", markup=False)

    def share_field(self) -> Field:
        """Shared or local, for a database the answers may leave out (ACTIVITI_DB)."""
        question, hint = share_question(self.slot.path.rsplit(".", 1)[-1])
        chosen = "shared" if self.state.is_shared(self.slot) else "local"
        choices = ChoiceSet(
            *(
                Dot(label, value=chosen == key, id=f"{self.share_id}-{key}", compact=True)
                for key, label in SHARE_CHOICES
            ),
            id=self.share_id,
            compact=True,
            classes="share",
        )
        # The choice spans the card under its question, as the driver and user store do,
        # so each line is read whole at 80 columns. No paths: the model refuses nothing
        # for either choice, and the table's problems belong at the fields below.
        box = Vertical(Static(question, markup=False), choices, classes="share-box")
        return Field("", box, paths=[], hint=hint)

    def on_mount(self) -> None:
        self.set_class(self.slot.optional and not self.state.is_shared(self.slot), "-local")

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        if event.radio_set.id != self.share_id:
            return
        event.stop()
        shared = event.pressed.id == f"{self.share_id}-shared"
        if not self.state.share_database(self.slot, shared):
            return
        self.set_class(not shared, "-local")
        if shared:
            self.show_spec()
        pane = self.query_ancestor(StepPane)
        # Checked at once, not when typing pauses: the sidebar and the fields follow.
        pane.check_answers()

    def show_spec(self) -> None:
        """Show the answers' table in the boxes: the card may have been drawn while the
        database was local, with nothing in them."""
        spec = self.spec
        for box in self.query(BoundInput):
            if box.path.rsplit(".", 1)[-1] in ("name", "user"):
                value = spec.get(box.path.rsplit(".", 1)[-1])
                text = "" if value is None else str(value)
                if box.value != text:
                    # Posts Input.Changed, whose answer is the one already held: no change.
                    box.value = text
        self.query_one(SecretBox).show(spec)
        self.refresh_url()

    def url(self) -> str:
        db = self.state.answers.get("database")
        db = db if isinstance(db, dict) else {}
        engine = ENGINES.get(str(db.get("engine")))
        if engine is None:
            return "(choose an engine)"
        spec = self.spec
        host = spec.get("host") or db.get("host") or "<host>"
        driver = db.get("jdbc_driver")
        options = db.get("url_options")
        engine, options = connection(
            engine,
            driver if isinstance(driver, str) else None,
            db.get("tls") is True,
            options if isinstance(options, str) else None,
        )
        port = spec.get("port") or db.get("port") or engine.default_port
        return engine.url(str(host), port, str(spec.get("name") or "<name>"), options)

    def url_text(self) -> Text:
        return Text(f"every node's JDBC URL: {self.url()}", overflow="fold")

    def refresh_url(self) -> None:
        self.query_one(".url", Static).update(self.url_text())

    def set_reveal(self, reveal: bool) -> None:
        self.reveal = reveal
        self.query_one(SecretBox).set_reveal(reveal)
