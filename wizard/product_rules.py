"""Rules 32-36 (reference §8, product level): what passes rules 1-31 can still be a broken
cluster (IS on its embedded LDAP, identity data in a node's own H2, a key manager on another
WSO2AM_DB, api-manager.xml naming an unknown or single node, balanced nodes advertising their
own names). They read only the files and manifest.json; what the cross-node rules need is
read through `NodeFiles.fact` (cached by content) while parsed, so it outlives `release`.

About 490 lines, past the usual 400: the five rules share the user-store, endpoint and
balancer facts read at the top; they part into one module per rule family with the rest of
the checker when it becomes a package.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from wizard import catalog
from wizard.engines import url_host
from wizard.rules import (
    CARBON_NS,
    MANIFEST,
    MASTER_DATASOURCES,
    Manifest,
    NodeFiles,
    _clusters,
    _host_key,
    _is_embedded_h2,
    _is_loopback,
    _majority,
    _port,
    _property,
    _Report,
)

AM_JNDI = "jdbc/WSO2AM_DB"
EMBEDDED_LDAP_PORT = "${Ports.EmbeddedLDAP.LDAPServerPort}"
IS_PRODUCTS = ("is", "is-km")
IDENTITY_PRODUCTS = ("is", "is-km", "apim")
STORE = "Realm/UserStoreManager[1]"
CONNECTION_URL = f"{STORE}/Property[@name='ConnectionURL']"
IDENTITY, IDENTITY_NAME = "identity/identity.xml", "JDBCPersistenceManager/DataSource/Name"
CONSENT, CONSENT_NAME = "consent-mgt-config.xml", "DataSource/Name"
API_MANAGER = "api-manager.xml"
AUTH_URL = "AuthManager/ServerURL"
VALIDATOR_URL = "APIKeyValidator/ServerURL"
CLIENT_TYPE = "APIKeyValidator/KeyValidatorClientType"
THRIFT_SERVER = "APIKeyValidator/EnableThriftServer"
REVOKE_URL = "OAuthConfigurations/RevokeAPIURL"
# The settings each product file is read for, and what the data behind a JNDI name is.
_SETTINGS = {
    IDENTITY: (IDENTITY_NAME,),
    CONSENT: (CONSENT_NAME,),
    API_MANAGER: (AUTH_URL, VALIDATOR_URL, CLIENT_TYPE, THRIFT_SERVER, REVOKE_URL),
}
_DATA = ((IDENTITY, IDENTITY_NAME, "identity data"), (CONSENT, CONSENT_NAME, "consent data"))


def check_node(node: NodeFiles, manifest: Manifest, out: _Report) -> None:
    product = node.info.product
    _primary_store(node)  # read now, while the file is parsed, for rule 32
    if product in IDENTITY_PRODUCTS:
        for relative, where, data in _DATA:
            _check_identity_data(node, relative, where, data, out)
        _settings(node, API_MANAGER)  # likewise, for rule 35
    if product == "is-km" and node.datasources_complete and AM_JNDI not in node.by_jndi:
        message = (
            f"no datasource is {AM_JNDI}: the key manager keeps its OAuth keys and tokens and "
            "reads API subscriptions there; add it with API Manager's WSO2AM_DB URL and user"
        )
        where = f"datasource[jndiConfig/name='{AM_JNDI}']"
        out.add(34, node.id, node.conf(MASTER_DATASOURCES), where, message)
    balancer = _balancers(node, manifest).get(node.info.cluster or "")
    if balancer is not None:
        _check_balanced_files(node, balancer, out)


def check_across(nodes: Sequence[NodeFiles], out: _Report) -> None:
    _across_primary_stores(nodes, out)
    _across_identity_data(nodes, out)
    _across_key_manager_database(nodes, out)
    _across_key_manager_urls(nodes, out)
    for node in nodes:
        value = node.info.load_balancer
        if value is not None and _split_balancer(value) is None:
            message = f"'{value}' is not host:port, which this checker reads; regenerate the tree"
            out.add(36, "", MANIFEST, f"nodes[id='{node.id}']/load_balancer", message)


# ---- facts read from files (cached by content) --------------------------------------------


@dataclass(frozen=True)
class _Store:
    cls: str
    url: str | None

    @property
    def ldap(self) -> bool:
        return ".ldap." in self.cls

    @property
    def embedded(self) -> bool:
        """On the node's own embedded LDAP: a different directory on every node."""
        if not self.ldap or self.url is None:
            return False
        found = re.match(r"\s*ldaps?://(\[[^\]]*\]|[^:/\s]*)", self.url)
        return EMBEDDED_LDAP_PORT in self.url or (found is not None and _is_loopback(found[1]))

    @property
    def key(self) -> tuple[str, ...]:
        if self.ldap:
            return ("LDAP", (self.url or "").strip().rstrip("/"))
        return ("JDBC",) if ".jdbc." in self.cls else (self.cls,)


def _describe(key: tuple[str, ...]) -> str:
    if key[0] == "LDAP":
        return f"the LDAP at '{key[1]}'"
    return "JDBC" if key == ("JDBC",) else f"'{key[0]}'"


def _primary_store(node: NodeFiles) -> _Store | None:
    path = node.user_mgt_file

    def read() -> _Store | None:
        root = node.xml(path)
        # lxml skips commented-out blocks: the first element is the active primary store.
        store = None if root is None else root.find("Realm/UserStoreManager")
        if store is None:
            return None
        return _Store(store.get("class") or "", _property(store, "ConnectionURL"))

    return node.fact("primary user store", (path,), read)


def _first(root: etree._Element, where: str) -> etree._Element | None:
    """The first child at each step, by local name: identity.xml and consent-mgt-config.xml
    carry a default namespace, api-manager.xml none, and Carbon reads them alike."""
    el = root
    for step in where.split("/"):
        el = next(
            (c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == step), None
        )
        if el is None:
            return None
    return el


def _settings(node: NodeFiles, relative: str) -> dict[str, str | None] | None:
    """The stripped text of each of the file's `_SETTINGS` (None: no such element); None when
    the node has no such file, which is then not judged."""
    path = node.conf(relative)

    def read() -> dict[str, str | None] | None:
        root = node.xml(path)
        if root is None:
            return None
        found = {where: _first(root, where) for where in _SETTINGS[relative]}
        return {
            where: None if el is None else (el.text or "").strip() for where, el in found.items()
        }

    return node.fact(f"settings of {relative}", (path,), read)


def _jndi(node: NodeFiles, relative: str, where: str) -> str | None:
    """The JNDI name a product file names ("" for none); None when there is no file."""
    found = _settings(node, relative)
    return None if found is None else found[where] or ""


def _endpoint(text: str, scheme: str = "") -> tuple[str, int, str] | None:
    """(host, port, path) of `scheme`host[:port][path]; an https front without a port is on
    443. The host is lower-cased, an IPv6 one without its brackets."""
    pattern = rf"\s*{scheme}(?:\[([^\]\s]+)\]|([^:/\[\]\s]+))(?::(\d+))?(/\S*)?\s*"
    found = re.fullmatch(pattern, text, re.I)
    port = None if found is None else _port(found[3]) if found[3] else 443
    if found is None or port is None:
        return None
    return _host_key(found[1] or found[2]), port, re.sub("/+", "/", found[4] or "")


def _split_balancer(value: str) -> tuple[str, int] | None:
    found = _endpoint(value)
    return None if found is None or found[2] else found[:2]


def _balancers(node: NodeFiles, manifest: Manifest) -> dict[str, tuple[str, int]]:
    """Each product cluster's load balancer: the first valid one its nodes' entries name."""

    def read() -> dict[str, tuple[str, int]]:
        found: dict[str, tuple[str, int]] = {}
        for info in manifest.nodes:
            balancer = _split_balancer(info.load_balancer or "")
            if info.cluster and balancer:
                found.setdefault(info.cluster, balancer)
        return found

    return node.shared.fact(("load balancers", id(manifest)), read)


def _offset(node: NodeFiles) -> int:
    # carbon.xml decides the ports the node listens on; the manifest only when it is absent.
    offset = node.carbon_offset
    return offset if offset is not None else node.info.offset or 0


# ---- rule 32: IS primary user store -------------------------------------------------------


def _across_primary_stores(nodes: Sequence[NodeFiles], out: _Report) -> None:
    clusters = _clusters(nodes)
    compared: list[tuple[NodeFiles, _Store]] = []
    for node in nodes:
        store = _primary_store(node)
        if store is None:
            continue
        if node.info.product in IS_PRODUCTS and store.embedded:
            mates = clusters.get(node.info.cluster or "", [])
            others = sorted(c for c in clusters if c != node.info.cluster)
            if len(mates) > 1 or others:
                why = (
                    f"in the {len(mates)}-node cluster {node.info.cluster}"
                    if len(mates) > 1
                    else f"with {', '.join(others)} sharing users with it"
                )
                message = (
                    f"the primary user store is this node's embedded LDAP ('{store.url}'): {why}, "
                    "users and roles added on one node would exist only there; make it "
                    "JDBCUserStoreManager on the shared user-management datasource, or an LDAP "
                    "every node reaches"
                )
                out.add(32, node.id, node.user_mgt_file, CONNECTION_URL, message)
                continue  # its own directory: comparing its URL with others' says nothing more
        compared.append((node, store))
    if len(compared) < 2:
        return
    reference, holders = _majority([(n, s.key) for n, s in compared])
    for node, store in compared:
        if store.key != reference:
            where = CONNECTION_URL if store.ldap and reference[0] == "LDAP" else f"{STORE}/@class"
            message = (
                f"the primary user store is {_describe(store.key)} here but "
                f"{_describe(reference)} on {', '.join(holders)}: users created on one node "
                "would not exist on the others; give every node the same primary UserStoreManager"
            )
            out.add(32, node.id, node.user_mgt_file, where, message)


# ---- rule 33: identity and consent data ---------------------------------------------------


def _check_identity_data(
    node: NodeFiles, relative: str, where: str, data: str, out: _Report
) -> None:
    jndi = _jndi(node, relative, where)
    if jndi is None:
        return
    path = node.conf(relative)
    if not jndi:
        out.add(33, node.id, path, where, "names no datasource; name the shared one's JNDI name")
        return
    if not node.datasources_complete:
        return  # an unparsed datasources file may define it
    ds = node.by_jndi.get(jndi)
    if ds is None:
        problem = "undefined: no jndiConfig/name in the datasources files has it"
    elif ds is node.local_datasource or _is_embedded_h2(ds.url):
        problem = f"node-local ({ds.locator} is '{ds.url}')"
    else:
        return
    message = (
        f"'{jndi}' is {problem}; the {data} must live in the database every node of the "
        "cluster shares: name that datasource"
    )
    out.add(33, node.id, path, where, message)


def _across_identity_data(nodes: Sequence[NodeFiles], out: _Report) -> None:
    for cluster, members in _clusters(nodes).items():
        for relative, where, data in _DATA:
            # A node-local or undefined datasource is reported per node: not compared again.
            found = [
                (n, ds)
                for n in members
                if n.info.product in IDENTITY_PRODUCTS
                and (ds := n.by_jndi.get(_jndi(n, relative, where) or "")) is not None
                and ds.url is not None
                and ds is not n.local_datasource
                and not _is_embedded_h2(ds.url)
            ]
            if len(found) < 2:
                continue
            reference, holders = _majority([(n, ds.url) for n, ds in found])
            for node, ds in found:
                if ds.url != reference:
                    message = (
                        f"'{ds.jndi}' is '{ds.url}' here but '{reference}' on "
                        f"{', '.join(holders)}: the nodes of {cluster} share one {data} database"
                    )
                    out.add(33, node.id, node.conf(relative), where, message)


# ---- rule 34: IS as Key Manager shares WSO2AM_DB with API Manager --------------------------


def _across_key_manager_database(nodes: Sequence[NodeFiles], out: _Report) -> None:
    kms = [n for n in nodes if n.info.product == "is-km"]
    if not kms:
        return
    apims = [n for n in nodes if n.info.product == "apim"]
    for node in kms + apims:
        jndi = _jndi(node, IDENTITY, IDENTITY_NAME)
        if jndi is not None and jndi != AM_JNDI:
            message = (
                f"'{jndi}' here: with IS as Key Manager, the identity data (IDN_* tables) live "
                f"in WSO2AM_DB on both products; set it to {AM_JNDI}"
            )
            out.add(34, node.id, node.conf(IDENTITY), IDENTITY_NAME, message)
    found = [(n, ds) for n in apims if (ds := n.by_jndi.get(AM_JNDI)) and ds.url]
    if not found:
        return
    (url, user), holders = _majority([(n, (ds.url, ds.username)) for n, ds in found])
    for node in kms:
        ds = node.by_jndi.get(AM_JNDI)
        if ds is None:
            continue  # reported per node
        if ds.url != url or _is_embedded_h2(ds.url):
            where, have, want = ds.at("url"), ds.url, url
        elif ds.username != user:
            where, have, want = ds.at("username"), ds.username, user
        else:
            continue
        # An embedded H2 URL reads the same on every node but is each node's own file.
        here = "a database inside this node" if _is_embedded_h2(have) else f"'{have}'"
        message = (
            f"{AM_JNDI} is {here} here but '{want}' on {', '.join(holders)}: the key manager "
            "validates keys against API Manager's subscriptions, so both use one WSO2AM_DB "
            f"with one user; set '{want}'"
        )
        out.add(34, node.id, ds.file, where, message)


# ---- rule 35: api-manager.xml between API Manager and the key manager ----------------------


@dataclass(frozen=True)
class _Front:
    """How a product cluster is reached: its load balancer, or any one of its nodes."""

    cluster: str
    balancer: tuple[str, int] | None
    members: dict[tuple[str, int], str]
    size: int

    def url(self, path: str) -> str | None:
        found = self.balancer or (next(iter(self.members)) if self.size == 1 else None)
        if found is None:
            return None
        return f"https://{url_host(found[0])}:{found[1]}{path}"


def _fronts(nodes: Iterable[NodeFiles], base_port: int) -> list[_Front]:
    fronts = []
    for cluster, members in _clusters(nodes).items():
        balancer = next(
            (b for n in members if (b := _split_balancer(n.info.load_balancer or ""))), None
        )
        endpoints = {
            (_host_key(n.info.host), base_port + _offset(n)): n.id for n in members if n.info.host
        }
        fronts.append(_Front(cluster, balancer, endpoints, len(members)))
    return fronts


def _resolved(url: str, node: NodeFiles) -> tuple[str, int, str] | None:
    """(host, port, path) of an https URL, with the placeholders Carbon fills in on `node`."""
    offset = _offset(node)
    url = (
        url.replace("${carbon.context}", "/")
        .replace("${mgt.transport.https.port}", str(catalog.HTTPS_PORT + offset))
        .replace("${https.nio.port}", str(catalog.HTTPS_NIO_PORT + offset))
    )
    return _endpoint(url, "https://")


def _judge_url(
    node: NodeFiles, url: str | None, path: str, fronts: list[_Front], what: str
) -> str | None:
    """What is wrong with `url` (which must reach one of `fronts` at `path`), or None."""
    wanted = next((u for f in fronts if (u := f.url(path))), f"https://<{what}'s balancer>{path}")
    if url is None:
        return f"is missing; set it to {wanted}"
    found = _resolved(url, node)
    if found is None or (found[2] or "/") != path:
        return f"'{url}' is not https://<host>:<port>{path}; set it to {wanted}"
    for front in fronts:
        member = front.members.get(found[:2])
        if front.balancer == found[:2] or (member is not None and front.size == 1):
            return None
        if member is not None:
            return (
                f"'{url}' names {member} alone, one of the {front.size} nodes of "
                f"{front.cluster}: no failover; name the cluster's load balancer "
                f"({front.url(path) or 'set one for ' + front.cluster})"
            )
    return f"'{url}' names no {what} node or load balancer of this tree; set it to {wanted}"


_URLS = (
    # (product of the file, setting, path, target product, its port before offset, its name)
    ("apim", AUTH_URL, "/services/", "is-km", catalog.HTTPS_PORT, "key manager"),
    ("apim", VALIDATOR_URL, "/services/", "is-km", catalog.HTTPS_PORT, "key manager"),
    ("is-km", REVOKE_URL, "/revoke", "apim", catalog.HTTPS_NIO_PORT, "API Manager gateway"),
)
# API Manager calls the key manager over web services, not Thrift (AM260-KM).
_FIXED = ((CLIENT_TYPE, "WSClient"), (THRIFT_SERVER, "false"))


def _across_key_manager_urls(nodes: Sequence[NodeFiles], out: _Report) -> None:
    by_product: dict[str, list[NodeFiles]] = defaultdict(list)
    for node in nodes:
        by_product[node.info.product or ""].append(node)
    if not by_product["apim"] or not by_product["is-km"]:
        return
    for product, where, path, target, port, what in _URLS:
        fronts = _fronts(by_product[target], port)
        for node in by_product[product]:
            found = _settings(node, API_MANAGER)
            problem = None if found is None else _judge_url(node, found[where], path, fronts, what)
            if problem is not None:
                out.add(35, node.id, node.conf(API_MANAGER), where, problem)
    for node in by_product["apim"]:
        found = _settings(node, API_MANAGER) or {}
        for where, wanted in _FIXED if found else ():
            value = found[where]
            if value is None or value.lower() != wanted.lower():
                message = (
                    f"{'missing' if value is None else repr(value)}: with IS as Key Manager, "
                    f"API Manager validates keys through its web services; set {wanted}"
                )
                out.add(35, node.id, node.conf(API_MANAGER), where, message)


# ---- rule 36: nodes behind a load balancer -------------------------------------------------


def _check_balanced_files(node: NodeFiles, balancer: tuple[str, int], out: _Report) -> None:
    carbon, catalina = node.conf("carbon.xml"), node.conf("tomcat/catalina-server.xml")
    # A cluster's nodes carry the same files: their findings are worked out once.
    key = f"behind {balancer}"
    found = node.fact(key, (carbon, catalina), lambda: _balanced(node, carbon, catalina, balancer))
    for path, where, message in found:
        out.add(36, node.id, path, where, message)


def _balanced(
    node: NodeFiles, carbon: str, catalina: str, balancer: tuple[str, int]
) -> list[tuple[str, str, str]]:
    host, port = balancer
    found = []
    root = node.xml(carbon)
    if root is not None and root.tag == f"{{{CARBON_NS}}}Server":
        for tag in ("HostName", "MgtHostName"):
            el = root.find(f"{{{CARBON_NS}}}{tag}")
            value = None if el is None else (el.text or "").strip()
            if value is None or _host_key(value) != host:
                message = (
                    f"{'missing' if value is None else repr(value)}: behind the load balancer "
                    f"{host}:{port} the node must advertise its name in the URLs it builds; "
                    f"set {tag} to {host}"
                )
                found.append((carbon, tag, message))
    root = node.xml(catalina)
    wanted = {str(catalog.HTTPS_PORT): str(port), str(catalog.HTTP_PORT): "80"}
    for connector in () if root is None else root.iterfind("Service/Connector"):
        connector_port = (connector.get("port") or "").strip()
        want = wanted.get(connector_port)
        have = connector.get("proxyPort")
        if want is not None and (have or "").strip() != want:
            message = (
                f"proxyPort is {'missing' if have is None else repr(have)}: behind the load "
                f"balancer {host}:{port} Tomcat must build redirects with the balancer's ports; "
                f'set proxyPort="{want}"'
            )
            found.append(
                (catalina, f"Service/Connector[@port='{connector_port}']/@proxyPort", message)
            )
    return found
