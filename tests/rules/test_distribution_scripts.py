"""`check --distribution`: the schema scripts a tree's manifest names are looked for in the
distribution given (zip or PRODUCT_HOME), per product cluster (rule 28).

Distributions are assembled from ../shared/upstream as in tests/render/test_product_databases.py
(Business Process Server 3.6.0, Enterprise Integrator 6.4.0, Identity Server 5.7.0); a test is
skipped, saying why, when that folder is absent.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.core.test_distribution import zip_of
from tests.render.test_product_databases import (
    BP,
    BPMN_PARTS,
    _plan,
    answers_for,
    bps_home,
    bps_product,
    ei_pack,
    ei_products,
)
from tests.rules.test_rules import show
from wizard import cli, rules, tree
from wizard.distribution import DistributionError
from wizard.output import write_tree
from wizard.rules.scripts import open_distribution


def _written(tmp_path: Path, engine: str, products: list[dict]) -> Path:
    out = tmp_path / "tree"
    write_tree(tree.build(_plan(answers_for(engine, products))), out)
    return out


@pytest.mark.parametrize("form", ["directory", "zip"])
def test_the_distribution_the_tree_was_written_from_has_every_script(
    tmp_path: Path, form: str
) -> None:
    home = bps_home(tmp_path)
    root = _written(tmp_path, "mariadb", [bps_product(home)])
    given = str(home if form == "directory" else zip_of(home))
    assert rules.check_tree(root, [open_distribution(given)]) == []


def test_a_script_missing_from_the_distribution_is_named_with_its_database_and_nodes(
    tmp_path: Path,
) -> None:
    # Written without a distribution (the kernel baseline), checked against BPS 3.6.0 whose
    # SQL Server BPMN scripts ../shared/upstream does not hold, and whose BPEL one is taken out.
    root = _written(tmp_path, "mssql", [bps_product(None)])
    home = bps_home(tmp_path)
    (home / "dbscripts/bps/bpel/create/mssql.sql").unlink()
    findings = rules.check_tree(root, [open_distribution(str(home))])
    missing = {"dbscripts/bps/bpel/create/mssql.sql"} | {
        f"dbscripts/bps/bpmn/create/activiti.mssql.create.{part}.sql" for part in BPMN_PARTS
    }
    assert {f.rule for f in findings} == {28}, show(findings)
    assert {f.message.split(" ")[0] for f in findings} == missing
    bpel = next(f for f in findings if "bpel" in f.message)
    assert (bpel.node, bpel.file) == ("", "manifest.json")
    assert bpel.element == "databases[key='bps:BPS_DS']/schema_scripts"
    assert "(Business Process Server 3.6.0)" in bpel.message
    assert "runs it from the PRODUCT_HOME of bps (bps-1, bps-2)" in bpel.message
    assert "tables of bps:BPS_DS (WSO2_BPS_DB on db.example.com:1433)" in bpel.message
    # The kernel script is there: nothing said of it.
    assert not [f for f in findings if f.message.startswith("dbscripts/mssql.sql")]
    # Without --distribution, nothing is looked for.
    assert rules.check_tree(root) == []


def test_an_enterprise_integrator_distribution_serves_each_profile(tmp_path: Path) -> None:
    home = ei_pack(tmp_path)
    root = _written(tmp_path, "postgresql", ei_products(home))
    assert rules.check_tree(root, [open_distribution(str(home))]) == []
    shutil.rmtree(home / BP / "dbscripts/bps/bpmn")
    findings = rules.check_tree(root, [open_distribution(str(home))])
    assert findings and all("ei-business-process (eibp-1, eibp-2)" in f.message for f in findings)
    assert {f.element for f in findings} == {
        "databases[key='ei-business-process:ACTIVITI_DB']/schema_scripts"
    }


def test_a_distribution_of_another_product_or_version_is_refused(tmp_path: Path) -> None:
    root = _written(tmp_path, "mariadb", [bps_product(None)])
    ei = ei_pack(tmp_path)
    with pytest.raises(DistributionError) as caught:
        rules.check_tree(root, [open_distribution(str(ei))])
    assert "is Enterprise Integrator, which no node of this tree runs" in str(caught.value)
    assert "Business Process Server" in str(caught.value)
    older = bps_home(tmp_path).rename(tmp_path / "wso2bps-3.5.1")
    with pytest.raises(DistributionError) as caught:
        rules.check_tree(root, [open_distribution(str(older))])
    assert "is Business Process Server 3.5.1, but in this tree bps runs 3.6.0" in str(caught.value)


def test_the_command_prints_the_finding_and_says_a_wrong_path_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _written(tmp_path, "mssql", [bps_product(None, activiti=False)])
    home = bps_home(tmp_path)
    assert cli.main(["check", str(root), "--distribution", str(home)]) == 0
    (home / "dbscripts/bps/bpel/create/mssql.sql").unlink()
    assert cli.main(["check", str(root), "--distribution", str(zip_of(home))]) == 1
    out, err = capsys.readouterr()
    assert "rule 28 · tree · manifest.json · databases[key='bps:BPS_DS']/schema_scripts: " in out
    assert "1 finding(s)" in err
    assert cli.main(["check", str(root), "--distribution", str(tmp_path / "nowhere")]) == 2
    _, err = capsys.readouterr()
    assert err.startswith("carbon-wizard: ") and "nowhere does not exist" in err


def test_the_manifest_is_read_as_written_and_a_broken_one_is_left_to_rule_0(
    tmp_path: Path,
) -> None:
    root = _written(tmp_path, "mariadb", [bps_product(None)])
    manifest = root / "manifest.json"
    manifest.write_text(json.dumps(["not", "an", "object"]))
    findings = rules.check_tree(root, [open_distribution(str(bps_home(tmp_path)))])
    assert {f.rule for f in findings} == {0}, show(findings)
