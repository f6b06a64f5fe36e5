"""registry.xml and user-mgt.xml: the real stock files from ../shared/upstream, patched.

Only the shared-partition elements (non-local dbConfig, remoteInstance, mount) and the realm
dataSource may change; every handler, comment and setting outside them must be identical.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests import answers_fixtures as af
from tests.upstream import upstream
from wizard import catalog
from wizard.plan import RegistryPlan
from wizard.render.registry import patch_registry
from wizard.render.usermgt import patch_user_mgt

BASELINE = Path(__file__).resolve().parents[2] / "wizard" / "baseline" / "repository" / "conf"

KA = "cluster-examples/kubernetes-apim-v2.6.0.9/advanced/pattern-1/confs/apim-1"
STOCK_REGISTRY = {
    "kernel": "carbon-kernel-4.4.x/repository/conf/registry.xml",
    "apim-2.6.0": "apim-2.6.0/repository/conf/registry.xml",
    "is-5.7.0": "is-5.7.0/repository/conf/registry.xml",
    "ei-6.4.0": "ei-6.4.0/conf/registry.xml",
    # WSO2's own clustered files: their mounts are replaced by the plan's.
    "kubernetes-apim": f"{KA}/registry.xml",
    "kubernetes-is": "cluster-examples/kubernetes-is-v5.7.0.1/is/confs/registry.xml",
    "kubernetes-bps": "cluster-examples/kubernetes-ei-v6.4.0.1/scalable-bps/confs/registry.xml",
}
STOCK_USER_MGT = {
    "kernel": "carbon-kernel-4.4.x/repository/conf/user-mgt.xml",
    "is-5.7.0-kernel-input": "is-5.7.0/build-inputs/carbon-kernel-v4.4.35/user-mgt.xml",
    "kubernetes-apim": f"{KA}/user-mgt.xml",
    "kubernetes-is": "cluster-examples/kubernetes-is-v5.7.0.1/is/confs/user-mgt.xml",
}
OWNED = {"remoteInstance", "mount", "dbConfig"}


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False))


def split_registry() -> RegistryPlan:
    return af.build(af.split()).node("apim-1").registry


def shared_registry() -> RegistryPlan:
    return af.build().node("apim-1").registry


def not_owned(root: etree._Element) -> list[bytes]:
    """Every top-level node of the file outside the plan's elements, canonicalised."""
    local = (root.findtext("currentDBConfig") or "").strip()
    out = []
    for child in root:
        if child.tag in OWNED and not (child.tag == "dbConfig" and child.get("name") == local):
            continue
        out.append(etree.tostring(child, with_tail=False))
    return out


@pytest.mark.parametrize("label", sorted(STOCK_REGISTRY))
@pytest.mark.parametrize("registry", [shared_registry, split_registry], ids=["shared", "split"])
def test_registry_keeps_everything_it_does_not_own(label: str, registry: object) -> None:
    stock = upstream(STOCK_REGISTRY[label])
    plan = registry()  # type: ignore[operator]
    out = patch_registry(stock, plan)
    before, after = parse(stock), parse(out)
    assert not_owned(after) == not_owned(before)
    # The XML declaration (ISO-8859-1 in the kernel file) and the licence header stay bytes.
    head = stock.split(b"<wso2registry", 1)[0]
    assert out.startswith(head)
    assert len(after.findall("handler")) == len(before.findall("handler"))
    assert after.findtext("currentDBConfig") == before.findtext("currentDBConfig")


@pytest.mark.parametrize("label", sorted(STOCK_REGISTRY))
def test_registry_gets_exactly_the_plan(label: str) -> None:
    plan = split_registry()
    after = parse(patch_registry(upstream(STOCK_REGISTRY[label]), plan))
    local = after.findtext("currentDBConfig")
    configs = {d.get("name"): d.findtext("dataSource") for d in after.findall("dbConfig")}
    assert configs.pop(local) == catalog.LOCAL_JNDI
    assert configs == {d.name: d.datasource for d in plan.db_configs}
    instances = after.findall("remoteInstance")
    assert [
        (r.findtext("id"), r.findtext("dbConfig"), r.findtext("cacheId")) for r in instances
    ] == [(r.id, r.db_config, r.cache_id) for r in plan.remote_instances]
    for r in instances:
        assert r.find("username") is None and r.find("password") is None
    mounts = [
        (m.get("path"), m.get("overwrite"), m.findtext("instanceId"), m.findtext("targetPath"))
        for m in after.findall("mount")
    ]
    assert mounts == [(m.path, "true", m.instance_id, m.target_path) for m in plan.mounts]


@pytest.mark.parametrize("label", sorted(STOCK_REGISTRY))
def test_registry_patch_is_idempotent(label: str) -> None:
    once = patch_registry(upstream(STOCK_REGISTRY[label]), shared_registry())
    assert patch_registry(once, shared_registry()) == once
    # Changing the layout later replaces the block instead of adding a second one.
    again = patch_registry(once, split_registry())
    assert again == patch_registry(upstream(STOCK_REGISTRY[label]), split_registry())


def test_cache_id_is_escaped_once() -> None:
    data = af.variant("database.url_options", "useSSL=false&serverTimezone=UTC")
    plan = af.build(data).node("apim-1").registry
    out = patch_registry((BASELINE / "registry.xml").read_bytes(), plan)
    assert b"useSSL=false&amp;serverTimezone=UTC</cacheId>" in out
    assert b"&amp;amp;" not in out
    cache_id = parse(out).findtext("remoteInstance/cacheId")
    assert cache_id == plan.remote_instances[0].cache_id
    assert cache_id.startswith("regadmin@jdbc:mysql://") and "&serverTimezone" in cache_id


def test_a_current_config_on_a_shared_database_is_put_back_on_the_local_one() -> None:
    # Mounts are recorded in the current (local) database: it must never be a shared one.
    stock = (
        b"<wso2registry>\n    <currentDBConfig>shared</currentDBConfig>\n"
        b'    <dbConfig name="shared">\n        <dataSource>jdbc/Shared</dataSource>\n'
        b"    </dbConfig>\n</wso2registry>\n"
    )
    after = parse(patch_registry(stock, shared_registry()))
    local = after.findtext("currentDBConfig")
    assert local == catalog.LOCAL_DBCONFIG
    configs = {d.get("name"): d.findtext("dataSource") for d in after.findall("dbConfig")}
    assert configs[local] == catalog.LOCAL_JNDI
    assert "shared" not in configs


def test_not_a_registry_file() -> None:
    with pytest.raises(ValueError, match="wso2registry"):
        patch_registry(b"<Server/>", shared_registry())


@pytest.mark.parametrize("label", sorted(STOCK_USER_MGT))
def test_user_mgt_changes_only_the_realm_datasource(label: str) -> None:
    stock = upstream(STOCK_USER_MGT[label])
    out = patch_user_mgt(stock, "jdbc/WSO2UMDB")
    after = parse(out)
    assert after.xpath("Realm/Configuration/Property[@name='dataSource']/text()") == [
        "jdbc/WSO2UMDB"
    ]
    # Outside the one property, the file is byte-identical.
    old = parse(stock).xpath("Realm/Configuration/Property[@name='dataSource']/text()")[0]
    assert out.replace(b">jdbc/WSO2UMDB<", b">" + old.encode() + b"<", 1) == stock


def test_user_mgt_kernel_defect_is_kept_byte_for_byte() -> None:
    stock = upstream(STOCK_USER_MGT["kernel"])
    assert b"            !-- Enable username claim" in stock
    assert b"            !-- Enable username claim" in patch_user_mgt(stock, "jdbc/X")


def test_jdbc_store_on_the_local_database_follows_the_realm() -> None:
    stock = (
        (BASELINE / "user-mgt.xml")
        .read_bytes()
        .replace(
            b'<Property name="TenantManager">',
            b'<Property name="dataSource">jdbc/WSO2CarbonDB</Property>\n'
            b'            <Property name="TenantManager">',
        )
    )
    after = parse(patch_user_mgt(stock, "jdbc/WSO2UMDB"))
    assert after.xpath("Realm/UserStoreManager/Property[@name='dataSource']/text()") == [
        "jdbc/WSO2UMDB"
    ]


def test_user_mgt_without_the_property_gets_one() -> None:
    stock = (
        b"<UserManager><Realm><Configuration><AddAdmin>true</AddAdmin></Configuration>"
        b"</Realm></UserManager>"
    )
    after = parse(patch_user_mgt(stock, "jdbc/UM"))
    assert after.xpath("Realm/Configuration/Property[@name='dataSource']/text()") == ["jdbc/UM"]


def test_user_mgt_without_a_realm_is_refused() -> None:
    with pytest.raises(ValueError, match="Realm/Configuration"):
        patch_user_mgt(b"<UserManager/>", "jdbc/UM")
