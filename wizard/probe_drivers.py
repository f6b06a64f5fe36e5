"""The database drivers a connection test logs in with, and how each one's errors read.

Each driver is tried only where it is installed (`wizard.probe` looks); a classifier turns
a driver's exception into the step it stopped at and one line in the project's words, or
None for the probe's generic summary.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from wizard.engines import url_host
from wizard.plan import DatabasePlan

Step = Literal["resolve", "connect", "login", "database", "query"]


@dataclass(frozen=True)
class Driver:
    module: str
    package: str
    """The name to pip install."""
    login: Callable[[Any, DatabasePlan, float], Any]
    classify: Callable[[BaseException, DatabasePlan], tuple[Step, str] | None]


# --- each driver ---------------------------------------------------------------------------


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


DRIVERS: dict[str, tuple[Driver, ...]] = {
    "postgresql": (Driver("psycopg", "psycopg", _pg_login, _pg_classify),),
    "mysql": (Driver("pymysql", "PyMySQL", _mysql_login, _mysql_classify),),
    "oracle": (Driver("oracledb", "oracledb", _oracle_login, _oracle_classify),),
    "mssql": (
        Driver("pytds", "python-tds", _pytds_login, _mssql_classify),
        Driver("pymssql", "pymssql", _pymssql_login, _mssql_classify),
    ),
}


def _auth(db: DatabasePlan) -> str:
    return f"auth: password rejected for user {db.user}"
