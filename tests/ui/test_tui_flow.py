"""The full-screen wizard under Textual's Pilot: whole flows, going back, bad input."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList, Select, Static

from screens.widgets.field import Field
from tests.ui.test_tui_support import (
    PRESET_ENV,
    _colour,  # noqa: F401 - autouse
    choose_origin,
    confirm_all,
    control,
    make_app,
    messages,
    next_step,
    pick_node,
    send_at_once,
    settle,
    type_into,
)
from wizard import cli, locations, presets, rules, sessions


def written_tree_passes_check(out: Path) -> None:
    assert (out / "manifest.json").is_file()
    assert rules.check_tree(out) == []
    assert cli.main(["check", str(out)]) == 0


async def write_to(pilot, out: Path) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    assert app.current == "write"
    out_input = app.query_one("#out")
    out_input.value = str(out)
    await pilot.pause()
    await next_step(pilot)
    assert app.state.written == out, app.query_one("#write-status").render()


async def test_new_plan_two_products_to_a_checked_tree(tmp_path: Path) -> None:
    app = make_app(tmp_path, env={})
    async with app.run_test(size=(80, 24)) as pilot:
        await type_into(pilot, "name", "apim-is")
        await next_step(pilot)
        assert app.current == "products"
        for product in ("apim", "is"):
            app.query_one("#add-product", Select).value = product
            await settle(pilot)
        assert [p["id"] for p in app.state.products()] == ["apim", "is"]
        await next_step(pilot)
        assert app.current == "nodes"
        for pi, hosts in enumerate(("10.0.1.{11..12}", "10.0.2.11, 10.0.2.12")):
            pattern = app.query_one(f"#pattern-{pi}")
            pattern.focus()
            pattern.value = hosts
            await pilot.press("enter")
            await settle(pilot)
        ids = [[n["id"] for n in p["nodes"]] for p in app.state.products()]
        assert ids == [["apim-1", "apim-2"], ["is-1", "is-2"]]
        await next_step(pilot)
        assert app.current == "layout"
        await next_step(pilot)
        assert app.current == "database"
        app.query_one("BoundSelect").value = "postgresql"
        await type_into(pilot, "database.host", "db.example.com")
        for i, c in enumerate([c for c in app.query("BoundInput") if c.path.endswith(".password")]):
            await type_into(pilot, c.path, f"secret-{i}")
        await next_step(pilot)
        assert app.current == "preview", app.state.problems("database")
        assert app.pane.problems() == []
        assert app.query_one("#diff-file", Select).value == "0"
        await next_step(pilot)
        await write_to(pilot, tmp_path / "out")
    written_tree_passes_check(tmp_path / "out")


async def test_preset_to_a_checked_tree_and_a_saved_session(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-is-km-mysql8")
        assert app.state.answers["name"] == "apim-is-km-mysql8"
        await next_step(pilot, 5)
        assert app.current == "preview"
        await confirm_all(pilot)
        await next_step(pilot)
        out = tmp_path / "tree"
        out.mkdir()
        (out / "old.txt").write_text("kept as a backup\n")
        app.query_one("#out").value = str(out)
        await pilot.pause()
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ConfirmDialog"
        await pilot.press("y")
        await settle(pilot)
        assert app.state.written == out
    written_tree_passes_check(out)
    assert list(tmp_path.glob("tree.bak-*/old.txt"))
    listed = sessions.list_sessions(tmp_path / "sessions")
    assert [e.name for e in listed.entries] == ["apim-is-km-mysql8"]
    assert listed.entries[0].step == "write"


async def test_resume_a_session_at_its_step(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        await next_step(pilot, 4)
        assert app.current == "database"
        await pilot.press("ctrl+q")
        await pilot.press("y")
    again = make_app(tmp_path)
    async with again.run_test(size=(80, 24)) as pilot:
        [entry] = sessions.list_sessions(tmp_path / "sessions").entries
        await choose_origin(pilot, f"session:{entry.id}")
        assert again.current == "database"
        assert again.state.answers["products"][0]["nodes"][1]["id"] == "apim-2"


async def test_going_back_to_change_the_engine_keeps_the_nodes(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        await next_step(pilot, 2)
        assert app.current == "nodes"
        await type_into(pilot, "products[0].nodes[1].host", "10.0.1.99")
        before = [dict(n) for n in app.state.products()[0]["nodes"]]
        await next_step(pilot, 2)
        assert app.current == "database"
        app.query_one("BoundSelect").value = "postgresql"
        await settle(pilot)
        await pilot.press("ctrl+b", "ctrl+b")
        await settle(pilot)
        assert app.current == "nodes"
        await pick_node(pilot, "products[0].nodes[1].host")
        assert control(app, "products[0].nodes[1].host").value == "10.0.1.99"
        await next_step(pilot, 2)
        assert app.state.answers["database"]["engine"] == "postgresql"
        assert app.state.products()[0]["nodes"] == before
        await next_step(pilot)
        assert app.current == "preview"
        # No rule findings; what is left is the preset's answers to confirm.
        assert app.pane.result.problems == []
        assert {p.path for p in app.pane.problems()} == set(app.state.pending())


async def blocked(pilot, path: str, step: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    """Next stays on `step`, shows `expected` at the field and focuses it."""
    app = pilot.app
    await pilot.press("ctrl+n")
    await settle(pilot)
    assert app.current == step
    shown = messages(app, path)
    assert any(expected in m for m in shown), shown
    focused = app.focused
    assert getattr(focused, "path", None) == path or focused is control(app, path)


async def test_bad_input_on_each_step_shows_its_message_and_blocks_next(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        await type_into(pilot, "name", "bad name")
        assert any("cannot be a folder name" in m for m in messages(app, "name"))
        await blocked(pilot, "name", "start", "cannot be a folder name")
        await type_into(pilot, "name", "apim-prod")
        await next_step(pilot)

        await type_into(pilot, "products[0].distribution", str(tmp_path / "missing.zip"))
        await blocked(pilot, "products[0].distribution", "products", "does not exist")
        await type_into(pilot, "products[0].distribution", "")
        await next_step(pilot)

        await type_into(pilot, "products[0].nodes[1].offset", "x")
        await blocked(pilot, "products[0].nodes[1].offset", "nodes", "is not a whole number")
        await type_into(pilot, "products[0].nodes[1].offset", "")
        await type_into(pilot, "products[0].nodes[1].host", "10.0.1.11")
        assert any("offset" in m for m in messages(app, "products[0].nodes[1]"))
        await blocked(pilot, "products[0].nodes[1].offset", "nodes", "both on host 10.0.1.11")
        await type_into(pilot, "products[0].nodes[1].offset", "1")
        await next_step(pilot)

        await type_into(pilot, "products[0].config_target", "/_system/governance/apim")
        await blocked(pilot, "products[0].config_target", "layout", "not the config partition")
        await type_into(pilot, "products[0].config_target", "")
        await next_step(pilot)

        await type_into(pilot, "database.host", "db..example")
        await blocked(pilot, "database.host", "database", "not a host name")
        await type_into(pilot, "database.host", "db.example.com")
        await type_into(pilot, "database.registry.name", "1REG")
        await blocked(pilot, "database.registry.name", "database", "not a valid MySQL 5.7")
        await type_into(pilot, "database.registry.name", "WSO2_REG_DB")
        await next_step(pilot)
        assert app.current == "preview"
        assert app.state.answers["products"][0]["nodes"][1]["offset"] == 1


async def test_keys_typed_ahead_of_a_step_change_land_in_order(tmp_path: Path) -> None:
    """A burst of keys (a fast typist, a laggy SSH link): Next, clear the directory, a path
    with a typo fixed by Backspace, Enter — all before the write step has drawn."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        await next_step(pilot, 5)
        await confirm_all(pilot)
        out = tmp_path / "typed-ahead"
        names = {"/": "slash", "-": "minus"}
        burst = [("ctrl+n", None), ("ctrl+u", None)]
        burst += [(names.get(c, c), c) for c in f"{out}x"] + [("backspace", None), ("enter", None)]
        send_at_once(app, burst)
        for _ in range(100):
            await settle(pilot)
            if app.state.written:
                break
        assert app.state.written == out, app.query_one("#write-status").render()


def test_the_first_screen_lists_the_bundled_presets_as_parsing_them_does() -> None:
    dirs = [locations.bundled_presets_dir()]
    assert presets.list_presets_unchecked(dirs) == presets.list_presets(dirs)


async def test_a_preset_that_does_not_parse_is_marked_once_the_first_screen_is_drawn(
    tmp_path: Path,
) -> None:
    env = {locations.HOME_VARIABLE: str(tmp_path / "home")}
    own = locations.user_presets_dir(env)
    own.mkdir(parents=True)
    (own / "half.toml").write_text('description = "Looks fine"\nname = \n', encoding="utf-8")
    app = make_app(tmp_path, env=env)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        option = app.query_one("#origin", OptionList).get_option("preset:half")
        assert option.disabled
        assert "Preset half (cannot be used: cannot be read" in str(option.prompt)
        await choose_origin(pilot, "new")
        assert app.current == "start"


async def test_a_password_variable_two_databases_share_is_asked_for_once(
    tmp_path: Path,
) -> None:
    # Before: one box per database (the same variable twice), a label broken mid-word at
    # 20 columns, and "Not set" still said once the password was typed.
    unset = ("WSO2_REG_DB_PASSWORD", "WSO2_UM_DB_PASSWORD")
    env = {k: v for k, v in PRESET_ENV.items() if k not in unset}
    app = make_app(tmp_path, env=env)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        app.state.set_answer("database.user_management.password_env", "WSO2_REG_DB_PASSWORD")
        await next_step(pilot, 5)
        await confirm_all(pilot)
        await next_step(pilot)
        assert app.current == "write"
        [box] = app.query(".run-password").results(Input)
        assert box.id == "pw-WSO2_REG_DB_PASSWORD"
        field = box.query_ancestor(Field)
        title = field.query_one(".pw-title", Static)
        assert str(title.content) == (
            "Registry (config + governance) and User management database password"
        )
        hint = field.query_one(".field-hint", Static)
        assert str(hint.content) == (
            "$WSO2_REG_DB_PASSWORD is not set (wso2reg on db.example.com:3306 and wso2um on "
            "db.example.com:3306); typed here, it is used for this run only."
        )
        box.focus()
        box.value = "typed-secret"
        await settle(pilot)
        assert str(hint.content).startswith("$WSO2_REG_DB_PASSWORD: typed for this run only")
        assert app.state.env["WSO2_REG_DB_PASSWORD"] == "typed-secret"


async def test_the_write_step_says_what_an_interrupted_write_had_left(tmp_path: Path) -> None:
    from wizard.placing import STAGING_MARK

    out = tmp_path / "trees" / "apim"
    left = out.parent / ".apim.tmp-999999999-abcdef"  # a killed write's, its process gone
    left.mkdir(parents=True)
    (left / STAGING_MARK).write_text("")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        await next_step(pilot, 5)
        await confirm_all(pilot)
        await next_step(pilot)
        app.query_one("#out", Input).value = str(out)
        await pilot.pause()
        await next_step(pilot)
        assert app.state.written == out
        status = str(app.query_one("#write-status", Static).render())
    assert not left.exists()
    assert "note: removed" in status and "an unfinished tree an interrupted write left" in status


async def test_an_unset_password_at_write_leads_to_its_box_in_the_forms_words(
    tmp_path: Path,
) -> None:
    # Before: "Database: products[0].databases.WSO2AM_DB.password_env: … export
    # WSO2_AM_DB_PASSWORD='...' and run again", with the box for it just below.
    from screens.widgets.problemlist import ProblemList

    env = {k: v for k, v in PRESET_ENV.items() if k != "WSO2_AM_DB_PASSWORD"}
    app = make_app(tmp_path, env=env)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        await next_step(pilot, 5)
        await confirm_all(pilot)
        await next_step(pilot)
        app.query_one("#out", Input).value = str(tmp_path / "tree")
        await next_step(pilot)  # Write, with the password not typed
        assert app.state.written is None
        problems = app.query_one("#write-problems", ProblemList)
        [shown] = [
            str(problems.get_option_at_index(i).prompt) for i in range(problems.option_count)
        ]
        assert shown == (
            "✗ API Manager · WSO2AM_DB database password: $WSO2_AM_DB_PASSWORD is not set; "
            "type the password in its box below (used for this run only)"
        )
        assert app.focused is problems
        await pilot.press("enter")
        await settle(pilot)
        assert app.current == "write"
        assert app.focused is app.query_one("#pw-WSO2_AM_DB_PASSWORD", Input)


async def test_problems_name_the_field_as_its_form_does(tmp_path: Path) -> None:
    from screens import checks

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        app.state.set_answer("products[0].databases.WSO2AM_DB.name", "")
        _, items = checks.build_plan(app.state)
        texts = [i.text for i in items]
        assert any(
            t == "Database: API Manager · WSO2AM_DB · Name: no value; give the database name"
            for t in texts
        ), texts
        assert not any("products[0]" in t for t in texts), texts


async def test_a_problem_with_no_field_on_the_step_is_named_as_its_form_names_it(
    tmp_path: Path,
) -> None:
    # Before: the step's own box said "products[0].version: …".
    from wizard.problems import Problem

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        await next_step(pilot, 4)
        assert app.current == "database"
        app.state.attempted.add("database")
        app.pane.show_problems([Problem("products[0].version", "'9.9.9' is not a version")])
        await settle(pilot)
        box = app.pane.query_one("#pane-problems", Static)
        assert str(box.render()) == "✗ API Manager · Version: '9.9.9' is not a version"
