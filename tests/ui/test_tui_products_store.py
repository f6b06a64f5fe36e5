"""The Products step of the full-screen wizard: Identity Server's user store, its LDAP server,
and the load balancers in front of API Manager and its key manager."""

from __future__ import annotations

import copy
from typing import Any

from textual.widgets import Button, Input, RadioButton, RadioSet, Select, Static

from screens.app import WizardApp
from screens.compat import select_options
from screens.specs import SpecCard
from tests.ui.test_tui_support import (
    _colour,  # noqa: F401 - autouse
    choose_origin,
    control,
    make_app,
    messages,
    next_step,
    press_radio,
    settle,
    type_into,
)
from wizard import steps
from wizard.problems import REQUIRED

LDAP = {
    "url": "ldaps://ldap.example.com:636",
    "bind_dn": "uid=admin,ou=system",
    "user_search_base": "ou=Users,dc=example,dc=com",
    "group_search_base": "ou=Groups,dc=example,dc=com",
}
LDAP_PASSWORD = "Bind-PW-31337"


def model_messages(app: WizardApp, path: str) -> list[str]:
    """What the model says of the answers at `path`, as the products step checks them."""
    found = steps.problems_for_step(copy.deepcopy(app.state.answers), "products")
    return [p.message for p in found if p.path == path]


def chosen_store(app: WizardApp, pi: int) -> str:
    radios = app.query_one(f"#store-{pi}", RadioSet)
    pressed = radios.pressed_button
    assert pressed is not None
    return (pressed.id or "").removeprefix(f"store-{pi}-")


def offered(app: WizardApp) -> set[str]:
    """The actions the key bar offers now."""
    return {b.binding.action for b in app.active_bindings.values()}


async def choose_store(pilot: Any, pi: int, store: str) -> None:
    """Move to `store` in the product's user store choice with the keys and take it: the
    cursor starts on the store chosen, so Down and Up count from there."""
    radios = pilot.app.query_one(f"#store-{pi}", RadioSet)
    await press_radio(pilot, radios, f"store-{pi}-{store}")
    assert chosen_store(pilot.app, pi) == store


async def new_plan_with(pilot: Any, *product_ids: str) -> WizardApp:
    app: WizardApp = pilot.app
    await type_into(pilot, "name", "store-plan")
    await next_step(pilot)
    assert app.current == "products"
    for product_id in product_ids:
        app.query_one("#add-product", Select).value = product_id
        await settle(pilot)
    return app


async def add_hosts(pilot: Any, pi: int, hosts: str) -> None:
    pattern = pilot.app.query_one(f"#pattern-{pi}", Input)
    pattern.focus()
    pattern.value = hosts
    await pilot.press("enter")
    await settle(pilot)


async def test_is_km_is_in_the_add_list_and_needs_api_manager(tmp_path: Any) -> None:
    app = make_app(tmp_path, env={})
    async with app.run_test(size=(80, 24)) as pilot:
        await new_plan_with(pilot, "is-km")
        add = app.query_one("#add-product", Select)
        assert ("IS as Key Manager (is-km)", "is-km") in select_options(add)
        assert [p["id"] for p in app.state.products()] == ["is-km"]
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.current == "products"
        expected = model_messages(app, "products[0].id")
        assert expected and "add API Manager to this plan" in expected[0]
        # At the card's version field, whose answers include the product's id: said plain.
        assert messages(app, "products[0].id") == [expected[0]]


async def test_choosing_is_shows_the_user_store_choice_with_jdbc_selected(tmp_path: Any) -> None:
    app = make_app(tmp_path, env={})
    async with app.run_test(size=(80, 24)) as pilot:
        await new_plan_with(pilot, "apim", "is")
        assert not app.query("#store-0")  # API Manager keeps its stock user store
        assert chosen_store(app, 1) == "jdbc"
        labels = [str(b.label) for b in app.query_one("#store-1", RadioSet).query(RadioButton)]
        assert labels == [
            "jdbc: users in the shared user-management DB",
            "ldap: an external LDAP/AD every node reaches",
            "embedded-ldap: IS's own LDAP, a lone IS node",
        ]
        # jdbc is the default: nothing is added to the answers, and no LDAP is asked.
        assert "user_store" not in app.state.products()[1]
        assert not [c for c in app.query("BoundInput") if ".ldap." in c.path]
        await next_step(pilot)
        assert app.current == "nodes"


async def test_choosing_ldap_asks_for_the_server_and_keeps_what_was_typed(tmp_path: Any) -> None:
    app = make_app(tmp_path, env={})
    async with app.run_test(size=(80, 24)) as pilot:
        await new_plan_with(pilot, "is")
        await choose_store(pilot, 0, "ldap")
        assert chosen_store(app, 0) == "ldap"
        assert app.focused is app.query_one("#store-0", RadioSet)
        for key, value in LDAP.items():
            await type_into(pilot, f"products[0].ldap.{key}", value)
        secret = control(app, "products[0].ldap.password")
        assert secret.password  # masked, as a database password is
        await type_into(pilot, "products[0].ldap.password", LDAP_PASSWORD)
        await pilot.press("ctrl+r")  # shown on demand, as on the Database step
        assert not control(app, "products[0].ldap.password").password
        await pilot.press("ctrl+r")
        assert control(app, "products[0].ldap.password").password
        product = app.state.products()[0]
        assert product["user_store"] == "ldap"
        assert product["ldap"] == {**LDAP, "password": LDAP_PASSWORD}
        assert app.state.problems("products") == []

        # jdbc puts the LDAP answers aside; ldap again brings them back.
        await choose_store(pilot, 0, "jdbc")
        assert "user_store" not in app.state.products()[0]
        assert "ldap" not in app.state.products()[0]
        assert not [c for c in app.query("BoundInput") if ".ldap." in c.path]
        assert "reveal" not in offered(app)  # no bind password on the step
        await choose_store(pilot, 0, "ldap")
        assert "reveal" in offered(app)
        assert control(app, "products[0].ldap.password").password
        assert app.state.products()[0]["ldap"] == {**LDAP, "password": LDAP_PASSWORD}
        assert control(app, "products[0].ldap.bind_dn").value == LDAP["bind_dn"]

        # A variable instead of the typed password, and back: neither is lost.
        await pilot.pause()
        mode = app.query_one(".secret-box Select", Select)
        mode.value = "env"
        await settle(pilot)
        ldap = app.state.products()[0]["ldap"]
        assert "password" not in ldap and ldap["password_env"] == "WSO2_LDAP_PASSWORD"
        mode.value = "typed"
        await settle(pilot)
        assert app.state.products()[0]["ldap"]["password"] == LDAP_PASSWORD

        # Next and Back redraw the step from the answers.
        await next_step(pilot)
        assert app.current == "nodes"
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert app.current == "products"
        assert chosen_store(app, 0) == "ldap"
        for key, value in LDAP.items():
            assert control(app, f"products[0].ldap.{key}").value == value
        assert control(app, "products[0].ldap.password").value == LDAP_PASSWORD


async def test_an_empty_ldap_field_is_said_at_that_field_once_next_is_pressed(
    tmp_path: Any,
) -> None:
    app = make_app(tmp_path, env={})
    async with app.run_test(size=(80, 24)) as pilot:
        await new_plan_with(pilot, "is")
        await choose_store(pilot, 0, "ldap")
        assert messages(app, "products[0].ldap.url") == []  # quiet until Next
        await type_into(pilot, "products[0].ldap.url", "http://ldap.example.com")
        assert messages(app, "products[0].ldap.url") == model_messages(app, "products[0].ldap.url")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.current == "products"
        assert messages(app, "products[0].ldap.bind_dn") == [REQUIRED]
        assert app.focused is control(app, "products[0].ldap.url")


async def test_embedded_ldap_on_two_is_nodes_is_refused_at_the_user_store(tmp_path: Any) -> None:
    app = make_app(tmp_path, env={})
    async with app.run_test(size=(80, 24)) as pilot:
        await new_plan_with(pilot, "is")
        await next_step(pilot)
        assert app.current == "nodes"
        await add_hosts(pilot, 0, "10.0.2.11, 10.0.2.12")
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert app.current == "products"
        await choose_store(pilot, 0, "embedded-ldap")
        assert app.state.products()[0]["user_store"] == "embedded-ldap"
        expected = model_messages(app, "products[0].user_store")
        assert expected and "its 2 nodes would each keep their own users" in expected[0]
        assert messages(app, "products[0].user_store") == expected
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.current == "products"
        assert app.focused is app.query_one("#store-0", RadioSet)
        await choose_store(pilot, 0, "jdbc")
        assert messages(app, "products[0].user_store") == []
        await next_step(pilot)
        assert app.current == "nodes"


async def test_clustered_api_manager_and_key_manager_need_load_balancers(tmp_path: Any) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-is-km-mysql8")
        await next_step(pilot)
        assert app.current == "products"
        assert chosen_store(app, 1) == "jdbc"
        for pi in (0, 1):
            await type_into(pilot, f"products[{pi}].load_balancer", "")
            assert "load_balancer" not in app.state.products()[pi]
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.current == "products"
        for pi, label in ((0, "API Manager"), (1, "Identity Server as Key Manager")):
            path = f"products[{pi}].load_balancer"
            expected = model_messages(app, path)
            assert expected and f"with 2 {label} nodes a URL to one node" in expected[0]
            assert messages(app, path) == expected
        await type_into(pilot, "products[0].load_balancer", "apim.example.com")
        await type_into(pilot, "products[1].load_balancer", "km.example.com:8443")
        assert messages(app, "products[0].load_balancer") == []
        assert messages(app, "products[1].load_balancer") == []
        await next_step(pilot)
        assert app.current == "nodes"
        assert [p["load_balancer"] for p in app.state.products()] == [
            "apim.example.com",
            "km.example.com:8443",
        ]


async def test_the_database_step_asks_nothing_for_the_key_manager(tmp_path: Any) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-is-km-mysql8")
        await next_step(pilot, 4)
        assert app.current == "database"
        shown = [
            c.path.rsplit(".", 1)[0]
            for c in app.query("BoundInput")
            if all(node.display for node in c.ancestors_with_self)
        ]
        assert "products[0].databases.WSO2AM_DB" in shown
        # Its workflow database is offered local, as WSO2's own key manager keeps it: a
        # choice with no fields under it, and nothing added to the answers.
        assert not any(p.startswith("products[1].databases") for p in shown)
        [card] = [
            c for c in app.query(SpecCard) if c.slot.path.startswith("products[1].databases.")
        ]
        assert card.slot.path == "products[1].databases.BPS_DS"
        pressed = card.query_one(RadioSet).pressed_button
        assert pressed is not None and (pressed.id or "").endswith("local")
        assert "databases" not in app.state.products()[1]
        assert app.state.problems("database") == []


async def test_remove_offers_the_product_back_until_something_else_changes(
    tmp_path: Any,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-is-km-mysql8")
        await next_step(pilot)
        assert app.current == "products"
        before = copy.deepcopy(app.state.answers)
        # Remove is pressed by mistake on the second product (Shift+Tab from its fields).
        app.query_one("#remove-1", Button).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert [p["id"] for p in app.state.products()] == ["apim"]
        undo_line = app.query_one("#undo-line")
        assert "Removed Identity Server as Key Manager 5.7.0" in str(
            undo_line.query_one(Static).render()
        )
        # Undo has the focus: Enter brings back the product, its nodes and databases.
        assert app.focused is app.query_one("#undo-remove", Button)
        await pilot.press("enter")
        await settle(pilot)
        assert app.state.answers == before
        assert not app.query("#undo-line")
        # Removed again, then an answer changed: the offer is gone (it would undo that too).
        app.query_one("#remove-1", Button).press()
        await settle(pilot)
        await type_into(pilot, "products[0].load_balancer", "lb.example.org")
        assert not app.query("#undo-line")
        assert [p["id"] for p in app.state.products()] == ["apim"]
