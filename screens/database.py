"""Step 4: the engine and server, and every database's name, user and password."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Checkbox, Input

from screens.base import FormPane
from screens.specs import SpecCard
from screens.widgets.bound import BoundCheckbox, BoundInput, BoundSelect
from screens.widgets.field import Field
from screens.widgets.paths import PathSuggester
from screens.widgets.toggles import Tick
from wizard.catalog import ENGINES


class DatabasePane(FormPane):
    step_id = "database"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+r", "reveal", "Show passwords")]
    keys_help = (
        "Every node of every product reaches the same databases. For each database give its "
        "name, the user WSO2 logs in as, and the password: typed here (masked; Ctrl+R shows "
        "it), or the name of an environment variable read when the tree is written. The "
        "JDBC URL under each database is the one every node's datasource gets."
    )

    def body(self) -> Iterable[Widget]:
        self.state.ensure_specs(self.state.spec_slots())
        db = self.state.database()
        engines = [(e.label, e.id) for e in ENGINES.values()]
        yield Field(
            "Engine",
            BoundSelect("database.engine", engines, db.get("engine"), prompt="choose"),
            paths=["database.engine", "database"],
        )
        yield Field(
            "Server host",
            BoundInput("database.host", db.get("host"), placeholder="db1.example.com"),
            paths=["database.host"],
        )
        yield Field(
            "Port",
            BoundInput("database.port", db.get("port"), kind="int", id="port"),
            paths=["database.port"],
        )
        yield Field(
            "URL options",
            BoundInput("database.url_options", db.get("url_options"), kind="optional", id="opts"),
            paths=["database.url_options"],
            hint="Empty: the engine's default (shown). Write & plainly.",
        )
        yield Tick("Show passwords (Ctrl+R)", False, id="reveal", compact=True)
        for slot in self.state.spec_slots():
            yield SpecCard(self.state, slot)
        cluster = self.state.answers.get("cluster")
        cluster = cluster if isinstance(cluster, dict) else {}
        yield Field(
            "Driver jar",
            BoundInput(
                "cluster.driver_jar",
                cluster.get("driver_jar"),
                kind="optional",
                placeholder="optional: the JDBC driver .jar to copy to every node",
                suggester=PathSuggester(suffixes=(".jar",)),
            ),
            paths=["cluster.driver_jar"],
        )
        yield Field(
            "",
            BoundCheckbox(
                "cluster.secure_vault",
                "Passwords as Secure Vault aliases",
                bool(cluster.get("secure_vault", False)),
                False,
            ),
            paths=["cluster.secure_vault"],
        )

    def on_mount(self) -> None:
        # No super().on_mount(): Textual runs StepPane's as well, which checks the answers.
        self._engine_hints(self.state.database().get("engine"))

    def _engine_hints(self, engine_id: Any) -> None:
        engine = ENGINES.get(str(engine_id))
        port = self.query_one("#port", Input)
        opts = self.query_one("#opts", Input)
        port.placeholder = str(engine.default_port) if engine else "the engine's port"
        opts.placeholder = (engine.default_url_options or "(none)") if engine else ""

    def answered(self, path: str, value: Any) -> None:
        if path == "database.engine":
            self._engine_hints(value)
        for card in self.query(SpecCard):
            card.refresh_url()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "reveal":
            event.stop()
            for card in self.query(SpecCard):
                card.set_reveal(event.value)
            return
        super().on_checkbox_changed(event)

    def action_reveal(self) -> None:
        box = self.query_one("#reveal", Checkbox)
        box.value = not box.value
