"""The full-screen wizard's sessions under Pilot: autosave, resume, locks, damage, secrets,
and the site-specific answers a preset marks."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Input, OptionList, Select, Static

from screens.app import AUTOSAVE_DELAY, EXIT_INTERRUPTED, WizardApp
from screens.specs import SpecCard
from screens.widgets.dialogs import AskDialog, ConfirmDialog
from screens.widgets.passwords import PasswordsDialog
from tests.ui.test_tui_support import (
    _colour,  # noqa: F401 - autouse
    choose_origin,
    confirm_all,
    control,
    make_app,
    next_step,
    settle,
    tree_files,
    type_into,
)
from wizard import rules, sessions

PRESET = "apim-2node-mysql"
TYPED = "Typed-S3cret&<pw>"
"""A password typed into the wizard (the registry's; the preset names variables for the rest)."""


async def type_registry_password(pilot: Pilot[Any]) -> None:
    """On the database step: the registry password typed here instead of $WSO2_REG_DB_PASSWORD."""
    card = next(c for c in pilot.app.query(SpecCard) if c.slot.path == "database.registry")
    card.query_one(".mode", Select).value = "typed"
    await settle(pilot)
    await type_into(pilot, "database.registry.password", TYPED)


async def first_half(pilot: Pilot[Any], *, keep_passwords: bool = False) -> None:
    """A preset, a changed node host and a typed password: start, products, nodes, layout,
    database."""
    app = pilot.app
    await choose_origin(pilot, f"preset:{PRESET}")
    if keep_passwords:
        app.query_one("#keep-passwords").value = True
        await pilot.pause()
    await next_step(pilot, 2)
    assert app.current == "nodes"
    await type_into(pilot, "products[0].nodes[1].host", "10.9.9.12")
    await next_step(pilot, 2)
    assert app.current == "database"
    await type_registry_password(pilot)


async def second_half(pilot: Pilot[Any], out: Path) -> None:
    """From the database step: preview (confirm the rest), write to `out`."""
    app = pilot.app
    await next_step(pilot)
    assert app.current == "preview", app.state.problems("database")
    await confirm_all(pilot)
    await next_step(pilot)
    assert app.current == "write"
    app.query_one("#out", Input).value = str(out)
    await pilot.pause()
    await next_step(pilot)
    assert app.state.written == out, app.query_one("#write-status", Static).render()


def session_bytes(tmp_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted((tmp_path / "sessions").iterdir()))


async def test_quit_half_way_resume_and_finish_writes_the_same_tree(tmp_path: Path) -> None:
    single = make_app(tmp_path)
    async with single.run_test(size=(80, 24)) as pilot:
        await first_half(pilot)
        await second_half(pilot, tmp_path / "single")

    first = make_app(tmp_path / "two")
    async with first.run_test(size=(80, 24)) as pilot:
        await first_half(pilot)
        # An edit is saved once typing pauses, without a change of step.
        await pilot.pause(AUTOSAVE_DELAY + 0.4)
        session_id = first.state.session.id
        saved = sessions.load(session_id, dir=tmp_path / "two" / "sessions")
        assert saved.step == "database"
        assert saved.answers["products"][0]["nodes"][1]["host"] == "10.9.9.12"
        assert saved.dropped_passwords == ["database.registry.password"]
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("y")
    assert first.farewell.endswith(f"carbon-wizard resume {session_id}")

    again = make_app(tmp_path / "two", session=session_id)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.current == "database"
        assert isinstance(again.screen, PasswordsDialog)
        # Named as the Database step's card is (it said "(database.registry)").
        rows = [str(s.render()) for s in again.screen.query(Static)]
        assert "Registry (config + governance): the password of wso2reg on WSO2_REG_DB" in rows
        assert not any("database.registry" in row for row in rows), rows
        again.screen.query_one("#pw-0", Input).value = TYPED
        again.screen.query_one("#use", Button).press()
        await settle(pilot)
        assert control(again, "database.registry.password").value == TYPED
        assert control(again, "database.host").value == "db.example.com"
        await second_half(pilot, tmp_path / "resumed")

    assert tree_files(tmp_path / "resumed") == tree_files(tmp_path / "single")
    assert rules.check_tree(tmp_path / "resumed") == []


async def test_a_second_app_on_the_same_session_is_refused(tmp_path: Path) -> None:
    first = make_app(tmp_path)
    async with first.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, f"preset:{PRESET}")
        await next_step(pilot)
        session_id = first.state.session.id
        path = tmp_path / "sessions" / f"{session_id}.json"
        before = path.read_bytes()

        second = make_app(tmp_path, session=session_id)
        async with second.run_test(size=(80, 24)) as other:
            await settle(other)
            assert second.current == "start" and second.state.session is None
            note = str(second.query_one("#origin-note", Static).render())
            assert "open in another carbon-wizard" in note
            assert f"pid {os.getpid()}" in note and "host" in note
            # Choosing it from the list is refused the same way.
            await choose_origin(other, f"session:{session_id}")
            assert second.state.session is None
            assert "open in another carbon-wizard" in str(
                second.query_one("#origin-note", Static).render()
            )
            await other.press("ctrl+q")
        assert path.read_bytes() == before
        assert first.state.lock is not None and first.state.lock.held


async def test_a_corrupt_session_file_is_moved_aside_and_listed(tmp_path: Path) -> None:
    directory = tmp_path / "sessions"
    good = sessions.new_session(
        "good-plan", {"schema_version": 1, "name": "good-plan"}, dir=directory
    )
    (directory / "broken-0000.json").write_text('{"schema_version": 1, "name": ')
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        origins = app.query_one("#origin", OptionList)
        ids = [origins.get_option_at_index(i).id for i in range(origins.option_count)]
        assert f"session:{good.id}" in ids
        [damaged] = [str(w.render()) for w in app.query(".damaged")]
        assert "broken-0000.json.corrupt" in damaged and "not valid JSON" in damaged
    assert not (directory / "broken-0000.json").exists()
    assert (directory / "broken-0000.json.corrupt").exists()


def option_ids(app: WizardApp) -> list[str]:
    origins = app.query_one("#origin", OptionList)
    return [str(origins.get_option_at_index(i).id) for i in range(origins.option_count)]


async def test_saved_sessions_are_listed_before_the_presets(tmp_path: Path) -> None:
    kept = sessions.new_session("old-plan", {"schema_version": 1}, dir=tmp_path / "sessions")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        ids = option_ids(app)
        # New plan, then the session the operator most likely came back for, in view.
        assert ids[:2] == ["new", f"session:{kept.id}"]
        assert all(i.startswith("preset:") for i in ids[2:]) and len(ids) > 2


async def test_delete_asks_first(tmp_path: Path) -> None:
    kept = sessions.new_session("old-plan", {"schema_version": 1}, dir=tmp_path / "sessions")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        origins = app.query_one("#origin", OptionList)
        origins.focus()
        origins.highlighted = option_ids(app).index(f"session:{kept.id}")
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert sessions.list_sessions(tmp_path / "sessions").entries
        origins = app.query_one("#origin", OptionList)
        origins.highlighted = option_ids(app).index(f"session:{kept.id}")
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert not sessions.list_sessions(tmp_path / "sessions").entries
        assert "Deleted session" in str(app.query_one("#origin-note", Static).render())


async def test_no_session_file_holds_a_password_unless_opted_in(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_half(pilot)
        await next_step(pilot, 2)
        assert app.current == "preview"
        diffs = "".join(d.diff for d in app.pane.result.diffs)
        assert "WSO2_SHARED_REG_DB" in diffs and TYPED not in diffs
        assert TYPED.encode() not in session_bytes(tmp_path)
        # Save as preset: no password in it either.
        app.query_one("#save-preset", Button).press()
        await settle(pilot)
        assert isinstance(app.screen, AskDialog)
        app.screen.query_one(Input).value = "my-apim"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+c")
    assert app.return_value == EXIT_INTERRUPTED
    session_id = app.state.session.id
    assert app.farewell.endswith(f"carbon-wizard resume {session_id}")
    assert TYPED.encode() not in session_bytes(tmp_path)
    sessions.export(session_id, tmp_path / "exported.toml", dir=tmp_path / "sessions")
    assert TYPED not in (tmp_path / "exported.toml").read_text()
    preset = (tmp_path / "home" / "presets" / "my-apim.toml").read_text()
    assert TYPED not in preset and '"products[0].nodes[1].host"' in preset

    opted = make_app(tmp_path / "opted")
    async with opted.run_test(size=(80, 24)) as pilot:
        await first_half(pilot, keep_passwords=True)
        await next_step(pilot)
    path = tmp_path / "opted" / "sessions" / f"{opted.state.session.id}.json"
    assert TYPED.encode("utf-8") in path.read_bytes()
    assert json.loads(path.read_text())["keep_passwords"] is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_a_presets_marked_answers_block_writing_until_confirmed(tmp_path: Path) -> None:
    out = tmp_path / "tree"
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await choose_origin(pilot, f"preset:{PRESET}")
        await next_step(pilot, 5)
        assert app.current == "preview"
        marked = app.state.pending()
        assert "products[0].nodes[0].host" in marked and "database.host" in marked
        # Next stops at them.
        await next_step(pilot)
        assert app.current == "preview"
        assert app.focused is app.query_one("#confirm-list")
        # The write step refuses, saying why, while any is pending.
        await app.show_step("write")
        app.query_one("#out", Input).value = str(out)
        app.query_one("#write", Button).press()
        await settle(pilot)
        assert "Not written" in str(app.query_one("#write-status", Static).render())
        assert not out.exists()
        # An item leads to the preview; there Enter on one goes to its field.
        await pilot.press("enter")
        await settle(pilot)
        assert app.current == "preview"
        confirm_list = app.query_one("#confirm-list", OptionList)
        confirm_list.focus()
        confirm_list.highlighted = marked.index("products[0].nodes[0].host")
        await pilot.press("enter")
        await settle(pilot)
        assert app.current == "nodes"
        assert app.focused is control(app, "products[0].nodes[0].host")
        # Changing a marked answer counts as confirming it.
        await type_into(pilot, "products[0].nodes[0].host", "10.7.7.11")
        assert "products[0].nodes[0].host" not in app.state.pending()
        await app.show_step("preview")
        await settle(pilot)
        # c confirms the one highlighted.
        confirm_list = app.query_one("#confirm-list", OptionList)
        confirm_list.focus()
        confirm_list.highlighted = 0
        await pilot.press("c")
        await settle(pilot)
        assert len(app.state.pending()) == len(marked) - 2
        await confirm_all(pilot)
        assert app.state.pending() == []
        assert not app.query_one("#confirm-list").display
        await next_step(pilot)
        assert app.current == "write"
        app.query_one("#out", Input).value = str(out)
        await next_step(pilot)
        assert app.state.written == out
    assert rules.check_tree(out) == []


async def test_quitting_a_resumed_unwritten_plan_asks_first(tmp_path: Path) -> None:
    # Before: after a resume with no edit, Ctrl+Q quit at once, the plan never written.
    first = make_app(tmp_path)
    async with first.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, f"preset:{PRESET}")
        await next_step(pilot)
        session_id = first.state.session.id
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("y")
    again = make_app(tmp_path, session=session_id)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(again.screen, ConfirmDialog)
        question = again.screen.query_one(Static)
        assert "not been written since it was resumed" in str(question.render())
        # The command reads whole on a row of its own, to be copied (it broke in two).
        rows = [strip.text.strip() for strip in question.render_lines(question.region.reset_offset)]
        assert f"carbon-wizard resume {session_id}" in rows, rows
        await pilot.press("n")  # Stay
        await settle(pilot)
        assert not isinstance(again.screen, ConfirmDialog)
        assert again.is_running


async def test_a_written_session_is_marked_on_start_until_it_changes(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_half(pilot)
        await second_half(pilot, tmp_path / "tree")
    again = make_app(tmp_path)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        origins = again.query_one("#origin", OptionList)
        [resume] = [
            str(origins.get_option_at_index(i).prompt)
            for i in range(origins.option_count)
            if str(origins.get_option_at_index(i).id).startswith("session:")
        ]
        assert "at write · tree written" in resume
    [entry] = sessions.list_sessions(tmp_path / "sessions").entries
    session = sessions.load(entry.id, dir=tmp_path / "sessions")
    assert session.written == str(tmp_path / "tree")
    session.answers["products"][0]["nodes"][0]["host"] = "10.9.9.11"
    sessions.save(session, dir=tmp_path / "sessions")
    assert sessions.list_sessions(tmp_path / "sessions").entries[0].written == "changed"


async def test_new_plan_asks_first_and_keeps_the_session_being_edited(tmp_path: Path) -> None:
    # Before: one Enter on "New plan" dropped the plan being edited, and the next save wrote
    # the new plan over its session.
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, f"preset:{PRESET}")
        await next_step(pilot)  # the plan's session is made on the first Next
        kept = app.state.session
        assert kept is not None
        await pilot.press("ctrl+b")
        await settle(pilot)
        await choose_origin(pilot, "new")
        assert isinstance(app.screen, ConfirmDialog)
        question = str(app.screen.query_one(Static).render())
        assert f"'{kept.name}' stays saved in its session" in question
        await pilot.press("n")  # Keep editing
        await settle(pilot)
        assert app.state.origin == f"preset:{PRESET}" and app.state.answers.get("products")
        await choose_origin(pilot, "new")
        await pilot.press("y")
        await settle(pilot)
        assert app.state.origin == "new" and not app.state.answers.get("products")
        await type_into(pilot, "name", "another-plan")
        await next_step(pilot)
        assert app.state.session is not None and app.state.session.id != kept.id
        app.save_session()
    old = sessions.load(kept.id, dir=tmp_path / "sessions")
    assert old.answers["products"], "the first plan's session keeps its answers"
    names = {e.name for e in sessions.list_sessions(tmp_path / "sessions").entries}
    assert names == {kept.name, "another-plan"}


async def test_new_plan_with_nothing_typed_starts_at_once(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, f"preset:{PRESET}")
        assert not isinstance(app.screen, ConfirmDialog)
        assert app.state.origin == f"preset:{PRESET}"


async def test_a_resumed_written_plan_is_offered_its_directory_again(tmp_path: Path) -> None:
    # Before: the Write step of a resumed, written session suggested ./<plan name>, and a
    # second tree could be written beside the one the nodes use.
    out = tmp_path / "elsewhere" / "tree"
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_half(pilot)
        await second_half(pilot, out)
        session_id = app.state.session.id
        await app.show_step("start")  # left at Start: saved "at start"
        await settle(pilot)
        await pilot.press("ctrl+q")  # written: quits at once, the session unlocked
        await settle(pilot)
    again = make_app(tmp_path, session=session_id)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.current == "products"  # a session left at Start opens at Products
        if isinstance(again.screen, PasswordsDialog):
            await pilot.press("escape")
            await settle(pilot)
        # Every step was gone through before the write: none is marked "not yet".
        marks = again.state.states()
        assert all(marks[s] != "todo" for s in ("products", "nodes", "layout", "database"))
        await again.show_step("write")
        await settle(pilot)
        assert again.query_one("#out", Input).value == str(out)
        # A new plan started from there suggests its own directory.
        await again.show_step("start")
        await settle(pilot)
        await choose_origin(pilot, "new")
        await pilot.press("y")
        await settle(pilot)
        assert again.state.out_dir == ""


async def test_opening_another_session_asks_and_saves_the_plan_left(tmp_path: Path) -> None:
    # Before: a Resume row switched at once (New plan and presets asked), and what was typed
    # in the last moment before (autosave waits for a pause) was not in the session left.
    other = sessions.new_session(
        "other-plan", {"schema_version": 1, "name": "other-plan"}, dir=tmp_path / "sessions"
    )
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, f"preset:{PRESET}")
        await next_step(pilot)
        left = app.state.session
        assert left is not None
        await pilot.press("ctrl+b")
        await settle(pilot)
        await type_into(pilot, "description", "typed just before")
        await choose_origin(pilot, f"session:{other.id}")
        assert isinstance(app.screen, ConfirmDialog)
        assert f"Open saved session {other.id}?" in str(app.screen.query_one(Static).render())
        await pilot.press("y")
        await settle(pilot)
        assert app.state.session is not None and app.state.session.id == other.id
    kept = sessions.load(left.id, dir=tmp_path / "sessions")
    assert kept.answers["description"] == "typed just before"


async def test_a_preset_started_again_is_a_plan_of_its_own_name(tmp_path: Path) -> None:
    sessions.new_session(PRESET, {"schema_version": 1, "name": PRESET}, dir=tmp_path / "sessions")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, f"preset:{PRESET}")
        assert app.state.answers["name"] == f"{PRESET}-2"
        assert control(app, "name").value == f"{PRESET}-2"
        note = str(app.query_one("#origin-note", Static).render())
        assert f"as plan {PRESET}-2" in note


async def test_the_preset_chosen_again_starts_it_again_after_asking(tmp_path: Path) -> None:
    # Before: Enter on the preset the plan came from did nothing, without a word.
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, f"preset:{PRESET}")
        await type_into(pilot, "description", "edited")
        await choose_origin(pilot, f"preset:{PRESET}")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert app.state.origin == f"preset:{PRESET}"
        assert app.state.answers["description"] != "edited"
