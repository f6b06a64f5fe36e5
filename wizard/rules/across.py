"""The rules that compare nodes: local databases no other node uses (9), a loopback
database host (38), one governance database (18), a product's one config partition (19), one
mount block per product (22), one user store (23), free ports per host (29), and Hazelcast
domains and members (30). Also `majority` and `product_clusters`, which the product-level
rules share."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import combinations
from typing import TypeVar

from wizard import catalog
from wizard.rules.facts import NodeFiles
from wizard.rules.findings import Report
from wizard.rules.models import Datasource, Registry
from wizard.rules.reading import (
    CONFIG,
    GOVERNANCE,
    LOCAL_DATASOURCE,
    host_key,
    is_embedded_h2,
    is_loopback,
    loopback_key,
    port_number,
)
from wizard.rules.registry import nested

T = TypeVar("T")


def check_across(nodes: Sequence[NodeFiles], out: Report) -> None:
    _across_local_databases(nodes, out)
    _across_loopback_databases(nodes, out)
    _across_governance(nodes, out)
    _across_config(nodes, out)
    _across_mount_block(nodes, out)
    _across_user_management(nodes, out)
    _across_ports(nodes, out)
    _across_clustering(nodes, out)


def majority(values: Sequence[tuple[NodeFiles, T]]) -> tuple[T, list[str]]:
    """The most common value (ties: the earliest node's) and the nodes that hold it."""
    reference = Counter(v for _, v in values).most_common(1)[0][0]
    return reference, [n.id for n, v in values if v == reference]


def product_clusters(nodes: Iterable[NodeFiles]) -> dict[str, list[NodeFiles]]:
    """Nodes by product cluster, in node order; nodes of unknown product are left out."""
    groups: dict[str, list[NodeFiles]] = defaultdict(list)
    for node in nodes:
        if node.info.cluster is not None:
            groups[node.info.cluster].append(node)
    return groups


def _across_local_databases(nodes: Sequence[NodeFiles], out: Report) -> None:
    # An embedded H2 URL names a different file on every node (it is relative to each
    # PRODUCT_HOME), so only a server URL can collide with another node's database.
    for node in nodes:
        local = node.local_datasource
        if local is None or local.url is None or is_embedded_h2(local.url):
            continue
        for other in nodes:
            if other is node:
                continue
            clash = next((ds for ds in other.datasources if ds.url == local.url), None)
            if clash is not None:
                out.add(
                    9,
                    node.id,
                    local.file,
                    local.at("url"),
                    f"{LOCAL_DATASOURCE} is the same database as {clash.locator} on {other.id}; "
                    "the local registry must be this node's alone",
                )
                break


def _across_loopback_databases(nodes: Sequence[NodeFiles], out: Report) -> None:
    """Rule 38: a shared datasource on a loopback host is each node's own machine, so the
    nodes that use it must all run on one machine (manifest hosts; a node on a loopback
    host is on this machine too). The node-local WSO2_CARBON_DB is each node's own anyway."""
    users: dict[str, list[tuple[NodeFiles, Datasource]]] = defaultdict(list)
    for node in nodes:
        for ds in node.datasources:
            url = ds.url
            if ds.name == LOCAL_DATASOURCE or url is None or url.startswith("${"):
                continue
            key = loopback_key(url)
            if key is not None:
                users[key].append((node, ds))
    for using in users.values():
        hosts = dict.fromkeys(
            "this machine" if is_loopback(n.info.host) else host_key(n.info.host)
            for n, _ in using
            if n.info.host
        )
        if len(hosts) < 2:
            continue
        listed = ", ".join(list(hosts)[:4]) + (" ..." if len(hosts) > 4 else "")
        for node, ds in using:
            out.add(
                38,
                node.id,
                ds.file,
                ds.at("url"),
                f"the URL names a loopback host: each node reaches a database on its own "
                f"machine, and the nodes that use it run on {listed} (manifest.json), so they "
                "would not share it; give the database server's host name or IP address",
            )


def _across_governance(nodes: Sequence[NodeFiles], out: Report) -> None:
    parts = [(n, p) for n in nodes if (p := n.partition(GOVERNANCE)) and p.url is not None]
    if not parts:
        return
    reference, holders = majority([(n, p.url) for n, p in parts])
    for node, p in parts:
        if p.url != reference:
            out.add(
                18,
                node.id,
                p.file,
                p.locator,
                f"the governance registry is '{p.url}' here but '{reference}' on "
                f"{', '.join(holders)}: every node of every product shares one governance "
                "database",
            )


def _across_config(nodes: Sequence[NodeFiles], out: Report) -> None:
    summary: dict[str, tuple[str, str, list[NodeFiles]]] = {}
    for cluster, members in product_clusters(nodes).items():
        parts = [
            (n, p)
            for n in members
            if (p := n.partition(CONFIG)) and p.mount.target_path and p.url is not None
        ]
        if not parts:
            continue
        target, target_holders = majority([(n, p.mount.target_path or "") for n, p in parts])
        url, url_holders = majority([(n, p.url or "") for n, p in parts])
        for node, p in parts:
            if p.mount.target_path != target:
                out.add(
                    19,
                    node.id,
                    node.registry_file,
                    f"{p.mount.locator}/targetPath",
                    f"config target '{p.mount.target_path}' differs from '{target}' on "
                    f"{', '.join(target_holders)}: the nodes of {cluster} share one config "
                    "partition",
                )
            if p.url != url:
                out.add(
                    19,
                    node.id,
                    p.file,
                    p.locator,
                    f"the config registry is '{p.url}' here but '{url}' on "
                    f"{', '.join(url_holders)}: the nodes of {cluster} share one config database",
                )
        agreeing = [n for n, p in parts if p.mount.target_path == target and p.url == url]
        summary[cluster] = (url, target, agreeing)
    for (a, (url_a, target_a, nodes_a)), (b, (url_b, target_b, nodes_b)) in combinations(
        summary.items(), 2
    ):
        if url_a != url_b or not nested(target_a, target_b):
            continue
        how = "the same" if target_a == target_b else "nested"
        for node, mine, other, theirs in [
            *((n, target_a, b, target_b) for n in nodes_a),
            *((n, target_b, a, target_a) for n in nodes_b),
        ]:
            out.add(
                19,
                node.id,
                node.registry_file,
                f"mount[@path='{CONFIG}']/targetPath",
                f"config target '{mine}' and {other}'s '{theirs}' are {how} in one config "
                "database: products sharing it need distinct, non-nested targets",
            )


# Left out of the mount-block comparison: readOnly (workers may differ from the manager),
# the remoteInstance url attribute (unused by JDBC mounts; WSO2's examples put each node's
# host there), and what rules 16, 18 and 19 already compare with a sharper message
# (cacheId follows the datasource; targetPath is the partition).
_BLOCK_SKIPPED_REMOTE = {"id", "readOnly", "cacheId"}
_BLOCK_SKIPPED_MOUNT = {"targetPath"}


def _mount_block(reg: Registry) -> dict[str, str]:
    block = {"currentDBConfig": ", ".join(reg.current)}
    for d in reg.db_configs:
        for tag, text in d.children.items():
            block[f"{d.locator}/{tag}"] = "(set)" if tag == "password" else text
    for r in reg.remotes:
        for tag, text in r.children.items():
            if tag not in _BLOCK_SKIPPED_REMOTE:
                block[f"{r.locator}/{tag}"] = "(set)" if tag == "password" else text
    for m in reg.mounts:
        for name, value in m.attributes.items():
            if name != "path":
                block[f"{m.locator}/@{name}"] = value
        for tag, text in m.children.items():
            if tag not in _BLOCK_SKIPPED_MOUNT:
                block[f"{m.locator}/{tag}"] = text
    return block


def _across_mount_block(nodes: Sequence[NodeFiles], out: Report) -> None:
    for cluster, members in product_clusters(nodes).items():
        registries = [(n, reg) for n in members if (reg := n.registry) is not None]
        if len(registries) < 2 or all(reg is registries[0][1] for _, reg in registries):
            continue  # one registry.xml (read once) on every node: no block differs
        by_registry: dict[int, dict[str, str]] = {}
        for _, reg in registries:
            if id(reg) not in by_registry:
                by_registry[id(reg)] = _mount_block(reg)
        blocks = [(n, by_registry[id(reg)]) for n, reg in registries]
        keys = list(dict.fromkeys(k for _, b in blocks for k in b))
        for key in keys:
            values = [(n, b.get(key, "(absent)")) for n, b in blocks]
            reference, holders = majority(values)
            for node, value in values:
                if value != reference:
                    out.add(
                        22,
                        node.id,
                        node.registry_file,
                        key,
                        f"'{value}' here but '{reference}' on {', '.join(holders)}: the "
                        f"dbConfig/remoteInstance/mount block must be the same on every node "
                        f"of {cluster}",
                    )


def _across_user_management(nodes: Sequence[NodeFiles], out: Report) -> None:
    found = []
    for node in nodes:
        ds = node.by_jndi.get(node.realm_jndi or "")
        # A realm on the node's own database is reported per node; comparing its URL too
        # would only repeat that.
        if ds is not None and ds.url is not None and not is_embedded_h2(ds.url):
            found.append((node, ds))
    if not found:
        return
    reference, holders = majority([(n, ds.url) for n, ds in found])
    for node, ds in found:
        if ds.url != reference:
            out.add(
                23,
                node.id,
                ds.file,
                ds.at("url"),
                f"the user-management database is '{ds.url}' here but '{reference}' on "
                f"{', '.join(holders)}: every node of every product shares one user store",
            )


def _across_ports(nodes: Sequence[NodeFiles], out: Report) -> None:
    taken: dict[tuple[str, int], tuple[str, str]] = {}
    for node in nodes:
        offset = node.carbon_offset
        if offset is None or node.info.host is None:
            continue
        host = host_key(node.info.host)
        mine = {catalog.HTTPS_PORT + offset: "HTTPS", catalog.HTTP_PORT + offset: "HTTP"}
        clashes = [
            (port, kind, taken[(host, port)])
            for port, kind in mine.items()
            if (host, port) in taken
        ]
        if clashes:
            port, kind, (other, other_kind) = clashes[0]
            out.add(
                29,
                node.id,
                node.conf("carbon.xml"),
                "Ports/Offset",
                f"offset {offset} puts {kind} on {node.info.host}:{port}, which {other} already "
                f"uses for {other_kind}; nodes on one host need offsets that keep 9443+offset "
                "and 9763+offset apart",
            )
            continue
        for port, kind in mine.items():
            taken[(host, port)] = (node.id, kind)


def _across_clustering(nodes: Sequence[NodeFiles], out: Report) -> None:
    clustered = [n for n in nodes if n.clustering is not None and n.clustering.enabled]
    domain_key = "clustering/parameter[@name='domain']"
    domains: dict[str, tuple[str, list[NodeFiles]]] = {}
    for cluster, members in product_clusters(clustered).items():
        values = [(n, _domain(n)) for n in members]
        reference, holders = majority(values)
        for node, value in values:
            if value != reference:
                out.add(
                    30,
                    node.id,
                    node.conf("axis2/axis2.xml"),
                    domain_key,
                    f"domain '{value}' here but '{reference}' on {', '.join(holders)}: one "
                    f"product cluster ({cluster}) is one Hazelcast domain",
                )
        if reference:
            domains[cluster] = (reference, [n for n, v in values if v == reference])
    for (a, (domain_a, nodes_a)), (b, (domain_b, nodes_b)) in combinations(domains.items(), 2):
        if domain_a != domain_b:
            continue
        for node, other in [*((n, b) for n in nodes_a), *((n, a) for n in nodes_b)]:
            out.add(
                30,
                node.id,
                node.conf("axis2/axis2.xml"),
                domain_key,
                f"domain '{domain_a}' is also {other}'s: different products in one domain "
                "join each other's cluster",
            )
    owners: dict[tuple[str, int], str] = {}
    for node in clustered:
        endpoint = node.member_endpoint
        if endpoint is None:
            continue
        if endpoint in owners:
            out.add(
                30,
                node.id,
                node.conf("axis2/axis2.xml"),
                "clustering/parameter[@name='localMemberPort']",
                f"{endpoint[0]}:{endpoint[1]} is also {owners[endpoint]}'s member address; "
                "nodes on one host need different localMemberPorts",
            )
        else:
            owners[endpoint] = node.id
    groups = product_clusters(clustered)
    # A node of unknown product (not in the manifest) may belong to any cluster.
    strays = [n for n in clustered if n.info.cluster is None]
    known_in: dict[str | None, set[tuple[str, int]]] = {}
    # The nodes of a cluster list the same members: look each distinct list up once.
    unknown_in: dict[tuple[str | None, tuple[object, ...]], list[tuple[int, str, int]]] = {}
    for node in clustered:
        c = node.clustering
        assert c is not None
        scope_key = node.info.cluster
        known = known_in.get(scope_key)
        if known is None:
            peers = [*groups[scope_key], *strays] if scope_key else clustered
            known = known_in[scope_key] = {e for n in peers if (e := n.member_endpoint) is not None}
        unknown = unknown_in.get((scope_key, c.members))
        if unknown is None:
            unknown = unknown_in[(scope_key, c.members)] = _unknown_members(c.members, known)
        for i, host, port in unknown:
            scope = node.info.cluster or "the tree"
            listed = ", ".join(f"{h}:{p}" for h, p in sorted(known)) or "unknown"
            out.add(
                30,
                node.id,
                node.conf("axis2/axis2.xml"),
                f"clustering/members/member[{i}]",
                f"member {host}:{port} is no node of {scope} (their localMemberHost:"
                f"localMemberPort are {listed})",
            )


def _unknown_members(
    members: Sequence[tuple[int, str | None, str | None]], known: set[tuple[str, int]]
) -> list[tuple[int, str, int]]:
    """The (index, host, port) of each well-formed member that is no known endpoint."""
    unknown = []
    for i, host, port_text in members:
        port = port_number(port_text or "")
        if not host or port is None:
            continue  # reported per node
        if (host_key(host), port) not in known:
            unknown.append((i, host, port))
    return unknown


def _domain(node: NodeFiles) -> str:
    c = node.clustering
    return "" if c is None else c.params.get("domain", "").strip()
