"""The answers for Identity Server's user store, IS as Key Manager and load balancers: what the
model accepts, what it refuses (at which field, saying the fix), and what the plan makes of it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests import answers_fixtures as af
from wizard import answers, plan
from wizard.problems import AnswersError

LDAP = {
    "url": "ldaps://ldap.example.com:636",
    "bind_dn": "cn=wso2,ou=apps,dc=example,dc=com",
    "password_env": "LDAP_BIND_PASSWORD",
    "user_search_base": "ou=People,dc=example,dc=com",
    "group_search_base": "ou=Groups,dc=example,dc=com",
}


def problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(AnswersError) as caught:
        answers.parse(data)
    return {p.path: p.message for p in caught.value.problems}


IS_BPS_DS = {"name": "WSO2IS_BPS_DB", "user": "isbpsadmin", "password": "bps-secret"}


def is_alone(nodes: int, **product: Any) -> dict[str, Any]:
    data = copy.deepcopy(af.SHARED)
    data["products"] = [copy.deepcopy(af.SHARED["products"][1]) | product]
    data["products"][0]["nodes"] = [
        {"id": f"is-{i}", "host": f"10.0.3.{i}"} for i in range(1, nodes + 1)
    ]
    if nodes > 1:  # the workflow engine's database, which two nodes must share
        data["products"][0]["databases"]["BPS_DS"] = dict(IS_BPS_DS)
    return data


def apim_km(apim_nodes: int = 2, km_nodes: int = 2, **km: Any) -> dict[str, Any]:
    data = copy.deepcopy(af.SHARED)
    data["products"][0]["nodes"] = [
        {"id": f"apim-{i}", "host": f"10.0.1.{i}"} for i in range(1, apim_nodes + 1)
    ]
    data["products"][1] = {
        "id": "is-km",
        "version": "5.7.0",
        "nodes": [{"id": f"km-{i}", "host": f"10.0.2.{i}"} for i in range(1, km_nodes + 1)],
    } | km
    return data


def test_identity_server_defaults_to_a_jdbc_store_on_the_shared_database() -> None:
    p = plan.build(answers.parse(is_alone(2)), af.ENV)
    for node in p.nodes:
        assert node.user_store is not None and node.user_store.kind == "jdbc"
        assert node.realm_datasource == p.database("user_management").jndi_name
    # Other products keep the store their stock file has.
    assert af.build().node("apim-1").user_store is None


def test_embedded_ldap_only_for_one_node_that_shares_users_with_nobody() -> None:
    assert answers.parse(is_alone(1, user_store="embedded-ldap"))
    found = problems(is_alone(2, user_store="embedded-ldap"))
    assert "its 2 nodes would each keep their own users" in found["products[0].user_store"]
    data = copy.deepcopy(af.SHARED)
    data["products"][1]["user_store"] = "embedded-ldap"
    found = problems(data)
    assert "apim would not see its users" in found["products[1].user_store"]
    assert '"jdbc"' in found["products[1].user_store"]


def test_ldap_needs_its_server_and_applies_to_every_product() -> None:
    found = problems(is_alone(2, user_store="ldap"))
    assert "add [products.ldap]" in found["products[0].ldap"]
    data = copy.deepcopy(af.SHARED)
    data["products"][1] |= {"user_store": "ldap", "ldap": LDAP}
    p = plan.build(answers.parse(data), af.ENV | {"LDAP_BIND_PASSWORD": "s3cret"})
    stores = {n.id: n.user_store for n in p.nodes}
    # API Manager shares the users, so it binds to the same directory.
    assert {s.kind for s in stores.values() if s} == {"ldap"}
    assert stores["apim-1"] == stores["is-1"]
    assert stores["apim-1"].ldap.password == "s3cret"  # type: ignore[union-attr]
    # The bind password is redacted in previews and kept out of topology.toml.
    assert p.redacted().node("apim-1").user_store.ldap.password == plan.REDACTED  # type: ignore[union-attr]
    assert "s3cret" not in answers.dumps(answers.parse(data | {}))


def test_ldap_bind_password_is_required_to_write() -> None:
    data = copy.deepcopy(af.SHARED)
    data["products"][1] |= {"user_store": "ldap", "ldap": LDAP}
    p = plan.build(answers.parse(data), af.ENV)
    with pytest.raises(AnswersError) as caught:
        plan.require_secrets(p)
    (problem,) = caught.value.problems
    assert problem.path == "products[1].ldap.password_env"
    assert "LDAP_BIND_PASSWORD" in problem.message


def test_ldap_url_on_loopback_is_refused() -> None:
    found = problems(is_alone(2, user_store="ldap", ldap=LDAP | {"url": "ldap://localhost:10389"}))
    assert "every node must reach one shared LDAP" in found["products[0].ldap.url"]


@pytest.mark.parametrize("field", ["user_store", "ldap"])
def test_only_identity_server_chooses_a_user_store(field: str) -> None:
    data = copy.deepcopy(af.SHARED)
    data["products"][0][field] = "jdbc" if field == "user_store" else LDAP
    assert f"products[0].{field}" in problems(data)


def test_key_manager_uses_api_managers_database_and_needs_it() -> None:
    p = af.build(apim_km(1, 1))
    am = p.database("apim:WSO2AM_DB")
    assert am.products == ("apim", "is-km") and "km-1" in am.nodes
    km = p.node("km-1")
    (ds,) = [d for d in km.datasources if d.name == "WSO2AM_DB"]
    assert (ds.url, ds.username) == (am.url, am.user)
    assert not any(db.key.startswith("is-km:") for db in p.databases)
    (link,) = p.key_managers
    # One node each: the URLs name the nodes themselves (HTTPS 9443, gateway 8243).
    assert link.key_manager_url == "https://10.0.2.1:9443/services/"
    assert link.revoke_url == "https://10.0.1.1:8243/revoke"
    alone = copy.deepcopy(apim_km(1, 1))
    del alone["products"][0]
    found = problems(alone)
    assert "add API Manager to this plan" in found["products[0].id"]


def test_key_manager_answers_take_no_database_of_their_own() -> None:
    data = apim_km(1, 1)
    data["products"][1]["databases"] = {
        "WSO2AM_DB": {"name": "X", "user": "x", "password": "x-secret"}
    }
    assert "uses API Manager's WSO2AM_DB" in problems(data)["products[1].databases.WSO2AM_DB"]


def test_more_than_one_node_needs_a_load_balancer() -> None:
    found = problems(apim_km(2, 2))
    assert "no failover" in found["products[1].load_balancer"]
    assert "no failover" in found["products[0].load_balancer"]
    data = apim_km(2, 2, load_balancer="km.example.com")
    data["products"][0]["load_balancer"] = "[2001:db8::5]:8443"
    p = af.build(data)
    (link,) = p.key_managers
    assert link.key_manager_url == "https://km.example.com:443/services/"
    assert link.revoke_url == "https://[2001:db8::5]:8443/revoke"
    assert p.node("apim-2").load_balancer == ("2001:db8::5", 8443)


@pytest.mark.parametrize("bad", ["km.example.com:https", "km..example.com", "km.example.com:0"])
def test_load_balancer_field_says_the_form(bad: str) -> None:
    found = problems(apim_km(1, 1, load_balancer=bad))
    assert "products[1].load_balancer" in found


def test_distribution_name_of_the_key_manager_pack() -> None:
    from wizard.distribution import _NAME, _product_of_prefix

    m = _NAME.match("wso2is-km-5.7.0")
    assert m is not None and _product_of_prefix(m["prefix"]) == "is-km"
    m = _NAME.match("wso2is-5.7.0")
    assert m is not None and _product_of_prefix(m["prefix"]) == "is"


def test_preset_is_an_is_as_key_manager_topology() -> None:
    from pathlib import Path

    top = answers.load(Path(__file__).resolve().parents[2] / "presets/apim-is-km-mysql8.toml")
    assert [p.id for p in top.products] == ["apim", "is-km"]
    p = plan.build(top, {})
    (link,) = p.key_managers
    assert link.key_manager_url == "https://km.example.com:443/services/"
