"""Data Analytics Server's analytics stores: WSO2_ANALYTICS_EVENT_STORE_DB and
WSO2_ANALYTICS_PROCESSED_DATA_STORE_DB, in analytics-datasources.xml, without a JNDI name.

Facts (wizard/catalog.py cites them): DAS 3.x defines both without jndiConfig, and
analytics-config.xml names them by datasource name; no schema script ships, DAS creates its
tables when it first stores a record; every node of a DAS cluster uses the same two databases.

`das_stock` below is written here in the shape DAS 3.2.0's file has (two RDBMS datasources
on H2 without jndiConfig, idle-connection testing, READ_COMMITTED, commented HBase and
Cassandra samples): what the patcher must keep is that shape, not WSO2's exact bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.core.test_distribution import overlay
from tests.render.test_product_databases import _nodes, _plan, _spec, answers_for
from tests.rules.test_rules import show
from tests.upstream import need_upstream
from wizard import database_slots, picture, steps, tree
from wizard.render.datasources import patch_datasources
from wizard.render.sql import setup_scripts
from wizard.rules import check_files
from wizard.schema import schema_steps

EVENT = "WSO2_ANALYTICS_EVENT_STORE_DB"
PROCESSED = "WSO2_ANALYTICS_PROCESSED_DATA_STORE_DB"
FILE = "repository/conf/datasources/analytics-datasources.xml"

_STOCK_DATASOURCE = """
        <datasource>
            <name>{name}</name>
            <description>The datasource used for analytics record store</description>
            <definition type="RDBMS">
                <configuration>
                    <url>jdbc:h2:repository/database/{file};AUTO_SERVER=TRUE</url>
                    <username>wso2carbon</username>
                    <password>wso2carbon</password>
                    <driverClassName>org.h2.Driver</driverClassName>
                    <maxActive>50</maxActive>
                    <maxWait>60000</maxWait>
                    <validationQuery>SELECT 1</validationQuery>
                    <defaultAutoCommit>false</defaultAutoCommit>
                    <initialSize>0</initialSize>
                    <testWhileIdle>true</testWhileIdle>
                    <minEvictableIdleTimeMillis>4000</minEvictableIdleTimeMillis>
                    <defaultTransactionIsolation>READ_COMMITTED</defaultTransactionIsolation>
                </configuration>
            </definition>
        </datasource>
"""


def das_stock() -> bytes:
    body = _STOCK_DATASOURCE.format(name=EVENT, file="ANALYTICS_EVENT_STORE")
    body += _STOCK_DATASOURCE.format(name=PROCESSED, file="ANALYTICS_PROCESSED_DATA_STORE")
    return f"""<datasources-configuration>

    <providers>
        <provider>org.wso2.carbon.ndatasource.rdbms.RDBMSDataSourceReader</provider>
        <!--<provider>org.wso2.carbon.datasource.reader.hadoop.HBaseDataSourceReader</provider>-->
    </providers>

    <datasources>
{body}
        <!-- A sample HBase record store -->
        <!--<datasource>
            <name>WSO2_ANALYTICS_RS_DB_HBASE</name>
            <jndiConfig>
                <name>jdbc/WSO2HBaseDB</name>
            </jndiConfig>
        </datasource>-->

    </datasources>

</datasources-configuration>
""".encode()


def das_product(distribution: Path | None = None, nodes: int = 2) -> dict[str, Any]:
    product: dict[str, Any] = {
        "id": "das",
        "version": "3.2.0",
        "databases": {
            EVENT: _spec("WSO2_DAS_EVENT_STORE_DB", "daseventadmin"),
            PROCESSED: _spec("WSO2_DAS_PROCESSED_DB", "dasprocadmin"),
        },
        "nodes": _nodes("das", nodes),
    }
    if distribution is not None:
        product["distribution"] = str(distribution)
    return product


def das_home(tmp_path: Path) -> Path:
    """wso2das-3.2.0: the kernel's files, and the analytics datasources file DAS adds."""
    home = tmp_path / "wso2das-3.2.0"
    overlay(home, need_upstream() / "carbon-kernel-4.4.x")
    (home / FILE).write_bytes(das_stock())
    return home


def test_the_wizard_asks_for_both_stores_with_defaults() -> None:
    data = answers_for("postgresql", [{"id": "das", "version": "3.2.0", "nodes": _nodes("das", 2)}])
    slots = {s.path: s for s in database_slots.needed(data)}
    event = slots[f"products[0].databases.{EVENT}"]
    processed = slots[f"products[0].databases.{PROCESSED}"]
    assert (event.name, event.user, event.optional) == (
        "WSO2_DAS_EVENT_STORE_DB",
        "daseventadmin",
        False,
    )
    assert (processed.name, processed.optional) == ("WSO2_DAS_PROCESSED_DB", False)
    # Names fit every engine's identifier limit (Oracle 11g: 30 characters).
    assert max(len(event.name), len(processed.name)) <= 30
    assert steps.problems_for_step(data, "products") == []


@pytest.mark.parametrize("engine", ["postgresql", "mariadb", "mysql8", "oracle", "mssql"])
def test_both_stores_are_planned_set_up_drawn_and_need_no_script(engine: str) -> None:
    plan = _plan(answers_for(engine, [das_product()]))
    for key in (EVENT, PROCESSED):
        db = plan.database(f"das:{key}")
        assert (db.datasource_name, db.jndi_name) == (key, "")
        assert db.nodes == ("das-1", "das-2") and db.schema_scripts == ()
        (step,) = [s for s in schema_steps(plan) if s.database_key == db.key]
        assert step.commands == ()
        assert "DAS creates its tables itself when it first stores a record" in " ".join(
            step.warnings
        )
    setup = "".join(setup_scripts(plan).values())
    assert "WSO2_DAS_EVENT_STORE_DB" in setup and "WSO2_DAS_PROCESSED_DB" in setup
    drawn = picture.render(plan)
    assert f"{EVENT} → WSO2_DAS_EVENT_STORE_DB  (by datasource name)" in drawn
    built = tree.build(plan)
    manifest = json.loads(built.files["manifest.json"])
    entry = next(d for d in manifest["databases"] if d["key"] == f"das:{EVENT}")
    assert entry["jndi_name"] is None and entry["schema_scripts"] == []
    assert check_files(built.files) == [], show(check_files(built.files))


def test_the_stock_file_is_patched_in_place_without_a_jndi_name(tmp_path: Path) -> None:
    home = das_home(tmp_path)
    plan = _plan(answers_for("postgresql", [das_product(home)]))
    built = tree.build(plan)
    assert check_files(built.files) == [], show(check_files(built.files))
    for node in ("das-1", "das-2"):
        written = built.files[f"nodes/{node}/{FILE}"]
        root = etree.fromstring(written)
        names = [d.findtext("name") for d in root.iterfind("datasources/datasource")]
        assert names == [EVENT, PROCESSED]  # nothing added, nothing moved
        assert root.find("datasources/datasource/jndiConfig") is None
        for ds in root.iterfind("datasources/datasource"):
            config = ds.find("definition/configuration")
            db = plan.database(f"das:{ds.findtext('name')}")
            assert config.findtext("url") == db.url and config.findtext("username") == db.user
            assert config.findtext("driverClassName") == "org.postgresql.Driver"
            # DAS's own pool stays; the query fits its defaultAutoCommit (false).
            assert config.findtext("testWhileIdle") == "true"
            assert config.findtext("defaultTransactionIsolation") == "READ_COMMITTED"
            assert config.findtext("defaultAutoCommit") == "false"
            assert config.findtext("validationQuery") == "SELECT 1; COMMIT"
            # It tests idle connections, as DAS ships it: no testOnBorrow is added.
            assert config.find("testOnBorrow") is None
        text = written.decode()
        assert "<!-- A sample HBase record store -->" in text
        assert "<!--<provider>org.wso2.carbon.datasource.reader.hadoop" in text


def test_without_a_distribution_the_new_file_carries_das_pool_settings() -> None:
    plan = _plan(answers_for("mariadb", [das_product()]))
    (first,) = [n for n in plan.nodes if n.id == "das-1"]
    added = patch_datasources(None, [d for d in first.datasources if d.name == EVENT])
    config = etree.fromstring(added).find("datasources/datasource/definition/configuration")
    assert config is not None
    settings = {child.tag: child.text for child in config}
    assert settings["minEvictableIdleTimeMillis"] == "4000"
    assert settings["defaultTransactionIsolation"] == "READ_COMMITTED"
    # It tests idle connections as DAS ships it, not each borrow (the README says so).
    assert settings["defaultAutoCommit"] == "false" and "testOnBorrow" not in settings
    assert settings["testWhileIdle"] == "true"
    assert b"<jndiConfig>" not in added
    readme = tree.build(plan).readme
    assert "testWhileIdle true" in readme and EVENT in readme


def _h2(node: str, name: str, files: dict[str, bytes]) -> dict[str, bytes]:
    """`files` with `node`'s `name` datasource back on an embedded H2 file."""
    path = f"nodes/{node}/{FILE}"
    root = etree.fromstring(files[path])
    for ds in root.iterfind("datasources/datasource"):
        if ds.findtext("name") == name:
            config = ds.find("definition/configuration")
            assert config is not None
            config.find("url").text = "jdbc:h2:repository/database/ANALYTICS_EVENT_STORE"  # type: ignore[union-attr]
            config.find("driverClassName").text = "org.h2.Driver"  # type: ignore[union-attr]
            config.find("validationQuery").text = "SELECT 1"  # type: ignore[union-attr]
    return {**files, path: etree.tostring(root)}


def test_rule_37_finds_a_das_node_keeping_its_own_store() -> None:
    built = tree.build(_plan(answers_for("postgresql", [das_product()])))
    findings = check_files(_h2("das-2", EVENT, built.files))
    assert [(f.rule, f.node, f.file) for f in findings] == [
        (37, "das-2", "repository/conf/datasources/analytics-datasources.xml")
    ], show(findings)
    (finding,) = findings
    assert f"datasource[name='{EVENT}']" in finding.element
    assert "received events" in finding.message and "cluster das must share" in finding.message
    # The stock file put back on one node: both stores on H2 there.
    stock = {**built.files, f"nodes/das-1/{FILE}": das_stock()}
    found = {(f.rule, f.node) for f in check_files(stock)}
    assert found == {(37, "das-1")}, show(check_files(stock))
    # A lone DAS node keeps its own H2 rightly.
    lone = tree.build(_plan(answers_for("postgresql", [das_product(nodes=1)])))
    assert check_files({**lone.files, f"nodes/das-1/{FILE}": das_stock()}) == []


def test_rule_37_finds_a_store_missing_or_pointing_elsewhere() -> None:
    built = tree.build(_plan(answers_for("postgresql", [das_product()])))
    path = f"nodes/das-1/{FILE}"
    root = etree.fromstring(built.files[path])
    for ds in root.iterfind("datasources/datasource"):
        if ds.findtext("name") == PROCESSED:
            ds.getparent().remove(ds)  # type: ignore[union-attr]
    findings = check_files({**built.files, path: etree.tostring(root)})
    assert [(f.rule, f.node) for f in findings if f.rule == 37] == [(37, "das-1")]
    assert f"no datasource is '{PROCESSED}'" in findings[0].message
    # Three nodes, so that the two that agree are the reference.
    built = tree.build(_plan(answers_for("postgresql", [das_product(nodes=3)])))
    moved = built.files[path].replace(b"/WSO2_DAS_EVENT_STORE_DB<", b"/OTHER_DB<")
    findings = check_files({**built.files, path: moved})
    assert {(f.rule, f.node) for f in findings} == {(37, "das-1")}, show(findings)


def test_a_das_cluster_is_told_what_its_ha_processing_still_needs_by_hand() -> None:
    """The tree sets databases, registry, users and clustering; DAS's active/passive
    processing (event-processor.xml, Spark's master count) is the operator's, and the
    preview and the README say so for a cluster, not for a lone node."""
    plan = _plan(answers_for("postgresql", [das_product()]))
    (note,) = [n for n in plan.notes if n.startswith("Data Analytics Server (das)")]
    assert "repository/conf/event-processor.xml" in note
    assert "carbon.spark.master.count 2" in note
    assert note in tree.build(plan).readme
    lone = _plan(answers_for("postgresql", [das_product(nodes=1)]))
    assert not [n for n in lone.notes if n.startswith("Data Analytics Server")]
