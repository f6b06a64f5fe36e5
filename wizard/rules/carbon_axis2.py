"""Rules 29 and 30 on one node: carbon.xml's port offset, and axis2.xml's Hazelcast
clustering (agent, wka, domain, a reachable localMemberHost, well-formed members). Ports and
members across nodes are in `across`."""

from __future__ import annotations

from collections.abc import Sequence

from wizard.rules.facts import NodeFiles
from wizard.rules.findings import Report
from wizard.rules.models import offset_text
from wizard.rules.reading import CARBON_NS, HAZELCAST_AGENT, is_loopback, port_number


def check_carbon_xml(node: NodeFiles, out: Report) -> None:
    path = node.conf("carbon.xml")
    root = node.xml(path)
    if root is None:
        return
    if root.tag != f"{{{CARBON_NS}}}Server":
        out.add(
            29,
            node.id,
            path,
            "",
            f"the root element is {root.tag}, not Server in namespace {CARBON_NS}",
        )
        return
    value = offset_text(root)
    if value is None:
        out.add(29, node.id, path, "Ports/Offset", "carbon.xml has no Ports/Offset")
    elif node.carbon_offset is None:
        out.add(29, node.id, path, "Ports/Offset", f"Offset {value!r} is not a whole number >= 0")


def check_axis2_xml(node: NodeFiles, out: Report) -> None:
    path = node.axis2_file
    tag = node.root_tag(path)
    if tag is None:
        return
    if tag != "axisconfig":
        out.add(30, node.id, path, "", f"the root element is <{tag}>, not <axisconfig>")
        return
    c = node.clustering
    assert c is not None
    if not c.enabled:
        if node.registry_caching:
            out.add(
                30,
                node.id,
                path,
                "clustering/@enable",
                "clustering is off while registry caching is on: the nodes' caches would "
                'never be invalidated; set enable="true"',
            )
        return
    if c.agent != HAZELCAST_AGENT:
        out.add(
            30, node.id, path, "clustering/@class", f"class is {c.agent!r}, not {HAZELCAST_AGENT}"
        )
    scheme = c.params.get("membershipScheme", "multicast").strip()
    if scheme != "wka":
        out.add(
            30,
            node.id,
            path,
            "clustering/parameter[@name='membershipScheme']",
            f"membershipScheme is '{scheme}', not 'wka'",
        )
    if not c.params.get("domain", "").strip():
        out.add(30, node.id, path, "clustering/parameter[@name='domain']", "no clustering domain")
    host = c.params.get("localMemberHost", "").strip()
    where = "clustering/parameter[@name='localMemberHost']"
    if not host:
        out.add(
            30,
            node.id,
            path,
            where,
            "no localMemberHost: other members cannot be told where this one is",
        )
    elif is_loopback(host):
        out.add(
            30,
            node.id,
            path,
            where,
            f"localMemberHost '{host}' is a loopback address; other nodes cannot reach it "
            "(give the node's own IP address)",
        )
    port_text = c.params.get("localMemberPort")
    if port_text is not None and port_number(port_text) is None:
        out.add(
            30,
            node.id,
            path,
            "clustering/parameter[@name='localMemberPort']",
            f"localMemberPort {port_text!r} is not a port number",
        )
    # The nodes of a cluster list the same members: each distinct list is read once.
    for i in node.shared.fact(("bad members", c.members), lambda: _bad_members(c.members)):
        out.add(
            30,
            node.id,
            path,
            f"clustering/members/member[{i}]",
            f"member {i} needs a hostName and a port number",
        )


def _bad_members(members: Sequence[tuple[int, str | None, str | None]]) -> list[int]:
    """The index of each member without a hostName or a port number."""
    return [
        i
        for i, host, port in members
        if not (host or "").strip() or port_number(port or "") is None
    ]
