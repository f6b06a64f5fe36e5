"""Identity Server and API Manager + IS as Key Manager trees against real PostgreSQL and
MariaDB: what each node's user-mgt.xml, identity.xml and consent-mgt-config.xml name is read
from the written tree, resolved through that node's datasources, and logged in to with the
tree's own URL, user and password; the WSO2 tables must be there.

Distributions are assembled from ../shared/upstream as WSO2's builds assemble them
(tests/is_pack.py); WSO2's scripts run as each database's user, as the README says.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.core.test_distribution import apim_home
from tests.is_pack import is_home, is_km_home, is_km_identity_xml
from tests.render import test_real_databases as real
from wizard import answers, rules
from wizard.plan import NodePlan, Plan, build
from wizard.schema import schema_steps


def _plan(srv: Any, products: list[dict[str, Any]]) -> Plan:
    fresh = real._dbservers().fresh_name

    def spec(prefix: str, n: int) -> dict[str, str]:
        return {
            "name": fresh(prefix).upper(),
            "user": fresh(f"cw{prefix[3:6]}").lower(),
            "password": f"{real.PASSWORD}{n}",
        }

    data = {
        "name": "real-identity-test",
        "database": {
            "engine": srv.engine,
            "host": srv.host,
            "port": srv.port,
            "layout": "shared",
            "registry": spec("cw_reg", 0),
            "user_management": spec("cw_um", 1),
        },
        "products": products,
    }
    for n, product in enumerate(products, start=2):
        for key in product.get("databases", {}):
            product["databases"][key] = spec(f"cw_{key[:6].lower()}", n)
    return build(answers.parse(real.on_this_machine(data, srv.host)), {})


def _xml(root: Path, node: NodePlan, relative: str) -> etree._Element:
    return etree.parse(str(root / "nodes" / node.id / node.conf_dir / relative)).getroot()


def _local(root: etree._Element, path: str) -> str:
    found = root.xpath("/*/" + "/".join(f"*[local-name()='{p}']" for p in path.split("/")))
    assert len(found) == 1, path
    return found[0].text.strip()


def _resolve(root: Path, node: NodePlan, jndi: str) -> tuple[str, str, str]:
    """(url, user, password) of the datasource the node's files define under `jndi`."""
    folder = root / "nodes" / node.id / node.conf_dir / "datasources"
    for path in sorted(folder.glob("*-datasources.xml")):
        for ds in etree.parse(str(path)).iterfind("datasources/datasource"):
            if ds.findtext("jndiConfig/name") == jndi:
                c = ds.find("definition/configuration")
                return c.findtext("url"), c.findtext("username"), c.findtext("password")
    raise AssertionError(f"{node.id} defines no datasource {jndi}")


def _sees(engine: str, where: tuple[str, str, str], tables: tuple[str, ...]) -> None:
    conn = real._connect(engine, *where)
    try:
        cursor = conn.cursor()
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            assert cursor.fetchone()[0] >= 0, table
        conn.rollback()
    finally:
        conn.close()


def _prepared(srv: Any, plan: Plan, tmp_path: Path) -> Path:
    """Databases created, WSO2's scripts run, and the tree written as `generate` writes it.
    The workflow engine's BPEL script fails on PostgreSQL 12 and later: it is loaded as the
    README says there (a copy with ABSTIME changed to TIMESTAMP)."""
    home = real.product_home(tmp_path, plan)
    real.create(srv, plan)
    root = real.generate(plan, tmp_path)
    readme = (root / "README.md").read_text()
    for step in schema_steps(plan):
        db = plan.database(step.database_key)
        if db.datasource_name == "BPS_DS" and real._postgresql_12_or_later(srv):
            real._bpel_on_postgresql_12(srv, plan, step, home, readme)
            continue
        for command in step.commands:
            assert command in readme, command
            result = real.run_readme_command(srv, command, db.password or "", home)
            assert result.returncode == 0, f"{command}\n{result.stderr}"
    assert rules.check_tree(root) == []
    return root


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_identity_server_nodes_share_users_tokens_and_consents(engine: str, tmp_path: Path) -> None:
    srv = real._dbservers().server(engine)
    home = is_home(tmp_path / "dist")
    plan = _plan(
        srv,
        [
            {
                "id": "is",
                "version": "5.7.0",
                "distribution": str(home),
                # Two nodes share the workflow engine's database too.
                "databases": {"WSO2_IDENTITY_DB": {}, "BPS_DS": {}},
                "nodes": [
                    {"id": "is-1", "host": "10.0.3.1"},
                    {"id": "is-2", "host": "10.0.3.2"},
                ],
            }
        ],
    )
    try:
        root = _prepared(srv, plan, tmp_path)
        seen = set()
        for node in plan.nodes:
            um = _xml(root, node, "user-mgt.xml")
            realm = um.find("Realm/Configuration/Property[@name='dataSource']").text
            (primary, *_) = um.findall("Realm/UserStoreManager")
            assert primary.get("class").endswith("JDBCUserStoreManager")
            identity = _local(
                _xml(root, node, "identity/identity.xml"),
                "JDBCPersistenceManager/DataSource/Name",
            )
            consent = _local(_xml(root, node, "consent-mgt-config.xml"), "DataSource/Name")
            for jndi, tables in (
                (realm, ("UM_USER", "UM_ROLE")),
                (identity, ("IDN_OAUTH2_ACCESS_TOKEN", "IDN_AUTH_SESSION_STORE")),
                (consent, ("CM_RECEIPT", "CM_PURPOSE")),
                # What bps.xml and humantask.xml name: workflow approvals are shared.
                ("bpsds", ("ODE_PROCESS_INSTANCE", "HT_TASK")),
            ):
                where = _resolve(root, node, jndi)
                _sees(engine, where, tables)
                seen.add((jndi, where[0], where[1]))
        # Both nodes name the same three databases: users, identity data with consents, and
        # the workflow engine's.
        assert {jndi for jndi, _, _ in seen} == {
            plan.database("user_management").jndi_name,
            "jdbc/WSO2IdentityDS",
            "bpsds",
        }
        assert len(seen) == 3
    finally:
        real.cleanup(srv, plan)


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_api_manager_and_key_manager_share_wso2am_db(engine: str, tmp_path: Path) -> None:
    srv = real._dbservers().server(engine)
    apim = apim_home(tmp_path / "apim")
    # API Manager's build moves identity.xml to WSO2AM_DB as the key manager's does
    # (apim-2.6.0 SOURCES.md); the upstream folder keeps only its recipe.
    (apim / "repository/conf/identity").mkdir(parents=True, exist_ok=True)
    (apim / "repository/conf/identity/identity.xml").write_bytes(is_km_identity_xml())
    km = is_km_home(tmp_path / "km")
    products = [
        {
            "id": "apim",
            "version": "2.6.0",
            "distribution": str(apim),
            "load_balancer": "gw.example.com",
            "databases": {"WSO2AM_DB": {}},
            "nodes": [{"id": "apim-1", "host": "10.0.1.1"}, {"id": "apim-2", "host": "10.0.1.2"}],
        },
        {
            "id": "is-km",
            "version": "5.7.0",
            "distribution": str(km),
            "load_balancer": "km.example.com",
            "nodes": [{"id": "km-1", "host": "10.0.2.1"}, {"id": "km-2", "host": "10.0.2.2"}],
        },
    ]
    plan = _plan(srv, copy.deepcopy(products))
    try:
        root = _prepared(srv, plan, tmp_path)
        reached = set()
        for node in plan.nodes:
            identity = _local(
                _xml(root, node, "identity/identity.xml"),
                "JDBCPersistenceManager/DataSource/Name",
            )
            assert identity == "jdbc/WSO2AM_DB"
            where = _resolve(root, node, "jdbc/WSO2AM_DB")
            _sees(engine, where, ("AM_API", "AM_SUBSCRIPTION", "IDN_OAUTH2_ACCESS_TOKEN"))
            reached.add(where)
        # Every node of both clusters reaches the one database, as one user.
        assert len(reached) == 1
        manager = _xml(root, plan.node("apim-1"), "api-manager.xml")
        assert (
            manager.findtext("APIKeyValidator/ServerURL") == "https://km.example.com:443/services/"
        )
        revoke = _xml(root, plan.node("km-2"), "api-manager.xml")
        assert revoke.findtext("OAuthConfigurations/RevokeAPIURL") == (
            "https://gw.example.com:443/revoke"
        )
    finally:
        real.cleanup(srv, plan)
