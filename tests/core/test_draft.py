"""The draft both front ends edit: nothing typed is lost when a change makes it inapplicable,
and every change is counted, so what was checked for one revision is never shown for
another."""

from __future__ import annotations

import copy
from typing import Any

from wizard import workflow
from wizard.draft import Draft


def _draft(data: dict[str, Any] | None = None) -> Draft:
    base: dict[str, Any] = {
        "schema_version": 1,
        "name": "prod",
        "products": [{"id": "is", "version": "5.7.0"}],
        "database": {
            "engine": "postgresql",
            "host": "db.example.com",
            "registry": {"name": "REG", "user": "reg", "password_env": "REG_PW"},
            "user_management": {"name": "UM", "user": "um", "password_env": "UM_PW"},
        },
    }
    return Draft(answers=copy.deepcopy(data or base))


def test_switching_to_split_and_back_restores_the_registry_database_as_typed() -> None:
    draft = _draft()
    made = draft.set_layout("split")
    # The new databases start from the one they replace: its user and password kept.
    assert made == ["database.config", "database.governance"]
    assert draft.get("database.config.user") == "reg"
    assert draft.get("database.config.password_env") == "REG_PW"
    assert draft.get("database.registry") is None
    draft.put("database.config.name", "CONF_TYPED")
    assert draft.set_layout("shared") == []
    assert draft.get("database.registry") == {
        "name": "REG",
        "user": "reg",
        "password_env": "REG_PW",
    }
    draft.set_layout("split")
    assert draft.get("database.config.name") == "CONF_TYPED"


def test_ldap_answers_come_back_when_ldap_is_chosen_again() -> None:
    draft = _draft()
    assert draft.set_user_store(0, "ldap")
    draft.put("products[0].ldap.url", "ldaps://ldap.example.com:636")
    assert draft.set_user_store(0, "jdbc")
    assert "user_store" not in draft.products()[0]  # jdbc is the default, left out
    assert "ldap" not in draft.products()[0]
    assert not draft.set_user_store(0, "jdbc")
    draft.set_user_store(0, "ldap")
    assert draft.get("products[0].ldap.url") == "ldaps://ldap.example.com:636"


def test_another_product_puts_the_user_store_aside_and_identity_server_takes_it_back() -> None:
    draft = _draft()
    draft.set_user_store(0, "embedded-ldap")
    draft.set_product_id(0, "esb")
    assert "user_store" not in draft.products()[0]
    draft.set_product_id(0, "is")
    assert draft.get("products[0].user_store") == "embedded-ldap"


def test_nodes_are_numbered_after_the_ids_in_use_on_free_offsets() -> None:
    draft = _draft()
    assert draft.add_nodes(0, ["10.0.0.1", "10.0.0.1"], draft.node_key(0)) == ["is-1", "is-2"]
    assert draft.add_nodes(0, ["10.0.0.1"], "is") == ["is-3"]
    nodes = draft.products()[0]["nodes"]
    offsets = [n.get("offset", 0) for n in nodes]
    assert offsets[0] == 0 and len(set(offsets)) == 3  # one host: no two on one offset


def test_every_change_counts_and_an_unchanged_answer_does_not() -> None:
    draft = _draft()
    seen = draft.revision
    assert draft.set_answer("database.host", "db2.example.com")
    assert draft.revision > seen
    seen = draft.revision
    assert not draft.set_answer("database.host", "db2.example.com")
    assert draft.revision == seen
    draft.add_product("apim")
    assert draft.revision > seen


def test_an_answer_given_settles_the_presets_mark_on_it() -> None:
    draft = _draft()
    draft.answers["confirm"] = ["database.host", "name"]
    assert draft.pending() == ["database.host", "name"]
    draft.set_answer("database.host", "db.site.example")
    assert draft.pending() == ["name"]


def test_the_mariadb_driver_is_put_aside_on_another_engine_and_comes_back() -> None:
    draft = _draft()
    draft.put("database.engine", "mariadb")
    draft.put("database.jdbc_driver", "mariadb")
    draft.put("database.engine", "postgresql")
    draft.fit_engine()
    assert draft.get("database.jdbc_driver") is None
    draft.put("database.engine", "mariadb")
    draft.fit_engine()
    assert draft.get("database.jdbc_driver") == "mariadb"


def test_the_workflow_says_an_unreadable_distribution_at_its_field(tmp_path: Any) -> None:
    draft = _draft()
    draft.add_nodes(0, ["10.0.0.1", "10.0.0.2"], "is")
    draft.ensure_specs(draft.spec_slots())
    draft.put("products[0].databases.WSO2_IDENTITY_DB.password_env", "ID_PW")
    draft.put("products[0].databases.BPS_DS.password_env", "BPS_PW")  # two nodes share it
    draft.put("products[0].distribution", str(tmp_path / "no-such-pack.zip"))
    planned = workflow.plan(draft.answers, {}, workflow.LocalFiles())
    assert planned.plan is None
    assert [p.path for p in planned.problems] == ["products[0].distribution"]
