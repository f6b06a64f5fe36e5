"""Step 4: the engine and server, and every database's name, user and password."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any, ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, RadioButton, RadioSet, Static
from textual.worker import get_current_worker

from screens.base import FormPane, guarded
from screens.specs import SpecCard
from screens.widgets.bound import BoundCheckbox, BoundInput, BoundSelect
from screens.widgets.buttons import CompactButton
from screens.widgets.choice import ChoiceSet
from screens.widgets.field import Field
from screens.widgets.paths import PathSuggester
from screens.widgets.toggles import Dot, Tick
from wizard import connections
from wizard.catalog import ENGINES
from wizard.engines import Engine, connection
from wizard.questions import (
    DATABASE_HOST,
    DATABASE_PORT,
    DRIVER_JAR,
    JDBC_DRIVERS,
    SECURE_VAULT,
    TLS_HINT,
    TLS_QUESTION,
    URL_OPTIONS,
)


class DatabasePane(FormPane):
    step_id = "database"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+r", "reveal", "Show passwords")]
    keys_help = (
        "Every node of every product reaches the same databases. For each database give its "
        "name, the user WSO2 logs in as, and the password: typed here (masked; Ctrl+R shows "
        "it), or the name of an environment variable read when the tree is written. The "
        "JDBC URL under each database is the one every node's datasource gets. MariaDB: "
        "the JDBC driver, Up/Down and Enter (or Space) choose. TLS (Space ticks it) puts "
        "the engine's TLS options in the URLs instead of the default ones. BPMN "
        "(Activiti), where a product has it: shared, or local on each node's own H2, "
        "right with no BPMN process or on one node; local hides its fields and keeps "
        "them for when it is shared again. Test connections (under the databases) logs in "
        "to each one from this machine, as carbon-wizard probe does, while you go on "
        "editing: one line per database, ✓ ok, ✗ why not, – login not tested."
    )

    DEFAULT_CSS = """
    DatabasePane .driver-box { height: auto; }
    DatabasePane .driver { width: 1fr; }
    DatabasePane .connections { height: auto; margin-bottom: 1; }
    DatabasePane #connection-lines { width: 1fr; }
    """

    # The server's fields and the first database: what 80x24 (and 120x40) shows first.
    first_items = 8

    testing: bool = False
    """A test of the connections is running (in a worker thread)."""
    test_run: int = 0
    """Counts the tests started: the lines of one overtaken by a change are not shown."""

    def body(self) -> Iterable[Widget]:
        self.state.ensure_specs(self.state.spec_slots())
        db = self.state.database()
        engines = [(e.label, e.id) for e in ENGINES.values()]
        yield Field(
            "Engine",
            BoundSelect("database.engine", engines, db.get("engine"), prompt="choose"),
            paths=["database.engine", "database"],
        )
        yield self.driver_field(db)
        yield Field(
            DATABASE_HOST.label,
            BoundInput("database.host", db.get("host"), placeholder=DATABASE_HOST.example),
            paths=["database.host"],
        )
        yield Field(
            DATABASE_PORT.label,
            BoundInput("database.port", db.get("port"), kind="int", id="port"),
            paths=["database.port"],
        )
        yield Field(
            URL_OPTIONS.label,
            BoundInput("database.url_options", db.get("url_options"), kind="optional", id="opts"),
            paths=["database.url_options"],
            hint=URL_OPTIONS.hint,
        )
        yield Field(
            "",
            BoundCheckbox(
                "database.tls",
                TLS_QUESTION,
                bool(db.get("tls", False)),
                False,
            ),
            paths=["database.tls"],
            hint=TLS_HINT,
        )
        yield Tick("Show passwords (Ctrl+R)", False, id="reveal", compact=True)
        for slot in self.state.spec_slots():
            yield SpecCard(self.state, slot)
        yield Vertical(
            CompactButton("Test connections", id="test-connections"),
            Static(CONNECTIONS_HINT, id="connection-lines", markup=False),
            classes="connections",
        )
        cluster = self.state.answers.get("cluster")
        cluster = cluster if isinstance(cluster, dict) else {}
        yield Field(
            DRIVER_JAR.label,
            BoundInput(
                "cluster.driver_jar",
                cluster.get("driver_jar"),
                kind="optional",
                placeholder=DRIVER_JAR.example,
                suggester=PathSuggester(suffixes=(".jar",)),
            ),
            paths=["cluster.driver_jar"],
        )
        yield Field(
            "",
            BoundCheckbox(
                "cluster.secure_vault",
                SECURE_VAULT.label,
                bool(cluster.get("secure_vault", False)),
                False,
            ),
            paths=["cluster.secure_vault"],
        )

    def driver_field(self, db: dict[str, Any]) -> Field:
        """The JDBC driver MariaDB is reached through, shown while it can be chosen."""
        chosen = db.get("jdbc_driver") or JDBC_DRIVERS[0][0]
        choices = ChoiceSet(
            *(
                Dot(label, value=chosen == key, id=f"jdbc-driver-{key}", compact=True)
                for key, label in JDBC_DRIVERS
            ),
            id="jdbc-driver",
            compact=True,
            classes="driver",
        )
        # The choices span the step under their title, so that each line is read whole at
        # 80 columns, as the Products step's user store.
        box = Vertical(
            Static("JDBC driver: how the nodes reach MariaDB", markup=False),
            choices,
            classes="driver-box",
        )
        field = Field("", box, paths=["database.jdbc_driver"], id="driver-field")
        field.display = self._driver_shown()
        return field

    def _driver_shown(self) -> bool:
        db = self.state.database()
        engine = ENGINES.get(str(db.get("engine")))
        # A driver an answers file gives another engine stays in sight, with the model's
        # refusal under it, until it is taken out.
        return bool(engine and engine.jdbc_drivers) or "jdbc_driver" in db

    def _sync_driver(self) -> None:
        """Show or hide the driver choice, and press the driver the answers now hold (one
        put aside comes back with MariaDB)."""
        self.query_one("#driver-field", Field).display = self._driver_shown()
        chosen = self.state.database().get("jdbc_driver") or JDBC_DRIVERS[0][0]
        for button in self.query_one("#jdbc-driver", ChoiceSet).query(RadioButton):
            if button.id == f"jdbc-driver-{chosen}" and not button.value:
                # Posts RadioSet.Changed, whose answer is the one already held: no change.
                button.value = True

    def on_mount(self) -> None:
        # No super().on_mount(): Textual runs StepPane's as well, which checks the answers.
        self._engine_hints()

    def engine(self) -> Engine | None:
        """The engine as the nodes reach it: through the chosen driver, where it has one."""
        db = self.state.database()
        engine = ENGINES.get(str(db.get("engine")))
        if engine is not None and db.get("jdbc_driver") in engine.jdbc_drivers:
            return engine.with_driver(str(db["jdbc_driver"]))
        return engine

    def _engine_hints(self) -> None:
        engine = self.engine()
        port = self.query_one("#port", Input)
        opts = self.query_one("#opts", Input)
        port.placeholder = str(engine.default_port) if engine else "the engine's port"
        # Empty URL options mean the driver's own; with TLS on, its TLS options.
        options = ""
        if engine:
            db = self.state.database()
            driver = db.get("jdbc_driver")
            driver = driver if isinstance(driver, str) else None
            options = connection(engine, driver, db.get("tls") is True, None)[1]
        opts.placeholder = (options or "(none)") if engine else ""

    def answered(self, path: str, value: Any) -> None:
        if self.testing or self.test_run:
            # Lines about answers that have changed since would mislead: test again.
            self.test_run += self.testing
            self.testing = False
            self._show_lines(CONNECTIONS_HINT)
        if path == "database.engine":
            self.state.fit_engine()
            self._sync_driver()
        self._engine_hints()
        for card in self.query(SpecCard):
            card.refresh_url()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        if event.radio_set.id != "jdbc-driver":
            return
        event.stop()
        driver = (event.pressed.id or "").removeprefix("jdbc-driver-")
        # The default driver is left out of the answers, as the model reads it absent.
        self.answer("database.jdbc_driver", None if driver == JDBC_DRIVERS[0][0] else driver)
        if not self._driver_shown():
            # A driver given to another engine, taken out: nothing is left to choose, and
            # keys must not go on to a choice no longer in sight.
            self.query_one("#driver-field", Field).display = False
            self.focus_path("database.engine")

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

    # ---- test connections -------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "test-connections":
            event.stop()
            self.test_connections()

    @guarded
    def test_connections(self) -> None:
        """Probe every database of the answers as they stand, in a worker: the form stays
        usable, and each database's line appears when all have answered (or timed out)."""
        if self.testing:
            return
        testing = connections.prepare(self.state.answers, self.state.env)
        if testing.blocked:
            self._show_lines("\n".join(line.text for line in testing.blocked))
            return
        self.testing = True
        self.test_run += 1
        self._show_lines(testing.start_line)
        self.run_test(testing, self.test_run)

    @work(thread=True, group="connections", exit_on_error=False)
    def run_test(self, testing: connections.Testing, run: int) -> None:
        # Cancelled when the step is left or the app quits: the test then stops waiting.
        cancel = get_current_worker().cancelled_event
        try:
            lines = connections.run(testing, cancel=cancel)
            if cancel.is_set():
                return
        except Exception as exc:
            # The probe words every failure it knows; anything else is said, not raised.
            text = f"The test stopped: internal error ({type(exc).__name__}); test again"
            lines = [connections.Line("", "failed", f"✗ {text}")]
        with contextlib.suppress(RuntimeError):  # the app has gone meanwhile
            self.app.call_from_thread(self._tested, lines, run)

    def _tested(self, lines: list[connections.Line], run: int) -> None:
        if run != self.test_run or not self.is_attached:
            return
        self.testing = False
        body = [line.text for line in lines]
        if any(line.path for line in lines):
            body.append(connections.summary(lines))
        self._show_lines("\n".join(body))
        # The lines run below the button: brought into sight, where the operator looks next.
        for box in self.query("#connection-lines").results(Static):
            box.scroll_visible(animate=False)

    def _show_lines(self, text: str) -> None:
        for box in self.query("#connection-lines").results(Static):
            if str(box.content) != text:  # an update re-lays out the step: only on a change
                box.update(text)


CONNECTIONS_HINT = (
    "Logs in to each database from this machine as `carbon-wizard probe` does, with the "
    "passwords above or their variables; a password is never shown."
)
