"""axis2.xml: Hazelcast clustering with well-known members, and the node's cluster files.

Only `axisconfig/clustering` changes, and within it only what the plan owns: the `enable` and
`class` attributes, the `membershipScheme`, `domain`, `localMemberHost` and `localMemberPort`
parameters, and the `members` list. Every other byte of the stock file stays as it was (see
`wizard.render.xmltext` for how the splicing works).
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from lxml import etree

from wizard.distribution import DistributionError
from wizard.plan import ClusterPlan
from wizard.render import xmltools
from wizard.render.carbonxml import patch_carbon
from wizard.render.xmltext import (
    Edit,
    Span,
    SpanMap,
    attributes,
    child_indent,
    encode,
    end_of_content,
    indent_step,
    line_indent,
    parsed,
    splice,
    xml_encoding,
)

if TYPE_CHECKING:
    from wizard.distribution import Stock
    from wizard.plan import NodePlan

HAZELCAST_AGENT = "org.wso2.carbon.core.clustering.hazelcast.HazelcastClusteringAgent"
WKA = "wka"

AXIS2_FILE = "axis2/axis2.xml"
CARBON_FILE = "carbon.xml"
"""Both relative to the node's conf dir."""


def cluster_files(node: NodePlan, stock: Stock) -> dict[str, bytes]:
    """The node's axis2.xml (when it clusters) and carbon.xml (when its offset is written),
    patched from `stock`; keys are paths relative to PRODUCT_HOME."""
    out: dict[str, bytes] = {}
    if node.cluster is not None:
        path = node.conf_path(AXIS2_FILE)
        out[path] = patch_axis2(_read(stock, path), node.cluster)
    if node.write_offset:
        path = node.conf_path(CARBON_FILE)
        out[path] = patch_carbon(_read(stock, path), node.offset)
    return out


def _read(stock: Stock, path: str) -> bytes:
    data = stock.read(path)
    if data is None:
        # The baseline has both: only a distribution (an incomplete or damaged one) lacks them.
        raise DistributionError(
            f"{stock.label} has no {path}; point distribution at a complete PRODUCT_HOME or "
            "zip (or leave it out to use the built-in kernel baseline)"
        )
    return data


def cluster_parameters(cluster: ClusterPlan) -> dict[str, str]:
    """The `clustering/parameter` values the plan owns, in the order a new file lists them."""
    return {
        "membershipScheme": WKA,
        "domain": cluster.domain,
        "localMemberHost": cluster.local_member_host,
        # Hazelcast uses the port as written; Carbon's port offset does not apply to it.
        "localMemberPort": str(cluster.local_member_port),
    }


def patch_axis2(stock: bytes, cluster: ClusterPlan) -> bytes:
    """`stock` axis2.xml with clustering on: Hazelcast, wka, the plan's domain, local member
    and members (in plan order). Other parameters, comments and bytes are kept."""
    around = _around_local_host(stock, cluster.domain, cluster.local_member_port, cluster.members)
    if around is None:
        return _patch_axis2(stock, cluster)
    head, tail, encoding = around
    return b"".join((head, encode(xmltools.text(cluster.local_member_host), encoding), tail))


# Stands for the node's own host while a cluster's common file is rendered: no character
# that escaping or encoding changes, and no name a stock file or a host would use.
_HOST_MARK = "carbon-wizard.local-member-host.4f1c9a"
# Encodings that encode a text piece by piece as they do whole (no BOM, no shift states).
_STATELESS = re.compile(r"utf-8|ascii|iso8859-\d+|cp125\d")


@lru_cache(maxsize=256)
def _around_local_host(
    stock: bytes, domain: str, port: int, members: tuple[tuple[str, int], ...]
) -> tuple[bytes, bytes, str] | None:
    """The patched file's bytes before and after the localMemberHost value, which is all
    that differs between the nodes of a cluster: rendered once per cluster, not per node.
    None when the file cannot be split there (then each node's file is patched whole)."""
    encoding = xml_encoding(stock)
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    if not _STATELESS.fullmatch(name):
        return None
    cluster = ClusterPlan(domain, _HOST_MARK, port, members)
    mark = encode(_HOST_MARK, encoding)
    patched = _patch_axis2(stock, cluster)
    if patched.count(mark) != 1:
        return None
    head, _, tail = patched.partition(mark)
    return head, tail, encoding


def _patch_axis2(stock: bytes, cluster: ClusterPlan) -> bytes:
    doc = parsed(stock)
    root = doc.root
    if root.tag != "axisconfig":
        raise ValueError(f"not an axis2.xml: root element is {root.tag}, expected axisconfig")
    m = doc.markup
    nl = m.nl

    # Axis2 reads the first clustering element only; a second one is left alone.
    clustering = root.find("clustering")
    if clustering is None:
        indent = m.children_indent(root)
        markup = _new_clustering(cluster, indent, indent_step(indent), nl)
        # A section of its own at the end of the file, after a blank line, as the stock
        # files separate theirs.
        at = end_of_content(stock, m.span(root))
        return splice(stock, [Edit(at, at, m.encode(f"{nl}{nl}{indent}{markup}"))])
    span = m.span(clustering)
    indent = line_indent(stock, span.start)
    if span.empty_tag:
        markup = _new_clustering(cluster, indent, indent_step(indent), nl)
        return splice(stock, [span.replace(m.encode(markup))])

    values = {"class": HAZELCAST_AGENT, "enable": "true"}
    edits = _attribute_edits(stock, span, values, m.encoding)
    inner = child_indent(stock, span)
    unit = indent_step(indent, inner)
    present: list[Span] = []
    missing: list[str] = []
    for name, value in cluster_parameters(cluster).items():
        found = [p for p in clustering.findall("parameter") if p.get("name") == name]
        if not found:
            missing.append(f'<parameter name="{name}">{xmltools.text(value)}</parameter>')
        for parameter in found:
            # Every copy gets the value: Axis2 keeps the last, readers see the first.
            present.append(m.span(parameter))
            edits.append(m.span(parameter).replace_content(m.encode(xmltools.text(value))))
    if missing:
        anchor = max(present, key=lambda s: s.end, default=None) or _last_parameter(
            clustering, m.spans
        )
        at = anchor.end if anchor is not None else span.open_end
        edits.append(Edit(at, at, m.encode("".join(f"{nl}{inner}{x}" for x in missing))))

    members = clustering.find("members")
    if members is not None:
        members_span = m.span(members)
        own = line_indent(stock, members_span.start)
        step = indent_step(own, child_indent(stock, members_span))
        edits.append(members_span.replace_content(m.encode(_member_list(cluster, own, step, nl))))
    else:
        block = "<members>" + _member_list(cluster, inner, unit, nl) + "</members>"
        group = clustering.find("groupManagement")
        if group is not None:
            edits.append(m.insert_before(group, block))
        else:
            at = end_of_content(stock, span)
            edits.append(Edit(at, at, m.encode(f"{nl}{inner}{block}")))
    return splice(stock, edits)


def _member_list(cluster: ClusterPlan, indent: str, unit: str, nl: str) -> str:
    """The inside of `members`: one `member` per node, then the closing tag's indentation."""
    return _members_text(cluster.members, indent, unit, nl)


@lru_cache(maxsize=256)
def _members_text(members: tuple[tuple[str, int], ...], indent: str, unit: str, nl: str) -> str:
    # Every node of a cluster lists the same members: format the list once per cluster.
    one, two = indent + unit, indent + unit + unit
    parts = [
        f"{nl}{one}<member>"
        f"{nl}{two}<hostName>{xmltools.text(host)}</hostName>"
        f"{nl}{two}<port>{port}</port>"
        f"{nl}{one}</member>"
        for host, port in members
    ]
    return "".join(parts) + f"{nl}{indent}"


def _new_clustering(cluster: ClusterPlan, indent: str, unit: str, nl: str) -> str:
    """A complete clustering element, for files that have none (or an empty one)."""
    inner = indent + unit
    lines = [f'<clustering class="{HAZELCAST_AGENT}" enable="true">']
    lines += [
        f'{inner}<parameter name="{name}">{xmltools.text(value)}</parameter>'
        for name, value in cluster_parameters(cluster).items()
    ]
    lines.append(f"{inner}<members>{_member_list(cluster, inner, unit, nl)}</members>")
    lines.append(f"{indent}</clustering>")
    return nl.join(lines)


def _last_parameter(clustering: etree._Element, spans: SpanMap) -> Span | None:
    params = clustering.findall("parameter")
    return spans.span(params[-1]) if params else None


def _attribute_edits(data: bytes, span: Span, values: dict[str, str], encoding: str) -> list[Edit]:
    """Edits that set attributes of `span`'s start tag, keeping each one's place and quotes."""
    found, after_last = attributes(data, span)
    edits = []
    added = ""
    for name, value in values.items():
        attribute = found.get(name)
        if attribute is None:
            added += f' {name}="{_quote(value, chr(34))}"'
            continue
        if attribute.quoted[1:-1].decode(encoding) == value:
            continue  # already right: leave the bytes alone
        quote = attribute.quote
        text = f"{quote}{_quote(value, quote)}{quote}"
        edits.append(Edit(attribute.start, attribute.end, encode(text, encoding)))
    if added:
        edits.append(Edit(after_last, after_last, encode(added, encoding)))
    return edits


def _quote(value: str, quote: str) -> str:
    text = xmltools.text(value)
    return text.replace('"', "&quot;") if quote == '"' else text.replace("'", "&apos;")
