"""axis2.xml is rendered once per cluster and each node's own host put in its place; the
bytes must be those of patching the stock file for that node alone."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.upstream import upstream
from wizard.plan import ClusterPlan
from wizard.render import axis2
from wizard.render.axis2 import patch_axis2

BASELINE = Path(__file__).resolve().parents[2] / "wizard" / "baseline"
KERNEL = "carbon-kernel-4.4.x/repository/conf/axis2/axis2.xml"

CLUSTER = ClusterPlan(
    domain="wso2.apim.domain",
    local_member_host="10.0.1.12",
    local_member_port=4001,
    members=(("10.0.1.11", 4000), ("10.0.1.12", 4001), ("node-c.example.com", 4000)),
)

STOCKS: dict[str, bytes] = {
    "members missing": b"""<?xml version="1.0" encoding="UTF-8"?>
<axisconfig>
    <clustering class="org.example.OtherAgent" enable='false'>
        <parameter name="custom">x &amp; y</parameter>
    </clustering>
</axisconfig>
""",
    "no clustering": b"<axisconfig>\r\n    <module ref='addressing'/>\r\n</axisconfig>\r\n",
    "empty clustering": b'<axisconfig>\n  <clustering enable="false"/>\n</axisconfig>\n',
    "two localMemberHost, ISO-8859-1": """<?xml version="1.0" encoding="ISO-8859-1"?>
<axisconfig><!-- caf\u00e9 -->
    <clustering enable="true">
        <parameter name="localMemberHost">old</parameter>
        <parameter name="localMemberHost">older</parameter>
        <members/>
    </clustering>
</axisconfig>
""".encode("latin-1"),
    "the mark in a comment": f"""<axisconfig>
    <!-- {axis2._HOST_MARK} -->
    <clustering enable="true"><parameter name="localMemberHost">x</parameter></clustering>
</axisconfig>
""".encode(),
    "baseline": (BASELINE / "repository/conf/axis2/axis2.xml").read_bytes(),
}

HOSTS = ["10.0.1.12", "node-b.example.com", "a&b<c>", "h\u00e9", "h\u0101st", ""]


def whole(stock: bytes, cluster: ClusterPlan) -> bytes:
    """The file patched for this node alone."""
    return axis2._patch_axis2(stock, cluster)


@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("label", sorted(STOCKS))
def test_each_nodes_host_in_the_clusters_file_is_the_file_patched_whole(
    label: str, host: str
) -> None:
    cluster = replace(CLUSTER, local_member_host=host)
    assert patch_axis2(STOCKS[label], cluster) == whole(STOCKS[label], cluster)


def test_a_real_stock_file_too() -> None:
    stock = upstream(KERNEL)
    for host in HOSTS:
        cluster = replace(CLUSTER, local_member_host=host)
        assert patch_axis2(stock, cluster) == whole(stock, cluster)


def test_the_cluster_is_rendered_once() -> None:
    stock = STOCKS["baseline"]
    members = (("10.9.0.1", 4000), ("10.9.0.2", 4000))
    axis2._around_local_host.cache_clear()
    for host, _ in members:
        patch_axis2(stock, replace(CLUSTER, local_member_host=host, members=members))
    assert axis2._around_local_host.cache_info().misses == 1


def test_a_file_the_mark_would_be_ambiguous_in_is_patched_whole() -> None:
    assert axis2._around_local_host(STOCKS["the mark in a comment"], "d", 4000, ()) is None
