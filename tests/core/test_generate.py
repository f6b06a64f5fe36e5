"""`generate` and `check` as an operator runs them: real CLI, real files on disk."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from tests.answers_fixtures import ENV, PASSWORD, SHARED, build, variant
from wizard import answers, locations, presets, rules, tree
from wizard.cli import main
from wizard.output import OutputError, write_tree

ROOT = Path(__file__).resolve().parents[2]
PRESET_NAMES = [p.name for p in presets.list_presets([locations.bundled_presets_dir()])]


def preset_env(name: str) -> dict[str, str]:
    """A distinct password for every variable the preset names."""
    top = presets.load_preset(name, [locations.bundled_presets_dir()])
    # Oracle cannot quote a double quote inside a password; every other engine gets one.
    special = "&<>'$%" if top.database.engine == "oracle" else "&<>'\"$%"
    return {
        spec.password_env: f"pw-{spec.password_env}-{special}"
        for _, spec in top.database_specs()
        if spec.password_env
    }


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("WSO2_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "wizard", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_every_preset_generates_a_tree_that_passes_check(name: str, tmp_path: Path) -> None:
    out = tmp_path / "tree"
    gen = run_cli("generate", "--preset", name, "--out", str(out), env=preset_env(name))
    assert gen.returncode == 0, gen.stderr
    checked = run_cli("check", str(out))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no findings" in checked.stdout
    names = {p.name for p in out.iterdir()}
    assert {"README.md", "topology.toml", "topology.txt", "manifest.json", "SHA256SUMS"} <= names
    assert any((out / "db").glob("setup-*.sql"))


def test_presets_are_the_five_promised() -> None:
    assert len(PRESET_NAMES) >= 5
    listed = run_cli("presets")
    assert listed.returncode == 0
    assert "apim-2node-mysql" in listed.stdout and "SQL Server" in listed.stdout


def test_unset_password_variables_are_listed_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "tree"
    result = run_cli("generate", "--preset", "apim-2node-mysql", "--out", str(out))
    assert result.returncode == 2
    for variable in ("WSO2_REG_DB_PASSWORD", "WSO2_UM_DB_PASSWORD", "WSO2_AM_DB_PASSWORD"):
        assert f"export {variable}=" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_bad_answers_file_gets_a_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        answers.dumps(answers.parse(SHARED)).replace('host = "10.0.1.12"', 'host = "10.0.1.300"')
    )
    result = run_cli("generate", "--answers", str(bad), "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "products[0].nodes[1].host" in result.stderr and "IPv4" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_answers_file(tmp_path: Path) -> None:
    result = run_cli("generate", "--answers", str(tmp_path / "none.toml"), "--out", "x")
    assert result.returncode == 2 and "no such file" in result.stderr


def test_tree_is_private(tmp_path: Path) -> None:
    out = write_tree(tree.build(build()), tmp_path / "tree").path
    for path in [out, *out.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.is_dir() or path.name.endswith(".sh"):
            assert mode == 0o700, path
        else:
            assert mode == 0o600, path


def test_non_empty_target_refused_then_replaced_with_backup(tmp_path: Path) -> None:
    out = tmp_path / "tree"
    out.mkdir()
    (out / "mine.txt").write_text("operator's file")
    with pytest.raises(OutputError, match="not empty"):
        write_tree(tree.build(build()), out)
    assert (out / "mine.txt").read_text() == "operator's file"
    result = write_tree(tree.build(build()), out, force=True)
    assert result.backup is not None
    assert (result.backup / "mine.txt").read_text() == "operator's file"
    assert (out / "manifest.json").exists() and not (out / "mine.txt").exists()


@pytest.mark.parametrize("fail_at", [1, 7, 20])
def test_failed_write_leaves_no_half_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    built = tree.build(build())
    calls = {"n": 0}
    real_fsync = os.fsync

    def flaky_fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", flaky_fsync)
    with pytest.raises(OutputError, match="No space left"):
        write_tree(built, tmp_path / "tree")
    assert list(tmp_path.iterdir()) == []


def test_tree_breaking_a_rule_is_not_put_in_place(tmp_path: Path) -> None:
    built = tree.build(build())
    key = "nodes/apim-1/repository/conf/registry.xml"
    built.files[key] = built.files[key].replace(b"<cacheId>regadmin@", b"<cacheId>nobody@")
    with pytest.raises(OutputError, match="rule 16"):
        write_tree(built, tmp_path / "tree")
    assert list(tmp_path.iterdir()) == []


def test_passwords_and_urls_read_back_exactly(tmp_path: Path) -> None:
    data = variant("database.url_options", "useSSL=false&serverTimezone=UTC")
    out = write_tree(tree.build(build(data)), tmp_path / "tree").path
    ds = etree.parse(str(out / "nodes/apim-1/repository/conf/datasources/master-datasources.xml"))
    shared = ds.xpath("//datasource[name='WSO2_SHARED_REG_DB']/definition/configuration")[0]
    assert shared.findtext("password") == PASSWORD
    assert shared.findtext("url").endswith("/WSO2_REG_DB?useSSL=false&serverTimezone=UTC")
    raw = (out / "nodes/apim-1/repository/conf/datasources/master-datasources.xml").read_bytes()
    assert b"&amp;amp;" not in raw and b"useSSL=false&amp;serverTimezone" in raw


def test_topology_toml_has_no_secret_and_regenerates_the_same_tree(tmp_path: Path) -> None:
    first = write_tree(tree.build(build()), tmp_path / "one").path
    text = (first / "topology.toml").read_text()
    assert PASSWORD not in text and "um-secret" not in text and "am-secret" not in text
    env = dict(ENV)
    env.update(
        {
            answers.password_env_name("database.registry"): PASSWORD,
            answers.password_env_name("database.user_management"): "um-secret",
            answers.password_env_name("products[0].databases.WSO2AM_DB"): "am-secret",
        }
    )
    result = run_cli(
        "generate",
        "--answers",
        str(first / "topology.toml"),
        "--out",
        str(tmp_path / "two"),
        env=env,
    )
    assert result.returncode == 0, result.stderr
    second = tmp_path / "two"
    for path in first.rglob("*"):
        if path.is_file() and path.name not in {
            "topology.toml",
            "SHA256SUMS",
            "manifest.json",
            "README.md",
        }:
            assert (second / path.relative_to(first)).read_bytes() == path.read_bytes(), path


def test_manifest_and_sums_match_the_files(tmp_path: Path) -> None:
    out = write_tree(tree.build(build()), tmp_path / "tree").path
    sums = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True
    )
    assert sums.returncode == 0, sums.stdout + sums.stderr
    import hashlib
    import json

    manifest = json.loads((out / "manifest.json").read_text())
    for node in manifest["nodes"]:
        for entry in node["files"]:
            content = (out / "nodes" / node["id"] / entry["path"]).read_bytes()
            assert hashlib.sha256(content).hexdigest() == entry["sha256"]
    registry = next(d for d in manifest["databases"] if d["key"] == "registry")
    assert registry["schema_scripts"] == ["dbscripts/mysql5.7.sql"]
    assert registry["setup_script"] and (out / registry["setup_script"]).exists()


def test_no_password_in_preview_or_picture() -> None:
    p = build()
    preview = tree.preview(p)
    for path, content in preview.files.items():
        assert PASSWORD.encode() not in content, path
    for diff in tree.diffs(p):
        assert PASSWORD not in diff.diff


def test_check_reports_findings_with_rule_node_file(tmp_path: Path) -> None:
    out = write_tree(tree.build(build()), tmp_path / "tree").path
    registry = out / "nodes/apim-2/repository/conf/registry.xml"
    registry.write_bytes(registry.read_bytes().replace(b"/_system/apimconfig", b"/_system/other"))
    result = run_cli("check", str(out))
    assert result.returncode == 1
    assert "rule 19" in result.stdout and "apim-2" in result.stdout
    assert "repository/conf/registry.xml" in result.stdout
    assert rules.check_tree(out)


def test_check_on_a_missing_directory() -> None:
    assert main(["check", "/nonexistent/tree"]) == 2


def test_review_is_preview_and_diffs_from_one_rendering() -> None:
    p = build()
    reviewed, diffs = tree.review(p)
    assert reviewed.files == tree.preview(p).files
    assert diffs == tree.diffs(p)
    assert PASSWORD.encode() not in b"".join(reviewed.files.values())
