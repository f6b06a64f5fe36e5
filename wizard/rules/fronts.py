"""Rules 35 and 36 (reference §8, product level): API Manager and IS as Key Manager name
each other's front (a load balancer, or the one node of a one-node cluster) in
api-manager.xml, over web services; and the nodes behind a load balancer advertise its name
and ports in carbon.xml and catalina-server.xml. Like `products`, they read what the
cross-node rule needs while the files are parsed, through `NodeFiles.fact`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wizard import catalog
from wizard.engines import url_host
from wizard.rules.across import product_clusters
from wizard.rules.facts import NodeFiles
from wizard.rules.findings import Report
from wizard.rules.products import (
    API_MANAGER,
    AUTH_URL,
    CLIENT_TYPE,
    IDENTITY_PRODUCTS,
    REVOKE_URL,
    THRIFT_SERVER,
    VALIDATOR_URL,
    product_settings,
)
from wizard.rules.reading import CARBON_NS, MANIFEST, host_key, port_number
from wizard.rules.tree import Manifest


def check_node(node: NodeFiles, manifest: Manifest, out: Report) -> None:
    if node.info.product in IDENTITY_PRODUCTS:
        product_settings(node, API_MANAGER)  # read now, while the file is parsed, for rule 35
    balancer = _balancers(node, manifest).get(node.info.cluster or "")
    if balancer is not None:
        _check_balanced_files(node, balancer, out)


def check_across(nodes: Sequence[NodeFiles], out: Report) -> None:
    _across_key_manager_urls(nodes, out)
    for node in nodes:
        value = node.info.load_balancer
        if value is not None and _split_balancer(value) is None:
            message = f"'{value}' is not host:port, which this checker reads; regenerate the tree"
            out.add(36, "", MANIFEST, f"nodes[id='{node.id}']/load_balancer", message)


# ---- facts read from the manifest and files -----------------------------------------------


def _endpoint(text: str, scheme: str = "") -> tuple[str, int, str] | None:
    """(host, port, path) of `scheme`host[:port][path]; an https front without a port is on
    443. The host is lower-cased, an IPv6 one without its brackets."""
    pattern = rf"\s*{scheme}(?:\[([^\]\s]+)\]|([^:/\[\]\s]+))(?::(\d+))?(/\S*)?\s*"
    found = re.fullmatch(pattern, text, re.I)
    port = None if found is None else port_number(found[3]) if found[3] else 443
    if found is None or port is None:
        return None
    return host_key(found[1] or found[2]), port, re.sub("/+", "/", found[4] or "")


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


# ---- rule 35: api-manager.xml between API Manager and the key manager ---------------------


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
    for cluster, members in product_clusters(nodes).items():
        balancer = next(
            (b for n in members if (b := _split_balancer(n.info.load_balancer or ""))), None
        )
        endpoints = {
            (host_key(n.info.host), base_port + _offset(n)): n.id for n in members if n.info.host
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


def _across_key_manager_urls(nodes: Sequence[NodeFiles], out: Report) -> None:
    by_product: dict[str, list[NodeFiles]] = defaultdict(list)
    for node in nodes:
        by_product[node.info.product or ""].append(node)
    if not by_product["apim"] or not by_product["is-km"]:
        return
    for product, where, path, target, port, what in _URLS:
        fronts = _fronts(by_product[target], port)
        for node in by_product[product]:
            found = product_settings(node, API_MANAGER)
            problem = None if found is None else _judge_url(node, found[where], path, fronts, what)
            if problem is not None:
                out.add(35, node.id, node.conf(API_MANAGER), where, problem)
    for node in by_product["apim"]:
        found = product_settings(node, API_MANAGER) or {}
        for where, wanted in _FIXED if found else ():
            value = found[where]
            if value is None or value.lower() != wanted.lower():
                message = (
                    f"{'missing' if value is None else repr(value)}: with IS as Key Manager, "
                    f"API Manager validates keys through its web services; set {wanted}"
                )
                out.add(35, node.id, node.conf(API_MANAGER), where, message)


# ---- rule 36: nodes behind a load balancer ------------------------------------------------


def _check_balanced_files(node: NodeFiles, balancer: tuple[str, int], out: Report) -> None:
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
            if value is None or host_key(value) != host:
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
