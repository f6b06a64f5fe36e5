"""Rules 32-34 (reference §8, product level): what passes rules 1-31 can still be a broken
cluster: IS on its embedded LDAP or nodes on different primary user stores (32), identity or
consent data in a node's own H2 (33), a key manager on another WSO2AM_DB than API Manager's
(34). They read only the files and manifest.json; what the cross-node rules need is read
through `NodeFiles.fact` (cached by content) while parsed, so it outlives `release`. Rules 35
and 36 (api-manager.xml's URLs, load balancers) are in `fronts`, which reads the product
files' settings through `product_settings`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from wizard.rules.across import majority, product_clusters
from wizard.rules.facts import NodeFiles
from wizard.rules.findings import Report
from wizard.rules.reading import MASTER_DATASOURCES, is_embedded_h2, is_loopback, property_of
from wizard.rules.tree import Manifest

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


def check_node(node: NodeFiles, manifest: Manifest, out: Report) -> None:
    product = node.info.product
    _primary_store(node)  # read now, while the file is parsed, for rule 32
    if product in IDENTITY_PRODUCTS:
        for relative, where, data in _DATA:
            _check_identity_data(node, relative, where, data, out)
    if product == "is-km" and node.datasources_complete and AM_JNDI not in node.by_jndi:
        message = (
            f"no datasource is {AM_JNDI}: the key manager keeps its OAuth keys and tokens and "
            "reads API subscriptions there; add it with API Manager's WSO2AM_DB URL and user"
        )
        where = f"datasource[jndiConfig/name='{AM_JNDI}']"
        out.add(34, node.id, node.conf(MASTER_DATASOURCES), where, message)


def check_across(nodes: Sequence[NodeFiles], out: Report) -> None:
    _across_primary_stores(nodes, out)
    _across_identity_data(nodes, out)
    _across_key_manager_database(nodes, out)


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
        return EMBEDDED_LDAP_PORT in self.url or (found is not None and is_loopback(found[1]))

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
        return _Store(store.get("class") or "", property_of(store, "ConnectionURL"))

    return node.fact("primary user store", (path,), read)


def _first(root: etree._Element, where: str) -> etree._Element | None:
    """The first child at each step, by local name: identity.xml and consent-mgt-config.xml
    carry a default namespace, api-manager.xml none, and Carbon reads them alike."""
    el = root
    for step in where.split("/"):
        child = next(
            (c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == step), None
        )
        if child is None:
            return None
        el = child
    return el


def product_settings(node: NodeFiles, relative: str) -> dict[str, str | None] | None:
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
    found = product_settings(node, relative)
    return None if found is None else found[where] or ""


# ---- rule 32: IS primary user store -------------------------------------------------------


def _across_primary_stores(nodes: Sequence[NodeFiles], out: Report) -> None:
    clusters = product_clusters(nodes)
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
    reference, holders = majority([(n, s.key) for n, s in compared])
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
    node: NodeFiles, relative: str, where: str, data: str, out: Report
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
    elif ds is node.local_datasource or is_embedded_h2(ds.url):
        problem = f"node-local ({ds.locator} is '{ds.url}')"
    else:
        return
    message = (
        f"'{jndi}' is {problem}; the {data} must live in the database every node of the "
        "cluster shares: name that datasource"
    )
    out.add(33, node.id, path, where, message)


def _across_identity_data(nodes: Sequence[NodeFiles], out: Report) -> None:
    for cluster, members in product_clusters(nodes).items():
        for relative, where, data in _DATA:
            # A node-local or undefined datasource is reported per node: not compared again.
            found = [
                (n, ds)
                for n in members
                if n.info.product in IDENTITY_PRODUCTS
                and (ds := n.by_jndi.get(_jndi(n, relative, where) or "")) is not None
                and ds.url is not None
                and ds is not n.local_datasource
                and not is_embedded_h2(ds.url)
            ]
            if len(found) < 2:
                continue
            reference, holders = majority([(n, ds.url) for n, ds in found])
            for node, ds in found:
                if ds.url != reference:
                    message = (
                        f"'{ds.jndi}' is '{ds.url}' here but '{reference}' on "
                        f"{', '.join(holders)}: the nodes of {cluster} share one {data} database"
                    )
                    out.add(33, node.id, node.conf(relative), where, message)


# ---- rule 34: IS as Key Manager shares WSO2AM_DB with API Manager -------------------------


def _across_key_manager_database(nodes: Sequence[NodeFiles], out: Report) -> None:
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
    (url, user), holders = majority([(n, (ds.url, ds.username)) for n, ds in found])
    for node in kms:
        ds = node.by_jndi.get(AM_JNDI)
        if ds is None:
            continue  # reported per node
        if ds.url != url or is_embedded_h2(ds.url):
            where, have, want = ds.at("url"), ds.url, url
        elif ds.username != user:
            where, have, want = ds.at("username"), ds.username, user
        else:
            continue
        # An embedded H2 URL reads the same on every node but is each node's own file.
        here = "a database inside this node" if is_embedded_h2(have) else f"'{have}'"
        message = (
            f"{AM_JNDI} is {here} here but '{want}' on {', '.join(holders)}: the key manager "
            "validates keys against API Manager's subscriptions, so both use one WSO2AM_DB "
            f"with one user; set '{want}'"
        )
        out.add(34, node.id, ds.file, where, message)
