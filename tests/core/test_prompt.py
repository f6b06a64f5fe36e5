"""The prompt mode, driven through prompt_toolkit's pipe input, and the shared steps."""

from __future__ import annotations

import copy
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from tests.answers_fixtures import SHARED, variant
from wizard import locations, sessions, steps
from wizard.prompt import NO_TERMINAL, run_prompt
from wizard.questions import TLS_HINT, share_question
from wizard.steps import STEP_IDS, expand_hosts, should_use_plain, step_for_path

ROOT = Path(__file__).resolve().parents[2]
ENTER = "\r"
DOWN = "\x1b[B"
CTRL_C = "\x03"
BACKSPACE = "\x7f"
PRESET = "apim-2node-mysql"
PRESET_ENV = {
    "WSO2_REG_DB_PASSWORD": "reg-pw-1",
    "WSO2_UM_DB_PASSWORD": "um-pw-2",
    "WSO2_AM_DB_PASSWORD": "am-pw-3",
}
# Start (name, keep passwords), then Continue on products, nodes and database, the layout
# question and its menu, and "Write the tree" at the preview; then "Confirm all" of the six
# site-specific answers the preset marks.
SITE_ANSWERS = 6
PRESET_TO_WRITE = ENTER * 8 + ENTER
ONE_BY_ONE = DOWN + ENTER
"""At Write, the site-specific answers gone through one by one instead of all at once."""


def tree_modules_missing() -> str | None:
    """Why the tree cannot be built yet (render, rules and sql are written by others)."""
    try:
        import wizard.output
        import wizard.tree  # noqa: F401
    except ImportError as exc:
        return f"the tree writer is not importable yet: {exc}"
    return None


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    # A wide terminal: the tests read each message whole (80 columns is tested on its own).
    monkeypatch.setenv("COLUMNS", "1000")
    return tmp_path / "home"


class Run:
    def __init__(self, home: Path, extra_presets: Path | None = None) -> None:
        self.env = {locations.HOME_VARIABLE: str(home), **PRESET_ENV}
        self.sessions_dir = locations.sessions_dir(self.env)
        self.preset_dirs = locations.preset_dirs(self.env)
        if extra_presets is not None:
            self.preset_dirs.append(extra_presets)

    def __call__(self, keys: str, **kwargs: Any) -> int:
        with create_pipe_input() as pipe:
            pipe.send_text(keys)
            return run_prompt(
                env=self.env,
                sessions_dir=self.sessions_dir,
                preset_dirs=self.preset_dirs,
                input=pipe,
                output=DummyOutput(),
                **kwargs,
            )

    def only_session(self) -> sessions.Session:
        listed = sessions.list_sessions(self.sessions_dir)
        assert len(listed) == 1, listed
        return sessions.load(listed.entries[0].id, dir=self.sessions_dir)


@pytest.fixture
def run(home: Path) -> Run:
    return Run(home)


def files_of(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# ---- the prompt mode end to end ------------------------------------------------------------


def test_preset_to_written_tree_matches_generate(
    run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tree_modules_missing()
    if missing:
        pytest.skip(missing)
    from wizard import answers, plan, presets, tree
    from wizard.output import write_tree

    out = tmp_path / "out-prompt"
    keys = PRESET_TO_WRITE + f"{BACKSPACE * 200}{out}{ENTER}" + ENTER
    assert run(keys, preset=PRESET) == 0, capsys.readouterr()
    printed = capsys.readouterr().out
    assert f"to {out}" in printed

    # The operator confirmed every site-specific answer; the preset's marks are settled.
    topology = answers.load(presets.find(PRESET, run.preset_dirs)).model_copy(
        update={"confirm": []}
    )
    expected = tmp_path / "out-generate"
    write_tree(tree.build(plan.build(topology, run.env)), expected)
    assert files_of(out) == files_of(expected)
    # The session stays, at the last step, for a later `resume`, and is listed as written
    # until its answers change.
    session = run.only_session()
    assert session.step == "write"
    assert session.written == str(out)
    [entry] = sessions.list_sessions(run.sessions_dir).entries
    assert entry.written == "written"
    session.answers["products"][0]["nodes"][1]["host"] = "10.0.1.99"
    sessions.save(session, dir=run.sessions_dir)
    [entry] = sessions.list_sessions(run.sessions_dir).entries
    assert entry.written == "changed"
    assert "changed" in sessions.format_list(sessions.list_sessions(run.sessions_dir))


def test_a_write_says_what_an_interrupted_write_had_left(
    run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from wizard.placing import STAGING_MARK

    out = tmp_path / "trees" / "apim"
    left = out.parent / ".apim.tmp-999999999-abcdef"  # a killed write's, its process gone
    left.mkdir(parents=True)
    (left / STAGING_MARK).write_text("")
    (left / "secret.txt").write_text("an old password")
    keys = PRESET_TO_WRITE + f"{BACKSPACE * 200}{out}{ENTER}" + ENTER
    assert run(keys, preset=PRESET) == 0
    printed = capsys.readouterr().out
    assert not left.exists()
    assert f"note: removed {left}, an unfinished tree an interrupted write left" in printed


def test_the_preview_shows_each_files_diff_when_asked(
    run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tree_modules_missing()
    if missing:
        pytest.skip(missing)
    from wizard import answers, plan, presets, tree

    # At the preview: "Show the changes" (the second choice), then Ctrl+C at the next "Next:".
    keys = ENTER * 7 + DOWN + ENTER + CTRL_C
    run(keys, preset=PRESET)
    printed = capsys.readouterr().out
    topology = answers.load(presets.find(PRESET, run.preset_dirs))
    expected = tree.diffs(plan.build(topology, run.env))
    assert expected and all(d.diff for d in expected if d.path.endswith("registry.xml"))
    for diff in expected:
        assert (diff.diff or f"nodes/{diff.node}/{diff.path}: no change") in printed
    for password in PRESET_ENV.values():
        assert password not in printed


def test_replacing_a_non_empty_directory_is_confirmed(
    run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tree_modules_missing()
    if missing:
        pytest.skip(missing)
    target = tmp_path / PRESET  # the default answer: ./<plan name>
    target.mkdir()
    (target / "mine.txt").write_text("keep me")
    # Refuse once (asked again), then accept the default again and replace.
    keys = PRESET_TO_WRITE + ENTER + "n" + ENTER + "y" + ENTER
    assert run(keys, preset=PRESET) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert out.count("is not empty") == 0  # the question went to the terminal, not stdout
    assert (target / "README.md").exists() and not (target / "mine.txt").exists()
    backups = [p for p in tmp_path.iterdir() if p.name.startswith(f"{PRESET}.bak-")]
    assert [(b / "mine.txt").read_text() for b in backups] == ["keep me"]
    assert "previous contents are kept in" in out


def test_new_plan_with_typed_passwords_then_resume(
    run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "Typed-PW-xyzzy-93"
    spec = f"{ENTER}{ENTER}{ENTER}{secret}{ENTER}{secret}{ENTER}"  # name, user, type it
    keys = (
        ENTER  # start a new plan
        + f"plan-a{ENTER}{ENTER}"  # name, do not keep passwords
        + f"{ENTER}{ENTER}{ENTER}{ENTER}"  # API Manager, 2.6.0, no distribution, no other
        + ENTER  # products: continue
        + f"10.0.1.{{11..12}}{ENTER}{ENTER}"  # two hosts, prefix apim
        + ENTER  # nodes: continue
        + ENTER * 2  # layout shared, continue
        + f"{ENTER}db1.example.com{ENTER}{ENTER}"  # MySQL 8, host, port 3306
        + spec * 3  # registry, user management, WSO2AM_DB
        + ENTER  # database: continue
        + CTRL_C  # at the preview's last question
    )
    assert run(keys) == 130
    printed = capsys.readouterr().out
    assert "apim-1           10.0.1.11" in printed  # the picture was shown
    session = run.only_session()
    assert printed.strip().endswith(
        f"Session 'plan-a' saved. Resume with: carbon-wizard resume --plain {session.id}"
    )
    assert session.step == "preview"
    raw = (run.sessions_dir / f"{session.id}.json").read_bytes()
    assert secret.encode() not in raw
    assert [n["host"] for n in session.answers["products"][0]["nodes"]] == [
        "10.0.1.11",
        "10.0.1.12",
    ]
    assert session.answers["database"] == {
        "engine": "mysql8",
        "host": "db1.example.com",
        "registry": {"name": "WSO2_REG_DB", "user": "wso2reg"},
        "user_management": {"name": "WSO2_UM_DB", "user": "wso2um"},
    }
    assert not (run.sessions_dir / f"{session.id}.lock").exists()

    # Resuming asks for the three passwords again, then goes on from the preview.
    again = "Second-PW-4471"
    retype = f"{ENTER}{again}{ENTER}{again}{ENTER}"
    assert run(retype * 3 + CTRL_C, start_session=session.id[:6]) == 130
    printed = capsys.readouterr().out
    assert "did not keep passwords" in printed
    assert "at step 'Preview'" in printed
    # The preview drew the plan, so the retyped passwords completed the answers; the file
    # still leaves them out, and still lists them for the next resume.
    assert "apim-2           10.0.1.12" in printed
    resumed = sessions.load(session.id, dir=run.sessions_dir)
    assert len(sessions.missing_passwords(resumed)) == 3
    assert again.encode() not in (run.sessions_dir / f"{session.id}.json").read_bytes()


def test_ctrl_c_keeps_the_session(run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(ENTER + ENTER + CTRL_C, preset=PRESET) == 130
    out = capsys.readouterr().out
    session = run.only_session()
    said = "Session 'apim-2node-mysql' saved. Resume with: carbon-wizard resume --plain"
    assert f"{said} {session.id}" in out
    assert session.step == "products"
    assert session.answers["products"][0]["nodes"][1]["host"] == "10.0.1.12"


def test_without_a_terminal_it_says_how_to_run_unattended(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom pathlib import Path\nfrom wizard.prompt import run_prompt\n"
        f"sys.exit(run_prompt(env={{}}, sessions_dir=Path({str(tmp_path)!r}), preset_dirs=[]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert NO_TERMINAL in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_closed_input_is_the_same_as_no_terminal(
    run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    with create_pipe_input() as pipe:
        pipe.close()
        code = run_prompt(
            env=run.env,
            sessions_dir=run.sessions_dir,
            preset_dirs=run.preset_dirs,
            input=pipe,
            output=DummyOutput(),
        )
    assert code == 2
    assert NO_TERMINAL in capsys.readouterr().err


def test_step_problems_are_shown_and_the_field_asked_again(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    presets_dir = tmp_path / "my-presets"
    presets_dir.mkdir()
    clash = variant("products[0].nodes[1].host", "10.0.1.11")
    (presets_dir / "clash.toml").write_text(tomli_w.dumps(clash))
    run = Run(home, presets_dir)
    # Start; products continue; at the nodes step the offset of apim-2 is asked again.
    keys = ENTER * 3 + f"{BACKSPACE}1{ENTER}" + ENTER + CTRL_C
    assert run(keys, preset="clash") == 130
    out = capsys.readouterr().out
    assert "products[0].nodes[1].offset: nodes apim-1 (offset 0) and apim-2 (offset 0)" in out
    session = run.only_session()
    assert session.answers["products"][0]["nodes"][1]["offset"] == 1
    assert session.step == "layout"
    # The nodes step showed only its own problem, not the database's missing passwords.
    assert "password" not in out.split("── 3/7")[1].split("── 4/7")[0]


def test_at_80_columns_step_help_and_problems_wrap_at_word_ends(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    presets_dir = tmp_path / "my-presets"
    presets_dir.mkdir()
    (presets_dir / "clash.toml").write_text(
        tomli_w.dumps(variant("products[0].nodes[1].host", "10.0.1.11"))
    )
    run = Run(home, presets_dir)
    assert run(ENTER * 3 + f"{BACKSPACE}1{ENTER}" + ENTER + CTRL_C, preset="clash") == 130
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]
    # A problem's rows after the first hang under its text; read back whole, it is the
    # model's sentence, no word cut in two.
    problem = next(i for i, line in enumerate(lines) if "✗ products[0].nodes[1].offset" in line)
    rows = [lines[problem]]
    rows += itertools.takewhile(lambda line: line.startswith("    "), lines[problem + 1 :])
    assert len(rows) > 1
    whole = " ".join(row.strip() for row in rows)
    assert whole.startswith("✗ products[0].nodes[1].offset: nodes apim-1 (offset 0) and apim-2")
    assert all(not row.rstrip().endswith("-") for row in rows)


def test_switching_to_split_layout_makes_the_new_databases_from_the_registry_one(
    run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = (
        ENTER * 4  # start, products, nodes
        + DOWN
        + ENTER  # layout: split
        + ENTER  # layout: continue
        + ENTER  # database: nothing to ask (user and password kept), continue
        + CTRL_C  # at the preview
    )
    assert run(keys, preset=PRESET) == 130
    db = run.only_session().answers["database"]
    assert db["layout"] == "split" and "registry" not in db
    assert db["config"] == {
        "name": "WSO2_CONFIG_DB",
        "user": "wso2reg",
        "password_env": "WSO2_REG_DB_PASSWORD",
    }
    assert db["governance"]["name"] == "WSO2_GOV_DB"
    assert "registry layout 'split'" in capsys.readouterr().out


def test_session_in_use_is_refused(run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    session = sessions.new_session("busy", {}, dir=run.sessions_dir)
    with sessions.lock(session.id, dir=run.sessions_dir):
        assert run("", start_session=session.id) == 2
    err = capsys.readouterr().err
    assert f"pid {os.getpid()}" in err and "is open in another carbon-wizard" in err


def test_unknown_preset_is_a_message(run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("", preset="no-such-preset") == 2
    err = capsys.readouterr().err
    assert "no preset named 'no-such-preset'" in err and "Traceback" not in err


def test_prompt_module_loads_only_questionary() -> None:
    code = (
        "import sys, wizard.prompt\n"
        "heavy = ('pydantic', 'lxml', 'textual', 'screens')\n"
        "print(','.join(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


# ---- the shared steps ----------------------------------------------------------------------


def test_steps_in_order() -> None:
    # The layout decides which registry databases there are, so it comes before the step
    # that names them.
    assert STEP_IDS == ("start", "products", "nodes", "layout", "database", "preview", "write")
    assert all(s.title and s.help for s in steps.STEPS)
    assert steps.next_step("layout") == "database"
    assert steps.next_step("database") == "preview"


@pytest.mark.parametrize(
    ("path", "step"),
    [
        ("", "preview"),
        ("name", "start"),
        ("description", "start"),
        ("products", "products"),
        ("products[0]", "products"),
        ("products[0].id", "products"),
        ("products[0].version", "products"),
        ("products[1].profile", "products"),
        ("products[0].distribution", "products"),
        ("products[0].nodes", "nodes"),
        ("products[0].nodes[1].host", "nodes"),
        ("products[2].nodes[0].offset", "nodes"),
        ("cluster.clustering", "nodes"),
        ("cluster", "nodes"),
        ("cluster.driver_jar", "database"),
        ("database", "database"),
        ("database.engine", "database"),
        ("database.host", "database"),
        ("database.registry.user", "database"),
        ("database.registry.password_env", "database"),
        ("database.user_management", "database"),
        ("database.layout", "layout"),
        ("database.registry", "layout"),
        ("database.config", "layout"),
        ("database.governance", "layout"),
        ("products[0].databases.WSO2AM_DB", "database"),
        ("products[0].databases.WSO2AM_DB.name", "database"),
        ("products[0].config_database", "layout"),
        ("products[0].config_database.user", "database"),
        ("products[0].config_target", "layout"),
        ("nonsense", "start"),
    ],
)
def test_step_for_path(path: str, step: str) -> None:
    assert step_for_path(path) == step


def test_problems_for_step_shows_only_that_steps_problems() -> None:
    # Answers as they stand after the products step: nothing about nodes or databases yet.
    data: dict[str, Any] = {"name": "p", "products": [{"id": "apim", "version": "9.9.9"}]}
    problems = steps.problems_for_step(data, "products")
    assert [p.path for p in problems] == ["products[0].version"]
    assert "known: 2.0.0" in problems[0].message
    assert steps.problems_for_step(data, "start") == []
    # Later-step placeholders never leak into an earlier step.
    data["products"][0]["version"] = "2.6.0"
    assert steps.problems_for_step(data, "products") == []
    # A cross-field check of the nodes step runs before any database is given.
    data["products"][0]["nodes"] = [
        {"id": "a-1", "host": "10.0.0.1"},
        {"id": "a-2", "host": "10.0.0.1"},
    ]
    # (One offset on one host: said once, at the offset, though the member ports clash too.)
    assert [p.path for p in steps.problems_for_step(data, "nodes")] == [
        "products[0].nodes[1].offset",
    ]


def test_problems_by_step_groups_in_step_order() -> None:
    data = copy.deepcopy(SHARED)
    data["products"][0]["nodes"][0]["host"] = "not a host"
    del data["database"]["registry"]["password"]
    data["database"]["layout"] = "sideways"
    grouped = steps.problems_by_step(data)
    assert list(grouped) == ["nodes", "layout", "database"]
    assert steps.problems_by_step(copy.deepcopy(SHARED)) == {}


def test_expand_hosts() -> None:
    assert expand_hosts("10.0.1.{11..13}") == ["10.0.1.11", "10.0.1.12", "10.0.1.13"]
    assert expand_hosts("apim{01..02}.lan") == ["apim01.lan", "apim02.lan"]
    assert expand_hosts("{a,b}.x{1..2}") == ["a.x1", "a.x2", "b.x1", "b.x2"]
    assert expand_hosts("h1, h2 h3") == ["h1", "h2", "h3"]
    for bad, message in [
        ("", "no value"),
        ("10.0.1.{13..11}", "counts down"),
        ("10.0.{1..100}.{1..100}", "at most 64"),
        ("x{1}", "neither a range"),
        ("a, a", "twice"),
    ]:
        with pytest.raises(ValueError, match=message):
            expand_hosts(bad)


@pytest.mark.parametrize(
    ("env", "stdin", "stdout", "plain", "note"),
    [
        ({"TERM": "xterm-256color"}, True, True, False, None),
        ({"TERM": "dumb"}, True, True, True, "TERM=dumb"),
        ({}, True, True, True, "TERM is not set"),
        ({"TERM": "xterm"}, True, False, True, "standard output is not a terminal"),
        ({"TERM": "xterm"}, False, True, True, "standard input is not a terminal"),
        ({"TERM": "xterm", "CARBON_WIZARD_PLAIN": "1"}, True, True, True, None),
    ],
)
def test_should_use_plain(
    env: dict[str, str], stdin: bool, stdout: bool, plain: bool, note: str | None
) -> None:
    got, message = should_use_plain(env, stdin, stdout)
    assert got is plain
    if note is None:
        assert message is None
    else:
        assert message is not None and note in message


def test_sessions_written_by_the_prompt_are_plain_json(run: Run) -> None:
    assert run(ENTER + ENTER + CTRL_C, preset=PRESET) == 130
    session = run.only_session()
    data = json.loads((run.sessions_dir / f"{session.id}.json").read_text())
    assert data["answers"]["name"] == "apim-2node-mysql"
    assert data["keep_passwords"] is False


def test_a_site_answer_refused_at_write_is_asked_again(
    run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Keep the database host, refuse the registry user ("n" answers at once) and give
    # another, keep the rest;
    # the plan is shown again, then written to the default folder (./<plan name>).
    new_user = f"{BACKSPACE * 40}siteuser{ENTER}"
    keys = ENTER * 8 + ONE_BY_ONE + ENTER + "n" + new_user + ENTER * (SITE_ANSWERS - 2)
    keys += ENTER * 3
    assert run(keys, preset=PRESET) == 0, capsys.readouterr()
    assert "came from the preset and are site-specific" in capsys.readouterr().out
    topology = (tmp_path / PRESET / "topology.toml").read_text()
    assert 'user = "siteuser"' in topology and "confirm" not in topology


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The yes/no questions the prompt mode asks, in order."""
    from wizard.prompt.asking import Asking

    questions: list[str] = []
    confirm = Asking.confirm

    def recorded(self: Asking, message: str, default: bool) -> bool:
        questions.append(message)
        return confirm(self, message, default)

    monkeypatch.setattr(Asking, "confirm", recorded)
    return questions


def test_site_answers_are_asked_by_the_forms_names(
    run: Run, asked: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Named as the full-screen Preview lists them: the form's card, then the field."""
    keys = ENTER * 8 + ONE_BY_ONE + ENTER * SITE_ANSWERS + ENTER * 2
    assert run(keys, preset=PRESET) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert f"{SITE_ANSWERS} answer(s) came from the preset" in out
    # Listed on the preview already, in the same words, before Write is chosen.
    assert "  ? Database · Server host = 'db.example.com'" in out.split("Rule checks")[1]
    kept = [m for m in asked if m.endswith("for this site?")]
    assert len(kept) == SITE_ANSWERS
    assert "Keep Database · Server host = 'db.example.com' for this site?" in kept
    assert "Keep API Manager · node apim-1 · host = '10.0.1.11' for this site?" in kept
    assert not [m for m in kept if "products[" in m or "database." in m]


# ---- the products step: user store, LDAP server, load balancers ----------------------------

UP = "\x1b[A"
LDAP = {
    "url": "ldaps://ldap.example.com:636",
    "bind_dn": "uid=admin,ou=system",
    "user_search_base": "ou=Users,dc=example,dc=com",
    "group_search_base": "ou=Groups,dc=example,dc=com",
}
# A new plan: start new, its name, do not keep passwords.
NEW_PLAN = f"{ENTER}plan-s{ENTER}{ENTER}"
# Identity Server (the second product), its newest version, no distribution.
ADD_IS = f"{DOWN}{ENTER}{ENTER}{ENTER}"


def preset_run(home: Path, tmp_path: Path, name: str, data: dict[str, Any]) -> Run:
    presets_dir = tmp_path / "my-presets"
    presets_dir.mkdir(exist_ok=True)
    (presets_dir / f"{name}.toml").write_text(tomli_w.dumps(data))
    return Run(home, presets_dir)


def products_messages(data: dict[str, Any], path: str) -> list[str]:
    """What the model says at `path` when the products step checks `data`."""
    found = steps.problems_for_step(copy.deepcopy(data), "products")
    return [p.message for p in found if p.path == path]


def test_prompt_identity_server_asks_the_user_store_jdbc_first(
    run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    # The user store question comes after the distribution; Enter takes jdbc. Then no other
    # product, and Ctrl+C at the products menu.
    keys = NEW_PLAN + ADD_IS + ENTER + ENTER + CTRL_C
    assert run(keys) == 130
    assert "1. Identity Server 5.8.0 · users in jdbc" in capsys.readouterr().out
    # jdbc is the default and left out, as the full-screen wizard leaves it out.
    assert run.only_session().answers["products"] == [{"id": "is", "version": "5.8.0"}]


def test_prompt_ldap_asks_for_the_server_and_keeps_the_password_out_of_the_session(
    run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "Bind-PW-31337"
    keys = (
        NEW_PLAN
        + ADD_IS
        + f"{DOWN}{ENTER}"  # ldap
        + f"{LDAP['url']}{ENTER}{LDAP['bind_dn']}{ENTER}"
        + f"{ENTER}{secret}{ENTER}{secret}{ENTER}"  # type the bind password, twice
        + f"{LDAP['user_search_base']}{ENTER}{LDAP['group_search_base']}{ENTER}"
        + ENTER  # no other product
        + ENTER  # products: continue
        + CTRL_C  # at the nodes step's first question
    )
    assert run(keys) == 130
    assert "1. Identity Server 5.8.0 · users in ldap" in capsys.readouterr().out
    session = run.only_session()
    assert session.step == "nodes"
    product = session.answers["products"][0]
    assert product["user_store"] == "ldap"
    assert product["ldap"] == LDAP  # the typed password is not kept in the session
    assert session.dropped_passwords == ["products[0].ldap.password"]
    assert secret.encode() not in (run.sessions_dir / f"{session.id}.json").read_bytes()


def test_prompt_a_bad_ldap_url_is_refused_where_it_is_typed(
    run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    # http:// is refused by the question itself; the LDAP URL is then typed again.
    keys = (
        NEW_PLAN
        + ADD_IS
        + f"{DOWN}{ENTER}"
        + f"http://ldap.example.com{ENTER}{BACKSPACE * 40}{LDAP['url']}{ENTER}"
        + CTRL_C
    )
    assert run(keys) == 130
    assert run.only_session().answers["products"][0]["ldap"] == {"url": LDAP["url"]}


def test_prompt_embedded_ldap_on_two_is_nodes_is_refused_and_asked_again(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = copy.deepcopy(SHARED)
    data["products"] = [copy.deepcopy(SHARED["products"][1])]
    data["products"][0]["user_store"] = "embedded-ldap"
    data["products"][0]["nodes"].append({"id": "is-2", "host": "is-2.example.com"})
    data["products"][0]["databases"]["BPS_DS"] = {
        "name": "WSO2IS_BPS_DB",
        "user": "isbpsadmin",
        "password_env": "IS_DB_PASSWORD",
    }
    [expected] = products_messages(data, "products[0].user_store")
    assert "its 2 nodes would each keep their own users" in expected
    run = preset_run(home, tmp_path, "lone-ldap", data)
    # Start; at the products step the user store is asked again: Up twice to jdbc; then
    # continue, and Ctrl+C at the nodes step.
    keys = ENTER * 2 + UP * 2 + ENTER + ENTER + CTRL_C
    assert run(keys, preset="lone-ldap") == 130
    out = capsys.readouterr().out
    assert f"✗ products[0].user_store: {expected}" in out.split("── 2/7")[1]
    session = run.only_session()
    assert "user_store" not in session.answers["products"][0]
    assert session.step == "nodes"


def test_prompt_clustered_api_manager_and_key_manager_are_asked_for_load_balancers(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import tomllib

    from wizard import presets

    preset = presets.find("apim-is-km-mysql8", [locations.bundled_presets_dir()])
    data = tomllib.loads(preset.read_text())
    for product in data["products"]:
        del product["load_balancer"]
    expected = {pi: products_messages(data, f"products[{pi}].load_balancer")[0] for pi in (0, 1)}
    assert "with 2 API Manager nodes a URL to one node has no failover" in expected[0]
    assert (
        "with 2 Identity Server as Key Manager nodes a URL to one node has no failover"
        in expected[1]
    )
    run = preset_run(home, tmp_path, "km-no-lb", data)
    # Start; the key manager's load balancer is asked first, then API Manager's; continue.
    keys = ENTER * 2 + f"km.example.com:8443{ENTER}apim.example.com{ENTER}" + ENTER + CTRL_C
    assert run(keys, preset="km-no-lb") == 130
    out = capsys.readouterr().out.split("── 2/7")[1]
    for pi in (0, 1):
        assert f"✗ products[{pi}].load_balancer: {expected[pi]}" in out
    session = run.only_session()
    assert [p["load_balancer"] for p in session.answers["products"]] == [
        "apim.example.com",
        "km.example.com:8443",
    ]
    assert session.step == "nodes"


def test_prompt_a_product_changed_to_api_manager_loses_its_user_store(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = copy.deepcopy(SHARED)
    data["products"] = [
        {
            "id": "is-km",
            "version": "5.7.0",
            "user_store": "ldap",
            "ldap": {**LDAP, "password_env": "LDAP_PASSWORD"},
            "nodes": [{"id": "km-1", "host": "10.0.2.11"}],
        }
    ]
    [expected] = products_messages(data, "products[0].id")
    run = preset_run(home, tmp_path, "lone-km", data)
    # The key manager needs API Manager: "Change the product", Up twice to API Manager,
    # its newest version; then Ctrl+C at the products menu.
    keys = ENTER * 2 + ENTER + UP * 2 + ENTER + ENTER + CTRL_C
    assert run(keys, preset="lone-km") == 130
    assert f"✗ products[0].id: {expected}" in capsys.readouterr().out
    product = run.only_session().answers["products"][0]
    assert product == {
        "id": "apim",
        "version": "2.6.0",
        "nodes": [{"id": "km-1", "host": "10.0.2.11"}],
    }


def test_prompt_the_ldap_server_comes_back_after_jdbc_was_chosen_for_a_while(
    home: Path, tmp_path: Path
) -> None:
    data = copy.deepcopy(SHARED)
    data["products"] = [copy.deepcopy(SHARED["products"][1])]
    data["products"][0].update(user_store="ldap", ldap={**LDAP, "password_env": "LDAP_PW"})
    run = preset_run(home, tmp_path, "is-ldap", data)
    # Change, the product, version, no distribution, no load balancer.
    change = DOWN * 2 + ENTER + ENTER + ENTER + ENTER + ENTER
    keys = (
        ENTER * 2
        + change
        + UP
        + ENTER  # jdbc
        + change
        + DOWN
        + ENTER  # ldap again: each answer is offered as it was
        + ENTER * 2  # url, bind DN
        + ENTER  # keep reading the password from $LDAP_PW
        + ENTER * 2  # search bases
        + CTRL_C
    )
    assert run(keys, preset="is-ldap") == 130
    product = run.only_session().answers["products"][0]
    assert product["user_store"] == "ldap"
    assert product["ldap"] == {**LDAP, "password_env": "LDAP_PW"}


# ---- the database step: the JDBC driver MariaDB is reached through, and TLS ----------------

# Start (name, keep passwords), then Continue on the products and nodes steps, the layout
# question and its menu: at the database step's first question, its menu when nothing is
# wrong.
TO_DATABASE_MENU = ENTER * 6
SERVER = f"{DOWN}{ENTER}"  # "Change the engine, server or port"
TLS = f"{DOWN * 4}{ENTER}"  # "Encrypt connections to the database (TLS)"


def one_product(engine: str, **database: Any) -> dict[str, Any]:
    """The shared answers with only Identity Server (one node, no load balancer to ask),
    on `engine`, with passwords every engine takes."""
    data = copy.deepcopy(SHARED)
    data["products"] = [copy.deepcopy(SHARED["products"][1])]
    data["database"]["registry"]["password"] = "reg-secret"
    data["database"].update(engine=engine, **database)
    return data


def database_messages(data: dict[str, Any], path: str) -> list[str]:
    """What the model says at `path` when the database step checks `data`."""
    found = steps.problems_for_step(copy.deepcopy(data), "database")
    return [p.message for p in found if p.path == path]


def test_prompt_mariadb_asks_the_driver_mysql_first(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = preset_run(home, tmp_path, "maria", one_product("mariadb"))
    keys = (
        TO_DATABASE_MENU
        + SERVER
        + ENTER  # the engine: MariaDB, as it was
        + ENTER  # the driver: the MySQL driver comes first, and is taken
        + ENTER * 2  # host, port
        + SERVER
        + ENTER
        + f"{DOWN}{ENTER}"  # MariaDB Connector/J
        + ENTER * 2
        + ENTER  # database: continue
        + CTRL_C  # at the preview
    )
    assert run(keys, preset="maria") == 130
    out = capsys.readouterr().out.split("── 5/7")[1]
    first, second = out.split("MariaDB on db.example.com:3306")[2:4]
    # The MySQL driver is the model's default: nothing was added to the answers for it.
    assert first.startswith(" · MySQL driver · TLS off")
    assert second.startswith(" · MariaDB Connector/J · TLS off")
    session = run.only_session()
    assert session.step == "preview"
    assert session.answers["database"]["jdbc_driver"] == "mariadb"


def test_prompt_postgresql_asks_no_driver_and_drops_it(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = preset_run(home, tmp_path, "maria", one_product("mariadb", jdbc_driver="mariadb"))
    # PostgreSQL comes after MariaDB; no driver is asked; host, port (5432); Ctrl+C.
    keys = TO_DATABASE_MENU + SERVER + f"{DOWN}{ENTER}" + ENTER * 2 + CTRL_C
    assert run(keys, preset="maria") == 130
    assert "PostgreSQL on db.example.com:5432 · TLS off" in capsys.readouterr().out
    db = run.only_session().answers["database"]
    assert db["engine"] == "postgresql"
    assert "jdbc_driver" not in db


def test_prompt_the_driver_comes_back_with_mariadb(home: Path, tmp_path: Path) -> None:
    run = preset_run(home, tmp_path, "maria", one_product("mariadb", jdbc_driver="mariadb"))
    keys = (
        TO_DATABASE_MENU
        + SERVER
        + f"{DOWN}{ENTER}"  # PostgreSQL
        + ENTER * 2
        + SERVER
        + f"{UP}{ENTER}"  # MariaDB again
        + ENTER  # the driver offered is the one chosen before
        + ENTER * 2
        + CTRL_C
    )
    assert run(keys, preset="maria") == 130
    db = run.only_session().answers["database"]
    assert db["engine"] == "mariadb"
    assert db["jdbc_driver"] == "mariadb"


def test_prompt_a_driver_given_to_another_engine_is_refused_and_removed(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = one_product("postgresql", jdbc_driver="mariadb")
    [expected] = database_messages(data, "database.jdbc_driver")
    run = preset_run(home, tmp_path, "pg-driver", data)
    # Asked at once to remove it: yes; then continue, and Ctrl+C at the preview.
    keys = TO_DATABASE_MENU + "y" + ENTER + CTRL_C
    assert run(keys, preset="pg-driver") == 130
    assert f"✗ database.jdbc_driver: {expected}" in capsys.readouterr().out
    session = run.only_session()
    assert "jdbc_driver" not in session.answers["database"]
    assert session.step == "preview"


def test_prompt_tls_on_with_postgresql_gives_tls_true(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = preset_run(home, tmp_path, "pg", one_product("postgresql"))
    keys = TO_DATABASE_MENU + TLS + "y" + ENTER + CTRL_C
    assert run(keys, preset="pg") == 130
    out = capsys.readouterr().out
    assert TLS_HINT in out  # the hint both front ends give with the question
    assert "PostgreSQL on db.example.com:5432 · TLS on" in out
    session = run.only_session()
    assert session.answers["database"]["tls"] is True
    assert session.step == "preview"


def test_prompt_tls_on_with_oracle_is_refused_and_asked_again(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = one_product("oracle")
    [expected] = database_messages(variant("database.tls", True, data), "database.tls")
    assert expected.startswith("Oracle takes TLS on a TCPS listener")
    run = preset_run(home, tmp_path, "ora", data)
    # Yes, refused and asked again: no; then continue, and Ctrl+C at the preview.
    keys = TO_DATABASE_MENU + TLS + "y" + "n" + ENTER + CTRL_C
    assert run(keys, preset="ora") == 130
    assert f"✗ database.tls: {expected}" in capsys.readouterr().out
    session = run.only_session()
    assert "tls" not in session.answers["database"]
    assert session.step == "preview"


def test_prompt_tls_with_url_options_is_refused_naming_both(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = one_product("postgresql", url_options="connectTimeout=10")
    [expected] = database_messages(variant("database.tls", True, data), "database.tls")
    assert "tls = true" in expected and "url_options" in expected
    run = preset_run(home, tmp_path, "pg-opts", data)
    # Yes, refused and asked again three times, then left for the menu: Ctrl+C there.
    keys = TO_DATABASE_MENU + TLS + "y" * 4 + CTRL_C
    assert run(keys, preset="pg-opts") == 130
    out = capsys.readouterr().out
    assert f"✗ database.tls: {expected}" in out
    # Nothing given is lost: both answers stay until the operator takes one back.
    db = run.only_session().answers["database"]
    assert db["url_options"] == "connectTimeout=10"
    assert db["tls"] is True


# ---- the database step: the BPMN database (ACTIVITI_DB), shared or left local --------------

BPMN = "products[0].databases.ACTIVITI_DB"
CHANGE_A_DATABASE = f"{DOWN * 2}{ENTER}"
THE_BPMN_DATABASE = f"{DOWN * 3}{ENTER}"  # after the registry, users and BPS_DS
BY_VARIABLE = f"{DOWN}{ENTER}{ENTER}"  # read the password from the variable suggested


def bps_on_two_nodes(**bps: Any) -> dict[str, Any]:
    """The shared answers with only Business Process Server, on two nodes."""
    data = copy.deepcopy(SHARED)
    data["products"] = [
        {
            "id": "bps",
            "version": "3.6.0",
            "nodes": [
                {"id": "bps-1", "host": "10.0.6.11"},
                {"id": "bps-2", "host": "10.0.6.12"},
            ],
            **bps,
        }
    ]
    return data


# Start, Continue on the products and nodes steps; at the database step BPS_DS is asked (its
# name and user as suggested, its password read from a variable), then whether BPMN is
# shared: Enter takes the default, shared, and its name (typed), user and password are asked.
BPS_TO_DATABASE_MENU = (
    ENTER * 6
    + ENTER * 2
    + BY_VARIABLE
    + ENTER
    + f"{BACKSPACE * 20}CW_BPMN{ENTER}"
    + ENTER
    + BY_VARIABLE
)


def test_prompt_bps_on_two_nodes_shares_bpmn_by_default(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = preset_run(home, tmp_path, "bps", bps_on_two_nodes())
    assert run(BPS_TO_DATABASE_MENU + CTRL_C, preset="bps") == 130
    out = capsys.readouterr().out
    assert share_question("ACTIVITI_DB")[1] in out  # when local is right, said first
    assert "Business Process Server · ACTIVITI_DB: CW_BPMN, user bpmnadmin" in out
    dbs = run.only_session().answers["products"][0]["databases"]
    assert dbs["ACTIVITI_DB"] == {
        "name": "CW_BPMN",
        "user": "bpmnadmin",
        "password_env": "WSO2_CW_BPMN_PASSWORD",  # suggested: made of its name
    }


def test_prompt_bpmn_left_local_is_planned_on_each_node_and_comes_back_when_shared(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = preset_run(home, tmp_path, "bps", bps_on_two_nodes())
    keys = (
        BPS_TO_DATABASE_MENU
        + CHANGE_A_DATABASE
        + THE_BPMN_DATABASE
        + "n"  # not shared: local
        + ENTER  # database: continue
        + f"{DOWN * 6}{ENTER}"  # at the preview: go back to the database step
        + CHANGE_A_DATABASE
        + THE_BPMN_DATABASE
        + "y"  # shared again: the answers given before are offered as they were
        + ENTER * 2  # name and user
        + ENTER  # keep reading the password from the variable
        + CTRL_C  # at the database menu
    )
    assert run(keys, preset="bps") == 130
    out = capsys.readouterr().out
    local, preview, back = out.split("── 5/7")[1], out.split("── 6/7")[1], out.split("── 5/7")[2]
    assert "Business Process Server · ACTIVITI_DB: local: each node's own H2" in local
    assert "note: Business Process Server (bps): ACTIVITI_DB is left out, so BPMN" in preview
    assert "this cluster has 2 nodes" in preview.split("── 5/7")[0]
    # Back at the database step, nothing is asked of it until it is chosen.
    assert "Local keeps BPMN data" not in back.split("Business Process Server · ACTIVITI_DB")[0]
    session = run.only_session()
    assert session.step == "database"
    assert session.answers["products"][0]["databases"]["ACTIVITI_DB"] == {
        "name": "CW_BPMN",
        "user": "bpmnadmin",
        "password_env": "WSO2_CW_BPMN_PASSWORD",  # suggested: made of its name
    }


def test_prompt_bpmn_a_preset_leaves_out_stays_local(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bps_ds = {"name": "WSO2_BPS_DB", "user": "bpsadmin", "password_env": "BPS_DB_PASSWORD"}
    run = preset_run(home, tmp_path, "bps", bps_on_two_nodes(databases={"BPS_DS": bps_ds}))
    # Nothing is asked at the database step: Continue at its menu, Ctrl+C at the preview.
    assert run(TO_DATABASE_MENU + ENTER + CTRL_C, preset="bps") == 130
    out = capsys.readouterr().out.split("── 5/7")[1]
    assert "Share the BPMN database" not in out
    assert "Business Process Server · ACTIVITI_DB: local: each node's own H2" in out
    session = run.only_session()
    assert session.step == "preview"
    assert session.answers["products"][0]["databases"] == {"BPS_DS": bps_ds}


def test_prompt_a_missing_driver_jar_is_asked_again_at_the_database_step(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before, the prompt mode took any .jar path and stopped at Preview when it was not
    # there; now the database step says so at the field and asks for it again.
    missing = str(tmp_path / "nowhere" / "postgresql-42.7.3.jar")
    jar = tmp_path / "postgresql-42.7.3.jar"
    jar.write_bytes(b"PK\x03\x04")
    data = one_product("postgresql")
    data["cluster"] = {"driver_jar": missing}
    run = preset_run(home, tmp_path, "pg", data)
    keys = TO_DATABASE_MENU + BACKSPACE * len(missing) + str(jar) + ENTER + CTRL_C
    assert run(keys, preset="pg") == 130
    out = capsys.readouterr().out.split("── 5/7")[1]
    assert f"cluster.driver_jar: {missing} does not exist" in out
    assert run.only_session().answers["cluster"]["driver_jar"] == str(jar)


def test_prompt_a_password_variable_two_databases_share_is_asked_for_once(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = one_product("postgresql")
    for role in ("registry", "user_management"):
        data["database"][role].pop("password", None)
        data["database"][role]["password_env"] = "SHARED_DB_PW"
    run = preset_run(home, tmp_path, "pg", data)
    # To Write as PRESET_TO_WRITE goes (no site answers here), the shared password once and
    # IS's, the directory, and yes: had the shared one been asked twice, the directory would
    # have been taken as a password and the tree written elsewhere.
    out = tmp_path / "tree"
    passwords = "Shared-PW-1" + ENTER + "Is-PW-2" + ENTER
    keys = ENTER * 8 + passwords + f"{BACKSPACE * 200}{out}{ENTER}" + ENTER
    assert run(keys, preset="pg") == 0
    said = capsys.readouterr().out
    assert said.count("$SHARED_DB_PW (Registry (config + governance) and User management") == 1
    assert "Wrote " in said
    setup = "".join(p.read_text() for p in (out / "db").glob("setup-*.sql"))
    assert setup.count("Shared-PW-1") >= 2  # both users get the one password


def test_prompt_the_key_managers_workflow_database_is_offered_local(
    run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    # WSO2's own key manager deployment keeps BPS_DS on each node's H2: Enter at the share
    # question keeps it so, and the database step asks nothing more of the key manager.
    keys = TO_DATABASE_MENU + ENTER + CTRL_C
    assert run(keys, preset="apim-is-km-mysql8") == 130
    out = capsys.readouterr().out.split("── 5/7")[1]
    assert "Identity Server as Key Manager · BPS_DS: local: each node's own H2" in out
    session = run.only_session()
    assert "databases" not in session.answers["products"][1]
    assert session.step == "database"


def test_a_preset_nested_past_the_bound_is_refused_naming_it(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Read as an answers file is, within its depth bound: before, the prompt mode read a
    # preset with no bound at all.
    presets_dir = tmp_path / "my-presets"
    presets_dir.mkdir()
    (presets_dir / "deep.toml").write_text('description = "deep"\nx = ' + "[" * 500 + "]" * 500)
    run = Run(home, presets_dir)
    assert run("", preset="deep") == 2
    err = capsys.readouterr().err
    assert "deep.toml" in err and "nests tables or lists more than" in err
    assert "Traceback" not in err


def test_at_80_columns_a_question_wraps_at_word_ends_and_a_long_answer_gets_its_own_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """questionary prints `? ` and the question on one line and the terminal breaks it at its
    last column ("leav" / "e empty", "registry data" / "base"): the question is wrapped at
    word ends, and an answer that would not fit after it starts a row of its own."""
    from wizard.prompt.asking import Asking

    monkeypatch.setenv("COLUMNS", "80")
    long = (
        "Data Analytics Server distribution on this machine (.zip or PRODUCT_HOME; leave "
        "empty to patch the built-in Carbon baseline):"
    )
    rows = Asking.question(long).split("\n")
    assert len(rows) == 2 and len("? " + rows[0]) <= 80
    assert rows[0].endswith("PRODUCT_HOME;") and rows[1].startswith("leave empty")
    name = "Data Analytics Server · WSO2_ANALYTICS_EVENT_STORE_DB database name:"
    assert Asking.question(name, "WSO2_DAS_EVENT_STORE_DB") == name + "\n"
    assert Asking.question("Database server port:", "5432") == "Database server port:"


def test_a_distribution_that_does_not_exist_is_refused_at_its_question(
    run: Run, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """It was taken, and refused only after "Add another product?", once the operator had
    moved on: it is refused under the answer, and the question comes back with it."""
    missing = tmp_path / "nope" / "wso2am-2.6.0.zip"
    keys = (
        ENTER  # start a new plan
        + f"plan-d{ENTER}{ENTER}"  # name, do not keep passwords
        + f"{ENTER}{ENTER}"  # API Manager, 2.6.0
        + f"{missing}{ENTER}"  # a distribution that is not there
        + f"{BACKSPACE * 200}{ENTER}"  # asked again with it: cleared, the baseline
        + ENTER  # no other product
        + CTRL_C
    )
    assert run(keys) == 130
    out = capsys.readouterr().out
    assert f"✗ {missing} does not exist" in " ".join(out.split())
    assert out.index("does not exist") < out.index("Products:")
    assert "distribution" not in run.only_session().answers["products"][0]


def test_a_hang_up_the_questions_swallow_still_saves_releases_and_ends(tmp_path: Path) -> None:
    """prompt_toolkit can lose the interrupt a hang-up raises between two questions: the
    process then waited on a terminal that was gone, its session locked. The watchdog the
    hang-up starts saves, releases and ends it."""
    import signal
    import subprocess
    import sys
    import time

    marks = tmp_path / "marks"
    script = f"""
import time
from pathlib import Path
from wizard import prompt

class Wizard:
    def save_quietly(self):
        Path({str(marks)!r}).open("a").write("saved\\n")
        return True
    def release(self):
        Path({str(marks)!r}).open("a").write("released\\n")

prompt._on_hang_up(Wizard())
said = False
while True:
    try:  # "ready" inside it: a hang-up right after it is swallowed too, not fatal
        if not said:
            said = True
            print("ready", flush=True)
        time.sleep(60)
    except KeyboardInterrupt:
        pass  # swallowed, as the questions' event loop did
"""
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        started = time.monotonic()
        child.send_signal(signal.SIGHUP)
        code = child.wait(timeout=60)
    finally:
        child.kill()
    assert code == 130
    assert time.monotonic() - started >= 4  # the interrupt had its chance first
    assert marks.read_text().split() == ["saved", "released"]


def test_site_answers_are_confirmed_all_at_once_with_one_enter(
    run: Run, tmp_path: Path, asked: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: one yes/no question per answer (twelve for apim-is-km-mysql8) at Write.
    assert run(PRESET_TO_WRITE + ENTER * 2, preset=PRESET) == 0, capsys.readouterr()
    assert f"{SITE_ANSWERS} answer(s) came from the preset" in capsys.readouterr().out
    assert not [m for m in asked if m.endswith("for this site?")]
    topology = (tmp_path / PRESET / "topology.toml").read_text()
    assert "confirm" not in topology


def test_one_site_answer_is_changed_from_the_list(
    run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "Change one of them", the registry user (second listed), then the plan is shown
    # again and the rest confirmed all at once.
    new_user = f"{BACKSPACE * 40}siteuser{ENTER}"
    keys = ENTER * 8 + DOWN * 2 + ENTER + DOWN + ENTER + new_user
    keys += ENTER + ENTER + ENTER * 2  # Write the tree, Confirm all 5, the folder, write
    assert run(keys, preset=PRESET) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert f"{SITE_ANSWERS - 1} answer(s) came from the preset" in out  # the five left
    topology = (tmp_path / PRESET / "topology.toml").read_text()
    assert 'user = "siteuser"' in topology and "confirm" not in topology
