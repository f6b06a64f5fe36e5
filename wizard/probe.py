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
import ipaddress
import math
import socket
import threading
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

from wizard.plan import DatabasePlan, Plan
from wizard.probe_drivers import DRIVERS, Step

Status = Literal["ok", "failed", "skipped"]

INSTALL_HINT = "pip install 'carbon-wizard[probe]'"

TIMEOUT_MIN = 0.1
TIMEOUT_MAX = 120.0
"""Seconds per step: below the minimum nothing answers in time (even a loopback server);
above the maximum a black-holed address holds the operator for minutes per database."""


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


def check_timeout(value: str | float) -> float:
    """The seconds per step an operator gave, or ValueError saying the accepted range."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    # NaN fails every comparison, so it is refused here with -1, 0, inf and 1e9.
    if not TIMEOUT_MIN <= seconds <= TIMEOUT_MAX:
        raise ValueError(
            f"'{value}' is not a usable number of seconds; give seconds per step from "
            f"{TIMEOUT_MIN:g} to {TIMEOUT_MAX:g}, e.g. 3"
        )
    return seconds


def probe(plan: Plan, *, timeout: float = 3.0) -> list[ProbeResult]:
    """Probe every database of `plan` (in parallel); results in plan order."""
    return probe_all(plan.databases, timeout=timeout)


def probe_all(databases: Sequence[DatabasePlan], *, timeout: float = 3.0) -> list[ProbeResult]:
    """Probe each of `databases` (in parallel); results in the same order."""
    timeout = check_timeout(timeout)
    if not databases:
        return []
    workers = min(8, len(databases))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="probe") as pool:
        return list(pool.map(lambda db: probe_database(db, timeout=timeout), databases))


def probe_database(db: DatabasePlan, *, timeout: float = 3.0) -> ProbeResult:
    timeout = check_timeout(timeout)
    target = printable(f"{db.host}:{db.port}/{db.name}")
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
            printable(r.database_key),
            printable(r.target),
            r.step,
            r.status.upper() if r.status == "failed" else r.status,
            printable(r.reason),
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
    """One line, at most 300 characters, with no trace of the password and no character a
    terminal would act on."""
    line = " ".join(text.split())
    if password:
        for form in _password_forms(password):
            line = line.replace(form, "********")
    return printable(line[:300])


def printable(text: str) -> str:
    """`text` with every control or format character written as an escape (`\\x1b`):
    driver messages quote what a server sent, and a server may send an escape sequence
    that would retitle, clear or recolour the operator's terminal."""
    if text.isprintable():
        return text
    return "".join(
        c if c == " " or unicodedata.category(c)[0] not in "CZ" else _escape(c) for c in text
    )


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


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
    if _is_address(host):
        # An address needs no name server: asked numerically, the answer is immediate.
        try:
            return socket.getaddrinfo(
                host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST
            )
        except OSError as exc:
            raise _Stop("resolve", "failed", f"not a usable address: {host} ({exc})") from None
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
    drivers = DRIVERS[_kind(db.engine)]
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


# --- helpers ---------------------------------------------------------------------------------


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _kind(engine: str) -> str:
    return "mysql" if engine in ("mysql5.7", "mysql8", "mariadb") else engine


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
