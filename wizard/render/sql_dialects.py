"""Each engine's SQL for creating databases and users, and its quoting.

The body of a setup script (`wizard.render.sql` plans the scripts and writes their header):
MySQL/MariaDB, PostgreSQL, Oracle, SQL Server and DB2 each create the script's databases and
users their own way and grant each user rights on its own databases only. Identifiers are
validated by the model (letters, digits, `_`), so only passwords need real escaping; the
quoting helpers here escape them for each dialect. Also here: which product scripts need what
of a database (latin1 on MySQL, a 32K tablespace on DB2), which the schema steps follow too.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wizard.catalog import Engine
    from wizard.plan import DatabasePlan
    from wizard.render.sql import PhysicalDatabase, SetupScript


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


def needs_latin1(script: str, engine: Engine) -> bool:
    """Whether a schema script needs a latin1 database (two MySQL 5.7 product scripts)."""
    if engine.kind != "mysql" or script == engine.kernel_script:
        return False
    return script in LATIN1_SCRIPTS


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


def body(script: SetupScript) -> list[str]:
    """The statements of `script` after its header, in its engine's dialect."""
    dialects: dict[str, Callable[[SetupScript], list[str]]] = {
        "mysql": _mysql,
        "postgresql": _postgresql,
        "oracle": _oracle,
        "mssql": _mssql,
        "db2": _db2,
    }
    return dialects[script.engine.kind](script)


def comment(*paragraphs: str) -> list[str]:
    """SQL comment lines, each paragraph wrapped at 92 columns (the header uses them too)."""
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
    assert role.password is not None  # sql.scripts_of refused the plan otherwise
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
    out = comment(
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
            out += comment(
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
