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

UPSTREAM = Path(__file__).resolve().parents[1].parent / "shared" / "upstream"
# Where each dbscripts/ sub-folder of a PRODUCT_HOME comes from in ../shared/upstream.
_SOURCES = {
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
