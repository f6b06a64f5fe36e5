"""Identity Server and API Manager + IS as Key Manager trees from distributions assembled as
WSO2 builds them: `check` passes on what the wizard writes, and each product-level fault an
operator could put back by hand (a stock file copied over, a value edited) fails `check` with
its rule, naming the node, file and element."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from tests import answers_fixtures as af
from tests.core.test_distribution import apim_home
from tests.is_pack import is_home, is_km_home, is_km_identity_xml, is_user_mgt
from wizard import rules, tree
from wizard.problems import AnswersError

LDAP = {
    "url": "ldaps://ldap.example.com:636",
    "bind_dn": "cn=wso2,ou=apps,dc=example,dc=com",
    "password": "bind-s3cret",
    "user_search_base": "ou=People,dc=example,dc=com",
    "group_search_base": "ou=Groups,dc=example,dc=com",
}


def is_answers(home: Path, nodes: int, **product: Any) -> dict[str, Any]:
    data = copy.deepcopy(af.SHARED)
    data["products"] = [
        copy.deepcopy(af.SHARED["products"][1])
        | {
            "distribution": str(home),
            "nodes": [{"id": f"is-{i}", "host": f"10.0.3.{i}"} for i in range(1, nodes + 1)],
        }
        | product
    ]
    return af.with_is_workflow(data)


def km_answers(tmp_path: Path, apim_nodes: int, km_nodes: int, balanced: bool) -> dict[str, Any]:
    apim = apim_home(tmp_path / "apim")
    # API Manager's build sets identity.xml on WSO2AM_DB as the key manager's does; the
    # upstream folder keeps only that recipe (apim-2.6.0/SOURCES.md).
    (apim / "repository/conf/identity").mkdir(parents=True)
    (apim / "repository/conf/identity/identity.xml").write_bytes(is_km_identity_xml())
    data = copy.deepcopy(af.SHARED)
    data["products"][0] |= {
        "distribution": str(apim),
        "nodes": [{"id": f"apim-{i}", "host": f"10.0.1.{i}"} for i in range(1, apim_nodes + 1)],
    }
    data["products"][1] = {
        "id": "is-km",
        "version": "5.7.0",
        "distribution": str(is_km_home(tmp_path / "km")),
        "nodes": [{"id": f"km-{i}", "host": f"10.0.2.{i}"} for i in range(1, km_nodes + 1)],
    }
    if balanced:
        data["products"][0]["load_balancer"] = "gw.example.com"
        data["products"][1]["load_balancer"] = "km.example.com:9443"
    return data


def files_of(data: dict[str, Any]) -> dict[str, bytes]:
    built = tree.build(af.build(data))
    assert rules.check_files(built.files) == [], "\n".join(
        str(f) for f in rules.check_files(built.files)
    )
    return dict(built.files)


def fails_with(
    files: dict[str, bytes], rule: int, node: str, file: str, element: str = ""
) -> rules.Finding:
    findings = rules.check_files(files)
    mine = [f for f in findings if f.rule == rule and f.node == node and f.file == file]
    assert mine, "\n".join(str(f) for f in findings) or "no findings"
    assert all(element in f.element for f in mine), [f.element for f in mine]
    return mine[0]


def edit(files: dict[str, bytes], path: str, old: bytes, new: bytes) -> None:
    assert old in files[path], (path, old)
    files[path] = files[path].replace(old, new)


# ---- Identity Server, each user-store choice --------------------------------------------------


@pytest.mark.parametrize("store", ["jdbc", "ldap"])
def test_two_identity_server_nodes_pass_check(store: str, tmp_path: Path) -> None:
    extra = {"user_store": store} | ({"ldap": LDAP} if store == "ldap" else {})
    files = files_of(is_answers(is_home(tmp_path), 2, **extra))
    for node in ("is-1", "is-2"):
        user_mgt = files[f"nodes/{node}/repository/conf/user-mgt.xml"]
        expected = b"JDBCUserStoreManager" if store == "jdbc" else b"ldaps://ldap.example.com:636"
        assert expected in user_mgt
        identity = files[f"nodes/{node}/repository/conf/identity/identity.xml"]
        assert b"<Name>jdbc/WSO2IdentityDS</Name>" in identity
        consent = files[f"nodes/{node}/repository/conf/consent-mgt-config.xml"]
        assert b"<Name>jdbc/WSO2IdentityDS</Name>" in consent


def test_a_lone_identity_server_may_keep_its_embedded_ldap(tmp_path: Path) -> None:
    files = files_of(is_answers(is_home(tmp_path), 1, user_store="embedded-ldap"))
    assert files["nodes/is-1/repository/conf/user-mgt.xml"].count(b"${Ports.EmbeddedLDAP") >= 1


def test_embedded_ldap_put_back_on_a_cluster_fails_rule_32(tmp_path: Path) -> None:
    files = files_of(is_answers(is_home(tmp_path), 2))
    # The operator copies IS's stock user-mgt.xml over is-2's: its own embedded LDAP again.
    files["nodes/is-2/repository/conf/user-mgt.xml"] = is_user_mgt()
    finding = fails_with(files, 32, "is-2", "repository/conf/user-mgt.xml", "ConnectionURL")
    assert "embedded" in finding.message.lower()


@pytest.mark.parametrize(
    ("file", "element"),
    [
        ("repository/conf/identity/identity.xml", "JDBCPersistenceManager"),
        ("repository/conf/consent-mgt-config.xml", "DataSource"),
    ],
)
def test_identity_data_put_back_on_the_node_local_database_fails_rule_33(
    file: str, element: str, tmp_path: Path
) -> None:
    files = files_of(is_answers(is_home(tmp_path), 2))
    path = f"nodes/is-1/{file}"
    edit(files, path, b"<Name>jdbc/WSO2IdentityDS</Name>", b"<Name>jdbc/WSO2CarbonDB</Name>")
    fails_with(files, 33, "is-1", file, element)
    # A name no datasource has is refused too.
    edit(files, path, b"<Name>jdbc/WSO2CarbonDB</Name>", b"<Name>jdbc/NoSuchDS</Name>")
    fails_with(files, 33, "is-1", file, element)


def test_two_nodes_on_embedded_ldap_are_refused_before_any_file(tmp_path: Path) -> None:
    with pytest.raises(AnswersError) as caught:
        af.build(is_answers(is_home(tmp_path), 2, user_store="embedded-ldap"))
    assert [p.path for p in caught.value.problems] == ["products[0].user_store"]


# ---- API Manager with IS as Key Manager -----------------------------------------------------


def test_two_plus_two_behind_balancers_pass_check(tmp_path: Path) -> None:
    files = files_of(km_answers(tmp_path, 2, 2, balanced=True))
    manager = files["nodes/apim-2/repository/conf/api-manager.xml"]
    assert manager.count(b"https://km.example.com:9443/services/") == 2
    km = files["nodes/km-1/repository/conf/api-manager.xml"]
    assert b"<RevokeAPIURL>https://gw.example.com:443/revoke</RevokeAPIURL>" in km
    assert b"<HostName>km.example.com</HostName>" in files["nodes/km-2/repository/conf/carbon.xml"]
    catalina = files["nodes/km-2/repository/conf/tomcat/catalina-server.xml"]
    assert b'proxyPort="9443"' in catalina
    # The key manager's WSO2AM_DB is API Manager's: same URL, same user.
    ds = {
        node: re.search(
            rb"<name>WSO2AM_DB</name>.*?<url>(.*?)</url>\s*<username>(.*?)</username>",
            files[f"nodes/{node}/repository/conf/datasources/master-datasources.xml"],
            re.DOTALL,
        ).groups()  # type: ignore[union-attr]
        for node in ("apim-1", "km-2")
    }
    assert ds["apim-1"] == ds["km-2"] and not ds["km-2"][0].startswith(b"jdbc:h2")


def test_one_plus_one_without_balancers_name_the_nodes(tmp_path: Path) -> None:
    files = files_of(km_answers(tmp_path, 1, 1, balanced=False))
    manager = files["nodes/apim-1/repository/conf/api-manager.xml"]
    assert b"<ServerURL>https://10.0.2.1:9443/services/</ServerURL>" in manager
    km = files["nodes/km-1/repository/conf/api-manager.xml"]
    assert b"<RevokeAPIURL>https://10.0.1.1:8243/revoke</RevokeAPIURL>" in km
    assert "nodes/km-1/repository/conf/tomcat/catalina-server.xml" not in files


def test_two_plus_two_without_balancers_are_refused_at_the_field(tmp_path: Path) -> None:
    with pytest.raises(AnswersError) as caught:
        af.build(km_answers(tmp_path, 2, 2, balanced=False))
    paths = sorted(p.path for p in caught.value.problems)
    assert paths == ["products[0].load_balancer", "products[1].load_balancer"]


def test_key_manager_without_wso2am_db_fails_rule_34(tmp_path: Path) -> None:
    files = files_of(km_answers(tmp_path, 2, 2, balanced=True))
    path = "nodes/km-1/repository/conf/datasources/master-datasources.xml"
    # The operator copies the pack's stock master-datasources.xml back: WSO2AM_DB on H2.
    files[path] = (
        is_km_home(tmp_path / "again") / "repository/conf/datasources/master-datasources.xml"
    ).read_bytes()
    fails_with(files, 34, "km-1", "repository/conf/datasources/master-datasources.xml")


@pytest.mark.parametrize(
    ("node", "old", "new"),
    [
        (
            "apim-1",
            b"<ServerURL>https://km.example.com:9443/services/</ServerURL>",
            b"<ServerURL>https://km-old.example.com:9443/services/</ServerURL>",
        ),
        (
            "apim-2",
            b"<ServerURL>https://km.example.com:9443/services/</ServerURL>",
            b"<ServerURL>https://10.0.2.1:9443/services/</ServerURL>",  # one node of two
        ),
        (
            "km-2",
            b"<RevokeAPIURL>https://gw.example.com:443/revoke</RevokeAPIURL>",
            b"<RevokeAPIURL>https://localhost:${https.nio.port}/revoke</RevokeAPIURL>",
        ),
        (
            "apim-1",
            b"<KeyValidatorClientType>WSClient</KeyValidatorClientType>",
            b"<KeyValidatorClientType>ThriftClient</KeyValidatorClientType>",
        ),
    ],
)
def test_key_manager_urls_that_name_no_front_fail_rule_35(
    node: str, old: bytes, new: bytes, tmp_path: Path
) -> None:
    files = files_of(km_answers(tmp_path, 2, 2, balanced=True))
    path = f"nodes/{node}/repository/conf/api-manager.xml"
    files[path] = files[path].replace(old, new, 1)
    fails_with(files, 35, node, "repository/conf/api-manager.xml")


def test_a_node_that_does_not_advertise_its_balancer_fails_rule_36(tmp_path: Path) -> None:
    files = files_of(km_answers(tmp_path, 2, 2, balanced=True))
    edit(
        files,
        "nodes/km-1/repository/conf/carbon.xml",
        b"<HostName>km.example.com</HostName>",
        b"<HostName>km-1.internal</HostName>",
    )
    fails_with(files, 36, "km-1", "repository/conf/carbon.xml", "HostName")
