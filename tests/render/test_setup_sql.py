"""The database setup scripts: golden files per engine and layout, and what every one obeys.

Regenerate the golden files with CARBON_WIZARD_UPDATE_GOLDEN=1 and read the diff.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests import answers_fixtures
from wizard import answers
from wizard.catalog import ENGINES
from wizard.plan import Plan, build
from wizard.problems import AnswersError
from wizard.render import sql, sql_dialects
from wizard.render.sql import setup_scripts

GOLDEN = Path(__file__).parent / "golden" / "sql"
UPDATE = os.environ.get("CARBON_WIZARD_UPDATE_GOLDEN") == "1"

PASSWORD = answers_fixtures.PASSWORD  # p&<>"'\$%x: every character that needs care
ORACLE_PASSWORD = PASSWORD.replace('"', "")  # Oracle passwords cannot hold a double quote
ENV = {"IS_DB_PASSWORD": "is-secret"}

ENGINE_IDS = sorted(ENGINES)
LAYOUTS = ("shared", "split")

# Database names per engine: DB2 allows 8 characters; on Oracle a name is the service.
_NAMES = {
    "default": {
        "shared": "WSO2_SHARED_DB",
        "config": "WSO2_CONFIG_DB",
        "governance": "WSO2_GOV_DB",
        "um": "WSO2_UM_DB",
        "am": "WSO2AM_DB",
        "identity": "WSO2_IDENTITY_DB",
    },
    "db2": {
        "shared": "SHAREDB",
        "config": "CONFDB",
        "governance": "GOVDB",
        "um": "UMDB",
        "am": "AMDB",
        "identity": "IDENTDB",
    },
    "oracle": {
        "shared": "WSO2PDB",
        "config": "WSO2PDB",
        "governance": "WSO2PDB",
        "um": "WSO2PDB",
        "am": "AMPDB",
        "identity": "WSO2PDB",
    },
}


def topology_data(engine: str, layout: str) -> dict[str, Any]:
    """API Manager 2.6.0 + Identity Server 5.7.0.

    shared: registry and user management in one database (two users; one on Oracle, where a
    user is the database). split: config and governance in two databases of one user, and
    WSO2AM_DB on a second server with a non-default port.
    """
    names = _NAMES.get(engine, _NAMES["default"])
    password = ORACLE_PASSWORD if engine == "oracle" else PASSWORD
    data = copy.deepcopy(answers_fixtures.SHARED)
    db: dict[str, Any] = {"engine": engine, "host": "db1.example.com", "layout": layout}
    if layout == "shared":
        db["registry"] = {"name": names["shared"], "user": "wso2shared", "password": password}
        um_user = "wso2shared" if engine == "oracle" else "umadmin"
        db["user_management"] = {"name": names["shared"], "user": um_user, "password": password}
    else:
        db["config"] = {"name": names["config"], "user": "regadmin", "password": password}
        db["governance"] = {"name": names["governance"], "user": "regadmin", "password": password}
        if engine == "oracle":
            db["governance"]["user"] = "govadmin"
        db["user_management"] = {"name": names["um"], "user": "umadmin", "password": "um-secret"}
    data["database"] = db
    am = {"name": names["am"], "user": "amadmin", "password": "am-secret"}
    if layout == "split":
        am.update(host="db2.example.com", port=ENGINES[engine].default_port + 1)
    data["products"][0]["databases"]["WSO2AM_DB"] = am
    data["products"][1]["databases"]["WSO2_IDENTITY_DB"]["name"] = names["identity"]
    return data


def plan_for(engine: str, layout: str) -> Plan:
    return build(answers.parse(topology_data(engine, layout)), ENV)


CASES = [(e, layout) for e in ENGINE_IDS for layout in LAYOUTS]


@pytest.mark.parametrize(("engine", "layout"), CASES)
def test_golden(engine: str, layout: str) -> None:
    scripts = setup_scripts(plan_for(engine, layout))
    folder = GOLDEN / f"{engine}-{layout}"
    if UPDATE:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.sql"):
            old.unlink()
        for path, text in scripts.items():
            (folder / Path(path).name).write_bytes(text.encode())
    expected = sorted(p.name for p in folder.glob("*.sql"))
    assert sorted(Path(p).name for p in scripts) == expected, f"regenerate {folder}"
    for path, text in scripts.items():
        golden = (folder / Path(path).name).read_bytes()
        assert text.encode() == golden, f"{path} differs from {folder}; regenerate and review"


@pytest.mark.parametrize(("engine", "layout"), CASES)
def test_one_script_per_server(engine: str, layout: str) -> None:
    plan = plan_for(engine, layout)
    scripts = setup_scripts(plan)
    port = ENGINES[engine].default_port
    expected = {f"db/setup-{engine}-db1.example.com.sql"}
    if engine == "oracle" and layout == "shared":
        # Two services on one server: one script each (a script runs inside one service).
        expected = {f"db/setup-oracle-db1.example.com-{s}.sql" for s in ("WSO2PDB", "AMPDB")}
    if layout == "split":
        expected.add(f"db/setup-{engine}-db2.example.com-{port + 1}.sql")
    assert set(scripts) == expected
    for path, text in scripts.items():
        assert text.startswith("-- carbon-wizard: database setup for ")
        head = text.split("\n\n", 1)[0]
        assert "Safe to run again: nothing is dropped" in _prose(head)
        assert "from the tree's root:" in _prose(head)
        command = next(line for line in head.splitlines() if line.startswith("--   "))
        assert command.endswith(path)
        assert ADMIN_COMMAND[ENGINES[engine].kind] in command


def test_script_names_are_file_safe() -> None:
    engine = ENGINES["postgresql"]
    assert (
        sql.script_path(engine, "db.example.com", 5432) == "db/setup-postgresql-db.example.com.sql"
    )
    assert sql.script_path(engine, "fd00::1", 5433) == "db/setup-postgresql-fd00__1-5433.sql"


# --- every statement is terminated -----------------------------------------------------------


ADMIN_COMMAND = {
    "mysql": "mysql -h ",
    "postgresql": "psql ",
    "oracle": "sqlplus -L system@//",
    "mssql": "sqlcmd -S ",
    "db2": "db2 -tvf ",
}


def _prose(text: str) -> str:
    """The comments of a script as one line, so that wrapped sentences can be searched."""
    lines = [line.lstrip()[2:].strip() for line in text.splitlines()]
    return " ".join(line for line in lines if line)


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))


def _mysql_statements(text: str) -> tuple[list[str], str]:
    """Split on ; outside '...' (backslash escapes on, as the script sets) and `...`."""
    out, current, quote, i = [], "", "", 0
    while i < len(text):
        ch = text[i]
        current += ch
        if quote:
            if ch == "\\" and quote == "'":
                current += text[i + 1]
                i += 1
            elif ch == quote:
                if text[i + 1 : i + 2] == quote:
                    current += quote
                    i += 1
                else:
                    quote = ""
        elif ch in "'`":
            quote = ch
        elif ch == ";":
            out.append(current.strip())
            current = ""
        i += 1
    return out, current


def _pg_statements(text: str) -> tuple[list[str], str]:
    """psql's view: meta-command lines, '...' (no backslash escapes), $tag$...$tag$, and
    statements that end with ; or \\gexec."""
    out, current = [], ""
    lines = text.splitlines()
    for line in lines:
        if not current.strip() and line.startswith("\\"):
            out.append(line)
            continue
        current += line + "\n"
        body = re.sub(r"\$(\w*)\$.*?\$\1\$", "", current, flags=re.S)
        body = re.sub(r"'(?:[^']|'')*'", "''", body)
        if "$" in body.replace("$1", ""):
            continue  # inside a dollar-quoted body
        if body.rstrip().endswith(";") or body.rstrip().endswith("\\gexec"):
            out.append(current.strip())
            current = ""
    return out, current


def _oracle_statements(text: str) -> tuple[list[str], str]:
    """SQL*Plus: its own commands are one line; PL/SQL blocks end with a / line; SQL with ;."""
    out, current, block = [], "", False
    for line in text.splitlines():
        word = line.strip().split(" ", 1)[0].upper()
        if not current.strip() and word in ("WHENEVER", "SET", "EXIT"):
            out.append(line)
            continue
        if not current.strip() and word in ("DECLARE", "BEGIN"):
            block = True
        if block and line.strip() == "/":
            out.append(current)
            current, block = "", False
            continue
        current += line + "\n"
        if not block and line.rstrip().endswith(";"):
            out.append(current)
            current = ""
    return out, current


def _mssql_batches(text: str) -> tuple[list[str], str]:
    out, current = [], ""
    for line in text.splitlines():
        if line.strip() == "GO":
            out.append(current)
            current = ""
        else:
            current += line + "\n"
    return out, current


def _db2_statements(text: str) -> tuple[list[str], str]:
    return _mysql_statements(text)


SPLITTERS = {
    "mysql": _mysql_statements,
    "postgresql": _pg_statements,
    "oracle": _oracle_statements,
    "mssql": _mssql_batches,
    "db2": _db2_statements,
}


@pytest.mark.parametrize(("engine", "layout"), CASES)
def test_every_statement_is_terminated(engine: str, layout: str) -> None:
    kind = ENGINES[engine].kind
    for path, text in setup_scripts(plan_for(engine, layout)).items():
        statements, rest = SPLITTERS[kind](_strip_comments(text))
        assert statements, path
        assert rest.strip() == "", f"{path}: unterminated: {rest.strip()[:200]}"
        if kind == "mssql":
            for batch in statements:
                code = batch.strip()
                assert not code or code.endswith(";"), f"{path}: batch without ;: {code}"
        if kind == "oracle":
            assert statements[-1].strip() == "EXIT"
            assert "SET DEFINE OFF" in statements


@pytest.mark.parametrize(("engine", "layout"), CASES)
def test_nothing_is_dropped(engine: str, layout: str) -> None:
    for text in setup_scripts(plan_for(engine, layout)).values():
        code = _strip_comments(text)
        assert not re.search(r"\bDROP\s+(DATABASE|USER|ROLE|LOGIN|TABLE|SCHEMA)\b", code, re.I)


# --- identifiers ----------------------------------------------------------------------------


def _created(kind: str, text: str) -> tuple[set[str], set[str]]:
    """(database names, user names) the script creates."""
    patterns = {
        "mysql": (
            r"CREATE DATABASE IF NOT EXISTS `([^`]+)`",
            r"CREATE USER IF NOT EXISTS '([^']+)'@",
        ),
        "postgresql": (r"ENCODING %L TEMPLATE template0',\s+'([^']+)'", r'CREATE ROLE "([^"]+)"'),
        "oracle": (r"(?!)", r'CREATE USER "([^"]+)"'),
        "mssql": (r"CREATE DATABASE \[([^\]]+)\]", r"CREATE LOGIN \[([^\]]+)\]"),
        "db2": (r"CREATE DATABASE (\w+)", r"TO USER (\w+);"),
    }[kind]
    return set(re.findall(patterns[0], text)), set(re.findall(patterns[1], text))


@pytest.mark.parametrize(("engine", "layout"), CASES)
def test_identifiers_are_the_plans_and_within_limits(engine: str, layout: str) -> None:
    plan = plan_for(engine, layout)
    spec = ENGINES[engine]
    names: set[str] = set()
    users: set[str] = set()
    for text in setup_scripts(plan).values():
        created_names, created_users = _created(spec.kind, _strip_comments(text))
        names |= created_names
        users |= created_users
    for name in names:
        assert len(name) <= spec.name_max, name
    for user in users:
        assert len(user) <= spec.user_max, user
    fold = str.upper if spec.kind in ("oracle", "db2") else str
    assert users == {fold(db.user) for db in plan.databases}
    if spec.kind != "oracle":  # Oracle's databases are the users (schemas)
        assert names == {fold(db.name) for db in plan.databases}


def test_a_shared_database_is_created_once_and_each_user_granted() -> None:
    for engine in ("mariadb", "postgresql", "mssql", "db2"):
        plan = plan_for(engine, "shared")
        registry, um = plan.database("registry"), plan.database("user_management")
        assert registry.name == um.name and registry.user != um.user
        (text,) = setup_scripts(plan).values()
        kind = ENGINES[engine].kind
        create = {
            "mysql": f"CREATE DATABASE IF NOT EXISTS `{registry.name}`",
            "postgresql": f"'{registry.name}', '{registry.user}', 'UTF8'",
            "mssql": f"CREATE DATABASE [{registry.name}]",
            "db2": f"CREATE DATABASE {registry.name} ",
        }[kind]
        assert text.count(create) == 1, engine
        escaped = registry.name.replace("_", "\\_")
        for user in (registry.user, um.user):
            grant = {
                "mysql": f"ON `{escaped}`.* TO '{user}'@'%';",
                "postgresql": f'ON SCHEMA public TO "{registry.user}", "{um.user}";',
                "mssql": f"DELETE ON SCHEMA::[dbo] TO [{user}];",
                "db2": f"ON DATABASE TO USER {user.upper()};",
            }[kind]
            assert grant in text, (engine, user)


def test_mysql_grants_escape_wildcards() -> None:
    (text,) = setup_scripts(plan_for("mysql8", "shared")).values()
    assert "ON `WSO2\\_SHARED\\_DB`.* TO 'wso2shared'@'%';" in text
    assert sql_dialects.mysql_grant_db("A%B_C") == "`A\\%B\\_C`"


def test_mysql_character_sets() -> None:
    for engine, expected in (("mysql5.7", "latin1"), ("mysql8", "latin1"), ("mariadb", "utf8mb4")):
        (text,) = setup_scripts(plan_for(engine, "shared")).values()
        assert "CREATE DATABASE IF NOT EXISTS `WSO2_SHARED_DB` CHARACTER SET utf8mb4;" in text
        assert f"`WSO2AM_DB` CHARACTER SET {expected};" in text
        assert f"`WSO2_IDENTITY_DB` CHARACTER SET {expected};" in text
        if expected == "latin1":
            assert "latin1 for dbscripts/apimgt/mysql5.7.sql" in text
            assert "ERROR 1071" in text


# --- passwords -------------------------------------------------------------------------------


def _mysql_decode(literal: str) -> str:
    escapes = {"0": "\0", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a", "b": "\b"}
    out, i = "", 0
    while i < len(literal):
        ch = literal[i]
        if ch == "\\":
            nxt = literal[i + 1]
            out += escapes.get(nxt, nxt)
            i += 2
        elif ch == "'" and literal[i + 1 : i + 2] == "'":
            out += "'"
            i += 2
        else:
            out += ch
            i += 1
    return out


def _passwords(kind: str, text: str) -> list[str]:
    """Every password literal in the script, decoded as the server reads it."""
    if kind == "mysql":
        found = re.findall(r"IDENTIFIED BY '((?:[^'\\]|\\.|'')*)';", text)
        return [_mysql_decode(f) for f in found]
    if kind == "postgresql":
        assert "SET standard_conforming_strings = on;" in text
        return [f.replace("''", "'") for f in re.findall(r"PASSWORD '((?:[^']|'')*)';", text)]
    if kind == "oracle":
        # EXECUTE IMMEDIATE '<statement>': undo the PL/SQL literal, then read "<password>".
        literals = re.findall(r"EXECUTE IMMEDIATE '((?:[^']|'')*)'", text)
        statements = [lit.replace("''", "'") for lit in literals]
        return [m for s in statements for m in re.findall(r'IDENTIFIED BY "([^"]*)"', s)]
    if kind == "mssql":
        return [f.replace("''", "'") for f in re.findall(r"PASSWORD = N'((?:[^']|'')*)'", text)]
    return []


@pytest.mark.parametrize("engine", ENGINE_IDS)
def test_passwords_decode_to_the_plans(engine: str) -> None:
    kind = ENGINES[engine].kind
    for layout in LAYOUTS:
        plan = plan_for(engine, layout)
        for text in setup_scripts(plan).values():
            found = _passwords(kind, text)
            if kind == "db2":
                # DB2 logs OS users in: the script sets no password and says so.
                assert found == []
                assert "must exist as OS (or LDAP) users" in _prose(text)
                for db in plan.databases:
                    assert db.password and db.password not in text
                continue
            users = {
                "mysql": r"(?:CREATE USER IF NOT EXISTS|ALTER USER) '([^']+)'",
                "postgresql": r'ALTER ROLE "([^"]+)" WITH LOGIN PASSWORD',
                "oracle": r"EXECUTE IMMEDIATE '(?:CREATE|ALTER) USER \"([^\"]+)\"",
                "mssql": r"(?:CREATE|ALTER) LOGIN \[([^\]]+)\] WITH PASSWORD",
            }[kind]
            owners = re.findall(users, text)
            assert len(owners) == len(found) > 0
            by_user = {
                db.user.upper() if kind == "oracle" else db.user: db for db in plan.databases
            }
            for user, password in zip(owners, found, strict=True):
                assert password == by_user[user].password, (engine, user)
    if kind != "db2":
        special = ORACLE_PASSWORD if kind == "oracle" else PASSWORD
        texts = setup_scripts(plan_for(engine, "shared")).values()
        assert any(special in _passwords(kind, text) for text in texts)


def test_oracle_refuses_a_double_quote_in_a_password() -> None:
    data = topology_data("oracle", "shared")
    data["database"]["registry"]["password"] = PASSWORD
    data["database"]["user_management"]["password"] = PASSWORD
    with pytest.raises(AnswersError) as caught:
        setup_scripts(build(answers.parse(data), ENV))
    assert "database.registry.password" in str(caught.value)
    assert "double quote" in str(caught.value)


def test_missing_password_is_refused_not_written() -> None:
    plan = build(answers.parse(topology_data("postgresql", "split")), {})
    with pytest.raises(AnswersError) as caught:
        setup_scripts(plan)
    assert "IS_DB_PASSWORD" in str(caught.value)


def test_redacted_plan_renders_without_secrets() -> None:
    plan = plan_for("mariadb", "shared").redacted()
    for text in setup_scripts(plan).values():
        assert PASSWORD not in text and "********" in text


@pytest.mark.parametrize("engine", ["mysql5.7", "postgresql", "oracle", "mssql"])
def test_scripts_say_they_hold_passwords(engine: str) -> None:
    for text in setup_scripts(plan_for(engine, "split")).values():
        assert "Holds passwords" in text


@pytest.mark.parametrize("engine", ENGINE_IDS)
def test_setup_script_paths_name_each_database(engine: str) -> None:
    plan = plan_for(engine, "split")
    paths = sql.setup_script_paths(plan)
    scripts = setup_scripts(plan)
    assert set(paths) == {db.key for db in plan.databases}
    for db in plan.databases:
        assert paths[db.key] in scripts
        assert db.host in paths[db.key]
    assert paths["apim:WSO2AM_DB"] != paths["config"]  # WSO2AM_DB is on the second server
