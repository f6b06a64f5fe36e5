"""Connection tests for a plan's databases: name, TCP, then a real login where a driver exists.

Each database gets one result: the last step reached and why it stopped. Every step has a
time limit, so a black-holed address costs `timeout` seconds, never a hang. Reasons are one
line in operator language and never hold a password (driver messages are scrubbed).
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import importlib.util
import re
import socket
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

from wizard.engines import url_host
from wizard.plan import DatabasePlan, Plan

Step = Literal["resolve", "connect", "login", "database", "query"]
Status = Literal["ok", "failed", "skipped"]

INSTALL_HINT = "pip install 'carbon-wizard[probe]'"


@dataclass(frozen=True)
class ProbeResult:
    database_key: str
    target: str
    """`host:port/name` as the plan has it."""
    step: Step
    """The last step reached: resolve, connect, login, database or query."""
    status: Status
    reason: str
    """One line; empty when everything answered."""


class _Stop(Exception):
    """A step failed or was skipped; carries the result's fields."""

    def __init__(self, step: Step, status: Status, reason: str) -> None:
        super().__init__(reason)
        self.step = step
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class _Driver:
    module: str
    package: str
    """The name to pip install."""
    login: Callable[[Any, DatabasePlan, float], Any]
    classify: Callable[[BaseException, DatabasePlan], tuple[Step, str] | None]


def probe(plan: Plan, *, timeout: float = 3.0) -> list[ProbeResult]:
    """Probe every database of `plan` (in parallel); results in plan order."""
    if not plan.databases:
        return []
    workers = min(8, len(plan.databases))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="probe") as pool:
        return list(pool.map(lambda db: probe_database(db, timeout=timeout), plan.databases))


def probe_database(db: DatabasePlan, *, timeout: float = 3.0) -> ProbeResult:
    target = f"{db.host}:{db.port}/{db.name}"
    try:
        addresses = _resolve(db.host, db.port, timeout)
        _connect(addresses, db, timeout)
        _login(db, timeout)
    except _Stop as stop:
        reason = scrub(stop.reason, db.password)
        return ProbeResult(db.key, target, stop.step, stop.status, reason)
    return ProbeResult(db.key, target, "query", "ok", f"logged in as {db.user}; SELECT 1 answered")


def format_results(results: Sequence[ProbeResult]) -> str:
    """A plain-text table for the terminal, one database a line."""
    header = ("database", "target", "step", "status", "reason")
    rows = [header] + [
        (
            r.database_key,
            r.target,
            r.step,
            r.status.upper() if r.status == "failed" else r.status,
            r.reason,
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    failed = sum(r.status == "failed" for r in results)
    skipped = sum(r.status == "skipped" for r in results)
    ok = len(results) - failed - skipped
    lines.append(f"{ok} ok, {failed} failed, {skipped} skipped")
    return "\n".join(lines)


def scrub(text: str, password: str | None) -> str:
    """One line, at most 300 characters, with no trace of the password."""
    line = " ".join(text.split())
    if password:
        for form in _password_forms(password):
            line = line.replace(form, "********")
    return line[:300]


# --- steps -----------------------------------------------------------------------------------


# One of getaddrinfo's answers: family, type, protocol, canonical name, address.
_AddrInfo = tuple[
    socket.AddressFamily,
    socket.SocketKind,
    int,
    str,
    tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes],
]


def _resolve(host: str, port: int, timeout: float) -> Sequence[_AddrInfo]:
    """getaddrinfo in a daemon thread: a stuck resolver must not hang the probe."""
    if host.lower().rstrip(".").rsplit(".", 1)[-1] == "invalid":
        # RFC 6761: names under .invalid never resolve; no need to ask a name server.
        raise _Stop("resolve", "failed", f"name does not resolve: {host} (.invalid, RFC 6761)")
    answers: list[Sequence[_AddrInfo]] = []
    errors: list[OSError] = []

    def work() -> None:
        try:
            answers.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            errors.append(exc)

    thread = threading.Thread(target=work, name="probe-resolve", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise _Stop("resolve", "failed", f"timeout: no name server answered for {host}")
    error = errors[0] if errors else None
    if isinstance(error, socket.gaierror):
        if error.errno == socket.EAI_AGAIN:
            raise _Stop(
                "resolve",
                "failed",
                f"name does not resolve: {host} (no name server answered; temporary failure)",
            )
        raise _Stop("resolve", "failed", f"name does not resolve: {host}")
    if error is not None:
        raise _Stop("resolve", "failed", f"name does not resolve: {host} ({error})")
    if not answers or not answers[0]:
        raise _Stop("resolve", "failed", f"name does not resolve: {host}")
    return answers[0]


def _connect(addresses: Sequence[_AddrInfo], db: DatabasePlan, timeout: float) -> None:
    """TCP connect to each address in turn (as create_connection does), each time-limited."""
    first: _Stop | None = None
    for family, kind, proto, _name, address in addresses:
        sock = socket.socket(family, kind, proto)
        try:
            # A timeout makes connect non-blocking underneath: it waits at most `timeout`.
            sock.settimeout(timeout)
            sock.connect(address)
            return
        except OSError as exc:
            stop = _Stop("connect", "failed", _connect_reason(exc, db, timeout))
            first = first or stop
        finally:
            sock.close()
    raise first or _Stop("connect", "failed", "no address to connect to")


def _connect_reason(exc: OSError, db: DatabasePlan, timeout: float) -> str:
    where = f"{db.host}:{db.port}"
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"timeout: {where} did not answer in {timeout:g} s (firewall or wrong address?)"
    if isinstance(exc, ConnectionRefusedError):
        return f"refused: nothing listens on {where}"
    if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return f"unreachable: no route to {where}"
    return f"cannot connect to {where}: {exc.strerror or exc}"


def _login(db: DatabasePlan, timeout: float) -> None:
    if db.engine == "db2":
        raise _Stop(
            "login",
            "skipped",
            "no pure-Python DB2 driver: TCP answered; log in with the db2 CLP to test more",
        )
    drivers = _DRIVERS[_kind(db.engine)]
    available = [d for d in drivers if importlib.util.find_spec(d.module) is not None]
    if not available:
        names = " or ".join(d.package for d in drivers)
        raise _Stop("login", "skipped", f"driver {names} not installed: {INSTALL_HINT}")
    if db.password is None:
        variable = f" (set {db.password_env})" if db.password_env else ""
        raise _Stop("login", "skipped", f"password of {db.user} not available{variable}")
    driver = available[0]
    module = importlib.import_module(driver.module)
    try:
        connection = driver.login(module, db, timeout)
    except Exception as exc:
        step, reason = driver.classify(exc, db) or ("login", _summary(exc, db))
        raise _Stop(step, "failed", reason) from None
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT 1 FROM DUAL" if db.engine == "oracle" else "SELECT 1")
        cursor.fetchall()
    except Exception as exc:
        raise _Stop("query", "failed", f"SELECT 1 failed: {_summary(exc, db)}") from None
    finally:
        with contextlib.suppress(Exception):
            connection.close()


# --- drivers ---------------------------------------------------------------------------------


def _pg_login(module: Any, db: DatabasePlan, timeout: float) -> Any:
    # libpq counts connect_timeout in whole seconds and treats anything below 2 as 2.
    return module.connect(
        host=db.host,
        port=db.port,
        dbname=db.name,
        user=db.user,
        password=db.password,
        connect_timeout=max(2, round(timeout)),
        autocommit=True,
    )


def _pg_classify(exc: BaseException, db: DatabasePlan) -> tuple[Step, str] | None:
    state = getattr(exc, "sqlstate", None)
    text = str(exc)
    if state == "28P01" or "password authentication failed" in text:
        return "login", _auth(db)
    if state == "3D000" or re.search(r'database "[^"]*" does not exist', text):
        return "database", f"no such database {db.name}"
    if "no pg_hba.conf entry" in text:
        return "login", f"auth: the server does not let {db.user} in from here (pg_hba.conf)"
    if state == "42501" or "permission denied for database" in text:
        return "database", f"access denied: {db.user} may not connect to {db.name}"
    if "timeout expired" in text:
        return "login", "timeout: the server accepted TCP but did not answer the login"
    return None


def _mysql_login(module: Any, db: DatabasePlan, timeout: float) -> Any:
    return module.connect(
        host=db.host,
        port=db.port,
        user=db.user,
        password=db.password,
        database=db.name,
        connect_timeout=timeout,
        read_timeout=timeout,
        write_timeout=timeout,
    )


def _mysql_classify(exc: BaseException, db: DatabasePlan) -> tuple[Step, str] | None:
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    if code == 1045:
        return "login", _auth(db)
    if code == 1049:
        return "database", f"no such database {db.name}"
    if code == 1044:
        # The server answers 1044 rather than 1049 to a user with no grant on the name, so
        # that users cannot learn which databases exist: both causes are possible.
        return "database", f"no such database {db.name}, or {db.user} has no rights on it"
    if code == 2013 or "timed out" in str(exc):
        return "login", "timeout: the server accepted TCP but did not answer the login"
    return None


def _oracle_login(module: Any, db: DatabasePlan, timeout: float) -> Any:
    host = url_host(db.host)
    return module.connect(
        user=db.user,
        password=db.password,
        dsn=f"{host}:{db.port}/{db.name}",
        tcp_connect_timeout=timeout,
    )


def _oracle_classify(exc: BaseException, db: DatabasePlan) -> tuple[Step, str] | None:
    text = str(exc)
    if "ORA-01017" in text:
        return "login", _auth(db)
    if "ORA-12514" in text or "DPY-6001" in text:
        return "database", f"no such database {db.name} (the listener knows no such service)"
    if "ORA-28000" in text:
        return "login", f"auth: account {db.user} is locked"
    return None


def _pytds_login(module: Any, db: DatabasePlan, timeout: float) -> Any:
    return module.connect(
        server=db.host,
        port=db.port,
        database=db.name,
        user=db.user,
        password=db.password,
        login_timeout=timeout,
        timeout=timeout,
    )


def _pymssql_login(module: Any, db: DatabasePlan, timeout: float) -> Any:
    return module.connect(
        server=db.host,
        port=str(db.port),
        user=db.user,
        password=db.password,
        database=db.name,
        login_timeout=max(1, round(timeout)),
        timeout=max(1, round(timeout)),
    )


def _mssql_classify(exc: BaseException, db: DatabasePlan) -> tuple[Step, str] | None:
    text = str(exc)
    if "4060" in text or "Cannot open database" in text:
        return "database", f"no such database {db.name} (or {db.user} has no user in it)"
    if "18456" in text or "Login failed" in text:
        return "login", _auth(db)
    return None


_DRIVERS: dict[str, tuple[_Driver, ...]] = {
    "postgresql": (_Driver("psycopg", "psycopg", _pg_login, _pg_classify),),
    "mysql": (_Driver("pymysql", "PyMySQL", _mysql_login, _mysql_classify),),
    "oracle": (_Driver("oracledb", "oracledb", _oracle_login, _oracle_classify),),
    "mssql": (
        _Driver("pytds", "python-tds", _pytds_login, _mssql_classify),
        _Driver("pymssql", "pymssql", _pymssql_login, _mssql_classify),
    ),
}


# --- helpers ---------------------------------------------------------------------------------


def _kind(engine: str) -> str:
    return "mysql" if engine in ("mysql5.7", "mysql8", "mariadb") else engine


def _auth(db: DatabasePlan) -> str:
    return f"auth: password rejected for user {db.user}"


def _summary(exc: BaseException, db: DatabasePlan) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return scrub(f"{type(exc).__name__}: {text}", db.password)


def _password_forms(password: str) -> list[str]:
    """The password as drivers may echo it: raw, repr-escaped, quote-escaped."""
    forms = {
        password,
        password.replace("\\", "\\\\").replace("'", "\\'"),
        password.replace("'", "''"),
        repr(password)[1:-1],
    }
    return sorted((f for f in forms if f), key=len, reverse=True)
