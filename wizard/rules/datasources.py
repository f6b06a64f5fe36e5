"""Rules 1-5, 8 and 9: the datasources files parse and keep their providers; every
datasource is named, its JNDI name unique, its definition RDBMS with known, typed settings, its
URL escaped once; and WSO2_CARBON_DB is a node-local H2 file used by nothing else."""

from __future__ import annotations

import re

from lxml import etree

from wizard.rules.facts import NodeFiles
from wizard.rules.findings import Report
from wizard.rules.jdbc import check_engine
from wizard.rules.models import Datasource
from wizard.rules.reading import (
    LOCAL_DATASOURCE,
    LOCAL_H2,
    LOCAL_JNDI,
    MASTER_DATASOURCES,
    RDBMS_READER,
    SECRET_ALIAS,
    SVNS,
    text_of,
)

# ---- rules 1-5 and 8: the datasources files -----------------------------------------------

_INTEGER = {
    "maxActive",
    "maxIdle",
    "minIdle",
    "initialSize",
    "maxWait",
    "validationQueryTimeout",
    "timeBetweenEvictionRunsMillis",
    "numTestsPerEvictionRun",
    "minEvictableIdleTimeMillis",
    "removeAbandonedTimeout",
    "abandonWhenPercentageFull",
    "suspectTimeout",
}
_LONG = {"validationInterval", "maxAge"}
_BOOLEAN = {
    "defaultAutoCommit",
    "defaultReadOnly",
    "testOnBorrow",
    "testOnReturn",
    "testWhileIdle",
    "alternateUsernameAllowed",
    "accessToUnderlyingConnectionAllowed",
    "removeAbandoned",
    "logAbandoned",
    "jmxEnabled",
    "fairQueue",
    "useEquals",
    "commitOnReturn",
    "rollbackOnReturn",
}
_STRING = {
    "url",
    "username",
    "password",
    "driverClassName",
    "defaultCatalog",
    "validationQuery",
    "validatorClassName",
    "connectionProperties",
    "initSQL",
    "jdbcInterceptors",
    "dataSourceClassName",
}
_ISOLATION = {"NONE", "READ_COMMITTED", "READ_UNCOMMITTED", "REPEATABLE_READ", "SERIALIZABLE"}
_KNOWN = (
    _INTEGER
    | _LONG
    | _BOOLEAN
    | _STRING
    | {"defaultTransactionIsolation", "dataSourceProps", "databaseProps"}
)
# WSO2's own bps-datasources.xml (BPS, EI, IS) puts this jndiConfig attribute inside
# configuration; JAXB drops it, and rule 21 wants stock content kept, so it is not a finding.
_TOLERATED = {"useDataSourceFactory"}
_INT_RANGE = (-(2**31), 2**31 - 1)
_LONG_RANGE = (-(2**63), 2**63 - 1)


def check_datasources(node: NodeFiles, out: Report) -> None:
    master = node.conf(MASTER_DATASOURCES)
    for path in node.datasource_files:
        root = node.xml(path)
        if root is None:
            continue
        if root.tag != "datasources-configuration":
            out.add(
                1,
                node.id,
                path,
                "",
                f"the root element is <{root.tag}>, not <datasources-configuration>",
            )
            continue
        aliased = any(el.get(SECRET_ALIAS) is not None for el in root.iter(etree.Element))
        if aliased and SVNS not in root.nsmap.values():
            out.add(
                1,
                node.id,
                path,
                "datasources-configuration/@xmlns:svns",
                f'svns:secretAlias is used but the root does not declare xmlns:svns="{SVNS}"',
            )
        if path == master:
            providers = [(text_of(p) or "").strip() for p in root.findall("providers/provider")]
            if RDBMS_READER not in providers:
                out.add(
                    2,
                    node.id,
                    path,
                    "providers/provider",
                    f"{RDBMS_READER} is not among the providers, so no RDBMS datasource loads; "
                    "keep the stock providers block",
                )
    names: dict[str, Datasource] = {}
    jndis: dict[str, Datasource] = {}
    for ds in node.datasources:
        if not ds.name.strip():
            out.add(3, node.id, ds.file, f"{ds.locator}/name", "the datasource has no name")
        elif ds.name in names:
            first = names[ds.name]
            out.add(
                3,
                node.id,
                ds.file,
                f"{ds.locator}/name",
                f"datasource name '{ds.name}' is already defined in {first.file}; Carbon stops "
                f"with 'System datasource {ds.name} can not be updated'",
            )
        else:
            names[ds.name] = ds
        jndi_config = ds.element.find("jndiConfig")
        if jndi_config is not None:
            if not (ds.jndi or "").strip():
                out.add(4, node.id, ds.file, f"{ds.locator}/jndiConfig/name", "empty JNDI name")
            elif ds.jndi in jndis:
                first = jndis[ds.jndi]
                out.add(
                    4,
                    node.id,
                    ds.file,
                    f"{ds.locator}/jndiConfig/name",
                    f"JNDI name '{ds.jndi}' is also {first.locator} in {first.file}; Carbon "
                    "silently binds the later one in place of the earlier",
                )
            else:
                jndis[ds.jndi or ""] = ds
        _check_definition(node, ds, out)


def _check_definition(node: NodeFiles, ds: Datasource, out: Report) -> None:
    definition = ds.element.find("definition")
    if definition is None:
        out.add(5, node.id, ds.file, f"{ds.locator}/definition", "the datasource has no definition")
        return
    if definition.get("type") != "RDBMS":
        out.add(
            5,
            node.id,
            ds.file,
            f"{ds.locator}/definition/@type",
            f"type is {definition.get('type')!r}, not 'RDBMS'",
        )
        return
    conf = ds.configuration
    if conf is None:
        out.add(
            5,
            node.id,
            ds.file,
            f"{ds.locator}/definition/configuration",
            "the RDBMS definition has no configuration",
        )
        return
    xa = conf.find("dataSourceClassName") is not None
    required = (
        ("username", "password") if xa else ("url", "username", "password", "driverClassName")
    )
    for tag in required:
        el = conf.find(tag)
        if el is None or not ((text_of(el) or "").strip() or el.get(SECRET_ALIAS)):
            out.add(5, node.id, ds.file, ds.at(tag), f"<{tag}> is missing or empty")
    for child in conf:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag
        message = _setting_problem(tag, text_of(child) or "")
        if message:
            out.add(5, node.id, ds.file, ds.at(tag), message)
    check_engine(node, ds, out)
    if ds.url is not None and "&amp;" in ds.url:
        out.add(8, node.id, ds.file, ds.at("url"), DOUBLE_ESCAPED)


DOUBLE_ESCAPED = (
    "holds '&amp;' after parsing: the '&' was escaped twice, so the driver gets 'amp;' in a "
    "parameter name; write '&amp;' once in the file"
)


def _setting_problem(tag: str, value: str) -> str | None:
    if tag in _TOLERATED:
        return None
    if tag not in _KNOWN:
        return (
            f"<{tag}> is not a datasource setting (reference §1.2): Carbon ignores it silently; "
            "check the spelling"
        )
    if "${" in value:
        return None  # substituted from system properties at start-up
    text = value.strip()
    if tag in _INTEGER or tag in _LONG:
        low, high = _INT_RANGE if tag in _INTEGER else _LONG_RANGE
        if not re.fullmatch(r"[+-]?\d+", text) or not low <= int(text) <= high:
            return f"<{tag}> must be a whole number, not {value!r}"
    elif tag in _BOOLEAN:
        if text not in {"true", "false", "1", "0"}:
            return f"<{tag}> must be true or false, not {value!r}"
    elif tag == "defaultTransactionIsolation" and text not in _ISOLATION:
        return f"<{tag}> must be one of {', '.join(sorted(_ISOLATION))}, not {value!r}"
    return None


# ---- rule 9: the node-local database ------------------------------------------------------


def check_local_database(node: NodeFiles, out: Report) -> None:
    local = node.local_datasource
    if local is None:
        if node.datasources_complete:
            out.add(
                9,
                node.id,
                node.conf(MASTER_DATASOURCES),
                f"datasource[name='{LOCAL_DATASOURCE}']",
                f"{LOCAL_DATASOURCE} is missing: it holds the node's own registry (and its "
                "mount records); keep the stock datasource",
            )
        return
    if local.jndi != LOCAL_JNDI:
        out.add(
            9,
            node.id,
            local.file,
            f"{local.locator}/jndiConfig/name",
            f"JNDI name is {local.jndi!r}, not '{LOCAL_JNDI}'",
        )
    url = local.url
    if url is None:
        return  # rule 5 reports it
    if not LOCAL_H2.match(url):
        out.add(
            9,
            node.id,
            local.file,
            local.at("url"),
            f"'{url}' is not an H2 file under ./repository/database/: the local registry "
            "must be this node's own database, never one other nodes can reach",
        )
    for other in node.datasources:
        if other is not local and other.url == url:
            out.add(
                9,
                node.id,
                local.file,
                local.at("url"),
                f"{LOCAL_DATASOURCE} has the same URL as {other.locator} in {other.file}",
            )
