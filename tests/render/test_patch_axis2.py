"""axis2.xml clustering: the real stock files from ../shared/upstream, patched for a plan.

Only `axisconfig/clustering` may change; the rest of every file must stay byte-identical,
and within `clustering` every parameter and comment the plan does not own must stay too.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests import answers_fixtures as af
from tests.upstream import upstream
from wizard.distribution import DistributionError
from wizard.plan import ClusterPlan, NodePlan
from wizard.render.axis2 import HAZELCAST_AGENT, cluster_files, patch_axis2
from wizard.render.xmltext import element_spans

BASELINE = Path(__file__).resolve().parents[2] / "wizard" / "baseline"

STOCK_AXIS2 = {
    "kernel": "carbon-kernel-4.4.x/repository/conf/axis2/axis2.xml",
    "apim-2.6.0": "apim-2.6.0/repository/conf/axis2/axis2.xml",
    "ei-integrator": "ei-6.4.0/conf/axis2/axis2.xml",
    "ei-broker": "ei-6.4.0/wso2/broker/conf/axis2/axis2.xml",
    "ei-business-process": "ei-6.4.0/wso2/business-process/conf/axis2/axis2.xml",
    # WSO2's own clustered example: kubernetes scheme, no <members> element at all.
    "kubernetes-is": "cluster-examples/kubernetes-is-v5.7.0.1/is/confs/axis2/axis2.xml",
}
OWNED = {"membershipScheme", "domain", "localMemberHost", "localMemberPort"}

CLUSTER = ClusterPlan(
    domain="wso2.apim.domain",
    local_member_host="10.0.1.12",
    local_member_port=4001,
    members=(("10.0.1.11", 4000), ("10.0.1.12", 4001), ("node-c.example.com", 4000)),
)


def parse(data: bytes) -> etree._ElementTree:
    return etree.ElementTree(etree.fromstring(data, etree.XMLParser(resolve_entities=False)))


def clustering_bytes(data: bytes) -> tuple[int, int]:
    spans = [s for s in element_spans(data) if s.name == "clustering"]
    return spans[0].start, spans[0].end


def without_clustering(data: bytes) -> bytes:
    """Canonical dump (comments kept) of the document minus its clustering element."""
    tree = parse(data)
    root = tree.getroot()
    clustering = root.find("clustering")
    if clustering is not None:
        tail = clustering.tail
        clustering.tail = None
        previous = clustering.getprevious()
        root.remove(clustering)
        # The element goes, the whitespace after it stays with whatever preceded it.
        if previous is not None:
            previous.tail = (previous.tail or "") + (tail or "")
        else:
            root.text = (root.text or "") + (tail or "")
    return etree.tostring(tree, method="c14n", with_comments=True)


def outside_owned(clustering: etree._Element) -> list[Any]:
    """What the plan does not own inside clustering: other parameters, comments, elements."""
    out: list[Any] = []
    for child in clustering:
        if child.tag is etree.Comment:
            out.append(("comment", child.text))
        elif child.tag == "parameter" and child.get("name") in OWNED:
            out.append(("owned", child.get("name"), dict(child.attrib)))
        elif child.tag == "members":
            out.append(("members",))
        else:
            out.append(etree.tostring(child, method="c14n", with_comments=True, with_tail=False))
    return out


def members_of(clustering: etree._Element) -> list[tuple[str, int]]:
    return [
        (m.findtext("hostName", "").strip(), int(m.findtext("port", "").strip()))
        for m in clustering.findall("members/member")
    ]


def param(clustering: etree._Element, name: str) -> list[str]:
    return [p.text or "" for p in clustering.findall("parameter") if p.get("name") == name]


@pytest.mark.parametrize("label", sorted(STOCK_AXIS2))
def test_real_stock_only_clustering_changes(label: str) -> None:
    stock = upstream(STOCK_AXIS2[label])
    out = patch_axis2(stock, CLUSTER)

    # Byte-identical outside the clustering element (CRLF files stay CRLF, and so on).
    s0, e0 = clustering_bytes(stock)
    s1, e1 = clustering_bytes(out)
    assert out[:s1] == stock[:s0]
    assert out[e1:] == stock[e0:]
    # The same, as canonical XML: every comment, element, attribute and text outside it.
    assert without_clustering(out) == without_clustering(stock)
    # The XML declaration (or its absence) is kept.
    assert out.startswith(b"<?xml") == stock.startswith(b"<?xml")
    if stock.startswith(b"<?xml"):
        assert out.split(b"?>", 1)[0] == stock.split(b"?>", 1)[0]
    # CRLF files do not gain bare LFs inside the element either.
    if b"\r\n" in stock:
        assert out.count(b"\n") == out.count(b"\r\n")

    before = parse(stock).getroot().find("clustering")
    after = parse(out).getroot().find("clustering")
    assert after.get("enable") == "true"
    assert after.get("class") == HAZELCAST_AGENT
    assert param(after, "membershipScheme") == ["wka"]
    assert param(after, "domain") == [CLUSTER.domain]
    assert param(after, "localMemberHost") == [CLUSTER.local_member_host]
    # Not shifted by any offset: exactly the plan's port.
    assert param(after, "localMemberPort") == [str(CLUSTER.local_member_port)]
    assert members_of(after) == list(CLUSTER.members)
    # Every other parameter, comment and element inside clustering is kept as it was.
    kept_before, kept_after = outside_owned(before), outside_owned(after)
    if ("members",) not in kept_before:  # created: the only addition allowed
        kept_after = [x for x in kept_after if x != ("members",)]
    assert kept_after == kept_before


def test_ei_stock_wka_file_is_handled() -> None:
    """EI 6.4 integrator ships wka already, with localMemberPort 4100 and an extra parameter."""
    stock = upstream(STOCK_AXIS2["ei-integrator"])
    before = parse(stock).getroot().find("clustering")
    assert param(before, "membershipScheme") == ["wka"]
    assert param(before, "localMemberPort") == ["4100"]
    after = parse(patch_axis2(stock, CLUSTER)).getroot().find("clustering")
    assert param(after, "localMemberPort") == ["4001"]
    assert param(after, "clusteringPattern") == ["nonWorkerManager"]
    assert members_of(after) == list(CLUSTER.members)


def test_maven_placeholders_stay_text() -> None:
    stock = upstream(STOCK_AXIS2["ei-broker"])
    out = patch_axis2(stock, CLUSTER)
    for placeholder in (b"${childfirstCL}", b"${product.key}", b"${hostName}:${httpsPort}"):
        assert out.count(placeholder) == stock.count(placeholder) > 0


@pytest.mark.parametrize("label", ["kernel", "ei-integrator"])
def test_patching_twice_is_patching_once(label: str) -> None:
    stock = upstream(STOCK_AXIS2[label])
    once = patch_axis2(stock, CLUSTER)
    assert patch_axis2(once, CLUSTER) == once


def test_baseline_axis2() -> None:
    stock = (BASELINE / "repository/conf/axis2/axis2.xml").read_bytes()
    root = parse(stock).getroot()
    clustering = root.find("clustering")
    # The stock defaults of a kernel node.
    assert clustering.get("enable") == "false"
    assert clustering.get("class") == HAZELCAST_AGENT
    assert param(clustering, "AvoidInitiation") == ["true"]
    assert param(clustering, "membershipScheme") == ["multicast"]
    assert param(clustering, "domain") == ["wso2.carbon.domain"]
    assert param(clustering, "mcastPort") == ["45564"]
    assert param(clustering, "localMemberHost") == ["127.0.0.1"]
    assert param(clustering, "localMemberPort") == ["4000"]
    assert members_of(clustering) == [("127.0.0.1", 4000)]
    assert clustering.find("groupManagement").get("enable") == "false"
    assert [t.get("name") for t in root.findall("transportReceiver")] == ["http", "https", "local"]
    assert {p.get("type") for p in root.findall("phaseOrder")} == {
        "InFlow",
        "OutFlow",
        "InFaultFlow",
        "OutFaultFlow",
    }
    assert b"carbon-wizard" in stock and b"Apache License" in stock

    out = patch_axis2(stock, CLUSTER)
    s0, e0 = clustering_bytes(stock)
    s1, e1 = clustering_bytes(out)
    assert (out[:s1], out[e1:]) == (stock[:s0], stock[e0:])
    assert members_of(parse(out).getroot().find("clustering")) == list(CLUSTER.members)


WITHOUT_MEMBERS = b"""<?xml version="1.0" encoding="UTF-8"?>
<axisconfig name="AxisJava2.0">
    <!-- kept -->
    <clustering class="org.example.OtherAgent" enable='false'>
        <parameter name="AvoidInitiation">true</parameter>
        <parameter name="custom" locked="false">x &amp; y</parameter>
    </clustering>
</axisconfig>
"""


def test_missing_parameters_and_members_are_created() -> None:
    out = patch_axis2(WITHOUT_MEMBERS, CLUSTER)
    clustering = parse(out).getroot().find("clustering")
    assert clustering.get("class") == HAZELCAST_AGENT
    assert clustering.get("enable") == "true"
    assert b"enable='true'" in out  # the stock quote character is kept
    assert param(clustering, "custom") == ["x & y"]
    assert param(clustering, "domain") == [CLUSTER.domain]
    assert members_of(clustering) == list(CLUSTER.members)
    # New lines are indented like their siblings.
    assert b'\n        <parameter name="membershipScheme">wka</parameter>' in out
    assert b"\n        <members>\n            <member>\n                <hostName>" in out
    assert out.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<axisconfig')


def test_missing_clustering_element_is_added() -> None:
    stock = b"<axisconfig>\r\n    <module ref='addressing'/>\r\n</axisconfig>\r\n"
    out = patch_axis2(stock, CLUSTER)
    assert out.startswith(b"<axisconfig>\r\n    <module ref='addressing'/>\r\n")
    assert out.count(b"\n") == out.count(b"\r\n")
    clustering = parse(out).getroot().find("clustering")
    assert clustering.get("enable") == "true"
    assert members_of(clustering) == list(CLUSTER.members)


def test_empty_clustering_element_is_filled() -> None:
    stock = b'<axisconfig>\n  <clustering enable="false"/>\n</axisconfig>\n'
    clustering = parse(patch_axis2(stock, CLUSTER)).getroot().find("clustering")
    assert param(clustering, "localMemberHost") == [CLUSTER.local_member_host]
    assert members_of(clustering) == list(CLUSTER.members)


def test_not_an_axis2_file() -> None:
    with pytest.raises(ValueError, match="axisconfig"):
        patch_axis2(b"<Server/>", CLUSTER)


class DictStock:
    label = "product distribution /dist/wso2am-2.6.0.zip"

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    def read(self, path: str) -> bytes | None:
        return self.files.get(path)


def ei_answers() -> dict[str, Any]:
    data = copy.deepcopy(af.SHARED)
    data["products"] = [
        {
            "id": "ei",
            "version": "6.4.0",
            "profile": "broker",
            "databases": {
                "WSO2_MB_STORE_DB": {"name": "WSO2_MB_DB", "user": "mbadmin", "password": "mb"}
            },
            "nodes": [
                {"id": "mb-1", "host": "10.0.2.1", "offset": 3},
                {"id": "mb-2", "host": "10.0.2.1", "offset": 4},
            ],
        }
    ]
    return data


def test_cluster_files_reads_the_node_conf_dir() -> None:
    plan = af.build(ei_answers())
    node = plan.node("mb-2")
    stock = DictStock(
        {
            "wso2/broker/conf/axis2/axis2.xml": upstream(STOCK_AXIS2["ei-broker"]),
            "wso2/broker/conf/carbon.xml": upstream("ei-6.4.0/wso2/broker/conf/carbon.xml"),
        }
    )
    files = cluster_files(node, stock)
    assert sorted(files) == ["wso2/broker/conf/axis2/axis2.xml", "wso2/broker/conf/carbon.xml"]
    clustering = parse(files["wso2/broker/conf/axis2/axis2.xml"]).getroot().find("clustering")
    assert members_of(clustering) == [("10.0.2.1", 4003), ("10.0.2.1", 4004)]
    assert param(clustering, "localMemberPort") == ["4004"]
    carbon = parse(files["wso2/broker/conf/carbon.xml"]).getroot()
    ns = "{http://wso2.org/projects/carbon/carbon.xml}"
    assert carbon.findtext(f"{ns}Ports/{ns}Offset") == "4"


def test_cluster_files_follow_the_options() -> None:
    data = af.variant("cluster", {"clustering": False, "port_offsets": False})
    assert cluster_files(af.build(data).nodes[0], DictStock({})) == {}
    node = af.build(af.variant("cluster", {"clustering": False})).nodes[0]
    carbon = upstream("carbon-kernel-4.4.x/repository/conf/carbon.xml")
    files = cluster_files(node, DictStock({"repository/conf/carbon.xml": carbon}))
    assert list(files) == ["repository/conf/carbon.xml"]


def test_cluster_files_without_a_stock_file() -> None:
    node: NodePlan = af.build().nodes[0]
    with pytest.raises(DistributionError, match=r"has no repository/conf/axis2/axis2\.xml"):
        cluster_files(node, DictStock({}))


# ---- the rules module over a small tree (rules 29 and 30) ----------------------------------

STOCK_FOR = {
    ("apim", "repository/conf/axis2/axis2.xml"): STOCK_AXIS2["apim-2.6.0"],
    ("apim", "repository/conf/carbon.xml"): "carbon-kernel-4.4.x/repository/conf/carbon.xml",
    ("is", "repository/conf/axis2/axis2.xml"): STOCK_AXIS2["kernel"],
    ("is", "repository/conf/carbon.xml"): "carbon-kernel-4.4.x/repository/conf/carbon.xml",
    ("ei-broker", "wso2/broker/conf/axis2/axis2.xml"): STOCK_AXIS2["ei-broker"],
    ("ei-broker", "wso2/broker/conf/carbon.xml"): "ei-6.4.0/wso2/broker/conf/carbon.xml",
}


def cluster_tree(data: dict[str, Any]) -> dict[str, bytes]:
    """nodes/<id>/... with each node's patched axis2.xml and carbon.xml, plus a manifest."""
    plan = af.build(data)
    files: dict[str, bytes] = {}
    entries = []
    for node in plan.nodes:
        stock = DictStock(
            {
                path: upstream(relative)
                for (key, path), relative in STOCK_FOR.items()
                if key == node.product_key
            }
        )
        rendered = cluster_files(node, stock)
        files.update({f"nodes/{node.id}/{p}": c for p, c in rendered.items()})
        entries.append(
            {
                "id": node.id,
                "product": node.product,
                "product_key": node.product_key,
                "profile": node.profile,
                "host": node.host,
                "offset": node.offset,
                "conf_dir": node.conf_dir,
                "lib_dir": node.lib_dir,
            }
        )
    files["manifest.json"] = json.dumps({"schema_version": 1, "nodes": entries}).encode()
    return files


def three_products() -> dict[str, Any]:
    data = copy.deepcopy(af.SHARED)
    data["products"][0]["nodes"].append({"id": "apim-3", "host": "10.0.1.11", "offset": 1})
    data["products"][1]["nodes"] = [
        {"id": "is-1", "host": "10.0.1.11", "offset": 2},
        {"id": "is-2", "host": "10.0.1.13"},
    ]
    data["products"].append(ei_answers()["products"][0])
    return af.with_is_workflow(data)


def findings(files: dict[str, bytes], numbers: set[int]) -> list[str]:
    rules = pytest.importorskip("wizard.rules")
    return [str(f) for f in rules.check_files(files) if f.rule in numbers]


def test_rules_29_and_30_hold_on_real_stock_files() -> None:
    files = cluster_tree(three_products())
    assert findings(files, {29, 30}) == []


def test_rules_29_and_30_catch_a_broken_tree() -> None:
    # The same check must fail when the files disagree, or it proves nothing.
    files = cluster_tree(three_products())
    path = "nodes/apim-2/repository/conf/axis2/axis2.xml"
    files[path] = files[path].replace(b">wso2.apim.domain<", b">wso2.is.domain<")
    path = "nodes/apim-3/repository/conf/carbon.xml"
    files[path] = files[path].replace(b"<Offset>1</Offset>", b"<Offset>0</Offset>")
    found = findings(files, {29, 30})
    assert any("apim-2" in f and "domain" in f for f in found)
    assert any(f.startswith("rule 29 · apim-3") for f in found)
