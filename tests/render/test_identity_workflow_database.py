"""Identity Server's workflow engine database (BPS_DS in bps-datasources.xml): asked for, set
up, given the scripts the IS distribution holds, patched into that file and drawn, for a
cluster of two or more IS nodes; a lone node and IS as Key Manager may leave it on each
node's H2.

Identity Server 5.7.0 ships bps-datasources.xml (../shared/upstream/is-5.7.0/SOURCES.md
section 5) and, in dbscripts/bps/bpel/create/, the BPEL engine's scripts (product-is v5.7.0
modules/distribution/src/assembly/bin.xml lines 460-463; test_product_databases.is_pack).
WSO2 lists BPS_DB among an IS cluster's databases (IS570 "Setting Up Separate Databases for
Clustering", https://wso2docs.atlassian.net/wiki/spaces/IS570/pages/38175125).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests import answers_fixtures as af
from tests.render.test_product_databases import (
    _is_km,
    _nodes,
    _plan,
    _spec,
    answers_for,
    is_pack,
)
from tests.rules.test_rules import show
from wizard import answers, database_slots, picture, tree
from wizard.distribution import missing_scripts, open_stock
from wizard.problems import AnswersError
from wizard.questions import share_question
from wizard.render.sql import setup_scripts
from wizard.rules import check_files
from wizard.schema import schema_steps

BPS_FILE = "repository/conf/datasources/bps-datasources.xml"


def is_product(home: Path | None, nodes: int, bps: bool = True) -> dict[str, Any]:
    product = copy.deepcopy(af.SHARED["products"][1])
    product["nodes"] = _nodes("is", nodes)
    if home is not None:
        product["distribution"] = str(home)
    if bps:
        product["databases"]["BPS_DS"] = _spec("WSO2IS_BPS_DB", "isbpsadmin")
    return product


def test_an_identity_server_cluster_shares_its_workflow_database(tmp_path: Path) -> None:
    home = is_pack(tmp_path)
    plan = _plan(answers_for("mariadb", [is_product(home, 2)]))
    db = plan.database("is:BPS_DS")
    assert (db.datasource_name, db.jndi_name, db.nodes) == ("BPS_DS", "bpsds", ("is-1", "is-2"))
    (setup,) = setup_scripts(plan).values()
    assert "CREATE DATABASE IF NOT EXISTS `WSO2IS_BPS_DB`" in setup
    (step,) = [s for s in schema_steps(plan) if s.database_key == "is:BPS_DS"]
    assert step.scripts == ("dbscripts/bps/bpel/create/mysql.sql",)
    assert step.products == ("is",)
    assert open_stock(str(home)).has(step.scripts[0])  # type: ignore[attr-defined]
    assert "BPS_DS               → WSO2IS_BPS_DB  (via bpsds)" in picture.render(plan)
    built = tree.build(plan)
    assert missing_scripts(_manifest(built), "is", open_stock(str(home))) == {}
    stock = etree.parse(str(home / BPS_FILE)).getroot()
    for node in ("is-1", "is-2"):
        patched = etree.fromstring(built.files[f"nodes/{node}/{BPS_FILE}"])
        (ds,) = patched.iterfind("datasources/datasource")
        assert ds.findtext("definition/configuration/url") == db.url
        assert ds.findtext("definition/configuration/username") == "isbpsadmin"
        # The stock pool settings stay (IS 5.7.0's file: maxActive 100, maxWait 10000).
        for tag in ("maxActive", "maxIdle", "maxWait", "useDataSourceFactory"):
            where = f"datasources/datasource/definition/configuration/{tag}"
            assert patched.findtext(where) == stock.findtext(where), tag
    assert "dbscripts/bps/bpel/create/mysql.sql" in built.readme
    assert check_files(built.files) == [], show(check_files(built.files))


def test_two_identity_server_nodes_without_it_are_refused_at_its_field() -> None:
    with pytest.raises(AnswersError) as caught:
        answers.parse(answers_for("mariadb", [is_product(None, 2, bps=False)]))
    report = caught.value.report()
    assert "products[0].databases.BPS_DS: Identity Server keeps data in BPS_DS, which its " in (
        report
    )
    data = answers_for("mariadb", [is_product(None, 2, bps=False)])
    (slot,) = [s for s in database_slots.needed(data) if s.path.endswith("BPS_DS")]
    assert (slot.name, slot.user, slot.optional) == ("WSO2IS_BPS_DB", "isbpsadmin", False)


def test_a_lone_identity_server_node_may_keep_it_on_its_own_h2() -> None:
    data = answers_for("postgresql", [is_product(None, 1, bps=False)])
    (slot,) = [s for s in database_slots.needed(data) if s.path.endswith("BPS_DS")]
    assert slot.optional is True
    question, hint = share_question("BPS_DS")
    assert "workflow engine" in question and "one Identity Server node" in hint
    plan = _plan(data)
    assert "is:BPS_DS" not in [d.key for d in plan.databases]
    (note,) = [n for n in plan.notes if "BPS_DS is left out" in n]
    assert "right for one node only; two or more nodes must share it" in note
    assert "BPS_DS               → each node's own H2, as shipped: not shared" in (
        picture.render(plan)
    )
    # Given on PostgreSQL, the same BPEL script as BPS's: the ABSTIME note names IS too.
    given = _plan(answers_for("postgresql", [is_product(None, 1)]))
    assert any(n.startswith("Identity Server (BPS_DS): the shipped bpel") for n in given.notes)


def test_the_key_manager_may_leave_it_local_as_wso2s_own_deployments_do(
    tmp_path: Path,
) -> None:
    products, homes = _is_km(tmp_path)
    products[1]["nodes"] = _nodes("km", 2)
    products[0]["load_balancer"] = "apim.example.com"
    products[1]["load_balancer"] = "km.example.com"
    data = answers_for("mariadb", products)
    (slot,) = [s for s in database_slots.needed(data) if s.path.endswith("BPS_DS")]
    assert (slot.name, slot.optional) == ("WSO2ISKM_BPS_DB", True)
    plan = _plan(data)
    (note,) = [n for n in plan.notes if "BPS_DS is left out" in n]
    assert "as WSO2's own key manager deployments keep it" in note
    built = tree.build(plan)
    # The pack's own bps-datasources.xml is the stock one, and rule 37 leaves it alone.
    assert f"nodes/km-1/{BPS_FILE}" not in built.files
    assert check_files(built.files) == [], show(check_files(built.files))
    assert (homes["is-km"] / BPS_FILE).is_file()


def test_the_stock_file_put_back_on_one_node_of_the_cluster_fails_rule_37(
    tmp_path: Path,
) -> None:
    home = is_pack(tmp_path)
    built = tree.build(_plan(answers_for("mariadb", [is_product(home, 2)])))
    stock = (home / BPS_FILE).read_bytes()
    findings = check_files({**built.files, f"nodes/is-2/{BPS_FILE}": stock})
    assert {(f.rule, f.node, f.file) for f in findings} == {(37, "is-2", BPS_FILE)}, show(findings)
    (finding,) = findings
    assert "the 2-node cluster is must share them" in finding.message


def _manifest(built: tree.Tree) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(built.files["manifest.json"])
    return data
