"""The Write step's push, under Textual's Pilot at 80x24 and by the keys: once the tree is
written, "Push with Ansible (dry run first)" runs the real ansible-playbook against nodes that
are folders on this machine, shows what differs per node and file, and "Push for real" pushes
and says per node what changed. A missing ansible-playbook is the sentence saying how to
install it; Esc stops a run."""

from __future__ import annotations

import os
import re
import shutil
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Select, Static

from tests.core.test_distribution import apim_home
from tests.fleet_estate import PASSWORDS, answers_data, database_listener, require_ansible
from tests.render.test_cluster_tree import fake_driver
from tests.ui.test_tui_support import (
    _colour,  # noqa: F401 - autouse
    choose_origin,
    make_app,
    next_step,
    settle,
)
from wizard import answers, fleet, locations

CACHE_ID = "<cacheId>regadmin@"
HAND_CACHE_ID = "<cacheId>someone@"
REGISTRY = "repository/conf/registry.xml"
NODES = ("apim-1", "apim-2")


@dataclass
class LocalEstate:
    env: dict[str, str]
    """The app's environment: the passwords, and where the user's presets are."""
    homes: dict[str, Path]
    out: Path


def shown(app: Any, widget_id: str) -> str:
    return str(app.query_one(widget_id, Static).render())


def on_screen(app: Any, widget_id: str) -> bool:
    """Drawn within the 80x24 screen (the pane scrolled to it)."""
    widget = app.query_one(widget_id)
    region = widget.region
    return bool(widget.display) and region.height > 0 and 0 <= region.y < app.size.height


@pytest.fixture
def estate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalEstate]:
    """Two API Manager nodes on 127.0.0.1, each home a copy of the stock files in tmp_path,
    reached by a local connection (the environment's default, as an operator may set it);
    the databases a listener here. A user preset holds the answers."""
    require_ansible()
    stock = apim_home(tmp_path / "dist")
    with database_listener() as port:
        data = answers_data(stock, port, fake_driver(tmp_path / "mysql-connector-java-5.1.49.jar"))
        homes = {node: tmp_path / "homes" / node / "wso2am-2.6.0" for node in NODES}
        for node, spec in zip(NODES, data["products"][0]["nodes"], strict=True):
            spec["home"] = str(homes[node])
            shutil.copytree(stock, homes[node])
        env = {**PASSWORDS, locations.HOME_VARIABLE: str(tmp_path / "home")}
        presets = locations.user_presets_dir(env)
        presets.mkdir(parents=True)
        (presets / "fleet-test.toml").write_text(answers.dumps(answers.parse(data)))
        for name in [k for k in os.environ if k.startswith("ANSIBLE_")]:
            monkeypatch.delenv(name)
        monkeypatch.setenv("ANSIBLE_TRANSPORT", "local")
        monkeypatch.setenv("ANSIBLE_PYTHON_INTERPRETER", sys.executable)
        monkeypatch.setenv("ANSIBLE_LOCAL_TEMP", str(tmp_path / "ansible-tmp"))
        yield LocalEstate(env, homes, tmp_path / "tree")


def as_if_pushed_before(estate: LocalEstate) -> None:
    """Each home already has the tree's files with their modes, as after an earlier push."""
    for node, home in estate.homes.items():
        folder = estate.out / "nodes" / node
        for source in folder.rglob("*"):
            if source.is_file():
                target = home / source.relative_to(folder)
                target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                shutil.copy2(source, target)


async def write_the_tree(pilot: Any, estate: LocalEstate) -> None:
    app = pilot.app
    await next_step(pilot, 6)
    assert app.current == "write", app.current
    app.query_one("#out").value = str(estate.out)
    await pilot.pause()
    await next_step(pilot)
    assert app.state.written == estate.out, shown(app, "#write-status")


async def test_push_from_the_write_step_dry_run_then_for_real(estate: LocalEstate) -> None:
    app = make_app(estate.out.parent, env=estate.env, preset="fleet-test")
    async with app.run_test(size=(80, 24)) as pilot:
        await write_the_tree(pilot, estate)
        as_if_pushed_before(estate)
        registry = estate.homes["apim-2"] / REGISTRY
        registry.write_bytes(
            registry.read_bytes().replace(CACHE_ID.encode(), HAND_CACHE_ID.encode())
        )
        edited = registry.read_bytes()
        # The commands the button runs, as from a shell.
        dry_run = "ansible-playbook -i ansible/inventory.yml ansible/push.yml --check --diff"
        # Folded at blanks to the panel's width, each row but the last ending in " \".
        lead = shown(app, "#push-commands")
        width = app.query_one("#push").content_region.width
        wide = [r for r in lead.splitlines() if r.startswith("  ") and len(r) > width]
        assert all(" " not in r.strip().removesuffix(" \\") for r in wide), wide  # one path
        # Rejoined as the shell reads them: between words, and inside a path.
        joined = re.sub(r"\\\n", "", re.sub(r" \\\n\s+", " ", lead))
        assert f"cd {estate.out} && {dry_run}" in joined
        # By the keys: from the result, which has the focus once written, Tab reaches the push.
        assert app.focused is app.query_one("#result")
        await pilot.press("tab")
        assert app.focused is app.query_one("#push-dry", Button)
        assert on_screen(app, "#push-dry")
        assert not app.query_one("#push-real").display  # only after a dry run
        await pilot.press("enter")
        await settle(pilot)
        status = shown(app, "#push-status")
        assert status.startswith("Dry run done, nothing was changed: "), status
        lines = shown(app, "#push-nodes").splitlines()
        assert lines[0].startswith("apim-1: ok · 0 file(s) differ"), lines
        assert lines[1].startswith("apim-2: would change · 1 file(s) differ"), lines
        assert "changed=1" in lines[1]
        assert registry.read_bytes() == edited  # the dry run changed nothing
        # What differs: the node with the edit, its file, the edit's line out, the tree's in.
        assert app.query_one("#push-node", Select).value == "apim-2"
        diff = shown(app, "#push-diff").splitlines()
        assert any(line.startswith("-") and HAND_CACHE_ID in line for line in diff), diff
        assert any(line.startswith("+") and CACHE_ID in line for line in diff), diff
        assert any(
            line.startswith("+++ after: ") and line.endswith(f"apim-2/{REGISTRY}") for line in diff
        )
        # Push for real is offered, focused and on screen; Enter pushes.
        assert app.focused is app.query_one("#push-real", Button)
        assert on_screen(app, "#push-real")
        await pilot.press("enter")
        await settle(pilot)
        status = shown(app, "#push-status")
        assert status == "Pushed: 1 node(s) changed, 1 node(s) ok.", status
        lines = shown(app, "#push-nodes").splitlines()
        assert lines[0].startswith("apim-1: ok · 0 file(s) replaced"), lines
        assert lines[1].startswith("apim-2: changed · 1 file(s) replaced"), lines
        assert lines[1].endswith("ok=3 changed=1 unreachable=0 failed=0"), lines
        assert registry.read_bytes() == (estate.out / "nodes/apim-2" / REGISTRY).read_bytes()
        assert [b.read_bytes() for b in registry.parent.glob("registry.xml.*~")] == [edited]
        for password in PASSWORDS.values():
            assert password not in shown(app, "#push-nodes") + shown(app, "#push-diff")


async def test_without_ansible_playbook_the_button_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tmp_path, preset="apim-2node-mysql")
    async with app.run_test(size=(80, 24)) as pilot:
        await next_step(pilot, 5)
        pilot.app.query_one("#confirm-all", Button).press()
        await settle(pilot)
        await next_step(pilot)
        app.query_one("#out").value = str(tmp_path / "tree")
        await pilot.pause()
        await next_step(pilot)
        assert app.state.written == tmp_path / "tree"
        monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
        monkeypatch.setattr(fleet.shutil, "which", lambda name: None)
        app.query_one("#push-dry", Button).focus()
        await pilot.press("enter")
        await settle(pilot)
        status = shown(app, "#push-status")
        assert "ansible-playbook is not installed here" in status
        assert "pip install 'carbon-wizard[fleet]'" in status and "Traceback" not in status
        assert not app.query_one("#push-real").display
        assert app.focused is app.query_one("#push-dry", Button)  # try again once installed


async def test_esc_stops_a_running_push_and_the_step_stays_usable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tmp_path, preset="apim-2node-mysql")
    async with app.run_test(size=(80, 24)) as pilot:
        await next_step(pilot, 5)
        pilot.app.query_one("#confirm-all", Button).press()
        await settle(pilot)
        await next_step(pilot)
        app.query_one("#out").value = str(tmp_path / "tree")
        await pilot.pause()
        await next_step(pilot)
        # A stand-in ansible-playbook that reports one node, then hangs.
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        started = tmp_path / "started"
        script = bin_dir / "ansible-playbook"
        script.write_text(
            "#!/bin/sh\necho 'TASK [PRODUCT_HOME is on the node] ***'\necho 'ok: [apim-1]'\n"
            f"echo $$ > {started}\nexec sleep 300\n"
        )
        script.chmod(stat.S_IRWXU)
        monkeypatch.setattr(sys, "executable", str(bin_dir / "python"))
        app.query_one("#push-dry", Button).focus()
        await pilot.press("enter")
        for _ in range(200):
            await pilot.pause(0.05)
            if started.exists() and "apim-1" in shown(app, "#push-nodes"):
                break
        assert "apim-1: running · PRODUCT_HOME is on the node" in shown(app, "#push-nodes")
        assert app.query_one("#push-dry", Button).disabled
        await pilot.press("ctrl+n")  # leaving is refused while it runs
        assert app.current == "write"
        await pilot.press("escape")
        await settle(pilot)
        assert (
            shown(app, "#push-status")
            == "ansible-playbook was stopped; the dry run changed nothing"
        )
        pid = int(started.read_text())
        assert (
            not Path(f"/proc/{pid}").exists()
            or "Z" in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1][:3]
        )
        assert not app.query_one("#push-dry", Button).disabled


async def test_a_tree_merged_by_hand_offers_the_dry_run_only_and_says_why(
    tmp_path: Path,
) -> None:
    # Before: the full-screen step offered the push for real for nodes patched from the
    # kernel baseline, which the playbook refuses; the prompt mode said so and did not.
    from wizard.render.ansible import baseline_note

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        app.state.confirm(app.state.pending())
        await next_step(pilot, 6)
        app.query_one("#out").value = str(tmp_path / "tree")
        await pilot.pause()
        await next_step(pilot)
        assert app.state.written == tmp_path / "tree"
        lead = " ".join(shown(app, "#push-commands").split())
        assert " ".join(baseline_note(["apim"], 1).split()) in lead
        assert "--check --diff" in lead and "push.yml --limit" not in lead
        assert str(app.query_one("#push-dry", Button).label) == "Dry run with Ansible"
        assert not app.query_one("#push-real").display
