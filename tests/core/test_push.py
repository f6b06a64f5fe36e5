"""The push from the front ends (wizard.push): ansible-playbook's output of the tree's push.yml
read into what each node got, on recorded transcripts and on the real ansible-playbook
pushing to folders on this machine (tests/fleet_estate.py); the run stopped on request and
after its time; a missing ansible-playbook is the sentence saying how to install it.
"""

from __future__ import annotations

import os
import stat
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import answers_fixtures as af
from tests.fleet_estate import Estate, database_listener, make_estate, require_ansible, secrets_in
from wizard import fleet, push, tree
from wizard.output import write_tree

RECORDED = Path(__file__).resolve().parent / "golden" / "push"
RECORDED_TREE = Path("/srv/plans/fleet-test")
"""Where the recorded runs' tree was (the paths in them were rewritten to this)."""
CACHE_ID = "<cacheId>regadmin@"
HAND_CACHE_ID = "<cacheId>someone@"
DATASOURCES = "repository/conf/datasources/master-datasources.xml"
REGISTRY = "repository/conf/registry.xml"
UNDIFFED = {
    DATASOURCES,
    "repository/conf/carbon.xml",
    "repository/conf/user-mgt.xml",
    "repository/components/lib/mysql-connector-java-5.1.49.jar",
}


def recorded(name: str) -> dict[str, push.NodeResult]:
    lines = (RECORDED / f"{name}.txt").read_text().splitlines()
    return push.read(lines, RECORDED_TREE, UNDIFFED)


def changed_lines(diff: str) -> list[str]:
    return [
        line
        for line in diff.splitlines()
        if line.startswith(("+", "-")) and not line.startswith(("---", "+++"))
    ]


# ------------------------------------------------------------------------------------------
# Recorded transcripts of the real ansible-playbook (no Ansible needed)
# ------------------------------------------------------------------------------------------


def test_recorded_dry_run_names_the_hand_edited_node_its_files_and_the_edit() -> None:
    nodes = recorded("dry-run-hand-edit")
    assert {n: node.status for n, node in nodes.items()} == {"apim-1": "ok", "apim-2": "changed"}
    edited = nodes["apim-2"]
    assert list(edited.changed) == [DATASOURCES, REGISTRY]
    # The registry's diff as Ansible printed it: the node's line out, the tree's line in.
    registry = edited.changed[REGISTRY].diff
    assert registry.startswith("--- before: /opt/wso2/apim-2/wso2am-2.6.0/" + REGISTRY)
    minus, plus = changed_lines(registry)
    assert minus.startswith("-") and HAND_CACHE_ID in minus
    assert plus.startswith("+") and CACHE_ID in plus
    # The datasources hold passwords: named as differing, no contents.
    assert edited.changed[DATASOURCES].diff == "" and edited.changed[DATASOURCES].secret
    assert len(edited.unchanged) == 7 and REGISTRY not in edited.unchanged
    assert nodes["apim-1"].changed == {} and len(nodes["apim-1"].unchanged) == 9
    assert str(edited.recap) == "ok=2 changed=1 unreachable=0 failed=0"
    assert edited.summary(check=True).startswith("apim-2: would change · 2 file(s) differ")
    assert nodes["apim-1"].summary(check=True).startswith("apim-1: ok · 0 file(s) differ")


def test_recorded_push_says_which_node_changed_and_keeps_no_diff() -> None:
    nodes = recorded("push-hand-edit")
    assert {n: node.status for n, node in nodes.items()} == {"apim-1": "ok", "apim-2": "changed"}
    assert list(nodes["apim-2"].changed) == [DATASOURCES, REGISTRY]
    assert all(change.diff == "" for change in nodes["apim-2"].changed.values())
    assert nodes["apim-2"].recap == push.Recap(3, 1, 0, 0, skipped=3)
    assert nodes["apim-2"].summary(check=False).startswith("apim-2: changed · 2 file(s) replaced")


def test_recorded_failures_carry_the_nodes_message() -> None:
    down = recorded("push-database-down")
    for node in ("apim-1", "apim-2"):
        assert down[node].status == "failed"
        [failure] = down[node].failures
        assert failure.startswith("failed: Stop where a database does not answer: ")
        assert f"{node}: check-databases.sh failed (exit 1)" in failure
        assert "WSO2_REG_DB on 127.0.0.1" in failure
        assert "\n" not in failure  # one line per node in the progress view
        assert "failed=1 · failed: Stop where" in down[node].summary(check=False)
    unreachable = recorded("dry-run-unreachable")
    assert {n: node.status for n, node in unreachable.items()} == {
        "apim-1": "unreachable",
        "apim-2": "unreachable",
    }
    assert "Connection refused" in unreachable["apim-1"].failures[0]


def test_lines_are_read_as_they_come_and_tell_which_node_moved() -> None:
    """What the progress view is drawn from: a node's line changes with each of its results,
    before the recap arrives."""
    output = push.PushOutput(RECORDED_TREE, UNDIFFED)
    seen: list[tuple[str, str]] = []
    for line in (RECORDED / "push-hand-edit.txt").read_text().splitlines():
        node = output.feed(line)
        if node is not None:
            seen.append((node.node, node.summary(check=False)))
    assert seen[0] == (
        "apim-2",
        "apim-2: running · PRODUCT_HOME is on the node · 0 file(s) replaced, 0 as in the tree",
    )
    assert (
        "apim-2",
        "apim-2: running · The node's files, from nodes/<node>/ of the tree · "
        "1 file(s) replaced, 3 as in the tree",
    ) in seen
    assert seen[-1][1].startswith("apim-2: changed")


def test_a_diff_is_given_to_the_node_it_names_whoever_prints_next() -> None:
    """Ansible prints a file's diff just before that item's line, but another host's line
    may come between them: the diff's own `+++ after:` path says whose it is."""
    lines = [
        "TASK [The node's files, from nodes/<node>/ of the tree] ***",
        "--- before: /opt/a/conf/x.xml",
        "+++ after: /srv/t/nodes/n-2/conf/x.xml",
        "@@ -1 +1 @@",
        "-old",
        "+new",
        "",
        "changed: [n-1] => (item=conf/y.xml)",
        "changed: [n-2] => (item=conf/x.xml)",
        "PLAY RECAP ***",
        "n-1                        : ok=1    changed=1    unreachable=0    failed=0",
        "n-2                        : ok=1    changed=1    unreachable=0    failed=0",
    ]
    for tree_path in (Path("/srv/t"), None):
        nodes = push.read(lines, tree_path)
        assert nodes["n-2"].changed["conf/x.xml"].diff.splitlines()[-2:] == ["-old", "+new"]
        assert nodes["n-1"].changed["conf/y.xml"].diff == ""
        assert "conf/x.xml" not in nodes["n-1"].changed


def test_the_inventorys_undiffed_files_are_those_holding_passwords(tmp_path: Path) -> None:
    out = write_tree(tree.build(af.build()), tmp_path / "tree").path
    undiffed = push.undiffed_paths(out)
    assert {DATASOURCES, "repository/conf/user-mgt.xml"} <= undiffed
    assert REGISTRY not in undiffed and "check-databases.sh" not in undiffed


# ------------------------------------------------------------------------------------------
# The run: missing, stopped, timed out (a stand-in ansible-playbook)
# ------------------------------------------------------------------------------------------


@pytest.fixture
def written(tmp_path: Path) -> Path:
    return write_tree(tree.build(af.build()), tmp_path / "tree").path


def fake_ansible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> Path:
    """An ansible-playbook beside a stand-in Python, found as the venv's would be."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    playbook = bin_dir / "ansible-playbook"
    playbook.write_text("#!/bin/sh\n" + script)
    playbook.chmod(stat.S_IRWXU)
    monkeypatch.setattr(sys, "executable", str(bin_dir / "python"))
    return bin_dir


def gone(pid: int) -> bool:
    """Ended: no such process, or one waiting only to be reaped by whoever adopted it."""
    for _ in range(50):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.1)
    return False


def test_missing_ansible_playbook_says_how_to_install_it(
    written: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    monkeypatch.setattr(fleet.shutil, "which", lambda name: None)
    with pytest.raises(fleet.FleetError) as caught:
        push.run(written, check=True)
    assert "pip install 'carbon-wizard[fleet]'" in str(caught.value)


def test_a_tree_without_ansible_is_refused_saying_why(tmp_path: Path) -> None:
    off = write_tree(
        tree.build(af.build(dict(af.SHARED, fleet={"ansible": False}))), tmp_path / "t"
    )
    with pytest.raises(fleet.FleetError, match=r"written without Ansible \(\[fleet\] ansible"):
        push.run(off.path, check=True)


def test_cancel_stops_the_playbook_and_its_children(
    written: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pids = tmp_path / "pids"
    fake_ansible(
        tmp_path,
        monkeypatch,
        f'echo "TASK [PRODUCT_HOME is on the node] ***"\nsleep 300 &\necho $! > {pids}\n'
        'echo "ok: [apim-1]"\nwait\n',
    )
    cancel = threading.Event()
    lines: list[tuple[str, str | None]] = []

    def on_line(line: str, node: push.NodeResult | None) -> None:
        lines.append((line, node.node if node else None))
        if node is not None:
            cancel.set()

    started = time.monotonic()
    with pytest.raises(fleet.Cancelled, match="stopped; the dry run changed nothing"):
        push.run(written, check=True, on_line=on_line, cancel=cancel)
    assert time.monotonic() - started < 20
    assert lines == [("TASK [PRODUCT_HOME is on the node] ***", None), ("ok: [apim-1]", "apim-1")]
    assert gone(int(pids.read_text()))  # the worker the playbook forked went with it


def test_a_run_past_its_time_is_stopped_saying_so(
    written: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_ansible(tmp_path, monkeypatch, "exec sleep 300\n")
    with pytest.raises(
        fleet.FleetError,
        match=r"did not finish within 0.5 s and was stopped; "
        "the nodes it reached may have",
    ):
        push.run(written, check=False, timeout=0.5)


def test_the_playbook_is_run_from_the_tree_with_its_inventory_and_the_dry_run_flags(
    written: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_ansible(
        tmp_path,
        monkeypatch,
        'echo "cwd=$(pwd)"; echo "args=$*"; echo "nocolor=$ANSIBLE_NOCOLOR" >&2; exit 2\n',
    )
    lines: list[str] = []
    result = push.run(written, check=True, on_line=lambda line, _: lines.append(line))
    inventory, playbook = written / "ansible/inventory.yml", written / "ansible/push.yml"
    assert lines[:2] == [f"cwd={written}", f"args=-i {inventory} --check --diff {playbook}"]
    assert "nocolor=1" in lines  # stderr comes too, and the output is uncoloured
    assert result.status == 2 and not result.ok and result.nodes == {}
    assert result.tail == lines
    real = push.run(written, check=False, ansible_args=["--limit", "apim-1"])
    assert real.tail[1] == f"args=-i {inventory} --limit apim-1 {playbook}"


# ------------------------------------------------------------------------------------------
# The real ansible-playbook against folders on this machine (slow: the `estate` fixture)
# ------------------------------------------------------------------------------------------


@pytest.fixture
def db_port() -> Iterator[int]:
    with database_listener() as port:
        yield port


@pytest.fixture
def estate(tmp_path: Path, db_port: int, monkeypatch: pytest.MonkeyPatch) -> Estate:
    require_ansible()
    made = make_estate(tmp_path, db_port)
    # The run inherits this process's environment, as from a shell.
    for name in [k for k in os.environ if k.startswith("ANSIBLE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ANSIBLE_LOCAL_TEMP", made.env["ANSIBLE_LOCAL_TEMP"])
    return made


def test_real_dry_run_then_push_then_a_hand_edit(estate: Estate) -> None:
    extra = ["-i", str(estate.extra)]  # the local connection, the homes in tmp_path
    streamed: list[str] = []

    def run(check: bool) -> push.PushResult:
        start = len(streamed)
        result = push.run(
            estate.tree, check=check, ansible_args=extra, on_line=lambda s, _: streamed.append(s)
        )
        assert result.status == 0 and result.ok, "\n".join(streamed[start:])
        return result

    files = sorted(
        p.relative_to(estate.tree / "nodes/apim-1").as_posix()
        for p in (estate.tree / "nodes/apim-1").rglob("*")
        if p.is_file()
    )
    # Stock homes: every file of every node differs; the ones with passwords without contents.
    first = run(check=True)
    assert {n: r.status for n, r in first.nodes.items()} == {
        "apim-1": "changed",
        "apim-2": "changed",
    }
    for node in first.nodes.values():
        assert sorted(node.changed) == files
        for path, change in node.changed.items():
            assert bool(change.diff) == (path not in UNDIFFED and not change.secret), path
        assert CACHE_ID in "".join(changed_lines(node.changed[REGISTRY].diff))
        assert node.changed["check-databases.sh"].diff.startswith("--- before\n+++ after: ")
    assert not (estate.homes["apim-1"] / "check-databases.sh").exists()  # nothing changed
    pushed = run(check=False)
    assert {n: r.recap.changed for n, r in pushed.nodes.items() if r.recap} == {
        "apim-1": 1,
        "apim-2": 1,
    }
    registry = estate.homes["apim-2"] / REGISTRY
    assert registry.read_bytes() == (estate.tree / "nodes/apim-2" / REGISTRY).read_bytes()
    # A hand edit on one node: the dry run names that node, that file, that line.
    registry.write_bytes(registry.read_bytes().replace(CACHE_ID.encode(), HAND_CACHE_ID.encode()))
    drift = run(check=True)
    assert {n: r.status for n, r in drift.nodes.items()} == {"apim-1": "ok", "apim-2": "changed"}
    assert list(drift.nodes["apim-2"].changed) == [REGISTRY]
    minus, plus = changed_lines(drift.nodes["apim-2"].changed[REGISTRY].diff)
    assert HAND_CACHE_ID in minus and CACHE_ID in plus
    assert HAND_CACHE_ID.encode() in registry.read_bytes()  # the dry run changed nothing
    assert secrets_in("\n".join(streamed)) == []
