"""user-mgt.xml's primary user store, on the real stock files: kernel 4.4.40, the built-in
baseline, Identity Server 5.7.0 and IS as Key Manager 5.7.0 as their builds make them.

The expected files are written the way WSO2's builds write theirs (token replaces, blocks
commented and uncommented by their first `<` and last `>`), so every byte outside the store
blocks and the realm's dataSource is checked, not only the elements lxml sees.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from tests import is_pack
from tests.is_pack import IS_USER_MGT_EDITS, JDBC_OPEN, LDAP_OPEN, ant_replace
from tests.upstream import upstream
from wizard import catalog
from wizard.plan import LdapPlan, UserStorePlan
from wizard.render import usermgt
from wizard.render.usermgt import patch_user_mgt

BASELINE = Path(__file__).resolve().parents[2] / "wizard" / "baseline" / "repository" / "conf"
KERNEL = "carbon-kernel-4.4.x/repository/conf/user-mgt.xml"
WSO2_IS_KM = (
    "cluster-examples/kubernetes-apim-v2.6.0.9/advanced/pattern-2/confs/apim-is-as-km/user-mgt.xml"
)
WSO2_IS = "cluster-examples/kubernetes-is-v5.7.0.1/is/confs/user-mgt.xml"
REALM_DS = "jdbc/WSO2UM_DB"

STOCKS: dict[str, Callable[[], bytes]] = {
    "kernel-4.4.40": lambda: upstream(KERNEL),
    "baseline": lambda: (BASELINE / "user-mgt.xml").read_bytes(),
    "is-5.7.0": is_pack.is_user_mgt,
    "is-km-5.7.0": is_pack.is_km_user_mgt,
}
LDAP = LdapPlan(
    url="ldaps://ldap.example.com:636",
    bind_dn="cn=wso2,ou=Services,dc=example,dc=com",
    password="s3cret&<x>",
    password_env="LDAP_BIND_PASSWORD",
    user_search_base="ou=People,dc=example,dc=com",
    group_search_base="ou=Groups,dc=example,dc=com",
    answers_path="products[0].ldap",
)
PLANS = {
    "jdbc": UserStorePlan("jdbc"),
    "ldap": UserStorePlan("ldap", LDAP),
    "embedded-ldap": UserStorePlan("embedded-ldap"),
}
WANTED = {
    "jdbc": (usermgt.JDBC_CLASS, {"TenantManager": usermgt.JDBC_TENANT_MANAGER}),
    "ldap": (
        usermgt.LDAP_CLASS,
        {
            "TenantManager": usermgt.LDAP_TENANT_MANAGER,
            "ConnectionURL": LDAP.url,
            "ConnectionName": LDAP.bind_dn,
            "ConnectionPassword": "s3cret&<x>",
            "UserSearchBase": LDAP.user_search_base,
            "GroupSearchBase": LDAP.group_search_base,
        },
    ),
    "embedded-ldap": (
        usermgt.LDAP_CLASS,
        {
            "TenantManager": usermgt.LDAP_TENANT_MANAGER,
            "ConnectionURL": catalog.EMBEDDED_LDAP_URL,
            "ConnectionName": "uid=admin,ou=system",
            "ConnectionPassword": "admin",
            "UserSearchBase": "ou=Users,dc=wso2,dc=org",
            "GroupSearchBase": "ou=Groups,dc=wso2,dc=org",
        },
    ),
}
CASES = [(label, kind) for label in STOCKS for kind in PLANS]


def patched(label: str, kind: str) -> bytes:
    return patch_user_mgt(STOCKS[label](), REALM_DS, PLANS[kind])


def properties(store: etree._Element) -> dict[str, str]:
    return {p.get("name"): p.text or "" for p in store.findall("Property")}


def with_realm_ds(stock: bytes) -> bytes:
    old = b'<Property name="dataSource">jdbc/WSO2CarbonDB</Property>'
    assert stock.count(old) == 1
    return stock.replace(old, f'<Property name="dataSource">{REALM_DS}</Property>'.encode())


def set_in_block(data: bytes, opening: bytes, values: dict[str, str]) -> bytes:
    """`values` written into the (active) block starting with `opening`, property by
    property, the way an operator edits the file by hand."""
    start = data.index(opening)
    end = data.index(b"</UserStoreManager>", start)
    block = data[start:end]
    for name, value in values.items():
        text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        block, n = re.subn(
            rf'(<Property name="{name}">)[^<]*(</Property>)'.encode(),
            lambda m, t=text: m.group(1) + t.encode() + m.group(2),
            block,
        )
        assert n == 1, name
    return data[:start] + block + data[end:]


def expected(label: str, kind: str) -> bytes | None:
    """The file WSO2's way of switching stores gives; None where the block is inserted."""
    stock = with_realm_ds(STOCKS[label]())
    ldap_values = {k: v for k, v in WANTED["ldap"][1].items() if k != "TenantManager"}
    if kind == "jdbc":
        if label == "is-5.7.0":
            return with_realm_ds(is_pack.is_km_user_mgt())
        return stock
    if label == "baseline":
        return None
    if label == "kernel-4.4.40":
        # IS's own build step: the kernel's JDBC store off, the ISUserStoreManager block on.
        stock = ant_replace(stock, IS_USER_MGT_EDITS[:4])
    if label == "is-km-5.7.0":
        stock = with_realm_ds(is_pack.is_user_mgt())
    return set_in_block(stock, LDAP_OPEN, ldap_values) if kind == "ldap" else stock


@pytest.mark.parametrize(("label", "kind"), CASES)
def test_the_planned_store_is_the_one_active_primary(label: str, kind: str) -> None:
    root = etree.fromstring(patched(label, kind))
    realm = root.find("Realm")
    assert realm.xpath("Configuration/Property[@name='dataSource']/text()") == [REALM_DS]
    active = realm.findall("UserStoreManager")
    wanted, values = WANTED[kind]
    assert [s.get("class") for s in active] == [wanted]
    props = properties(active[0])
    assert {name: props[name] for name in values} == values
    # The store keeps no node-local database of its own.
    assert props.get("dataSource", REALM_DS) == REALM_DS


@pytest.mark.parametrize(("label", "kind"), CASES)
def test_only_the_store_blocks_and_the_realm_datasource_change(label: str, kind: str) -> None:
    out = patched(label, kind)
    want = expected(label, kind)
    if want is not None:
        assert out == want
        return
    # The baseline holds no LDAP block: one is inserted before its JDBC store, which is
    # commented out. Cut the new block out and uncomment the JDBC one: the stock is back.
    start = out.index(LDAP_OPEN)
    closing = b"</UserStoreManager>\n\n        "
    end = out.index(closing, start) + len(closing)
    rest = out[:start] + out[end:]
    commented = b"<!--" + JDBC_OPEN[1:]
    assert rest.count(commented) == 1 and rest.count(b"</UserStoreManager-->") == 1
    rest = rest.replace(commented, JDBC_OPEN).replace(
        b"</UserStoreManager-->", b"</UserStoreManager>"
    )
    assert rest == with_realm_ds(STOCKS[label]())


@pytest.mark.parametrize(("label", "kind"), CASES)
def test_patching_twice_gives_the_same_bytes(label: str, kind: str) -> None:
    once = patched(label, kind)
    assert patch_user_mgt(once, REALM_DS, PLANS[kind]) == once


@pytest.mark.parametrize("label", sorted(STOCKS))
def test_without_a_user_store_plan_only_the_realm_datasource_changes(label: str) -> None:
    stock = STOCKS[label]()
    out = patch_user_mgt(stock, REALM_DS)
    assert out == patch_user_mgt(stock, REALM_DS, None) == with_realm_ds(stock)


def test_is_5_7_0_on_jdbc_is_wso2s_own_is_as_key_manager_file() -> None:
    # WSO2's Kubernetes IS-as-KM user-mgt.xml is the built pack's file on a shared user DB.
    wso2 = upstream(WSO2_IS_KM)
    assert patch_user_mgt(is_pack.is_user_mgt(), REALM_DS, PLANS["jdbc"]) == wso2
    assert patch_user_mgt(is_pack.is_km_user_mgt(), REALM_DS, PLANS["jdbc"]) == wso2


def test_the_built_files_match_wso2s_cluster_copies() -> None:
    def lines(data: bytes) -> list[bytes]:
        # WSO2's cluster copy trims whitespace and names its own datasources.
        return [
            line.strip()
            for line in data.splitlines()
            if line.strip() and b'name="dataSource"' not in line
        ]

    assert lines(is_pack.is_km_user_mgt()) == lines(upstream(WSO2_IS))
    built = is_pack.is_user_mgt()
    assert built.count(LDAP_OPEN) == 1 and built.count(b"<!--ISUserStoreManager") == 0


def test_jdbc_is_the_same_with_or_without_a_distribution() -> None:
    def store(stock: bytes) -> tuple[str | None, str, str]:
        root = etree.fromstring(patch_user_mgt(stock, REALM_DS, PLANS["jdbc"]))
        primary = root.find("Realm/UserStoreManager")
        realm_ds = root.findtext("Realm/Configuration/Property[@name='dataSource']")
        own = properties(primary).get("dataSource", realm_ds)
        return primary.get("class"), properties(primary)["TenantManager"], own

    assert store(is_pack.is_user_mgt()) == store(STOCKS["baseline"]())
    assert store(STOCKS["baseline"]()) == (
        usermgt.JDBC_CLASS,
        usermgt.JDBC_TENANT_MANAGER,
        REALM_DS,
    )


def kernel_4_4_35_block(opening: bytes, closing: bytes) -> list[tuple[str, str]]:
    """The properties of one store block of the kernel 4.4.35 file, commented out or not."""
    data = upstream("is-5.7.0/build-inputs/carbon-kernel-v4.4.35/user-mgt.xml")
    start = data.index(opening)
    block = data[start : data.index(closing, start) + len(closing)]
    if block.startswith(b"<!--"):
        block = b"<" + block[4:-3] + b">"
    return [(p.get("name"), p.text or "") for p in etree.fromstring(block)]


def test_inserted_blocks_are_the_kernel_4_4_35_blocks() -> None:
    # An LDAP store on the baseline: Identity Server's ISUserStoreManager block.
    out = patch_user_mgt(STOCKS["baseline"](), REALM_DS, PLANS["embedded-ldap"])
    store = etree.fromstring(out).find("Realm/UserStoreManager")
    ldap = kernel_4_4_35_block(b"<!--ISUserStoreManager", b"</ISUserStoreManager-->")
    assert [(p.get("name"), p.text or "") for p in store] == ldap
    # A JDBC store on a file with none at all, not even commented out: the kernel's block.
    stock = is_pack.is_user_mgt()
    start = stock.index(b"<!--" + JDBC_OPEN[1:])
    end = stock.index(b"</UserStoreManager-->", start) + len(b"</UserStoreManager-->")
    out = patch_user_mgt(stock[:start] + stock[end:], REALM_DS, PLANS["jdbc"])
    store = etree.fromstring(out).find("Realm/UserStoreManager")
    assert store.get("class") == usermgt.JDBC_CLASS
    jdbc = kernel_4_4_35_block(JDBC_OPEN, b"</UserStoreManager>")
    assert [(p.get("name"), p.text or "") for p in store] == jdbc
    assert patch_user_mgt(out, REALM_DS, PLANS["jdbc"]) == out


def test_ldap_values_are_escaped_once() -> None:
    out = patch_user_mgt(is_pack.is_user_mgt(), REALM_DS, PLANS["ldap"])
    assert b'<Property name="ConnectionPassword">s3cret&amp;&lt;x&gt;</Property>' in out
    assert b"&amp;amp;" not in out


def test_ldap_without_its_password_is_refused() -> None:
    plan = UserStorePlan("ldap", LdapPlan(**{**LDAP.__dict__, "password": None}))
    with pytest.raises(ValueError, match=r"products\[0\]\.ldap.*LDAP_BIND_PASSWORD"):
        patch_user_mgt(is_pack.is_user_mgt(), REALM_DS, plan)


def test_a_store_that_cannot_be_commented_out_is_named() -> None:
    stock = STOCKS["baseline"]().replace(
        b'<Property name="ReadOnly">', b'<!-- read-write --><Property name="ReadOnly">'
    )
    with pytest.raises(ValueError, match=r"JDBCUserStoreManager.*`--`"):
        patch_user_mgt(stock, REALM_DS, PLANS["ldap"])


def test_embedded_ldap_keeps_an_operators_ldap_primary_as_it_is() -> None:
    stock = set_in_block(is_pack.is_user_mgt(), LDAP_OPEN, {"ConnectionName": "uid=x,ou=y"})
    assert patch_user_mgt(stock, REALM_DS, PLANS["embedded-ldap"]) == with_realm_ds(stock)


def test_properties_missing_from_a_reused_block_follow_its_last_property() -> None:
    stock = is_pack.is_user_mgt()
    for name in (b"ConnectionName", b"GroupSearchBase"):
        stock = re.sub(rb'\n *<Property name="' + name + rb'">[^<]*</Property>', b"", stock)
    out = patch_user_mgt(stock, REALM_DS, PLANS["ldap"])
    last = b'<Property name="RetryAttempts"/>'
    added = (
        f'{last.decode()}\n            <Property name="ConnectionName">{LDAP.bind_dn}</Property>'
        f'\n            <Property name="GroupSearchBase">{LDAP.group_search_base}</Property>\n'
        "        </UserStoreManager>"
    ).encode()
    assert added in out
    assert patch_user_mgt(out, REALM_DS, PLANS["ldap"]) == out


def test_a_second_active_store_of_the_wanted_kind_becomes_primary() -> None:
    # ReadWriteLDAP first, an active JDBC store after it: LDAP goes, that JDBC store is the
    # primary, and the commented-out JDBC block stays a comment.
    stock = with_realm_ds(is_pack.is_user_mgt())
    commented = stock[stock.index(b"<!--" + JDBC_OPEN[1:]) :]
    commented = commented[: commented.index(b"-->\n") + 3]
    at = stock.index(b"        <AuthorizationManager")
    active = b"        " + b"<" + commented[4:-3] + b">" + b"\n\n"
    stock = stock[:at] + active + stock[at:]
    out = patch_user_mgt(stock, REALM_DS, PLANS["jdbc"])
    assert out == is_pack.toggle_block(stock, LDAP_OPEN, uncomment=False)
    # JDBC first, ReadWriteLDAP after it: JDBC goes, the LDAP store gets the plan's values.
    stock = is_pack.toggle_block(
        with_realm_ds(is_pack.is_km_user_mgt()), b"<!--" + LDAP_OPEN[1:], uncomment=True
    )
    out = patch_user_mgt(stock, REALM_DS, PLANS["ldap"])
    assert out == expected("is-5.7.0", "ldap")


def test_crlf_and_a_declared_latin1_encoding_are_kept() -> None:
    stock = b'<?xml version="1.0" encoding="ISO-8859-1"?>\r\n' + STOCKS["baseline"]().split(
        b"?>\n", 1
    )[1].replace(b"\n", b"\r\n")
    plan = UserStorePlan("ldap", LdapPlan(**{**LDAP.__dict__, "bind_dn": "cn=Jos\u00e9,dc=x"}))
    out = patch_user_mgt(stock, REALM_DS, plan)
    assert b"\n" not in out.replace(b"\r\n", b"")
    assert "cn=Jos\u00e9,dc=x".encode("latin-1") in out
    root = etree.fromstring(out)
    assert properties(root.find("Realm/UserStoreManager"))["ConnectionName"] == "cn=Jos\u00e9,dc=x"
    assert patch_user_mgt(out, REALM_DS, plan) == out


def test_the_pack_homes_hold_the_built_files(tmp_path: Path) -> None:
    home = is_pack.is_home(tmp_path)
    conf = home / "repository/conf"
    assert home.name == "wso2is-5.7.0"
    assert (conf / "user-mgt.xml").read_bytes() == is_pack.is_user_mgt()
    assert b"<EnableAskPasswordAdminUI>true<" in (conf / "identity/identity.xml").read_bytes()
    assert (conf / "carbon.xml").is_file() and (conf / "consent-mgt-config.xml").is_file()
    km = is_pack.is_km_home(tmp_path)
    conf = km / "repository/conf"
    assert km.name == "wso2is-km-5.7.0"
    assert (conf / "user-mgt.xml").read_bytes() == is_pack.is_km_user_mgt()
    assert (conf / "api-manager.xml").read_bytes() == upstream(
        "is-km-5.7.0/repository/conf/api-manager.xml"
    )
    assert (conf / "datasources/master-datasources.xml").read_bytes() == upstream(
        "is-km-5.7.0/repository/conf/datasources/master-datasources.xml"
    )
    assert (conf / "consent-mgt-config.xml").read_bytes() == upstream(
        "is-5.7.0/repository/conf/consent-mgt-config.xml"
    )
    identity = etree.fromstring((conf / "identity/identity.xml").read_bytes())
    names = identity.xpath(
        "//*[local-name()='JDBCPersistenceManager']/*[local-name()='DataSource']"
        "/*[local-name()='Name']/text()"
    )
    assert names == ["jdbc/WSO2AM_DB"]


def test_a_jdbc_primary_gets_the_jdbc_tenant_manager() -> None:
    tenant = b'<Property name="TenantManager">org.wso2.carbon.user.core.tenant.'
    stock = STOCKS["baseline"]().replace(
        tenant + b"JDBCTenantManager<", tenant + b"CommonHybridLDAPTenantManager<"
    )
    assert patch_user_mgt(stock, REALM_DS, PLANS["jdbc"]) == with_realm_ds(STOCKS["baseline"]())


def test_an_uncommented_jdbc_store_on_the_local_database_follows_the_realm() -> None:
    own = b'<Property name="dataSource">jdbc/WSO2CarbonDB</Property>\n            '
    stock = is_pack.is_user_mgt()
    at = stock.index(b"<Property", stock.index(b"<!--" + JDBC_OPEN[1:]))
    out = patch_user_mgt(stock[:at] + own + stock[at:], REALM_DS, PLANS["jdbc"])
    store = etree.fromstring(out).find("Realm/UserStoreManager")
    assert properties(store)["dataSource"] == REALM_DS
