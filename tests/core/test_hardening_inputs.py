"""Hostile and damaged input: every name is whole and plain, every parsed file is bounded,
and each refusal is an operator error (exit 2) that names the field or file."""

from __future__ import annotations

import copy
import errno
import io
import json
import os
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from tests import answers_fixtures as af
from wizard import answers, cli, distribution, limits, names, rules, sessions, workflow
from wizard.problems import AnswersError


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def refused_at(data: dict[str, Any]) -> list[str]:
    with pytest.raises(AnswersError) as caught:
        answers.parse(copy.deepcopy(data))
    return [p.path for p in caught.value.problems]


# ---- one definition of a safe name: matched whole -------------------------------------------


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("products[0].nodes[0].id", "apim-1\n"),
        ("name", "apim-prod\n"),
        ("products[0].config_target", "/_system/apimconfig\n"),
        ("database.registry.password_env", "REG_PASSWORD\n"),
        ("products[0].home", "/opt/wso2/am\n"),
    ],
)
def test_a_trailing_newline_is_refused_at_its_field(path: str, value: str) -> None:
    data = af.variant(path, value)
    if path.endswith("password_env"):
        del data["database"]["registry"]["password"]
    assert refused_at(data) == [path]


def test_a_confirm_entry_with_a_trailing_newline_is_refused() -> None:
    data = af.variant("confirm", ["database.host\n"])
    assert refused_at(data) == ["confirm[0]"]


@pytest.mark.parametrize("char", ["\x7f", "\x85", "\x9f", "\x1b"])
def test_passwords_and_text_with_control_characters_are_refused(char: str) -> None:
    data = af.variant("database.registry.password", f"sec{char}ret")
    assert refused_at(data) == ["database.registry.password"]
    assert refused_at(af.variant("description", f"two{char}products")) == ["description"]


def test_a_driver_jar_whose_name_cannot_be_a_file_in_the_tree_is_refused() -> None:
    data = af.variant("cluster", {"driver_jar": "/opt/drivers/my driver;rm.jar"})
    assert refused_at(data) == ["cluster.driver_jar"]


def test_a_message_quotes_a_bad_value_escaped_and_short() -> None:
    shown = names.shown("apim-1\n" + "x" * 500)
    assert "\n" not in shown and shown.startswith("apim-1\\n") and len(shown) <= 60


# ---- bounded parsers ------------------------------------------------------------------------


def test_an_answers_file_nested_too_deep_is_an_operator_error(tmp_path: Path) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    code, _, err = run("generate", "--answers", str(deep), "--out", str(tmp_path / "out"))
    assert code == 2, err
    assert "deep.toml" in err and "deep" in err and "internal error" not in err
    assert not (tmp_path / "out").exists()


def test_an_answers_file_too_large_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    with big.open("wb") as handle:
        handle.truncate(limits.ANSWERS_BYTES + 1)
    code, _, err = run("generate", "--answers", str(big), "--out", str(tmp_path / "out"))
    assert code == 2 and "big.toml" in err and "bytes" in err


def test_a_deeply_nested_session_is_named_and_hides_no_other(tmp_path: Path) -> None:
    directory = tmp_path / "sessions"
    good = sessions.new_session("good", copy.deepcopy(af.SHARED), "nodes", dir=directory)
    (directory / "deep-1.json").write_text('{"answers": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (directory / "deep-2.json").write_text(json.dumps({"answers": nested(60)}))
    listed = sessions.list_sessions(directory)
    assert [e.id for e in listed] == [good.id]
    assert sorted(d.path.name for d in listed.damaged) == [
        "deep-1.json.corrupt",
        "deep-2.json.corrupt",
    ]
    assert all("deep" in d.reason for d in listed.damaged)


def nested(levels: int) -> Any:
    value: Any = {}
    for _ in range(levels):
        value = {"a": value}
    return value


def test_a_deeply_nested_manifest_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    files = {"manifest.json": b'{"nodes": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"}
    findings = rules.check_files(files)
    assert any(f.rule == 0 and "deep" in f.message for f in findings)
    files = {"manifest.json": json.dumps({"nodes": [nested(40)]}).encode()}
    assert any(f.rule == 0 and "deep" in f.message for f in rules.check_files(files))


def lying_zip(path: Path, listed: int) -> Path:
    """A distribution whose registry.xml header says `listed` bytes but holds more."""
    body = b"<wso2registry>" + b" " * 200_000 + b"</wso2registry>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("wso2am-2.6.0/repository/conf/carbon.xml", b"<Server/>")
        zf.writestr("wso2am-2.6.0/repository/conf/registry.xml", body)
    raw = bytearray(path.read_bytes())
    name = b"wso2am-2.6.0/repository/conf/registry.xml"
    real = len(body).to_bytes(4, "little")
    for header in (b"PK\x03\x04", b"PK\x01\x02"):
        at = raw.find(header)
        while at != -1:
            name_at = raw.find(name, at)
            size_at = at + (22 if header == b"PK\x03\x04" else 24)
            if name_at - at < 50 and raw[size_at : size_at + 4] == real:
                raw[size_at : size_at + 4] = listed.to_bytes(4, "little")
            at = raw.find(header, at + 4)
    path.write_bytes(bytes(raw))
    return path


def test_a_zip_member_that_lies_about_its_size_is_a_named_distribution_error(
    tmp_path: Path,
) -> None:
    stock = distribution.open_stock(str(lying_zip(tmp_path / "wso2am-2.6.0.zip", 100)))
    with pytest.raises(distribution.DistributionError) as caught:
        stock.read("repository/conf/registry.xml")
    assert "registry.xml" in str(caught.value) and "damaged" in str(caught.value)


def product_home(root: Path) -> Path:
    home = root / "wso2am-2.6.0"
    (home / "repository" / "conf").mkdir(parents=True)
    (home / "repository" / "conf" / "carbon.xml").write_bytes(b"<Server/>")
    return home


def test_a_directory_distribution_never_follows_a_link_out_of_product_home(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "elsewhere" / "registry.xml"
    secret.parent.mkdir()
    secret.write_bytes(b"<outside/>")
    home = product_home(tmp_path / "dist")
    (home / "repository" / "conf" / "registry.xml").symlink_to(secret)
    (home / "repository" / "conf" / "inside.xml").symlink_to(home / "repository/conf/carbon.xml")
    stock = distribution.open_stock(str(home))
    assert stock.read("repository/conf/registry.xml") is None
    assert stock.read("repository/conf/inside.xml") == b"<Server/>"


def test_a_directory_distribution_file_beyond_the_size_bound_is_refused_by_name(
    tmp_path: Path,
) -> None:
    home = product_home(tmp_path / "dist")
    with (home / "repository" / "conf" / "registry.xml").open("wb") as handle:
        handle.truncate(limits.STOCK_BYTES + 1)
    stock = distribution.open_stock(str(home))
    with pytest.raises(distribution.DistributionError, match=r"registry\.xml .*bytes"):
        stock.read("repository/conf/registry.xml")


# ---- the sessions folder --------------------------------------------------------------------


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CARBON_WIZARD_HOME", str(tmp_path))
    return tmp_path


def test_a_fifo_a_dangling_link_and_a_huge_name_in_the_sessions_folder(home: Path) -> None:
    directory = home / "sessions"
    good = sessions.new_session("x" * 100_000, copy.deepcopy(af.SHARED), "nodes", dir=directory)
    os.mkfifo(directory / "pipe.json")  # would block a plain read for ever
    (directory / "gone.json").symlink_to(directory / "nowhere.json")
    code, out, err = run("sessions", "list")
    assert code == 0, err
    rows = out.splitlines()
    assert rows[1].startswith(good.id) and max(len(r) for r in rows[:2]) < 200
    assert any(r.startswith("damaged:") and "pipe.json" in r for r in rows)
    assert any(r.startswith("damaged:") and "gone.json" in r for r in rows)


def test_a_lock_with_an_absurd_pid_is_taken_over(home: Path) -> None:
    directory = home / "sessions"
    saved = sessions.new_session("plan", copy.deepcopy(af.SHARED), "nodes", dir=directory)
    lock_file = directory / f"{saved.id}.lock"
    for pid in (10**30, -5, 2**63):
        lock_file.write_text(json.dumps({"pid": pid, "host": os.uname().nodename}))
        held = sessions.lock(saved.id, dir=directory)
        assert held.held and held.note is not None
        held.release()


def test_a_read_only_sessions_folder_is_an_operator_error(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = home / "sessions"
    saved = sessions.new_session("plan", copy.deepcopy(af.SHARED), "nodes", dir=directory)

    def read_only(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EROFS, "Read-only file system", str(directory))

    # What a read-only mount answers (as root, chmod alone would not refuse).
    monkeypatch.setattr(os, "unlink", read_only)
    code, _, err = run("sessions", "rm", saved.id, "--yes")
    assert code == 2 and str(directory) in err and "chmod" in err
    monkeypatch.undo()
    monkeypatch.setenv("CARBON_WIZARD_HOME", str(home))
    real_open = os.open

    def no_create(path: Any, flags: int, *args: Any) -> int:
        if flags & os.O_CREAT:
            raise PermissionError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", no_create)
    with pytest.raises(sessions.SessionError, match="sessions folder"):
        sessions.lock(saved.id, dir=directory)


def test_exporting_a_session_to_a_path_that_cannot_be_written_is_an_operator_error(
    home: Path,
) -> None:
    saved = sessions.new_session("plan", copy.deepcopy(af.SHARED), "nodes", dir=home / "sessions")
    code, _, err = run("sessions", "export", saved.id, str(home / "missing" / "x.toml"))
    assert code == 2 and "missing/x.toml" in err and "internal error" not in err
    code, _, err = run("sessions", "export", saved.id, str(home))
    assert code == 2 and "is a folder" in err


def test_a_preset_cannot_write_to_the_terminal_or_block_the_listing(home: Path) -> None:
    own = home / "presets"
    own.mkdir()
    (own / "mine.toml").write_text('description = "clear \\u001b[2J screen"\n')
    os.mkfifo(own / "pipe.toml")  # would block a plain read for ever
    (own / "deep.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    code, out, err = run("presets")
    assert code == 0, err
    assert "\x1b" not in out and "clear \\x1b[2J screen" in out
    assert any(line.startswith("pipe") and "broken" in line for line in out.splitlines())
    assert any(line.startswith("deep") and "broken" in line for line in out.splitlines())


def test_a_sessions_folder_that_is_a_file_is_named(home: Path) -> None:
    (home / "sessions").write_text("not a folder")
    code, out, _ = run("sessions", "list")
    assert code == 0 and "damaged:" in out and "is not a folder" in out


def test_a_distribution_without_a_file_the_plan_patches_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline = Path(distribution.BASELINE_DIR)
    archive = tmp_path / "wso2am-2.6.0.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted(baseline.rglob("*.xml")):
            if file.name != "axis2.xml":
                zf.write(file, f"wso2am-2.6.0/{file.relative_to(baseline).as_posix()}")
    data = af.variant("products[0].distribution", str(archive))
    source = tmp_path / "answers.toml"
    source.write_text(answers.dumps(answers.parse(data), keep_passwords=True))
    monkeypatch.setenv("IS_DB_PASSWORD", "is-secret")
    code, _, err = run("generate", "--answers", str(source), "--out", str(tmp_path / "out"))
    assert code == 2, err
    assert "axis2.xml" in err and str(archive) in err and "internal error" not in err


def test_layout_split_with_config_in_the_governance_database_is_refused_at_the_field() -> None:
    data = af.split()
    data["database"]["config"]["name"] = data["database"]["governance"]["name"]
    assert refused_at(data) == ["database.config.name"]


def test_oracle_split_in_one_service_is_two_schemas_and_passes_check() -> None:
    data = af.split(af.variant("database.engine", "oracle"))
    for role, user in (("config", "WSO2_CONF"), ("governance", "WSO2_GOV")):
        data["database"][role].update(name="ORCLPDB1", user=user, password="Secret-1")
    data["database"]["user_management"].update(name="ORCLPDB1", user="WSO2_UM")
    for product in data["products"]:
        for spec in product.get("databases", {}).values():
            spec.update(name="ORCLPDB1", user=f"U_{spec['user'].upper()}")
    tree = workflow.build(af.plan.build(af.topology(data), af.ENV))
    assert [str(f) for f in rules.check_files(tree.files)] == []
    data["database"]["config"]["user"] = "WSO2_GOV"
    assert "database.config.user" in refused_at(data)


def test_a_session_whose_name_holds_a_control_character_is_damaged(tmp_path: Path) -> None:
    directory = tmp_path / "sessions"
    saved = sessions.new_session("plan", copy.deepcopy(af.SHARED), "nodes", dir=directory)
    path = directory / f"{saved.id}.json"
    record = json.loads(path.read_text())
    record["name"] = "plan\x1b]0;owned\x07"
    path.write_text(json.dumps(record))
    listed = sessions.list_sessions(directory)
    assert list(listed) == [] and "control character" in listed.damaged[0].reason


@pytest.mark.parametrize("bad", ["", ".", "..", "a\n", "a/b", "-a", ".a", "a b", "é", "a" * 64])
def test_a_safe_name_is_matched_whole(bad: str) -> None:
    assert not names.is_safe_name(bad)
    assert names.is_safe_name("apim-1.a_b") and names.is_safe_name("a" * 63)


@pytest.mark.parametrize("bad", ["", "/a", "a/", "a//b", "a/../b", "a/./b", "nodes/a\n/x"])
def test_a_tree_path_has_only_safe_parts(bad: str) -> None:
    assert not names.is_safe_path(bad)
    assert names.is_safe_path("nodes/apim-1/repository/conf/axis2/axis2.xml")
