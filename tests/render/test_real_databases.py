"""The generated setup scripts and schema plan against real PostgreSQL and MariaDB servers.

For each engine and registry layout, with fresh names and a password holding every awkward
character: the setup script runs as admin (twice), WSO2's own scripts run as each database's
user with the plan's commands, and every node's datasources log in with exactly the URL,
user and password of its master-datasources.xml (in a tree written as `generate` writes
it) and see the WSO2 tables; its check-databases.sh reaches every server. Servers come from
tests/dbservers.py (`bash .ci/dbservers.sh start`); WSO2's scripts from ../shared/upstream.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.answers_fixtures import PASSWORD
from wizard import answers, tree
from wizard.catalog import ENGINES
from wizard.fields import is_loopback
from wizard.output import write_tree
from wizard.plan import NodePlan, Plan, build
from wizard.render.sql import setup_scripts
from wizard.schema import schema_scripts_for_manifest, schema_steps

UPSTREAM = Path(__file__).resolve().parents[2].parent / "shared" / "upstream"
# Where each dbscripts/ sub-folder of a PRODUCT_HOME comes from in ../shared/upstream.
_SOURCES = {
    # Identity Server ships BPS 3.6.0's BPEL create scripts (the same blobs at
    # carbon-business-process v4.4.39, which IS 5.7.0 pins, as at v4.4.10).
    "dbscripts/bps/": "bps-3.6.0",
    "dbscripts/apimgt/": "apim-2.6.0",
    "dbscripts/identity/": "is-5.7.0",
    "dbscripts/consent/": "is-5.7.0",
    "dbscripts/": "carbon-kernel-4.4.x",
}
# Tables each role's database must show to the nodes.
_TABLES = {
    "registry": ("REG_RESOURCE", "UM_TENANT"),
    "config": ("REG_RESOURCE", "UM_TENANT"),
    "governance": ("REG_RESOURCE", "UM_TENANT"),
    "user_management": ("REG_RESOURCE", "UM_TENANT"),
    "apim:WSO2AM_DB": ("AM_API", "IDN_OAUTH_CONSUMER_APPS"),
    "is:WSO2_IDENTITY_DB": ("IDN_OAUTH_CONSUMER_APPS", "IDN_UMA_RESOURCE", "CM_RECEIPT"),
}
# MariaDB trees use jdbc:mysql:// URLs (WSO2's 4.4.x guide), or jdbc:mariadb:// with
# jdbc_driver = "mariadb".
_URL = re.compile(r"^jdbc:(postgresql|mysql|mariadb)://(\[[^\]]+\]|[^:/\[]+):(\d+)/([^?;/]+)")


def _dbservers() -> Any:
    try:
        from tests import dbservers
    except ImportError:
        pytest.skip("tests/dbservers.py is not there yet (throwaway database servers)")
    return dbservers


# --- plans ----------------------------------------------------------------------------------


def real_plan(srv: Any, layout: str) -> Plan:
    """API Manager 2.6.0 + Identity Server 5.7.0 on `srv`, fresh names, awkward passwords.

    shared: registry and user management in one database with two users (each granted);
    split: config and governance in two databases of one user.
    """
    fresh = _dbservers().fresh_name

    def name(prefix: str) -> str:
        # Upper case: PostgreSQL must be given the name quoted, exactly as the URL has it.
        return fresh(prefix).upper()

    def spec(db_name: str, user: str, n: int) -> dict[str, str]:
        return {"name": db_name, "user": user, "password": f"{PASSWORD}{n}" if n else PASSWORD}

    users = [fresh(f"cw{role}").lower() for role in ("reg", "um", "am", "is")]
    database: dict[str, Any] = {
        "engine": srv.engine,
        "host": srv.host,
        "port": srv.port,
        "layout": layout,
    }
    if layout == "shared":
        shared = name("cw_shared")
        database["registry"] = spec(shared, users[0], 0)
        database["user_management"] = spec(shared, users[1], 1)
    else:
        database["config"] = spec(name("cw_conf"), users[0], 0)
        database["governance"] = spec(name("cw_gov"), users[0], 0)
        database["user_management"] = spec(name("cw_um"), users[1], 1)
    data = {
        "name": "real-db-test",
        "database": database,
        "products": [
            {
                "id": "apim",
                "version": "2.6.0",
                "databases": {"WSO2AM_DB": spec(name("cw_am"), users[2], 2)},
                "nodes": [
                    {"id": "apim-1", "host": "10.0.1.11"},
                    {"id": "apim-2", "host": "10.0.1.12"},
                ],
            },
            {
                "id": "is",
                "version": "5.7.0",
                "databases": {"WSO2_IDENTITY_DB": spec(name("cw_idn"), users[3], 3)},
                "nodes": [{"id": "is-1", "host": "10.0.1.21"}],
            },
        ],
    }
    return build(answers.parse(on_this_machine(data, srv.host)), {})


def on_this_machine(data: dict[str, Any], db_host: str) -> dict[str, Any]:
    """The answers with every node on this machine when the database server is (`db_host`
    loopback, as the test servers are): the model accepts a loopback database host only for
    nodes that run there too (reference §8 rule 38). Each node gets a loopback address of its
    own (127.0.0.0/8), so nodes keep distinct hosts; Hazelcast needs real member addresses,
    so clustering is off."""
    if not is_loopback(db_host):
        return data
    out = copy.deepcopy(data)
    out["cluster"] = {**out.get("cluster", {}), "clustering": False}
    n = 10
    for product in out["products"]:
        for node in product["nodes"]:
            n += 1
            node["host"] = f"127.0.0.{n}"
    return out


# --- running things -------------------------------------------------------------------------


def _pg_env(password: str) -> dict[str, str]:
    return {**os.environ, "PGPASSWORD": password, "PGCONNECT_TIMEOUT": "10"}


def run_setup(srv: Any, path: Path, *, prefix: str = "") -> subprocess.CompletedProcess[str]:
    """Run a setup script as admin with the client the script's header names."""
    if srv.engine == "postgresql":
        conninfo = f"host={srv.host} port={srv.port} dbname=postgres user={srv.admin_user}"
        return subprocess.run(
            ["psql", conninfo, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(path)],
            capture_output=True,
            text=True,
            env=_pg_env(srv.admin_password),
            timeout=120,
        )
    text = prefix + path.read_text()
    client = shutil.which("mysql") or shutil.which("mariadb")
    if client:
        return subprocess.run(
            [client, "-h", srv.host, "-P", str(srv.port), "-u", srv.admin_user],
            input=text,
            capture_output=True,
            text=True,
            env={**os.environ, "MYSQL_PWD": srv.admin_password},
            timeout=120,
        )
    result = _dbservers().run_sql_as_admin(srv, text)
    if isinstance(result, subprocess.CompletedProcess):
        return result
    return subprocess.CompletedProcess(["run_sql_as_admin"], 0, "", "")


def create(srv: Any, plan: Plan) -> None:
    """Create the plan's databases and users with its setup scripts (as admin)."""
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in setup_scripts(plan).items():
            path = Path(tmp) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            result = run_setup(srv, path)
            assert result.returncode == 0, result.stdout + result.stderr


def cleanup(srv: Any, plan: Plan) -> None:
    """Drop what the plan created; never fails the test (it runs in `finally`)."""
    names = sorted({db.name for db in plan.databases})
    users = sorted({db.user for db in plan.databases})
    try:
        if srv.engine == "postgresql":
            import psycopg

            with psycopg.connect(
                host=srv.host,
                port=srv.port,
                dbname="postgres",
                user=srv.admin_user,
                password=srv.admin_password,
                autocommit=True,
            ) as conn:
                for name in names:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                for user in users:
                    conn.execute(f'DROP ROLE IF EXISTS "{user}"')
        else:
            import pymysql

            conn = pymysql.connect(
                host=srv.host, port=srv.port, user=srv.admin_user, password=srv.admin_password
            )
            with conn, conn.cursor() as cursor:
                for name in names:
                    cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
                for user in users:
                    cursor.execute(f"DROP USER IF EXISTS '{user}'@'%'")
    except Exception as exc:  # pragma: no cover - report, do not mask the test's own failure
        print(f"cleanup of {names} / {users} failed: {exc}")


@contextmanager
def planned(srv: Any, layout: str) -> Iterator[Plan]:
    plan = real_plan(srv, layout)
    try:
        yield plan
    finally:
        cleanup(srv, plan)


def product_home(tmp_path: Path, plan: Plan) -> Path:
    """A PRODUCT_HOME holding the dbscripts the plan needs, copied from ../shared/upstream."""
    if not UPSTREAM.is_dir():
        pytest.skip(f"WSO2's scripts are not there: {UPSTREAM} is absent")
    home = tmp_path / "PRODUCT_HOME"
    for step in schema_steps(plan):
        for script in step.scripts:
            source = next(
                UPSTREAM / src / script for p, src in _SOURCES.items() if script.startswith(p)
            )
            if not source.is_file():
                # The distribution is there but lacks the script: the plan names a file the
                # operator will not find either.
                pytest.fail(f"the plan names {script}, which {source.parent} does not hold")
            target = home / script
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    return home


def run_schema_steps(srv: Any, plan: Plan, home: Path) -> None:
    """Run every schema step's scripts as the database's own user, from PRODUCT_HOME."""
    client = shutil.which("mysql") or shutil.which("mariadb")
    for step in schema_steps(plan):
        password = plan.database(step.database_key).password
        assert password is not None
        for command, script in zip(step.commands, step.scripts, strict=True):
            if srv.engine == "postgresql":
                # The README's command, verbatim: psql asks for the password unless PGPASSWORD.
                result = subprocess.run(
                    ["sh", "-c", command],
                    cwd=home,
                    capture_output=True,
                    text=True,
                    env=_pg_env(password),
                    timeout=300,
                )
            elif client:
                # The README's command without -p (which insists on a terminal prompt).
                assert " -p " in command
                line = command.replace(" -p ", " ", 1).replace("mysql ", f"{client} ", 1)
                result = subprocess.run(
                    ["sh", "-c", line],
                    cwd=home,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "MYSQL_PWD": password},
                    timeout=300,
                )
            else:
                result = _dbservers().run_sql_file(
                    srv, home / script, step.user, password, step.name
                )
            assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"


# --- the tree, as `carbon-wizard generate` writes it ----------------------------------------


def generate(plan: Plan, tmp_path: Path) -> Path:
    """Write the plan's tree with the writer `generate` uses (rules checked, modes set)."""
    out = tmp_path / "tree"
    write_tree(tree.build(plan), out)
    return out


def check_tree_records(root: Path, plan: Plan) -> Path:
    """The tree's setup script is private, and manifest.json and README.md name what the
    tests then run; returns the one setup script."""
    (setup,) = sorted((root / "db").glob("setup-*.sql"))
    assert stat.S_IMODE(setup.stat().st_mode) == 0o600, oct(setup.stat().st_mode)
    manifest = json.loads((root / "manifest.json").read_text())
    planned = schema_scripts_for_manifest(plan)
    for entry in manifest["databases"]:
        assert entry["schema_scripts"] == planned[entry["key"]], entry["key"]
        assert entry["setup_script"] == setup.relative_to(root).as_posix()
    readme = (root / "README.md").read_text()
    assert setup.relative_to(root).as_posix() in readme
    for step in schema_steps(plan):
        for command in step.commands:
            assert command in readme, command
    return setup


def node_datasources(root: Path, node: NodePlan) -> list[tuple[str, str, str]]:
    """(url, username, password) of every shared datasource in the node's *-datasources.xml
    files as written into the tree (the node-local H2 one left out)."""
    folder = root / "nodes" / node.id / node.conf_dir / "datasources"
    out = []
    for path in sorted(folder.glob("*-datasources.xml")):
        doc = etree.parse(str(path))
        for config in doc.iterfind("datasources/datasource/definition/configuration"):
            url = config.findtext("url") or ""
            if url.startswith("jdbc:h2:"):
                continue
            out.append((url, config.findtext("username") or "", config.findtext("password") or ""))
    return out


def run_check_script(root: Path, node: NodePlan) -> subprocess.CompletedProcess[str]:
    script = root / "nodes" / node.id / "check-databases.sh"
    return subprocess.run(["sh", str(script)], capture_output=True, text=True, timeout=60)


def _connect(engine: str, url: str, user: str, password: str) -> Any:
    match = _URL.match(url)
    assert match, url
    host, port, name = match.group(2).strip("[]"), int(match.group(3)), match.group(4)
    if engine == "postgresql":
        import psycopg

        return psycopg.connect(
            host=host, port=port, dbname=name, user=user, password=password, connect_timeout=10
        )
    import pymysql

    return pymysql.connect(
        host=host, port=port, user=user, password=password, database=name, connect_timeout=10
    )


def check_node(srv: Any, plan: Plan, root: Path, node: NodePlan) -> int:
    """Log in with each datasource of `node` and see (and may change) the WSO2 tables."""
    checked = 0
    datasources = node_datasources(root, node)
    assert len(datasources) == len(node.datasources)
    for url, user, password in datasources:
        db = next(d for d in plan.databases if d.url == url and d.user == user)
        assert password == db.password
        conn = _connect(srv.engine, url, user, password)
        try:
            cursor = conn.cursor()
            for table in _TABLES[db.key]:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                assert cursor.fetchone()[0] >= 0
            if db.role != "product":
                # DML on a kernel table: the second user of a shared database needs it too.
                cursor.execute("UPDATE UM_TENANT SET UM_DOMAIN_NAME = UM_DOMAIN_NAME WHERE 1 = 0")
                cursor.execute("DELETE FROM REG_RESOURCE WHERE 1 = 0")
            conn.rollback()
        finally:
            conn.close()
        checked += 1
    return checked


def _own_databases_only(srv: Any, plan: Plan) -> None:
    """A user cannot log in to another user's database."""
    am = plan.database("apim:WSO2AM_DB")
    um = plan.database("user_management")
    with pytest.raises(Exception) as caught:
        _connect(srv.engine, am.url, um.user, um.password or "").close()
    text = str(caught.value)
    assert "permission denied" in text or "Access denied" in text, text


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["shared", "split"])
@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_setup_schema_and_datasources(engine: str, layout: str, tmp_path: Path) -> None:
    srv = _dbservers().server(engine)
    with planned(srv, layout) as plan:
        assert plan.engine.id == engine and ENGINES[engine].kind in ("postgresql", "mysql")
        # MariaDB as WSO2's 4.4.x guide has it: the MySQL driver and URLs, which log in below.
        scheme = "jdbc:mysql://" if engine == "mariadb" else "jdbc:postgresql://"
        assert all(db.url.startswith(scheme) for db in plan.databases)
        home = product_home(tmp_path, plan)
        root = generate(plan, tmp_path)
        path = check_tree_records(root, plan)

        first = run_setup(srv, path)
        assert first.returncode == 0, first.stdout + first.stderr
        # Again, and on MariaDB under NO_BACKSLASH_ESCAPES: the script clears that mode, so
        # the passwords it sets again are still the plan's.
        prefix = "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES';\n" if engine == "mariadb" else ""
        second = run_setup(srv, path, prefix=prefix)
        assert second.returncode == 0, second.stdout + second.stderr

        run_schema_steps(srv, plan, home)
        # Once the tables exist, a third run still succeeds and drops nothing.
        third = run_setup(srv, path)
        assert third.returncode == 0, third.stdout + third.stderr

        checked = sum(check_node(srv, plan, root, node) for node in plan.nodes)
        assert checked == sum(len(node.datasources) for node in plan.nodes)
        _own_databases_only(srv, plan)
        for node in plan.nodes:
            result = run_check_script(root, node)
            assert result.returncode == 0, result.stdout + result.stderr
            assert result.stdout.rstrip().endswith("every database answered")


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_kernel_tables_once_in_a_shared_database(engine: str, tmp_path: Path) -> None:
    srv = _dbservers().server(engine)
    with planned(srv, "shared") as plan:
        registry, um = plan.database("registry"), plan.database("user_management")
        assert registry.name == um.name and registry.user != um.user
        steps = {s.database_key: s for s in schema_steps(plan)}
        assert steps["user_management"].scripts == ()
        home = product_home(tmp_path, plan)
        create(srv, plan)
        run_schema_steps(srv, plan, home)
        conn = _connect(engine, um.url, um.user, um.password or "")
        try:
            cursor = conn.cursor()
            if engine == "postgresql":
                cursor.execute(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                    " AND (tablename LIKE 'reg\\_%' OR tablename LIKE 'um\\_%')"
                )
            else:
                cursor.execute(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s"
                    " AND (table_name LIKE 'REG\\_%%' OR table_name LIKE 'UM\\_%%')",
                    (um.name,),
                )
            assert cursor.fetchone()[0] == 40  # 17 REG_* + 23 UM_* (reference §4.2)
        finally:
            conn.close()


def test_mysql57_product_databases_are_latin1(tmp_path: Path) -> None:
    """A MySQL 5.7 plan's setup script on MariaDB: latin1 where the 5.7 product scripts go,
    and those scripts then load (reference §9: they fail in utf8mb4)."""
    srv = _dbservers().server("mariadb")
    plan = real_plan(srv, "split")
    data = answers.to_data(plan.topology, keep_passwords=True)
    data["database"]["engine"] = "mysql5.7"
    plan = build(answers.parse(data), {})
    try:
        create(srv, plan)
        import pymysql

        conn = pymysql.connect(
            host=srv.host, port=srv.port, user=srv.admin_user, password=srv.admin_password
        )
        with conn, conn.cursor() as cursor:
            for db in plan.databases:
                cursor.execute(
                    "SELECT default_character_set_name FROM information_schema.schemata"
                    " WHERE schema_name = %s",
                    (db.name,),
                )
                expected = "latin1" if db.role == "product" else "utf8mb4"
                assert cursor.fetchone()[0] == expected, db.key
        am = plan.database("apim:WSO2AM_DB")
        assert am.schema_scripts == ("dbscripts/apimgt/mysql5.7.sql",)
        home = product_home(tmp_path, plan)
        run_schema_steps(srv, plan, home)
        conn = _connect("mariadb", am.url, am.user, am.password or "")
        with conn, conn.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM IDN_SCIM_GROUP")
            assert cursor.fetchone()[0] == 0
    finally:
        cleanup(srv, plan)


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_identity_server_as_key_manager_on_wso2am_db(engine: str, tmp_path: Path) -> None:
    """Identity Server's identity database is WSO2AM_DB (its own user): API Manager's script
    creates the identity and consent tables, Identity Server's step adds only UMA's, and the
    Identity Server user sees all of them."""
    srv = _dbservers().server(engine)
    data = answers.to_data(real_plan(srv, "shared").topology, keep_passwords=True)
    am_name = data["products"][0]["databases"]["WSO2AM_DB"]["name"]
    data["products"][1]["databases"]["WSO2_IDENTITY_DB"]["name"] = am_name
    plan = build(answers.parse(data), {})
    try:
        step = next(s for s in schema_steps(plan) if s.database_key == "is:WSO2_IDENTITY_DB")
        assert [s.split("/")[2] for s in step.scripts] == ["uma"]
        home = product_home(tmp_path, plan)
        create(srv, plan)
        run_schema_steps(srv, plan, home)
        idn = plan.database("is:WSO2_IDENTITY_DB")
        conn = _connect(engine, idn.url, idn.user, idn.password or "")
        try:
            cursor = conn.cursor()
            for table in ("AM_API", *_TABLES["is:WSO2_IDENTITY_DB"]):
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                assert cursor.fetchone()[0] == 0, table
            conn.rollback()
        finally:
            conn.close()
    finally:
        cleanup(srv, plan)


# --- BPEL, BPMN and the broker store: Business Process Server and EI's profiles -------------

# Tables each of these databases must show its datasource; ACT_GE_PROPERTY holds the schema
# version Activiti compares with its own on start-up.
_PRODUCT_TABLES = {
    "BPS_DS": ("ODE_SCHEMA_VERSION", "ODE_JOB", "ODE_PROCESS_INSTANCE", "TASK_ATTACHMENT"),
    "ACTIVITI_DB": ("ACT_GE_PROPERTY", "ACT_HI_PROCINST", "ACT_ID_USER", "ACT_BPS_SUBSTITUTES"),
    "WSO2_MB_STORE_DB": ("MB_QUEUE_MAPPING", "MB_SLOT", "MB_CLUSTER_EVENT"),
}
# What a second run of each script stops at: (what the client prints, what the README says).
_SECOND_RUN = {
    ("mariadb", "BPS_DS"): (
        ("ERROR 1050", "ERROR 1050: Table"),
        ("'ODE_SCHEMA_VERSION' already exists", "'ODE_SCHEMA_VERSION' already exists"),
    ),
    ("mariadb", "ACTIVITI_DB"): (("ERROR 1050", "ERROR 1050: Table ... already exists"),),
    ("mariadb", "WSO2_MB_STORE_DB"): (
        ("ERROR 1061", "ERROR 1061 Duplicate key name"),
        ("'MB_METADATA_QUEUE_ID_INDEX'", "'MB_METADATA_QUEUE_ID_INDEX'"),
    ),
    ("postgresql", "BPS_DS"): (('relation "ode_schema_version" already exists',) * 2,),
    ("postgresql", "ACTIVITI_DB"): (("already exists", "(relation ... already exists)"),),
    ("postgresql", "WSO2_MB_STORE_DB"): (('relation "mb_queue_mapping" already exists',) * 2,),
}


def business_process_plan(srv: Any, homes: dict[str, Path]) -> Plan:
    """Business Process Server 3.6.0 and EI 6.4.0's business-process and broker profiles, two
    nodes each, every product database given, on `srv`. The nodes run on this machine
    (loopback addresses of their own, clustering off), as the servers do."""
    fresh = _dbservers().fresh_name
    n = iter(range(1, 100))

    def spec(prefix: str) -> dict[str, str]:
        i = next(n)
        return {
            "name": fresh(prefix).upper(),
            "user": fresh(f"{prefix}u"),
            "password": f"{PASSWORD}{i}",
        }

    hosts = iter(f"127.0.0.{i}" for i in range(11, 40))

    def nodes(prefix: str, offset: int) -> list[dict[str, Any]]:
        return [{"id": f"{prefix}-{i}", "host": next(hosts), "offset": offset} for i in (1, 2)]

    data = {
        "name": "real-business-process",
        "database": {
            "engine": srv.engine,
            "host": srv.host,
            "port": srv.port,
            "registry": spec("cw_reg"),
            "user_management": spec("cw_um"),
        },
        "cluster": {"clustering": False},
        "products": [
            {
                "id": "bps",
                "version": "3.6.0",
                "distribution": str(homes["bps"]),
                "databases": {"BPS_DS": spec("cw_bpel"), "ACTIVITI_DB": spec("cw_bpmn")},
                "nodes": nodes("bps", 0),
            },
            {
                "id": "ei",
                "version": "6.4.0",
                "profile": "business-process",
                "distribution": str(homes["ei-business-process"]),
                "databases": {"BPS_DS": spec("cw_eibpel"), "ACTIVITI_DB": spec("cw_eibpmn")},
                "nodes": nodes("eibp", 2),
            },
            {
                "id": "ei",
                "version": "6.4.0",
                "profile": "broker",
                "distribution": str(homes["ei-broker"]),
                "databases": {"WSO2_MB_STORE_DB": spec("cw_mb")},
                "nodes": nodes("eimb", 3),
            },
        ],
    }
    return build(answers.parse(data), {})


def run_readme_command(
    srv: Any, command: str, password: str, home: Path
) -> subprocess.CompletedProcess[str]:
    """One README command, from PRODUCT_HOME, as the database's user (the password through
    the client's variable: the command itself asks for it on a terminal)."""
    if srv.engine == "postgresql":
        env = _pg_env(password)
        line = command
    else:
        client = shutil.which("mysql") or shutil.which("mariadb")
        if client is None:
            pytest.skip("no mysql or mariadb client on PATH")
        assert " -p " in command
        line = command.replace(" -p ", " ", 1).replace("mysql ", f"{client} ", 1)
        env = {**os.environ, "MYSQL_PWD": password}
    return subprocess.run(
        ["sh", "-c", line], cwd=home, capture_output=True, text=True, env=env, timeout=300
    )


def count_tables(srv: Any, url: str, user: str, password: str) -> int:
    conn = _connect(srv.engine, url, user, password)
    try:
        cursor = conn.cursor()
        if srv.engine == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
            )
        return int(cursor.fetchone()[0])
    finally:
        conn.close()


def _bpel_on_postgresql_12(srv: Any, plan: Plan, step: Any, home: Path, readme: str) -> None:
    """What the README says of BPEL's script on PostgreSQL 12 and later, step by step: it
    stops at its line 34 with three tables made; drop the database, run the setup script
    again, and load a copy with ABSTIME changed to TIMESTAMP."""
    db = plan.database(step.database_key)
    password = db.password or ""
    (script,) = step.scripts
    (command,) = step.commands
    failed = run_readme_command(srv, command, password, home)
    assert failed.returncode != 0
    assert f'{script}:34: ERROR:  type "abstime" does not exist' in failed.stderr
    assert "stops at its line 34 with three of its tables made" in readme
    assert count_tables(srv, db.url, db.user, password) == 3
    cleanup_database(srv, db.name)
    create(srv, plan)
    copy_path = home / script.replace(".sql", "-timestamp.sql")
    copy_path.write_text((home / script).read_text().replace("ABSTIME", "TIMESTAMP"))
    fixed = command.replace(script, copy_path.relative_to(home).as_posix())
    loaded = run_readme_command(srv, fixed, password, home)
    assert loaded.returncode == 0, loaded.stderr
    assert count_tables(srv, db.url, db.user, password) == 41


def _postgresql_12_or_later(srv: Any) -> bool:
    if srv.engine != "postgresql":
        return False
    import psycopg

    with psycopg.connect(
        host=srv.host,
        port=srv.port,
        dbname="postgres",
        user=srv.admin_user,
        password=srv.admin_password,
    ) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    return row is not None and int(row[0]) >= 120000


def cleanup_database(srv: Any, name: str) -> None:
    import psycopg

    with psycopg.connect(
        host=srv.host,
        port=srv.port,
        dbname="postgres",
        user=srv.admin_user,
        password=srv.admin_password,
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_business_process_and_broker_databases(engine: str, tmp_path: Path) -> None:
    """BPEL, BPMN (Activiti) and broker-store scripts run as the generated users with the
    README's commands from real distributions' PRODUCT_HOMEs; each node's datasources log in
    and see their tables; a second run of each script does what the README says."""
    from tests.render.test_product_databases import bps_home, ei_pack

    srv = _dbservers().server(engine)
    homes = {"bps": bps_home(tmp_path)}
    homes |= dict.fromkeys(("ei-business-process", "ei-broker"), ei_pack(tmp_path))
    plan = business_process_plan(srv, homes)
    try:
        root = generate(plan, tmp_path)
        readme = (root / "README.md").read_text()
        create(srv, plan)
        steps = schema_steps(plan)
        for step in steps:
            home = homes[step.products[0] if step.products else "bps"]
            db = plan.database(step.database_key)
            if db.datasource_name == "BPS_DS" and _postgresql_12_or_later(srv):
                _bpel_on_postgresql_12(srv, plan, step, home, readme)
                continue
            for command in step.commands:
                assert command in readme, command
                result = run_readme_command(srv, command, db.password or "", home)
                assert result.returncode == 0, f"{command}\n{result.stderr}"
        # Every product datasource of every node logs in and sees its tables.
        checked = 0
        for node in plan.nodes:
            for url, user, password in node_datasources(root, node):
                db = next(d for d in plan.databases if d.url == url and d.user == user)
                conn = _connect(engine, url, user, password)
                try:
                    cursor = conn.cursor()
                    for table in _PRODUCT_TABLES.get(db.datasource_name, ("REG_RESOURCE",)):
                        cursor.execute(f"SELECT COUNT(*) FROM {table}")
                        assert cursor.fetchone()[0] >= 0
                    if db.datasource_name == "ACTIVITI_DB":
                        # Activiti 5.21 (activiti-all 5.21.0.wso2v1) finds its own version.
                        cursor.execute(
                            "SELECT VALUE_ FROM ACT_GE_PROPERTY WHERE NAME_ = 'schema.version'"
                        )
                        assert cursor.fetchone()[0] == "5.21.0.0"
                    conn.rollback()
                finally:
                    conn.close()
                checked += 1
        assert checked == sum(len(n.datasources) for n in plan.nodes)
        # A job the BPEL engine scheduled, which a second run must not drop.
        for db in plan.databases:
            if db.datasource_name == "BPS_DS":
                conn = _connect(engine, db.url, db.user, db.password or "")
                try:
                    conn.cursor().execute("INSERT INTO ODE_JOB (jobid, ts) VALUES ('cw', 1)")
                    conn.commit()
                finally:
                    conn.close()
        # A second run of every product script: it stops where the README says, and changes
        # nothing.
        for step in steps:
            db = plan.database(step.database_key)
            if db.role != "product":
                continue
            home = homes[step.products[0] if step.products else "bps"]
            before = count_tables(srv, db.url, db.user, db.password or "")
            notes = " ".join(step.warnings)
            for command in step.commands:
                again = run_readme_command(srv, command, db.password or "", home)
                assert again.returncode != 0, command
                for printed, said in _SECOND_RUN[(engine, db.datasource_name)]:
                    assert printed in again.stderr, (command, again.stderr)
                    assert said in notes, (said, notes)
            assert "changes nothing" in notes or "drops nothing" in notes
            assert count_tables(srv, db.url, db.user, db.password or "") == before
            if db.datasource_name == "BPS_DS":
                conn = _connect(engine, db.url, db.user, db.password or "")
                try:
                    cursor = conn.cursor()
                    cursor.execute("SELECT COUNT(*) FROM ODE_JOB")
                    assert cursor.fetchone()[0] == 1
                finally:
                    conn.close()
    finally:
        cleanup(srv, plan)


# The shape of the record table DAS creates in each store on first use (rdbms-config.xml's
# `recordTableInitQuery` per engine, carbon-analytics v1.3.25): a binary column, an index.
_DAS_RECORD_TABLE = {
    "postgresql": (
        "CREATE TABLE ANX_CW_RECORDS (record_id VARCHAR(50), timestamp BIGINT, data BYTEA, "
        "PRIMARY KEY(record_id))",
        "CREATE INDEX ANX_CW_RECORDS_TS ON ANX_CW_RECORDS (timestamp)",
    ),
    "mariadb": (
        "CREATE TABLE ANX_CW_RECORDS (record_id VARCHAR(50), timestamp BIGINT, data LONGBLOB, "
        "PRIMARY KEY(record_id), INDEX (timestamp))",
    ),
}


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_analytics_stores_let_das_create_its_tables(engine: str, tmp_path: Path) -> None:
    """DAS ships no script for its two stores: the setup script's databases and users must let
    DAS create its record tables on first use, as the README says, and a second run of the
    setup script keeps what DAS stored."""
    srv = _dbservers().server(engine)
    fresh = _dbservers().fresh_name

    def spec(prefix: str) -> dict[str, str]:
        return {"name": fresh(prefix).upper(), "user": fresh(prefix).lower(), "password": PASSWORD}

    data = {
        "name": "das-real",
        "database": {
            "engine": engine,
            "host": srv.host,
            "port": srv.port,
            "layout": "shared",
            "registry": spec("cw_dreg"),
            "user_management": spec("cw_dum"),
        },
        "products": [
            {
                "id": "das",
                "version": "3.2.0",
                "databases": {
                    "WSO2_ANALYTICS_EVENT_STORE_DB": spec("cw_devent"),
                    "WSO2_ANALYTICS_PROCESSED_DATA_STORE_DB": spec("cw_dproc"),
                },
                "nodes": [
                    {"id": "das-1", "host": "10.0.1.31"},
                    {"id": "das-2", "host": "10.0.1.32"},
                ],
            }
        ],
    }
    plan = build(answers.parse(on_this_machine(data, srv.host)), {})
    try:
        root = generate(plan, tmp_path)
        readme = (root / "README.md").read_text()
        create(srv, plan)
        stores = [db for db in plan.databases if db.role == "product"]
        assert len(stores) == 2
        for db in stores:
            assert db.schema_scripts == ()
            assert f"No script to run for {db.datasource_name}: DAS creates its tables" in readme
        for node in plan.nodes:
            analytics = [
                (url, user, password)
                for url, user, password in node_datasources(root, node)
                if any(d.url == url and d.user == user for d in stores)
            ]
            assert len(analytics) == 2, node.id
            for url, user, password in analytics:
                conn = _connect(engine, url, user, password)
                try:
                    cursor = conn.cursor()
                    if node.id == "das-1":  # the first node to store a record creates the table
                        for statement in _DAS_RECORD_TABLE[engine]:
                            cursor.execute(statement)
                    cursor.execute(
                        "INSERT INTO ANX_CW_RECORDS (record_id, timestamp, data) "
                        f"VALUES ('{node.id}', 1, NULL)"
                    )
                    conn.commit()
                finally:
                    conn.close()
        create(srv, plan)  # the setup script again: the stores and their records stay
        for db in stores:
            conn = _connect(engine, db.url, db.user, db.password or "")
            try:
                cursor = conn.cursor()
                cursor.execute("SELECT record_id FROM ANX_CW_RECORDS ORDER BY record_id")
                assert [row[0] for row in cursor.fetchall()] == ["das-1", "das-2"]
            finally:
                conn.close()
    finally:
        cleanup(srv, plan)
