"""The schema-script plan: which WSO2 scripts run where, once, with which command."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests import answers_fixtures
from tests.render.test_setup_sql import ENV, PASSWORD, plan_for, topology_data
from wizard import answers
from wizard.catalog import ENGINES
from wizard.plan import Plan, build
from wizard.schema import readme_section, schema_scripts_for_manifest, schema_steps

ENGINE_IDS = sorted(ENGINES)


def _plan(data: dict[str, Any]) -> Plan:
    return build(answers.parse(data), ENV)


@pytest.mark.parametrize("engine", ENGINE_IDS)
def test_kernel_script_once_per_physical_database(engine: str) -> None:
    plan = plan_for(engine, "shared")
    kernel = ENGINES[engine].kernel_script
    steps = {s.database_key: s for s in schema_steps(plan)}
    assert steps["registry"].scripts == (kernel,)
    registry, um = plan.database("registry"), plan.database("user_management")
    if engine == "db2" and registry.user != um.user:
        # DB2 keeps each user's tables in its own schema: both users need the kernel tables.
        assert steps["user_management"].scripts == (kernel,)
    else:
        assert steps["user_management"].scripts == ()
        assert steps["user_management"].command == ""
        note = " ".join(steps["user_management"].warnings)
        assert "also the `registry` database" in note and "Nothing to run here" in note
    manifest = schema_scripts_for_manifest(plan)
    assert set(manifest) == {db.key for db in plan.databases}
    assert manifest["registry"] == [kernel]


@pytest.mark.parametrize("engine", ENGINE_IDS)
def test_split_layout_runs_the_kernel_in_every_database(engine: str) -> None:
    plan = plan_for(engine, "split")
    kernel = ENGINES[engine].kernel_script
    manifest = schema_scripts_for_manifest(plan)
    for key in ("config", "governance", "user_management"):
        assert manifest[key] == [kernel], key


def test_a_product_database_inside_the_registry_database_gets_its_script_after() -> None:
    data = topology_data("postgresql", "shared")
    shared = data["database"]["registry"]
    data["products"][0]["databases"]["WSO2AM_DB"] = dict(shared)
    plan = _plan(data)
    manifest = schema_scripts_for_manifest(plan)
    assert manifest["registry"] == ["dbscripts/postgresql.sql"]
    assert manifest["user_management"] == []
    assert manifest["apim:WSO2AM_DB"] == ["dbscripts/apimgt/postgresql.sql"]
    step = next(s for s in schema_steps(plan) if s.database_key == "apim:WSO2AM_DB")
    assert "also the `registry` database: run this step after that one" in " ".join(step.warnings)


VARIANTS = {
    "mysql5.7": (
        "dbscripts/mysql5.7.sql",
        "dbscripts/apimgt/mysql5.7.sql",
        "dbscripts/identity/mysql-5.7.sql",
    ),
    "mysql8": (
        "dbscripts/mysql5.7.sql",
        "dbscripts/apimgt/mysql5.7.sql",
        "dbscripts/identity/mysql-5.7.sql",
    ),
    "mariadb": (
        "dbscripts/mysql.sql",
        "dbscripts/apimgt/mysql.sql",
        "dbscripts/identity/mysql.sql",
    ),
    "postgresql": (
        "dbscripts/postgresql.sql",
        "dbscripts/apimgt/postgresql.sql",
        "dbscripts/identity/postgresql.sql",
    ),
    "oracle": (
        "dbscripts/oracle.sql",
        "dbscripts/apimgt/oracle.sql",
        "dbscripts/identity/oracle.sql",
    ),
    "mssql": ("dbscripts/mssql.sql", "dbscripts/apimgt/mssql.sql", "dbscripts/identity/mssql.sql"),
    "db2": ("dbscripts/db2.sql", "dbscripts/apimgt/db2.sql", "dbscripts/identity/db2.sql"),
}


@pytest.mark.parametrize("engine", ENGINE_IDS)
def test_per_engine_script_variants(engine: str) -> None:
    kernel, apimgt, identity = VARIANTS[engine]
    manifest = schema_scripts_for_manifest(plan_for(engine, "split"))
    assert manifest["config"] == [kernel]
    assert manifest["apim:WSO2AM_DB"] == [apimgt]
    assert manifest["is:WSO2_IDENTITY_DB"][0] == identity
    assert len(manifest["is:WSO2_IDENTITY_DB"]) == 3  # identity, UMA, consent


def _warnings(plan: Plan, key: str) -> str:
    return " ".join(next(s for s in schema_steps(plan) if s.database_key == key).warnings)


def test_warnings_postgresql_drops_first() -> None:
    plan = plan_for("postgresql", "split")
    text = _warnings(plan, "config")
    # A second run empties some tables, then stops (run twice on PostgreSQL 15).
    assert "dbscripts/postgresql.sql drops some of its tables" in text
    assert "can empty those tables before it stops" in text
    assert "Run it once, before the first node starts" in text
    identity = _warnings(plan, "is:WSO2_IDENTITY_DB")
    assert "drop some of their tables" in identity


def test_warnings_mssql_indexes() -> None:
    text = _warnings(plan_for("mssql", "split"), "governance")
    assert "dbscripts/mssql.sql: a second run re-runs index and INSERT statements" in text
    assert "the kernel script drops and re-creates its indexes" in text


@pytest.mark.parametrize("engine", ["mysql5.7", "mysql8", "mariadb"])
def test_warnings_mysql_second_run_and_latin1(engine: str) -> None:
    plan = plan_for(engine, "split")
    kernel = ENGINES[engine].kernel_script
    assert f"{kernel} cannot run twice" in _warnings(plan, "config")
    am = _warnings(plan, "apim:WSO2AM_DB")
    identity = _warnings(plan, "is:WSO2_IDENTITY_DB")
    if engine == "mariadb":
        assert "latin1" not in am + identity
    else:
        assert "WSO2AM_DB must be latin1: dbscripts/apimgt/mysql5.7.sql fails" in am
        assert "ERROR 1071" in am
        assert "must be latin1" in identity and "dbscripts/identity/mysql-5.7.sql" in identity
    assert "latin1" not in _warnings(plan, "config")


def _bps(engine: str) -> Plan:
    data = copy.deepcopy(topology_data(engine, "split"))
    name = "BPSDB" if engine == "db2" else "WSO2_BPS_DB"  # DB2: at most 8 characters
    data["products"].append(
        {
            "id": "bps",
            "version": "3.6.0",
            "databases": {"BPS_DS": {"name": name, "user": "bpsadmin", "password": "b"}},
            "nodes": [{"id": "bps-1", "host": "10.0.1.31"}],
        }
    )
    return _plan(data)


UPSTREAM = Path(__file__).resolve().parents[2].parent / "shared" / "upstream"
# The distributions ../shared/upstream holds dbscripts of, as the plans above name them.
_SHIPPED_BY = {"apim": "apim-2.6.0", "is": "is-5.7.0", "bps": "bps-3.6.0"}


@pytest.mark.parametrize("engine", ENGINE_IDS)
def test_every_planned_script_ships_with_its_product(engine: str) -> None:
    """Each script a plan names is a file of the distribution the step runs from."""
    if not UPSTREAM.is_dir():
        pytest.skip(f"WSO2's scripts are not there: {UPSTREAM} is absent")
    plan = _bps(engine)
    kernel = ENGINES[engine].kernel_script
    missing = []
    for db in plan.databases:
        for script in db.schema_scripts:
            if script == kernel:
                homes = ["carbon-kernel-4.4.x"]
            else:
                homes = [_SHIPPED_BY[p] for p in db.products]
            missing += [
                f"{home}/{script}" for home in homes if not (UPSTREAM / home / script).is_file()
            ]
    assert missing == []


def test_warnings_bps_on_postgresql_12() -> None:
    text = _warnings(_bps("postgresql"), "bps:BPS_DS")
    assert "dbscripts/bps/bpel/create/postgresql.sql fails on PostgreSQL 12 and later" in text
    assert "ABSTIME" in text and "drop WSO2_BPS_DB, run the setup script again" in text
    assert "ABSTIME" not in _warnings(_bps("postgresql"), "config")
    # BPEL drops one table, after its first CREATE: not "drops some of its tables".
    assert "drops some of" not in text
    assert 'stops at its first statement (relation "ode_schema_version" already exists)' in text


def test_warnings_bps_mysql_second_run_stops_before_dropping_ode_job() -> None:
    text = _warnings(_bps("mariadb"), "bps:BPS_DS")
    assert "ERROR 1050: Table 'ODE_SCHEMA_VERSION' already exists" in text
    assert "Its DROP TABLE IF EXISTS ODE_JOB comes after that line" in text
    assert "ERROR 1061" not in text and "If a first run stops half-way" in text


def _with_bpmn(engine: str) -> Plan:
    data = copy.deepcopy(topology_data(engine, "split"))
    data["products"].append(
        {
            "id": "ei",
            "version": "6.4.0",
            "profile": "business-process",
            "databases": {
                "BPS_DS": {"name": "BPSDB", "user": "bpsadmin", "password": "b"},
                "ACTIVITI_DB": {"name": "BPMNDB", "user": "bpmnadmin", "password": "b"},
            },
            "nodes": [{"id": "bp-1", "host": "10.0.1.31", "offset": 2}],
        }
    )
    return _plan(data)


@pytest.mark.parametrize("engine", ENGINE_IDS)
def test_bpmn_scripts_in_activitis_order_with_what_a_second_run_does(engine: str) -> None:
    plan = _with_bpmn(engine)
    step = next(
        s for s in schema_steps(plan) if s.database_key == "ei-business-process:ACTIVITI_DB"
    )
    assert [s.split(".")[-2] for s in step.scripts] == [
        "engine",
        "history",
        "identity",
        "substitute",
    ]
    assert all(
        s.startswith("wso2/business-process/dbscripts/bps/bpmn/create/") for s in step.scripts
    )
    text = " ".join(step.warnings)
    assert "drops some of" not in text and "drop and re-create" not in text
    if engine in ("mysql5.7", "mysql8", "mariadb", "postgresql"):
        assert "stops at its first CREATE TABLE" in text and "changes nothing" in text
    else:
        assert "none has a DROP or an existence check" in text


def test_broker_store_second_run() -> None:
    data = copy.deepcopy(topology_data("mariadb", "split"))
    data["products"].append(
        {
            "id": "mb",
            "version": "3.2.0",
            "databases": {"WSO2_MB_STORE_DB": {"name": "MBDB", "user": "mb", "password": "m"}},
            "nodes": [{"id": "mb-1", "host": "10.0.1.41"}],
        }
    )
    text = _warnings(_plan(data), "mb:WSO2_MB_STORE_DB")
    assert "ERROR 1061 Duplicate key name 'MB_METADATA_QUEUE_ID_INDEX'" in text
    assert "it drops nothing" in text


def test_warnings_oracle_and_db2() -> None:
    assert "type EXIT" in _warnings(plan_for("oracle", "split"), "config")
    db2 = plan_for("db2", "split")
    assert "CATALOG DATABASE CONFDB" in _warnings(db2, "config")
    assert "TS32K" in _warnings(db2, "apim:WSO2AM_DB")


EXPECTED_COMMANDS = {
    "mysql5.7": "mysql -h db1.example.com -P 3306 -u regadmin -p WSO2_CONFIG_DB"
    " < dbscripts/mysql5.7.sql",
    "mariadb": "mysql -h db1.example.com -P 3306 -u regadmin -p WSO2_CONFIG_DB"
    " < dbscripts/mysql.sql",
    "postgresql": 'psql "host=db1.example.com port=5432 dbname=WSO2_CONFIG_DB user=regadmin"'
    " -v ON_ERROR_STOP=1 -f dbscripts/postgresql.sql",
    "oracle": "sqlplus -L regadmin@//db1.example.com:1521/WSO2PDB @dbscripts/oracle.sql",
    "mssql": "sqlcmd -S db1.example.com,1433 -U regadmin -d WSO2_CONFIG_DB -b"
    " -i dbscripts/mssql.sql",
    "db2": "db2 CONNECT TO CONFDB USER regadmin && db2 -td/ -vf dbscripts/db2.sql;"
    " db2 CONNECT RESET",
}


@pytest.mark.parametrize("engine", sorted(EXPECTED_COMMANDS))
def test_commands(engine: str) -> None:
    step = next(s for s in schema_steps(plan_for(engine, "split")) if s.database_key == "config")
    assert step.command == EXPECTED_COMMANDS[engine]
    assert step.commands == (EXPECTED_COMMANDS[engine],)


def test_one_command_per_script_in_order() -> None:
    plan = plan_for("postgresql", "split")
    step = next(s for s in schema_steps(plan) if s.database_key == "is:WSO2_IDENTITY_DB")
    assert len(step.commands) == len(step.scripts) == 3
    for command, script in zip(step.commands, step.scripts, strict=True):
        assert command.endswith(f"-f {script}")
    assert step.products == ("is",)


@pytest.mark.parametrize("engine", ENGINE_IDS)
@pytest.mark.parametrize("layout", ["shared", "split"])
def test_no_password_in_any_command_or_readme(engine: str, layout: str) -> None:
    plan = plan_for(engine, layout)
    passwords = {db.password for db in plan.databases if db.password}
    assert PASSWORD.replace('"', "") in passwords or PASSWORD in passwords
    section = readme_section(plan)
    for step in schema_steps(plan):
        for password in passwords:
            assert password not in step.command
            assert password not in section
        assert "PGPASSWORD" not in step.command and "MYSQL_PWD" not in step.command
        assert " -P " not in step.command.replace(f" -P {step.port} ", " ")


def test_readme_section() -> None:
    plan = plan_for("mysql5.7", "split")
    text = readme_section(plan)
    assert "`db/setup-mysql5.7-db1.example.com.sql`" in text
    assert (
        "mysql -h db2.example.com -P 3307 -u root -p < db/setup-mysql5.7-db2.example.com-3307.sql"
        in text
    )
    assert "### 2. Create the WSO2 tables" in text
    assert text.index("setup-mysql5.7-db1") < text.index("### 2.")
    heads = [line for line in text.splitlines() if line.startswith("#### ")]
    for step in schema_steps(plan):
        # Headed by the database's card name, then its name, server and user.
        head = f": `{step.name}` on {step.host}:{step.port} as `{step.user}`"
        assert any(h.endswith(head) for h in heads), (head, heads)
        assert step.command in text
        for warning in step.warnings:
            assert warning in text
    assert "From the PRODUCT_HOME of API Manager 2.6.0:" in text
    assert not any(h.startswith("#### `") for h in heads), heads  # no key where a name is
    # Steps follow the plan's order.
    names = [f": `{db.name}` on " for db in plan.databases]
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions)


def test_readme_section_db2_says_os_users() -> None:
    text = readme_section(plan_for("db2", "shared"))
    assert "create the OS users" in text


def test_fixture_plan_still_works() -> None:
    plan = answers_fixtures.build()
    assert schema_scripts_for_manifest(plan)["registry"] == ["dbscripts/mysql5.7.sql"]


@pytest.mark.parametrize("engine", ["mysql8", "mariadb", "postgresql", "oracle", "mssql"])
def test_identity_on_wso2am_db_gets_only_the_uma_script(engine: str) -> None:
    """Identity Server as key manager on WSO2AM_DB: apimgt already creates the identity and
    consent tables (API Manager 2.6.0), so Identity Server's step runs UMA's script only."""
    data = topology_data(engine, "split")
    am = data["products"][0]["databases"]["WSO2AM_DB"]
    # On Oracle a user is its own schema: one database means one user.
    user = am["user"] if engine == "oracle" else "isadmin"
    data["products"][1]["databases"]["WSO2_IDENTITY_DB"] = dict(am, user=user)
    plan = _plan(data)
    manifest = schema_scripts_for_manifest(plan)
    assert manifest["apim:WSO2AM_DB"] == list(plan.database("apim:WSO2AM_DB").schema_scripts)
    (uma,) = manifest["is:WSO2_IDENTITY_DB"]
    assert uma.startswith("dbscripts/identity/uma/")
    note = _warnings(plan, "is:WSO2_IDENTITY_DB")
    assert "which creates the tables of dbscripts/identity/" in note
    assert "do not run them here" in note and "Run only what follows." in note


def test_identity_beside_an_unchecked_apim_version_is_a_warning_only() -> None:
    data = topology_data("postgresql", "split")
    data["products"][0]["version"] = "2.1.0"
    am = data["products"][0]["databases"]["WSO2AM_DB"]
    data["products"][1]["databases"]["WSO2_IDENTITY_DB"] = dict(am, user="isadmin")
    plan = _plan(data)
    assert len(schema_scripts_for_manifest(plan)["is:WSO2_IDENTITY_DB"]) == 3
    note = _warnings(plan, "is:WSO2_IDENTITY_DB")
    assert "(API Manager 2.1.0), which may create the tables" in note


def test_separate_identity_database_keeps_all_three_scripts() -> None:
    manifest = schema_scripts_for_manifest(plan_for("mysql8", "split"))
    assert len(manifest["is:WSO2_IDENTITY_DB"]) == 3
