"""A two-product, four-node cluster on two hosts, written as an operator would: every node
folder holds its clustering, offset, Secure Vault files and the driver jar, and `check` passes
(rules 10, 11, 29, 30 across the tree)."""

from __future__ import annotations

import copy
import re
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

from tests import answers_fixtures as af
from tests.core.test_generate import run_cli
from wizard import answers, rules, tree
from wizard.output import write_tree

CARBON = "{http://wso2.org/projects/carbon/carbon.xml}"
SVNS = "{http://org.wso2.securevault/configuration}"


def fake_driver(path: Path, driver_class: str = "com.mysql.jdbc.Driver") -> Path:
    """A jar that holds the driver class entry, which is what rule 10 looks for."""
    with zipfile.ZipFile(path, "w") as jar:
        jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        jar.writestr(driver_class.replace(".", "/") + ".class", b"\xca\xfe\xba\xbe")
    return path


def four_nodes(jar: Path | None, vault: bool = True) -> dict[str, Any]:
    data = copy.deepcopy(af.SHARED)
    data["products"][0]["nodes"] = [
        {"id": "apim-1", "host": "10.0.1.11", "offset": 0},
        {"id": "apim-2", "host": "10.0.1.12", "offset": 0},
    ]
    data["products"][1]["nodes"] = [
        {"id": "is-1", "host": "10.0.1.11", "offset": 1},
        {"id": "is-2", "host": "10.0.1.12", "offset": 1},
    ]
    data["cluster"] = {"secure_vault": vault}
    if jar is not None:
        data["cluster"]["driver_jar"] = str(jar)
    return af.with_is_workflow(data)


def node_file(out: Path, node: str, relative: str) -> etree._Element:
    return etree.parse(str(out / "nodes" / node / "repository/conf" / relative)).getroot()


def test_four_nodes_on_two_hosts_are_complete_and_pass_check(tmp_path: Path) -> None:
    jar = fake_driver(tmp_path / "mysql-connector-java-5.1.49.jar")
    out = write_tree(tree.build(af.build(four_nodes(jar))), tmp_path / "tree").path
    assert rules.check_tree(out) == []
    checked = run_cli("check", str(out))
    assert checked.returncode == 0, checked.stdout + checked.stderr

    members = {"apim": {("10.0.1.11", "4000"), ("10.0.1.12", "4000")}}
    members["is"] = {("10.0.1.11", "4001"), ("10.0.1.12", "4001")}
    domains = {}
    for node, product, host, offset in [
        ("apim-1", "apim", "10.0.1.11", 0),
        ("apim-2", "apim", "10.0.1.12", 0),
        ("is-1", "is", "10.0.1.11", 1),
        ("is-2", "is", "10.0.1.12", 1),
    ]:
        clustering = node_file(out, node, "axis2/axis2.xml").find("clustering")
        assert clustering.get("enable") == "true"
        params = {p.get("name"): p.text for p in clustering.findall("parameter")}
        assert params["membershipScheme"] == "wka"
        assert params["localMemberHost"] == host
        listed = {(m.findtext("hostName"), m.findtext("port")) for m in clustering.iter("member")}
        assert listed == members[product]
        domains.setdefault(product, set()).add(params["domain"])
        carbon = node_file(out, node, "carbon.xml")
        assert carbon.findtext(f"{CARBON}Ports/{CARBON}Offset") == str(offset)
        # Secure Vault: no plaintext password in any XML, aliases in the properties files.
        ds = node_file(out, node, "datasources/master-datasources.xml")
        for config in ds.iter("configuration"):
            if (config.findtext("url") or "").startswith("jdbc:mysql:"):
                password = config.find("password")
                assert password.get(f"{SVNS}secretAlias") and password.text == "password"
        security = out / "nodes" / node / "repository/conf/security"
        assert {p.name for p in security.iterdir()} >= {
            "cipher-tool.properties",
            "cipher-text.properties",
            "secret-conf.properties",
        }
        copied = out / "nodes" / node / "repository/components/lib" / jar.name
        assert copied.read_bytes() == jar.read_bytes()
    assert all(len(d) == 1 for d in domains.values())
    assert domains["apim"] != domains["is"]
    for path in out.rglob("*.xml"):
        assert af.PASSWORD.encode() not in path.read_bytes(), path

    readme = (out / "README.md").read_text()
    for port in ("9443", "9444", "9763", "9764"):
        assert port in readme


def test_without_the_jar_the_readme_names_it_and_check_still_passes(tmp_path: Path) -> None:
    out = write_tree(tree.build(af.build(four_nodes(None, vault=False))), tmp_path / "t").path
    assert rules.check_tree(out) == []
    assert not list(out.rglob("*.jar"))
    readme = (out / "README.md").read_text()
    assert "mysql-connector-java" in readme and "repository/components/lib" in readme


def test_a_jar_without_the_driver_class_is_caught(tmp_path: Path) -> None:
    jar = fake_driver(tmp_path / "wrong.jar", "org.postgresql.Driver")
    built = tree.build(af.build(four_nodes(jar, vault=False)))
    findings = rules.check_files(built.files)
    assert findings and all(f.rule == 10 for f in findings)
    assert "com.mysql.jdbc.Driver" in str(findings[0])


def test_a_missing_jar_is_a_clear_error(tmp_path: Path) -> None:
    data = four_nodes(tmp_path / "absent.jar", vault=False)
    answers_file = tmp_path / "answers.toml"
    answers_file.write_text(answers.dumps(answers.parse(data)))
    env = {
        answers.password_env_name("database.registry"): "r",
        answers.password_env_name("database.user_management"): "u",
        answers.password_env_name("products[0].databases.WSO2AM_DB"): "a",
        answers.password_env_name("products[1].databases.BPS_DS", data): "b",
        "IS_DB_PASSWORD": "i",
    }
    result = run_cli(
        "generate", "--answers", str(answers_file), "--out", str(tmp_path / "o"), env=env
    )
    assert result.returncode == 2, result.stderr
    assert "absent.jar" in result.stderr and "driver_jar" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_readme_walks_through_the_vault_and_names_the_copied_jar(tmp_path: Path) -> None:
    jar = fake_driver(tmp_path / "mysql-connector-java-5.1.49.jar")
    readme = tree.build(af.build(four_nodes(jar))).readme
    steps = [line for line in readme.splitlines() if re.match(r"### \d+\. ", line)]
    assert [s.split(".")[0] for s in steps] == [f"### {n}" for n in range(1, 9)]
    # Identity Server's user store and identity files come before the vault.
    assert "### 5. Users, identity data" in readme
    assert "### 6. Secure Vault" in readme and "ciphertool.sh -Dconfigure" in readme
    assert "### 7. Start the nodes" in readme and "### 8. Verify" in readme
    assert "`mysql-connector-java-5.1.49.jar` (from" in readme and "already in every node" in readme
    plain = tree.build(af.build(four_nodes(None, vault=False))).readme
    assert "Secure Vault" not in plain and "### 6. Start the nodes" in plain
