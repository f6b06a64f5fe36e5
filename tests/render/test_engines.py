"""Engine details as WSO2 documents them, seen where an operator sees them: the datasources
of a tree, its README and preview notes, its setup scripts, and `check`.

MariaDB through the MySQL driver (ADMIN44x "Changing to MariaDB"), validation queries that fit
each datasource's defaultAutoCommit (ADMIN44x "Changing to PostgreSQL"), stock datasource
settings kept, TLS said and chosen, and a loopback database host only for one machine.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from lxml import etree

from tests import answers_fixtures as af
from tests.rules.test_rules import APIM, MASTER, in_datasource, on, shared_tree, split_tree
from wizard import answers, steps, tree
from wizard.catalog import PRODUCTS
from wizard.plan import Plan
from wizard.render.sql import setup_scripts
from wizard.rules import Finding, check_files
from wizard.schema import schema_steps

CONF = "repository/conf/datasources"


def plan_of(data: dict[str, Any]) -> Plan:
    return af.build(data)


def engine(name: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    out = af.variant("database.engine", name, data)
    if name == "oracle":
        # Oracle cannot quote a double quote inside a password.
        out = af.variant("database.registry.password", "p&<>'\\$%x", out)
    if name == "db2":
        for path, short in (
            ("database.registry.name", "WSO2REG"),
            ("database.user_management.name", "WSO2UM"),
            ("products[0].databases.WSO2AM_DB.name", "WSO2AM"),
            ("products[1].databases.WSO2_IDENTITY_DB.name", "WSO2IDN"),
        ):
            out = af.variant(path, short, out)
    return out


def written(plan: Plan) -> dict[tuple[str, str], dict[str, str | None]]:
    """(node, datasource) -> the settings each node's datasources files hold, as written."""
    out: dict[tuple[str, str], dict[str, str | None]] = {}
    for node_id, files in tree.preview(plan).node_files.items():
        for path, content in files.items():
            if not path.endswith("-datasources.xml"):
                continue
            root = etree.fromstring(content)
            for ds in root.iterfind("datasources/datasource"):
                config = ds.find("definition/configuration")
                tags = ("url", "driverClassName", "validationQuery", "defaultAutoCommit")
                out[(node_id, ds.findtext("name") or "")] = {
                    tag: config.findtext(tag) for tag in tags
                }
    return out


def shared(plan: Plan) -> dict[tuple[str, str], dict[str, str | None]]:
    return {k: v for k, v in written(plan).items() if k[1] != "WSO2_CARBON_DB"}


def findings(plan: Plan, rules: set[int]) -> list[Finding]:
    return [f for f in check_files(tree.preview(plan).files) if f.rule in rules]


# ---- 1. MariaDB as WSO2's 4.4.x docs say ---------------------------------------------------


def test_a_mariadb_tree_uses_the_mysql_driver_and_urls() -> None:
    plan = plan_of(engine("mariadb"))
    for where, settings in shared(plan).items():
        assert settings["driverClassName"] == "com.mysql.jdbc.Driver", where
        assert (settings["url"] or "").startswith("jdbc:mysql://db.example.com:3306/"), where
    readme = tree.preview(plan).readme
    assert "`mysql-connector-java-5.1.49.jar`" in readme  # the driver step names the jar
    assert 'jdbc_driver = "mariadb"' in readme  # and the README says what the choice changes
    assert plan.database("registry").schema_scripts == ("dbscripts/mysql.sql",)
    assert findings(plan, {6, 7, 10}) == []


def test_jdbc_driver_mariadb_gives_the_mariadb_pair() -> None:
    plan = plan_of(af.variant("database.jdbc_driver", "mariadb", engine("mariadb")))
    for where, settings in shared(plan).items():
        assert settings["driverClassName"] == "org.mariadb.jdbc.Driver", where
        assert (settings["url"] or "").startswith("jdbc:mariadb://db.example.com:3306/"), where
    readme = tree.preview(plan).readme
    assert "`mariadb-java-client-2.7.12.jar`" in readme
    assert "MariaDB Connector/J, chosen with" in readme and "leave jdbc_driver out" in readme
    # The databases and scripts do not depend on the driver.
    assert setup_scripts(plan) == setup_scripts(plan_of(engine("mariadb")))
    assert findings(plan, {6, 7}) == []


def test_jdbc_driver_and_tls_survive_topology_toml() -> None:
    data = af.variant("database.tls", True, af.variant("database.jdbc_driver", "mariadb"))
    data = engine("mariadb", data)
    text = answers.dumps(answers.parse(data), keep_passwords=True)
    assert 'jdbc_driver = "mariadb"' in text and "tls = true" in text
    assert answers.loads(text) == answers.parse(data)
    # Left out, they stay out of the file.
    plain = answers.dumps(answers.parse(af.SHARED))
    assert "jdbc_driver" not in plain and "tls" not in plain


# ---- 2. Validation queries that fit each datasource's autocommit ---------------------------


def test_postgresql_queries_follow_each_datasources_autocommit() -> None:
    plan = plan_of(engine("postgresql"))
    ds = shared(plan)
    # WSO2AM_DB keeps API Manager's defaultAutoCommit true: a COMMIT there would make
    # PostgreSQL log "there is no transaction in progress" on every validation.
    assert ds[("apim-1", "WSO2AM_DB")]["defaultAutoCommit"] == "true"
    assert ds[("apim-1", "WSO2AM_DB")]["validationQuery"] == "SELECT 1"
    # The registry's is false: the COMMIT ends the transaction the validation opens.
    assert ds[("apim-1", "WSO2_SHARED_REG_DB")]["defaultAutoCommit"] == "false"
    assert ds[("apim-1", "WSO2_SHARED_REG_DB")]["validationQuery"] == "SELECT 1; COMMIT"
    assert findings(plan, {7}) == []


@pytest.mark.parametrize(
    ("auto_commit", "query", "wrong"),
    [
        (None, "SELECT 1", False),  # unset: the driver's default, on
        (None, "SELECT 1; COMMIT", True),
        ("true", "SELECT 1; COMMIT", True),
        ("false", "SELECT 1", True),
        ("${db.autocommit}", "SELECT 1; COMMIT", False),  # decided at start-up: either fits
    ],
)
def test_rule_7_reads_the_datasources_autocommit(
    auto_commit: str | None, query: str, wrong: bool
) -> None:
    files = split_tree()
    path = f"nodes/apim-1/{MASTER}"
    text = files[path].decode()
    start = text.index("<name>WSO2AM_DB</name>")
    block = text[start:]
    block = block.replace("SELECT 1; COMMIT", query, 1)
    flag = "<defaultAutoCommit>false</defaultAutoCommit>"
    block = block.replace(flag, f"<defaultAutoCommit>{auto_commit}</defaultAutoCommit>", 1)
    if auto_commit is None:
        block = block.replace("<defaultAutoCommit>None</defaultAutoCommit>", "", 1)
    files[path] = (text[:start] + block).encode()
    found = [f for f in check_files(files) if f.rule == 7]
    assert bool(found) == wrong, found
    if wrong:
        assert found[0].element.endswith("WSO2AM_DB']/definition/configuration/validationQuery")
        assert "defaultAutoCommit" in found[0].message


def test_rule_6_accepts_both_mariadb_pairs() -> None:
    files = shared_tree()
    for node in APIM:
        files = in_datasource(node, MASTER, "WSO2AM_DB", "jdbc:mysql:", "jdbc:mariadb:")(files)
        driver = ("com.mysql.jdbc.Driver", "org.mariadb.jdbc.Driver")
        files = in_datasource(node, MASTER, "WSO2AM_DB", *driver)(files)
    # jdbc:mysql with the MySQL driver elsewhere, jdbc:mariadb with MariaDB's here.
    found = check_files(files)
    assert [f for f in found if f.rule in (6, 7)] == []
    assert any(f.rule == 10 for f in found)  # only the jar in lib is MySQL's


# ---- 3. Stock datasource settings kept, changes said ---------------------------------------


def test_readme_lists_the_datasource_settings_changed_and_why() -> None:
    readme = tree.preview(plan_of(engine("postgresql"))).readme
    assert "**Datasource settings changed from the stock files, and why.**" in readme
    assert "Kept as the stock file has them: `defaultAutoCommit`" in readme
    assert "`SELECT 1; COMMIT` instead of the stock `SELECT 1`" in readme
    assert "| apim | `datasources/master-datasources.xml` | WSO2AM_DB | true | `SELECT 1` |" in (
        readme
    )
    assert "| WSO2_SHARED_REG_DB | false | `SELECT 1; COMMIT` |" in readme
    # MySQL keeps the stock query: no validationQuery line.
    assert "- `validationQuery`:" not in tree.preview(plan_of(engine("mysql8"))).readme


def _bps(data: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    out["products"].append(
        {
            "id": "bps",
            "version": "3.6.0",
            "databases": {"BPS_DS": {"name": "WSO2_BPS_DB", "user": "bpsadmin", "password": "b"}},
            "nodes": [{"id": "bps-1", "host": "10.0.1.31"}],
        }
    )
    return out


_BPS_DS = next(d for d in PRODUCTS["bps"].profile(None).databases if d.key == "BPS_DS")


@pytest.mark.xfail(
    not _BPS_DS.auto_commit,
    strict=True,
    reason="the catalog's BPS_DS auto_commit must say true, as every stock "
    "bps-datasources.xml does (BPS 3.6.0, EI 6.4.0, IS 5.7.0): the product-database part of "
    "catalog.py, another change's",
)
def test_bps_ds_without_a_distribution_gets_the_stock_autocommit() -> None:
    ds = written(plan_of(_bps(engine("postgresql"))))[("bps-1", "BPS_DS")]
    assert (ds["defaultAutoCommit"], ds["validationQuery"]) == ("true", "SELECT 1")


# ---- 4. TLS ----------------------------------------------------------------------------------


def test_mysql8_says_tls_is_off_and_how_to_turn_it_on() -> None:
    plan = plan_of(engine("mysql8"))
    (note,) = [n for n in plan.notes if n.startswith("MySQL 8:")]
    assert "useSSL=false" in note and "allowPublicKeyRetrieval=true" in note
    assert "not encrypted" in note
    # Said for both front ends: the full-screen question by its label, the answers file's key.
    assert "“Encrypt connections to the database (TLS)” on the Database step" in note
    assert "tls = true under [database] in an answers file" in note
    readme = tree.preview(plan).readme
    assert "**TLS:** off" in readme and note in readme  # the preview's notes are in the README


TLS_OPTIONS = {
    "mysql5.7": "?autoReconnect=true&useSSL=true&requireSSL=true&verifyServerCertificate=true",
    "mysql8": "?autoReconnect=true&useSSL=true&requireSSL=true&verifyServerCertificate=true",
    "mariadb": "?autoReconnect=true&useSSL=true&requireSSL=true&verifyServerCertificate=true",
    "postgresql": "?ssl=true&sslmode=verify-full",
    "mssql": ";SendStringParametersAsUnicode=false;encrypt=true;trustServerCertificate=false",
}


@pytest.mark.parametrize("name", sorted(TLS_OPTIONS))
def test_tls_puts_the_engines_options_in_every_url(name: str) -> None:
    plan = plan_of(af.variant("database.tls", True, engine(name)))
    for where, settings in shared(plan).items():
        assert (settings["url"] or "").endswith(TLS_OPTIONS[name]), where
    assert all(db.url.endswith(TLS_OPTIONS[name]) for db in plan.databases)
    assert not [n for n in plan.notes if "tls" in n.lower()]
    readme = tree.preview(plan).readme
    assert "**TLS:** on (`tls = true`)" in readme
    assert "not encrypted" not in readme and "**TLS:** off" not in readme
    assert findings(plan, {6, 7, 8}) == []


def test_tls_says_where_the_certificate_authority_goes() -> None:
    mysql = tree.preview(plan_of(af.variant("database.tls", True, engine("mysql8")))).readme
    assert "client-truststore.jks" in mysql
    pg = tree.preview(plan_of(af.variant("database.tls", True, engine("postgresql")))).readme
    assert "~/.postgresql/root.crt" in pg


def test_tls_with_the_mariadb_driver() -> None:
    data = af.variant("database.jdbc_driver", "mariadb", engine("mariadb"))
    plan = plan_of(af.variant("database.tls", True, data))
    url = plan.database("registry").url
    assert url.startswith("jdbc:mariadb://") and url.endswith(
        "?useSsl=true&trustServerCertificate=false"
    )


@pytest.mark.parametrize("name", ["oracle", "db2"])
def test_oracle_and_db2_say_how_tls_is_set_up(name: str) -> None:
    plan = plan_of(engine(name))
    assert any("TLS takes more than URL options" in n for n in plan.notes)
    readme = tree.preview(plan).readme
    assert ("TCPS" if name == "oracle" else "sslConnection=true") in readme


# ---- 5. Setup-script and schema notes that say what the scripts do --------------------------


def test_db2_header_names_the_bufferpool_only_where_the_script_creates_it() -> None:
    only_kernel = engine("db2")
    only_kernel["products"] = [
        {"id": "esb", "version": "5.0.0", "nodes": [{"id": "esb-1", "host": "10.0.1.41"}]}
    ]
    (text,) = setup_scripts(plan_of(only_kernel)).values()
    text = text.replace("\n-- ", " ")
    assert "BUFFERPOOL" not in text and "SQL0601N" not in text
    assert "SQL1005N for CREATE DATABASE, SQL0556N for the REVOKE" in text
    with_apim = "".join(setup_scripts(plan_of(engine("db2"))).values()).replace("\n-- ", " ")
    assert "CREATE BUFFERPOOL BP32K" in with_apim and "SQL0601N for the bufferpool" in with_apim


def test_db2_ts32k_note_says_where_the_script_creates_them() -> None:
    step = next(
        s for s in schema_steps(plan_of(engine("db2"))) if s.database_key.startswith("apim")
    )
    (note,) = [w for w in step.warnings if "TS32K" in w]
    assert "dbscripts/apimgt/db2.sql creates bufferpool BP32K and tablespace TS32K" in note
    assert "begins with" not in note


# ---- 6. A loopback database host -----------------------------------------------------------


def test_rule_38_finds_a_hand_edited_loopback_url() -> None:
    plan = plan_of(af.SHARED)
    files = dict(tree.preview(plan).files)
    assert [f for f in check_files(files) if f.rule == 38] == []
    for node in APIM:
        path = f"nodes/{node}/{CONF}/master-datasources.xml"
        files[path] = files[path].replace(
            b"//db.example.com:3306/WSO2AM_DB", b"//localhost:3306/WSO2AM_DB"
        )
    found = [f for f in check_files(files) if f.rule == 38]
    assert {(f.node, f.element) for f in found} == {
        (node, "datasource[name='WSO2AM_DB']/definition/configuration/url") for node in APIM
    }
    assert "10.0.1.11, 10.0.1.12" in found[0].message and "own machine" in found[0].message
    assert steps.step_for_rule(38) == "database"


def test_rule_38_leaves_one_machine_and_the_local_database_alone() -> None:
    # is-1 alone uses WSO2_IDENTITY_DB: a loopback host there is its own machine's server.
    files = shared_tree()
    path = f"nodes/is-1/{MASTER}"
    files[path] = files[path].replace(b"db.example.com:3306/WSO2_IDENTITY_DB", b"127.0.0.1:3306/I")
    # Every node's own WSO2_CARBON_DB on a MySQL of its machine is node-local by design.
    local = b"jdbc:h2:./repository/database/WSO2CARBON_DB;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=60000"
    for node in (*APIM, "is-1"):
        p = f"nodes/{node}/{MASTER}"
        files[p] = files[p].replace(local, b"jdbc:mysql://localhost:3306/LOCALDB")
    assert [f for f in check_files(files) if f.rule == 38] == []
    # localhost on one node and 127.0.0.1 on another are one loopback database.
    mixed = on(["apim-2"], MASTER, "db.example.com:3306/WSO2AM_DB", "localhost:3306/WSO2AM_DB")
    mixed = on(["apim-1"], MASTER, "db.example.com:3306/WSO2AM_DB", "127.0.0.1:3306/WSO2AM_DB")(
        mixed(shared_tree())
    )
    assert {f.node for f in check_files(mixed) if f.rule == 38} == set(APIM)
