"""axis2.xml: Hazelcast clustering with well-known members, and the node's cluster files.

Only `axisconfig/clustering` changes, and within it only what the plan owns: the `enable` and
`class` attributes, the `membershipScheme`, `domain`, `localMemberHost` and `localMemberPort`
parameters, and the `members` list. Every other byte of the stock file stays as it was (see
`wizard.render.carbonxml` for how the splicing works).
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from lxml import etree

from wizard.plan import ClusterPlan
from wizard.render import xmltools
from wizard.render.carbonxml import (
    Edit,
    Span,
    SpanMap,
    child_indent,
    line_indent,
    newline_of,
    parsed,
    patch_carbon,
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
        raise FileNotFoundError(f"{path}: neither the distribution nor the baseline has it")
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
    return b"".join((head, _encode(xmltools.text(cluster.local_member_host), encoding), tail))


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
    mark = _encode(_HOST_MARK, encoding)
    patched = _patch_axis2(stock, cluster)
    if patched.count(mark) != 1:
        return None
    head, _, tail = patched.partition(mark)
    return head, tail, encoding


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="xmlcharrefreplace")


def _patch_axis2(stock: bytes, cluster: ClusterPlan) -> bytes:
    doc = parsed(stock)
    root = doc.root
    if root.tag != "axisconfig":
        raise ValueError(f"not an axis2.xml: root element is {root.tag}, expected axisconfig")
    spans = doc.spans
    encoding = xml_encoding(stock)
    nl = newline_of(stock)

    def encode(text: str) -> bytes:
        return _encode(text, encoding)

    # Axis2 reads the first clustering element only; a second one is left alone.
    clustering = root.find("clustering")
    if clustering is None:
        root_span = spans.root
        indent = child_indent(stock, root_span)
        markup = _new_clustering(cluster, indent, _unit(indent), nl)
        return _insert_before_close(stock, root_span, encode(markup), indent, nl)
    span = spans.span(clustering)
    indent = line_indent(stock, span.start)
    if span.empty_tag:
        markup = _new_clustering(cluster, indent, _unit(indent), nl)
        return splice(stock, [span.replace(encode(markup))])

    edits = _attribute_edits(stock, span, {"class": HAZELCAST_AGENT, "enable": "true"}, encoding)
    inner = child_indent(stock, span)
    unit = _unit(indent, inner)
    present: list[Span] = []
    missing: list[str] = []
    for name, value in cluster_parameters(cluster).items():
        found = [p for p in clustering.findall("parameter") if p.get("name") == name]
        if not found:
            missing.append(f'<parameter name="{name}">{xmltools.text(value)}</parameter>')
        for parameter in found:
            # Every copy gets the value: Axis2 keeps the last, readers see the first.
            present.append(spans.span(parameter))
            edits.append(spans.span(parameter).replace_content(encode(xmltools.text(value))))
    if missing:
        anchor = max(present, key=lambda s: s.end, default=None) or _last_parameter(
            clustering, spans
        )
        text = "".join(f"{nl}{inner}{m}" for m in missing)
        if anchor is not None:
            edits.append(Edit(anchor.end, anchor.end, encode(text)))
        else:
            edits.append(Edit(span.open_end, span.open_end, encode(text)))

    members = clustering.find("members")
    if members is not None:
        members_span = spans.span(members)
        own = line_indent(stock, members_span.start)
        content = _member_list(cluster, own, _unit(own, child_indent(stock, members_span)), nl)
        edits.append(members_span.replace_content(encode(content)))
    else:
        block = "<members>" + _member_list(cluster, inner, unit, nl) + "</members>"
        group = clustering.find("groupManagement")
        if group is not None:
            at = spans.span(group).start
            edits.append(Edit(at, at, encode(f"{block}{nl}{line_indent(stock, at)}")))
        else:
            at = _end_of_content(stock, span)
            edits.append(Edit(at, at, encode(f"{nl}{inner}{block}")))
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


def _unit(outer: str, inner: str | None = None) -> str:
    """One indentation step: what `inner` adds to `outer`, else 4 spaces (a tab in tab files)."""
    if inner is not None and inner.startswith(outer) and len(inner) > len(outer):
        return inner[len(outer) :]
    return "\t" if outer.endswith("\t") else "    "


def _last_parameter(clustering: etree._Element, spans: SpanMap) -> Span | None:
    params = clustering.findall("parameter")
    return spans.span(params[-1]) if params else None


def _end_of_content(data: bytes, span: Span) -> int:
    """Just past the last non-blank byte inside `span` (before the closing tag's indent)."""
    inner = data[span.open_end : span.close_start]
    return span.open_end + len(inner.rstrip())


def _insert_before_close(data: bytes, parent: Span, markup: bytes, indent: str, nl: str) -> bytes:
    at = _end_of_content(data, parent)
    encoding = xml_encoding(data)
    return splice(data, [Edit(at, at, f"{nl}{nl}{indent}".encode(encoding) + markup)])


_ATTRIBUTE = re.compile(rb"""(\s+)([^\s=/>]+)(\s*=\s*)("[^"]*"|'[^']*')""")


def _attribute_edits(data: bytes, span: Span, values: dict[str, str], encoding: str) -> list[Edit]:
    """Edits that set attributes of `span`'s start tag, keeping each one's place and quotes."""
    tag = data[span.start : span.open_end]
    found: dict[str, re.Match[bytes]] = {}
    last_end = len(b"<") + len(span.name.encode("utf-8"))
    for m in _ATTRIBUTE.finditer(tag, last_end):
        found.setdefault(m.group(2).decode("utf-8"), m)
        last_end = m.end()
    edits = []
    added = ""
    for name, value in values.items():
        m = found.get(name)
        if m is None:
            added += f' {name}="{_quote(value, chr(34))}"'
            continue
        quote = chr(m.group(4)[0])
        if m.group(4)[1:-1].decode(encoding) == value:
            continue  # already right: leave the bytes alone
        start = span.start + m.start(4)
        text = f"{quote}{_quote(value, quote)}{quote}"
        edits.append(Edit(start, start + len(m.group(4)), text.encode(encoding)))
    if added:
        at = span.start + last_end
        edits.append(Edit(at, at, added.encode(encoding, errors="xmlcharrefreplace")))
    return edits


def _quote(value: str, quote: str) -> str:
    text = xmltools.text(value)
    return text.replace('"', "&quot;") if quote == '"' else text.replace("'", "&apos;")
