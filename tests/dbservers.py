"""Real PostgreSQL and MariaDB servers for the tests, started by `bash .ci/dbservers.sh start`.

The servers come from two environment variables holding libpq keyword DSNs:

    CARBON_WIZARD_TEST_PG='host=127.0.0.1 port=55432 user=postgres password=...'
    CARBON_WIZARD_TEST_MARIADB='host=127.0.0.1 port=53306 user=root password=...'

A test asks for one with `server(engine)`: it skips when the server is not there, or fails
when CARBON_WIZARD_REQUIRE_DB=1 (CI, where a missing server is a broken setup). SQL runs
through the real command-line clients, as a user of the generated scripts would run it.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

ENV_VARS = {"postgresql": "CARBON_WIZARD_TEST_PG", "mariadb": "CARBON_WIZARD_TEST_MARIADB"}
CONNECT_TIMEOUT = 2.0
SQL_TIMEOUT = 600

_HOW_TO_START = (
    "start the throwaway servers with `bash .ci/dbservers.sh start` "
    "and source the env file it prints"
)
_DSN_ITEM = re.compile(r"\s*(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s']\S*)")
_NAME_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Server:
    engine: str  # "postgresql" | "mariadb"
    host: str
    port: int
    admin_user: str
    admin_password: str

    def dsn(self) -> str:
        """The libpq keyword form the environment variables use."""
        items = {
            "host": self.host,
            "port": str(self.port),
            "user": self.admin_user,
            "password": self.admin_password,
        }
        return " ".join(f"{key}={_quote(value)}" for key, value in items.items())


def _quote(value: str) -> str:
    if value and not re.search(r"[\s'\\]", value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def parse_dsn(text: str) -> dict[str, str]:
    """Parse a libpq keyword DSN (`key=value key='quoted value'`)."""
    out: dict[str, str] = {}
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _DSN_ITEM.match(text, pos)
        if not match:
            raise ValueError(f"cannot parse DSN near {text[pos : pos + 20]!r}")
        key, value = match.group(1), match.group(2)
        if value.startswith("'"):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out[key] = value
        pos = match.end()
    return out


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CARBON_WIZARD_REQUIRE_DB") == "1":
        pytest.fail(f"{reason} (CARBON_WIZARD_REQUIRE_DB=1)", pytrace=False)
    pytest.skip(reason)


def _parse(engine: str, text: str) -> Server | str:
    """The server a DSN names, or what is wrong with the DSN."""
    try:
        fields = parse_dsn(text)
        return Server(
            engine=engine,
            host=fields["host"],
            port=int(fields["port"]),
            admin_user=fields["user"],
            admin_password=fields["password"],
        )
    except KeyError as exc:
        return f"no {exc.args[0]}="
    except ValueError as exc:
        return str(exc)


def _connect_problem(host: str, port: int) -> str | None:
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
            return None
    except OSError as exc:
        return str(exc) or exc.__class__.__name__


def server(engine: str) -> Server:
    """The running test server for `engine`; skips (or fails under CARBON_WIZARD_REQUIRE_DB=1)
    when its variable is unset or it does not accept a TCP connection."""
    if engine not in ENV_VARS:
        raise ValueError(f"unknown engine {engine!r}; expected one of {sorted(ENV_VARS)}")
    var = ENV_VARS[engine]
    text = os.environ.get(var, "").strip()
    if not text:
        _unavailable(f"{var} is not set: {_HOW_TO_START}")
    srv = _parse(engine, text)
    if isinstance(srv, str):
        # A set but broken variable is a mistake, not a missing server.
        pytest.fail(
            f"{var} must look like 'host=127.0.0.1 port=N user=U password=P' ({srv})",
            pytrace=False,
        )
    problem = _connect_problem(srv.host, srv.port)
    if problem:
        _unavailable(
            f"{var} names {srv.host}:{srv.port}, which does not accept connections ({problem}): "
            f"{_HOW_TO_START}"
        )
    return srv


def _client(
    srv: Server, user: str, password: str, database: str | None
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment to run SQL from stdin or a file as `user`."""
    if srv.engine == "postgresql":
        psql = shutil.which("psql")
        assert psql, "psql is not on PATH (apt-get install postgresql-client)"
        conninfo = (
            f"host={_quote(srv.host)} port={srv.port} user={_quote(user)} "
            f"dbname={_quote(database or 'postgres')}"
        )
        env = {**os.environ, "PGPASSWORD": password, "PGCONNECT_TIMEOUT": "10"}
        return [psql, conninfo, "-X", "-q", "-v", "ON_ERROR_STOP=1"], env
    client = shutil.which("mariadb") or shutil.which("mysql")
    assert client, "neither mariadb nor mysql is on PATH (apt-get install mariadb-client)"
    # --no-defaults: no ~/.my.cnf or /etc/mysql settings; the password only via MYSQL_PWD,
    # never on the command line where `ps` shows it.
    argv = [
        client,
        "--no-defaults",
        "--protocol=TCP",
        "--batch",
        "--connect-timeout=10",
        "-h",
        srv.host,
        "-P",
        str(srv.port),
        "-u",
        user,
    ]
    if database:
        argv.append(database)
    return argv, {**os.environ, "MYSQL_PWD": password}


def _run(
    argv: list[str], env: dict[str, str], sql: str | Path, what: str
) -> subprocess.CompletedProcess[str]:
    """Run a client with `sql` (text, or a file's bytes as they are) on stdin."""
    if isinstance(sql, Path):
        with sql.open("rb") as stdin:
            result = subprocess.run(
                argv, stdin=stdin, capture_output=True, env=env, timeout=SQL_TIMEOUT
            )
        result = subprocess.CompletedProcess(
            result.args,
            result.returncode,
            result.stdout.decode(errors="replace"),
            result.stderr.decode(errors="replace"),
        )
    else:
        result = subprocess.run(
            argv, input=sql, capture_output=True, text=True, env=env, timeout=SQL_TIMEOUT
        )
    if result.returncode != 0:
        raise AssertionError(
            f"{what} failed (exit {result.returncode}) with {Path(argv[0]).name}:\n"
            f"{result.stderr.strip()}\n{result.stdout.strip()}".rstrip()
        )
    return result


def run_sql_as_admin(srv: Server, sql: str, database: str | None = None) -> None:
    """Run `sql` as the server's admin user; AssertionError with the client's stderr on error."""
    argv, env = _client(srv, srv.admin_user, srv.admin_password, database)
    _run(argv, env, sql, f"SQL as {srv.admin_user} on {srv.engine}")


def run_sql_file(
    srv: Server, path: str | os.PathLike[str], user: str, password: str, database: str
) -> subprocess.CompletedProcess[str]:
    """Run the SQL script at `path` as `user` in `database`; AssertionError on error."""
    argv, env = _client(srv, user, password, database)
    path = Path(path)
    what = f"{path} as {user} on {srv.engine}"
    if srv.engine == "postgresql":
        # -f rather than stdin: psql then names the script's line in its errors.
        return _run([*argv, "-f", str(path)], env, "", what)
    return _run(argv, env, path, what)


def fresh_name(prefix: str) -> str:
    """A unique lowercase identifier, e.g. `cw_shared_3f9a1c0b`, for throwaway databases and
    users (valid unquoted in PostgreSQL and MariaDB)."""
    if not _NAME_PREFIX.fullmatch(prefix):
        raise ValueError(f"prefix must be a letter then letters, digits or _: {prefix!r}")
    return f"{prefix}_{secrets.token_hex(4)}".lower()
