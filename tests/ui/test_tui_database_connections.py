"""Test connections on the full-screen wizard's Database step: against a real PostgreSQL,
one line per database, the form usable while the test runs, no password on the screen."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Static

from screens.app import WizardApp
from tests.ui.test_tui_support import _colour, make_app, settle  # noqa: F401 - autouse
from wizard import answers, connections, locations, steps

PRESET = "connection-test"
SECRET_ENV = "WSO2_UM_DB_PASSWORD"


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes TCP connections and never says a word: a login there waits for
    its timeout, long enough to use the form meanwhile."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
def estate(tmp_path: Path, silent_port: int) -> Iterator[tuple[dict[str, str], dict[str, Any]]]:
    """A user preset over real databases on PostgreSQL: the registry's password read from a
    variable (set), user management's wrong, API Manager's database behind a silent port."""
    from tests import dbservers
    from tests.render.test_real_databases import cleanup, create, real_plan

    srv = dbservers.server("postgresql")
    plan = real_plan(srv, "shared")
    create(srv, plan)
    try:
        data = answers.to_data(plan.topology, keep_passwords=True)
        env = {locations.HOME_VARIABLE: str(tmp_path)}
        # Every password from a variable, as a preset names them; user management's wrong.
        for path, _spec in plan.topology.database_specs():
            table = steps.lookup(data, path)
            variable = f"TEST_{len(env)}_PASSWORD"
            env[variable] = table.pop("password")
            table["password_env"] = variable
        data["database"]["user_management"]["password_env"] = SECRET_ENV
        env[SECRET_ENV] = plan.database("user_management").password + "-wrong"
        data["products"][0]["databases"]["WSO2AM_DB"]["port"] = silent_port
        presets = locations.user_presets_dir(env)
        presets.mkdir(parents=True)
        (presets / f"{PRESET}.toml").write_text(answers.dumps(answers.parse(data)))
        yield env, data
    finally:
        cleanup(srv, plan)


def lines(app: WizardApp) -> str:
    return str(app.query_one("#connection-lines", Static).content)


async def test_test_connections_runs_in_the_background(
    tmp_path: Path, estate: tuple[dict[str, str], dict[str, Any]]
) -> None:
    env, data = estate
    app = make_app(tmp_path, env=env, preset=PRESET)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.show_step("database")
        await settle(pilot)
        button = app.query_one("#test-connections", Button)
        button.focus()
        await pilot.press("enter")
        await pilot.pause()
        # Still testing (a login waits on the silent port): the form answers keys meanwhile.
        assert lines(app).startswith("Testing 4 databases from this machine (at most 15 s)")
        await pilot.press("shift+tab")
        assert app.focused is not button
        await settle(pilot)
        shown = lines(app).splitlines()
        assert len(shown) == 5, shown
        registry = data["database"]["registry"]
        um = data["database"]["user_management"]
        assert shown[0].startswith("✓ Registry (config + governance): ok, ")
        assert shown[1] == (
            f"✗ User management: {um['user']}@{data['database']['host']}:"
            f"{data['database']['port']}/{um['name']}: auth: password rejected for user "
            f"{um['user']}"
        )
        assert shown[2].startswith("✗ API Manager · WSO2AM_DB: ")
        assert shown[2].endswith("timeout: the server accepted TCP but did not answer the login")
        assert shown[3].startswith("✓ Identity Server · WSO2_IDENTITY_DB: ok")
        assert shown[4] == "2 ok, 2 failed. Fix what failed, then test again."
        screen = lines(app)
        for name, value in env.items():
            assert name == locations.HOME_VARIABLE or value not in screen
        assert registry["name"] in screen


async def test_a_change_clears_the_lines_it_made_stale(
    tmp_path: Path, estate: tuple[dict[str, str], dict[str, Any]]
) -> None:
    env, _data = estate
    app = make_app(tmp_path, env=env, preset=PRESET)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.show_step("database")
        await settle(pilot)
        app.query_one("#test-connections", Button).press()
        await settle(pilot)
        assert "failed" in lines(app)
        app.query_one("#port").value = "1"
        await settle(pilot)
        assert lines(app).startswith("Logs in to each database from this machine")


async def test_answers_that_cannot_be_tested_say_what_to_fix(tmp_path: Path) -> None:
    app = make_app(tmp_path, preset="apim-2node-mysql")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.show_step("database")
        await settle(pilot)
        app.state.set_answer("database.registry.name", "")
        app.query_one("#test-connections", Button).press()
        await settle(pilot)
        assert lines(app) == (
            "– Cannot test yet: database.registry.name: no value; give the database name"
        )
        assert connections.DEADLINE == 15.0


async def test_leaving_the_step_stops_the_test(
    tmp_path: Path, estate: tuple[dict[str, str], dict[str, Any]]
) -> None:
    """A login waiting on the silent port does not hold the next step."""
    import time

    env, _data = estate
    app = make_app(tmp_path, env=env, preset=PRESET)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.show_step("database")
        await settle(pilot)
        app.query_one("#test-connections", Button).press()
        await pilot.pause()
        assert lines(app).startswith("Testing")
        started = time.monotonic()
        await app.show_step("layout")
        await app.workers.wait_for_complete()
        assert time.monotonic() - started < 1.5
        assert app.current == "layout"
