"""Rules 6, 7 and 10: a datasource's JDBC URL, driver class and validation query agree
with one engine, and the lib folder holds a jar with every driver class in use."""

from __future__ import annotations

import io
import re
import zipfile

from wizard.rules.facts import NodeFiles
from wizard.rules.findings import Report
from wizard.rules.models import Datasource

# URL prefix -> driver classes that accept it, and the engine's validation query (§4.1).
# MariaDB is reached either way: WSO2's 4.4.x guide uses the MySQL pair, kernel 4.6 the
# MariaDB one. PostgreSQL's query depends on defaultAutoCommit (see _POSTGRESQL_MANUAL).
_ENGINES: tuple[tuple[str, frozenset[str], str], ...] = (
    ("jdbc:mysql:", frozenset({"com.mysql.jdbc.Driver", "com.mysql.cj.jdbc.Driver"}), "SELECT 1"),
    ("jdbc:mariadb:", frozenset({"org.mariadb.jdbc.Driver"}), "SELECT 1"),
    ("jdbc:postgresql:", frozenset({"org.postgresql.Driver"}), "SELECT 1"),
    (
        "jdbc:oracle:thin:",
        frozenset({"oracle.jdbc.OracleDriver", "oracle.jdbc.driver.OracleDriver"}),
        "SELECT 1 FROM DUAL",
    ),
    (
        "jdbc:sqlserver:",
        frozenset({"com.microsoft.sqlserver.jdbc.SQLServerDriver"}),
        "SELECT 1",
    ),
    ("jdbc:jtds:", frozenset({"net.sourceforge.jtds.jdbc.Driver"}), "SELECT 1"),
    ("jdbc:db2:", frozenset({"com.ibm.db2.jcc.DB2Driver"}), "SELECT 1 FROM SYSIBM.SYSDUMMY1"),
    ("jdbc:h2:", frozenset({"org.h2.Driver"}), "SELECT 1"),
)


def _engine_of(url: str) -> tuple[str, frozenset[str], str] | None:
    return next((e for e in _ENGINES if url.startswith(e[0])), None)


def check_engine(node: NodeFiles, ds: Datasource, out: Report) -> None:
    url, driver = ds.setting("url"), ds.driver
    if url is None or url.startswith("${"):
        return
    engine = _engine_of(url)
    if not url.startswith("jdbc:"):
        out.add(6, node.id, ds.file, ds.at("url"), f"'{url}' is not a JDBC URL (jdbc:...)")
        return
    if engine is None:
        return  # an engine the reference does not cover: nothing to compare against
    prefix, drivers, query = engine
    options = url.partition("?")[2] if "?" in url else ""
    if options and any("=" not in pair or pair.startswith("=") for pair in options.split("&")):
        out.add(
            6,
            node.id,
            ds.file,
            ds.at("url"),
            f"'{url}' has an empty or bare URL option ('{options}'): the driver drops it "
            "without a word; write key=value pairs joined by one '&'",
        )
    if driver is not None and driver.strip() and driver.strip() not in drivers:
        out.add(
            6,
            node.id,
            ds.file,
            ds.at("driverClassName"),
            f"{driver} does not take {prefix} URLs; use {' or '.join(sorted(drivers))}",
        )
    actual = ds.setting("validationQuery")
    message = _validation_problem(prefix, query, actual, ds.setting("defaultAutoCommit"))
    if message:
        out.add(7, node.id, ds.file, ds.at("validationQuery"), message)
    on_borrow = ds.setting("testOnBorrow")
    # DAS ships its analytics datasources without testOnBorrow, testing idle connections
    # instead (carbon-analytics v1.3.25 analytics-datasources.xml): WSO2's own way passes.
    while_idle = on_borrow is None and _true(ds.setting("testWhileIdle"))
    if not _true(on_borrow) and not while_idle:
        out.add(
            7,
            node.id,
            ds.file,
            ds.at("testOnBorrow"),
            "testOnBorrow must be true, so a connection the database dropped is replaced",
        )


def _true(setting: str | None) -> bool:
    return (setting or "").strip().lower() == "true"


# WSO2's PostgreSQL query for datasources whose connections start without auto-commit: the
# COMMIT ends the transaction the SELECT opened (ADMIN44x "Changing to PostgreSQL"). With
# auto-commit on there is none, and PostgreSQL logs "there is no transaction in progress"
# on every validation.
_POSTGRESQL_MANUAL = "SELECT 1; COMMIT"


def _validation_problem(
    prefix: str, query: str, actual: str | None, auto_commit: str | None
) -> str | None:
    """What is wrong with `actual` as the validationQuery, or None. `auto_commit` is the
    datasource's defaultAutoCommit text (absent: the driver's default, on)."""
    if prefix != "jdbc:postgresql:":
        if actual is not None and _sql(actual) == _sql(query):
            return None
        shown = "missing" if actual is None else f"'{actual}'"
        return f"validationQuery is {shown}; {prefix} needs '{query}'"
    flag = (auto_commit or "true").strip().lower()
    on = {"true": True, "1": True, "false": False, "0": False}.get(flag)
    fits = [q for q, wanted in ((query, True), (_POSTGRESQL_MANUAL, False)) if on in (None, wanted)]
    if actual is not None and _sql(actual) in {_sql(q) for q in fits}:
        return None
    if actual is None:
        return f"validationQuery is missing; {prefix} needs '{fits[0]}' here"
    if on:
        return (
            f"validationQuery is '{actual}' but defaultAutoCommit is on (true, or unset: the "
            "driver's default), so there is no transaction to commit: PostgreSQL logs 'there "
            f"is no transaction in progress' on every validation; use '{query}' (or set "
            "defaultAutoCommit false)"
        )
    if on is False:
        return (
            f"validationQuery is '{actual}' but defaultAutoCommit is false: the validation "
            "opens a transaction that nothing ends; use "
            f"'{_POSTGRESQL_MANUAL}' (or set defaultAutoCommit true)"
        )
    return f"validationQuery is '{actual}'; {prefix} needs '{query}' or '{_POSTGRESQL_MANUAL}'"


def _sql(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(";").strip().upper()


# ---- rule 10: driver jars -----------------------------------------------------------------

_BUNDLED_DRIVERS = {"org.h2.Driver"}  # Carbon ships H2 in its own plugins


def check_driver_jars(node: NodeFiles, out: Report) -> None:
    lib = node.info.lib_dir + "/"
    jars = {
        p: c
        for p, c in node.files.items()
        if p.startswith(lib) and "/" not in p[len(lib) :] and p.endswith(".jar")
    }
    if not jars and not node.info.driver_jars:
        return  # the README tells the operator to place the driver
    classes: set[str] = set()
    for path in sorted(jars):
        try:
            with zipfile.ZipFile(io.BytesIO(jars[path])) as jar:
                names = jar.namelist()
        except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
            out.add(10, node.id, path, "", f"is not a readable jar: {exc}")
            continue
        classes.update(n[: -len(".class")].replace("/", ".") for n in names if n.endswith(".class"))
    seen: set[str] = set()
    for ds in node.datasources:
        for tag in ("driverClassName", "dataSourceClassName"):
            cls = (ds.setting(tag) or "").strip()
            if not cls or cls in _BUNDLED_DRIVERS or cls in seen or "${" in cls:
                continue
            seen.add(cls)
            if cls not in classes:
                where = ", ".join(sorted(jars)) if jars else "no jar at all"
                out.add(
                    10,
                    node.id,
                    ds.file,
                    ds.at(tag),
                    f"no jar in {node.info.lib_dir}/ holds {cls} ({where}); put the JDBC driver "
                    "jar there before the node starts",
                )
