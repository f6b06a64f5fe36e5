"""Product databases that clusters share: script paths per product and EI profile that exist
in the distribution, the optional BPMN database (ACTIVITI_DB), the check of a manifest's
scripts against a distribution, and rule 37 (BPEL, BPMN and broker data on each node's H2).

Distributions are assembled from ../shared/upstream as the products' builds lay them out:
Business Process Server 3.6.0 (product-bps v3.6.0 modules/distribution/src/assembly/bin.xml:
the kernel's dbscripts at lines 77-81, dbscripts/bps at 273-280) and Enterprise Integrator
6.4.0 (product-ei v6.4.0 distribution/src/assembly/bin.xml: the kernel zip, dbscripts
included, at the root and in each profile's folder, lines 49-87, 123-163, 194-234; the
business-process profile's dbscripts/bps at 520-577, the broker's dbscripts/mb-store at
824-830).
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests import answers_fixtures as af
from tests.core.test_distribution import apim_home, ei_home, overlay, zip_of
from tests.is_pack import is_home, is_km_home
from tests.rules.test_rules import (
    DS,
    LOCAL,
    REG,
    UM,
    Case,
    Files,
    Remote,
    axis2_xml,
    chain,
    in_datasource,
    manifest_edit,
    master_xml,
    mutation_findings,
    mysql,
    on,
    registry_xml,
    show,
    user_mgt_xml,
)
from tests.upstream import need_upstream
from wizard import answers, database_slots, picture, rules, steps, tree
from wizard.catalog import ENGINES, PRODUCTS
from wizard.distribution import missing_scripts, open_stock
from wizard.plan import Plan, build
from wizard.problems import AnswersError
from wizard.render.sql import setup_scripts
from wizard.rules import RULE_TITLES, check_files
from wizard.schema import readme_section, schema_steps

BP = "wso2/business-process"
BROKER = "wso2/broker"
BPMN_PARTS = ("engine", "history", "identity", "substitute")


# ============================================================================================
# Distributions
# ============================================================================================


def bps_home(tmp_path: Path) -> Path:
    """wso2bps-3.6.0: the kernel's files and dbscripts, then BPS's own."""
    up = need_upstream()
    home = tmp_path / "wso2bps-3.6.0"
    overlay(home, up / "carbon-kernel-4.4.x")
    overlay(home, up / "bps-3.6.0")
    return home


def ei_pack(tmp_path: Path) -> Path:
    """wso2ei-6.4.0 with every profile's dbscripts where EI's bin.xml puts them. The BPEL and
    BPMN create scripts are BPS 3.6.0's (carbon-business-process v4.4.10; EI 6.4.0's v4.4.79
    changes only activiti.mysql55.create.substitute.sql there), the broker's API Manager
    2.6.0's (carbon-business-messaging v3.2.44; EI's v3.2.62 has the same mb-store files)."""
    up = need_upstream()
    home = ei_home(tmp_path)
    for profile in (BP, BROKER):
        shutil.copytree(up / "carbon-kernel-4.4.x/dbscripts", home / profile / "dbscripts")
    shutil.copytree(up / "bps-3.6.0/dbscripts/bps", home / BP / "dbscripts/bps")
    shutil.copytree(up / "apim-2.6.0/dbscripts/mb-store", home / BROKER / "dbscripts/mb-store")
    return home


def _spec(name: str, user: str) -> dict[str, str]:
    return {"name": name, "user": user, "password": f"{user}-secret"}


def _nodes(prefix: str, count: int, offset: int = 0) -> list[dict[str, Any]]:
    return [
        {"id": f"{prefix}-{i}", "host": f"10.0.5.{10 + i}", "offset": offset}
        for i in range(1, count + 1)
    ]


def answers_for(engine: str, products: list[dict[str, Any]]) -> dict[str, Any]:
    """The products on `engine`, registry and users in one database each."""
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "product-databases",
        "database": {
            "engine": engine,
            "host": "db.example.com",
            "layout": "shared",
            "registry": _spec("WSO2_REG_DB", "regadmin"),
            "user_management": _spec("WSO2_UM_DB", "umadmin"),
        },
        "products": copy.deepcopy(products),
    }
    if engine == "db2":  # DB2 database names have at most 8 characters
        specs = [data["database"]["registry"], data["database"]["user_management"]]
        specs += [spec for p in data["products"] for spec in p.get("databases", {}).values()]
        for i, spec in enumerate(specs):
            spec["name"] = f"DB{i}"
    return data


def bps_product(distribution: Path | None, activiti: bool = True, nodes: int = 2) -> dict:
    dbs = {"BPS_DS": _spec("WSO2_BPS_DB", "bpsadmin")}
    if activiti:
        dbs["ACTIVITI_DB"] = _spec("WSO2_BPMN_DB", "bpmnadmin")
    product: dict[str, Any] = {
        "id": "bps",
        "version": "3.6.0",
        "databases": dbs,
        "nodes": _nodes("bps", nodes),
    }
    if distribution is not None:
        product["distribution"] = str(distribution)
    return product


def ei_products(distribution: Path | None) -> list[dict[str, Any]]:
    home = {"distribution": str(distribution)} if distribution is not None else {}
    return [
        {"id": "ei", "version": "6.4.0", **home, "nodes": _nodes("ei", 2)},
        {
            "id": "ei",
            "version": "6.4.0",
            "profile": "business-process",
            **home,
            "databases": {
                "BPS_DS": _spec("EI_BPS_DB", "eibps"),
                "ACTIVITI_DB": _spec("EI_BPMN_DB", "eibpmn"),
            },
            "nodes": _nodes("eibp", 2, offset=2),
        },
        {
            "id": "ei",
            "version": "6.4.0",
            "profile": "broker",
            **home,
            "databases": {"WSO2_MB_STORE_DB": _spec("EI_MB_DB", "eimb")},
            "nodes": _nodes("eimb", 2, offset=3),
        },
    ]


def _plan(data: dict[str, Any]) -> Plan:
    return build(answers.parse(data), af.ENV)


def _manifest(built: tree.Tree) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(built.files["manifest.json"])
    return data


# ============================================================================================
# Script paths per product and profile
# ============================================================================================


def test_ei_profiles_name_their_own_dbscripts_and_the_kernel_script_at_the_root() -> None:
    plan = _plan(answers_for("mariadb", ei_products(None)))
    scripts = {db.key: db.schema_scripts for db in plan.databases}
    assert scripts["registry"] == ("dbscripts/mysql.sql",)
    assert scripts["ei-business-process:BPS_DS"] == (f"{BP}/dbscripts/bps/bpel/create/mysql.sql",)
    assert scripts["ei-business-process:ACTIVITI_DB"] == tuple(
        f"{BP}/dbscripts/bps/bpmn/create/activiti.mysql.create.{part}.sql" for part in BPMN_PARTS
    )
    assert scripts["ei-broker:WSO2_MB_STORE_DB"] == (f"{BROKER}/dbscripts/mb-store/mysql-mb.sql",)
    bps = _plan(answers_for("postgresql", [bps_product(None)]))
    assert bps.database("bps:ACTIVITI_DB").schema_scripts == tuple(
        f"dbscripts/bps/bpmn/create/activiti.postgres.create.{part}.sql" for part in BPMN_PARTS
    )


@pytest.mark.parametrize(
    ("engine", "name"),
    [("mysql5.7", "mysql"), ("mysql8", "mysql"), ("mariadb", "mysql"), ("postgresql", "postgres")]
    + [(e, e) for e in ("oracle", "mssql", "db2")],
)
def test_activiti_scripts_follow_activitis_names_in_its_order(engine: str, name: str) -> None:
    plan = _plan(answers_for(engine, [bps_product(None)]))
    db = plan.database("bps:ACTIVITI_DB")
    assert [s.rsplit("/", 1)[1] for s in db.schema_scripts] == [
        f"activiti.{name}.create.{part}.sql" for part in BPMN_PARTS
    ]


def test_bps_35_has_no_substitute_script() -> None:
    product = bps_product(None)
    product["version"] = "3.5.1"
    plan = _plan(answers_for("mariadb", [product]))
    parts = [s.split(".")[-2] for s in plan.database("bps:ACTIVITI_DB").schema_scripts]
    assert parts == ["engine", "history", "identity"]


def test_readme_names_each_product_once_and_the_profile_folders() -> None:
    plan = _plan(answers_for("mariadb", ei_products(None)))
    text = readme_section(plan)
    assert "Enterprise Integrator 6.4.0 or Enterprise Integrator 6.4.0" not in text
    assert "From the PRODUCT_HOME of Enterprise Integrator 6.4.0:" in text
    assert (
        "Enterprise Integrator keeps its business-process and broker profiles' own in "
        f"`{BP}/dbscripts/` and `{BROKER}/dbscripts/`"
    ) in text
    mixed = _plan(answers_for("mariadb", [bps_product(None), *ei_products(None)[1:2]]))
    assert "From the PRODUCT_HOME of Business Process Server 3.6.0 or Enterprise Integrator " in (
        readme_section(mixed)
    )


def test_broker_store_on_db2_names_no_script_and_says_so() -> None:
    data = answers_for("db2", ei_products(None)[2:])
    plan = _plan(data)
    assert plan.database("ei-broker:WSO2_MB_STORE_DB").schema_scripts == ()
    assert any("WSO2 ships no IBM DB2 script for WSO2_MB_STORE_DB" in n for n in plan.notes)
    (step,) = [s for s in schema_steps(plan) if s.database_key == "ei-broker:WSO2_MB_STORE_DB"]
    assert step.commands == () and "WSO2 ships no IBM DB2 script" in " ".join(step.warnings)
    # Under its heading (named as its card: the product, then the datasource).
    section = readme_section(plan).split("· WSO2_MB_STORE_DB: ")[1]
    assert "Nothing to run." not in section.split("#### ")[0]


# ============================================================================================
# Trees from real distributions: every listed script exists, product datasources patched
# ============================================================================================

Build = Callable[[Path], tuple[list[dict[str, Any]], dict[str, Path]]]


def _apim(tmp: Path) -> tuple[list[dict[str, Any]], dict[str, Path]]:
    home = apim_home(tmp)
    product = copy.deepcopy(af.SHARED["products"][0]) | {"distribution": str(home)}
    return [product], {"apim": home}


def is_pack(tmp: Path) -> Path:
    """wso2is-5.7.0 with its workflow engine's scripts where its bin.xml puts them
    (product-is v5.7.0 modules/distribution/src/assembly/bin.xml lines 460-463: the p2
    profile's dbscripts/bps). They are BPS 3.6.0's blobs: the bpel, humantask and
    attachment-mgt features of carbon-business-process v4.4.39, which IS 5.7.0 pins, ship the
    same create/<engine>.sql as v4.4.10's, and their p2.inf copy them to dbscripts/bps/bpel/."""
    home = is_home(tmp)
    up = need_upstream()
    shutil.copytree(up / "bps-3.6.0/dbscripts/bps/bpel", home / "dbscripts/bps/bpel")
    return home


def _is(tmp: Path) -> tuple[list[dict[str, Any]], dict[str, Path]]:
    home = is_pack(tmp)
    product = copy.deepcopy(af.SHARED["products"][1]) | {"distribution": str(home)}
    product["nodes"] = _nodes("is", 2)
    product["databases"]["BPS_DS"] = _spec("WSO2IS_BPS_DB", "isbpsadmin")
    return [product], {"is": home}


def _is_km(tmp: Path) -> tuple[list[dict[str, Any]], dict[str, Path]]:
    apim, homes = _apim(tmp)
    apim[0]["load_balancer"] = "apim.example.com"  # the key manager calls the gateways
    km = is_km_home(tmp)
    product = {
        "id": "is-km",
        "version": "5.7.0",
        "distribution": str(km),
        "nodes": [{"id": "km-1", "host": "10.0.1.31"}],
    }
    return [*apim, product], {**homes, "is-km": km}


def _bps(tmp: Path) -> tuple[list[dict[str, Any]], dict[str, Path]]:
    home = bps_home(tmp)
    return [bps_product(home)], {"bps": home}


def _ei(tmp: Path) -> tuple[list[dict[str, Any]], dict[str, Path]]:
    home = ei_pack(tmp)
    keys = ("ei", "ei-business-process", "ei-broker")
    return ei_products(home), dict.fromkeys(keys, home)


PACKS: dict[str, Build] = {"apim": _apim, "is": _is, "is-km": _is_km, "bps": _bps, "ei": _ei}
# Datasource -> (file under the node's conf dir, JNDI name): where the stock defines it.
PRODUCT_DATASOURCES = {
    "BPS_DS": ("datasources/bps-datasources.xml", "bpsds"),
    "ACTIVITI_DB": ("datasources/activiti-datasources.xml", "jdbc/ActivitiDB"),
    "WSO2_MB_STORE_DB": ("datasources/master-datasources.xml", "WSO2MBStoreDB"),
    "WSO2AM_DB": ("datasources/master-datasources.xml", "jdbc/WSO2AM_DB"),
    "WSO2_IDENTITY_DB": ("datasources/master-datasources.xml", "jdbc/WSO2IdentityDS"),
}


@pytest.mark.parametrize("form", ["directory", "zip"])
@pytest.mark.parametrize("engine", ["mariadb", "mysql8", "postgresql"])
@pytest.mark.parametrize("pack", sorted(PACKS))
def test_a_tree_from_a_distribution_lists_only_scripts_it_holds(
    tmp_path: Path, pack: str, engine: str, form: str
) -> None:
    products, homes = PACKS[pack](tmp_path)
    if form == "zip":
        zips = {home: zip_of(home) for home in set(homes.values())}
        homes = {key: zips[home] for key, home in homes.items()}
        for product in products:
            product["distribution"] = str(zips[Path(product["distribution"])])
    data = answers_for(engine, products)
    built = tree.build(_plan(data))
    manifest = _manifest(built)
    checked = 0
    for entry in manifest["databases"]:
        assert entry["schema_scripts"], entry["key"]
        assert entry["scripts_from"], entry["key"]
        for key in entry["scripts_from"]:
            stock = open_stock(str(homes[key]))
            for script in entry["schema_scripts"]:
                assert stock.has(script), f"{key}: {script}"  # type: ignore[attr-defined]
                checked += 1
    assert checked
    for key, home in homes.items():
        assert missing_scripts(manifest, key, open_stock(str(home))) == {}
    assert "Read before you start" not in built.readme or "has no `" not in built.readme
    assert rules.check_files(built.files) == [], show(rules.check_files(built.files))
    plan = _plan(data)
    for node in plan.nodes:
        for ds in node.datasources:
            if ds.name not in PRODUCT_DATASOURCES:
                continue
            file, jndi = PRODUCT_DATASOURCES[ds.name]
            assert ds.file == file and ds.jndi_name == jndi
            root = etree.fromstring(built.files[f"nodes/{node.id}/{node.conf_path(file)}"])
            (found,) = [
                d for d in root.iterfind("datasources/datasource") if d.findtext("name") == ds.name
            ]
            assert found.findtext("jndiConfig/name") == jndi
            assert found.findtext("definition/configuration/url") == ds.url


def test_the_business_process_datasources_keep_the_stock_pool_settings(tmp_path: Path) -> None:
    home = ei_pack(tmp_path)
    built = tree.build(_plan(answers_for("postgresql", ei_products(home))))
    path = f"nodes/eibp-1/{BP}/conf/datasources/bps-datasources.xml"
    stock = etree.parse(str(home / BP / "conf/datasources/bps-datasources.xml")).getroot()
    patched = etree.fromstring(built.files[path])
    for tag in ("maxActive", "maxIdle", "maxWait", "useDataSourceFactory"):
        where = f"datasources/datasource/definition/configuration/{tag}"
        assert patched.findtext(where) == stock.findtext(where), tag
    activiti = etree.fromstring(
        built.files[f"nodes/eibp-1/{BP}/conf/datasources/activiti-datasources.xml"]
    )
    assert activiti.findtext("datasources/datasource/description") == (
        "The datasource used for activiti engine"
    )


# ============================================================================================
# The check of a manifest's scripts against a distribution
# ============================================================================================


@pytest.mark.parametrize("form", ["directory", "zip"])
def test_a_distribution_without_a_script_gets_a_readme_note_not_a_refusal(
    tmp_path: Path, form: str
) -> None:
    home = bps_home(tmp_path)
    # ../shared/upstream holds BPS's Activiti scripts for MySQL and PostgreSQL only: on SQL
    # Server this distribution lacks the four the plan names.
    (home / "dbscripts/bps/bpel/create/mssql.sql").unlink()
    source = home if form == "directory" else zip_of(home)
    data = answers_for("mssql", [bps_product(source)])
    built = tree.build(_plan(data))  # written all the same: the node files are right
    manifest = _manifest(built)
    missing = missing_scripts(manifest, "bps", open_stock(str(source)))
    assert missing == {
        "bps:BPS_DS": ["dbscripts/bps/bpel/create/mssql.sql"],
        "bps:ACTIVITI_DB": [
            f"dbscripts/bps/bpmn/create/activiti.mssql.create.{part}.sql" for part in BPMN_PARTS
        ],
    }
    readme = built.readme
    notes = readme[readme.index("## Read before you start") : readme.index("## Next steps")]
    assert f"the product distribution {source} has no `dbscripts/bps/bpel/create/mssql.sql`" in (
        notes
    )
    assert "for `bps:ACTIVITI_DB`; run them from a complete Business Process Server" in notes
    # The kernel script is in the distribution: nothing said of it.
    assert "dbscripts/mssql.sql`" not in notes


def test_missing_scripts_reads_only_the_products_the_readme_runs_from(tmp_path: Path) -> None:
    products, homes = _is_km(tmp_path)
    built = tree.build(_plan(answers_for("mariadb", products)))
    manifest = _manifest(built)
    (am,) = [d for d in manifest["databases"] if d["key"] == "apim:WSO2AM_DB"]
    # The key manager uses WSO2AM_DB but its PRODUCT_HOME has no apimgt script: the README
    # runs it from API Manager's, so the key manager's distribution is not judged for it.
    assert am["products"] == ["apim", "is-km"] and am["scripts_from"] == ["apim"]
    assert missing_scripts(manifest, "is-km", open_stock(str(homes["is-km"]))) == {}
    assert missing_scripts(manifest, "apim", open_stock(None)) == {}  # the baseline: no scripts


# ============================================================================================
# ACTIVITI_DB is optional
# ============================================================================================


def test_bpmn_may_be_left_out_and_stays_on_each_nodes_h2(tmp_path: Path) -> None:
    home = bps_home(tmp_path)
    plan = _plan(answers_for("mariadb", [bps_product(home, activiti=False)]))
    assert [db.key for db in plan.databases if db.role == "product"] == ["bps:BPS_DS"]
    assert all(ds.name != "ACTIVITI_DB" for n in plan.nodes for ds in n.datasources)
    built = tree.build(plan)
    assert not any(p.endswith("activiti-datasources.xml") for p in built.files)
    assert "ACTIVITI_DB          → each node's own H2, as shipped: not shared" in (
        picture.render(plan)
    )
    (note,) = [n for n in plan.notes if "ACTIVITI_DB is left out" in n]
    assert "with more than one node and BPMN in use, the nodes must share it" in note
    assert "this cluster has 2 nodes" in note
    assert note in built.readme
    assert "CREATE DATABASE" in next(iter(setup_scripts(plan).values()))
    assert "WSO2_BPMN_DB" not in "".join(setup_scripts(plan).values())
    assert rules.check_files(built.files) == []
    lone = _plan(answers_for("mariadb", [bps_product(home, activiti=False, nodes=1)]))
    (note,) = [n for n in lone.notes if "ACTIVITI_DB is left out" in n]
    assert "this cluster has" not in note


def test_bpmn_given_is_planned_set_up_and_drawn() -> None:
    plan = _plan(answers_for("postgresql", [bps_product(None)]))
    db = plan.database("bps:ACTIVITI_DB")
    assert (db.datasource_name, db.jndi_name) == ("ACTIVITI_DB", "jdbc/ActivitiDB")
    assert db.nodes == ("bps-1", "bps-2")
    (setup,) = setup_scripts(plan).values()
    assert "-- WSO2_BPMN_DB: bps:ACTIVITI_DB; used by bps" in setup
    assert """GRANT CONNECT ON DATABASE "WSO2_BPMN_DB" TO "bpmnadmin";""" in setup
    assert "ACTIVITI_DB          → WSO2_BPMN_DB  (via jdbc/ActivitiDB)" in picture.render(plan)
    (step,) = [s for s in schema_steps(plan) if s.database_key == "bps:ACTIVITI_DB"]
    assert len(step.commands) == 4 and step.products == ("bps",)
    assert "ACTIVITI_DB is optional: without it, BPMN (Activiti) data stays in each node's" in (
        " ".join(step.warnings)
    )
    assert not [n for n in plan.notes if "left out" in n]


def test_a_required_database_is_still_required_and_the_hint_marks_the_optional_one() -> None:
    product = bps_product(None)
    del product["databases"]["BPS_DS"]
    with pytest.raises(AnswersError) as caught:
        answers.parse(answers_for("mariadb", [product]))
    assert "products[0].databases.BPS_DS" in caught.value.report()
    product = bps_product(None)
    product["databases"]["BPMN"] = product["databases"].pop("ACTIVITI_DB")
    with pytest.raises(AnswersError) as caught:
        answers.parse(answers_for("mariadb", [product]))
    assert "it needs: ACTIVITI_DB (optional), BPS_DS" in caught.value.report()


def test_the_wizard_asks_for_bpmn_with_defaults_and_does_not_invent_it() -> None:
    data = answers_for("mariadb", [{"id": "bps", "version": "3.6.0", "nodes": _nodes("bps", 2)}])
    slots = {s.path: s for s in database_slots.needed(data)}
    bpmn = slots["products[0].databases.ACTIVITI_DB"]
    assert (bpmn.name, bpmn.user, bpmn.optional) == ("WSO2_BPMN_DB", "bpmnadmin", True)
    assert slots["products[0].databases.BPS_DS"].optional is False
    # Validating the products step fills later answers with placeholders: BPS_DS only.
    scaffolded = steps._scaffold(data, steps.step_index("products"))
    assert set(scaffolded["products"][0]["databases"]) == {"BPS_DS"}
    assert steps.problems_for_step(data, "products") == []


def test_catalog_marks_only_bpmn_and_the_key_managers_workflow_optional() -> None:
    def marked(optional: Callable[[Any], bool]) -> set[tuple[str, str, str]]:
        return {
            (pid, name, db.key)
            for pid, product in PRODUCTS.items()
            for name, profile in product.profiles.items()
            for db in profile.databases
            if optional(db)
        }

    assert marked(lambda db: db.optional) == {
        ("bps", "default", "ACTIVITI_DB"),
        ("ei", "business-process", "ACTIVITI_DB"),
        # WSO2's own key manager deployment keeps it on each node's H2.
        ("is-km", "default", "BPS_DS"),
    }
    # Identity Server's workflow engine: a lone node may keep it, a cluster shares it.
    assert marked(lambda db: db.optional_alone) == {("is", "default", "BPS_DS")}
    assert all(ENGINES)


# ============================================================================================
# Rule 37 over small trees
# ============================================================================================

R = "repository/conf"
BPS_FILE = f"{R}/datasources/bps-datasources.xml"
ACT_FILE = f"{R}/datasources/activiti-datasources.xml"
EIB = f"{BROKER}/conf"
MB_MASTER = f"{EIB}/datasources/master-datasources.xml"
H2 = "jdbc:h2:./repository/database/{};DB_CLOSE_ON_EXIT=FALSE"
BPS_DB = DS("BPS_DS", "bpsds", mysql("WSO2_BPS_DB"), "bpsadmin")
BPMN_DB = DS("ACTIVITI_DB", "jdbc/ActivitiDB", mysql("WSO2_BPMN_DB"), "bpmnadmin")
MB_DB = DS("WSO2_MB_STORE_DB", "WSO2MBStoreDB", mysql("WSO2_MB_DB"), "mbadmin")
LOCAL_BPMN = DS(
    "ACTIVITI_DB", "jdbc/ActivitiDB", H2.format("activiti"), "wso2carbon", driver="org.h2.Driver"
)
AM_MB = DS(
    "WSO2_MB_STORE_DB", "WSO2MBStoreDB", H2.format("WSO2MB_DB"), "wso2carbon", "org.h2.Driver"
)
URL = "/definition/configuration/url"


def _assemble(nodes: list[dict[str, Any]], own: dict[str, Files], dbs: list[dict]) -> Files:
    files: Files = {}
    for node in nodes:
        files.update({f"nodes/{node['id']}/{p}": c for p, c in own[node["id"]].items()})
    manifest = {"schema_version": 1, "layout": "shared", "nodes": nodes, "databases": dbs}
    files["manifest.json"] = json.dumps(manifest).encode()
    return files


def _base(conf: str, node: dict[str, Any], peers: list[dict[str, Any]], extra: list[DS]) -> Files:
    return {
        f"{conf}/datasources/master-datasources.xml": master_xml([LOCAL, REG, UM, *extra]),
        f"{conf}/registry.xml": registry_xml(
            [Remote("sharedregistry", REG)],
            ("sharedregistry", f"/_system/{node['product_key']}config"),
            "sharedregistry",
        ),
        f"{conf}/user-mgt.xml": user_mgt_xml(UM.jndi),
        f"{conf}/axis2/axis2.xml": axis2_xml(
            f"wso2.{node['product_key']}.domain",
            node["host"],
            4000,
            [(p["host"], 4000) for p in peers],
        ),
    }


def _entry(node_id: str, product: str, key: str, conf: str, lib: str, host: str) -> dict:
    return {
        "id": node_id,
        "product": product,
        "product_key": key,
        "host": host,
        "offset": 0,
        "conf_dir": conf,
        "lib_dir": lib,
    }


def bps_tree(count: int = 2, bpmn: DS | None = BPMN_DB, listed: bool = True) -> Files:
    """BPS x`count`, BPEL (and BPMN, unless None) on MySQL; manifest lists ACTIVITI_DB when
    `listed`."""
    nodes = [
        _entry(f"bps-{i}", "bps", "bps", R, "repository/components/lib", f"10.0.6.1{i}")
        for i in range(1, count + 1)
    ]
    own = {}
    for node in nodes:
        files = _base(R, node, nodes, [])
        files[BPS_FILE] = master_xml([BPS_DB])
        if bpmn is not None:
            files[ACT_FILE] = master_xml([bpmn])
        own[node["id"]] = files
    dbs = [{"key": "bps:BPS_DS", "datasource": "BPS_DS", "products": ["bps"]}]
    if listed:
        dbs.append({"key": "bps:ACTIVITI_DB", "datasource": "ACTIVITI_DB", "products": ["bps"]})
    return _assemble(nodes, own, dbs)


def broker_tree() -> Files:
    """EI's broker profile x2 on one MySQL store, and API Manager x2 with its stock broker
    store on each node's H2 (which API Manager keeps node-local)."""
    brokers = [_entry(f"mb-{i}", "ei", "ei-broker", EIB, "lib", f"10.0.7.1{i}") for i in (1, 2)]
    apims = [
        _entry(f"apim-{i}", "apim", "apim", R, "repository/components/lib", f"10.0.7.2{i}")
        for i in (1, 2)
    ]
    own = {n["id"]: _base(EIB, n, brokers, [MB_DB]) for n in brokers}
    own |= {n["id"]: _base(R, n, apims, [AM_MB]) for n in apims}
    return _assemble(brokers + apims, own, [])


def no_bpmn() -> Files:
    """BPMN left on each node's H2 and not listed: not judged."""
    return bps_tree(bpmn=LOCAL_BPMN, listed=False)


def lone_bps() -> Files:
    return bps_tree(1, bpmn=LOCAL_BPMN)


def _h2(node: str, file: str, name: str, database: str, ds: DS) -> Callable[[Files], Files]:
    """The datasource put back on an embedded H2 file, as the stock files have it."""
    return chain(
        in_datasource(node, file, name, ds.url.replace("&", "&amp;"), H2.format(database)),
        in_datasource(node, file, name, ds.driver, "org.h2.Driver"),
    )


CASES = [
    Case(
        "bpel-on-h2",
        bps_tree,
        _h2("bps-2", BPS_FILE, "BPS_DS", "jpadb", BPS_DB),
        37,
        "bps-2",
        BPS_FILE,
        f"datasource[name='BPS_DS']{URL}",
    ),
    Case(
        "bpel-datasources-file-missing",
        bps_tree,
        lambda files: {k: v for k, v in files.items() if k != f"nodes/bps-1/{BPS_FILE}"},
        37,
        "bps-1",
        BPS_FILE,
        "datasource[jndiConfig/name='bpsds']",
    ),
    Case(
        "bpmn-on-h2-where-another-node-shares-it",
        lambda: bps_tree(listed=False),
        _h2("bps-1", ACT_FILE, "ACTIVITI_DB", "activiti", BPMN_DB),
        37,
        "bps-1",
        ACT_FILE,
        f"datasource[name='ACTIVITI_DB']{URL}",
    ),
    Case(
        "bpmn-on-h2-everywhere-but-listed",
        lambda: bps_tree(bpmn=LOCAL_BPMN),
        lambda files: files,
        37,
        "bps-2",
        ACT_FILE,
        f"datasource[name='ACTIVITI_DB']{URL}",
    ),
    Case(
        "bpmn-on-two-databases",
        bps_tree,
        on(["bps-2"], ACT_FILE, "WSO2_BPMN_DB", "OTHER_BPMN_DB"),
        37,
        "bps-2",
        ACT_FILE,
        f"datasource[name='ACTIVITI_DB']{URL}",
    ),
    Case(
        "broker-store-on-h2",
        broker_tree,
        _h2("mb-1", MB_MASTER, "WSO2_MB_STORE_DB", "WSO2MB_DB", MB_DB),
        37,
        "mb-1",
        MB_MASTER,
        f"datasource[name='WSO2_MB_STORE_DB']{URL}",
    ),
]


@pytest.mark.parametrize(
    "make",
    [bps_tree, broker_tree, no_bpmn, lone_bps],
    ids=["bps", "broker-and-apim", "bpmn-left-local", "lone-bps"],
)
def test_a_correct_tree_has_no_rule_37_findings(make: Callable[[], Files]) -> None:
    findings = check_files(make())
    assert findings == [], show(findings)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_mutation_breaks_rule_37(case: Case) -> None:
    findings = mutation_findings(case)
    for finding in findings:
        assert finding.message and str(finding).startswith("rule 37 · ")


def test_rule_37_is_titled_mapped_and_says_why() -> None:
    assert 37 in RULE_TITLES and steps.step_for_rule(37) == "database"
    files = _h2("bps-2", BPS_FILE, "BPS_DS", "jpadb", BPS_DB)(bps_tree())
    (finding,) = check_files(files)
    assert "a database inside this node" in finding.message
    assert "the 2-node cluster bps must share them" in finding.message
    listed = manifest_edit(lambda data: data.update(databases=[]))(bps_tree(bpmn=LOCAL_BPMN))
    assert check_files(listed) == []  # neither shared on a node nor listed: BPMN not judged


def test_trees_the_wizard_writes_pass_rule_37_and_a_stock_file_put_back_fails(
    tmp_path: Path,
) -> None:
    home = ei_pack(tmp_path)
    built = tree.build(_plan(answers_for("mariadb", ei_products(home))))
    assert check_files(built.files) == []
    stock = (home / BP / "conf/datasources/activiti-datasources.xml").read_bytes()
    path = f"nodes/eibp-2/{BP}/conf/datasources/activiti-datasources.xml"
    findings = check_files({**built.files, path: stock})
    assert {(f.rule, f.node, f.file) for f in findings} == {
        (37, "eibp-2", f"{BP}/conf/datasources/activiti-datasources.xml")
    }, show(findings)
