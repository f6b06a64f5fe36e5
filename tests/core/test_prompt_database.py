"""The prompt mode's Database step: Test connections against a real server, and a database
name or user refused where it is typed, in the words of the full-screen step."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.core.test_prompt import (
    BACKSPACE,
    CTRL_C,
    DOWN,
    ENTER,
    TO_DATABASE_MENU,
    database_messages,
    home,
    one_product,
    preset_run,
)
from wizard import answers, locations

__all__ = ["home"]  # the fixture, used by name

TEST_CONNECTIONS = f"{DOWN * 6}{ENTER}"  # the menu's last action
CHANGE_A_DATABASE = f"{DOWN * 2}{ENTER}{ENTER}"  # "Change a database", then the first one


def _real_answers(engine: str) -> Any:
    from tests import dbservers
    from tests.render.test_real_databases import real_plan

    srv = dbservers.server(engine)
    return srv, real_plan(srv, "shared")


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_prompt_test_connections_one_line_per_database(
    engine: str,
    home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.render.test_real_databases import cleanup, create

    monkeypatch.setenv("COLUMNS", "80")

    srv, plan = _real_answers(engine)
    create(srv, plan)
    try:
        data = answers.to_data(plan.topology, keep_passwords=True)
        um = data["database"]["user_management"]
        good = um["password"]
        um["password"] = good + "-wrong"
        am = data["products"][0]["databases"]["WSO2AM_DB"]
        del am["password"]
        am["password_env"] = "TEST_AM_DB_PASSWORD"  # not set in this run
        run = preset_run(home, tmp_path, "real", data)
        assert "TEST_AM_DB_PASSWORD" not in run.env
        keys = TO_DATABASE_MENU + TEST_CONNECTIONS + CTRL_C
        assert run(keys, preset="real") == 130
        printed = capsys.readouterr().out.split("── 5/7")[1]
    finally:
        cleanup(srv, plan)
    tested = printed.split("Testing 4 databases")[1].split("2 ok, 1 failed")[0].splitlines()
    # At 80 columns each line is wrapped at word ends under its mark, never by the terminal.
    assert max(len(line) for line in tested) <= 80, tested
    assert sum(line.startswith(("  ✓ ", "  ✗ ", "  – ")) for line in tested) == 4, tested
    out = " ".join(printed.split())
    assert "Testing 4 databases from this machine (at most 15 s)…" in out
    assert "✓ Registry (config + governance): ok, " in out
    assert f": auth: password rejected for user {um['user']} " in out
    assert (
        "login not tested: $TEST_AM_DB_PASSWORD is not set here (it is read when the tree is "
        f"written); set it, or type the password, to test the login of {am['user']}"
    ) in out
    assert "2 ok, 1 failed, 1 not tested. Fix what failed, then test again." in out
    assert good not in out and um["password"] not in out


def test_prompt_test_connections_with_a_closed_port(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    from tests.render.test_real_databases import on_this_machine

    data = on_this_machine(one_product("postgresql", host="127.0.0.1", port=port), "127.0.0.1")
    run = preset_run(home, tmp_path, "closed", data)
    assert run(TO_DATABASE_MENU + TEST_CONNECTIONS + CTRL_C, preset="closed") == 130
    out = capsys.readouterr().out
    assert f"refused: nothing listens on 127.0.0.1:{port}" in out
    assert "0 ok, 3 failed. Fix what failed, then test again." in out


def test_prompt_an_empty_database_name_is_refused_where_it_is_typed(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = one_product("postgresql")
    run = preset_run(home, tmp_path, "pg", data)
    # Emptied and Enter: refused, the question comes back with the name it had; a name
    # typed then is the answer.
    keys = (
        TO_DATABASE_MENU
        + CHANGE_A_DATABASE
        + BACKSPACE * 40
        + ENTER
        + BACKSPACE * 40
        + "WSO2_NEW_DB"
        + ENTER
        + ENTER  # the user, as it was
        + ENTER  # keep the password typed earlier
        + CTRL_C
    )
    assert run(keys, preset="pg") == 130
    registry = run.only_session().answers["database"]["registry"]
    assert registry["name"] == "WSO2_NEW_DB"
    assert registry["user"] == data["database"]["registry"]["user"]


@pytest.mark.parametrize(
    ("what", "value"),
    [("name", ""), ("name", "1bad"), ("user", ""), ("name", "X" * 80)],
)
def test_prompt_name_check_says_what_the_full_screen_step_says(
    what: str, value: str, home: Path
) -> None:
    """The validator's words are the model's for that field, which the full-screen step
    shows under it."""
    from wizard.prompt.wizard import PromptWizard

    data = one_product("postgresql")
    wizard = PromptWizard(
        env={locations.HOME_VARIABLE: str(home)},
        sessions_dir=home / "sessions",
        preset_dirs=[],
        io=(None, None),
    )
    wizard.draft.answers.update(copy.deepcopy(data))
    refused = wizard.identifier_check(what)(value)
    changed = copy.deepcopy(data)
    changed["database"]["registry"][what] = value
    [expected] = database_messages(changed, f"database.registry.{what}")
    assert refused == expected
    assert wizard.identifier_check(what)("WSO2_OK") is True


# ---- the topology picture at the preview, at 80 columns --------------------------------------


def _picture(out: str) -> list[str]:
    """The picture's lines in what the prompt mode printed: from its box to its legend."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("╔"))
    end = next(i for i, line in enumerate(lines) if line == "is shared by every product.")
    return lines[start : end + 1]


def test_prompt_preview_picture_fits_80_columns(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    data = one_product("postgresql")
    data["description"] = (
        "Identity Server 5.7.0 on PostgreSQL for the payments estate, with a description "
        "long enough to run past the right-hand side of an eighty-column terminal"
    )
    run = preset_run(home, tmp_path, "long", data)
    # Continue at the database menu: the preview draws the picture; Ctrl+C there.
    assert run(TO_DATABASE_MENU + ENTER + CTRL_C, preset="long") == 130
    picture = _picture(capsys.readouterr().out)
    assert max(len(line) for line in picture) <= 80, "\n".join(picture)
    box = [line for line in picture if line.startswith("║")]
    assert len({len(line) for line in box}) == 1 and all(line.endswith("║") for line in box)
    words = " ".join(line.strip("║ ") for line in box[1:])
    assert words == data["description"]
    # A product's lines, wrapped or not, keep its line down the left side.
    start = next(i for i, line in enumerate(picture) if line.startswith("┌─"))
    end = next(i for i, line in enumerate(picture) if line.startswith("└─"))
    assert all(line.startswith("│") for line in picture[start + 1 : end]), picture


def test_picture_without_a_width_is_unchanged_for_the_preview_and_topology_txt() -> None:
    """The full-screen preview scrolls sideways and topology.txt is a file: no width."""
    from tests.answers_fixtures import build
    from wizard import picture

    plan = build()
    wide = picture.render(plan)
    assert picture.render(plan, None) == wide
    assert max(len(line) for line in wide.splitlines()) > 80
    narrow = picture.render(plan, width=80)
    assert max(len(line) for line in narrow.splitlines()) <= 80

    def words(text: str) -> list[str]:
        return [w for w in text.split() if w.strip("│║╔╗╚╝═")]

    assert words(narrow) == words(wide)


def test_prompt_database_summary_fits_80_columns(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    data = one_product("postgresql")
    long_name = "WSO2_IDENTITY_DB_FOR_THE_PAYMENTS_ESTATE_IN_FRANKFURT"
    data["products"][0]["databases"]["WSO2_IDENTITY_DB"]["name"] = long_name
    run = preset_run(home, tmp_path, "long-names", data)
    assert run(TO_DATABASE_MENU + CTRL_C, preset="long-names") == 130
    step = capsys.readouterr().out.split("── 5/7")[1]
    summary = [line for line in step.splitlines() if line.startswith(("PostgreSQL on", "  "))]
    assert summary and max(len(line) for line in summary) <= 80, summary
    # Wrapped at word ends: the whole name is on one row, the row after it indented.
    (row,) = [i for i, line in enumerate(summary) if long_name in line]
    assert summary[row + 1].startswith("    ") and "password" in summary[row + 1]
