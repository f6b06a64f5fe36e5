"""Step 3: per product, its nodes (id, host, port offset), and the cluster options."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Static

from screens.base import AnswersChanged, StepPane, focus_now, guarded
from screens.widgets.bound import BoundCheckbox, BoundInput
from screens.widgets.field import Field
from wizard import steps
from wizard.catalog import PRODUCTS
from wizard.fields import check_host


class NodesPane(StepPane):
    step_id = "nodes"
    keys_help = (
        "Each row is a node: its id (the folder in the tree), host and port offset; edit "
        "them in place. To add several, type hosts as a list (a, b) or a pattern like "
        "10.0.1.{11..13} and press Add: ids and free offsets are filled in. Remove drops "
        "a row. Clashing ports and duplicate ids are shown at the row."
    )

    def body(self) -> Iterable[Widget]:
        for pi, product in enumerate(self.state.products()):
            yield self.product_nodes(pi, product)
        cluster = self.state.answers.get("cluster")
        cluster = cluster if isinstance(cluster, dict) else {}
        yield Field(
            "Cluster",
            Vertical(
                BoundCheckbox(
                    "cluster.clustering",
                    "Hazelcast clustering",
                    bool(cluster.get("clustering", True)),
                    True,
                ),
                BoundCheckbox(
                    "cluster.port_offsets",
                    "Port offsets in carbon.xml",
                    bool(cluster.get("port_offsets", True)),
                    True,
                ),
                classes="checks",
            ),
            paths=["cluster"],
        )

    def product_nodes(self, pi: int, product: dict[str, Any]) -> Widget:
        base = f"products[{pi}]"
        known = PRODUCTS.get(str(product.get("id")))
        label = known.label if known else str(product.get("id", "?"))
        rows: list[Widget] = [
            Static(f"{label} {product.get('version', '')}", classes="card-title", markup=False),
            Horizontal(
                Static("id", classes="col-id"),
                Static("host", classes="col-host"),
                Static("offset", classes="col-offset"),
                classes="node-head",
            ),
        ]
        nodes = product.get("nodes")
        for ni, node in enumerate(nodes if isinstance(nodes, list) else []):
            node = node if isinstance(node, dict) else {}
            path = f"{base}.nodes[{ni}]"
            rows.append(
                Field(
                    "",
                    BoundInput(f"{path}.id", node.get("id"), classes="col-id"),
                    BoundInput(f"{path}.host", node.get("host"), classes="col-host"),
                    BoundInput(
                        f"{path}.offset",
                        node.get("offset"),
                        kind="int",
                        placeholder="0",
                        classes="col-offset",
                    ),
                    Button("✕", id=f"drop-{pi}-{ni}", compact=True, classes="remove"),
                    paths=[path],
                    classes="node-row",
                )
            )
        rows.append(
            Field(
                "Add hosts",
                BoundInput(
                    f"{base}.nodes",
                    None,
                    placeholder="10.0.1.{11..13} or a, b",
                    id=f"pattern-{pi}",
                    classes="pattern",
                ),
                Button("Add", id=f"add-{pi}", compact=True),
                paths=[f"{base}.nodes"],
                hint=None,
                id=f"adder-{pi}",
            )
        )
        return Vertical(*rows, classes="card")

    def on_input_changed(self, event: BoundInput.Changed) -> None:
        # The host pattern is not an answer; it becomes nodes when Add is pressed.
        if event.input.id and event.input.id.startswith("pattern-"):
            event.stop()
            self.query_one(f"#adder-{event.input.id.removeprefix('pattern-')}", Field).show([])
            return
        super().on_input_changed(event)

    @guarded
    async def on_input_submitted(self, event: BoundInput.Submitted) -> None:
        if event.input.id and event.input.id.startswith("pattern-"):
            event.stop()
            await self.add_from_pattern(int(event.input.id.removeprefix("pattern-")))

    @guarded
    async def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button.startswith("add-"):
            event.stop()
            await self.add_from_pattern(int(button.removeprefix("add-")))
        elif button.startswith("drop-"):
            event.stop()
            pi, ni = (int(n) for n in button.removeprefix("drop-").split("-"))
            self.state.remove_node(pi, ni)
            await self.rebuild(f"pattern-{pi}")

    async def add_from_pattern(self, pi: int) -> None:
        pattern = self.query_one(f"#pattern-{pi}", BoundInput).value
        adder = self.query_one(f"#adder-{pi}", Field)
        try:
            hosts = steps.expand_hosts(pattern)
            for host in hosts:
                check_host(host)
        except ValueError as exc:
            adder.show([str(exc)])
            return
        self.state.add_nodes(pi, hosts, self.state.node_key(pi))
        self.state.touched.add(f"products[{pi}].nodes")
        await self.rebuild(f"pattern-{pi}")

    async def rebuild(self, focus_id: str) -> None:
        await self.recompose()
        self.refresh_problems()
        self.post_message(AnswersChanged())
        focus_now(self.query_one(f"#{focus_id}"))
