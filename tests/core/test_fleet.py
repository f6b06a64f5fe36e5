"""From the tree to the fleet and back: the generated inventory and playbooks, run by the real
ansible-playbook against nodes that are folders on this machine (a local connection given by a
second inventory), then `collect` and `check --deployed`.

The push puts every file in place with its mode and keeps the stock one as a backup; a second
run changes nothing; `--check --diff` after a hand edit shows that edit only; collect and
check --deployed find the rule the edit broke, naming the node; no password is printed.
"""

from __future__ import annotations

import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import answers_fixtures as af
from tests.fleet_estate import (
    Estate,
    database_listener,
    free_port,
    make_estate,
    recap,
    require_ansible,
    secrets_in,
)
from wizard import answers, fleet, homes, plan, tree
from wizard.cli import main
from wizard.output import write_tree
from wizard.problems import AnswersError

CACHE_ID = "<cacheId>regadmin@"
HAND_CACHE_ID = "<cacheId>someone@"


@pytest.fixture
def db_port() -> Iterator[int]:
    with database_listener() as port:
        yield port


@pytest.fixture
def estate(tmp_path: Path, db_port: int) -> Estate:
    require_ansible()
    return make_estate(tmp_path, db_port)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def tree_files(estate: Estate, node: str) -> dict[str, Path]:
    folder = estate.tree / "nodes" / node
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}


def hand_edit_registry(estate: Estate, node: str = "apim-2") -> Path:
    """A change by hand on a node: the registry's cacheId names another user (rule 16)."""
    registry = estate.homes[node] / "repository/conf/registry.xml"
    data = registry.read_bytes()  # bytes: the stock file's line ends stay as they are
    assert data.count(CACHE_ID.encode()) == 1
    registry.write_bytes(data.replace(CACHE_ID.encode(), HAND_CACHE_ID.encode()))
    return registry


def pushed(estate: Estate, *args: str) -> str:
    result = estate.push(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


# ------------------------------------------------------------------------------------------
# What is generated (no Ansible needed)
# ------------------------------------------------------------------------------------------


def test_the_tree_has_an_inventory_and_playbooks_with_sums_and_no_secret() -> None:
    data = dict(af.SHARED, fleet={"user": "deploy", "owner": "wso2", "group": "wso2"})
    built = tree.build(af.build(data))
    inventory = built.files["ansible/inventory.yml"].decode()
    assert {"ansible/push.yml", "ansible/collect.yml"} <= set(built.files)
    sums = built.files["SHA256SUMS"].decode()
    assert all(f"  {path}\n" in sums for path in built.files if path.startswith("ansible/"))
    assert '"ansible/inventory.yml"' in built.files["manifest.json"].decode()
    for needle in (
        'ansible_user: "deploy"',
        'carbon_owner: "wso2"',
        'carbon_group: "wso2"',
        '"apim":',
        '"is":',
        'carbon_home: "/opt/wso2/wso2am-2.6.0"',
        'carbon_home: "/opt/wso2/wso2is-5.7.0"',
        '"apim-1":\n          ansible_host: "10.0.1.11"',
        '"is-1":\n          ansible_host: "is-1.example.com"',
        '{path: "check-databases.sh", mode: "0700", diff: true}',
        '{path: "repository/conf/registry.xml", mode: "0600", diff: true}',
        # Files holding passwords never show a diff.
        '{path: "repository/conf/datasources/master-datasources.xml", mode: "0600", diff: false}',
        '{path: "repository/conf/user-mgt.xml", mode: "0600", diff: false}',
    ):
        assert needle in inventory, needle
    # Every file of every node folder is listed, and nothing else.
    listed = re.findall(r'\{path: "([^"]+)"', inventory)
    for node in ("apim-1", "is-1"):
        folder = {p.split("/", 2)[2] for p in built.files if p.startswith(f"nodes/{node}/")}
        assert folder <= set(listed)
    generated = "".join(built.files[p].decode() for p in built.files if p.startswith("ansible/"))
    for secret in (af.PASSWORD, "um-secret", "am-secret", af.ENV["IS_DB_PASSWORD"]):
        assert secret not in generated
    assert "## Push with Ansible" in built.readme and "--limit apim-1" in built.readme
    assert "--become" in built.readme
    assert "### 4. Put each node's files in place" in built.readme  # the manual way stays


def test_ansible_false_leaves_it_out() -> None:
    off = tree.build(af.build(dict(af.SHARED, fleet={"ansible": False})))
    assert not [p for p in off.files if p.startswith("ansible/")]
    assert "Push with Ansible" not in off.readme
    assert '"ansible": []' in off.files["manifest.json"].decode()
    assert "[fleet]\nansible = false\n" in off.files["topology.toml"].decode()


def test_homes_default_to_the_unpacked_folder_and_never_collide_on_a_host() -> None:
    data = af.variant(
        "products[0].nodes",
        [
            {"id": "apim-1", "host": "10.0.1.11"},
            {"id": "apim-2", "host": "10.0.1.11", "offset": 1},
            {"id": "apim-3", "host": "10.0.1.12"},
        ],
    )
    data["cluster"] = {"clustering": False}
    found = homes.node_homes(af.topology(data))
    assert found["apim-1"] == found["apim-3"] == "/opt/wso2/wso2am-2.6.0"
    assert found["apim-2"] == "/opt/wso2/wso2am-2.6.0-apim-2"
    assert found["is-1"] == "/opt/wso2/wso2is-5.7.0"
    inventory = tree.build(plan.build(af.topology(data), af.ENV)).files["ansible/inventory.yml"]
    assert b'"apim-2":\n          ansible_host: "10.0.1.11"\n          carbon_home: ' in inventory


BAD_FLEET = [
    ("products[0].home", "opt/wso2", "not an absolute path"),
    ("products[0].home", "/opt/../etc", "'..'"),
    ("products[0].home", "/opt/my wso2", "folder names of letters"),
    ("products[0].home", "/", "root folder"),
    ("products[0].nodes[0].home", "/opt/{{x}}", "folder names of letters"),
    ("fleet.user", "root;rm", "not a user or group name"),
    ("fleet.owner", "-wso2", "not a user or group name"),
    ("fleet.group", "x" * 33, "not a user or group name"),
]


@pytest.mark.parametrize(("path", "value", "phrase"), BAD_FLEET)
def test_bad_fleet_answers_name_the_field_and_the_fix(path: str, value: str, phrase: str) -> None:
    data = af.variant(path, value) if not path.startswith("fleet.") else dict(af.SHARED)
    if path.startswith("fleet."):
        data["fleet"] = {path.split(".")[1]: value}
    with pytest.raises(AnswersError) as caught:
        answers.parse(data)
    problems = [(p.path, p.message) for p in caught.value.problems]
    assert any(p == path and phrase in m for p, m in problems), problems


def test_two_nodes_given_one_home_on_one_host_are_refused_at_the_second() -> None:
    data = af.variant(
        "products[0].nodes",
        [
            {"id": "apim-1", "host": "10.0.1.11", "home": "/srv/apim"},
            {"id": "apim-2", "host": "10.0.1.11", "offset": 1, "home": "/srv/apim"},
        ],
    )
    data["cluster"] = {"clustering": False}
    with pytest.raises(AnswersError) as caught:
        answers.parse(data)
    [problem] = [p for p in caught.value.problems if p.path.endswith("home")]
    assert problem.path == "products[0].nodes[1].home"
    assert "give apim-2 its own home" in problem.message


# ------------------------------------------------------------------------------------------
# The push, against folders on this machine
# ------------------------------------------------------------------------------------------


def test_push_puts_every_file_in_place_with_its_mode_and_a_backup(estate: Estate) -> None:
    stock = {
        node: {
            path: (estate.homes[node] / path).read_bytes()
            for path in tree_files(estate, node)
            if (estate.homes[node] / path).is_file()
        }
        for node in estate.homes
    }
    first = pushed(estate)
    assert {h: r["changed"] for h, r in recap(first).items()} == {"apim-1": 1, "apim-2": 1}
    for node, home in estate.homes.items():
        files = tree_files(estate, node)
        # The driver jar and Secure Vault's files too: everything in the node folder.
        assert "repository/components/lib/mysql-connector-java-5.1.49.jar" in files
        assert "repository/conf/security/secret-conf.properties" in files
        # A folder the push made is private; the stock ones keep their modes.
        assert mode(home / "repository/components/lib") == 0o700
        assert mode(home / "repository/conf") == mode(estate.stock / "repository/conf")
        for path, source in files.items():
            target = home / path
            assert target.read_bytes() == source.read_bytes(), path
            assert (
                mode(target) == mode(source) == (0o700 if path == "check-databases.sh" else 0o600)
            )
            backups = list(target.parent.glob(f"{target.name}.*~"))
            if path in stock[node] and stock[node][path] != source.read_bytes():
                assert [b.read_bytes() for b in backups] == [stock[node][path]], path
            else:
                assert backups == [], path
    second = pushed(estate)
    assert {h: r["changed"] for h, r in recap(second).items()} == {"apim-1": 0, "apim-2": 0}


def test_limit_by_node_and_by_product_group(estate: Estate) -> None:
    only = pushed(estate, "--limit", "apim-1")
    assert set(recap(only)) == {"apim-1"}
    assert (estate.homes["apim-1"] / "check-databases.sh").is_file()
    assert not (estate.homes["apim-2"] / "check-databases.sh").exists()
    # The three-way view tells a node never pushed from one changed by hand.
    assert estate.cli("collect", str(estate.tree), "-i", str(estate.extra)).returncode == 0
    view = estate.cli("check", str(estate.tree), "--deployed").stdout
    assert (
        "  repository/conf/registry.xml: stock -> planned: patched; "
        "planned -> deployed: still the stock file (not pushed)"
    ) in view.split("apim-2:")[1]
    assert "check-databases.sh: stock -> planned: new file; planned -> deployed: missing" in view
    group = pushed(estate, "--limit", "apim")
    assert {h: r["changed"] for h, r in recap(group).items()} == {"apim-1": 0, "apim-2": 1}


def test_push_stops_with_the_check_scripts_message_when_a_database_is_down(
    tmp_path: Path,
) -> None:
    require_ansible()
    estate = make_estate(tmp_path, free_port())  # nothing listens there
    result = estate.push()
    assert result.returncode != 0
    assert "check-databases.sh failed" in result.stdout
    assert "FAILED" in result.stdout and "WSO2_REG_DB on 127.0.0.1" in result.stdout
    assert {h: r["failed"] for h, r in recap(result.stdout).items()} == {"apim-1": 1, "apim-2": 1}


def test_push_refuses_a_node_whose_product_home_is_not_there(estate: Estate) -> None:
    missing = estate.homes["apim-2"]
    missing.rename(missing.with_name("elsewhere"))
    result = estate.push()
    assert result.returncode != 0
    assert f"{missing} is not a directory on apim-2: unpack the product there" in " ".join(
        result.stdout.split()
    )
    assert recap(result.stdout)["apim-1"]["failed"] == 0


# ------------------------------------------------------------------------------------------
# Back: collect and check --deployed
# ------------------------------------------------------------------------------------------


def test_a_hand_edit_shows_in_the_drift_diff_and_breaks_a_rule_in_check_deployed(
    estate: Estate,
) -> None:
    """--check --diff shows exactly the edit; collect + check --deployed name the rule it
    broke and the node, and show stock -> planned -> deployed."""
    pushed(estate)
    registry = hand_edit_registry(estate)
    edited = registry.read_bytes()
    result = estate.push("--check", "--diff")
    assert result.returncode == 0, result.stdout + result.stderr
    assert {h: r["changed"] for h, r in recap(result.stdout).items()} == {"apim-1": 0, "apim-2": 1}
    changed = re.findall(r"^changed: \[(\S+)\] => \(item=(\S+)\)$", result.stdout, re.M)
    assert changed == [("apim-2", "repository/conf/registry.xml")]
    lines = [
        line
        for line in result.stdout.splitlines()
        if line.startswith(("+", "-")) and not line.startswith(("---", "+++"))
    ]
    assert len(lines) == 2, lines
    assert lines[0].startswith("-") and HAND_CACHE_ID in lines[0]  # what the node has
    assert lines[1].startswith("+") and CACHE_ID in lines[1]  # what the tree has
    assert lines[0].replace(HAND_CACHE_ID, CACHE_ID)[1:] == lines[1][1:]
    assert registry.read_bytes() == edited  # check mode changed nothing
    collected = estate.cli("collect", str(estate.tree), "-i", str(estate.extra))
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "into " + str(estate.tree / "deployed") in collected.stdout
    deployed = estate.tree / "deployed"
    assert mode(deployed) == 0o700
    for node in estate.homes:
        for path in tree_files(estate, node):
            assert mode(deployed / node / path) == 0o600, path
    checked = estate.cli("check", str(estate.tree), "--deployed")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    out = checked.stdout
    assert re.search(r"^rule 16 · apim-2 · repository/conf/registry\.xml", out, re.M), out
    assert "apim-1 ·" not in out
    assert "apim-1: as planned" in out and "apim-2: 1 file(s) differ from the tree" in out
    assert (
        "  repository/conf/registry.xml: stock -> planned: patched; "
        "planned -> deployed: changed on the node"
    ) in out
    diff = [line.strip() for line in out.splitlines() if line.strip().startswith(("+", "-"))]
    assert [d[0] for d in diff if "cacheId" in d] == ["-", "+"]
    assert (
        "  check-databases.sh: stock -> planned: new file; planned -> deployed: as planned" in out
    )
    # The planned tree still passes: the drift is on the node only.
    checked = estate.cli("check", str(estate.tree))
    assert checked.returncode == 0, checked.stdout


def test_check_deployed_before_collect_and_collect_without_ansible_say_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = write_tree(tree.build(af.build()), tmp_path / "tree").path
    assert main(["check", str(out), "--deployed"]) == 2
    assert f"run `carbon-wizard collect {out}` first" in capsys.readouterr().err
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    monkeypatch.setattr(fleet.shutil, "which", lambda name: None)
    assert main(["collect", str(out)]) == 2
    err = capsys.readouterr().err
    assert "pip install 'carbon-wizard[fleet]'" in err and "Traceback" not in err
    assert not (out / "deployed").exists() and not list(out.glob(".deployed*"))


def test_no_secret_in_verbose_output_or_the_collected_report(estate: Estate) -> None:
    first = estate.push("-v")
    assert first.returncode == 0, first.stdout + first.stderr
    # A password changed by hand on a node is a secret too.
    datasources = estate.homes["apim-2"] / "repository/conf/datasources/master-datasources.xml"
    text = datasources.read_text()
    hand = "Hand-S3cret-88"
    datasources.write_text(  # the file the tree wrote: its line ends are \n
        re.sub(r"(<password>)[^<]*(</password>)", rf"\g<1>{hand}\g<2>", text, count=1)
    )
    drift = estate.push("--check", "--diff", "-vvv")
    assert drift.returncode == 0, drift.stdout + drift.stderr
    # The file is named as differing, its contents are not shown.
    assert re.search(
        r"^changed: \[apim-2\] => \(item=repository/conf/datasources/master-datasources\.xml\)",
        drift.stdout,
        re.M,
    )
    collected = estate.cli("collect", str(estate.tree), "-i", str(estate.extra), "-v")
    assert collected.returncode == 0, collected.stdout + collected.stderr
    checked = estate.cli("check", str(estate.tree), "--deployed")
    assert (
        "master-datasources.xml (holds passwords): stock -> planned: patched; "
        "planned -> deployed: changed on the node"
    ) in checked.stdout
    assert "(differs only in a secret value, not shown)" in checked.stdout
    for name, output in (
        ("inventory", (estate.tree / "ansible/inventory.yml").read_text()),
        ("push -v", first.stdout + first.stderr),
        ("push --check --diff -vvv", drift.stdout + drift.stderr),
        ("collect -v", collected.stdout + collected.stderr),
        ("check --deployed", checked.stdout + checked.stderr),
    ):
        assert secrets_in(output) == [], name
        assert hand not in output, name
