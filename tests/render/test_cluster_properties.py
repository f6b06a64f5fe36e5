"""Property tests over random valid topologies: cluster membership, member ports, offsets,
domains, and the axis2.xml/carbon.xml every node gets from the baseline."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from wizard import answers, plan

try:
    from wizard import rules
except ImportError:  # the rules module is optional for these properties
    rules = None  # type: ignore[assignment]
from wizard.catalog import PRODUCTS
from wizard.render.axis2 import patch_axis2
from wizard.render.carbonxml import CARBON_NS, patch_carbon

BASELINE = Path(__file__).resolve().parents[2] / "wizard" / "baseline" / "repository" / "conf"
AXIS2 = (BASELINE / "axis2" / "axis2.xml").read_bytes()
CARBON = (BASELINE / "carbon.xml").read_bytes()

# Few hosts, so that nodes of one and of different products share hosts.
HOSTS = ["10.0.1.11", "10.0.1.12", "10.0.1.13", "node-a.example.com"]
# Every product cluster the catalog knows: each product, and each non-default EI profile.
CLUSTERS = [
    (pid, None if name == product.default_profile else name)
    for pid, product in sorted(PRODUCTS.items())
    for name in sorted(product.profiles)
]


@st.composite
def topologies(draw: st.DrawFn) -> dict[str, Any]:
    counter = iter(range(10_000))

    def spec() -> dict[str, Any]:
        n = next(counter)
        return {"name": f"DB{n}", "user": f"u{n}", "password": "s3cret"}

    engine = draw(st.sampled_from(["mysql5.7", "postgresql", "mariadb", "oracle"]))
    database = {
        "engine": engine,
        "host": "db.example.com",
        "registry": spec(),
        "user_management": spec(),
    }
    chosen = draw(st.lists(st.sampled_from(CLUSTERS), min_size=1, max_size=4, unique=True))
    if ("is-km", None) in chosen and ("apim", None) not in chosen:
        chosen.append(("apim", None))  # IS as Key Manager serves an API Manager of the plan
    offsets: dict[str, set[int]] = defaultdict(set)
    products = []
    for pid, profile in chosen:
        product = PRODUCTS[pid]
        entry: dict[str, Any] = {
            "id": pid,
            "version": draw(st.sampled_from(sorted(product.versions))),
        }
        if profile:
            entry["profile"] = profile
        if pid in ("apim", "is-km"):
            # Each side of a key manager with several nodes is reached through its balancer.
            entry["load_balancer"] = f"{pid}.lb.example.com"
        dbs = product.profile(profile).databases
        if dbs:
            entry["databases"] = {db.key: spec() for db in dbs}
        nodes = []
        for _ in range(draw(st.integers(min_value=1, max_value=5))):
            host = draw(st.sampled_from(HOSTS))
            # Offsets distinct per host (the model's rule), with random gaps.
            free = [o for o in range(41) if o not in offsets[host]]
            offset = draw(st.sampled_from(free))
            offsets[host].add(offset)
            nodes.append({"id": f"n{next(counter)}", "host": host, "offset": offset})
        entry["nodes"] = nodes
        products.append(entry)
    return {"schema_version": 1, "name": "random", "database": database, "products": products}


def texts(clustering: etree._Element, name: str) -> list[str]:
    return [p.text or "" for p in clustering.findall("parameter") if p.get("name") == name]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(topologies())
def test_cluster_plan_properties(data: dict[str, Any]) -> None:
    topology = answers.parse(data)
    built = plan.build(topology)
    by_product = {p.key: p for p in topology.products}

    domains: dict[str, str] = {}
    for node in built.nodes:
        assert node.cluster is not None
        product = by_product[node.product_key]
        # Members: exactly this product's nodes, in answer order, with their member ports.
        expected = tuple((n.host, n.effective_member_port) for n in product.nodes)
        assert node.cluster.members == expected
        assert (node.host, node.cluster.local_member_port) in node.cluster.members
        assert node.cluster.local_member_host == node.host
        assert domains.setdefault(node.product_key, node.cluster.domain) == node.cluster.domain

    # Every product cluster has its own domain.
    assert len(set(domains.values())) == len(domains)
    # (host, member port) unique across all nodes of all products.
    pairs = [(n.host, n.cluster.local_member_port) for n in built.nodes if n.cluster]
    assert len(pairs) == len(set(pairs))
    # Offsets distinct per host, so 9443+offset and 9763+offset are too.
    per_host = [(n.host, n.offset) for n in built.nodes]
    assert len(per_host) == len(set(per_host))
    https = [(n.host, n.https_port) for n in built.nodes]
    assert len(https) == len(set(https))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(topologies())
def test_patched_baseline_files_agree_with_the_plan(data: dict[str, Any]) -> None:
    built = plan.build(answers.parse(data))
    files: dict[str, bytes] = {}
    entries = []
    members_of_product: dict[str, set[tuple[str, int]]] = defaultdict(set)
    locals_seen: set[tuple[str, int]] = set()
    ns = f"{{{CARBON_NS}}}"
    for node in built.nodes:
        assert node.cluster is not None
        clustering = etree.fromstring(patch_axis2(AXIS2, node.cluster)).find("clustering")
        # Rule 30 on the written file.
        assert clustering.get("enable") == "true"
        assert texts(clustering, "membershipScheme") == ["wka"]
        assert texts(clustering, "domain") == [node.cluster.domain]
        host = texts(clustering, "localMemberHost")[0]
        port = int(texts(clustering, "localMemberPort")[0])
        assert (host, port) not in locals_seen
        locals_seen.add((host, port))
        members = [
            (m.findtext("hostName"), int(m.findtext("port") or 0))
            for m in clustering.findall("members/member")
        ]
        assert members == list(node.cluster.members)
        members_of_product[node.product_key].add((host, port))
        # Rule 29 on the written file.
        carbon = patch_carbon(CARBON, node.offset)
        root = etree.fromstring(carbon)
        assert root.findtext(f"{ns}Ports/{ns}Offset") == str(node.offset)
        files[f"nodes/{node.id}/{node.conf_path('axis2/axis2.xml')}"] = patch_axis2(
            AXIS2, node.cluster
        )
        files[f"nodes/{node.id}/{node.conf_path('carbon.xml')}"] = carbon
        entries.append(
            {
                "id": node.id,
                "product": node.product,
                "product_key": node.product_key,
                "profile": node.profile,
                "host": node.host,
                "conf_dir": node.conf_dir,
                "lib_dir": node.lib_dir,
            }
        )
    # Every listed member is some node's (localMemberHost, localMemberPort) in its product.
    for node in built.nodes:
        assert node.cluster is not None
        assert set(node.cluster.members) == members_of_product[node.product_key]
    # And the project's own rule checker agrees (rules 29 and 30, across all nodes).
    if rules is not None:
        files["manifest.json"] = json.dumps({"schema_version": 1, "nodes": entries}).encode()
        found = [str(f) for f in rules.check_files(files) if f.rule in (29, 30)]
        assert found == []
