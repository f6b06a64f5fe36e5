"""The plan decides every name, URL and mount a node gets."""

from __future__ import annotations

import pytest

from tests.answers_fixtures import ENV, PASSWORD, SHARED, build, split, topology, variant
from wizard import plan
from wizard.problems import AnswersError


def test_shared_layout_one_remote_instance_for_both_mounts() -> None:
    p = build()
    reg = p.node("apim-1").registry
    assert [c.name for c in reg.db_configs] == ["sharedregistry"]
    assert [(m.path, m.instance_id, m.target_path) for m in reg.mounts] == [
        ("/_system/config", "sharedregistry", "/_system/apimconfig"),
        ("/_system/governance", "sharedregistry", "/_system/governance"),
    ]
    assert reg.current_db_config == "wso2registry"


def test_split_layout_two_databases_two_instances() -> None:
    p = build(split())
    reg = p.node("is-1").registry
    assert {c.name: c.datasource for c in reg.db_configs} == {
        "configregistry": "jdbc/WSO2ConfigRegDB",
        "govregistry": "jdbc/WSO2GovRegDB",
    }
    mounts = {m.path: m.instance_id for m in reg.mounts}
    assert mounts == {"/_system/config": "configregistry", "/_system/governance": "govregistry"}
    assert {d.key for d in p.databases} >= {"config", "governance", "user_management"}


def test_cache_id_is_user_at_exact_url() -> None:
    p = build()
    db = p.database("registry")
    assert db.url == (
        "jdbc:mysql://db.example.com:3306/WSO2_REG_DB?autoReconnect=true&useSSL=false"
    )
    instance = p.node("apim-2").registry.remote_instances[0]
    assert instance.cache_id == f"regadmin@{db.url}"


def test_every_node_of_a_product_gets_the_same_registry_block() -> None:
    p = build()
    assert p.node("apim-1").registry == p.node("apim-2").registry
    assert p.node("apim-1").registry.mounts[0].target_path != (
        p.node("is-1").registry.mounts[0].target_path
    )


def test_realm_and_product_datasources() -> None:
    p = build()
    apim = p.node("apim-1")
    assert apim.realm_datasource == "jdbc/WSO2UMDB"
    jndi = {d.name: d.jndi_name for d in apim.datasources}
    # Product files already name the stock JNDI (api-manager.xml: jdbc/WSO2AM_DB): keep it.
    assert jndi["WSO2AM_DB"] == "jdbc/WSO2AM_DB"
    assert "WSO2_CARBON_DB" not in jndi  # the local H2 datasource stays as the stock file has it
    assert "WSO2_IDENTITY_DB" in {d.name for d in p.node("is-1").datasources}


def test_passwords_from_environment_and_literal() -> None:
    p = build()
    assert p.database("registry").password == PASSWORD
    assert p.database("is:WSO2_IDENTITY_DB").password == ENV["IS_DB_PASSWORD"]


def test_missing_env_password_is_refused_naming_the_variable() -> None:
    p = plan.build(topology(), {})
    with pytest.raises(AnswersError) as caught:
        plan.require_secrets(p)
    [problem] = caught.value.problems
    assert problem.path == "products[1].databases.WSO2_IDENTITY_DB.password_env"
    assert "export IS_DB_PASSWORD=" in problem.message


@pytest.mark.parametrize("placeholder", ["CHANGE-ME", "<password>", "changeme123"])
def test_placeholder_password_is_refused(placeholder: str) -> None:
    p = build(variant("database.registry.password", placeholder))
    with pytest.raises(AnswersError) as caught:
        plan.require_secrets(p)
    assert caught.value.problems[0].path == "database.registry.password"
    assert "placeholder" in caught.value.problems[0].message


def test_redacted_plan_holds_no_password() -> None:
    p = build().redacted()
    assert all(db.password == plan.REDACTED for db in p.databases)
    assert all(d.password == plan.REDACTED for n in p.nodes for d in n.datasources)
    assert PASSWORD not in repr(p)


@pytest.mark.parametrize(
    ("engine", "url"),
    [
        (
            "mysql8",
            "jdbc:mysql://db.example.com:3306/WSO2_REG_DB?autoReconnect=true&useSSL=false&allowPublicKeyRetrieval=true",
        ),
        # WSO2's 4.4.x guide reaches MariaDB with the MySQL driver and URLs.
        ("mariadb", "jdbc:mysql://db.example.com:3306/WSO2_REG_DB?autoReconnect=true&useSSL=false"),
        ("postgresql", "jdbc:postgresql://db.example.com:5432/WSO2_REG_DB"),
        ("oracle", "jdbc:oracle:thin:@//db.example.com:1521/WSO2_REG_DB"),
        (
            "mssql",
            "jdbc:sqlserver://db.example.com:1433;databaseName=WSO2_REG_DB;SendStringParametersAsUnicode=false",
        ),
        ("db2", "jdbc:db2://db.example.com:50000/WSO2REG"),
    ],
)
def test_engine_urls(engine: str, url: str) -> None:
    data = variant("database.engine", engine)
    if engine == "db2":
        data = variant("database.registry.name", "WSO2REG", data)
        data = variant("database.user_management.name", "WSO2UM", data)
        data = variant("products[0].databases.WSO2AM_DB.name", "WSO2AM", data)
        data = variant("products[1].databases.WSO2_IDENTITY_DB.name", "WSO2IDN", data)
    if engine == "oracle":
        # Oracle cannot quote a double quote inside a password.
        data = variant("database.registry.password", "p&<>'\\$%x", data)
    assert build(data).database("registry").url == url


def test_url_options_and_database_server_override() -> None:
    data = variant("database.url_options", "useSSL=true&serverTimezone=UTC")
    data = variant("database.user_management.host", "2001:db8::5", data)
    data = variant("database.user_management.port", 3307, data)
    p = build(data)
    assert p.database("registry").url.endswith("?useSSL=true&serverTimezone=UTC")
    assert p.database("user_management").url.startswith("jdbc:mysql://[2001:db8::5]:3307/")


def test_empty_url_options_means_none() -> None:
    assert (
        build(variant("database.url_options", "")).database("registry").url.endswith("/WSO2_REG_DB")
    )


def test_per_product_config_database() -> None:
    data = split()
    data["products"][0]["config_database"] = {
        "name": "APIM_CONFIG_DB",
        "user": "apimconf",
        "password": "x",
    }
    p = build(data)
    assert p.database("config:apim").nodes == ("apim-1", "apim-2")
    assert p.database("config").nodes == ("is-1",)
    apim_conf = {c.name: c.datasource for c in p.node("apim-1").registry.db_configs}
    assert apim_conf["configregistry"] == "jdbc/WSO2ConfigRegDB_APIM"


def test_kernel_script_per_engine() -> None:
    assert build().database("registry").schema_scripts == ("dbscripts/mysql5.7.sql",)
    p = build(variant("database.engine", "mariadb"))
    assert p.database("user_management").schema_scripts == ("dbscripts/mysql.sql",)
    assert p.database("apim:WSO2AM_DB").schema_scripts == ("dbscripts/apimgt/mysql.sql",)


def test_ei_profiles_use_their_own_conf_dirs() -> None:
    data = variant(
        "products",
        [
            {"id": "ei", "version": "6.4.0", "nodes": [{"id": "ei-1", "host": "10.0.3.11"}]},
            {
                "id": "ei",
                "version": "6.4.0",
                "profile": "broker",
                "databases": {
                    "WSO2_MB_STORE_DB": {"name": "WSO2_MB_DB", "user": "mb", "password": "x"}
                },
                "nodes": [{"id": "ei-broker-1", "host": "10.0.3.21"}],
            },
        ],
    )
    p = build(data)
    assert p.node("ei-1").conf_dir == "conf"
    assert p.node("ei-broker-1").conf_dir == "wso2/broker/conf"
    assert p.node("ei-broker-1").lib_dir == "lib"
    assert p.node("ei-broker-1").config_target == "/_system/ei-broker-config"


def test_ports_follow_offset() -> None:
    p = build(variant("products[0].nodes[1].offset", 3))
    assert (p.node("apim-2").https_port, p.node("apim-2").http_port) == (9446, 9766)


def test_each_node_is_planned_as_if_alone() -> None:
    """A product's nodes are planned once and copied with their own id, host, offset and
    member address: each copy must be what planning that node by itself gives."""
    data = variant("products[0].nodes[1].offset", 3)
    data["products"][0]["nodes"].append(
        {"id": "apim-3", "host": "apim-3.example.com", "offset": 1, "member_port": 4101}
    )
    top = topology(data)
    p = plan.build(top, ENV)
    by_key = {db.key: db for db in p.databases}
    for product in top.products:
        members = tuple((n.host, n.effective_member_port) for n in product.nodes)
        for n in product.nodes:
            alone = plan._node(
                top, product, n.id, n.host, n.offset, n.effective_member_port, by_key, members, ENV
            )
            assert p.node(n.id) == alone
    cluster = p.node("apim-3").cluster
    assert cluster is not None and cluster.local_member_port == 4101


def test_plan_is_deterministic() -> None:
    assert build() == build()
    assert SHARED["products"][0]["nodes"][0]["id"] == "apim-1"  # fixtures are not mutated


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("5.3.0", ["dbscripts/identity/postgresql.sql"]),
        ("5.5.0", ["dbscripts/identity/postgresql.sql", "dbscripts/consent/postgresql.sql"]),
        (
            "5.7.0",
            [
                "dbscripts/identity/postgresql.sql",
                "dbscripts/identity/uma/postgresql.sql",
                "dbscripts/consent/postgresql.sql",
            ],
        ),
    ],
)
def test_identity_scripts_follow_the_version(version: str, expected: list[str]) -> None:
    data = variant("database.engine", "postgresql")
    data = variant("products[1].version", version, data)
    assert list(build(data).database("is:WSO2_IDENTITY_DB").schema_scripts) == expected
