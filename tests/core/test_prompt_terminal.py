"""The prompt mode as an operator meets it at 80 columns: the command that reopens a session
in the same front end, choice lists and the write result readable whole, "Change a product"
asking what adding one asks, and a refused answer said at its own question and asked again
with the last good value."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import questionary
from prompt_toolkit.formatted_text import fragment_list_to_text, to_formatted_text
from questionary.prompts.common import InquirerControl

from tests.answers_fixtures import SHARED
from tests.core.test_distribution import apim_home
from tests.core.test_prompt import (
    BACKSPACE,
    CTRL_C,
    DOWN,
    ENTER,
    PRESET,
    PRESET_TO_WRITE,
    Run,
    home,
    one_product,
    preset_run,
)
from wizard import cli, locations, sessions, steps
from wizard.questions import DATABASE_PORT, DISTRIBUTION
from wizard.readme import next_steps_section

__all__ = ["home"]  # the fixture, used by name

WIDTH = 80


class Screen:
    """What questionary puts on the screen, in order: each question with the answer it
    offers, each choice list as its rows are drawn, and each refusal said under an answer."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []
        """(kind, question, default): kind is text, password, select or refused."""
        self.lists: list[list[str]] = []

    def questions(self, kind: str) -> list[tuple[str, str]]:
        return [(q, d) for k, q, d in self.events if k == kind]


@pytest.fixture
def screen(monkeypatch: pytest.MonkeyPatch) -> Iterator[Screen]:
    seen = Screen()
    text, password, select = questionary.text, questionary.password, questionary.select

    def on_text(message: str, default: str = "", **kwargs: Any) -> Any:
        seen.events.append(("text", " ".join(message.split()), default))
        return text(message, default=default, **kwargs)

    def on_password(message: str, **kwargs: Any) -> Any:
        seen.events.append(("password", " ".join(message.split()), ""))
        return password(message, **kwargs)

    def on_select(message: str, **kwargs: Any) -> Any:
        seen.events.append(("select", " ".join(message.split()), ""))
        question = select(message, **kwargs)
        control = next(
            w.content
            for w in question.application.layout.find_all_windows()
            if isinstance(w.content, InquirerControl)
        )
        drawn = fragment_list_to_text(to_formatted_text(control.text))
        seen.lists.append(drawn.rstrip("\n").split("\n"))
        return question

    from wizard.prompt.asking import Asking

    refused = Asking.refused

    def on_refused(self: Asking, message: str) -> None:
        seen.events.append(("refused", message, ""))
        refused(self, message)

    monkeypatch.setattr(questionary, "text", on_text)
    monkeypatch.setattr(questionary, "password", on_password)
    monkeypatch.setattr(questionary, "select", on_select)
    monkeypatch.setattr(Asking, "refused", on_refused)
    yield seen


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(WIDTH))


# ---- 1. the command that reopens a session -------------------------------------------------


@pytest.mark.parametrize(
    ("args", "variable", "front_end"),
    [
        (["--plain", "resume"], "", "plain"),
        (["resume", "--plain"], "", "plain"),
        (["resume"], "1", "plain"),
        (["resume"], "", "full-screen"),
    ],
)
def test_plain_holds_before_and_after_resume(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    variable: str,
    front_end: str,
) -> None:
    """`carbon-wizard --plain resume ID` opened the full-screen app: only `resume --plain ID`
    kept the plain questions."""
    monkeypatch.setenv(locations.HOME_VARIABLE, str(tmp_path))
    monkeypatch.setenv(steps.PLAIN_VARIABLE, variable)
    monkeypatch.setenv("TERM", "xterm-256color")
    session = sessions.new_session("p", copy.deepcopy(SHARED), "nodes", dir=tmp_path / "sessions")
    decide = steps.should_use_plain
    # On a terminal, which the test's standard input is not.
    monkeypatch.setattr(steps, "should_use_plain", lambda env, _i, _o: decide(env, True, True))
    opened: list[tuple[str, str]] = []

    def prompt(**kwargs: Any) -> int:
        opened.append(("plain", kwargs["start_session"]))
        return 0

    def app(**kwargs: Any) -> int:
        opened.append(("full-screen", kwargs["session"]))
        return 0

    monkeypatch.setattr("wizard.prompt.run_prompt", prompt)
    assert cli.main([*args, session.id], launch_app=app) == 0
    assert opened == [(front_end, session.id)]


def test_the_farewell_after_writing_reopens_the_plan_in_plain_questions(
    run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "apim"
    assert run(PRESET_TO_WRITE + f"{BACKSPACE * 200}{out}{ENTER}{ENTER}", preset=PRESET) == 0
    session = run.only_session()
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == f"Session {session.id} is kept; to reopen this plan: " + (
        f"carbon-wizard resume --plain {session.id}"
    )


@pytest.fixture
def run(home: Path) -> Run:
    return Run(home)


# ---- 2. choice lists at 80 columns ----------------------------------------------------------


def test_at_80_columns_the_preset_list_is_read_whole(
    run: Run, screen: Screen, narrow: None
) -> None:
    """The list cut each preset's line at the 80th column ("config and govern"): each choice
    is wrapped at word ends into rows that fit, its name whole on its first row."""
    from wizard import presets

    assert run(DOWN + ENTER + CTRL_C) == 130  # "Start from a preset", then the list
    found = [p for p in presets.list_presets(run.preset_dirs) if p.problem is None]
    rows = next(rows for rows in screen.lists if any(p.name in "".join(rows) for p in found))
    assert all(len(row) < WIDTH for row in rows), rows
    said = " ".join(" ".join(rows).split())
    for preset in found:
        # The name at the start of a row, after the pointer; every word of the description.
        assert any(row[3:].startswith(f"{preset.name} — ") for row in rows), preset.name
        assert " ".join(preset.description.split()) in said
    assert len(rows) > len(found)  # the long ones took a second row


# ---- 3. the write result as text ------------------------------------------------------------


def commands_of(lines: list[str]) -> list[str]:
    """The commands printed, each folded one joined again as the shell reads it."""
    commands: list[str] = []
    joined = ""
    for line in lines:
        if not (joined or line.startswith("    ")):
            continue
        joined += line.strip()
        if joined.endswith("\\"):  # " \\" between words; "\\" alone inside a broken path
            joined = joined[:-1]
            continue
        commands.append(joined)
        joined = ""
    return commands


def test_at_80_columns_the_write_result_is_plain_text_with_whole_commands(
    run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str], narrow: None
) -> None:
    """It was the README's Markdown, raw (`**`, backticks, `###`), with each command cut
    mid-word at the 80th column."""
    out = tmp_path / "apim"
    assert run(PRESET_TO_WRITE + f"{BACKSPACE * 200}{out}{ENTER}{ENTER}", preset=PRESET) == 0
    printed = capsys.readouterr().out
    lines = printed[printed.index("Wrote ") :].splitlines()
    text = "\n".join(lines)
    for markup in ("**", "`", "```", "\n#", "\n> "):
        assert markup not in text, markup
    assert lines.index("Read before you start") < lines.index(
        "1. Create the databases and users (database admin)"
    )
    commands = commands_of(lines)
    readme = next_steps_section((out / "README.md").read_text()).split("```")[1::2]
    for block in readme:
        for command in block.splitlines()[1:]:  # after the fence's "sh"
            assert command in commands, command
    for line in lines:
        # Only a word longer than a row (a path) goes past it, on a row of its own.
        assert len(line) <= WIDTH or " " not in line.strip().removesuffix(" \\"), line
    folded = [i for i, line in enumerate(lines) if line.endswith(" \\")]
    # Indented, but for the rest of a path broken inside (from the first column).
    inside = [i for i, line in enumerate(lines) if line.endswith("/\\")]
    assert folded and all(lines[i].startswith("  ") or i - 1 in inside for i in folded)


# ---- 4. "Change a product" asks the distribution ------------------------------------------


def test_change_a_product_asks_its_distribution_with_the_current_value(
    home: Path, tmp_path: Path, screen: Screen
) -> None:
    pack = apim_home(tmp_path)
    data = copy.deepcopy(SHARED)
    data["products"] = [copy.deepcopy(SHARED["products"][0])]
    data["products"][0].pop("distribution", None)
    run = preset_run(home, tmp_path, "one", data)
    change = DOWN * 2 + ENTER + ENTER + ENTER  # "Change a product", the one, its version
    keys = ENTER * 2 + change + f"{pack}{ENTER}{ENTER}"  # the pack; no load balancer
    keys += change + ENTER + ENTER + CTRL_C  # again: the pack kept, no load balancer
    assert run(keys, preset="one") == 130
    question = " ".join(DISTRIBUTION.ask(product="API Manager").split())
    assert screen.questions("text").count((question, "")) == 1
    assert screen.questions("text").count((question, str(pack))) == 1
    assert run.only_session().answers["products"][0]["distribution"] == str(pack)


# ---- 5. an empty password is refused at its own question ------------------------------------


def test_an_empty_password_before_writing_is_refused_at_its_question(
    home: Path, screen: Screen, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was taken, and refused only once every password had been asked."""
    from wizard.fields import check_password

    run = Run(home)
    run.env = {k: v for k, v in run.env.items() if not k.startswith("WSO2_")}
    keys = PRESET_TO_WRITE + ENTER + "  " + ENTER + "Reg-pw-1" + ENTER + CTRL_C
    assert run(keys, preset=PRESET) == 130
    asked = [(kind, q) for kind, q, _ in screen.events if kind in ("password", "refused")]
    registry = asked[0][1]
    assert "$WSO2_REG_DB_PASSWORD" in registry
    with pytest.raises(ValueError) as empty:
        check_password("")
    with pytest.raises(ValueError) as blank:
        check_password("  ")
    assert asked[:6] == [
        ("password", registry),
        ("refused", f"WSO2_REG_DB_PASSWORD: {empty.value}"),
        ("password", registry),
        ("refused", f"WSO2_REG_DB_PASSWORD: {blank.value}"),
        ("password", registry),
        ("password", asked[5][1]),
    ]
    assert "$WSO2_UM_DB_PASSWORD" in asked[5][1]
    said = " ".join(capsys.readouterr().out.split())
    assert f"✗ WSO2_REG_DB_PASSWORD: {empty.value}" in said


# ---- 6. a refused answer is asked again with the last good value ----------------------------


def test_a_refused_port_is_asked_again_with_the_last_good_one(
    home: Path, tmp_path: Path, screen: Screen
) -> None:
    data = one_product("postgresql", port=5433)
    run = preset_run(home, tmp_path, "pg", data)
    server = ENTER * 6 + DOWN + ENTER + ENTER + ENTER  # the server: engine, host as they are
    keys = server + BACKSPACE * 10 + "54x" + ENTER + ENTER + CTRL_C
    assert run(keys, preset="pg") == 130
    port = [e for e in screen.events if e[1] == DATABASE_PORT.question or e[0] == "refused"]
    assert port == [
        ("text", DATABASE_PORT.question, "5433"),
        ("refused", "'54x' is not a TCP port; use a whole number 1-65535", ""),
        ("text", DATABASE_PORT.question, "5433"),
    ]
    assert run.only_session().answers["database"]["port"] == 5433


def test_a_refused_distribution_path_comes_back_to_mend(
    run: Run, tmp_path: Path, screen: Screen
) -> None:
    """A long path is the one kind kept when refused: one wrong character is mended."""
    missing = tmp_path / "nope" / "wso2am-2.6.0.zip"
    keys = ENTER + f"plan-d{ENTER}{ENTER}{ENTER}{ENTER}{missing}{ENTER}{CTRL_C}"
    assert run(keys) == 130
    question = " ".join(DISTRIBUTION.ask(product="API Manager").split())
    assert screen.questions("text")[-2:] == [(question, ""), (question, str(missing))]
