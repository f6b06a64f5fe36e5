"""Over random valid topologies: every file parses, `check` finds nothing, secrets read back."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from wizard import answers, plan, rules, tree
from wizard.catalog import ENGINES, PRODUCTS

# Characters that must survive XML escaping exactly once.
NASTY = "&<>\"'\\$%"
password_text = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from(NASTY),
    min_size=1,
    max_size=24,
).filter(lambda s: s.strip().lower() not in {"", "password", "changeme"} and not s.startswith("<"))

HOSTS = ["10.0.1.11", "10.0.1.12", "node-a.example.com", "2001:db8::7"]
SIMPLE_PRODUCTS = ["apim", "is", "esb", "dss", "as", "bps", "mb", "das", "greg"]


def identifier(prefix: str, i: int) -> str:
    return f"{prefix}{i}"


@st.composite
def topologies(draw: st.DrawFn) -> dict[str, Any]:
    engine = draw(st.sampled_from(sorted(ENGINES)))
    layout = draw(st.sampled_from(["shared", "split"]))
    counter = iter(range(1000))

    def spec() -> dict[str, Any]:
        n = next(counter)
        password = draw(password_text)
        if engine == "oracle":
            password = password.replace('"', "#")  # Oracle cannot carry it; the model says so
        return {
            "name": identifier("DB", n),
            "user": identifier("u", n),
            "password": password,
        }

    database: dict[str, Any] = {"engine": engine, "host": "db.example.com", "layout": layout}
    if draw(st.booleans()):
        database["url_options"] = draw(st.sampled_from(["", "a=1&b=2", "ssl=true&x='y'"]))
    if layout == "shared":
        database["registry"] = spec()
    else:
        database["config"] = spec()
        database["governance"] = spec()
    database["user_management"] = spec()

    product_ids = draw(
        st.lists(st.sampled_from(SIMPLE_PRODUCTS), min_size=1, max_size=3, unique=True)
    )
    products = []
    used_offsets: dict[str, set[int]] = {}
    node_no = 0
    for pid in product_ids:
        product = PRODUCTS[pid]
        entry: dict[str, Any] = {
            "id": pid,
            "version": draw(st.sampled_from(sorted(product.versions))),
        }
        dbs = product.profile(None).databases
        if dbs:
            entry["databases"] = {db.key: spec() for db in dbs}
        nodes = []
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            host = draw(st.sampled_from(HOSTS))
            taken = used_offsets.setdefault(host, set())
            offset = next(o for o in range(100) if o not in taken)
            taken.add(offset)
            node_no += 1
            nodes.append({"id": f"{pid}-{node_no}", "host": host, "offset": offset})
        entry["nodes"] = nodes
        products.append(entry)
    return {"schema_version": 1, "name": "random", "database": database, "products": products}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(topologies())
def test_random_topology_renders_a_tree_that_passes_check(data: dict[str, Any]) -> None:
    top = answers.parse(data)
    p = plan.build(top, {})
    built = tree.build(p)
    assert rules.check_files(built.files) == []
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    by_user = {db.user: db for db in p.databases}
    for path, content in built.files.items():
        if not path.endswith(".xml"):
            continue
        root = etree.fromstring(content, parser)
        for configuration in root.iter("configuration"):
            user = configuration.findtext("username")
            if user in by_user:
                assert configuration.findtext("password") == by_user[user].password
                assert configuration.findtext("url") == by_user[user].url
        for cache_id in root.iter("cacheId"):
            assert "&amp;" not in (cache_id.text or "")
