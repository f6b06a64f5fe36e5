"""The prompt mode's last words after writing a tree with ansible/: the commands that push it,
the dry run first, each from the tree's folder, the same lines as the tree's README."""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path

import pytest
import tomli_w

from tests.core.test_distribution import apim_home
from tests.core.test_prompt import (
    BACKSPACE,
    ENTER,
    PRESET,
    PRESET_TO_WRITE,
    Run,
    home,  # noqa: F401 - fixture
    run,  # noqa: F401 - fixture
)
from wizard import locations

DRY_RUN = "ansible-playbook -i ansible/inventory.yml ansible/push.yml --check --diff"
PUSH_ALL = "ansible-playbook -i ansible/inventory.yml ansible/push.yml"


def write_with_prompt(prompt: Run, out: Path, preset: str = PRESET) -> int:
    return prompt(PRESET_TO_WRITE + f"{BACKSPACE * 200}{out}{ENTER}" + ENTER, preset=preset)


def test_the_push_commands_follow_the_written_tree(
    home: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With API Manager's distribution, the push is offered: dry run, every node, one
    cluster, each the tree's README's own line."""
    presets_dir = tmp_path / "my-presets"
    presets_dir.mkdir()
    data = tomllib.loads((locations.bundled_presets_dir() / f"{PRESET}.toml").read_text())
    data["name"] = "with-pack"
    data["products"][0]["distribution"] = str(apim_home(tmp_path))
    (presets_dir / "with-pack.toml").write_text(tomli_w.dumps(data))
    out = tmp_path / "my plans" / "apim"  # a folder name a shell must have quoted
    assert write_with_prompt(Run(home, presets_dir), out, "with-pack") == 0, capsys.readouterr()
    printed = capsys.readouterr().out.splitlines()
    cd = f"cd {shlex.quote(str(out))} && "
    assert "'" in cd
    commands = [line.strip() for line in printed if line.strip().startswith(cd)]
    assert commands == [
        cd + DRY_RUN,
        cd + PUSH_ALL,
        cd + PUSH_ALL + " --limit apim",
    ]
    # The dry run's line says what it does, and comes after the tree is written.
    said = "\n".join(printed)
    assert said.index("Wrote ") < said.index("the dry run first, which changes nothing")
    assert "push refuses" not in said
    # The same lines as the tree's README, which the operator finds there later.
    readme = (out / "README.md").read_text()
    for command in commands:
        assert f"\n{command.removeprefix(cd)}\n" in readme, command


def test_nodes_patched_from_the_baseline_are_offered_the_dry_run_only(
    run: Run,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without a distribution the playbook refuses every node (their files are merged by
    hand), as the README says: the last words offer the dry run alone and say why."""
    out = tmp_path / "apim"
    assert write_with_prompt(run, out) == 0, capsys.readouterr()
    said = " ".join(capsys.readouterr().out.split())
    cd = f"cd {shlex.quote(str(out))} && "
    assert cd + DRY_RUN in said
    assert cd + PUSH_ALL + " " not in said.replace(cd + DRY_RUN, "")
    assert "the push refuses every node here" in said
    assert "The push refuses the nodes of `apim`" in (out / "README.md").read_text()


def test_no_push_commands_for_a_tree_without_ansible(
    home: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    presets_dir = tmp_path / "my-presets"
    presets_dir.mkdir()
    data = tomllib.loads((locations.bundled_presets_dir() / f"{PRESET}.toml").read_text())
    data["name"] = "no-ansible"
    data["fleet"] = {"ansible": False}
    (presets_dir / "no-ansible.toml").write_text(tomli_w.dumps(data))
    out = tmp_path / "out"
    assert write_with_prompt(Run(home, presets_dir), out, "no-ansible") == 0
    printed = capsys.readouterr().out
    assert "Wrote " in printed and not (out / "ansible").exists()
    assert "ansible-playbook" not in printed


def test_after_writing_what_to_read_first_comes_first_wrapped_at_80_columns(
    run: Run,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The write result opened at step 1 and hid the README's warnings (files to merge by
    hand), and printed the README raw, cut mid-word at the terminal's last column: now what
    to read first comes first, prose is wrapped at word ends, and commands are indented,
    whole when they fit (the rest folded at blanks, see test_prompt_terminal)."""
    monkeypatch.setenv("COLUMNS", "80")
    out = tmp_path / "apim"
    assert write_with_prompt(run, out) == 0, capsys.readouterr()
    printed = capsys.readouterr().out
    after = printed[printed.index("Wrote ") :].splitlines()
    assert after.index("Read before you start") < after.index(
        "1. Create the databases and users (database admin)"
    )
    assert any(line.startswith("  Product-specific settings are not included") for line in after)
    for line in after:
        assert len(line) <= 80 or " " not in line.strip().removesuffix(" \\"), line
    for command in ("sh <PRODUCT_HOME>/check-databases.sh", "carbon-wizard check ."):
        assert f"    {command}" in after, command  # whole, to copy
        assert f"\n{command}\n" in (out / "README.md").read_text()
