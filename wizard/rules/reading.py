"""The names the rules look for, and the small readers they share: XML text and
properties, host names, ports and JDBC URLs. Nothing here knows a rule."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from lxml import etree

from wizard import catalog

MANIFEST = "manifest.json"
MASTER_DATASOURCES = "datasources/master-datasources.xml"
SVNS = "http://org.wso2.securevault/configuration"
SECRET_ALIAS = f"{{{SVNS}}}secretAlias"
CARBON_NS = "http://wso2.org/projects/carbon/carbon.xml"
RDBMS_READER = "org.wso2.carbon.ndatasource.rdbms.RDBMSDataSourceReader"
HAZELCAST_AGENT = "org.wso2.carbon.core.clustering.hazelcast.HazelcastClusteringAgent"
LOCAL_DATASOURCE = catalog.LOCAL_DATASOURCE
LOCAL_JNDI = catalog.LOCAL_JNDI
CONFIG = catalog.CONFIG_PATH
GOVERNANCE = catalog.GOVERNANCE_PATH
DEFAULT_MEMBER_PORT = catalog.DEFAULT_MEMBER_PORT

# The product files that name datasources by JNDI name, and where (rule 26).
PRODUCT_FILES = (
    ("api-manager.xml", "//*[local-name()='DataSourceName']"),
    (
        "identity/identity.xml",
        "//*[local-name()='JDBCPersistenceManager']/*[local-name()='DataSource']"
        "/*[local-name()='Name']",
    ),
    ("consent-mgt-config.xml", "//*[local-name()='DataSource']/*[local-name()='Name']"),
)

# ---- XML ----------------------------------------------------------------------------------


def parse_xml(content: bytes) -> tuple[etree._Element | None, str | None]:
    # No entity expansion, no network, no DTD loading: the files may come from anywhere.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(content, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        return None, str(exc) or type(exc).__name__
    if root is None:
        return None, "empty document"
    return root, None


def text_of(el: etree._Element | None) -> str | None:
    return None if el is None else (el.text or "")


def children_of(el: etree._Element) -> dict[str, str]:
    """First text of each child element by tag (comments skipped)."""
    found: dict[str, str] = {}
    for child in el:
        if isinstance(child.tag, str):
            found.setdefault(child.tag, child.text or "")
    return found


def attributes_of(el: etree._Element) -> dict[str, str]:
    """The element's attributes by name (lxml gives names and values as str; its stubs also
    allow bytes)."""
    return {k: v for k, v in el.attrib.items() if isinstance(k, str) and isinstance(v, str)}


def property_of(parent: etree._Element | None, name: str) -> str | None:
    """A `Property[@name=name]` value; Carbon reads them into a map, so the last one wins."""
    if parent is None:
        return None
    values = [p.text or "" for p in parent.findall("Property") if p.get("name") == name]
    return values[-1] if values else None


def element_path(el: etree._Element) -> str:
    """`a/b[2]/c` from the root's child down to `el`; inside a datasource, from it."""
    parts: list[str] = []
    node = el
    while (parent := node.getparent()) is not None:
        tag = etree.QName(node).localname
        if tag == "datasource":
            name = (node.findtext("name") or "").strip()
            if name:
                parts.append(f"datasource[name='{name}']")
                break
        same = [c for c in parent if isinstance(c.tag, str) and c.tag == node.tag]
        parts.append(tag if len(same) == 1 else f"{tag}[{same.index(node) + 1}]")
        node = parent
    return "/".join(reversed(parts))


# ---- hosts, ports and JDBC URLs -----------------------------------------------------------


# Both are asked about every member of every node: the same few strings, over and over.
@lru_cache(maxsize=4096)
def port_number(text: str) -> int | None:
    text = text.strip()
    return int(text) if re.fullmatch(r"\d{1,5}", text) and 0 < int(text) < 65536 else None


@lru_cache(maxsize=4096)
def host_key(host: str) -> str:
    return host.strip().strip("[]").lower()


_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
_DOTTED_QUAD = re.compile(r"([0-9]{1,3})\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}")


def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    quad = _DOTTED_QUAD.fullmatch(name)
    if quad is not None and quad.group(1) != "127" and name != "0.0.0.0":
        return False  # neither 127.0.0.0/8 nor 0.0.0.0, valid address or not: no parse
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


# A node-local H2 file under the product's repository/database/ (rule 9's local registry).
LOCAL_H2 = re.compile(r"jdbc:h2:(?:file:)?(?:\./|\$\{carbon\.home\}/)?repository/database/")


def is_embedded_h2(url: str | None) -> bool:
    """An H2 file or memory database inside this node (not an H2 server over tcp/ssl)."""
    return (
        url is not None and url.startswith("jdbc:h2:") and not re.match(r"jdbc:h2:(tcp|ssl):", url)
    )


# The authority of a URL of the `scheme://host[:port][,host...]` kind (MySQL, MariaDB,
# PostgreSQL, SQL Server, jTDS, DB2, an H2 server); Oracle's thin forms are read apart.
_AUTHORITY = re.compile(r"jdbc:[a-z0-9]+(?::[a-z0-9]+)*://([^/;?]*)", re.IGNORECASE)
_ORACLE = re.compile(r"jdbc:oracle:[a-z0-9]+:@", re.IGNORECASE)
_ORACLE_HOST = re.compile(r"\(\s*HOST\s*=\s*([^)\s]+)", re.IGNORECASE)


def _url_hosts(url: str) -> list[tuple[int, int]]:
    """Spans of the host names in a JDBC URL (several for a multi-host or RAC URL)."""
    spans: list[tuple[int, int]] = []
    oracle = _ORACLE.match(url)
    if oracle is not None:
        rest = oracle.end()
        if url.startswith("(", rest):
            return [m.span(1) for m in _ORACLE_HOST.finditer(url, rest)]
        start = rest + 2 if url.startswith("//", rest) else rest
        end = start
        if url.startswith("[", start):
            end = url.find("]", start) + 1 or len(url)
        else:
            while end < len(url) and url[end] not in ":/?":
                end += 1
        return [(start, end)] if end > start else []
    authority = _AUTHORITY.match(url)
    if authority is None:
        return []
    offset = authority.start(1)
    for part in authority.group(1).split(","):
        if part.startswith("["):
            end = part.find("]") + 1 or len(part)
        else:
            end = len(re.split(r"[:\\]", part, maxsplit=1)[0])  # host[\instance][:port]
        if end:
            spans.append((offset, offset + end))
        offset += len(part) + 1
    return spans


def loopback_key(url: str) -> str | None:
    """The URL with its hosts as one name when one of them is loopback (so that localhost and
    127.0.0.1 name one database); None when none is."""
    spans = _url_hosts(url)
    if not any(is_loopback(url[a:b]) for a, b in spans):
        return None
    key, last = [], 0
    for a, b in spans:
        host = url[a:b]
        key += [url[last:a], "localhost" if is_loopback(host) else host_key(host)]
        last = b
    return "".join([*key, url[last:]])
