"""Plan -> the database setup scripts an admin runs once per server (`db/setup-*.sql`).

Here the scripts are planned: one per database server (Oracle: per service), its path, the
databases and users it creates, the admin command that runs it, its header, and the passwords
no script can carry. Each script creates the databases and users of the plan and grants every
user rights on its own databases only: enough DDL to run WSO2's schema scripts and DML to run
the products. Every script is safe to run again: nothing is dropped, and what exists is left
(the user's password is set again). Each engine's statements and quoting are in
`wizard.render.sql_dialects`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from wizard.catalog import Engine
from wizard.plan import DatabasePlan, Plan
from wizard.problems import AnswersError, Problem, join_path
from wizard.render.sql_dialects import DB2_TS32K_SCRIPTS, body, comment

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
    lines = _header(script) + body(script)
    return "\n".join(lines).rstrip("\n") + "\n"


# --- the header ------------------------------------------------------------------------------


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
    lines = [*comment(*text), f"--   {script.command}"]
    kept = "what exists is kept" if db2 else "what exists is kept, passwords are set again"
    # Only a database that gets a TS32K script has the bufferpool and tablespace (sql_dialects).
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
    return [*lines, *comment(*notes), ""]


# --- helpers ---------------------------------------------------------------------------------


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
