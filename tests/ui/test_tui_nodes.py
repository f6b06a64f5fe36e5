"""The Nodes step: a table of each product's nodes, and one editor for the picked node."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from bench.topology import estate
from screens.app import WizardApp
from screens.widgets.field import Field
from tests.ui.test_tui_support import (
    _colour,  # noqa: F401 - autouse
    choose_origin,
    control,
    make_app,
    messages,
    next_step,
    pick_node,
    send_at_once,
    settle,
    type_into,
)


def row(app: WizardApp, pi: int, ni: int) -> list[str]:
    """What the table shows for one node: id, host, offset, problem."""
    table = app.query_one(f"#nodes-{pi}", DataTable)
    return [cell.plain for cell in table.get_row(str(ni))]


async def open_nodes(pilot: Any) -> WizardApp:
    await choose_origin(pilot, "preset:apim-2node-mysql")
    await next_step(pilot, 2)
    app: WizardApp = pilot.app
    assert app.current == "nodes"
    return app


async def test_the_keys_pick_a_node_and_the_editor_changes_that_node(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app = await open_nodes(pilot)
        assert row(app, 0, 0)[:3] == ["apim-1", "10.0.1.11", "0"]
        # Down picks the second node; Enter goes to its id, Tab to its host.
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.focused is control(app, "products[0].nodes[1].id")
        await pilot.press("tab", "ctrl+u", *"10.0.1.99")
        await settle(pilot)
        assert app.state.products()[0]["nodes"][1]["host"] == "10.0.1.99"
        assert row(app, 0, 1)[:2] == ["apim-2", "10.0.1.99"]
        assert app.state.products()[0]["nodes"][0]["host"] == "10.0.1.11"
        # Up in the editor moves to the node above, in the same column.
        await pilot.press("up")
        await settle(pilot)
        assert app.focused is control(app, "products[0].nodes[0].host")
        assert app.focused.value == "10.0.1.11"


async def test_a_problem_shows_in_its_row_and_in_full_at_the_editor(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app = await open_nodes(pilot)
        await type_into(pilot, "products[0].nodes[1].host", "10.0.1.11")
        # Both nodes now use host 10.0.1.11 with offset 0: the clash shows on its row.
        await pick_node(pilot, "products[0].nodes[0].id")
        assert "both on host 10.0.1.11" in row(app, 0, 1)[3]
        assert row(app, 0, 1)[3].startswith("✗ offset")
        assert not any("both on host" in m for m in messages(app, "products[0].nodes[0]"))
        # Picking the node shows the whole message under the editor.
        await pick_node(pilot, "products[0].nodes[1].id")
        assert any("both on host 10.0.1.11" in m for m in messages(app, "products[0].nodes[1]"))
        await type_into(pilot, "products[0].nodes[1].offset", "1")
        assert row(app, 0, 1)[2:] == ["1", ""]


async def test_added_hosts_join_the_nodes_there_and_delete_drops_one(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app = await open_nodes(pilot)
        pattern = app.query_one("#pattern-0")
        pattern.focus()
        pattern.value = "10.0.1.13, 10.0.1.14"
        await pilot.press("enter")
        await settle(pilot)
        # Typing the pattern must not touch the nodes already there (it once replaced them).
        nodes = app.state.products()[0]["nodes"]
        assert [(n["id"], n["host"]) for n in nodes] == [
            ("apim-1", "10.0.1.11"),
            ("apim-2", "10.0.1.12"),
            ("apim-3", "10.0.1.13"),
            ("apim-4", "10.0.1.14"),
        ]
        # The first new node is the one the editor holds.
        assert control(app, "products[0].nodes[2].id").value == "apim-3"

        await pick_node(pilot, "products[0].nodes[1].id")
        await pilot.press("delete")
        await settle(pilot)
        ids = [n["id"] for n in app.state.products()[0]["nodes"]]
        assert ids == ["apim-1", "apim-3", "apim-4"]
        assert row(app, 0, 1)[0] == "apim-3"

        await pick_node(pilot, "products[0].nodes[2].id")
        app.query_one("#drop-0").press()
        await settle(pilot)
        assert [n["id"] for n in app.state.products()[0]["nodes"]] == ["apim-1", "apim-3"]


async def test_a_finding_leads_to_its_node_in_a_long_table(tmp_path: Path) -> None:
    data = copy.deepcopy(estate(100, products=2))
    data["products"][1]["nodes"][37]["host"] = "not a host"
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.state.load(data, "bench")
        await app.show_step("nodes", focus_path="products[1].nodes[37].host")
        await settle(pilot)
        assert app.focused is control(app, "products[1].nodes[37].host")
        assert app.query_one("#nodes-1", DataTable).cursor_row == 37
        assert row(app, 1, 37)[3].startswith("✗ host")


async def test_the_widgets_do_not_grow_with_the_nodes(tmp_path: Path) -> None:
    """500 nodes cost no more widgets than 10: a form row per node made each key press
    re-lay out thousands of them."""
    counts = []
    for nodes in (10, 500):
        app = make_app(tmp_path / str(nodes))
        async with app.run_test(size=(120, 40)) as pilot:
            app.state.load(copy.deepcopy(estate(nodes)), "bench")
            await app.show_step("nodes")
            await settle(pilot)
            counts.append(len(list(app.screen.walk_children())))
            assert app.query_one("#nodes-9", DataTable).row_count == nodes // 10
    assert counts[0] == counts[1]


async def test_a_burst_of_keys_with_tab_fills_the_boxes_in_order(tmp_path: Path) -> None:
    """Typed ahead over a laggy link: what follows Tab goes to the next box, not this one."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app = await open_nodes(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        burst = ["end", "x", "tab", "ctrl+u", *"10.0.9.9", "tab", "ctrl+u", "7"]
        send_at_once(
            app,
            [("full_stop" if k == "." else k, k if len(k) == 1 else None) for k in burst],
        )
        for _ in range(20):
            await settle(pilot)
        node = app.state.products()[0]["nodes"][1]
        assert (node["id"], node["host"], node.get("offset")) == ("apim-2x", "10.0.9.9", 7)
        assert row(app, 0, 1)[:3] == ["apim-2x", "10.0.9.9", "7"]


async def test_a_product_without_nodes_starts_at_its_add_hosts_box(tmp_path: Path) -> None:
    """Its table and editor are hidden; keys must not go into the hidden editor."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.state.load({"schema_version": 1, "name": "p", "products": []}, "new")
        app.state.add_product("apim")
        await app.show_step("nodes")
        await settle(pilot)
        assert app.focused is app.query_one("#pattern-0")
        await pilot.press(*"10.0.1.5", "enter")
        await settle(pilot)
        assert app.state.products()[0]["nodes"] == [{"id": "apim-1", "host": "10.0.1.5"}]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_a_clash_made_at_another_node_is_read_in_full_when_its_node_is_picked(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        app = await open_nodes(pilot)
        # apim-1 moves onto apim-2's host: the clash is apim-2's, whose boxes nobody typed
        # in (and whose offset box is empty, the default).
        await type_into(pilot, "products[0].nodes[0].host", "10.0.1.12")
        assert row(app, 0, 1)[3].startswith("✗ offset")
        # The problem column keeps room for its heading and the field at fault.
        table = app.query_one("#nodes-0", DataTable)
        edited = sum(c.get_render_width(table) for c in list(table.columns.values())[:3])
        assert table.scrollable_content_region.width - edited >= len(" problem ")
        await pick_node(pilot, "products[0].nodes[1].id")
        editor = app.query_one("#editor-0", Field)
        assert any("both on host 10.0.1.12" in m for m in editor.messages)
        # Under the editor, on the screen, every word of it.
        message = editor.query_one(".field-message", Static)
        assert message.display and message.region.height >= 1
        assert 0 <= message.region.y < app.size.height
        assert "give apim-2 another offset" in " ".join(str(message.render()).split())
        # The editor's row is said to be the editor, not a second apim-2.
        caption = app.query_one("#caption-0", Static)
        assert str(caption.render()).startswith("Edit the picked node")
        assert caption.region.bottom <= editor.region.y


async def test_a_product_with_no_nodes_says_to_add_one(tmp_path: Path) -> None:
    # Before: "no value; an answer is required here" under Add hosts, as if a box was empty.
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        app.state.add_product("is")
        await next_step(pilot, 2)  # Nodes: the new product has none
        await next_step(pilot)  # refused: every message shows
        assert app.current == "nodes"
        said = messages(app, "products[1].nodes")
        assert said and said[0].startswith("no nodes yet; add at least one"), said
