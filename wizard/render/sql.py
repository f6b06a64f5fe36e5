"""Plan -> the database setup scripts an admin runs once per server (`db/setup-*.sql`).

Each script creates the databases and users of the plan and grants every user rights on its
own databases only: enough DDL to run WSO2's schema scripts and DML to run the products.
Every script is safe to run again: nothing is dropped, and what exists is left (the user's
password is set again). Identifiers are validated by the model (letters, digits, `_`), so
only passwords need real escaping; they are escaped for each dialect here.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from wizard.catalog import Engine
from wizard.plan import DatabasePlan, Plan
from wizard.problems import AnswersError, Problem, join_path

# Product scripts that cannot load into a utf8mb4 MySQL-family database (reference §9): their
# IDN_SCIM_GROUP index over a VARCHAR(1024) column exceeds InnoDB's 3072-byte key limit. The
# other 5.7 variants (identity/uma, consent) load in utf8mb4.
LATIN1_SCRIPTS = (
    "dbscripts/apimgt/mysql5.7.sql",
    "dbscripts/apimgt/mysql_cluster5.7.sql",
    "dbscripts/identity/mysql-5.7.sql",
)
# DB2 product scripts that put a table into a 32K tablespace they create themselves; creating
# a bufferpool needs SYSCTRL, so the admin creates both here and grants their use.
DB2_TS32K_SCRIPTS = ("dbscripts/apimgt/db2.sql", "dbscripts/identity/db2.sql")

ADMINS = {
    "mysql": "root",
    "postgresql": "postgres",
    "oracle": "system",
    "mssql": "sa",
    "db2": "db2inst1",
}


@dataclass(frozen=True)
class PhysicalDatabase:
    """One database on the server, with every plan database (role) that lives in it."""

    name: str
    roles: tuple[DatabasePlan, ...]

    @property
    def users(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(db.user for db in self.roles))

    @property
    def scripts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for db in self.roles for s in db.schema_scripts))

    @property
    def keys(self) -> str:
        return ", ".join(db.key for db in self.roles)


@dataclass(frozen=True)
class SetupScript:
    """One setup script: which server, which admin, and the command that runs it."""

    path: str
    engine: Engine
    host: str
    port: int
    databases: tuple[PhysicalDatabase, ...]
    service: str | None = None
    """Oracle: the service the script connects to (its users are schemas in it)."""

    @property
    def admin(self) -> str:
        return ADMINS[self.engine.kind]

    @property
    def command(self) -> str:
        """The exact command line, from the tree's root; it asks for the admin's password."""
        return admin_command(self.engine, self.host, self.port, self.path, self.service)

    @property
    def run_as(self) -> str:
        kind = self.engine.kind
        if kind == "db2":
            return (
                "the DB2 instance owner (db2inst1) on the DB2 server, with this file copied there"
            )
        if kind == "oracle":
            return "a DBA account (system, or any user with CREATE USER and GRANT ANY PRIVILEGE)"
        if kind == "mssql":
            return "a sysadmin login (sa)"
        if kind == "postgresql":
            return "a superuser (postgres)"
        return "an account with CREATE USER and GRANT OPTION (root)"


def setup_scripts(plan: Plan) -> dict[str, str]:
    """`db/setup-<engine>-<host>[-<port>].sql` -> script text, one per database server."""
    return {s.path: render(s) for s in scripts_of(plan)}


def setup_script_paths(plan: Plan) -> dict[str, str]:
    """Database key -> the path of the setup script that creates it (for the manifest)."""
    return {
        role.key: script.path
        for script in scripts_of(plan, check=False)
        for db in script.databases
        for role in db.roles
    }


def scripts_of(plan: Plan, *, check: bool = True) -> list[SetupScript]:
    """The setup scripts of `plan`, in the order its databases first name their servers.

    With `check`, refuse passwords no script can carry (unset, or `"` on Oracle)."""
    engine = plan.engine
    if check:
        _check_passwords(plan)
    servers: dict[tuple[str, int, str | None], dict[tuple[str, str], list[DatabasePlan]]] = {}
    for db in plan.databases:
        # Oracle: a script runs inside one service (PDB); its schemas are the users.
        service = db.name if engine.kind == "oracle" else None
        physical = (db.name, db.user.upper() if engine.kind == "oracle" else "")
        servers.setdefault((db.host, db.port, service), {}).setdefault(physical, []).append(db)
    services_per_server: dict[tuple[str, int], int] = {}
    for host, port, _service in servers:
        services_per_server[(host, port)] = services_per_server.get((host, port), 0) + 1
    out = []
    for (host, port, service), databases in servers.items():
        path = script_path(engine, host, port)
        if service is not None and services_per_server[(host, port)] > 1:
            path = path.removesuffix(".sql") + f"-{safe_name(service)}.sql"
        out.append(
            SetupScript(
                path=path,
                engine=engine,
                host=host,
                port=port,
                databases=tuple(
                    PhysicalDatabase(name, tuple(roles)) for (name, _), roles in databases.items()
                ),
                service=service,
            )
        )
    return out


def script_path(engine: Engine, host: str, port: int) -> str:
    suffix = "" if port == engine.default_port else f"-{port}"
    return f"db/setup-{engine.id}-{safe_name(host)}{suffix}.sql"


def safe_name(value: str) -> str:
    """A host name as a file name: IPv6 colons and anything odd become `_`."""
    return "".join(c if c.isalnum() or c in ".-" else "_" for c in value)


def admin_command(
    engine: Engine, host: str, port: int, path: str, service: str | None = None
) -> str:
    admin = ADMINS[engine.kind]
    if engine.kind == "mysql":
        return f"mysql -h {host} -P {port} -u {admin} -p < {path}"
    if engine.kind == "postgresql":
        return (
            f'psql "host={host} port={port} dbname=postgres user={admin}" '
            f"-v ON_ERROR_STOP=1 -f {path}"
        )
    if engine.kind == "oracle":
        return f"sqlplus -L {admin}@{_ezconnect(host, port, service or '')} @{path}"
    if engine.kind == "mssql":
        # -x: a password may hold `$(`, which sqlcmd would otherwise read as a variable.
        return f"sqlcmd -S {host},{port} -U {admin} -b -x -i {path}"
    return f"db2 -tvf {path}"


def render(script: SetupScript) -> str:
    renderers: dict[str, Callable[[SetupScript], list[str]]] = {
        "mysql": _mysql,
        "postgresql": _postgresql,
        "oracle": _oracle,
        "mssql": _mssql,
        "db2": _db2,
    }
    lines = _header(script) + renderers[script.engine.kind](script)
    return "\n".join(lines).rstrip("\n") + "\n"


# --- quoting ---------------------------------------------------------------------------------


def mysql_string(value: str) -> str:
    # Backslash is an escape character unless NO_BACKSLASH_ESCAPES is set; the script clears
    # that mode first, so both escapes below mean what they say.
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def mysql_ident(value: str) -> str:
    return "`" + value.replace("`", "``") + "`"


def mysql_grant_db(value: str) -> str:
    """A database name in GRANT ... ON: `_` and `%` are wildcards there, so escape them."""
    return mysql_ident(value.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%"))


def pg_string(value: str) -> str:
    # standard_conforming_strings is set on at the top of the script: backslash is literal.
    return "'" + value.replace("'", "''") + "'"


def pg_ident(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def oracle_ident(value: str) -> str:
    # Unquoted names are stored upper case and JDBC logs in that way; quoting keeps reserved
    # words usable as names.
    return '"' + value.upper() + '"'


def oracle_password(value: str) -> str:
    """The password as a quoted identifier inside a PL/SQL string literal ('' for ')."""
    return ('"' + value + '"').replace("'", "''")


def mssql_ident(value: str) -> str:
    return "[" + value.replace("]", "]]") + "]"


def mssql_string(value: str) -> str:
    return "N'" + value.replace("'", "''") + "'"


# --- the dialects ----------------------------------------------------------------------------


def _header(script: SetupScript) -> list[str]:
    engine = script.engine
    where = f"{script.host}:{script.port}"
    if script.service:
        where += f", service {script.service}"
    db2 = engine.kind == "db2"
    text = [
        f"carbon-wizard: database setup for {engine.label} at {where}.",
        "Creates the WSO2 databases and users of this plan and grants each user rights on its "
        "own databases only (DDL for the WSO2 schema scripts, DML for the products).",
        f"Run as {script.run_as}, from the tree's root:",
    ]
    lines = [*_comment(*text), f"--   {script.command}"]
    kept = "what exists is kept" if db2 else "what exists is kept, passwords are set again"
    # Only a database that gets a TS32K script has the bufferpool and tablespace (_db2).
    ts32k = any(s in DB2_TS32K_SCRIPTS for db in script.databases for s in db.scripts)
    pools = "SQL0601N for the bufferpool and tablespace, " if ts32k else ""
    notes = [f"Safe to run again: nothing is dropped; {kept}."]
    notes += {
        "mysql": ["Needs MySQL 5.7.6+ or MariaDB 10.2+ (CREATE USER IF NOT EXISTS, ALTER USER)."],
        "postgresql": ["Uses psql's \\gexec and \\connect: run it with psql as shown."],
        "oracle": [
            "Oracle keeps each user's tables in a schema of that name: the users below are the "
            "WSO2 databases. The service must exist already: a PDB's service, not the CDB "
            "root (there CREATE USER fails with ORA-65096).",
        ],
        "mssql": [
            "CREATE LOGIN checks the server's password policy: a password it refuses stops "
            "the script there (sqlcmd -b); choose one that meets the policy.",
        ],
        "db2": [
            "On a re-run the CLP reports what exists already and carries on (run it without "
            f"-s): SQL1005N for CREATE DATABASE, {pools}SQL0556N for the REVOKE.",
        ],
    }[engine.kind]
    if not db2:
        notes.append(
            "Holds passwords: keep it private (mode 0600) and delete it from servers once run."
        )
    return [*lines, *_comment(*notes), ""]


def _comment(*paragraphs: str) -> list[str]:
    return [
        f"-- {line}"
        for paragraph in paragraphs
        for line in textwrap.wrap(paragraph, 92, break_long_words=False, break_on_hyphens=False)
    ]


def _describe(db: PhysicalDatabase) -> str:
    products = dict.fromkeys(p for role in db.roles for p in role.products)
    used = f"; used by {', '.join(products)}" if products else ""
    return f"-- {db.name}: {db.keys}{used}"


def _users(script: SetupScript) -> dict[str, DatabasePlan]:
    """Each user once (the first role that names it), in plan order."""
    users: dict[str, DatabasePlan] = {}
    for db in script.databases:
        for role in db.roles:
            users.setdefault(role.user, role)
    return users


def _password(role: DatabasePlan) -> str:
    assert role.password is not None  # _check_passwords refused the plan otherwise
    return role.password


def _mysql(script: SetupScript) -> list[str]:
    out = [
        "-- Password literals below escape backslash; clear NO_BACKSLASH_ESCAPES for this",
        "-- session so they read the same whatever the server's sql_mode.",
        "SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','),",
        "    ',NO_BACKSLASH_ESCAPES,', ','));",
        "",
        "-- Databases. One that receives apimgt/mysql5.7.sql or identity/mysql-5.7.sql is",
        "-- latin1: in utf8mb4 those scripts stop with ERROR 1071 (an index on",
        "-- IDN_SCIM_GROUP.ATTR_NAME VARCHAR(1024) is longer than InnoDB's 3072-byte limit).",
        "-- The others are utf8mb4. An existing database keeps its character set.",
    ]
    for db in script.databases:
        latin = [s for s in db.scripts if needs_latin1(s, script.engine)]
        charset = "latin1" if latin else "utf8mb4"
        out.append(_describe(db))
        out += [f"--   latin1 for {name}" for name in latin]
        out.append(f"CREATE DATABASE IF NOT EXISTS {mysql_ident(db.name)} CHARACTER SET {charset};")
    out += [
        "",
        "-- Users. '%' lets the nodes and the machine that runs the schema scripts log in; narrow",
        "-- it to their addresses if your policy asks for that.",
    ]
    for user, role in _users(script).items():
        account = f"{mysql_string(user)}@'%'"
        password = mysql_string(_password(role))
        out.append(f"CREATE USER IF NOT EXISTS {account} IDENTIFIED BY {password};")
        out.append(f"ALTER USER {account} IDENTIFIED BY {password};")
    out += [
        "",
        "-- Grants: each user on its own databases only (`_` is escaped: it is a wildcard in",
        "-- GRANT ... ON). What the WSO2 scripts use: CREATE (tables), INDEX, ALTER (constraints),",
        "-- REFERENCES (foreign keys, checked since MySQL 8.0.22), DROP (BPS drops ODE_JOB",
        "-- first); and the products' DML. No routines, views, triggers or locks are used.",
    ]
    privileges = "SELECT, INSERT, UPDATE, DELETE, CREATE, INDEX, ALTER, REFERENCES, DROP"
    for db in script.databases:
        for user in db.users:
            out += [
                f"GRANT {privileges}",
                f"   ON {mysql_grant_db(db.name)}.* TO {mysql_string(user)}@'%';",
            ]
    return out


def _postgresql(script: SetupScript) -> list[str]:
    out = [
        "\\set ON_ERROR_STOP on",
        "-- Password literals below double ' only: backslash must stay literal.",
        "SET standard_conforming_strings = on;",
        "",
        "-- Users (login roles), created when missing; the password is set every time.",
    ]
    for user, role in _users(script).items():
        out += [
            "DO $do$",
            "BEGIN",
            "    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles",
            f"                   WHERE rolname = {pg_string(user)}) THEN",
            f"        CREATE ROLE {pg_ident(user)} LOGIN;",
            "    END IF;",
            "END",
            "$do$;",
            f"ALTER ROLE {pg_ident(user)} WITH LOGIN PASSWORD {pg_string(_password(role))};",
        ]
    out += [
        "",
        "-- Databases, created when missing, owned by their (first) user so that it can run the",
        "-- WSO2 schema scripts. CREATE DATABASE cannot run in a DO block: \\gexec runs it.",
        "-- Only the users of a database may connect to it.",
    ]
    for db in script.databases:
        owner = db.users[0]
        out += [
            _describe(db),
            "SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0',",
            f"              {pg_string(db.name)}, {pg_string(owner)}, 'UTF8')",
            " WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database"
            f" WHERE datname = {pg_string(db.name)})\\gexec",
            f"REVOKE ALL ON DATABASE {pg_ident(db.name)} FROM PUBLIC;",
        ]
        users = ", ".join(pg_ident(u) for u in db.users)
        out.append(f"GRANT CONNECT ON DATABASE {pg_ident(db.name)} TO {users};")
    out += [
        "",
        "-- Inside each database: the users may create their tables in schema public (since",
        "-- PostgreSQL 15 only the database owner may by default).",
    ]
    for db in script.databases:
        users = ", ".join(pg_ident(u) for u in db.users)
        out += [
            f"\\connect {pg_ident(db.name)}",
            f"GRANT USAGE, CREATE ON SCHEMA public TO {users};",
        ]
        if len(db.users) > 1:
            out.append(
                "-- Several users share this database: each may use the tables the others create."
            )
            for creator in db.users:
                for other in db.users:
                    if other == creator:
                        continue
                    prefix = (
                        f"ALTER DEFAULT PRIVILEGES FOR ROLE {pg_ident(creator)} IN SCHEMA public"
                    )
                    grantee = pg_ident(other)
                    out += [
                        prefix,
                        f"    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {grantee};",
                        prefix,
                        f"    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {grantee};",
                    ]
            out += [
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {users};",
                f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {users};",
            ]
    return out


def _oracle(script: SetupScript) -> list[str]:
    out = [
        "WHENEVER SQLERROR EXIT SQL.SQLCODE",
        "-- & in a password must not start a substitution variable.",
        "SET DEFINE OFF",
        "SET SERVEROUTPUT ON",
        "",
    ]
    # What the WSO2 scripts create: tables (with their indexes), sequences, and the triggers
    # that fill ID columns from them. No views or procedures.
    privileges = "CREATE SESSION, CREATE TABLE, CREATE SEQUENCE, CREATE TRIGGER"
    for db in script.databases:
        role = db.roles[0]
        user = oracle_ident(role.user)
        password = oracle_password(_password(role))
        out += [
            f"-- Schema {role.user.upper()}: {db.keys}",
            "DECLARE",
            "    ts VARCHAR2(128);",
            "BEGIN",
            "    SELECT property_value INTO ts FROM database_properties",
            "     WHERE property_name = 'DEFAULT_PERMANENT_TABLESPACE';",
            "    BEGIN",
            f"        EXECUTE IMMEDIATE 'CREATE USER {user} IDENTIFIED BY {password}'",
            "            || ' DEFAULT TABLESPACE \"' || ts || '\"'",
            "            || ' QUOTA UNLIMITED ON \"' || ts || '\"';",
            "    EXCEPTION",
            "        WHEN OTHERS THEN",
            "            -- ORA-01920: the user exists (a re-run): keep it, set its password.",
            "            IF SQLCODE != -1920 THEN",
            "                RAISE;",
            "            END IF;",
            "            BEGIN",
            f"                EXECUTE IMMEDIATE 'ALTER USER {user} IDENTIFIED BY {password}';",
            "            EXCEPTION",
            "                WHEN OTHERS THEN",
            "                    -- ORA-28007: a profile forbids reusing the password; on a re-run",
            "                    -- it is the one the user has already.",
            "                    IF SQLCODE != -28007 THEN",
            "                        RAISE;",
            "                    END IF;",
            f"                    DBMS_OUTPUT.PUT_LINE('{role.user.upper()}: password kept "
            "(ORA-28007: the profile forbids reusing it)');",
            "            END;",
            "    END;",
            "END;",
            "/",
            f"GRANT {privileges} TO {user};",
            "",
        ]
    out.append("EXIT")
    return out


def _mssql(script: SetupScript) -> list[str]:
    out = ["SET NOCOUNT ON;", "GO", "", "-- Databases, created when missing."]
    for db in script.databases:
        out += [
            _describe(db),
            f"IF DB_ID({mssql_string(db.name)}) IS NULL",
            f"    CREATE DATABASE {mssql_ident(db.name)};",
            "GO",
        ]
    out += ["", "-- Logins, created when missing; the password is set every time."]
    first_db: dict[str, str] = {}
    for db in script.databases:
        for user in db.users:
            first_db.setdefault(user, db.name)
    for user, role in _users(script).items():
        password = mssql_string(_password(role))
        out += [
            "IF NOT EXISTS (SELECT 1 FROM sys.server_principals"
            f" WHERE name = {mssql_string(user)})",
            f"    CREATE LOGIN {mssql_ident(user)} WITH PASSWORD = {password},",
            f"        DEFAULT_DATABASE = {mssql_ident(first_db[user])};",
            "ELSE",
            f"    ALTER LOGIN {mssql_ident(user)} WITH PASSWORD = {password};",
            "GO",
        ]
    out += [
        "",
        "-- In each database: a user for the login, its tables in dbo, and only what the WSO2",
        "-- scripts use (CREATE TABLE, and ALTER on dbo for indexes and constraints, REFERENCES",
        "-- for foreign keys) plus the products' DML on dbo. No db_owner, no db_ddladmin.",
    ]
    for db in script.databases:
        out += [f"USE {mssql_ident(db.name)};", "GO"]
        for user in db.users:
            ident = mssql_ident(user)
            out += [
                "IF NOT EXISTS (SELECT 1 FROM sys.database_principals"
                f" WHERE name = {mssql_string(user)})",
                f"    CREATE USER {ident} FOR LOGIN {ident} WITH DEFAULT_SCHEMA = [dbo];",
                f"GRANT CREATE TABLE TO {ident};",
                "GRANT ALTER, REFERENCES, SELECT, INSERT, UPDATE, DELETE ON SCHEMA::[dbo]"
                f" TO {ident};",
                "GO",
            ]
    return out


def _db2(script: SetupScript) -> list[str]:
    users = ", ".join(_users(script))
    out = _comment(
        "DB2 authenticates users against the operating system: the users of this plan "
        f"({users}) must exist as OS (or LDAP) users on the DB2 server, with the passwords "
        "the nodes' datasources carry. This script sets no password.",
        "CREATE DATABASE is a CLP command, not SQL: it has no IF NOT EXISTS form.",
    )
    out.append("")
    for db in script.databases:
        out += [
            _describe(db),
            f"CREATE DATABASE {db.name.upper()} USING CODESET UTF-8 TERRITORY US;",
            f"CONNECT TO {db.name.upper()};",
            "-- A new database lets PUBLIC connect and create tables: keep it to its users.",
            "REVOKE CONNECT, CREATETAB, BINDADD, IMPLICIT_SCHEMA ON DATABASE FROM PUBLIC;",
        ]
        for user in db.users:
            out.append(
                f"GRANT CONNECT, CREATETAB, IMPLICIT_SCHEMA ON DATABASE TO USER {user.upper()};"
            )
        ts32k = [s for s in db.scripts if s in DB2_TS32K_SCRIPTS]
        if ts32k:
            out += _comment(
                f"{', '.join(ts32k)} puts a table in tablespace TS32K, created here "
                "because its CREATE BUFFERPOOL needs SYSCTRL, which the WSO2 user does not have."
            )
            out += [
                "CREATE BUFFERPOOL BP32K IMMEDIATE SIZE 250 AUTOMATIC PAGESIZE 32K;",
                "CREATE LARGE TABLESPACE TS32K PAGESIZE 32K MANAGED BY AUTOMATIC STORAGE"
                " BUFFERPOOL BP32K;",
            ]
            for user in db.users:
                out.append(f"GRANT USE OF TABLESPACE TS32K TO USER {user.upper()};")
        out += ["CONNECT RESET;", ""]
    return out


# --- helpers ---------------------------------------------------------------------------------


def needs_latin1(script: str, engine: Engine) -> bool:
    """Whether a schema script needs a latin1 database (two MySQL 5.7 product scripts)."""
    if engine.kind != "mysql" or script == engine.kernel_script:
        return False
    return script in LATIN1_SCRIPTS


def _ezconnect(host: str, port: int, service: str) -> str:
    host_part = f"[{host}]" if ":" in host else host
    return f"//{host_part}:{port}/{service}"


def _check_passwords(plan: Plan) -> None:
    """Refuse what no script can carry, naming the answer to change."""
    problems = []
    for db in plan.databases:
        path = join_path(db.answers_path, "password")
        if db.password is None:
            if plan.engine.kind != "db2":
                problems.append(
                    Problem(
                        join_path(db.answers_path, "password_env"),
                        f"the password of {db.user} is not available; set "
                        f"{db.password_env} before writing the setup scripts",
                    )
                )
        elif plan.engine.kind == "oracle" and '"' in db.password:
            problems.append(
                Problem(
                    path,
                    f'Oracle passwords cannot hold a double quote ("); choose another password '
                    f"for {db.user}",
                )
            )
    if problems:
        raise AnswersError(_unique(problems))


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
