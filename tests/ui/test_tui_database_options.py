"""The Database step of the full-screen wizard: the JDBC driver MariaDB is reached through,
and TLS on the connections to the database."""

from __future__ import annotations

import copy
from typing import Any

from textual.widgets import Input, RadioButton, RadioSet, Select, Static

from screens.app import WizardApp
from screens.specs import SpecCard
from screens.widgets.bound import BoundCheckbox, BoundSelect
from screens.widgets.field import Field
from tests.ui.test_tui_support import (
    _colour,  # noqa: F401 - autouse
    choose_origin,
    control,
    make_app,
    messages,
    next_step,
    press_radio,
    settle,
    type_into,
)
from wizard import steps
from wizard.catalog import ENGINES
from wizard.questions import JDBC_DRIVERS, TLS_HINT

PRESET = "preset:apim-2node-mysql"
"""MySQL 5.7, passwords read from variables: every engine takes them."""


def model_messages(app: WizardApp, path: str) -> list[str]:
    """What the model says of the answers at `path`, as the database step checks them."""
    found = steps.problems_for_step(copy.deepcopy(app.state.answers), "database")
    return [p.message for p in found if p.path == path]


def database(app: WizardApp) -> dict[str, Any]:
    return app.state.answers["database"]  # type: ignore[no-any-return]


def driver_shown(app: WizardApp) -> bool:
    return bool(app.query_one("#driver-field", Field).display)


def chosen_driver(app: WizardApp) -> str:
    pressed = app.query_one("#jdbc-driver", RadioSet).pressed_button
    assert pressed is not None
    return (pressed.id or "").removeprefix("jdbc-driver-")


def tls_box(app: WizardApp) -> BoundCheckbox:
    return next(c for c in app.query(BoundCheckbox) if c.path == "database.tls")


async def at_database_step(pilot: Any) -> WizardApp:
    app: WizardApp = pilot.app
    await choose_origin(pilot, PRESET)
    await next_step(pilot, 4)
    assert app.current == "database"
    return app


async def choose_engine(pilot: Any, engine_id: str) -> None:
    engine = next(s for s in pilot.app.query(BoundSelect) if s.path == "database.engine")
    engine.value = engine_id
    await settle(pilot)


async def choose_driver(pilot: Any, driver: str) -> None:
    """Move to `driver` with the keys and take it: the cursor starts on the one chosen."""
    radios = pilot.app.query_one("#jdbc-driver", RadioSet)
    await press_radio(pilot, radios, f"jdbc-driver-{driver}")
    assert chosen_driver(pilot.app) == driver


async def toggle_tls(pilot: Any) -> None:
    box = tls_box(pilot.app)
    box.focus()
    await pilot.pause()
    await pilot.press("space")
    await settle(pilot)


async def test_mariadb_shows_the_driver_choice_with_the_mysql_driver_selected(
    tmp_path: Any,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_database_step(pilot)
        assert not driver_shown(app)  # MySQL 5.7 has one driver
        await choose_engine(pilot, "mariadb")
        assert driver_shown(app)
        assert chosen_driver(app) == "mysql"
        buttons = list(app.query_one("#jdbc-driver", RadioSet).query(RadioButton))
        assert [str(b.label) for b in buttons] == [label for _, label in JDBC_DRIVERS]
        # Each choice, and the hint under the TLS box, reads whole on one line at 80x24.
        hint = next(s for s in app.query(".field-hint").results(Static) if s.content == TLS_HINT)
        assert [w.region.height for w in [*buttons, hint]] == [1, 1, 1]
        # The MySQL driver is the model's default: nothing is added to the answers.
        assert "jdbc_driver" not in database(app)
        assert app.state.problems("database") == []

        await choose_driver(pilot, "mariadb")
        assert database(app)["jdbc_driver"] == "mariadb"
        assert app.state.problems("database") == []
        # MariaDB Connector/J takes no URL options by default: the placeholder says so.
        assert app.query_one("#opts", Input).placeholder == "(none)"

        await choose_driver(pilot, "mysql")
        assert "jdbc_driver" not in database(app)
        assert app.query_one("#opts", Input).placeholder == ENGINES["mariadb"].default_url_options
        await choose_driver(pilot, "mariadb")

        # Next and Back redraw the step from the answers.
        await next_step(pilot)
        assert app.current == "preview"
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert app.current == "database"
        assert driver_shown(app) and chosen_driver(app) == "mariadb"


async def test_choosing_postgresql_hides_the_driver_and_drops_it_until_mariadb_is_back(
    tmp_path: Any,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_database_step(pilot)
        await choose_engine(pilot, "mariadb")
        await choose_driver(pilot, "mariadb")
        await choose_engine(pilot, "postgresql")
        assert not driver_shown(app)
        assert "jdbc_driver" not in database(app)
        assert app.state.problems("database") == []
        # MariaDB again: the driver chosen before comes back, pressed.
        await choose_engine(pilot, "mariadb")
        assert driver_shown(app)
        assert database(app)["jdbc_driver"] == "mariadb"
        assert chosen_driver(app) == "mariadb"


async def test_a_driver_given_to_another_engine_is_refused_at_the_choice(tmp_path: Any) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, PRESET)
        # As an answers file written by hand would have it.
        app.state.answers["database"]["jdbc_driver"] = "mariadb"
        await next_step(pilot, 4)
        assert app.current == "database"
        assert driver_shown(app) and chosen_driver(app) == "mariadb"
        expected = model_messages(app, "database.jdbc_driver")
        assert expected and "MySQL 5.7 has one driver" in expected[0]
        assert messages(app, "database.jdbc_driver") == expected
        await choose_driver(pilot, "mysql")
        assert "jdbc_driver" not in database(app)
        assert not driver_shown(app)
        assert getattr(app.focused, "path", None) == "database.engine"
        assert app.state.problems("database") == []


async def test_tls_on_with_postgresql_gives_tls_true(tmp_path: Any) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_database_step(pilot)
        await choose_engine(pilot, "postgresql")
        assert "tls" not in database(app)
        await toggle_tls(pilot)
        assert database(app)["tls"] is True
        assert messages(app, "database.tls") == []
        # Empty URL options now mean the engine's TLS options: the placeholder shows them.
        assert app.query_one("#opts", Input).placeholder == ENGINES["postgresql"].tls_url_options
        # Each database card shows the URL every node gets, TLS options included.
        card = app.query(SpecCard).first()
        assert card.url().endswith("?" + str(ENGINES["postgresql"].tls_url_options))
        await next_step(pilot)
        assert app.current == "preview"
        assert database(app)["tls"] is True
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert tls_box(app).value
        # Off is the model's default, and left out of the answers.
        await toggle_tls(pilot)
        assert "tls" not in database(app)


async def test_tls_on_with_oracle_shows_the_models_refusal_at_the_tls_field(
    tmp_path: Any,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_database_step(pilot)
        await choose_engine(pilot, "oracle")
        await toggle_tls(pilot)
        assert database(app)["tls"] is True
        expected = model_messages(app, "database.tls")
        assert expected and expected[0].startswith("Oracle takes TLS on a TCPS listener")
        assert messages(app, "database.tls") == expected
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.current == "database"
        assert app.focused is tls_box(app)
        await toggle_tls(pilot)
        assert messages(app, "database.tls") == []
        await next_step(pilot)
        assert app.current == "preview"


async def test_tls_with_url_options_shows_the_refusal_naming_both(tmp_path: Any) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_database_step(pilot)
        options = "autoReconnect=true&useSSL=false&serverTimezone=UTC"
        await type_into(pilot, "database.url_options", options)
        await toggle_tls(pilot)
        expected = model_messages(app, "database.tls")
        assert expected and "url_options" in expected[0] and "tls = true" in expected[0]
        assert messages(app, "database.tls") == expected
        # Nothing typed is lost: both answers stay as given until one is taken back.
        assert database(app)["url_options"] == options
        assert database(app)["tls"] is True
        await type_into(pilot, "database.url_options", "")
        assert messages(app, "database.tls") == []
        assert control(app, "database.url_options").value == ""
        # With TLS on, empty URL options are the engine's TLS ones.
        assert app.query_one("#opts", Input).placeholder == ENGINES["mysql5.7"].tls_url_options
        await next_step(pilot)
        assert app.current == "preview"


async def test_a_database_password_switches_between_typed_and_a_variable(tmp_path: Any) -> None:
    """Each database card's password is the same box as the LDAP bind password's: switching
    to typed and back to the variable keeps both, in the answers and in the boxes."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_database_step(pilot)
        card = app.query(SpecCard).first()
        path = card.slot.path
        variable = app.state.get(path)["password_env"]
        mode = card.query_one(".mode", Select)
        mode.value = "typed"
        await settle(pilot)
        assert "password_env" not in app.state.get(path)
        await type_into(pilot, f"{path}.password", "t0p-s3cret")
        assert app.state.get(path)["password"] == "t0p-s3cret"
        mode.value = "env"
        await settle(pilot)
        assert app.state.get(path)["password_env"] == variable
        assert "password" not in app.state.get(path)
        assert card.query_one(".env", Input).value == variable
        mode.value = "typed"
        await settle(pilot)
        assert app.state.get(path)["password"] == "t0p-s3cret"
        assert card.query_one(".secret", Input).value == "t0p-s3cret"


async def test_a_driver_jar_that_is_not_there_is_said_at_its_field(tmp_path: Any) -> None:
    # Before, the field stayed quiet, the sidebar showed the step done, and Preview failed
    # with an internal error once the tree was rendered.
    missing = str(tmp_path / "nowhere" / "mysql-connector-java-5.1.49.jar")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_database_step(pilot)
        await type_into(pilot, "cluster.driver_jar", missing)
        await next_step(pilot)  # Next is refused: the problem stays at the field
        assert app.current == "database"
        assert messages(app, "cluster.driver_jar") == [
            f"{missing} does not exist; give the path of the JDBC driver jar on this "
            "machine, or leave it empty (the README then says where to put the jar)"
        ]
        jar = tmp_path / "mysql-connector-java-5.1.49.jar"
        jar.write_bytes(b"PK\x03\x04")
        await type_into(pilot, "cluster.driver_jar", str(jar))
        assert messages(app, "cluster.driver_jar") == []
        assert app.state.problems("database") == []


async def test_an_emptied_database_name_is_said_while_its_password_is_missing(
    tmp_path: Any,
) -> None:
    app = make_app(tmp_path, env={})
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        # As a resumed session without the password: neither typed nor named.
        app.state.set_answer("database.registry.password_env", None)
        await next_step(pilot, 4)
        assert app.current == "database"
        await type_into(pilot, "database.registry.name", "")
        assert messages(app, "database.registry.name") == ["no value; give the database name"]
        assert any("no password" in m for m in messages(app, "database.registry.password"))
